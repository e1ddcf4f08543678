/*
 * auditparse.c - the entries:list answers (Cloud Logging v2:
 * {"entries": [LogEntry], "nextPageToken"}; a LogEntry has timestamp,
 * resource.labels and protoPayload, a google.cloud.audit.AuditLog with
 * status.message, authenticationInfo.principalEmail and resourceName).
 *
 * MUST rules for this file:
 *   - everything in an answer is untrusted: strings are copied without
 *     control characters; an e-mail reaches a grant command only when it
 *     is made of characters safe in a shell line; an image names a
 *     repository only through imageref_parse();
 *   - nothing here prints, exits or does I/O.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit/audit.h"
#include "util/util_array.h"
#include "util/util_json.h"

#define SA_SUFFIX	".gserviceaccount.com"
#define DIGITS		"0123456789"
#define IMAGE_MAX	(IMAGEREF_NAME_MAX + IMAGEREF_TAG_MAX + \
			IMAGEREF_DIGEST_MAX + 3)

/* What one log entry says, besides its images. */
struct entry {
	struct principal	 who;
	const char		*ts;
	char			 service[256];
	char			 region[64];
};

/* A control character from an answer becomes `with`. */
static char
tame(char c, char with)
{
	return (unsigned char)c < 0x20 || c == 0x7f ? with : c;
}

/* Where the phrase's image starts, or NULL: "image X", "image: 'X'". */
static const char *
after_phrase(const char *msg, const char **resume)
{
	const char *p = msg;

	while ((p = strcasestr(p, AUDIT_PHRASE)) != NULL) {
		p += strlen(AUDIT_PHRASE);
		*resume = p;
		if (*p == 's' || *p == 'S')	/* "images" */
			p++;
		if (*p == '\0' || *p == ':' || isspace((unsigned char)*p))
			break;
	}
	if (p == NULL)
		return NULL;
	p += strspn(p, " \t");
	if (*p == ':')
		p += 1 + strspn(p + 1, " \t");
	return p;
}

const char *
audit_message_image(const char *msg, char *out, size_t len)
{
	const char *p, *end, *q, *resume = NULL;
	char close = '\0';
	size_t i, n;

	if (len == 0 || msg == NULL || (p = after_phrase(msg, &resume)) == NULL)
		return NULL;
	out[0] = '\0';
	if ((q = strchr("'\"`[<", *p)) != NULL && *p != '\0') {
		close = "'\"`]>"[q - "'\"`[<"];
		p++;
	}
	for (end = p; *end != '\0' && !isspace((unsigned char)*end) &&
	    *end != close; end++)
		;
	resume = *end != '\0' ? end + 1 : end;
	if (close == '\0')
		while (end > p && strchr(".,;:)'\"", end[-1]) != NULL)
			end--;
	n = (size_t)(end - p) < len - 1 ? (size_t)(end - p) : len - 1;
	for (i = 0; i < n; i++)
		out[i] = tame(p[i], '?');
	out[n] = '\0';
	return resume;
}

static int
digits(const char **p, int n, int *v)
{
	for (*v = 0; n > 0; n--, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* "Z", or "+HH:MM" / "-HH:MM": the offset in seconds; -1 otherwise. */
static int
offset(const char *p, long *off)
{
	int sign, h, m;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &h) != 0 || *p++ != ':' || digits(&p, 2, &m) != 0 ||
	    *p != '\0' || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

int
audit_time(const char *s, long long *sec, long *nsec)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h, mi, se, nd = 0;
	long ns = 0, off;

	if (digits(&p, 4, &y) != 0 || *p++ != '-' || digits(&p, 2, &mo) != 0 ||
	    *p++ != '-' || digits(&p, 2, &d) != 0 ||
	    (*p != 'T' && *p != 't') || (p++, digits(&p, 2, &h)) != 0 ||
	    *p++ != ':' || digits(&p, 2, &mi) != 0 || *p++ != ':' ||
	    digits(&p, 2, &se) != 0)
		return -1;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, nd++)
			if (nd < 9)
				ns = ns * 10 + (*p - '0');
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			ns *= 10;
	}
	if (offset(p, &off) != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = se;
	*sec = (long long)timegm(&tm) - off;
	*nsec = ns;
	return 0;
}

static const cJSON *
jobj(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsObject(v) ? v : NULL;
}

