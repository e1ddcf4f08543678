/*
 * util_file.c - read a whole file up to a cap (see util_file.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util_file.h"

int
file_read_fd(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	while (*len < cap && (r = read(fd, buf + *len, cap - *len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		*len += (size_t)r;
	}
	return 0;
}

/*
 * What the open descriptor is not allowed to be, or FILE_OK; *hint is
 * the room to start with: a regular file's size (a byte more shows that
 * it grew), else a little.
 */
static enum file_status
kind(int fd, size_t cap, int flags, size_t *hint)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return FILE_ERROR;
	if ((flags & FILE_REGULAR) && !S_ISREG(st.st_mode))
		return FILE_NOTREG;	/* reading would take a pipe's bytes */
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return FILE_ERROR;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > cap)
		return FILE_TOOBIG;
	*hint = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 16384;
	return FILE_OK;
}

/*
 * Room for n bytes and a NUL in place of *buf (holding len bytes): a new
 * block, the old one wiped first when it held a secret.  Not realloc():
 * it would leave a copy behind, unwiped.
 */
static int
grow(char **buf, size_t len, size_t n, int flags)
{
	char *nb;

	if ((nb = malloc(n + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(nb, *buf, len);
	if (*buf != NULL && (flags & FILE_WIPE))
		explicit_bzero(*buf, len);
	free(*buf);
	*buf = nb;
	return 0;
}

/*
 * Read fd to its end or to cap + 1 bytes into a block that grows from
 * hint bytes: the memory a file takes is its size, not the cap (a
 * sanitizer's leak check scans every block whole, at every exit).
 */
static enum file_status
slurp(int fd, size_t cap, size_t hint, int flags, char **bufp, size_t *lenp)
{
	size_t room = hint < cap + 1 ? hint : cap + 1, got;
	int r;

	*bufp = NULL;
	*lenp = 0;
	if (grow(bufp, 0, room, flags) == -1)
		return FILE_NOMEM;
	for (;;) {
		/* what came before an error counts: the caller wipes *lenp */
		r = file_read_fd(fd, *bufp + *lenp, room - *lenp, &got);
		*lenp += got;
		if (r == -1)
			return FILE_ERROR;
		if (*lenp < room || room == cap + 1)
			return *lenp > cap ? FILE_TOOBIG : FILE_OK;
		room = room > (cap + 1) / 2 ? cap + 1 : 2 * room;
		if (grow(bufp, *lenp, room, flags) == -1)
			return FILE_NOMEM;
	}
}

enum file_status
file_read(const char *path, size_t cap, int flags, char **bufp,
    size_t *lenp)
{
	enum file_status rc;
	char *buf = NULL;
	size_t len = 0, hint = 0;
	int fd, e;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno == ENOENT || errno == ENOTDIR ? FILE_MISSING :
		    FILE_ERROR;
	if ((rc = kind(fd, cap, flags, &hint)) == FILE_OK &&
	    (rc = slurp(fd, cap, hint, flags, &buf, &len)) == FILE_OK) {
		buf[len] = '\0';
		*bufp = buf;
		*lenp = len;
		buf = NULL;
	}
	e = rc == FILE_NOMEM ? ENOMEM : errno;
	if (buf != NULL && (flags & FILE_WIPE))
		explicit_bzero(buf, len);
	free(buf);
	close(fd);
	errno = e;
	return rc;
}
