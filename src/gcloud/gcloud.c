/*
 * gcloud.c - find the real gcloud; hand over with execv().
 *
 * MUST rules for this file:
 *  - never run ourselves: skip any candidate with our device and inode
 *    (symlinks and hard links to the shim included), and any other install
 *    of this program (an ELF file with shim_mark in it);
 *  - exec an absolute path, with the forwarded words unchanged;
 *  - the environment goes as it is, but for GCLOUD_RUN_DEPLOY_DEPTH;
 *  - restore the signal dispositions and mask we started with: SIG_IGN
 *    survives execve(), and libcurl may touch SIGPIPE.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcloud/env.h"
#include "gcloud/gcloud.h"
#include "gcloud/stdinbuf.h"
#include "util/exitcode.h"
#include "util/hinttext.h"

static struct sigaction saved_pipe;
static sigset_t saved_mask;

void
gcloud_save_signals(void)
{
	sigaction(SIGPIPE, NULL, &saved_pipe);
	sigprocmask(SIG_SETMASK, NULL, &saved_mask);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Every build of this program carries this mark, and so can tell another
 * install of itself (a different file, perhaps another version) from
 * gcloud: two shims on PATH would otherwise hand over to each other.
 */
static const char shim_mark[] = "\001gcloud-run-deploy: not gcloud, "
    "a shim in front of it (identity mark 1)\001";

/* Is the executable at path a build of this program (an ELF with the mark)? */
static int
is_shim(const char *path)
{
	char buf[65536 + sizeof(shim_mark)];
	size_t keep = 0, m = sizeof(shim_mark) - 1;
	ssize_t n;
	int fd, found = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return 0;
	if (read(fd, buf, 4) != 4 || memcmp(buf, "\177ELF", 4) != 0) {
		close(fd);
		return 0;
	}
	while (!found && (n = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		n += keep;
		found = memmem(buf, (size_t)n, shim_mark, m) != NULL;
		keep = (size_t)n < m ? (size_t)n : m - 1;
		memmove(buf, buf + n - keep, keep);
	}
	close(fd);
	return found;
}

/* A regular, executable file that is not this program, nor a copy of it. */
static int
candidate(const char *path, const struct stat *self, int have_self)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (access(path, X_OK) != 0)
		return 0;
	return !(have_self && same_file(&st, self)) && !is_shim(path);
}

static int
absolute(const char *dir, size_t dirlen, char *out, size_t outlen)
{
	char cwd[PATH_MAX];
	int n;

	if (dirlen == 0)
		dir = ".", dirlen = 1;
	if (dir[0] == '/')
		n = snprintf(out, outlen, "%.*s/gcloud", (int)dirlen, dir);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		n = snprintf(out, outlen, "%s/%.*s/gcloud", cwd, (int)dirlen,
		    dir);
	else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int
search_path(const struct stat *self, int have_self, char *out, size_t outlen)
{
	const char *path = env_get("PATH"), *p, *end;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		if (absolute(p, (size_t)(end - p), out, outlen) == 0 &&
		    candidate(out, self, have_self))
			return 0;
		if (*end == '\0')
			break;
	}
	return -1;
}

int
gcloud_locate(const char *override, char *out, size_t outlen, char *err,
    size_t errlen)
{
	struct stat self;
	int have_self = stat("/proc/self/exe", &self) == 0;

	if (override != NULL) {
		if (override[0] != '/') {
			snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_GCLOUD must "
			    "be an absolute path, not '%s'", override);
			return -1;
		}
		if (!candidate(override, &self, have_self)) {
			snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_GCLOUD: '%s' "
			    "is not an executable file other than this program",
			    override);
			return -1;
		}
		if (strlcpy(out, override, outlen) >= outlen) {
			snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_GCLOUD: path "
			    "too long");
			return -1;
		}
		return 0;
	}
	if (search_path(&self, have_self, out, outlen) == 0)
		return 0;
	snprintf(err, errlen, "gcloud: command not found (no gcloud on PATH "
	    "other than this program; " HINT_SET_GCLOUD ")");
	return -1;
}

__dead void
gcloud_exec(const char *path, char **fwd, int nfwd, int depth)
{
	char **argv, num[16];
	int i, e;

	if (depth >= GCLOUD_MAX_DEPTH) {
		fprintf(stderr, "ERROR: (gcloud-run-deploy) '%s' leads back to "
		    "this program (%d hand-overs); " HINT_SET_GCLOUD " "
		    "to the real gcloud\n", path, depth);
		exit(EXIT_NOGCLOUD);
	}
	if ((argv = calloc((size_t)nfwd + 2, sizeof(*argv))) == NULL) {
		fprintf(stderr, "ERROR: (gcloud-run-deploy) out of memory\n");
		exit(EXIT_NOGCLOUD);
	}
	argv[0] = (char *)path;
	for (i = 0; i < nfwd; i++)
		argv[i + 1] = fwd[i];
	snprintf(num, sizeof(num), "%d", depth + 1);
	setenv("GCLOUD_RUN_DEPLOY_DEPTH", num, 1);
	if (stdinbuf_replay() != 0) {
		fprintf(stderr, "ERROR: (gcloud-run-deploy) cannot give "
		    "standard input back to gcloud: %s\n", strerror(errno));
		exit(EXIT_NOGCLOUD);
	}
	sigaction(SIGPIPE, &saved_pipe, NULL);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	execv(path, argv);
	e = errno;
	fprintf(stderr, "ERROR: (gcloud-run-deploy) %s: %s\n", path,
	    e == ENOENT ? "command not found" : strerror(e));
	exit(e == EACCES || e == ENOEXEC ? EXIT_NOEXEC : EXIT_NOGCLOUD);
}
