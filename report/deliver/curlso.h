#ifndef KSCAN_REPORT_DELIVER_CURLSO_H
#define KSCAN_REPORT_DELIVER_CURLSO_H

#include "config.h"

#include <curl/curl.h>

#include "base/kerr.h"

/*
 * libcurl, loaded by the dynamic build only when a run delivers: its 30 libraries
 * (nghttp2, ssh2, rtmp, gnutls, krb5, ldap...) were most of kscan's start-up time
 * (docs/performance.md). The ELF note ".note.dlopen" (https://systemd.io/
 * ELF_DLOPEN_METADATA/) names libcurl.so.4 for packagers. The static build links libcurl
 * and keeps libcurl's compile-time type checks; here the calls go through pointers.
 * Include this header instead of <curl/curl.h>, and call curlso_load() before libcurl.
 */

/* Every libcurl function kscan calls (report/deliver/http.c). */
#define CURLSO_FUNCTIONS(X)                                                           \
	X(curl_global_init) X(curl_global_cleanup) X(curl_easy_init) X(curl_easy_cleanup) \
	X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_easy_perform)                     \
	X(curl_easy_strerror) X(curl_free) X(curl_slist_append) X(curl_slist_free_all)    \
	X(curl_url) X(curl_url_cleanup) X(curl_url_get) X(curl_url_set)                   \
	X(curl_url_strerror) X(curl_version_info)

#if KSCAN_CURL_DLOPEN
struct curlso_functions {
#define CURLSO_FIELD(f) __typeof__(f) *f;
	CURLSO_FUNCTIONS(CURLSO_FIELD)
#undef CURLSO_FIELD
};
/* Filled by curlso_load(). */
extern struct curlso_functions curlso;

#ifndef CURLSO_INSIDE
/* typecheck-gcc.h made these two macros; the pointer calls replace them */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define CURLSO_REDIRECT(f) (*curlso.f)
#define curl_global_init CURLSO_REDIRECT(curl_global_init)
#define curl_global_cleanup CURLSO_REDIRECT(curl_global_cleanup)
#define curl_easy_init CURLSO_REDIRECT(curl_easy_init)
#define curl_easy_cleanup CURLSO_REDIRECT(curl_easy_cleanup)
#define curl_easy_setopt CURLSO_REDIRECT(curl_easy_setopt)
#define curl_easy_getinfo CURLSO_REDIRECT(curl_easy_getinfo)
#define curl_easy_perform CURLSO_REDIRECT(curl_easy_perform)
#define curl_easy_strerror CURLSO_REDIRECT(curl_easy_strerror)
#define curl_free CURLSO_REDIRECT(curl_free)
#define curl_slist_append CURLSO_REDIRECT(curl_slist_append)
#define curl_slist_free_all CURLSO_REDIRECT(curl_slist_free_all)
#define curl_url CURLSO_REDIRECT(curl_url)
#define curl_url_cleanup CURLSO_REDIRECT(curl_url_cleanup)
#define curl_url_get CURLSO_REDIRECT(curl_url_get)
#define curl_url_set CURLSO_REDIRECT(curl_url_set)
#define curl_url_strerror CURLSO_REDIRECT(curl_url_strerror)
#define curl_version_info CURLSO_REDIRECT(curl_version_info)
#endif
#endif

/**
 * Loads libcurl.so.4 and its functions, once (later calls return the first result).
 * A no-op in the static build.
 * @return 0, or -1 with @err set (KERR_UNSUPPORTED: the library or a function is missing).
 */
int curlso_load(struct kerr *err);

#endif
