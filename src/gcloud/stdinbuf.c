/*
 * stdinbuf.c - read standard input once; give it back to gcloud.
 *
 * The bytes go into a memfd (close-on-exec) as they are read, and into a
 * heap copy for the readers.  At the hand-over the memfd, rewound, becomes
 * descriptor 0: gcloud reads exactly what it would have read, from the
 * first byte, whatever stdin was (pipe, file, terminal).
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcloud/stdinbuf.h"

static int memfd = -1;
static int failed;	/* read part of it only: gcloud must not get that */
static char *data;
static size_t datalen;

static int
grow(size_t need, size_t *cap)
{
	char *p;

	if (need <= *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 65536;
	if (*cap < need)
		*cap = need;
	if ((p = realloc(data, *cap)) == NULL)
		return -1;
	data = p;
	return 0;
}

static int
writeall(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w, n -= (size_t)w;
	}
	return 0;
}

static int
slurp(char *err, size_t errlen)
{
	size_t cap = 0;
	ssize_t r;

	for (;;) {
		if (grow(datalen + 65536 + 1, &cap) != 0) {
			snprintf(err, errlen, "standard input: out of memory");
			return -1;
		}
		r = read(STDIN_FILENO, data + datalen, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read standard input: %s",
			    strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		if (writeall(memfd, data + datalen, (size_t)r) != 0) {
			snprintf(err, errlen, "cannot keep standard input: %s",
			    strerror(errno));
			return -1;
		}
		datalen += (size_t)r;
		if (datalen > STDINBUF_MAX) {
			snprintf(err, errlen, "standard input is larger than "
			    "%ld MiB", STDINBUF_MAX / 1024 / 1024);
			return -1;
		}
	}
	data[datalen] = '\0';
	return 0;
}

int
stdinbuf_get(const char **buf, size_t *len, char *err, size_t errlen)
{
	if (failed) {
		snprintf(err, errlen, "standard input could not be read");
		return -1;
	}
	if (memfd < 0) {
		if ((memfd = memfd_create("gcloud-run-deploy-stdin",
		    MFD_CLOEXEC)) < 0) {
			snprintf(err, errlen, "memfd_create: %s",
			    strerror(errno));
			return -1;
		}
		if (slurp(err, errlen) != 0) {
			failed = 1;
			return -1;
		}
	}
	*buf = data;
	*len = datalen;
	return 0;
}

/*
 * A pipe this process holds as descriptor fd (> 2), that a path names
 * (/dev/fd/N: bash's <(...)): read it to EOF into a memfd that takes its
 * place at once, not close-on-exec.  Every later open of /dev/fd/N, the
 * shim's or gcloud's, then reads the same bytes from the first.
 */
int
stdinbuf_take_fd(int fd, char *err, size_t errlen)
{
	char buf[65536];
	size_t total = 0;
	ssize_t r;
	int mfd;

	if ((mfd = memfd_create("gcloud-run-deploy-fd", 0)) < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			break;
		if (r < 0 || writeall(mfd, buf, (size_t)r) != 0 ||
		    (total += (size_t)r) > STDINBUF_MAX) {
			snprintf(err, errlen, "descriptor %d: %s", fd, r < 0 ?
			    strerror(errno) : total > STDINBUF_MAX ?
			    "larger than the shim keeps" : strerror(errno));
			goto lost;
		}
	}
	if (dup2(mfd, fd) < 0) {
		snprintf(err, errlen, "descriptor %d: %s", fd,
		    strerror(errno));
		goto lost;
	}
	close(mfd);
	return 0;
lost:
	failed = 1;	/* what was read is gone from the pipe */
	close(mfd);
	return -1;
}

int
stdinbuf_taken(void)
{
	return memfd >= 0;
}

int
stdinbuf_failed(void)
{
	return failed;
}

int
stdinbuf_replay(void)
{
	if (failed) {
		errno = EIO;	/* part of stdin is gone: no hand-over */
		return -1;
	}
	if (memfd < 0)
		return 0;
	if (lseek(memfd, 0, SEEK_SET) != 0)
		return -1;
	if (dup2(memfd, STDIN_FILENO) < 0)
		return -1;
	close(memfd);
	memfd = -1;
	return 0;
}
