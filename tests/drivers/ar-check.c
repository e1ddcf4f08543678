/*
 * ar-check - drive ar_check() from the command line, for tests/t20.
 *
 *	AR_TOKEN=... ar-check [-lv] [-c connect_ms] [-p user_project]
 *	    [-x proxy] endpoint ca_file timeout_ms resource ...
 *
 * The token comes from the environment, never argv.  ca_file "-" means
 * none (the system store).  One line per resource on stdout:
 *	resource status http status_name reason attempts message
 * with "-" for an empty field; -l adds the ErrorInfo service after reason.
 * Exit 0, 2 when ar_check() refused to start (message on stderr), 64 on
 * a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/ar.h"
#include "gcloud/env.h"

static const char *const names[] = { "granted", "denied", "error" };

static void
usage(void)
{
	fprintf(stderr, "usage: AR_TOKEN=... ar-check [-lv] [-c connect_ms] "
	    "[-p user_project] [-x proxy] endpoint ca_file timeout_ms "
	    "resource ...\n");
	exit(64);
}

static const char *
dash(const char *s)
{
	return *s == '\0' ? "-" : s;
}

static void
print(const struct ar_query *q, int lng)
{
	printf("%s %s %ld %s %s ", q->resource, names[q->status],
	    q->e.http_code, dash(q->e.status_name), dash(q->e.reason));
	if (lng)
		printf("%s ", dash(q->e.service));
	printf("%d %s\n", q->attempts, dash(q->e.message));
}

/* Options into o; returns the index of the first operand. */
static int
options(int argc, char *argv[], struct http_opts *o, int *lng)
{
	const char *errstr;
	int ch;

	while ((ch = getopt(argc, argv, "c:lp:vx:")) != -1) {
		switch (ch) {
		case 'c':
			o->connect_timeout_ms = strtonum(optarg, 1, 600000,
			    &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'l':
			*lng = 1;
			break;
		case 'p':
			o->user_project = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'x':
			o->proxy = optarg;
			break;
		default:
			usage();
		}
	}
	return optind;
}

int
main(int argc, char *argv[])
{
	struct http_opts o;
	struct ar_query *q;
	const char *token, *errstr;
	char err[256];
	int i, n, lng = 0, rc;

	memset(&o, 0, sizeof(o));
	i = options(argc, argv, &o, &lng);
	argc -= i;
	argv += i;
	if (argc < 4)
		usage();
	if (strcmp(argv[1], "-") != 0)
		o.ca_file = argv[1];
	o.timeout_ms = strtonum(argv[2], 1, 3600000, &errstr);
	if (errstr != NULL)
		usage();
	if ((token = env_get("AR_TOKEN")) == NULL)
		token = "";
	n = argc - 3;
	if ((q = calloc((size_t)n, sizeof(*q))) == NULL)
		return 2;
	for (i = 0; i < n; i++)
		q[i].resource = argv[3 + i];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = ar_check(q, (size_t)n, argv[0], &o, token, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "ar-check: %s\n", err);
	for (i = 0; rc == 0 && i < n; i++)
		print(&q[i], lng);
	free(q);
	curl_global_cleanup();
	return rc == -1 ? 2 : 0;
}
