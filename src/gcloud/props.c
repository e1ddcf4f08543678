/*
 * props.c - gcloud properties, resolved as gcloud 528 resolves them.
 *
 * What the SDK does, and so what this file does (paths are under
 * /usr/lib/google-cloud-sdk/lib):
 *   - googlecloudsdk/core/properties.py _GetPropertyWithoutCallback(): a
 *     flag, then CLOUDSDK_<SECTION>_<NAME> (both parts upper-cased, nothing
 *     else changed), then the properties files.  An empty string is a value
 *     at every level: it hides the levels below it.
 *   - core/configurations/properties_file.py: the installation file is
 *     loaded first and the active configuration over it, key by key, each
 *     with a fresh configparser.ConfigParser(): keys lower-cased, section
 *     names as written, [DEFAULT] merged into every section, '%'
 *     interpolation, strict duplicates, '#'/';' whole-line comments only.
 *     Any parse or interpolation error makes gcloud fail, so it is an error
 *     here too.
 *   - core/configurations/named_configs.py: the active configuration is
 *     --configuration, else CLOUDSDK_ACTIVE_CONFIG_NAME, else the
 *     active_config file read verbatim (not stripped: "default\n" passes
 *     gcloud's regex and names a file that does not exist), else "default";
 *     with no valid active_config gcloud rewrites config_default from the
 *     legacy CONFIG_DIR/properties or empties it (see configpath()).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gcloud/env.h"
#include "gcloud/ini.h"
#include "gcloud/props.h"
#include "util/util_array.h"
#include "util/util_file.h"

#define PROPS_MAX_FILE	(1024 * 1024)
#define LEGACY_HDR	"# This properties file has been superseded by " \
			"named configurations.\n# Editing it will have no " \
			"effect.\n\n"

static int
addentry(struct props_entry **arr, size_t *n, const char *key,
    const char *value, enum props_source src)
{
	struct props_entry *e;

	if (array_grow(arr, *n, sizeof(**arr)) == -1)
		return -1;
	e = &(*arr)[*n];
	e->key = strdup(key);
	e->value = strdup(value);
	e->source = src;
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return -1;
	}
	(*n)++;
	return 0;
}

/* "project" means "core/project", as properties.ParsePropertyString(). */
static const char *
normkey(const char *key, char *buf, size_t len)
{
	if (strchr(key, '/') != NULL)
		return key;
	if ((size_t)snprintf(buf, len, "core/%s", key) >= len)
		return key;
	return buf;
}


/*
 * Read a whole file, at most PROPS_MAX_FILE bytes, NUL-terminated.
 * 0, 1 when it does not exist, -1 with a message.
 */
static int
readfile(const char *path, char **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	switch (file_read(path, PROPS_MAX_FILE, 0, bufp, lenp)) {
	case FILE_OK:
		return 0;
	case FILE_MISSING:
		return 1;
	case FILE_TOOBIG:
		snprintf(err, errlen, "'%s' is larger than %d bytes", path,
		    PROPS_MAX_FILE);
		return -1;
	default:
		snprintf(err, errlen, "cannot read '%s': %s", path,
		    strerror(errno));
		return -1;
	}
}

struct loadctx {
	struct props		*p;
	enum props_source	 src;
};

static int
store(void *arg, const char *section, const char *key, const char *value)
{
	struct loadctx *c = arg;
	char buf[512];

	if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", section, key) >=
	    sizeof(buf))
		return 0;	/* no gcloud property has such a name */
	return addentry(&c->p->file, &c->p->nfile, buf, value, c->src);
}

static int
loadfile(struct props *p, const char *path, enum props_source src,
    char *err, size_t errlen)
{
	struct loadctx c = { p, src };
	char *buf, msg[512];
	size_t len;
	int rc;

	if ((rc = readfile(path, &buf, &len, err, errlen)) != 0)
		return rc == 1 ? 0 : -1;
	if ((rc = ini_read(buf, len, store, &c, msg, sizeof(msg))) == -1)
		snprintf(err, errlen, "cannot parse '%s': %s", path, msg);
	free(buf);
	return rc;
}

