#include "config.h"
#include "report/deliver/http.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* next_in is const: zlib never writes the input */
#define ZLIB_CONST
#include <zlib.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "report/deliver/curlso.h"

/* Defaults (docs/configuration.md). */
#define HTTP_CONNECT_TIMEOUT_MS 10000u
#define HTTP_TIMEOUT_MS 60000u
#define HTTP_ATTEMPTS 5u
#define HTTP_BACKOFF_BASE_MS 1000u
#define HTTP_BACKOFF_CAP_MS 60000u

/* zlib output is appended to the body in pieces of this size. */
#define HTTP_GZIP_CHUNK ((size_t)64 << 10)

struct http_client {
	const struct http_opts *o;
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
	/* "Authorization: <scheme> <token>", or empty */
	struct buf auth;
	struct buf hmac_key;
	/* the key without the line break the file ends with */
	size_t hmac_len;
	struct buf cert;
	struct buf key;
	/* the collector's answer, cut at KS_HTTP_RESPONSE_MAX, for messages */
	struct buf response;
};

void http_opts_init(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
	o->timeout_ms = HTTP_TIMEOUT_MS;
	o->attempts = HTTP_ATTEMPTS;
	o->backoff_base_ms = HTTP_BACKOFF_BASE_MS;
	o->backoff_cap_ms = HTTP_BACKOFF_CAP_MS;
}

/* ---- Pure helpers ---- */

uint64_t http_backoff_ms(uint64_t base, uint64_t cap, unsigned retry, uint64_t rnd)
{
	uint64_t ceiling = base;
	unsigned i;

	for (i = 0; i < retry && ceiling < cap; i++) {
		ceiling = ceiling > UINT64_MAX / 2 ? UINT64_MAX : ceiling * 2;
	}
	if (ceiling > cap) {
		ceiling = cap;
	}
	/* uniform in [0, ceiling]: the modulo bias is below 2^-40 for any real ceiling */
	return ceiling == UINT64_MAX ? rnd : rnd % (ceiling + 1);
}

bool http_status_retryable(long status)
{
	return status >= 500 || status == 408 || status == 429;
}

/* curl_url_strerror() came with curl 7.80; Debian 11 and RHEL 8 ship older ones. */
static const char *http_url_strerror(CURLUcode uc)
{
#if LIBCURL_VERSION_NUM >= 0x075000
	return curl_url_strerror(uc);
#else
	return uc == CURLUE_MALFORMED_INPUT ? "malformed URL" : "not a URL curl can parse";
#endif
}

int http_url_check(const char *url, struct kerr *err)
{
	char *scheme = NULL, *host = NULL, *user = NULL;
	CURLUcode uc;
	CURLU *u;
	int rc = -1;

	if (strlen(url) > KS_URL_MAX) {
		return kerr_set(err, KERR_INPUT, "the collector URL is longer than %u bytes",
			KS_URL_MAX);
	}
	/* the first libcurl call of every run that delivers (http_client_new checks first) */
	if (curlso_load(err) != 0) {
		return -1;
	}
	u = curl_url();
	if (u == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc != CURLUE_OK) {
		kerr_set(err, KERR_INPUT, "invalid collector URL \"%s\": %s", url,
			http_url_strerror(uc));
		goto free_url;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcmp(scheme, "https") != 0) {
		kerr_set(err, KERR_INPUT, "the collector URL must be https://, not \"%s\"", url);
		goto free_url;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		kerr_set(err, KERR_INPUT, "the collector URL \"%s\" has no host", url);
		goto free_url;
	}
	/* CURLUE_NO_USER: the expected answer; anything else means a user name is there */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER) {
		kerr_set(err, KERR_INPUT, "the collector URL must not hold a user name or "
			"password (use collector.token_file)");
		goto free_url;
	}
	rc = 0;

free_url:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

