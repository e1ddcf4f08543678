/*
 * gcloudz - the real gcloud, started by the server tests/gcloudz.py
 * (which has the SDK imported already) instead of from scratch.
 *
 *	GCLOUDZ_SOCK=SOCKET gcloudz ARGS...
 *
 * Sends ARGS, the environment, the working folder and descriptors 0, 1
 * and 2 to the server on SOCKET and exits with the status of the gcloud
 * it forks.  Without GCLOUDZ_SOCK, when the server cannot be reached, or
 * when CLOUDSDK_PYTHON names another interpreter than the SDK's own, it
 * execs /usr/bin/gcloud ARGS instead: the same command, only slower.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GCLOUD	"/usr/bin/gcloud"
#define SDKPY	"/usr/lib/google-cloud-sdk/platform/" \
		"bundledpythonunix/bin/python3"

extern char **environ;

static char *buf;
static size_t len, cap;

static void
put(const char *s, size_t n)
{
	if (len + n + 1 > cap) {
		cap = (len + n + 1) * 2;
		if ((buf = realloc(buf, cap)) == NULL) {
			perror("gcloudz");
			exit(125);
		}
	}
	memcpy(buf + len, s, n);
	len += n;
	buf[len++] = '\0';
}

static void
putnum(size_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%zu", v);
	put(s, strlen(s));
}

static void
real(char **argv)
{
	argv[0] = (char *)GCLOUD;
	execv(GCLOUD, argv);
	perror(GCLOUD);
	exit(127);
}

static int
sendreq(int s)
{
	struct msghdr m;
	struct iovec iov;
	union {
		char b[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct cmsghdr *c;
	int fds[3] = { 0, 1, 2 };
	size_t off;
	ssize_t w;

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	iov.iov_base = buf;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if ((w = sendmsg(s, &m, 0)) <= 0)
		return -1;
	for (off = (size_t)w; off < len; off += (size_t)w)
		if ((w = write(s, buf + off, len - off)) <= 0)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa;
	const char *path = getenv("GCLOUDZ_SOCK"), *py;
	char cwd[4096];
	unsigned char st[4];
	uint32_t n;
	size_t envc, got;
	ssize_t r;
	int s, i;

	py = getenv("CLOUDSDK_PYTHON");
	if (path == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(sa.sun_path) ||
	    (py != NULL && *py != '\0' && strcmp(py, SDKPY) != 0) ||
	    getcwd(cwd, sizeof(cwd)) == NULL)
		real(argv);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		real(argv);

	put("    ", 3);	/* room for the length, filled in below */
	len = 4;
	putnum((size_t)argc - 1);
	for (i = 1; i < argc; i++)
		put(argv[i], strlen(argv[i]));
	for (envc = 0; environ[envc] != NULL; envc++)
		;
	putnum(envc);
	for (i = 0; environ[i] != NULL; i++)
		put(environ[i], strlen(environ[i]));
	put(cwd, strlen(cwd));
	n = (uint32_t)(len - 4);
	buf[0] = (char)(n >> 24);
	buf[1] = (char)(n >> 16);
	buf[2] = (char)(n >> 8);
	buf[3] = (char)n;
	if (sendreq(s) == -1) {
		fprintf(stderr, "gcloudz: %s: %s\n", path, strerror(errno));
		return 125;
	}
	for (got = 0; got < sizeof(st); got += (size_t)r)
		if ((r = read(s, st + got, sizeof(st) - got)) <= 0) {
			fprintf(stderr,
			    "gcloudz: gcloud died without a status\n");
			return 125;
		}
	return st[3];
}