/* config.py _GetGlobalConfigDir(), with posixpath.expanduser("~"). */
static char *
configdir(void)
{
	const char *v, *home;
	struct passwd *pw;
	char buf[PATH_MAX];
	size_t n;

	if ((v = env_get("CLOUDSDK_CONFIG")) != NULL && *v != '\0')
		return strdup(v);
	if ((home = env_get("HOME")) == NULL)
		home = (pw = getpwuid(getuid())) != NULL ? pw->pw_dir : "~";
	for (n = strlen(home); n > 0 && home[n - 1] == '/'; n--)
		;
	if ((size_t)snprintf(buf, sizeof(buf), "%.*s/.config/gcloud", (int)n,
	    home) >= sizeof(buf))
		return NULL;
	return strdup(buf);
}

/*
 * named_configs._IsValidConfigName(): NONE, or
 * re.match('^[a-z][-a-z0-9]*$').
 */
static int
validname(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "NONE") == 0)
		return 1;
	if (n > 0 && s[n - 1] == '\n')	/* '$' matches before a final \n */
		n--;
	if (n == 0 || !islower((unsigned char)s[0]))
		return 0;
	return strspn(s, "-abcdefghijklmnopqrstuvwxyz0123456789") == n;
}

/*
 * The name in CONFIG_DIR/active_config, read as text: "\r\n" and "\r"
 * become "\n", nothing is stripped.  NULL in *name when absent, empty or
 * not a valid name; *missing when gcloud will (re)create the default
 * configuration: the file does not exist, or holds an invalid name, which
 * gcloud deletes (named_configs.py _ActiveConfigNameFromFile).
 */
static int
activefile(const char *dir, char **name, int *missing, char *err,
    size_t errlen)
{
	char path[PATH_MAX], *buf, *r;
	size_t len;
	int rc;

	*name = NULL;
	*missing = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/active_config", dir) >=
	    sizeof(path)) {
		snprintf(err, errlen, "configuration path too long");
		return -1;
	}
	if ((rc = readfile(path, &buf, &len, err, errlen)) != 0) {
		*missing = rc == 1;
		return rc == 1 ? 0 : -1;
	}
	while ((r = strchr(buf, '\r')) != NULL)
		if (r[1] == '\n')
			memmove(r, r + 1, strlen(r));
		else
			*r = '\n';
	if (*buf != '\0' && validname(buf)) {
		*name = buf;
		return 0;
	}
	*missing = *buf != '\0';
	free(buf);
	return 0;
}

/*
 * Which file holds the active configuration's properties; "" for none.
 * Without a valid active_config, every gcloud command (config-helper
 * included) recreates the default configuration before it runs
 * (named_configs.py _CreateDefaultConfig(force_create=True), reached through
 * config.GetConfigStore()): config_default is overwritten with the legacy
 * CONFIG_DIR/properties, or emptied.  So that is what counts.
 */
static int
configpath(struct props *p, int missing, char *path, size_t len)
{
	char legacy[PATH_MAX], *buf, err[8];
	size_t n;
	int r;

	*path = '\0';
	if (strcmp(p->config_name, "NONE") == 0)
		return 0;
	if (!missing)
		return (size_t)snprintf(path, len,
		    "%s/configurations/config_%s", p->config_dir,
		    p->config_name) < len ? 0 : -1;
	if ((size_t)snprintf(legacy, sizeof(legacy), "%s/properties",
	    p->config_dir) >= sizeof(legacy) ||
	    readfile(legacy, &buf, &n, err, sizeof(err)) != 0)
		return 0;
	r = strncmp(buf, LEGACY_HDR, strlen(LEGACY_HDR));
	free(buf);
	if (r != 0 && strlcpy(path, legacy, len) >= len)
		return -1;
	return 0;
}

