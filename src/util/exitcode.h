/*
 * exitcode.h - every exit status of the program (SPEC section 7), in one
 * place.  After a hand-over the status is gcloud's own.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

#define EXIT_OK			0	/* granted, or nothing to check */
#define EXIT_USAGE		64	/* a bad option or environment */
#define EXIT_BADIMAGE		65	/* an image that is not valid, a
					 * missing manifest, bad input */
#define EXIT_UNAVAILABLE	69	/* the check could not finish */
#define EXIT_DENIED		77	/* a permission is missing */
#define EXIT_NOEXEC		126	/* gcloud found but not executable */
#define EXIT_NOGCLOUD		127	/* no gcloud to hand over to */

#endif
