/*
 * t_flagtab.c - the generated flag tables (src/argv/flagtab.c): each flag
 * spec is written once, sorted, and every parser's mask finds exactly the
 * specs it has, by the exact name only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "argv/flagtab.h"

/* Every table: the commands', the groups', then global's; NULL at the end. */
static const struct flagcmd *
nth_table(size_t i)
{
	size_t nc = 0, ng = 0;

	while (flagtab_commands[nc].command != NULL)
		nc++;
	while (flagtab_groups[ng].command != NULL)
		ng++;
	if (i < nc)
		return &flagtab_commands[i];
	if (i < nc + ng)
		return &flagtab_groups[i - nc];
	return i == nc + ng ? &flagtab_global : NULL;
}

static int
speccmp(const struct flagspec *a, const struct flagspec *b)
{
	int c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	if (a->nargs != b->nargs)
		return a->nargs < b->nargs ? -1 : 1;
	return a->accum - b->accum;
}

static void
test_specs_once_sorted(void **state)
{
	size_t i;

	(void)state;
	assert_true(flagtab_nspecs > 100);
	for (i = 0; i < flagtab_nspecs; i++) {
		assert_int_equal(flagtab_specs[i].name[0], '-');
		assert_true(flagtab_specs[i].accum == 0 ||
		    flagtab_specs[i].accum == 1);
		if (i > 0 && speccmp(&flagtab_specs[i - 1],
		    &flagtab_specs[i]) >= 0)
			fail_msg("specs %zu and %zu out of order or twice",
			    i - 1, i);
	}
}

/* No mask bit beyond the last spec; at most one spec of a name a table. */
static void
test_masks(void **state)
{
	const struct flagcmd *t;
	size_t i, k, words = (flagtab_nspecs + 63) / 64;

	(void)state;
	for (k = 0; (t = nth_table(k)) != NULL; k++) {
		for (i = flagtab_nspecs; i < words * 64; i++)
			if ((t->mask[i / 64] >> (i % 64) & 1) != 0)
				fail_msg("'%s': bit %zu past the specs",
				    t->command, i);
		for (i = 1; i < flagtab_nspecs; i++)
			if (flagtab_has(t, i - 1) && flagtab_has(t, i) &&
			    strcmp(flagtab_specs[i - 1].name,
			    flagtab_specs[i].name) == 0)
				fail_msg("'%s' has %s twice", t->command,
				    flagtab_specs[i].name);
		assert_false(flagtab_has(t, flagtab_nspecs));
	}
	assert_true(k > 40);
}

/* Every spec a table has is found by its name, "--f=v" included; a spec
 * it lacks is not. */
static void
test_every_flag_found(void **state)
{
	const struct flagcmd *t;
	const struct flagspec *f, *got;
	char buf[128];
	size_t i, k, n;

	(void)state;
	for (k = 0; (t = nth_table(k)) != NULL; k++) {
		for (i = n = 0; i < flagtab_nspecs; i++) {
			f = &flagtab_specs[i];
			got = flagtab_find(t, f->name, strlen(f->name));
			snprintf(buf, sizeof(buf), "%s=v", f->name);
			assert_ptr_equal(flagtab_find(t, buf, strlen(f->name)),
			    got);
			if (flagtab_has(t, i)) {
				assert_ptr_equal(got, f);
				n++;
			} else if (got == f)
				fail_msg("'%s' lacks %s, found", t->command,
				    f->name);
			else if (got != NULL)
				assert_string_equal(got->name, f->name);
		}
		assert_true(n > 20);
	}
}

/* What every parser reads, and names that are no flag: exact names only
 * (calliope's parsers do not take abbreviations). */
static void
test_lookups(void **state)
{
	static const char *const everywhere[] = { "--project", "--help",
	    "--flags-file", "--quiet", "-q", "--account", "--format" };
	const struct flagcmd *t, *c;
	const struct flagspec *f;
	size_t i, k;

	(void)state;
	for (k = 0; (t = nth_table(k)) != NULL; k++) {
		for (i = 0; i < sizeof(everywhere) / sizeof(everywhere[0]);
		    i++)
			if (flagtab_find(t, everywhere[i],
			    strlen(everywhere[i])) == NULL)
				fail_msg("'%s' lacks %s", t->command,
				    everywhere[i]);
		assert_null(flagtab_find(t, "", 0));
		assert_null(flagtab_find(t, "-", 1));
		assert_null(flagtab_find(t, "--proj", 6));
		assert_null(flagtab_find(t, "--projectx", 10));
		assert_null(flagtab_find(t, "--no-such-flag", 14));
	}
	assert_non_null(flagtab_find(&flagtab_global, "--version", 9));
	assert_null(flagtab_group("run deploy"));
	assert_non_null(c = flagtab_group("beta run services"));
	assert_string_equal(c->command, "beta run services");
	f = flagtab_find(&flagtab_commands[0], "--image", 7);
	assert_non_null(f);
	assert_int_equal(f->nargs, FLAG_ONE);
	assert_int_equal(f->accum, 0);
	assert_null(flagtab_find(&flagtab_global, "--image", 7));
	assert_true(strlen(flagtab_sdk_version) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs_once_sorted),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_every_flag_found),
		cmocka_unit_test(test_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
