/*
 * curlfn.c - libcurl through dlopen(), on first use (see curlfn.h).
 */
#define CURLFN_IMPL
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "net/curlfn.h"

static struct curlfn real;
static char loaderr[256];
static int state;	/* 0: not tried, 1: loaded, -1: failed */

static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
#define S(field, name) { name, offsetof(struct curlfn, field) }
	S(easy_init, "curl_easy_init"),
	S(easy_cleanup, "curl_easy_cleanup"),
	S(easy_setopt, "curl_easy_setopt"),
	S(easy_getinfo, "curl_easy_getinfo"),
	S(easy_header, "curl_easy_header"),
	S(easy_strerror, "curl_easy_strerror"),
	S(easy_escape, "curl_easy_escape"),
	S(free, "curl_free"),
	S(multi_init, "curl_multi_init"),
	S(multi_cleanup, "curl_multi_cleanup"),
	S(multi_add_handle, "curl_multi_add_handle"),
	S(multi_remove_handle, "curl_multi_remove_handle"),
	S(multi_perform, "curl_multi_perform"),
	S(multi_poll, "curl_multi_poll"),
	S(multi_info_read, "curl_multi_info_read"),
	S(slist_append, "curl_slist_append"),
	S(slist_free_all, "curl_slist_free_all"),
	S(url, "curl_url"),
	S(url_cleanup, "curl_url_cleanup"),
	S(url_get, "curl_url_get"),
	S(url_set, "curl_url_set"),
	S(version_info, "curl_version_info"),
	S(share_init, "curl_share_init"),
	S(share_setopt, "curl_share_setopt"),
	S(share_cleanup, "curl_share_cleanup"),
#undef S
};

/*
 * The stubs: before libcurl is loaded, a call loads it and goes on.  The
 * ones that take a handle cannot come first; they fail as libcurl would.
 */
static CURL *s_easy_init(void);
static void s_easy_cleanup(CURL *h) { (void)h; }
static CURLcode s_easy_setopt(CURL *h, CURLoption o, ...)
{ (void)h, (void)o; return CURLE_FAILED_INIT; }
static CURLcode s_easy_getinfo(CURL *h, CURLINFO i, ...)
{ (void)h, (void)i; return CURLE_FAILED_INIT; }
static CURLHcode s_easy_header(CURL *h, const char *n, size_t i,
    unsigned int o, int r, struct curl_header **hd)
{ (void)h, (void)n, (void)i, (void)o, (void)r, (void)hd;
  return CURLHE_BAD_ARGUMENT; }
static const char *s_easy_strerror(CURLcode c);
static char *s_easy_escape(CURL *h, const char *s, int n);
static void s_free(void *p) { (void)p; }
static CURLM *s_multi_init(void);
static CURLMcode s_multi_cleanup(CURLM *m) { (void)m; return CURLM_OK; }
static CURLMcode s_multi_handle(CURLM *m, CURL *h)
{ (void)m, (void)h; return CURLM_BAD_HANDLE; }
static CURLMcode s_multi_perform(CURLM *m, int *r)
{ (void)m, (void)r; return CURLM_BAD_HANDLE; }
static CURLMcode s_multi_poll(CURLM *m, struct curl_waitfd *w,
    unsigned int n, int t, int *r)
{ (void)m, (void)w, (void)n, (void)t, (void)r; return CURLM_BAD_HANDLE; }
static CURLMsg *s_multi_info_read(CURLM *m, int *n)
{ (void)m, (void)n; return NULL; }
static struct curl_slist *s_slist_append(struct curl_slist *l,
    const char *s);
static void s_slist_free_all(struct curl_slist *l) { (void)l; }
static CURLU *s_url(void);
static void s_url_cleanup(CURLU *u) { (void)u; }
static CURLUcode s_url_get(const CURLU *u, CURLUPart p, char **o,
    unsigned int f)
{ (void)u, (void)p, (void)o, (void)f; return CURLUE_BAD_HANDLE; }
static CURLUcode s_url_set(CURLU *u, CURLUPart p, const char *v,
    unsigned int f)
{ (void)u, (void)p, (void)v, (void)f; return CURLUE_BAD_HANDLE; }
static curl_version_info_data *s_version_info(CURLversion v);
static CURLSH *s_share_init(void);
static CURLSHcode s_share_setopt(CURLSH *sh, CURLSHoption o, ...)
{ (void)sh, (void)o; return CURLSHE_INVALID; }
static CURLSHcode s_share_cleanup(CURLSH *sh)
{ (void)sh; return CURLSHE_INVALID; }

static const struct curlfn stubs = {
	s_easy_init, s_easy_cleanup, s_easy_setopt, s_easy_getinfo,
	s_easy_header, s_easy_strerror, s_easy_escape, s_free, s_multi_init,
	s_multi_cleanup, s_multi_handle, s_multi_handle, s_multi_perform,
	s_multi_poll, s_multi_info_read, s_slist_append, s_slist_free_all,
	s_url, s_url_cleanup, s_url_get, s_url_set, s_version_info,
	s_share_init, s_share_setopt, s_share_cleanup,
};

const struct curlfn *curlfn = &stubs;

int
curlfn_load(void)
{
	void *lib, *fn;
	size_t i;

	if (state != 0)
		return state == 1 ? 0 : -1;
	state = -1;
	if ((lib = dlopen(CURLFN_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(loaderr, sizeof(loaderr), "cannot load %s: %s",
		    CURLFN_SONAME, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((fn = dlsym(lib, syms[i].name)) == NULL) {
			snprintf(loaderr, sizeof(loaderr), "%s has no %s",
			    CURLFN_SONAME, syms[i].name);
			return -1;
		}
		memcpy((char *)&real + syms[i].off, &fn, sizeof(fn));
	}
	curlfn = &real;
	state = 1;
	return 0;
}

const char *
curlfn_error(void)
{
	return loaderr;
}

static CURL *
s_easy_init(void)
{
	return curlfn_load() == 0 ? real.easy_init() : NULL;
}

static const char *
s_easy_strerror(CURLcode c)
{
	return curlfn_load() == 0 ? real.easy_strerror(c) : loaderr;
}

static char *
s_easy_escape(CURL *h, const char *s, int n)
{
	return curlfn_load() == 0 ? real.easy_escape(h, s, n) : NULL;
}

static CURLM *
s_multi_init(void)
{
	return curlfn_load() == 0 ? real.multi_init() : NULL;
}

static struct curl_slist *
s_slist_append(struct curl_slist *l, const char *s)
{
	return curlfn_load() == 0 ? real.slist_append(l, s) : NULL;
}

static CURLU *
s_url(void)
{
	return curlfn_load() == 0 ? real.url() : NULL;
}

static curl_version_info_data *
s_version_info(CURLversion v)
{
	return curlfn_load() == 0 ? real.version_info(v) : NULL;
}

static CURLSH *
s_share_init(void)
{
	return curlfn_load() == 0 ? real.share_init() : NULL;
}
