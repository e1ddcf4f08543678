/*
 * progress.c - the progress line (progress.h), drawn by one thread that
 * writes to stderr with write(2) only, so that the main thread's stdio
 * buffers are never shared.  The thread sleeps on a condition variable:
 * progress_stop() wakes it at once, and it clears its line before it
 * ends, so no output of the main thread can land inside it.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out/progress.h"

#define DELAY_MS	1000	/* a check shorter than this shows nothing */
#define TICK_MS		250	/* the mark turns at this pace */
#define WIDTH		200	/* at most; never wider than the terminal */

static pthread_t	 thr;
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv;
static int		 running, stopping;
static char		 line[WIDTH + 8];

static void
put(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDERR_FILENO, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w, n -= (size_t)w;
	}
}

static void
deadline(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleep ms unless stopped; 1 when it is time to go. */
static int
nap(long ms)
{
	struct timespec ts;

	deadline(&ts, ms);
	while (!stopping)
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
	return stopping;
}

static void *
draw(void *arg)
{
	static const char marks[] = "|/-\\";
	char buf[WIDTH + 16];
	size_t tick = 0, shown = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	if (!nap(DELAY_MS))
		do {
			snprintf(buf, sizeof(buf), "\r%s%c", line,
			    marks[tick++ % 4]);
			shown = strlen(buf) - 1;
			put(buf, strlen(buf));
		} while (!nap(TICK_MS));
	if (shown > 0) {	/* blank it, then back to column 0 */
		memset(buf + 1, ' ', shown);
		buf[0] = buf[shown + 1] = '\r';
		put(buf, shown + 2);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void
progress_start(int on, const char *what)
{
	pthread_condattr_t ca;
	struct winsize ws;
	size_t i, cols = 80;

	if (!on || running || what == NULL)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		cols = ws.ws_col < WIDTH ? ws.ws_col : WIDTH;
	/* Printable ASCII only, cut to fit one line (with "..." and mark). */
	for (i = 0; what[i] != '\0' && i + 5 < cols; i++)
		line[i] = (unsigned char)what[i] < 0x20 ||
		    (unsigned char)what[i] > 0x7e ? '?' : what[i];
	strlcpy(line + i, "...", sizeof(line) - i);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	stopping = 0;
	if (pthread_create(&thr, NULL, draw, NULL) == 0)
		running = 1;
}

void
progress_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thr, NULL);
	pthread_cond_destroy(&cv);
	running = 0;
}