/* An address that may stand in "--member=user:EMAIL" on a shell line. */
static int
email_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < sizeof(((struct principal *)0)->email) &&
	    strchr(s, '@') != NULL && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    DIGITS "@._-+") == n;
}

/* token.h's rule: a .gserviceaccount.com address is a service account. */
static void
entry_principal(const cJSON *proto, struct principal *who)
{
	const char *s;
	size_t n, k = strlen(SA_SUFFIX);

	memset(who, 0, sizeof(*who));
	s = jstr(jobj(proto, "authenticationInfo"), "principalEmail");
	if (s == NULL || !email_ok(s))
		return;
	strlcpy(who->email, s, sizeof(who->email));
	n = strlen(s);
	who->kind = n > k && strcasecmp(s + n - k, SA_SUFFIX) == 0 ?
	    PRINCIPAL_SERVICE_ACCOUNT : PRINCIPAL_USER;
}

/* The segment after `key` in a resource name ("/services/"), or "". */
static void
segment(const char *name, const char *key, char *out, size_t len)
{
	const char *p;
	size_t i, n;

	out[0] = '\0';
	if (name == NULL || (p = strstr(name, key)) == NULL)
		return;
	p += strlen(key);
	if ((n = strcspn(p, "/")) >= len)
		return;
	for (i = 0; i < n; i++)
		out[i] = tame(p[i], ' ');
	out[n] = '\0';
}

/*
 * cloud_run_revision's labels: service_name, location (and project_id,
 * revision_name, configuration_name); else the AuditLog's resourceName,
 * "namespaces/P/services/S" (v1) or "projects/P/locations/L/services/S".
 */
static void
entry_where(const cJSON *e, const cJSON *proto, struct entry *en)
{
	const cJSON *labels = jobj(jobj(e, "resource"), "labels");
	const char *s, *rn = jstr(proto, "resourceName");

	if ((s = jstr(labels, "service_name")) != NULL ||
	    (s = jstr(labels, "job_name")) != NULL)
		apierror_copy(en->service, sizeof(en->service), s);
	if ((s = jstr(labels, "location")) != NULL ||
	    (s = jstr(labels, "region")) != NULL)
		apierror_copy(en->region, sizeof(en->region), s);
	if (en->service[0] == '\0')
		segment(rn, "services/", en->service, sizeof(en->service));
	if (en->service[0] == '\0')
		segment(rn, "jobs/", en->service, sizeof(en->service));
	if (en->region[0] == '\0')
		segment(rn, "locations/", en->region, sizeof(en->region));
}

/* The text that names the image: the AuditLog status first. */
static const char *
entry_message(const cJSON *e, const cJSON *proto)
{
	const char *s[3];
	size_t i;

	s[0] = jstr(jobj(proto, "status"), "message");
	s[1] = jstr(e, "textPayload");
	s[2] = jstr(jobj(e, "jsonPayload"), "message");
	for (i = 0; i < 3; i++)
		if (s[i] != NULL && strcasestr(s[i], AUDIT_PHRASE) != NULL)
			return s[i];
	return NULL;
}

static struct audit_group *
group_find(struct audit *au, const struct principal *who, const char *image)
{
	size_t i;

	for (i = 0; i < au->n; i++)
		if (au->g[i].who.kind == who->kind &&
		    strcmp(au->g[i].who.email, who->email) == 0 &&
		    strcmp(au->g[i].image, image) == 0)
			return &au->g[i];
	return NULL;
}

static struct audit_group *
group_new(struct audit *au, const struct principal *who, const char *image)
{
	struct audit_group *g;
	char *copy;

	if ((copy = strdup(image)) == NULL ||
	    array_grow(&au->g, au->n, sizeof(*au->g)) == -1) {
		free(copy);
		return NULL;
	}
	g = &au->g[au->n++];
	memset(g, 0, sizeof(*g));
	g->who = *who;
	g->image = copy;
	g->latest_s = LLONG_MIN;
	return g;
}

static int
service_add(struct audit_group *g, const struct entry *en)
{
	struct audit_service *s;
	size_t i;

	if (en->service[0] == '\0' || g->nsvc >= AUDIT_MAX_SERVICES)
		return 0;
	for (i = 0; i < g->nsvc; i++)
		if (strcmp(g->svc[i].name, en->service) == 0 &&
		    strcmp(g->svc[i].region, en->region) == 0)
			return 0;
	if (array_grow(&g->svc, g->nsvc, sizeof(*g->svc)) == -1)
		return -1;
	s = &g->svc[g->nsvc];
	s->name = strdup(en->service);
	s->region = strdup(en->region);
	if (s->name == NULL || s->region == NULL) {
		free(s->name);
		free(s->region);
		return -1;
	}
	g->nsvc++;
	return 0;
}

