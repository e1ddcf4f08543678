/*
 * t_props.c - property resolution, checked against gcloud's rules.  The
 * same readings side by side with the real gcloud are in
 * tests/t51-props-parity.sh (once for every build).
 */
#include <sys/stat.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testenv.h"

#include "argv/cli.h"
#include "gcloud/props.h"
#include "gcloud/transport.h"

#define SDKROOT	"/usr/lib/google-cloud-sdk"


static char top[PATH_MAX];	/* per-test temp dir = CLOUDSDK_CONFIG */

static void
put(const char *rel, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
mkd(const char *rel)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}


static int
setup(void **state)
{
	char cfg[PATH_MAX + 32];

	(void)state;
	cleanenv();
	snprintf(top, sizeof(top), "%s/t_props.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/configurations", top);
	mkdir(cfg, 0700);
	setenv("CLOUDSDK_CONFIG", top, 1);
	put("active_config", "default");	/* what gcloud leaves */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* props_load() into p with sdk_root `inst` (a folder under top or NULL). */
static int
load(struct props *p, const char *configuration, const char *inst,
    char *err, size_t errlen)
{
	char root[PATH_MAX + 16];

	props_init(p);
	if (inst != NULL)
		snprintf(root, sizeof(root), "%s/%s", top, inst);
	return props_load(p, configuration, inst ? root : NULL, err, errlen);
}

static void
test_precedence(void **state)
{
	struct props p;
	char err[512];

	(void)state;
	mkd("sdk");
	put("sdk/properties", "[core]\nproject = inst\naccount = i@x.com\n"
	    "[billing]\nquota_project = qinst\n");
	put("configurations/config_default", "[core]\nproject = conf\n"
	    "account = c@x.com\n");
	setenv("CLOUDSDK_CORE_PROJECT", "env", 1);
	assert_int_equal(load(&p, NULL, "sdk", err, sizeof(err)), 0);
	assert_int_equal(props_flag(&p, "core/project", "flag"), 0);
	assert_string_equal(props_get(&p, "core/project"), "flag");
	assert_int_equal(props_source(&p, "project"), PROPS_FLAG);
	assert_string_equal(props_get(&p, "core/account"), "c@x.com");
	assert_int_equal(props_source(&p, "core/account"), PROPS_CONFIG);
	assert_string_equal(props_get(&p, "billing/quota_project"), "qinst");
	assert_int_equal(props_source(&p, "billing/quota_project"),
	    PROPS_INSTALLATION);
	assert_null(props_get(&p, "core/nothing"));
	assert_int_equal(props_source(&p, "core/nothing"), PROPS_UNSET);
	props_free(&p);
	assert_int_equal(load(&p, NULL, "sdk", err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "project"), "env");
	assert_int_equal(props_source(&p, "core/project"), PROPS_ENV);
	setenv("CLOUDSDK_CORE_PROJECT", "", 1);	/* "" is a value */
	assert_string_equal(props_get(&p, "core/project"), "");
	props_free(&p);
	props_free(&p);	/* twice is fine */
}

static void
test_empty_value_hides_installation(void **state)
{
	struct props p;
	char err[512];

	(void)state;
	mkd("sdk");
	put("sdk/properties", "[core]\nproject = inst\n");
	put("configurations/config_default", "[core]\nproject =\n");
	assert_int_equal(load(&p, NULL, "sdk", err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "core/project"), "");
	assert_int_equal(props_source(&p, "core/project"), PROPS_CONFIG);
	props_free(&p);
}

static void
test_props_args(void **state)
{
	struct deploy_args a;
	struct props p;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.account = "u@x.com";
	a.impersonate = "sa@p.iam.gserviceaccount.com";
	a.access_token_file = "/t";
	a.project = "pp";
	a.billing_project = "bp";
	props_init(&p);
	assert_int_equal(props_args(&p, &a), 0);
	assert_string_equal(props_get(&p, "core/account"), "u@x.com");
	assert_string_equal(props_get(&p, "auth/impersonate_service_account"),
	    "sa@p.iam.gserviceaccount.com");
	assert_string_equal(props_get(&p, "auth/access_token_file"), "/t");
	assert_string_equal(props_get(&p, "core/project"), "pp");
	assert_string_equal(props_get(&p, "billing/quota_project"), "bp");
	assert_int_equal(props_flag(&p, "project", "p2"), 0);	/* last wins */
	assert_string_equal(props_get(&p, "core/project"), "p2");
	props_free(&p);
}

/* Which configuration is active, and which file that reads. */
static void
test_active_config(void **state)
{
	struct props p;
	char err[512];

	(void)state;
	put("configurations/config_default", "[core]\naccount = d@x.com\n");
	put("configurations/config_prod", "[core]\naccount = p@x.com\n");
	put("configurations/config_envc", "[core]\naccount = e@x.com\n");
	put("active_config", "prod");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_name, "prod");
	assert_string_equal(props_get(&p, "core/account"), "p@x.com");
	props_free(&p);
	setenv("CLOUDSDK_ACTIVE_CONFIG_NAME", "envc", 1);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "core/account"), "e@x.com");
	props_free(&p);
	assert_int_equal(load(&p, "default", NULL, err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "core/account"), "d@x.com");
	props_free(&p);
	assert_int_equal(load(&p, "", NULL, err, sizeof(err)), 0);
	/* empty flag: ignored */
	assert_string_equal(p.config_name, "envc");
	props_free(&p);
	setenv("CLOUDSDK_ACTIVE_CONFIG_NAME", "", 1);	/* empty: ignored */
	put("active_config", "");	/* empty file: "default" */
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_name, "default");
	assert_string_equal(props_get(&p, "core/account"), "d@x.com");
	props_free(&p);
}