int http_gzip(const char *in, size_t len, struct buf *out)
{
	unsigned char chunk[HTTP_GZIP_CHUNK];
	z_stream z;
	int zrc;

	memset(&z, 0, sizeof(z));
	/* window bits 15 + 16: a gzip wrapper, which is what Content-Encoding: gzip means */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		return -1;
	}
	if (len > UINT32_MAX) {
		(void)deflateEnd(&z);
		errno = E2BIG;
		return -1;
	}
	z.next_in = (const unsigned char *)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zrc = deflate(&z, Z_FINISH);
		if (zrc == Z_STREAM_ERROR ||
		    buf_add(out, chunk, sizeof(chunk) - z.avail_out) != 0) {
			(void)deflateEnd(&z);
			errno = zrc == Z_STREAM_ERROR ? EIO : buf_error(out);
			return -1;
		}
	} while (zrc != Z_STREAM_END);
	if (deflateEnd(&z) != Z_OK) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int http_hmac_sha256(const unsigned char *key, size_t keylen, const char *data, size_t len,
	char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *sha256 = EVP_sha256();

	if (sha256 == NULL || keylen > INT32_MAX ||
	    HMAC(sha256, key, (int)keylen, (const unsigned char *)data, len, md, &mdlen) == NULL ||
	    mdlen != 32) {
		return -1;
	}
	xstd_hex(md, 32, hex);
	return 0;
}

/* ---- Credential files ---- */

/* Group or others may read or write it, or another user owns it: somebody else has it. */
static int http_check_private(const char *path, const char *what, const struct stat *st,
	struct kerr *err)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		return kerr_set(err, KERR_INPUT, "%s %s is owned by uid %u, not by root or "
			"the user kscan runs as: refused", what, path, (unsigned)st->st_uid);
	}
	if ((st->st_mode & 077) != 0) {
		return kerr_set(err, KERR_INPUT, "%s %s has mode %04o: group and others must "
			"have no access (chmod 600): refused", what, path,
			(unsigned)(st->st_mode & 07777));
	}
	return 0;
}

int http_read_file(const char *path, const char *what, bool private, struct buf *out,
	struct kerr *err)
{
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot open %s %s", what, path);
	}
	/* the checks are on the open file, so it cannot be swapped between check and read */
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "cannot stat %s %s", what, path);
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		kerr_set(err, KERR_INPUT, "%s %s is not a regular file", what, path);
		goto close_fd;
	}
	if (private && http_check_private(path, what, &st, err) != 0) {
		goto close_fd;
	}
	if (xstd_read_fd(fd, KS_SECRET_FILE_MAX, out) != 0) {
		if (errno == E2BIG) {
			kerr_set(err, KERR_INPUT, "%s %s is larger than %zu bytes", what, path,
				KS_SECRET_FILE_MAX);
		} else {
			kerr_sys(err, KERR_IO, errno, "cannot read %s %s", what, path);
		}
		goto close_fd;
	}
	rc = 0;

close_fd:
	xstd_close_quietly(fd);
	return rc;
}

/* Drops the line break(s) an editor or `echo` leaves at the end of a one-line file. */
static size_t http_trim(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
		n--;
	}
	return n;
}

/* "Authorization: <scheme> <token>": the token must be one visible ASCII word. */
static int http_load_token(struct http_client *c, struct kerr *err)
{
	const struct http_opts *o = c->o;
	struct buf raw;
	size_t i, n;
	int rc = -1;

	buf_init(&raw, KS_SECRET_FILE_MAX);
	if (http_read_file(o->token_file, "token file", true, &raw, err) != 0) {
		goto free_raw;
	}
	n = http_trim(buf_str(&raw), buf_len(&raw));
	for (i = 0; i < n; i++) {
		if (buf_str(&raw)[i] <= ' ' || buf_str(&raw)[i] > '~') {
			break;
		}
	}
	if (n == 0 || i < n) {
		kerr_set(err, KERR_INPUT, "token file %s must hold one token of visible ASCII "
			"characters", o->token_file);
		goto free_raw;
	}
	buf_addf(&c->auth, "Authorization: %s %.*s",
		o->auth_scheme != NULL ? o->auth_scheme : "Bearer", (int)n, buf_str(&raw));
	rc = buf_error(&c->auth) == 0 ? 0 : kerr_set(err, KERR_NOMEM, "out of memory");

free_raw:
	buf_wipe(&raw);
	return rc;
}

