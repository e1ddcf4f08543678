/*
 * util_time.c - the clock of deadlines and retries (see util_time.h).
 */
#include <time.h>

#include "util/util_time.h"

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