static int
group_add(struct audit *au, const struct entry *en, const char *image)
{
	struct audit_group *g;
	long long s;
	long ns;

	if ((g = group_find(au, &en->who, image)) == NULL) {
		if (au->n >= AUDIT_MAX_GROUPS) {
			au->omitted++;
			return 0;
		}
		if ((g = group_new(au, &en->who, image)) == NULL)
			return -1;
	}
	g->count++;
	if (en->ts != NULL && audit_time(en->ts, &s, &ns) == 0 &&
	    (s > g->latest_s || (s == g->latest_s && ns > g->latest_ns))) {
		g->latest_s = s;
		g->latest_ns = ns;
		apierror_copy(g->latest, sizeof(g->latest), en->ts);
	}
	return service_add(g, en);
}

/* One LogEntry: a group per image its message names (or one, ""). */
static int
add_entry(struct audit *au, const cJSON *e)
{
	const cJSON *proto = jobj(e, "protoPayload");
	const char *msg;
	char image[IMAGE_MAX];
	struct entry en;
	int n = 0;

	memset(&en, 0, sizeof(en));
	entry_principal(proto, &en.who);
	entry_where(e, proto, &en);
	en.ts = jstr(e, "timestamp");
	msg = entry_message(e, proto);
	while (msg != NULL &&
	    (msg = audit_message_image(msg, image, sizeof(image))) != NULL) {
		if (image[0] == '\0')
			continue;
		if (group_add(au, &en, image) != 0)
			return -1;
		n++;
	}
	return n > 0 ? 0 : group_add(au, &en, "");
}

static int
bad_page(struct api_error *e, long code, const char *why)
{
	snprintf(e->message, sizeof(e->message), "HTTP %ld: %s", code, why);
	return -1;
}

int
audit_decode(struct audit *au, long code, const char *body, size_t len,
    char *next, size_t nextlen, struct api_error *e)
{
	const cJSON *entries, *tok, *en, *list;
	cJSON *root;
	int rc = -1;

	next[0] = '\0';
	if ((root = apierror_answer(e, code, body, len)) == NULL)
		return -1;
	entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
	tok = cJSON_GetObjectItemCaseSensitive(root, "nextPageToken");
	if ((entries != NULL && !cJSON_IsArray(entries)) ||
	    (tok != NULL && !cJSON_IsString(tok)))
		bad_page(e, code, "malformed answer (not a page of entries)");
	else if (tok != NULL && strlcpy(next, tok->valuestring, nextlen) >=
	    nextlen) {
		next[0] = '\0';
		bad_page(e, code, "nextPageToken is too long");
	} else
		rc = 0;
	list = rc == 0 ? entries : NULL;
	cJSON_ArrayForEach(en, list) {
		au->entries++;
		if (cJSON_IsObject(en) && add_entry(au, en) != 0) {
			strlcpy(e->message, "out of memory",
			    sizeof(e->message));
			rc = -1;
			break;
		}
	}
	au->pages += rc == 0;
	cJSON_Delete(root);
	return rc;
}

static int
newest_first(const void *a, const void *b)
{
	const struct audit_group *x = a, *y = b;
	int c;

	if (x->latest_s != y->latest_s)
		return x->latest_s < y->latest_s ? 1 : -1;
	if (x->latest_ns != y->latest_ns)
		return x->latest_ns < y->latest_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if ((c = strcmp(x->who.email, y->who.email)) != 0)
		return c;
	return strcmp(x->image, y->image);
}

void
audit_sort(struct audit *au)
{
	if (au->n > 1)
		qsort(au->g, au->n, sizeof(*au->g), newest_first);
}

void
audit_free(struct audit *au)
{
	size_t i, j;

	for (i = 0; i < au->n; i++) {
		for (j = 0; j < au->g[i].nsvc; j++) {
			free(au->g[i].svc[j].name);
			free(au->g[i].svc[j].region);
		}
		free(au->g[i].svc);
		free(au->g[i].image);
	}
	free(au->g);
	memset(au, 0, sizeof(*au));
}
