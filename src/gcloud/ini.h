/*
 * ini.h - INI files read as Python's configparser.ConfigParser() reads
 * them, for gcloud's properties files (see ini.c for the rules).
 */
#ifndef INI_H
#define INI_H

#include <stddef.h>

/* Called once per key of every section; 0, or -1 to stop (ENOMEM). */
typedef int (*ini_cb)(void *arg, const char *section, const char *key,
    const char *value);

/*
 * Parse buf (len bytes, with one writable byte at buf[len]; modified in
 * place) and hand every section's items, [DEFAULT] merged in and '%'
 * interpolated, to cb.  Returns 0, or -1 with a message in err; items
 * already handed over then are not to be used.
 */
int ini_read(char *buf, size_t len, ini_cb cb, void *arg, char *err,
    size_t errlen);

#endif
