/* cjson.c — lazy loading of libcjson (see cjson.h). */
#include <dlfcn.h>
#include <pthread.h>

#include "cjson.h"

static struct nx_cjson table;
static int loaded;		/* 1 ok, -1 failed */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libcjson.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		loaded = -1;
		return;
	}
	table.parse = (cJSON * (*)(const char *, size_t)) dlsym(h, "cJSON_ParseWithLength");
	table.del = (void (*)(cJSON *))dlsym(h, "cJSON_Delete");
	table.get = (cJSON * (*)(const cJSON *, const char *))
		dlsym(h, "cJSON_GetObjectItemCaseSensitive");
	loaded = table.parse && table.del && table.get ? 1 : -1;
}

const struct nx_cjson *nx_cjson(void)
{
	pthread_once(&once, load);
	return loaded == 1 ? &table : NULL;
}

const char *nx_cjson_str(const struct nx_cjson *j, const cJSON *obj, const char *key)
{
	const cJSON *v = obj ? j->get(obj, key) : NULL;
	return v && (v->type & 0xff) == cJSON_String ? v->valuestring : NULL;
}
