/*
 * stdinbuf.h - standard input, read once by the shim and given back to
 * gcloud byte for byte.
 *
 * gcloud reads stdin for `--flags-file=-`, `--flags-file=/dev/stdin` and
 * `run services replace -`;
 * the shim must read the same bytes to check them, and gcloud must still
 * receive them after the hand-over.  The bytes are kept in a memfd;
 * stdinbuf_replay() makes it the new descriptor 0, at offset 0, just
 * before execv().
 *
 * Steps for a caller:
 *   1. stdinbuf_get(&buf, &len, err, errlen): the bytes (read on first
 *      call, at most STDINBUF_MAX);
 *   2. stdinbuf_replay() before execv (gcloud_exec() calls it): a no-op when
 *      stdin was never read.
 */
#ifndef STDINBUF_H
#define STDINBUF_H

#include <stddef.h>

#define STDINBUF_MAX	(64L * 1024 * 1024)

/* 0 with *buf (NUL-terminated) and *len; -1 with a message in err. */
int stdinbuf_get(const char **buf, size_t *len, char *err, size_t errlen);

/*
 * A pipe held as descriptor fd > 2 and named by a path (/dev/fd/N, as
 * bash's <(...) makes): read it whole now and put a memfd with the same
 * bytes in its place, so every later open of that path (gcloud's too)
 * reads them from the first byte.  0, or -1 with err; a failure part-way
 * also makes stdinbuf_failed() true: no hand-over then.
 */
int stdinbuf_take_fd(int fd, char *err, size_t errlen);

/* Whether stdin has been read. */
int stdinbuf_taken(void);

/* Reading stdin failed part-way: gcloud cannot be given what it sent. */
int stdinbuf_failed(void);

/*
 * Give the bytes back as descriptor 0.  0, or -1 with errno set (also
 * when reading failed part-way: what was read is gone from the pipe).
 */
int stdinbuf_replay(void);

#endif
