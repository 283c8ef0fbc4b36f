/*
 * Unit tests for the HTTPS transport (report/deliver/http.c): backoff, retry classes, URL policy,
 * gzip, HMAC, credential files. The real TLS exchanges are in integration/delivery-*.sh.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>
#include <zlib.h>

#include "report/deliver/http.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "check_util.h"

START_TEST(test_backoff)
{
	/* full jitter: uniform in [0, min(cap, base * 2^retry)] */
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 0, 0), 0);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 0, 1000), 1000);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 0, 1001), 0);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 1, 2000), 2000);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 1, 2001), 0);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 3, 8000), 8000);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 5, 32000), 32000);
	/* 64 s is past the cap */
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 6, 60000), 60000);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 6, 60001), 0);
	ck_assert_uint_eq(http_backoff_ms(1000, 60000, 200, 60000), 60000);
	/* no overflow however many retries */
	ck_assert_uint_eq(http_backoff_ms(UINT64_MAX / 2, UINT64_MAX, 3, 77), 77);
	ck_assert_uint_eq(http_backoff_ms(5, 5, 0, 12), 0);
}
END_TEST

START_TEST(test_backoff_bounds)
{
	uint64_t rnd, ms, ceiling = 1000;
	unsigned retry, i;

	for (retry = 0; retry < 10; retry++) {
		for (i = 0; i < 200; i++) {
			ck_assert_int_eq(xstd_random(&rnd, sizeof(rnd)), 0);
			ms = http_backoff_ms(1000, 60000, retry, rnd);
			ck_assert_uint_le(ms, ceiling);
		}
		ceiling = ceiling * 2 > 60000 ? 60000 : ceiling * 2;
	}
}
END_TEST

START_TEST(test_retryable)
{
	static const long yes[] = {408, 429, 500, 502, 503, 504, 599};
	static const long no[] = {200, 301, 400, 401, 403, 404, 405, 409, 413, 415, 422};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(yes); i++) {
		ck_assert_msg(http_status_retryable(yes[i]), "%ld", yes[i]);
	}
	for (i = 0; i < XSTD_COUNTOF(no); i++) {
		ck_assert_msg(!http_status_retryable(no[i]), "%ld", no[i]);
	}
}
END_TEST

static const struct {
	const char *url;
	const char *msg;
} urls[] = {
	{"https://collector.example.org/api/v1/reports", NULL},
	{"https://127.0.0.1:8443/r?site=7", NULL},
	{"https://[::1]:8443/r", NULL},
	{"HTTPS://Collector.Example.org/", NULL},
	{"http://collector.example.org/", "the collector URL must be https://, not "
		"\"http://collector.example.org/\""},
	{"ftp://collector.example.org/", "the collector URL must be https://, not "
		"\"ftp://collector.example.org/\""},
	{"collector.example.org/reports", "invalid collector URL "
		"\"collector.example.org/reports\": Bad scheme"},
	{"https://user:pw@collector.example.org/", "the collector URL must not hold a user name "
		"or password (use collector.token_file)"},
	{"https://user@collector.example.org/", "the collector URL must not hold a user name "
		"or password (use collector.token_file)"},
	{"https://:443/reports", "invalid collector URL \"https://:443/reports\": No host part "
		"in the URL"},
	{"https://exa mple.org/", "invalid collector URL \"https://exa mple.org/\": Bad hostname"},
};

START_TEST(test_url)
{
	struct kerr e;

	kerr_clear(&e);
	if (urls[_i].msg == NULL) {
		ck_assert_msg(http_url_check(urls[_i].url, &e) == 0, "%s: %s", urls[_i].url, e.msg);
	} else {
		ck_assert_int_eq(http_url_check(urls[_i].url, &e), -1);
		ck_assert_int_eq(e.code, KERR_INPUT);
		cu_assert_url_msg(e.msg, urls[_i].msg);
	}
}
END_TEST