static void
test_active_config_quirks(void **state)
{
	struct props p;
	char err[512];

	(void)state;
	put("configurations/config_default", "[core]\naccount = d@x.com\n");
	/* Not stripped: "default\n" is valid, names a missing file. */
	put("active_config", "default\n");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_name, "default\n");
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
	put("active_config", "default\r\n");	/* text mode: "\r\n" -> "\n" */
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_name, "default\n");
	props_free(&p);
	put("active_config", "NONE");	/* no configuration file at all */
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
	/* Invalid: gcloud deletes it, then empties config_default. */
	put("active_config", " default");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_name, "default");
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
	put("active_config", "Prod");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
}

static void
test_config_dir(void **state)
{
	struct props p;
	char err[512], want[PATH_MAX + 32];

	(void)state;
	unsetenv("CLOUDSDK_CONFIG");
	setenv("HOME", top, 1);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/.config/gcloud", top);
	assert_string_equal(p.config_dir, want);
	props_free(&p);
	snprintf(want, sizeof(want), "%s//", top);
	setenv("HOME", want, 1);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/.config/gcloud", top);
	assert_string_equal(p.config_dir, want);
	props_free(&p);
	setenv("CLOUDSDK_CONFIG", "", 1);	/* empty: the default */
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(p.config_dir, want);
	props_free(&p);
}

/*
 * No active_config: gcloud migrates CONFIG_DIR/properties into
 * config_default, or empties config_default, before it reads it.
 */
static void
test_legacy_properties(void **state)
{
	struct props p;
	char err[512], path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof(path), "%s/active_config", top);
	assert_int_equal(unlink(path), 0);
	put("configurations/config_default", "[core]\naccount = d@x.com\n");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
	assert_int_equal(load(&p, "default", NULL, err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "core/account"), "d@x.com");
	props_free(&p);
	put("properties", "[core]\naccount = legacy@x.com\n");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(props_get(&p, "core/account"), "legacy@x.com");
	props_free(&p);
	put("properties", "# This properties file has been superseded by "
	    "named configurations.\n# Editing it will have no effect.\n\n"
	    "[core]\naccount = legacy@x.com\n");
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_null(props_get(&p, "core/account"));
	props_free(&p);
}

struct inicase {
	const char	*text;
	const char	*key;
	const char	*want;	/* NULL: unset; "!": props_load fails */
};

static const struct inicase inicases[] = {
	{ "[core]\n# c\n; c\n  # indented c\nproject = p\n", "core/project",
	    "p" },
	{ "[core]\nproject = p ; not a comment\n", "core/project",
	    "p ; not a comment" },
	{ "[core]\nproject: p\n", "core/project", "p" },
	{ "[core]\nurl: http://a:b = c\n", "core/url", "http://a:b = c" },
	{ "[core]\nkey = a=b\n", "core/key", "a=b" },
	{ "[core]\nPROJECT = up\n", "core/project", "up" },
	{ "[Core]\nproject = p\n", "core/project", NULL },
	{ "[ core ]\nproject = p\n", "core/project", NULL },
	{ "[core] trailing\nproject = p\n", "core/project", "p" },
	{ "[core]\naccount = a\n  b\n\n  c\n\n", "core/account", "a\nb\n\nc" },
	{ "[core]\naccount = a\n  # c\n  b\n", "core/account", "a\nb" },
	{ "[core]\n  account = a\n  b = c\n", "core/b", "c" },
	{ "[core]\naccount =\n  x\n", "core/account", "\nx" },
	{ "[core]\r\nproject = crlf\r\n", "core/project", "crlf" },
	{ "[core]\rproject = cr\r", "core/project", "cr" },
	{ "[core]\nproject =   \t\n", "core/project", "" },
	{ "[DEFAULT]\nproject = d\n[core]\n", "core/project", "d" },
	{ "[DEFAULT]\nproject = d\n", "core/project", NULL },
	{ "[DEFAULT]\nproject = d\n[core]\nproject = c\n", "core/project",
	    "c" },
	{ "[core]\naccount = a%%b\n", "core/account", "a%b" },
	{ "[core]\nu = x\naccount = %(U)s@y\n", "core/account", "x@y" },
	{ "[DEFAULT]\nd = %(u)s!\n[core]\nu = x\naccount = %(d)s\n",
	    "core/account", "x!" },
	{ "[core]\naccount = a%b\n", "core/account", "!" },
	{ "[other]\nx = %\n[core]\naccount = a\n", "core/account", "!" },
	{ "[core]\naccount = %(nope)s\n", "core/account", "!" },
	{ "[core]\naccount = %(account)s\n", "core/account", "!" },
	{ "[core]\nproject = p\nproject = q\n", "core/project", "!" },
	{ "[core]\nProject = p\nproject = q\n", "core/project", "!" },
	{ "[core]\n[core]\n", "core/project", "!" },
	{ "[DEFAULT]\n[DEFAULT]\n[core]\n", "core/project", NULL },
	{ "project = p\n", "core/project", "!" },
	{ "\n# only comments\n", "core/project", NULL },
	{ "", "core/project", NULL },
	{ "[core]\nproject\n", "core/project", "!" },
	{ "[core]\n= p\n", "core/project", "!" },
	{ "[]\n", "core/project", "!" },
	{ "\xef\xbb\xbf[core]\nproject = p\n", "core/project", "!" },
};