static int http_load_hmac_key(struct http_client *c, struct kerr *err)
{
	const char *path = c->o->hmac_key_file;

	if (http_read_file(path, "HMAC key file", true, &c->hmac_key, err) != 0) {
		return -1;
	}
	c->hmac_len = http_trim(buf_str(&c->hmac_key), buf_len(&c->hmac_key));
	if (c->hmac_len == 0) {
		return kerr_set(err, KERR_INPUT, "HMAC key file %s is empty", path);
	}
	return 0;
}

static int http_load_credentials(struct http_client *c, struct kerr *err)
{
	const struct http_opts *o = c->o;

	if ((o->client_cert == NULL) != (o->client_key == NULL)) {
		return kerr_set(err, KERR_INPUT, "collector.client_cert and collector.client_key "
			"go together");
	}
	if (o->client_cert != NULL &&
	    (http_read_file(o->client_cert, "client certificate", false, &c->cert, err) != 0 ||
		    http_read_file(o->client_key, "client key", true, &c->key, err) != 0)) {
		return -1;
	}
	if (o->token_file != NULL && http_load_token(c, err) != 0) {
		return -1;
	}
	if (o->hmac_key_file != NULL && http_load_hmac_key(c, err) != 0) {
		return -1;
	}
	return 0;
}

/* ---- The curl handle ---- */

static size_t http_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_client *c = arg;
	size_t len = size * n;
	size_t room = KS_HTTP_RESPONSE_MAX - buf_len(&c->response);

	/* keep the start for messages, swallow the rest: the answer does not matter beyond */
	(void)buf_add(&c->response, p, len < room ? len : room);
	return len;
}

/* Sets one option; the first failure sticks in *@rc. */
#define HTTP_OPT(rc, h, opt, val)                                                   \
	do {                                                                        \
		if (*(rc) == CURLE_OK) {                                            \
			*(rc) = curl_easy_setopt((h), (opt), (val));                \
		}                                                                   \
	} while (0)

