/*
 * util_file.h - read a whole file into memory, up to a cap: the one file
 * reader of the program (gcloud properties, access token files, service
 * manifests, credential files, flags files).
 *
 * Steps for a caller:
 *   1. st = file_read(path, cap, flags, &buf, &len);
 *   2. FILE_OK: buf holds len bytes and a NUL after them; free(buf), or
 *      wipe_free(buf) when it held a secret;
 *      FILE_MISSING, FILE_ERROR: errno says why (EISDIR for a
 *      directory); FILE_TOOBIG: more than cap bytes; FILE_NOTREG: not a
 *      regular file (only with FILE_REGULAR); FILE_NOMEM: out of memory.
 *      buf is NULL on every status but FILE_OK.
 * A caller with its own rules for the open (flags files: standard input,
 * pipes) reads with file_read_fd() instead.
 */
#ifndef UTIL_FILE_H
#define UTIL_FILE_H

#include <stddef.h>

enum file_status {
	FILE_OK,
	FILE_MISSING,	/* ENOENT or ENOTDIR at open() */
	FILE_TOOBIG,	/* more than cap bytes */
	FILE_NOTREG,	/* not a regular file: refused unread */
	FILE_NOMEM,
	FILE_ERROR	/* errno says why */
};

/* Flags of file_read(). */
#define FILE_REGULAR	0x1	/* refuse anything but a regular file */
#define FILE_WIPE	0x2	/* secret bytes: zero what is freed here */

enum file_status file_read(const char *path, size_t cap, int flags,
    char **buf, size_t *len);

/*
 * Read fd until end of file or until cap bytes are in buf (EINTR is
 * retried): 0, or -1 with errno.  *len is what was read either way; a
 * caller that wants to see "more than N" passes cap N + 1.
 */
int file_read_fd(int fd, char *buf, size_t cap, size_t *len);

#endif
