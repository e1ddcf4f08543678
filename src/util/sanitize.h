/*
 * sanitize.h - the one place where bytes from outside (arguments, files,
 * API answers, log entries) are made fit for a terminal, a shell line or
 * a JSON document.
 *
 *   san_shown()       for a person: printable ASCII only (control bytes,
 *                     DEL and every byte above 0x7e, so UTF-8 C1 controls
 *                     too, become '?'), cut with "..." to the buffer;
 *   san_shell_quote() for a command line meant for pasting: the value as
 *                     it is when every byte is a plain word character
 *                     (A-Z a-z 0-9 @ % + = : , . / _ -), else inside
 *                     single quotes, with each ' written as '\'';
 *   san_json_utf8()   for the JSON report: every string of the tree (keys
 *                     and values) made valid UTF-8, each byte that is not
 *                     part of a valid sequence replaced by U+FFFD.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Write s shown into buf (len > 4); returns buf ("" for NULL). */
const char *san_shown(const char *s, char *buf, size_t len);

/* The shell word for s in buf; 0, or -1 when it does not fit. */
int san_shell_quote(const char *s, char *buf, size_t len);

/* Is s (n bytes) valid UTF-8 (no overlongs, surrogates or > U+10FFFF)? */
int san_utf8_valid(const char *s, size_t n);

/* Fix every string of the tree in place; -1 when memory ran out. */
int san_json_utf8(cJSON *root);

#endif
