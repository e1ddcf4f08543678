/*
 * progress.h - one line on a terminal while a check takes time, in the
 * manner of gcloud's progress trackers: nothing for the first second (a
 * fast check shows nothing), then "WHAT...|" on stderr with a turning
 * mark, cleared when the check is done.  Never on a non-terminal.
 *
 * Steps for a caller:
 *   1. progress_start(on, what): on is whether stderr is a terminal;
 *   2. progress_stop() before anything else is written to stderr or
 *      stdout, and before exec (report.c calls it before every message);
 *      it waits for the line to be cleared.  Calling it twice is fine.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

void progress_start(int on, const char *what);
void progress_stop(void);

#endif
