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

/* What the open descriptor is not allowed to be, or FILE_OK. */
static enum file_status
kind(int fd, size_t cap, int flags)
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
	return FILE_OK;
}

enum file_status
file_read(const char *path, size_t cap, int flags, char **bufp,
    size_t *lenp)
{
	enum file_status rc;
	char *buf = NULL;
	size_t len = 0;
	int fd, e;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno == ENOENT || errno == ENOTDIR ? FILE_MISSING :
		    FILE_ERROR;
	if ((rc = kind(fd, cap, flags)) != FILE_OK)
		goto out;
	if ((buf = malloc(cap + 2)) == NULL) {
		errno = ENOMEM;
		rc = FILE_NOMEM;
	} else if (file_read_fd(fd, buf, cap + 1, &len) == -1)
		rc = FILE_ERROR;
	else if (len > cap)
		rc = FILE_TOOBIG;
	else {
		buf[len] = '\0';
		*bufp = buf;
		*lenp = len;
		buf = NULL;
	}
out:
	e = errno;
	if (buf != NULL && (flags & FILE_WIPE))
		explicit_bzero(buf, cap + 2);
	free(buf);
	close(fd);
	errno = e;
	return rc;
}
