/*
 * util_time.h - the clock of deadlines and retries.
 */
#ifndef UTIL_TIME_H
#define UTIL_TIME_H

/* Milliseconds of CLOCK_MONOTONIC: only differences mean anything. */
long long now_ms(void);

#endif
