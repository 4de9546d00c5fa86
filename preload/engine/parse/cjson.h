/* cjson.h — cJSON, loaded on first use.
 *
 * Owns: dlopen()ing Debian's libcjson only in a runner, the first time a
 * structured line must be parsed, so that no other process pays for loading
 * it and none of its symbols is ever exported or interposed by us.  Returns
 * NULL if it cannot be loaded (structured lines are then not parsed).
 */
#ifndef NX_CJSON_H
#define NX_CJSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct nx_cjson {
	cJSON *(*parse)(const char *value, size_t len);
	void (*del)(cJSON *item);
	cJSON *(*get)(const cJSON *object, const char *key);	/* case-sensitive */
};

const struct nx_cjson *nx_cjson(void);

/* Convenience: the string value of object[key], or NULL. */
const char *nx_cjson_str(const struct nx_cjson *j, const cJSON *obj, const char *key);

#endif