START_TEST(test_url_too_long)
{
	char url[KS_URL_MAX + 16];
	struct kerr e;

	memset(url, 'a', sizeof(url));
	memcpy(url, "https://x/", 10);
	url[KS_URL_MAX + 1] = '\0';
	ck_assert_int_eq(http_url_check(url, &e), -1);
	ck_assert_str_eq(e.msg, "the collector URL is longer than 2048 bytes");
	url[KS_URL_MAX] = '\0';
	ck_assert_int_eq(http_url_check(url, &e), 0);
}
END_TEST

/* Inflates a gzip member with zlib itself. */
static size_t gunzip(const struct buf *in, unsigned char *out, size_t size)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)buf_str(in);
	z.avail_in = (uInt)buf_len(in);
	z.next_out = out;
	z.avail_out = (uInt)size;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_int_eq(inflateEnd(&z), Z_OK);
	return size - z.avail_out;
}

START_TEST(test_gzip)
{
	static unsigned char in[300000], out[300001];
	struct buf b;
	size_t i;

	/* compressible text, and bytes that are not, past one zlib output chunk */
	for (i = 0; i < sizeof(in); i++) {
		in[i] = i < sizeof(in) / 2 ? (unsigned char)"kscan "[i % 6] :
			(unsigned char)(i * 2654435761u >> 13);
	}
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(http_gzip((const char *)in, sizeof(in), &b), 0);
	ck_assert_uint_eq((unsigned char)buf_str(&b)[0], 0x1f);
	ck_assert_uint_eq((unsigned char)buf_str(&b)[1], 0x8b);
	ck_assert_uint_lt(buf_len(&b), sizeof(in));
	ck_assert_uint_eq(gunzip(&b, out, sizeof(out)), sizeof(in));
	ck_assert_int_eq(memcmp(in, out, sizeof(in)), 0);
	buf_free(&b);
	/* an empty body is a valid gzip member too */
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(http_gzip("", 0, &b), 0);
	ck_assert_uint_eq(gunzip(&b, out, sizeof(out)), 0);
	buf_free(&b);
	/* past the buffer's cap: E2BIG, nothing silently cut */
	buf_init(&b, 100);
	ck_assert_int_eq(http_gzip((const char *)in, sizeof(in), &b), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
}
END_TEST

START_TEST(test_hmac)
{
	unsigned char key[20];
	char hex[65];

	/* RFC 4231, test cases 1 and 2 */
	memset(key, 0x0b, sizeof(key));
	ck_assert_int_eq(http_hmac_sha256(key, sizeof(key), "Hi There", 8, hex), 0);
	ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	ck_assert_int_eq(http_hmac_sha256((const unsigned char *)"Jefe", 4,
				 "what do ya want for nothing?", 28, hex), 0);
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

/* Writes @text to @name in the test directory with @mode; @path gets the full path. */
static void put(const char *name, const char *text, mode_t mode, char path[128])
{
	cu_path(path, 128, cu_tmp, name);
	cu_write(path, text, strlen(text), mode);
}

START_TEST(test_read_file)
{
	char path[128];
	struct kerr e;
	struct buf b;

	buf_init(&b, KS_SECRET_FILE_MAX);
	put("ok", "secret\n", 0600, path);
	ck_assert_int_eq(http_read_file(path, "token file", true, &b, &e), 0);
	ck_assert_str_eq(buf_str(&b), "secret\n");
	buf_reset(&b);
	put("ro", "secret\n", 0400, path);
	ck_assert_int_eq(http_read_file(path, "token file", true, &b, &e), 0);
	put("grp", "secret\n", 0640, path);
	ck_assert_int_eq(http_read_file(path, "token file", true, &b, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "/grp has mode 0640: group and others must have no access "
			 "(chmod 600): refused") != NULL);
	put("gw", "secret\n", 0620, path);
	ck_assert_int_eq(http_read_file(path, "token file", true, &b, &e), -1);
	/* public files (a client certificate) may be read by anyone */
	buf_reset(&b);
	ck_assert_int_eq(http_read_file(path, "client certificate", false, &b, &e), 0);
	put("other", "secret\n", 0600, path);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(http_read_file(path, "client key", true, &b, &e), -1);
	ck_assert(strstr(e.msg, "/other is owned by uid 65534, not by root or the user kscan "
			 "runs as: refused") != NULL);
	ck_assert_int_eq(http_read_file(cu_tmp, "client key", true, &b, &e), -1);
	ck_assert(strstr(e.msg, "is not a regular file") != NULL);
	cu_path(path, sizeof(path), cu_tmp, "missing");
	ck_assert_int_eq(http_read_file(path, "client key", true, &b, &e), -1);
	ck_assert_int_eq(e.code, KERR_IO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_int_eq(http_read_file("/dev/null", "token file", true, &b, &e), -1);
	ck_assert(strstr(e.msg, "is not a regular file") != NULL);
	buf_free(&b);
}
END_TEST

START_TEST(test_client_new)
{
	struct http_client *c;
	struct http_opts o;
	char tok[128], bad[128], key[128];
	struct kerr e;

	http_opts_init(&o);
	c = http_client_new(&o, &e);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(e.msg, "no collector URL (collector.url or --post)");
	o.url = "http://x.example/";
	ck_assert_ptr_null(http_client_new(&o, &e));
	ck_assert_int_eq(e.code, KERR_INPUT);

	o.url = "https://x.example/";
	put("token", "abc.DEF-123\r\n", 0600, tok);
	o.token_file = tok;
	c = http_client_new(&o, &e);
	ck_assert_ptr_nonnull(c);
	http_client_free(c);
	put("bad", "two words\n", 0600, bad);
	o.token_file = bad;
	ck_assert_ptr_null(http_client_new(&o, &e));
	ck_assert(strstr(e.msg, "must hold one token of visible ASCII characters") != NULL);
	put("bad", "\n", 0600, bad);
	ck_assert_ptr_null(http_client_new(&o, &e));
	o.token_file = NULL;

	o.client_cert = tok;
	ck_assert_ptr_null(http_client_new(&o, &e));
	ck_assert_str_eq(e.msg, "collector.client_cert and collector.client_key go together");
	put("key", "k", 0644, key);
	o.client_key = key;
	ck_assert_ptr_null(http_client_new(&o, &e));
	ck_assert(strstr(e.msg, "client key") != NULL && strstr(e.msg, "mode 0644") != NULL);
	o.client_cert = o.client_key = NULL;

	put("hmac", "\n\n", 0600, key);
	o.hmac_key_file = key;
	ck_assert_ptr_null(http_client_new(&o, &e));
	ck_assert(strstr(e.msg, "HMAC key file") != NULL && strstr(e.msg, "is empty") != NULL);
}
END_TEST

/* A loopback port nothing listens on: bound, then closed. */
static unsigned short dead_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(close(fd), 0);
	return ntohs(a.sin_port);
}

START_TEST(test_post_unreachable)
{
	struct http_client *c;
	struct http_result res;
	struct http_opts o;
	char url[64];
	struct kerr e;

	(void)snprintf(url, sizeof(url), "https://127.0.0.1:%u/r", dead_port());
	http_opts_init(&o);
	o.url = url;
	o.attempts = 3;
	o.backoff_base_ms = 1;
	o.backoff_cap_ms = 2;
	o.gzip = true;
	c = http_client_new(&o, &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(http_post(c, "id-1", "application/json", "{}", 2, &res, &e), -1);
	ck_assert_int_eq(res.outcome, HTTP_UNAVAILABLE);
	ck_assert_uint_eq(res.attempts, 3);
	ck_assert_int_eq(res.status, 0);
	ck_assert_int_eq(e.code, KERR_IO);
	ck_assert(strstr(e.msg, ": not delivered after 3 attempt(s): ") != NULL);
	ck_assert(strncmp(e.msg, url, strlen(url)) == 0);
	http_client_free(c);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_backoff_bounds);
	tcase_add_test(tc, test_retryable);
	tcase_add_loop_test(tc, test_url, 0, (int)XSTD_COUNTOF(urls));
	tcase_add_test(tc, test_url_too_long);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_hmac);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_client_new);
	tcase_add_test(tc, test_post_unreachable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
