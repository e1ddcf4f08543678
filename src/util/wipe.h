/*
 * wipe.h - free memory that may hold a secret.
 *
 * wipe_free(p): zero the whole allocation (malloc_usable_size) and free
 * it; NULL is fine.  Fits cJSON_Hooks.free_fn, so the cJSON trees that
 * held a token are wiped when deleted (cJSON_InitHooks around the parse,
 * then back to the default).
 */
#ifndef WIPE_H
#define WIPE_H

void wipe_free(void *p);

#endif