static void
test_ini(void **state)
{
	struct props p;
	char err[512];
	const char *v;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(inicases) / sizeof(inicases[0]); i++) {
		put("configurations/config_default", inicases[i].text);
		rc = load(&p, NULL, NULL, err, sizeof(err));
		v = rc == 0 ? props_get(&p, inicases[i].key) : "!";
		if (inicases[i].want == NULL ? v != NULL :
		    v == NULL || strcmp(v, inicases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s' (%s)", i,
			    v ? v : "(null)", inicases[i].want ?
			    inicases[i].want : "(null)", rc ? err : "");
		if (rc == -1)
			assert_non_null(strstr(err, "config_default"));
		props_free(&p);
	}
}

static void
test_files(void **state)
{
	struct props p;
	char err[512], path[PATH_MAX + 64];
	FILE *f;
	int i;

	(void)state;
	/* missing files: not an error */
	assert_int_equal(load(&p, NULL, "nosdk", err, sizeof(err)), 0);
	assert_null(props_get(&p, "core/project"));
	props_free(&p);
	/* a folder where the file should be: cannot read */
	snprintf(path, sizeof(path), "%s/configurations/config_default", top);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	props_free(&p);
	rmdir(path);
	/* over 1 MiB */
	assert_non_null(f = fopen(path, "w"));
	fputs("[core]\n", f);
	for (i = 0; i < 70000; i++)
		fputs("# padding padding\n", f);
	fclose(f);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	props_free(&p);
	/* a NUL byte */
	assert_non_null(f = fopen(path, "w"));
	fwrite("[core]\nproject = a\0b\n", 1, 21, f);
	fclose(f);
	assert_int_equal(load(&p, NULL, NULL, err, sizeof(err)), -1);
	props_free(&p);
}

static void
test_bool(void **state)
{
	static const struct { const char *v; int want; } c[] = {
		{ "1", 1 }, { "true", 1 }, { "True", 1 }, { "ON", 1 },
		{ "yes", 1 }, { "y", 1 }, { "0", 0 }, { "false", 0 },
		{ "off", 0 }, { "No", 0 }, { "n", 0 }, { "", 0 },
		{ "none", 7 }, { "None", 7 }, { "2", -1 }, { "tru", -1 },
		{ " true", -1 },
	};
	struct props p;
	size_t i;

	(void)state;
	props_init(&p);
	assert_int_equal(props_bool(&p, "core/b", 7), 7);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(props_flag(&p, "core/b", c[i].v), 0);
		if (props_bool(&p, "core/b", 7) != c[i].want)
			fail_msg("'%s': got %d", c[i].v,
			    props_bool(&p, "core/b", 7));
	}
	props_free(&p);
}

/*
 * gcloud's EndpointValidator (properties.py) refuses an override without
 * a trailing '/', an empty one, or one without http(s)://: so must we.
 */
static void
test_endpoint_override(void **state)
{
	static const struct {
		const char *v, *want;	/* want NULL: refused */
	} t[] = {
		{ "https://127.0.0.1:8443/x/", "https://127.0.0.1:8443/x/" },
		{ "http://localhost:1/", "http://localhost:1/" },
		{ "https://[::1]:9/", "https://[::1]:9/" },
		{ "https://127.0.0.1:8443", NULL },
		{ "https://127.0.0.1:8443/ar/v9", NULL },
		{ "", NULL },
		{ "127.0.0.1:8443/", NULL },
		{ "ftp://127.0.0.1/", NULL },
	};
	struct props p;
	char out[256], err[256];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		props_init(&p);
		assert_int_equal(props_flag(&p,
		    "api_endpoint_overrides/artifactregistry", t[i].v), 0);
		rc = transport_endpoint(&p, "artifactregistry",
		    "https://artifactregistry.googleapis.com/", out,
		    sizeof(out), err, sizeof(err));
		if (t[i].want == NULL)
			assert_int_equal(rc, -1);
		else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, t[i].want);
		}
		props_free(&p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_precedence, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_empty_value_hides_installation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_props_args, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_active_config, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_active_config_quirks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_legacy_properties, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ini, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_override, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