/* What never changes: the policy of the header comment, the timeouts, the credentials. */
static CURLcode http_setup_policy(struct http_client *c, CURLcode *rc)
{
	CURL *h = c->h;

	HTTP_OPT(rc, h, CURLOPT_URL, c->o->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	HTTP_OPT(rc, h, CURLOPT_PROTOCOLS_STR, "https");
	HTTP_OPT(rc, h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	HTTP_OPT(rc, h, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	HTTP_OPT(rc, h, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	HTTP_OPT(rc, h, CURLOPT_FOLLOWLOCATION, 1L);
	HTTP_OPT(rc, h, CURLOPT_MAXREDIRS, KS_HTTP_REDIRECTS_MAX);
	HTTP_OPT(rc, h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	HTTP_OPT(rc, h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	HTTP_OPT(rc, h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	HTTP_OPT(rc, h, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_OPT(rc, h, CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_OPT(rc, h, CURLOPT_NOSIGNAL, 1L);
	HTTP_OPT(rc, h, CURLOPT_USERAGENT, "kscan/" KSCAN_VERSION);
	HTTP_OPT(rc, h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->o->connect_timeout_ms);
	HTTP_OPT(rc, h, CURLOPT_TIMEOUT_MS, (long)c->o->timeout_ms);
	HTTP_OPT(rc, h, CURLOPT_ERRORBUFFER, c->errbuf);
	HTTP_OPT(rc, h, CURLOPT_WRITEFUNCTION, http_on_body);
	HTTP_OPT(rc, h, CURLOPT_WRITEDATA, (void *)c);
	return *rc;
}

/*
 * The system's CA bundle when libcurl was built without one (the static build: it cannot
 * know the host it will run on). The distributions' places, Debian's and Ubuntu's first;
 * a libcurl that names its own bundle (every distribution's) keeps it.
 */
static const char *http_system_ca_file(void)
{
	static const char *const bundles[] = {
		"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu, Alpine, Arch */
		"/etc/pki/tls/certs/ca-bundle.crt",	/* RHEL, CentOS, Fedora, Amazon Linux */
		"/etc/ssl/ca-bundle.pem",		/* SLES, openSUSE */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
		"/etc/ssl/cert.pem",			/* Alpine, OpenSSL's default */
	};
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	struct stat st;

	if (v == NULL || v->cainfo != NULL || v->capath != NULL) {
		return NULL;
	}
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++) {
		if (stat(bundles[i], &st) == 0 && S_ISREG(st.st_mode)) {
			return bundles[i];
		}
	}
	return NULL;
}

static CURLcode http_setup_tls(struct http_client *c, CURLcode *rc)
{
	const char *system_ca;
	struct curl_blob blob;
	CURL *h = c->h;

	if (c->o->ca_file != NULL) {
		/* the private CA alone: the system store is not consulted as well */
		HTTP_OPT(rc, h, CURLOPT_CAINFO, c->o->ca_file);
		HTTP_OPT(rc, h, CURLOPT_CAPATH, (char *)NULL);
	} else if ((system_ca = http_system_ca_file()) != NULL) {
		HTTP_OPT(rc, h, CURLOPT_CAINFO, system_ca);
	}
	if (c->o->pinned_pubkey != NULL) {
		HTTP_OPT(rc, h, CURLOPT_PINNEDPUBLICKEY, c->o->pinned_pubkey);
	}
	if (c->o->client_cert != NULL) {
		/* handed over in memory: the key file was checked on the descriptor it was read
		 * from, and libcurl never opens it by name */
		blob.flags = CURL_BLOB_COPY;
		blob.data = (void *)(uintptr_t)buf_str(&c->cert);
		blob.len = buf_len(&c->cert);
		HTTP_OPT(rc, h, CURLOPT_SSLCERT_BLOB, &blob);
		HTTP_OPT(rc, h, CURLOPT_SSLCERTTYPE, "PEM");
		blob.data = (void *)(uintptr_t)buf_str(&c->key);
		blob.len = buf_len(&c->key);
		HTTP_OPT(rc, h, CURLOPT_SSLKEY_BLOB, &blob);
		HTTP_OPT(rc, h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	return *rc;
}

void http_client_free(struct http_client *c)
{
	if (c == NULL) {
		return;
	}
	if (c->h != NULL) {
		curl_easy_cleanup(c->h);
	}
	buf_wipe(&c->auth);
	buf_wipe(&c->hmac_key);
	buf_wipe(&c->key);
	buf_free(&c->cert);
	buf_free(&c->response);
	free(c);
	curl_global_cleanup();
}

struct http_client *http_client_new(const struct http_opts *o, struct kerr *err)
{
	struct http_client *c;
	CURLcode rc = CURLE_OK;

	if (o->url == NULL) {
		kerr_set(err, KERR_INPUT, "no collector URL (collector.url or --post)");
		return NULL;
	}
	if (http_url_check(o->url, err) != 0) {
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		kerr_set(err, KERR_INTERNAL, "cannot initialise libcurl");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		curl_global_cleanup();
		kerr_set(err, KERR_NOMEM, "out of memory");
		return NULL;
	}
	c->o = o;
	buf_init(&c->auth, KS_SECRET_FILE_MAX + 64);
	buf_init(&c->hmac_key, KS_SECRET_FILE_MAX);
	buf_init(&c->cert, KS_SECRET_FILE_MAX);
	buf_init(&c->key, KS_SECRET_FILE_MAX);
	buf_init(&c->response, KS_HTTP_RESPONSE_MAX);
	if (http_load_credentials(c, err) != 0) {
		goto free_client;
	}
	c->h = curl_easy_init();
	if (c->h == NULL) {
		kerr_set(err, KERR_INTERNAL, "cannot create a libcurl handle");
		goto free_client;
	}
	if (http_setup_policy(c, &rc) != CURLE_OK || http_setup_tls(c, &rc) != CURLE_OK) {
		kerr_set(err, KERR_INTERNAL, "cannot set up libcurl: %s", curl_easy_strerror(rc));
		goto free_client;
	}
	return c;

free_client:
	http_client_free(c);
	return NULL;
}

/* ---- One request ---- */

/* The body as sent (compressed or not) and the headers that depend on it. */
struct http_req {
	struct buf gz;
	const char *data;
	size_t len;
	struct curl_slist *headers;
};

static int http_add_header(struct http_req *r, const char *fmt, ...) KS_PRINTF(2, 3);

static int http_add_header(struct http_req *r, const char *fmt, ...)
{
	char line[KS_CONFIG_SCALAR_MAX * 2 + 64];
	struct curl_slist *l;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = E2BIG;
		return -1;
	}
	l = curl_slist_append(r->headers, line);
	if (l == NULL) {
		errno = ENOMEM;
		return -1;
	}
	r->headers = l;
	return 0;
}

static int http_sign(struct http_client *c, struct http_req *r)
{
	char hex[65];

	if (http_hmac_sha256((const unsigned char *)buf_str(&c->hmac_key), c->hmac_len, r->data,
		    r->len, hex) != 0) {
		errno = EIO;
		return -1;
	}
	/* the GitHub webhook convention, over the body exactly as sent */
	return http_add_header(r, "X-Kscan-Signature: sha256=%s", hex);
}

static int http_build(struct http_client *c, struct http_req *r, const char *key,
	const char *content_type)
{
	const struct http_opts *o = c->o;
	size_t i;

	if (http_add_header(r, "Content-Type: %s", content_type) != 0 ||
	    http_add_header(r, "Idempotency-Key: %s", key) != 0 ||
	    /* no "Expect: 100-continue": some proxies mishandle it, and it costs a round trip */
	    http_add_header(r, "Expect:") != 0) {
		return -1;
	}
	if (o->gzip && http_add_header(r, "Content-Encoding: gzip") != 0) {
		return -1;
	}
	if (buf_len(&c->auth) > 0) {
		struct curl_slist *l = curl_slist_append(r->headers, buf_str(&c->auth));

		if (l == NULL) {
			errno = ENOMEM;
			return -1;
		}
		r->headers = l;
	}
	if (c->hmac_len > 0 && http_sign(c, r) != 0) {
		return -1;
	}
	for (i = 0; i < o->nheaders; i++) {
		if (http_add_header(r, "%s: %s", o->headers[i].name, o->headers[i].value) != 0) {
			return -1;
		}
	}
	return 0;
}

static int http_req_init(struct http_client *c, struct http_req *r, const char *key,
	const char *content_type, const char *body, size_t len)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->gz, KS_REPORT_MAX);
	r->data = body;
	r->len = len;
	if (c->o->gzip) {
		if (http_gzip(body, len, &r->gz) != 0) {
			return -1;
		}
		r->data = buf_str(&r->gz);
		r->len = buf_len(&r->gz);
	}
	return http_build(c, r, key, content_type);
}

static void http_req_free(struct http_req *r)
{
	curl_slist_free_all(r->headers);
	buf_free(&r->gz);
}

/* What one attempt did. */
struct http_try {
	CURLcode rc;
	long status;
	/* seconds the collector asked us to wait (Retry-After), 0 if none */
	uint64_t retry_after;
};

/*
 * curl_easy_perform() with SIGPIPE ignored. CURLOPT_NOSIGNAL (threads, no alarm()) also
 * stops libcurl from ignoring SIGPIPE itself, and OpenSSL 1.1 writes a TLS alert to a peer
 * that already closed (a collector refusing the client certificate) with plain write():
 * the signal would kill kscan before the report reaches the spool. Delivery runs on one
 * thread, so swapping the process-wide disposition around the transfer is safe.
 */
static CURLcode http_perform_nosigpipe(CURL *h)
{
	struct sigaction ign, old;
	bool restore;
	CURLcode rc;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	restore = sigaction(SIGPIPE, &ign, &old) == 0;
	rc = curl_easy_perform(h);
	if (restore) {
		(void)sigaction(SIGPIPE, &old, NULL);
	}
	return rc;
}

static int http_perform(struct http_client *c, const struct http_req *r, struct http_try *t)
{
	CURLcode rc = CURLE_OK;
	curl_off_t wait = 0;

	buf_reset(&c->response);
	c->errbuf[0] = '\0';
	HTTP_OPT(&rc, c->h, CURLOPT_HTTPHEADER, r->headers);
	HTTP_OPT(&rc, c->h, CURLOPT_POSTFIELDS, r->data);
	HTTP_OPT(&rc, c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	if (rc != CURLE_OK) {
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->rc = http_perform_nosigpipe(c->h);
	if (t->rc != CURLE_OK) {
		return 0;
	}
	if (curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &t->status) != CURLE_OK ||
	    curl_easy_getinfo(c->h, CURLINFO_RETRY_AFTER, &wait) != CURLE_OK) {
		return -1;
	}
	/* libcurl gives a negative wait for a date in the past: that means now */
	t->retry_after = wait > 0 ? (uint64_t)wait : 0;
	return 0;
}

/* Failures of the network or of the collector's host that another attempt may not see. */
static const CURLcode http_transient_codes[] = {
	CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT,
	CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
	CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3,
	CURLE_WEIRD_SERVER_REPLY, CURLE_PROXY,
};

/* Failures that say the peer is not who it should be, or that the policy said no. */
static const CURLcode http_insecure_codes[] = {
	CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CACERT_BADFILE,
	CURLE_UNSUPPORTED_PROTOCOL, CURLE_TOO_MANY_REDIRECTS, CURLE_SSL_CERTPROBLEM,
	CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS,
};

static bool http_code_in(CURLcode rc, const CURLcode *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == rc) {
			return true;
		}
	}
	return false;
}

static bool http_transient(CURLcode rc)
{
	return http_code_in(rc, http_transient_codes, XSTD_COUNTOF(http_transient_codes));
}

static bool http_insecure(CURLcode rc)
{
	return http_code_in(rc, http_insecure_codes, XSTD_COUNTOF(http_insecure_codes));
}

/* Why a 4xx is the configuration's fault, in words an administrator acts on. */
static const char *http_refusal_hint(long status)
{
	switch (status) {
	case 400:
	case 415:
	case 422:
		return "the collector cannot take this body: check collector.format and the URL";
	case 401:
		return "the collector did not accept the credentials: check collector.token_file "
		       "(and auth_scheme) or the client certificate";
	case 403:
		return "these credentials may not post here: check collector.token_file, "
		       "client_cert and the URL";
	case 404:
	case 405:
		return "nothing takes reports at this URL: check collector.url";
	case 413:
		return "the report is larger than the collector accepts (collector.compress: "
		       "gzip may help)";
	default:
		return "check the collector configuration";
	}
}

/* The start of the collector's answer, printable ASCII only, for a message. */
static void http_quote_response(const struct http_client *c, char *out, size_t size)
{
	const char *s = buf_str(&c->response);
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && i < KS_HTTP_QUOTE_MAX && o + 2 < size; i++) {
		out[o++] = s[i] >= ' ' && s[i] <= '~' ? s[i] : ' ';
	}
	while (o > 0 && out[o - 1] == ' ') {
		o--;
	}
	out[o] = '\0';
}

static int http_fail_refused(struct http_client *c, const struct http_try *t,
	struct http_result *res, struct kerr *err)
{
	char quote[KS_HTTP_QUOTE_MAX + 2];

	res->outcome = HTTP_REFUSED;
	http_quote_response(c, quote, sizeof(quote));
	return kerr_set(err, KERR_INPUT, "%s: the collector refused the report with HTTP %ld, "
		"a configuration error, not retried: %s%s%s%s", c->o->url, t->status,
		http_refusal_hint(t->status), quote[0] != '\0' ? " (it said: \"" : "", quote,
		quote[0] != '\0' ? "\")" : "");
}

static int http_fail_insecure(struct http_client *c, const struct http_try *t,
	struct http_result *res, struct kerr *err)
{
	const char *hint = "not retried";

	res->outcome = HTTP_INSECURE;
	if (t->rc == CURLE_PEER_FAILED_VERIFICATION) {
		hint = "the collector's certificate is not trusted (check collector.ca_file and "
		       "the URL's host name); not retried";
	} else if (t->rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		hint = "the collector's key is not the one in collector.pinned_pubkey; not retried";
	} else if (t->rc == CURLE_UNSUPPORTED_PROTOCOL) {
		hint = "redirects may only lead to https://; not retried";
	} else if (t->rc == CURLE_TOO_MANY_REDIRECTS) {
		hint = "more than 3 redirects; not retried";
	}
	return kerr_set(err, KERR_INPUT, "%s: %s: %s", c->o->url,
		c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(t->rc), hint);
}

static int http_fail_unavailable(struct http_client *c, const struct http_try *t,
	unsigned tries, struct http_result *res, struct kerr *err)
{
	res->outcome = HTTP_UNAVAILABLE;
	if (t->rc == CURLE_OK) {
		return kerr_set(err, KERR_IO, "%s: not delivered after %u attempt(s): the "
			"collector answered HTTP %ld", c->o->url, tries, t->status);
	}
	return kerr_set(err, KERR_IO, "%s: not delivered after %u attempt(s): %s", c->o->url,
		tries, c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(t->rc));
}

/*
 * The wait before the next attempt, or -1 to stop now: a Retry-After past the backoff cap
 * is honoured by not asking again in this run (the report waits in the spool).
 */
static int http_next_wait(const struct http_client *c, const struct http_try *t,
	unsigned retry, uint64_t *ms)
{
	uint64_t rnd = 0;

	if (xstd_random(&rnd, sizeof(rnd)) != 0) {
		rnd = (uint64_t)xstd_mono_ms();
	}
	*ms = http_backoff_ms(c->o->backoff_base_ms, c->o->backoff_cap_ms, retry, rnd);
	if (t->retry_after > 0) {
		if (t->retry_after > KS_HTTP_RETRY_AFTER_MAX ||
		    t->retry_after * 1000 > c->o->backoff_cap_ms) {
			return -1;
		}
		if (t->retry_after * 1000 > *ms) {
			*ms = t->retry_after * 1000;
		}
	}
	return 0;
}

/* Runs the attempts. @return 0 delivered, -1 not (res and err say why). */
static int http_attempts(struct http_client *c, const struct http_req *r,
	struct http_result *res, struct kerr *err)
{
	bool told_to_wait = false;
	struct http_try t;
	uint64_t wait;
	unsigned i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < c->o->attempts; i++) {
		if (http_perform(c, r, &t) != 0) {
			res->outcome = HTTP_LOCAL;
			return kerr_set(err, KERR_INTERNAL, "%s: libcurl failed to set up the "
				"request", c->o->url);
		}
		res->attempts = i + 1;
		res->status = t.status;
		if (t.rc == CURLE_OK && t.status >= 200 && t.status <= 299) {
			res->outcome = HTTP_DELIVERED;
			return 0;
		}
		if (t.rc == CURLE_OK && !http_status_retryable(t.status)) {
			return http_fail_refused(c, &t, res, err);
		}
		if (t.rc != CURLE_OK && !http_transient(t.rc)) {
			if (http_insecure(t.rc)) {
				return http_fail_insecure(c, &t, res, err);
			}
			res->outcome = HTTP_LOCAL;
			return kerr_set(err, KERR_INTERNAL, "%s: %s", c->o->url,
				c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(t.rc));
		}
		if (i + 1 == c->o->attempts) {
			break;
		}
		if (http_next_wait(c, &t, i, &wait) != 0) {
			told_to_wait = true;
			break;
		}
		xstd_sleep_ms(wait);
	}
	http_fail_unavailable(c, &t, res->attempts, res, err);
	if (told_to_wait) {
		kerr_prefix(err, "the collector asked to wait %llu s (Retry-After), longer than "
			"collector.backoff_cap allows in one run; ",
			(unsigned long long)t.retry_after);
	}
	return -1;
}

int http_post(struct http_client *c, const char *key, const char *content_type,
	const char *body, size_t len, struct http_result *res, struct kerr *err)
{
	struct http_req r;
	int rc;

	memset(res, 0, sizeof(*res));
	if (http_req_init(c, &r, key, content_type, body, len) != 0) {
		res->outcome = HTTP_LOCAL;
		rc = kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_INTERNAL, errno,
			"cannot prepare the request");
	} else {
		rc = http_attempts(c, &r, res, err);
	}
	http_req_free(&r);
	return rc;
}
