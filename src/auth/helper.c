/*
 * helper.c - run `gcloud config config-helper` for token.c: stdin from
 * /dev/null, stdout read through a pipe into the caller's buffer (which
 * the caller wipes), bounded in time and size.
 *
 * MUST rules for this file:
 *   - the helper's output (the token) goes only into the caller's buffer;
 *   - gcloud does not keep it either: the helper runs with file logging,
 *     the HTTP log and debug or info verbosity off (helper_env()).
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/helper.h"
#include "net/httpwarm.h"
#include "util/util_time.h"

#define HELPER		"gcloud config config-helper"

/*
 * The helper's environment: ours, but gcloud must not write what it prints
 * (the token) to its log file under CLOUDSDK_CONFIG/logs (log.py
 * AddFileLogging() honours core/disable_file_logging), nor trace its HTTP
 * exchanges (core/log_http) or debug messages to our stderr.
 */
static const char *const helper_set[] = {
	"CLOUDSDK_CORE_DISABLE_FILE_LOGGING=true",
	"CLOUDSDK_CORE_LOG_HTTP=false",
};

static int
dropped(const char *e)
{
	static const char *const names[] = {
		"CLOUDSDK_CORE_DISABLE_FILE_LOGGING=",
		"CLOUDSDK_CORE_LOG_HTTP=",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return 1;
	/* debug and info verbosity would print the credential's details */
	return strcmp(e, "CLOUDSDK_CORE_VERBOSITY=debug") == 0 ||
	    strcmp(e, "CLOUDSDK_CORE_VERBOSITY=info") == 0;
}

static char **
helper_env(void)
{
	extern char **environ;
	char **env;
	size_t n, i, j = 0;

	for (n = 0; environ[n] != NULL; n++)
		;
	if ((env = calloc(n + 3, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!dropped(environ[i]))
			env[j++] = environ[i];
	env[j++] = (char *)helper_set[0];
	env[j++] = (char *)helper_set[1];
	return env;
}

/* fork+execve with stdin from /dev/null and stdout into a pipe. */
static pid_t
spawn(char *const argv[], int *out)
{
	int pfd[2], nul;
	char **env;
	pid_t pid;

	if ((env = helper_env()) == NULL)
		return -1;
	if ((nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		free(env);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		close(nul);
		free(env);
		return -1;
	}
	if ((pid = fork()) == 0) {
		if (dup2(nul, STDIN_FILENO) == -1 ||
		    dup2(pfd[1], STDOUT_FILENO) == -1 ||
		    fcntl(STDIN_FILENO, F_SETFD, 0) == -1 ||
		    fcntl(STDOUT_FILENO, F_SETFD, 0) == -1)
			_exit(126);
		execve(argv[0], argv, env);
		_exit(127);
	}
	free(env);
	close(nul);
	close(pfd[1]);
	if (pid == -1)
		close(pfd[0]);
	else
		*out = pfd[0];
	return pid;
}

/*
 * Read fd to EOF into buf; 0, -1 on error, -2 on timeout, -3 too big.
 * The connection warm-up (httpwarm.h) runs while it waits.
 */
static int
collect(int fd, char *buf, size_t cap, size_t *n, long deadline)
{
	ssize_t r;
	long left;
	int rc;

	for (*n = 0;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -2;
		if ((rc = http_warm_poll(fd, (int)left)) == -1 &&
		    errno == EINTR)
			continue;
		if (rc == -1)
			return -1;
		if (rc == 0)
			return -2;
		if (*n == cap)
			return -3;
		if ((r = read(fd, buf + *n, cap - *n)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		*n += r;
	}
}

/* Reap pid by the deadline, or kill it; -2 on timeout. */
static int
reap(pid_t pid, int *status, long deadline, int killnow)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t r;

	while (!killnow) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			break;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return -2;
}

static int
runfail(int rc, int status, const char *gcloud, size_t cap, long ms,
    char *err, size_t errlen)
{
	if (rc == -2)
		snprintf(err, errlen, HELPER " did not finish within %ld s",
		    (ms + 999) / 1000);
	else if (rc == -3)
		snprintf(err, errlen, HELPER " printed more than %zu bytes",
		    cap);
	else if (rc == -1)
		snprintf(err, errlen, "cannot run '%s': %s", gcloud,
		    strerror(errno));
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, HELPER " was killed by signal %d",
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126)
		snprintf(err, errlen, "cannot run '%s'", gcloud);
	else if (WEXITSTATUS(status) != 0)
		snprintf(err, errlen, HELPER " failed (exit %d): run 'gcloud "
		    "auth login', or check the account and impersonation "
		    "settings gcloud names above", WEXITSTATUS(status));
	else
		return 0;
	return -1;
}

int
helper_run(char *const argv[], char *buf, size_t cap, size_t *n, long ms,
    char *err, size_t errlen)
{
	long deadline = now_ms() + ms;
	int fd, rc, rrc, status = 0;
	pid_t pid;

	if ((pid = spawn(argv, &fd)) == -1) {
		http_warm_finish(0);
		return runfail(-1, 0, argv[0], cap, ms, err, errlen);
	}
	http_warm_start();	/* after the fork: no libcurl in the child */
	rc = collect(fd, buf, cap, n, deadline);
	close(fd);
	rrc = reap(pid, &status, deadline, rc != 0);
	if (rc == 0 && rrc != 0)
		rc = rrc;
	rc = runfail(rc, status, argv[0], cap, ms, err, errlen);
	http_warm_finish(rc == 0);
	return rc;
}
