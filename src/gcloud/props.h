/*
 * props.h - gcloud properties, resolved as gcloud resolves them.
 *
 * Precedence, highest first: the command-line flag, the CLOUDSDK_SECTION_NAME
 * environment variable, the active configuration file
 * ($CLOUDSDK_CONFIG/configurations/config_NAME, default CLOUDSDK_CONFIG
 * ~/.config/gcloud), the SDK installation's `properties` file.  The active
 * configuration is --configuration, else CLOUDSDK_ACTIVE_CONFIG_NAME, else
 * the contents of $CLOUDSDK_CONFIG/active_config, else "default".
 *
 * Steps for a caller:
 *   1. props_init(&p); props_flag(&p, "core/account", value) for each flag
 *      given on the command line;
 *   2. props_load(&p, configuration, sdk_root, err, len);
 *   3. props_get(&p, "api_endpoint_overrides/artifactregistry") -> value
 *      or NULL; props_source() says where it came from;
 *   4. props_free(&p).
 * props_args() and props_for_command() (argv/cli.h) do steps 1 and 2 for
 * a parsed command line.
 */
#ifndef PROPS_H
#define PROPS_H

#include <stddef.h>

struct metadata;

enum props_source {
	PROPS_UNSET,
	PROPS_FLAG,
	PROPS_ENV,
	PROPS_CONFIG,		/* the active configuration file */
	PROPS_INSTALLATION,	/* SDK_ROOT/properties */
	PROPS_METADATA		/* gcloud's GCE callbacks: metadata.h */
};

struct props_entry {
	char			*key;	/* "section/name" */
	char			*value;
	enum props_source	 source;
};

struct props {
	struct props_entry	*flags;
	size_t			 nflags;
	struct props_entry	*file;	/* config file, then installation */
	size_t			 nfile;
	char			*config_name;	/* the active configuration */
	char			*config_dir;	/* CLOUDSDK_CONFIG or default */
	struct metadata		*md;	/* metadata_enable(): core/account,
					 * core/project, core/universe_domain
					 * from the metadata server when unset
					 * everywhere else; NULL: off */
	/* Set with md by whoever sets it (auth/metadata.h), so that this
	 * layer does not call up: the value for a key, and md's release. */
	const char		*(*md_get)(const struct props *, const char *);
	void			 (*md_free)(struct metadata *);
};

void props_init(struct props *p);
/* Record a flag's value for "section/name"; 0, or -1 on ENOMEM. */
int props_flag(struct props *p, const char *key, const char *value);
/*
 * Read the configuration files.  `configuration` is --configuration or
 * NULL; `sdk_root` the SDK installation directory or NULL.  A missing file
 * is not an error; an unreadable one is: -1 with a message in err.
 */
int props_load(struct props *p, const char *configuration,
    const char *sdk_root, char *err, size_t errlen);
/*
 * "" is a value, as in gcloud: `project =` or CLOUDSDK_CORE_PROJECT= hides
 * the levels below (gcloud then rejects an empty core/project and treats
 * most other empty properties as unset).  A key without '/' is in core.
 */
const char *props_get(const struct props *p, const char *key);
enum props_source props_source(const struct props *p, const char *key);
/*
 * A Boolean property as gcloud reads it: 1 for "1", "true", "on", "yes",
 * "y"; 0 for "0", "false", "off", "no", "n" and ""; dflt when unset or
 * "none" (any case); -1 for anything else, which gcloud refuses.
 */
int props_bool(const struct props *p, const char *key, int dflt);
void props_free(struct props *p);

/*
 * The SDK installation folder of the real gcloud at `gcloud` (an absolute
 * path; gcloud is SDK_ROOT/bin/gcloud) into out[PATH_MAX]: 0, or -1 when
 * gcloud is NULL or cannot be resolved.
 */
int props_sdk_root(const char *gcloud, char *out);

#endif
