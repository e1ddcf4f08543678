/*
 * hinttext.h - the clauses of the remediation text that modules below
 * out/ (token.c, gcloud.c, principal.c) build into messages of their
 * own; out/hint.h includes it and writes every other hint.  Lowercase, no
 * final period.
 */
#ifndef HINTTEXT_H
#define HINTTEXT_H

#define HINT_SET_GCLOUD		"set GCLOUD_RUN_DEPLOY_GCLOUD"
#define HINT_OTHER_UNIVERSE	"deploy with --preflight=off"
#define HINT_SIGN_IN		"'gcloud auth login' signs in"
#define HINT_LOGIN_CONFIG	"'gcloud auth login --login-config' " \
				"stores it as core/account"

#endif
