/*
 * util_json.h - reading cJSON trees from the network or from files.
 */
#ifndef UTIL_JSON_H
#define UTIL_JSON_H

#include <cjson/cJSON.h>

/* The string member `name` of object o, or NULL (o NULL, absent, other). */
const char *jstr(const cJSON *o, const char *name);

#endif
