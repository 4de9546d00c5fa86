/* extras/runner.h — the core's question to the extras (declared in extras.h). */
#ifndef NX_XRUNNER_H
#define NX_XRUNNER_H

#include "extras.h"

#endif
