/* Unit tests for report/json: escaping, the _b64 sibling, separators, nesting, caps. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/fmt/json.h"
#include "base/xstd.h"
#include "check_util.h"

#define FFFD "\xef\xbf\xbd"

/* One escaping case: input bytes, the JSON string body expected, whether it is UTF-8. */
struct esc_case {
	const char *in;
	size_t len;
	const char *out;
	bool valid;
};

#define ESC(in, out, valid) { in, sizeof(in) - 1, out, valid }

static const struct esc_case esc_cases[] = {
	ESC("", "", true),
	ESC("plain /opt/kaspersky", "plain /opt/kaspersky", true),
	ESC("a\"b", "a\\\"b", true),
	ESC("a\\b", "a\\\\b", true),
	ESC("\x7f", "\\u007f", true),
	ESC("x\xe2\x80\xa8y", "x\\u2028y", true),
	ESC("\xe2\x80\xa9", "\\u2029", true),
	/* valid multibyte, at each length and at the edges of the ranges */
	ESC("caf\xc3\xa9", "caf\xc3\xa9", true),
	ESC("\xc2\x80", "\xc2\x80", true),
	ESC("\xdf\xbf", "\xdf\xbf", true),
	ESC("\xe0\xa0\x80", "\xe0\xa0\x80", true),
	ESC("\xe2\x82\xac", "\xe2\x82\xac", true),
	ESC("\xed\x9f\xbf", "\xed\x9f\xbf", true),
	ESC("\xee\x80\x80", "\xee\x80\x80", true),
	ESC(FFFD, FFFD, true),
	ESC("\xf0\x90\x80\x80", "\xf0\x90\x80\x80", true),
	ESC("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", true),
	ESC("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", true),
	ESC("\xe2\x80\xa7\xe2\x80\xaa", "\xe2\x80\xa7\xe2\x80\xaa", true),
	/* lone continuation bytes */
	ESC("\x80", FFFD, false),
	ESC("a\xbf" "b", "a" FFFD "b", false),
	/* truncated sequences, in the middle and at the end */
	ESC("\xc3", FFFD, false),
	ESC("\xe2\x82", FFFD FFFD, false),
	ESC("\xe2\x82" "A", FFFD FFFD "A", false),
	ESC("\xf0\x9f\x98", FFFD FFFD FFFD, false),
	/* overlong forms */
	ESC("\xc0\xaf", FFFD FFFD, false),
	ESC("\xc1\xbf", FFFD FFFD, false),
	ESC("\xe0\x80\xaf", FFFD FFFD FFFD, false),
	ESC("\xe0\x9f\xbf", FFFD FFFD FFFD, false),
	ESC("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD, false),
	ESC("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD, false),
	/* UTF-16 surrogates */
	ESC("\xed\xa0\x80", FFFD FFFD FFFD, false),
	ESC("\xed\xbf\xbf", FFFD FFFD FFFD, false),
	/* past U+10FFFF, and bytes that never appear in UTF-8 */
	ESC("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, false),
	ESC("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD, false),
	ESC("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD, false),
	ESC("\xfe\xff", FFFD FFFD, false),
	/* invalid bytes mixed with escapes */
	ESC("\xff\n\"", FFFD "\\n\\\"", false),
	/* NUL is valid UTF-8; json_strn() can carry it */
	ESC("a\0b", "a\\u0000b", true),
};

START_TEST(test_escape_table)
{
	const struct esc_case *c = &esc_cases[_i];
	struct buf b;
	bool valid;

	buf_init(&b, 4096);
	valid = json_escape(&b, c->in, c->len);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_str_eq(buf_str(&b), c->out);
	ck_assert_int_eq(valid, c->valid);
	buf_free(&b);
}
END_TEST

/* Every control byte: the five short escapes, \u00XX for the rest. */
START_TEST(test_escape_control)
{
	static const char *const shorts[32] = {
		['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n", ['\f'] = "\\f", ['\r'] = "\\r",
	};
	char in[3] = { 'x', (char)_i, 'y' };
	char want[16];
	struct buf b;

	if (shorts[_i] != NULL) {
		ck_assert_int_lt(snprintf(want, sizeof(want), "x%sy", shorts[_i]),
			(int)sizeof(want));
	} else {
		ck_assert_int_lt(snprintf(want, sizeof(want), "x\\u%04xy", (unsigned)_i),
			(int)sizeof(want));
	}
	buf_init(&b, 64);
	ck_assert(json_escape(&b, in, sizeof(in)));
	ck_assert_str_eq(buf_str(&b), want);
	buf_free(&b);
}
END_TEST

/* RFC 4648 section 10 test vectors. */
START_TEST(test_base64_vectors)
{
	static const char *const want[] = {
		"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
	};
	struct buf b;

	buf_init(&b, 64);
	json_base64(&b, (const unsigned char *)"foobar", (size_t)_i);
	ck_assert_str_eq(buf_str(&b), want[_i]);
	buf_free(&b);
}
END_TEST

static int b64_val(char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

/* A plain decoder, written apart from the encoder, to check the round trip. */
static size_t b64_decode(const char *s, size_t n, unsigned char *out)
{
	size_t i, o = 0;

	ck_assert_uint_eq(n % 4, 0);
	for (i = 0; i < n; i += 4) {
		int v[4], k;

		for (k = 0; k < 4; k++) {
			v[k] = s[i + k] == '=' ? 0 : b64_val(s[i + k]);
			ck_assert_int_ge(v[k], 0);
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (s[i + 2] != '=') {
			out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		}
		if (s[i + 3] != '=') {
			out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		}
	}
	return o;
}

/* "path" then "path_b64" exactly when the bytes are not UTF-8; the b64 gives them back. */
START_TEST(test_b64_sibling)
{
	const struct esc_case *c = &esc_cases[_i];
	unsigned char dec[64];
	const char *p, *q;
	struct buf b, want;
	struct json j;
	size_t n;

	buf_init(&b, 4096);
	json_init(&j, &b, false);
	json_obj_begin(&j);
	json_key(&j, "path");
	json_strn(&j, c->in, c->len);
	json_kv_u64(&j, "next", 7);
	json_obj_end(&j);
	ck_assert_int_eq(json_error(&j), 0);
	p = strstr(buf_str(&b), "\"path_b64\":\"");
	if (c->valid) {
		ck_assert_ptr_null(p);
		buf_init(&want, 4096);
		buf_addf(&want, "{\"path\":\"%s\",\"next\":7}", c->out);
		ck_assert_str_eq(buf_str(&b), buf_str(&want));
		buf_free(&want);
		buf_free(&b);
		return;
	}
	ck_assert_ptr_nonnull(p);
	p += strlen("\"path_b64\":\"");
	q = strchr(p, '"');
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q, "\",\"next\":7}");
	n = b64_decode(p, (size_t)(q - p), dec);
	ck_assert_uint_eq(n, c->len);
	ck_assert_mem_eq(dec, c->in, n);
	buf_free(&b);
}
END_TEST

START_TEST(test_b64_exact_document)
{
	struct json j;
	struct buf b;

	buf_init(&b, 4096);
	json_init(&j, &b, false);
	json_obj_begin(&j);
	json_kv_str(&j, "name", "k\xff");
	json_kv_str(&j, "skipped", NULL);
	json_kv_str(&j, "ok", "fine");
	json_key(&j, "list");
	json_arr_begin(&j);
	/* in an array there is no key to hang a sibling on: the lossy string only */
	json_str(&j, "\xc0");
	json_arr_end(&j);
	json_obj_end(&j);
	ck_assert_int_eq(json_error(&j), 0);
	ck_assert_str_eq(buf_str(&b),
		"{\"name\":\"k" FFFD "\",\"name_b64\":\"a/8=\",\"ok\":\"fine\",\"list\":[\"" FFFD
		"\"]}");
	buf_free(&b);
}
END_TEST

static void build_nested(struct json *j)
{
	json_obj_begin(j);
	json_kv_i64(j, "a", INT64_MIN);
	json_key(j, "b");
	json_arr_begin(j);
	json_arr_end(j);
	json_key(j, "c");
	json_obj_begin(j);
	json_obj_end(j);
	json_key(j, "d");
	json_arr_begin(j);
	json_u64(j, UINT64_MAX);
	json_str(j, "x");
	json_bool(j, true);
	json_null(j);
	json_obj_begin(j);
	json_kv_bool(j, "e", false);
	json_kv_str(j, "n\"k", "v\xff");
	json_obj_end(j);
	json_arr_begin(j);
	json_i64(j, -1);
	json_arr_end(j);
	json_arr_end(j);
	json_kv_u64(j, "f", 0);
	json_obj_end(j);
}

START_TEST(test_nesting_compact)
{
	struct json j;
	struct buf b;

	buf_init(&b, 4096);
	json_init(&j, &b, false);
	build_nested(&j);
	ck_assert_int_eq(json_error(&j), 0);
	ck_assert_str_eq(buf_str(&b),
		"{\"a\":-9223372036854775808,\"b\":[],\"c\":{},\"d\":[18446744073709551615,\"x\","
		"true,null,{\"e\":false,\"n\\\"k\":\"v" FFFD "\",\"n\\\"k_b64\":\"dv8=\"},[-1]],"
		"\"f\":0}");
	buf_free(&b);
}
END_TEST

START_TEST(test_nesting_pretty)
{
	struct json j;
	struct buf b;

	buf_init(&b, 4096);
	json_init(&j, &b, true);
	build_nested(&j);
	ck_assert_int_eq(json_error(&j), 0);
	ck_assert_str_eq(buf_str(&b),
		"{\n"
		"\t\"a\": -9223372036854775808,\n"
		"\t\"b\": [],\n"
		"\t\"c\": {},\n"
		"\t\"d\": [\n"
		"\t\t18446744073709551615,\n"
		"\t\t\"x\",\n"
		"\t\ttrue,\n"
		"\t\tnull,\n"
		"\t\t{\n"
		"\t\t\t\"e\": false,\n"
		"\t\t\t\"n\\\"k\": \"v" FFFD "\",\n"
		"\t\t\t\"n\\\"k_b64\": \"dv8=\"\n"
		"\t\t},\n"
		"\t\t[\n"
		"\t\t\t-1\n"
		"\t\t]\n"
		"\t],\n"
		"\t\"f\": 0\n"
		"}");
	buf_free(&b);
}
END_TEST

START_TEST(test_nesting_cap)
{
	struct json j;
	struct buf b;
	unsigned i;

	buf_init(&b, 4096);
	json_init(&j, &b, false);
	for (i = 0; i < sizeof(j.first) - 1; i++) {
		json_arr_begin(&j);
	}
	ck_assert_int_eq(json_error(&j), 0);
	ck_assert_uint_eq(buf_len(&b), sizeof(j.first) - 1);
	json_arr_begin(&j);
	ck_assert(j.overflow);
	ck_assert_int_eq(json_error(&j), E2BIG);
	/* nothing more is written once it overflowed */
	json_str(&j, "x");
	json_arr_end(&j);
	ck_assert_uint_eq(buf_len(&b), sizeof(j.first) - 1);
	buf_free(&b);
}
END_TEST

START_TEST(test_close_past_top)
{
	struct json j;
	struct buf b;

	buf_init(&b, 64);
	json_init(&j, &b, false);
	json_obj_begin(&j);
	json_obj_end(&j);
	ck_assert_int_eq(json_error(&j), 0);
	json_obj_end(&j);
	ck_assert_int_eq(json_error(&j), E2BIG);
	ck_assert_str_eq(buf_str(&b), "{}");
	buf_free(&b);
}
END_TEST

START_TEST(test_buffer_cap)
{
	struct json j;
	struct buf b;

	buf_init(&b, 16);
	json_init(&j, &b, false);
	json_obj_begin(&j);
	json_kv_str(&j, "key", "a value longer than sixteen bytes");
	json_obj_end(&j);
	ck_assert_int_eq(json_error(&j), E2BIG);
	buf_free(&b);
}
END_TEST

/* xorshift64*: the same strings on every run and every libc. */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dU;
}

/* Bytes biased toward the interesting: controls, quotes, lead and continuation bytes. */
static void rnd_bytes(uint64_t *s, unsigned char *p, size_t n)
{
	static const unsigned char pool[] = {
		0x00, 0x01, 0x09, 0x0a, 0x1f, '"', '\\', 0x7f, 0x80, 0xa8, 0xbf,
		0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t r = rnd_next(s);

		p[i] = r % 3 == 0 ? pool[(r >> 8) % sizeof(pool)] : (unsigned char)(r >> 16);
	}
}

#define FUZZ_STRINGS 3000
#define FUZZ_LEN_MAX 48

/*
 * Python checks, independently of our UTF-8 code, that the whole document is strict UTF-8
 * JSON, that s_b64 (or s itself when there is no s_b64) gives back the original bytes,
 * and that s is the original decoded with one U+FFFD per invalid byte.
 */
static const char fuzz_py[] =
	"import base64, codecs, json, sys\n"
	"codecs.register_error('perbyte', lambda e: ('\\ufffd', e.start + 1))\n"
	"doc = json.loads(sys.stdin.buffer.read().decode('utf-8'))\n"
	"assert len(doc) == int(sys.argv[1]), len(doc)\n"
	"for o in doc:\n"
	"    raw = bytes.fromhex(o['hex'])\n"
	"    if 's_b64' in o:\n"
	"        assert base64.b64decode(o['s_b64'], validate=True) == raw, o\n"
	"    else:\n"
	"        assert o['s'].encode('utf-8') == raw, o\n"
	"    assert o['s'] == raw.decode('utf-8', 'perbyte'), o\n"
	"    assert ('s_b64' in o) == (o['s'].encode('utf-8', 'surrogatepass') != raw), o\n";

/* Valid UTF-8, no raw control byte (but the pretty printer's own @ws), DEL or U+2028/9. */
static void fuzz_check_escaped(const char *s, size_t n, const char *ws)
{
	size_t i;

	ck_assert(xstd_utf8_valid(s, n));
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20) {
			ck_assert_ptr_nonnull(memchr(ws, s[i], strlen(ws)));
		}
		ck_assert_int_ne((unsigned char)s[i], 0x7f);
	}
	ck_assert_ptr_null(memmem(s, n, "\xe2\x80\xa8", 3));
	ck_assert_ptr_null(memmem(s, n, "\xe2\x80\xa9", 3));
}

static void fuzz_run_python(const char *doc, size_t len, const char *count)
{
	char dir[PATH_MAX], script[PATH_MAX], cmd[PATH_MAX + 64];
	FILE *p;
	int status;

	cu_mkdtemp(dir, sizeof(dir), "json");
	cu_path(script, sizeof(script), dir, "fuzz.py");
	cu_write(script, fuzz_py, strlen(fuzz_py), 0600);
	cu_fmt(cmd, sizeof(cmd), "python3 %s %s", script, count);
	p = popen(cmd, "w");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fwrite(doc, 1, len, p), len);
	status = pclose(p);
	cu_rmtree(dir);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

START_TEST(test_fuzz_random_bytes)
{
	uint64_t seed = 0x6b7363616e2d6a73U;
	unsigned char raw[FUZZ_LEN_MAX];
	char hex[2 * FUZZ_LEN_MAX + 1], count[16];
	struct buf doc, one;
	struct json j;
	int i;

	buf_init(&doc, (size_t)16 << 20);
	buf_init(&one, 4096);
	json_init(&j, &doc, _i == 1);
	json_arr_begin(&j);
	for (i = 0; i < FUZZ_STRINGS; i++) {
		size_t n = (size_t)(rnd_next(&seed) % (FUZZ_LEN_MAX + 1));

		rnd_bytes(&seed, raw, n);
		buf_reset(&one);
		(void)json_escape(&one, (const char *)raw, n);
		fuzz_check_escaped(buf_str(&one), buf_len(&one), "");
		xstd_hex(raw, n, hex);
		json_obj_begin(&j);
		json_kv_str(&j, "hex", hex);
		json_key(&j, "s");
		json_strn(&j, (const char *)raw, n);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	ck_assert_int_eq(json_error(&j), 0);
	fuzz_check_escaped(buf_str(&doc), buf_len(&doc), _i == 1 ? "\n\t" : "");
	ck_assert_int_lt(snprintf(count, sizeof(count), "%d", FUZZ_STRINGS), (int)sizeof(count));
	fuzz_run_python(buf_str(&doc), buf_len(&doc), count);
	buf_free(&one);
	buf_free(&doc);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, test_escape_table, 0, (int)XSTD_COUNTOF(esc_cases));
	tcase_add_loop_test(tc, test_escape_control, 0, 32);
	tcase_add_loop_test(tc, test_base64_vectors, 0, 7);
	tcase_add_loop_test(tc, test_b64_sibling, 0, (int)XSTD_COUNTOF(esc_cases));
	tcase_add_test(tc, test_b64_exact_document);
	suite_add_tcase(s, tc);

	tc = tcase_create("structure");
	tcase_add_test(tc, test_nesting_compact);
	tcase_add_test(tc, test_nesting_pretty);
	tcase_add_test(tc, test_nesting_cap);
	tcase_add_test(tc, test_close_past_top);
	tcase_add_test(tc, test_buffer_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_fuzz_random_bytes, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