static int
activeconfig(struct props *p, const char *flag, int *missing, char *err,
    size_t errlen)
{
	const char *v = flag;

	*missing = 0;
	if (v == NULL || *v == '\0')
		v = env_get("CLOUDSDK_ACTIVE_CONFIG_NAME");
	if (v == NULL || *v == '\0') {
		if (activefile(p->config_dir, &p->config_name, missing, err,
		    errlen) == -1)
			return -1;
		v = p->config_name == NULL ? "default" : NULL;
	}
	if (v != NULL && (p->config_name = strdup(v)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

void
props_init(struct props *p)
{
	memset(p, 0, sizeof(*p));
}

int
props_flag(struct props *p, const char *key, const char *value)
{
	char buf[256];
	size_t i;
	char *v;

	key = normkey(key, buf, sizeof(buf));
	for (i = 0; i < p->nflags; i++)
		if (strcmp(p->flags[i].key, key) == 0) {
			if ((v = strdup(value)) == NULL)
				return -1;
			free(p->flags[i].value);
			p->flags[i].value = v;
			return 0;
		}
	return addentry(&p->flags, &p->nflags, key, value, PROPS_FLAG);
}

int
props_load(struct props *p, const char *configuration, const char *sdk_root,
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	int missing;

	if ((p->config_dir = configdir()) == NULL) {
		snprintf(err, errlen, "cannot find the gcloud configuration "
		    "folder");
		return -1;
	}
	if (activeconfig(p, configuration, &missing, err, errlen) == -1)
		return -1;
	if (configpath(p, missing, path, sizeof(path)) == -1) {
		snprintf(err, errlen, "configuration path too long");
		return -1;
	}
	if (*path != '\0' && loadfile(p, path, PROPS_CONFIG, err, errlen))
		return -1;
	if (sdk_root == NULL || *sdk_root == '\0')
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/properties", sdk_root) >=
	    sizeof(path)) {
		snprintf(err, errlen, "installation path too long");
		return -1;
	}
	return loadfile(p, path, PROPS_INSTALLATION, err, errlen);
}

/* The value and where it came from; NULL and PROPS_UNSET when unset. */
static const char *
lookup(const struct props *p, const char *key, enum props_source *src)
{
	char buf[256], env[300];
	const char *v;
	size_t i, j;

	key = normkey(key, buf, sizeof(buf));
	*src = PROPS_FLAG;
	for (i = 0; i < p->nflags; i++)
		if (strcmp(p->flags[i].key, key) == 0)
			return p->flags[i].value;
	if ((size_t)snprintf(env, sizeof(env), "CLOUDSDK_%s", key) <
	    sizeof(env)) {
		for (j = 0; env[j] != '\0'; j++)
			env[j] = env[j] == '/' ? '_' :
			    toupper((unsigned char)env[j]);
		*src = PROPS_ENV;
		if ((v = env_get(env)) != NULL)
			return v;
	}
	for (i = 0; i < p->nfile; i++)
		if (strcmp(p->file[i].key, key) == 0) {
			*src = p->file[i].source;
			return p->file[i].value;
		}
	/* Unset everywhere: gcloud's GCE callbacks, when enabled. */
	*src = PROPS_METADATA;
	if (p->md != NULL && (v = p->md_get(p, key)) != NULL)
		return v;
	*src = PROPS_UNSET;
	return NULL;
}

const char *
props_get(const struct props *p, const char *key)
{
	enum props_source src;

	return lookup(p, key, &src);
}

enum props_source
props_source(const struct props *p, const char *key)
{
	enum props_source src;

	lookup(p, key, &src);
	return src;
}

/* properties.py _GetBoolProperty() and _BooleanValidator(). */
int
props_bool(const struct props *p, const char *key, int dflt)
{
	static const char *const yes[] = { "1", "true", "on", "yes", "y" };
	static const char *const no[] = { "", "0", "false", "off", "no", "n" };
	const char *v;
	size_t i;

	if ((v = props_get(p, key)) == NULL || strcasecmp(v, "none") == 0)
		return dflt;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

void
props_free(struct props *p)
{
	size_t i;

	for (i = 0; i < p->nflags; i++) {
		free(p->flags[i].key);
		free(p->flags[i].value);
	}
	for (i = 0; i < p->nfile; i++) {
		free(p->file[i].key);
		free(p->file[i].value);
	}
	free(p->flags);
	free(p->file);
	free(p->config_name);
	free(p->config_dir);
	if (p->md != NULL)
		p->md_free(p->md);
	memset(p, 0, sizeof(*p));
}

/* The SDK installation folder: the real gcloud is SDK_ROOT/bin/gcloud. */
int
props_sdk_root(const char *gcloud, char *out)
{
	char real[PATH_MAX];

	if (gcloud == NULL || realpath(gcloud, real) == NULL)
		return -1;
	strlcpy(out, dirname(dirname(real)), PATH_MAX);
	return 0;
}
