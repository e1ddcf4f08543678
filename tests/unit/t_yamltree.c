/*
 * t_yamltree.c - the one YAML tree builder (yamltree.h) under the two
 * policies its readers use: the flags file's (gcloud's round-trip loader)
 * and the manifest's (ruamel's SafeLoader); and yamlscalar.h's types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <yaml.h>

#include "yaml/yamlscalar.h"
#include "yaml/yamltree.h"

static long budget;

static const struct ypolicy rt = {
	.rules = YRES_NOW, .dupkeys = YDUP_ERROR, .merge = YMERGE_FLATTEN,
	.docs = YDOCS_ONE, .maxdepth = 8, .budget = &budget
};

static const struct ypolicy safe = {
	.rules = YRES_LATER, .dupkeys = YDUP_KEEP, .merge = YMERGE_KEEP,
	.docs = YDOCS_DROPNULL, .maxdepth = 8, .maxnodes = 100,
	.maxweight = 50, .maxanchors = 4
};

static int
load(const struct ypolicy *pol, const char *s, struct ytree *t,
    struct yerror *e)
{
	budget = 1000;
	return ytree_load(s, strlen(s), pol, t, e);
}

/* The load fails with code at line. */
static void
fails(const struct ypolicy *pol, const char *s, enum yerr code, size_t line)
{
	struct ytree t;
	struct yerror e;

	assert_int_equal(load(pol, s, &t, &e), -1);
	if (e.code != code || e.line != line)
		print_error("%s: code %d line %zu\n", s, e.code, e.line);
	assert_int_equal(e.code, code);
	assert_int_equal(e.line, line);
	ytree_free(&t);
}

/* The value of key in mapping m, or NULL. */
static const struct ynode *
get(const struct ynode *m, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < m->nkid; i += 2)
		if (strcmp(m->kid[i]->val, key) == 0)
			return m->kid[i + 1];
	return NULL;
}

static void
t_types(void **state)
{
	struct ytree t;
	struct yerror e;

	(void)state;
	assert_int_equal(load(&rt, "a: 007\nb: 1e3\nc: yes\nd: ~\n", &t, &e),
	    0);
	assert_false(t.v11);
	assert_int_equal(get(t.root, "a")->vtype, YV_INT);
	assert_string_equal(get(t.root, "a")->str, "7");
	assert_string_equal(get(t.root, "b")->str, "1000.0");
	assert_int_equal(get(t.root, "c")->vtype, YV_STR);
	assert_int_equal(get(t.root, "d")->vtype, YV_NULL);
	ytree_free(&t);
	assert_int_equal(load(&rt, "%YAML 1.1\n---\nc: yes\n", &t, &e), 0);
	assert_true(t.v11);
	assert_int_equal(get(t.root, "c")->vtype, YV_BOOL);
	ytree_free(&t);
	fails(&rt, "a: 1\nb: 2024-01-01\n", YE_SCALAR, 2);
	fails(&rt, "a: !foo x\n", YE_SCALAR, 1);
	fails(&rt, "a: !!set {x}\n", YE_TAG, 1);
	fails(&rt, "a: \"x\\0y\"\n", YE_NUL, 1);
}

static void
t_safe_types(void **state)
{
	struct ytree t;
	struct yerror e;
	const struct ynode *n;

	(void)state;
	assert_int_equal(load(&safe, "a: yes\nb: _1\nc: '12'\nd: 0x10\n",
	    &t, &e), 0);
	assert_true(t.v11);
	assert_false(yscalar_isstr(get(t.root, "a"), 1));
	assert_true(yscalar_isstr(get(t.root, "a"), 0));
	assert_true(yscalar_isstr(get(t.root, "b"), 1));
	assert_true(yscalar_isstr(get(t.root, "c"), 1));
	assert_false(yscalar_isstr(get(t.root, "d"), 1));
	ytree_free(&t);
	assert_int_equal(load(&safe, "%YAML 1.2\n---\na: \"x\\0y\"\n", &t,
	    &e), 0);
	assert_false(t.v11);
	n = get(t.root, "a");
	assert_int_equal(n->vlen, 3);	/* the reader decides about NUL */
	ytree_free(&t);
}

