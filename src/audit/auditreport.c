/*
 * auditreport.c - what the audit prints: the summary in text, or one JSON
 * object, and the grant command of each group in the same form report.c
 * gives it for a denial.  Nothing here reads the network or exits.
 *
 * The JSON object's field names are a public interface:
 * {"command": "audit", "project", "freshness", "since", "decision",
 *  "groups": [{"principal", "image", "repository", "count", "latest",
 *  "services": [{"name", "region"}], "grant"}], "entries_read", "pages",
 *  "complete", "omitted", "error"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit/audit.h"
#include "out/hint.h"
#include "out/report.h"
#include "util/sanitize.h"


int
audit_grant(const struct principal *who, const struct imageref *ref,
    char *buf, size_t len)
{
	char member[400];

	if (principal_member(who, member, sizeof(member)) != 0)
		strlcpy(member, "MEMBER", sizeof(member));
	return hint_grant_line(member, ref, " ", buf, len);
}

const char *
audit_decision(const struct audit *au, const struct audit_info *in)
{
	if (au->n > 0)
		return "found";
	return in->complete ? "clean" : "error";
}

/* The image's repository, when it has one. */
static int
repository(const struct audit_group *g, struct imageref *ref)
{
	return g->image[0] != '\0' && imageref_parse(g->image, ref) == 0 &&
	    (ref->kind == IMAGEREF_AR || ref->kind == IMAGEREF_GCR);
}

static cJSON *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? cJSON_CreateString(s) :
	    cJSON_CreateNull();
}

static void
json_services(cJSON *o, const struct audit_group *g)
{
	cJSON *svc, *s;
	size_t i;

	svc = cJSON_AddArrayToObject(o, "services");
	for (i = 0; svc != NULL && i < g->nsvc; i++) {
		if ((s = cJSON_CreateObject()) == NULL)
			return;
		cJSON_AddStringToObject(s, "name", g->svc[i].name);
		cJSON_AddItemToObject(s, "region",
		    str_or_null(g->svc[i].region));
		cJSON_AddItemToArray(svc, s);
	}
}

static cJSON *
json_group(const struct audit_group *g)
{
	struct imageref ref;
	char member[400], grant[1200];
	cJSON *o;
	int repo = repository(g, &ref);

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddItemToObject(o, "principal", str_or_null(
	    principal_member(&g->who, member, sizeof(member)) == 0 ?
	    member : NULL));
	cJSON_AddItemToObject(o, "image", str_or_null(g->image));
	cJSON_AddItemToObject(o, "repository",
	    str_or_null(repo ? ref.resource : NULL));
	cJSON_AddNumberToObject(o, "count", (double)g->count);
	cJSON_AddItemToObject(o, "latest", str_or_null(g->latest));
	json_services(o, g);
	cJSON_AddItemToObject(o, "grant", str_or_null(repo &&
	    audit_grant(&g->who, &ref, grant, sizeof(grant)) == 0 ?
	    grant : NULL));
	return o;
}

void
audit_json(FILE *f, const struct audit *au, const struct audit_info *in)
{
	cJSON *o, *groups;
	char *s;
	size_t i;

	if ((o = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(o, "command", "audit");
	cJSON_AddStringToObject(o, "project", in->project);
	cJSON_AddStringToObject(o, "freshness", in->freshness);
	cJSON_AddStringToObject(o, "since", in->since);
	cJSON_AddStringToObject(o, "decision", audit_decision(au, in));
	groups = cJSON_AddArrayToObject(o, "groups");
	for (i = 0; groups != NULL && i < au->n; i++)
		cJSON_AddItemToArray(groups, json_group(&au->g[i]));
	cJSON_AddNumberToObject(o, "entries_read", (double)au->entries);
	cJSON_AddNumberToObject(o, "pages", (double)au->pages);
	cJSON_AddBoolToObject(o, "complete", in->complete);
	cJSON_AddNumberToObject(o, "omitted", (double)au->omitted);
	cJSON_AddItemToObject(o, "error", str_or_null(in->error));
	san_json_utf8(o);
	if ((s = cJSON_PrintUnformatted(o)) != NULL)
		fprintf(f, "%s\n", s);
	free(s);
	cJSON_Delete(o);
	fflush(f);
}


static void
text_group(FILE *f, const struct audit_group *g)
{
	struct imageref ref;
	char who[400], a[600], b[300];
	size_t i;
	int repo = repository(g, &ref);

	/* Everything below comes from log entries: shown safely. */
	if (principal_member(&g->who, who, sizeof(who)) != 0)
		strlcpy(who, "a principal the entry does not name",
		    sizeof(who));
	if (g->image[0] != '\0')
		fprintf(f, "\n%s cannot read image '%s'\n",
		    san_shown(who, b, sizeof(b)), san_shown(g->image, a,
		    sizeof(a)));
	else
		fprintf(f, "\n%s cannot read an image the entry does not "
		    "name\n", who);
	if (repo)
		fprintf(f, "  repository: %s\n", san_shown(ref.resource, a,
		    sizeof(a)));
	fprintf(f, "  %zu error%s, latest %s\n", g->count,
	    g->count == 1 ? "" : "s",
	    g->latest[0] ? san_shown(g->latest, a, sizeof(a)) :
	    "(no time logged)");
	for (i = 0; i < g->nsvc; i++)
		fprintf(f, "%s%s%s%s%s", i == 0 ? "  services: " : ", ",
		    san_shown(g->svc[i].name, a, sizeof(a)),
		    g->svc[i].region[0] ? " (" : "",
		    san_shown(g->svc[i].region, b, sizeof(b)),
		    g->svc[i].region[0] ? ")" : "");
	fprintf(f, "%s", g->nsvc > 0 ? "\n" : "");
	if (repo)
		hint_grant(f, &g->who, &ref, "the principal that deployed");
	else if (g->image[0] != '\0')
		fprintf(f, "  not in Artifact Registry: no repository to "
		    "grant on\n");
}

void
audit_text(FILE *f, const struct audit *au, const struct audit_info *in)
{
	size_t i;

	fprintf(f, "Cloud Run audit logs of project '%s' since %s (%s): "
	    "\"" AUDIT_PHRASE "\"\n", in->project, in->since, in->freshness);
	fprintf(f, "%zu entr%s read in %zu page%s%s\n", au->entries,
	    au->entries == 1 ? "y" : "ies", au->pages,
	    au->pages == 1 ? "" : "s",
	    in->complete ? "" : " (the listing did not finish)");
	for (i = 0; i < au->n; i++)
		text_group(f, &au->g[i]);
	if (au->omitted > 0)
		fprintf(f, "\n%zu more entries in other groups are not "
		    "shown\n", au->omitted);
	if (au->n > 0)
		hint_audit_found(f);
	else if (in->complete)
		fprintf(f, "No matching log entries: no deploy in this period "
		    "failed for lack of access\nto its image in the logs this "
		    "principal can read (excluded or expired entries are\nnot "
		    "seen).\n");
	fflush(f);
}
