/*
 * curlfn.h - libcurl, loaded when the first request is about to be made.
 *
 * The shim runs before every gcloud command in a shell with the alias, and
 * most of those runs only hand over.  Linking libcurl makes every start
 * map some thirty libraries (TLS, HTTP/2, Kerberos, LDAP, ...): about 10
 * ms, for nothing.  So libcurl is opened with dlopen() on first use, and
 * the calls go through a table: files that call libcurl include this
 * header instead of <curl/curl.h>, and write curl_easy_init() etc. as
 * usual.
 *
 * Until libcurl is loaded the table holds stubs that load it and go on
 * (functions that need a handle cannot be reached before one was made).
 * When it cannot be loaded, the calls fail as libcurl's own would
 * (NULL, CURLE_FAILED_INIT) and curlfn_error() says why.
 */
#ifndef CURLFN_H
#define CURLFN_H

#define CURL_DISABLE_TYPECHECK	/* the gcc macros would call the names */
#include <curl/curl.h>

#include <stddef.h>

#define CURLFN_SONAME	"libcurl.so.4"

struct curlfn {
	CURL		*(*easy_init)(void);
	void		 (*easy_cleanup)(CURL *);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLHcode	 (*easy_header)(CURL *, const char *, size_t,
			    unsigned int, int, struct curl_header **);
	const char	*(*easy_strerror)(CURLcode);
	char		*(*easy_escape)(CURL *, const char *, int);
	void		 (*free)(void *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLU		*(*url)(void);
	void		 (*url_cleanup)(CURLU *);
	CURLUcode	 (*url_get)(const CURLU *, CURLUPart, char **,
			    unsigned int);
	CURLUcode	 (*url_set)(CURLU *, CURLUPart, const char *,
			    unsigned int);
	curl_version_info_data *(*version_info)(CURLversion);
	CURLSH		*(*share_init)(void);
	CURLSHcode	 (*share_setopt)(CURLSH *, CURLSHoption, ...);
	CURLSHcode	 (*share_cleanup)(CURLSH *);
};

extern const struct curlfn *curlfn;

/* Load libcurl now (idempotent): 0, or -1 (see curlfn_error()). */
int curlfn_load(void);

/* Why libcurl could not be loaded, or "". */
const char *curlfn_error(void);

#ifndef CURLFN_IMPL
#undef curl_easy_setopt		/* curl.h's own pass-through macros */
#undef curl_easy_getinfo
#undef curl_share_setopt
#define curl_easy_init		curlfn->easy_init
#define curl_easy_cleanup	curlfn->easy_cleanup
#define curl_easy_setopt	curlfn->easy_setopt
#define curl_easy_getinfo	curlfn->easy_getinfo
#define curl_easy_header	curlfn->easy_header
#define curl_easy_strerror	curlfn->easy_strerror
#define curl_easy_escape	curlfn->easy_escape
#define curl_free		curlfn->free
#define curl_multi_init		curlfn->multi_init
#define curl_multi_cleanup	curlfn->multi_cleanup
#define curl_multi_add_handle	curlfn->multi_add_handle
#define curl_multi_remove_handle curlfn->multi_remove_handle
#define curl_multi_perform	curlfn->multi_perform
#define curl_multi_poll		curlfn->multi_poll
#define curl_multi_info_read	curlfn->multi_info_read
#define curl_slist_append	curlfn->slist_append
#define curl_slist_free_all	curlfn->slist_free_all
#define curl_url		curlfn->url
#define curl_url_cleanup	curlfn->url_cleanup
#define curl_url_get		curlfn->url_get
#define curl_url_set		curlfn->url_set
#define curl_version_info	curlfn->version_info
#define curl_share_init		curlfn->share_init
#define curl_share_setopt	curlfn->share_setopt
#define curl_share_cleanup	curlfn->share_cleanup
#endif

#endif
