/** HTTPS POST of a report to the collector: TLS that cannot be fooled, retries, signing. */
#ifndef KSCAN_HTTP_H
#define KSCAN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/kerr.h"

/*
 * Policy, fixed in code (docs/configuration.md, "Transport"):
 * - https only, redirects only to https and at most KS_HTTP_REDIRECTS_MAX; a POST stays a
 *   POST across redirects (a 303 to a GET would "succeed" without delivering anything);
 * - TLS 1.2 or later, peer and host name always verified: no option, environment variable
 *   or host name turns verification off;
 * - credentials (token, client key, HMAC key) are read from files that only root or the
 *   running user can read, and are never sent to another host after a redirect;
 * - 2xx is success; connection errors, timeouts, 5xx, 408 and 429 are retried with
 *   full-jitter exponential backoff, honouring Retry-After; any other answer is final.
 */

/** One header the configuration adds to every request. */
struct http_header {
	char *name;
	char *value;
};

/** How to reach the collector. Strings are borrowed; NULL means not set. */
struct http_opts {
	/** https:// only (see http_url_check()). */
	const char *url;
	/** PEM file of the CA(s) to trust instead of the system store. */
	const char *ca_file;
	/** "sha256//BASE64[;sha256//BASE64...]": the server key must be one of these. */
	const char *pinned_pubkey;
	/** mTLS: PEM certificate and its key (both or neither). */
	const char *client_cert;
	const char *client_key;
	/** A file holding the token sent as "Authorization: <auth_scheme> <token>". */
	const char *token_file;
	/** "Bearer" when NULL. */
	const char *auth_scheme;
	/** A file holding the key of the X-Kscan-Signature HMAC. */
	const char *hmac_key_file;
	const struct http_header *headers;
	size_t nheaders;
	/** Send the body gzip-compressed (Content-Encoding: gzip). */
	bool gzip;
	uint64_t connect_timeout_ms;
	uint64_t timeout_ms;
	/** Tries per report, the first included (1 = no retry). */
	unsigned attempts;
	uint64_t backoff_base_ms;
	uint64_t backoff_cap_ms;
};

/** Sets @o to the defaults: nothing configured, 10 s / 60 s timeouts, 5 tries, 1 s / 60 s. */
void http_opts_init(struct http_opts *o);

/** How a delivery ended. */
enum http_outcome {
	/** The collector answered 2xx. */
	HTTP_DELIVERED = 0,
	/** Unreachable, too slow or 5xx/408/429 through every attempt: try again later. */
	HTTP_UNAVAILABLE,
	/** Another answer (401, 403, 400, 404...): a configuration error, not retried. */
	HTTP_REFUSED,
	/** TLS verification, key pin or redirect policy failed: not retried. */
	HTTP_INSECURE,
	/** A local problem: a credential file, memory, the TLS library. */
	HTTP_LOCAL,
};

/** What one http_post() did. */
struct http_result {
	enum http_outcome outcome;
	/** The last HTTP status, or 0 if none was received. */
	long status;
	/** Requests made. */
	unsigned attempts;
};

/** A client: one connection reused for every report of a run, credentials loaded. */
struct http_client;

/**
 * Checks @o and loads the credential files it names.
 * @return the client, or NULL with @err set: KERR_INPUT for a credential file that is
 * unsafe (group or others may read or write it, or another user owns it) or malformed,
 * KERR_IO if one cannot be read, KERR_NOMEM, KERR_INTERNAL for a libcurl failure.
 */
struct http_client *http_client_new(const struct http_opts *o, struct kerr *err);

void http_client_free(struct http_client *c);

/**
 * POSTs @body (media type @content_type) with "Idempotency-Key: @key", retrying as the
 * policy says. The body is compressed and signed here, once for every attempt.
 * @return 0 when delivered; -1 otherwise, with @res saying how and @err a message for
 * people (KERR_IO unavailable, KERR_INPUT refused or insecure, others local).
 */
int http_post(struct http_client *c, const char *key, const char *content_type,
	const char *body, size_t len, struct http_result *res, struct kerr *err);

/**
 * Checks that @url is one kscan may post to: https, a host, no user name or password in it,
 * at most KS_URL_MAX bytes. @return 0, or -1 with @err set (KERR_INPUT).
 */
int http_url_check(const char *url, struct kerr *err);

/**
 * The full-jitter backoff before retry number @retry (0 for the first retry): uniform in
 * [0, min(@cap, @base * 2^@retry)], drawn from @rnd.
 */
uint64_t http_backoff_ms(uint64_t base, uint64_t cap, unsigned retry, uint64_t rnd);

/** True for the HTTP statuses worth retrying: 5xx, 408 and 429. */
bool http_status_retryable(long status);

/**
 * Reads a credential file into @out. With @private, refuses a file that group or others
 * may read or write or that neither root nor the running user owns. Symlinks are followed
 * (configuration management links files) and the final file must be a regular file.
 * @return 0, or -1 with @err set (KERR_INPUT unsafe or too big, KERR_IO unreadable).
 */
int http_read_file(const char *path, const char *what, bool private, struct buf *out,
	struct kerr *err);

/**
 * Compresses @in[0..len) as one gzip member (RFC 1952) into @out.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap, EIO for zlib errors).
 */
int http_gzip(const char *in, size_t len, struct buf *out);

/**
 * Writes the lower-case hex HMAC-SHA256 of @data keyed with @key to @hex.
 * @return 0, or -1 if libcrypto fails.
 */
int http_hmac_sha256(const unsigned char *key, size_t keylen, const char *data, size_t len,
	char hex[65]);

#endif
