/*
 * metadata.h - the GCE metadata server, as gcloud 528 reads it: the
 * account, project and universe domain it supplies when core/account,
 * core/project and core/universe_domain are unset (Cloud Build, GCE,
 * Cloud Run jobs, GKE), and its access token when gcloud would use the
 * metadata credentials, without running `gcloud config config-helper`.
 *
 * What the SDK does (paths under /usr/lib/google-cloud-sdk/lib):
 *   - googlecloudsdk/core/credentials/store.py GceCredentialProvider,
 *     registered for every command (gcloud_main.py): callbacks on
 *     core/account (DefaultAccount), core/project (Project) and
 *     core/universe_domain (UniverseDomain), consulted only when the
 *     property is unset at every level, and answering only when
 *     core/check_gce_metadata is true (default) and the on-GCE check says
 *     yes.
 *   - gce_cache.py: the on-GCE check reads CONFIG_DIR/gce ("True" or
 *     "False") when its mtime is less than 600 s old, else asks the
 *     server for project/numeric-project-id (timeout
 *     compute/gce_metadata_check_timeout_sec, default 3 s): on GCE when
 *     the answer is all digits.
 *   - gce_read.py: http://GCE_METADATA_ROOT (default
 *     metadata.google.internal)/computeMetadata/v1/..., header
 *     "Metadata-Flavor: Google", no proxy, timeout
 *     compute/gce_metadata_read_timeout_sec (default 20 s).
 *   - store.py _Load(): with no raw token, token file or credential file
 *     override, the credential of core/account comes from credentials.db;
 *     failing that, GceCredentialProvider.GetCredentials() takes it from
 *     the metadata server when check_gce_metadata is on and the account
 *     is listed under instance/service-accounts/; the token is then
 *     access_tokens.db's for the account when it is valid for more than
 *     300 s, else google-auth's (compute_engine/_metadata.py: host
 *     GCE_METADATA_HOST, else GCE_METADATA_ROOT, else
 *     metadata.google.internal; timeout GCE_METADATA_TIMEOUT, default 3 s;
 *     .../service-accounts/ACCOUNT/token).  The principal is that
 *     service account.  In Cloud Shell (CLOUD_SHELL, DEVSHELL_CLIENT_PORT)
 *     gcloud counts metadata credentials as a user's: not handled here.
 *
 * MUST rules: requests go only to the metadata server's own addresses
 * (169.254.169.254, metadata.google.internal) or loopback (tests), over
 * plain HTTP as the server speaks it, never through a proxy, carrying
 * nothing but "Metadata-Flavor: Google"; the token is only ever received,
 * kept in memory that is wiped, and never logged or shown.
 */
#ifndef METADATA_H
#define METADATA_H

#include <stddef.h>

#include "gcloud/props.h"

#define METADATA_SOURCE	"the metadata server"

/* One lookup's worth of answers, kept for the life of a props. */
struct metadata;

/*
 * Let props_get() ask the metadata server for core/account, core/project
 * and core/universe_domain when they are unset, as gcloud's callbacks do.
 * Every request is bounded by timeout_ms (and gcloud's own timeouts).
 * 0, or -1 on ENOMEM.  props_free() releases it.
 */
int metadata_enable(struct props *p, long timeout_ms);

/*
 * The value the callback gives for `key` ("core/account", "core/project"
 * or "core/universe_domain"), or NULL: not on GCE, check_gce_metadata
 * off, the server does not say, or it could not be asked (then
 * metadata_unsure() is set).
 */
const char *metadata_property(const struct props *p, const char *key);

/* Whether a lookup failed in a way gcloud might not see (a timeout). */
int metadata_unsure(const struct props *p);

void metadata_free(struct metadata *md);

/*
 * The token gcloud would use when its credential is the metadata
 * server's, read directly: 0 with *tok (NUL-terminated, secret: the
 * caller wipes and frees it), *len and *source (METADATA_SOURCE, or
 * TOKENCACHE_SOURCE when gcloud's cache holds it); the principal is the
 * service account core/account names.  -1 with nothing set when gcloud's
 * rules do not make the metadata credentials certain, and the caller asks
 * config-helper.  *why says which rule (static text, never the token).
 */
int metadata_acquire(const struct props *p, char **tok, size_t *len,
    const char **source, const char **why);

/*
 * The metadata server's host[:port] as gcloud's gce_read.py takes it
 * (GCE_METADATA_ROOT, else metadata.google.internal) and as google-auth
 * takes it for the token (GCE_METADATA_HOST, then GCE_METADATA_ROOT, then
 * metadata.google.internal).  http_setup_metadata() refuses any host but
 * the metadata server's own and loopback; such a lookup is then unsure.
 */
const char *metadata_root_gcloud(void);
const char *metadata_root_auth(void);

#endif