static void
t_merge(void **state)
{
	struct ytree t;
	struct yerror e;
	const struct ynode *x;

	(void)state;
	assert_int_equal(load(&rt, "m: &m {a: 1, b: 2}\n"
	    "x: {<<: *m, a: 3}\n", &t, &e), 0);
	x = get(t.root, "x");
	assert_int_equal(x->nkid, 4);	/* own keys first */
	assert_string_equal(x->kid[0]->val, "a");
	assert_string_equal(x->kid[1]->val, "3");
	assert_string_equal(x->kid[2]->val, "b");
	ytree_free(&t);
	fails(&rt, "a: 1\nb: 2\na: 3\n", YE_DUP, 3);
	fails(&rt, "m: &m {a: 1}\nx: {<<: *m, <<: *m}\n", YE_DUPMERGE, 2);
	fails(&rt, "x: [<<]\n", YE_MERGEKEY, 1);
	fails(&rt, "x: {<<: 1}\n", YE_MERGEVAL, 1);
	fails(&rt, "? [a]\n: 1\n", YE_KEY, 1);
	/* the SafeLoader's tree keeps every pair for its reader */
	assert_int_equal(load(&safe, "x: {a: 1, a: 2, <<: {b: 1}}\n", &t,
	    &e), 0);
	assert_int_equal(get(t.root, "x")->nkid, 6);
	ytree_free(&t);
}

static void
t_documents(void **state)
{
	struct ytree t;
	struct yerror e;

	(void)state;
	assert_int_equal(load(&safe, "--- ~\n---\na: 1\n---\n", &t, &e), 0);
	assert_int_equal(t.root->type, Y_MAP);
	ytree_free(&t);
	assert_int_equal(load(&safe, "# nothing\n", &t, &e), 0);
	assert_null(t.root);
	ytree_free(&t);
	fails(&safe, "a: 1\n---\nb: 2\n", YE_DOCS, 3);
	fails(&rt, "a: 1\n---\nb: 2\n", YE_DOCS, 2);
	fails(&rt, "a: [\n", YE_SYNTAX, 2);
}

static void
t_aliases(void **state)
{
	(void)state;
	fails(&safe, "a: &a [*a]\n", YE_RECURSIVE, 1);
	fails(&rt, "a: &a [*a]\n", YE_ALIAS, 1);	/* named at its end */
	fails(&safe, "a: *b\n", YE_ALIAS, 1);
	fails(&safe, "[&a 1, &b 2, &c 3, &d 4, &e 5]\n", YE_ANCHORS, 1);
}

static void
t_limits(void **state)
{
	struct ytree t;
	struct yerror e;

	(void)state;
	fails(&rt, "[[[[[[[[[x]]]]]]]]]\n", YE_DEPTH, 1);
	fails(&safe, "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a]\n", YE_WEIGHT, 1);
	/* the budget is shared: what one load spends, the next lacks */
	budget = 7;
	assert_int_equal(ytree_load("[a, b, c]", 9, &rt, &t, &e), 0);
	ytree_free(&t);
	assert_int_equal(ytree_load("[a, b, c]", 9, &rt, &t, &e), -1);
	assert_int_equal(e.code, YE_NODES);
	ytree_free(&t);
}

static void
t_encoding(void **state)
{
	struct ytree t;
	struct yerror e;

	(void)state;
	assert_int_equal(load(&safe, "\xef\xbb\xbf" "a: 1\n", &t, &e), 0);
	assert_non_null(get(t.root, "a"));
	ytree_free(&t);
	assert_int_equal(load(&safe, "a: 1\nb: \xff\n", &t, &e), -1);
	assert_int_equal(e.code, YE_SYNTAX);
	assert_int_equal(e.parser, YAML_READER_ERROR);
	assert_int_equal(e.value, 0xff);
	assert_int_equal(e.byteline, 2);
	ytree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_types),
		cmocka_unit_test(t_safe_types),
		cmocka_unit_test(t_merge),
		cmocka_unit_test(t_documents),
		cmocka_unit_test(t_aliases),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
