/*
 * manifest.h - the container images of a Cloud Run YAML or JSON manifest,
 * as `gcloud run services|jobs|worker-pools|multi-region-services
 * replace FILE` reads it.
 *
 * gcloud (528) loads FILE with ruamel's (0.15) SafeLoader in YAML 1.1 mode
 * (1.2 with a "%YAML 1.2" directive), so JSON is read as YAML too.  It
 * drops empty or null documents and refuses more than one real document,
 * honours anchors and aliases, and merges: "<<" (or "!!merge") keys, each
 * a mapping or a list of mappings (the first of a list wins), several
 * "<<" keys in one mapping (the later wins).  Duplicate keys: in a
 * mapping with a non-empty merge the LAST wins (own keys over merged
 * ones), in any other mapping the FIRST.  Then it builds a run v1
 * message from the mapping (see
 * surface/run/{services,jobs,worker_pools}/replace.py and
 * generated_clients/apis/run/v1/run_v1_messages.py).  The only
 * image-bearing field in those messages is Container.image:
 *
 *   Service, WorkerPool   spec.template.spec.containers[].image
 *                         (RevisionTemplate -> RevisionSpec.containers)
 *   Job                   spec.template.spec.template.spec.containers[].image
 *                         (ExecutionTemplateSpec -> ExecutionSpec ->
 *                          TaskTemplateSpec -> TaskSpec.containers)
 *
 * There are no initContainers in run v1.  gcloud does not look at kind;
 * the command decides the message.  manifest_read_as() does the same:
 * want ("Service", "Job", "WorkerPool") decides the layout and kind is
 * only reported.  manifest_read() (want NULL) lets kind decide ("Service",
 * "Job", "WorkerPool"; any other kind is refused); with no kind, the Job
 * layout is used when spec.template.spec.template exists.
 *
 * Input is UTF-8 (a UTF-8 BOM is skipped, as gcloud does; UTF-16 is
 * refused, as gcloud refuses it).  libyaml is more lenient than ruamel in
 * places (a tab before a JSON token): gcloud then fails on its own, so
 * reading such a file costs nothing.
 *
 * What fails (-1), with err naming the file (and the line when known):
 * unreadable, not a regular file, more than MANIFEST_MAX_BYTES, a YAML
 * syntax or encoding error (non-UTF-8), no document or more than one,
 * not a mapping, an unknown kind, no containers list at the expected
 * place or an empty one, a container that is not a mapping, and an image
 * that is missing, null, empty, not a string (YAML 1.1 "yes", 12, 1.5,
 * 2024-01-01 are not strings) or holds a NUL byte.  The API rejects a
 * container without an image ("image: Required"), so the deploy cannot
 * succeed and there is nothing sound to check.  Hostile input is bounded:
 * MANIFEST_MAX_NODES nodes counted with aliases expanded (a "billion
 * laughs" stops there), MANIFEST_MAX_DEPTH levels of nesting,
 * MANIFEST_MAX_ANCHORS anchors; a recursive alias is refused.
 *
 * Steps for a caller:
 *   1. struct manifest m = { 0 };  char err[256];
 *   2. manifest_read(path, NULL, 0, &m, err, sizeof(err)) reads the file
 *      at path; manifest_read("-", buf, len, ...) parses bytes already
 *      read (stdin for `replace -`), and path only names them in
 *      messages ("-" is "standard input").
 *   3. On 0, m.images[0 .. m.n - 1] in document order, m.n >= 1; m.kind,
 *      m.api_version and m.name are NULL when absent.  On -1, err says
 *      why and m holds nothing.
 *   4. manifest_free(&m), on either path; safe on a zeroed struct and
 *      twice.
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>

#define MANIFEST_MAX_BYTES	(4 * 1024 * 1024)
#define MANIFEST_MAX_NODES	100000	/* after alias expansion */
#define MANIFEST_MAX_DEPTH	64
#define MANIFEST_MAX_ANCHORS	256

struct manifest_image {
	char	*image;
	char	*container;	/* the container's name, or NULL */
};

struct manifest {
	char	*kind;		/* "Service", "Job", "WorkerPool" or NULL */
	char	*api_version;	/* as written, not checked; or NULL */
	char	*name;		/* metadata.name, or NULL */
	struct manifest_image *images;
	size_t	 n;
};

int	manifest_read(const char *path, const char *buf, size_t len,
	    struct manifest *m, char *err, size_t errlen);
int	manifest_read_as(const char *path, const char *buf, size_t len,
	    const char *want, struct manifest *m, char *err, size_t errlen);
void	manifest_free(struct manifest *m);

#endif
