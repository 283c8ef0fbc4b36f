/* Unit tests for scanner/xstd: number parsing, UTF-8, hex, read_fd, time formatting. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xstd.h"

/* ck_assert_msg() records a checkpoint on every call; loops of millions use this instead. */
#define HOT_ASSERT(cond, ...) \
	do { \
		if (!(cond)) { \
			ck_abort_msg(__VA_ARGS__); \
		} \
	} while (0)

/* Number parsing */

struct num_case {
	const char *s;
	uint64_t max;
	int err;        /* 0, EINVAL or ERANGE; -1: fails, either errno acceptable */
	uint64_t want;
};

static const struct num_case num_cases[] = {
	{ "", UINT64_MAX, EINVAL, 0 },
	{ "0", UINT64_MAX, 0, 0 },
	{ "7", UINT64_MAX, 0, 7 },
	{ "007", UINT64_MAX, 0, 7 },
	{ "0000000000000000000000000000042", UINT64_MAX, 0, 42 },
	{ "+1", UINT64_MAX, EINVAL, 0 },
	{ "-1", UINT64_MAX, EINVAL, 0 },
	{ "-0", UINT64_MAX, EINVAL, 0 },
	{ " 1", UINT64_MAX, EINVAL, 0 },
	{ "1 ", UINT64_MAX, EINVAL, 0 },
	{ "\t1", UINT64_MAX, EINVAL, 0 },
	{ "1\n", UINT64_MAX, EINVAL, 0 },
	{ "0x10", UINT64_MAX, EINVAL, 0 },
	{ "1e3", UINT64_MAX, EINVAL, 0 },
	{ "1.0", UINT64_MAX, EINVAL, 0 },
	{ "1_000", UINT64_MAX, EINVAL, 0 },
	{ "\xd9\xa3", UINT64_MAX, EINVAL, 0 }, /* ARABIC-INDIC DIGIT THREE */
	{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
	{ "000018446744073709551615", UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", UINT64_MAX, ERANGE, 0 },
	{ "18446744073709551620", UINT64_MAX, ERANGE, 0 },
	{ "99999999999999999999", UINT64_MAX, ERANGE, 0 },
	{ "184467440737095516150", UINT64_MAX, ERANGE, 0 },
	{ "18446744073709551614", UINT64_MAX - 1, 0, UINT64_MAX - 1 },
	{ "18446744073709551615", UINT64_MAX - 1, ERANGE, 0 },
	{ "100", 100, 0, 100 },
	{ "0100", 100, 0, 100 },
	{ "101", 100, ERANGE, 0 },
	{ "1000", 100, ERANGE, 0 },
	{ "5", 5, 0, 5 },
	{ "6", 5, ERANGE, 0 },
	{ "7", 5, ERANGE, 0 },
	{ "9", 5, ERANGE, 0 },
	{ "19", 15, ERANGE, 0 },
	{ "0", 0, 0, 0 },
	{ "00", 0, 0, 0 },
	{ "1", 0, ERANGE, 0 },
	{ "9", 0, ERANGE, 0 },
	{ "4294967295", UINT32_MAX, 0, UINT32_MAX },
	{ "4294967296", UINT32_MAX, ERANGE, 0 },
	{ "4294967299", UINT32_MAX, ERANGE, 0 },
	{ "99999999999999999999x", UINT64_MAX, -1, 0 },
};

START_TEST(test_strtou64)
{
	const struct num_case *c = &num_cases[_i];
	uint64_t out = 12345;
	int rc;

	errno = 0;
	rc = xstd_strtou64(c->s, c->max, &out);
	if (c->err == 0) {
		ck_assert_msg(rc == 0, "\"%s\" max %ju: rc %d errno %d", c->s, (uintmax_t)c->max,
			rc, errno);
		ck_assert_msg(out == c->want, "\"%s\": got %ju want %ju", c->s, (uintmax_t)out,
			(uintmax_t)c->want);
		return;
	}
	ck_assert_msg(rc == -1, "\"%s\" max %ju: accepted as %ju", c->s, (uintmax_t)c->max,
		(uintmax_t)out);
	if (c->err > 0) {
		ck_assert_msg(errno == c->err, "\"%s\": errno %d want %d", c->s, errno, c->err);
	}
}
END_TEST

START_TEST(test_strntou64)
{
	/* not NUL-terminated: the digits run into letters and past the given length */
	static const char digits[] = { '1', '2', '3', '4', 'a', 'b' };
	uint64_t out = 0;

	ck_assert_int_eq(xstd_strntou64(digits, 3, UINT64_MAX, &out), 0);
	ck_assert_uint_eq(out, 123);
	ck_assert_int_eq(xstd_strntou64(digits, 4, UINT64_MAX, &out), 0);
	ck_assert_uint_eq(out, 1234);
	errno = 0;
	ck_assert_int_eq(xstd_strntou64(digits, 5, UINT64_MAX, &out), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(xstd_strntou64(digits, 0, UINT64_MAX, &out), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(xstd_strntou64(digits, 4, 1233, &out), -1);
	ck_assert_int_eq(errno, ERANGE);
	/* a NUL inside the counted bytes is not a digit */
	errno = 0;
	ck_assert_int_eq(xstd_strntou64("1\0002", 3, UINT64_MAX, &out), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(xstd_strntou64("18446744073709551615", 20, UINT64_MAX, &out), 0);
	ck_assert_uint_eq(out, UINT64_MAX);
	errno = 0;
	ck_assert_int_eq(xstd_strntou64("184467440737095516159", 21, UINT64_MAX, &out), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

/* Every max from 0 to 1000 against every value from 0 to 1100: the boundary is exact. */
START_TEST(test_strtou64_boundary_sweep)
{
	uint64_t max, v;

	for (max = 0; max <= 1000; max++) {
		for (v = 0; v <= 1100; v++) {
			char s[16];
			uint64_t out = 0;
			int rc;

			HOT_ASSERT(snprintf(s, sizeof(s), "%ju", (uintmax_t)v) > 0, "snprintf");
			errno = 0;
			rc = xstd_strtou64(s, max, &out);
			if (v <= max) {
				HOT_ASSERT(rc == 0 && out == v, "%s max %ju", s, (uintmax_t)max);
			} else {
				HOT_ASSERT(rc == -1 && errno == ERANGE, "%s max %ju: rc %d",
					s, (uintmax_t)max, rc);
			}
		}
	}
}
END_TEST

/* UTF-8 */

/*
 * The reference: Unicode 15 Table 3-7 (well-formed byte sequences), written as byte ranges
 * so it shares no logic with the code-point arithmetic of xstd_utf8_seq().
 */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0) {
		return 0;
	}
	if (s[0] <= 0x7f) {
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
	} else {
		return 0;
	}
	if (s[0] == 0xe0) {
		lo = 0xa0;
	} else if (s[0] == 0xed) {
		hi = 0x9f;
	} else if (s[0] == 0xf0) {
		lo = 0x90;
	} else if (s[0] == 0xf4) {
		hi = 0x8f;
	}
	if (n < len || s[1] < lo || s[1] > hi) {
		return 0;
	}
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf) {
			return 0;
		}
	}
	return len;
}

static bool ref_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t l = ref_utf8_len(s + i, n - i);

		if (l == 0) {
			return false;
		}
		i += l;
	}
	return true;
}

struct utf8_case {
	const char *what;
	const char *bytes;
	size_t n;
	size_t want;
};

#define U8(what, lit, want) { what, lit, sizeof(lit) - 1, want }

static const struct utf8_case utf8_cases[] = {
	U8("ascii", "A", 1),
	U8("NUL", "\0", 1),
	U8("DEL", "\x7f", 1),
	U8("U+0080", "\xc2\x80", 2),
	U8("U+07FF", "\xdf\xbf", 2),
	U8("U+0800", "\xe0\xa0\x80", 3),
	U8("U+D7FF", "\xed\x9f\xbf", 3),
	U8("U+E000", "\xee\x80\x80", 3),
	U8("U+FFFD", "\xef\xbf\xbd", 3),
	U8("U+FFFF", "\xef\xbf\xbf", 3),
	U8("U+10000", "\xf0\x90\x80\x80", 4),
	U8("U+1D11E", "\xf0\x9d\x84\x9e", 4),
	U8("U+10FFFF", "\xf4\x8f\xbf\xbf", 4),
	U8("2-byte seq then more", "\xc3\xa9z", 2),
	U8("overlong 2-byte NUL C0 80", "\xc0\x80", 0),
	U8("overlong 2-byte C0 AF", "\xc0\xaf", 0),
	U8("overlong 2-byte C1 BF", "\xc1\xbf", 0),
	U8("overlong 3-byte NUL", "\xe0\x80\x80", 0),
	U8("overlong 3-byte U+07FF", "\xe0\x9f\xbf", 0),
	U8("overlong 4-byte NUL", "\xf0\x80\x80\x80", 0),
	U8("overlong 4-byte U+FFFF", "\xf0\x8f\xbf\xbf", 0),
	U8("surrogate U+D800", "\xed\xa0\x80", 0),
	U8("surrogate U+DBFF", "\xed\xaf\xbf", 0),
	U8("surrogate U+DC00", "\xed\xb0\x80", 0),
	U8("surrogate U+DFFF", "\xed\xbf\xbf", 0),
	U8("surrogate pair (CESU-8)", "\xed\xa0\xbd\xed\xb8\x80", 0),
	U8("U+110000", "\xf4\x90\x80\x80", 0),
	U8("U+13FFFF", "\xf4\xbf\xbf\xbf", 0),
	U8("F5 lead", "\xf5\x80\x80\x80", 0),
	U8("F7 lead (U+1FFFFF)", "\xf7\xbf\xbf\xbf", 0),
	U8("F8 5-byte form", "\xf8\x88\x80\x80\x80", 0),
	U8("FC 6-byte form", "\xfc\x84\x80\x80\x80\x80", 0),
	U8("FE", "\xfe", 0),
	U8("FF", "\xff", 0),
	U8("lone continuation 80", "\x80", 0),
	U8("lone continuation BF", "\xbf", 0),
	U8("continuation then ascii", "\x80" "A", 0),
	U8("truncated 2-byte", "\xc2", 0),
	U8("truncated 3-byte of 1", "\xe2", 0),
	U8("truncated 3-byte of 2", "\xe2\x82", 0),
	U8("truncated 4-byte of 2", "\xf0\x9f", 0),
	U8("truncated 4-byte of 3", "\xf0\x9f\x98", 0),
	U8("2-byte, ascii continuation", "\xc2\x41", 0),
	U8("2-byte, lead as continuation", "\xc2\xc2", 0),
	U8("3-byte, bad 2nd", "\xe2\x28\xa1", 0),
	U8("3-byte, bad 3rd", "\xe2\x82\x28", 0),
	U8("4-byte, bad 2nd", "\xf0\x28\x8c\xbc", 0),
	U8("4-byte, bad 3rd", "\xf0\x90\x28\xbc", 0),
	U8("4-byte, bad 4th", "\xf0\x90\x80\x28", 0),
	U8("4-byte, NUL 4th", "\xf0\x90\x80\x00", 0),
};

START_TEST(test_utf8_seq_table)
{
	const struct utf8_case *c = &utf8_cases[_i];
	const unsigned char *u = (const unsigned char *)c->bytes;
	size_t got = xstd_utf8_seq(u, c->n);

	ck_assert_msg(got == c->want, "%s: got %zu want %zu", c->what, got, c->want);
	ck_assert_msg(ref_utf8_len(u, c->n) == c->want, "%s: reference disagrees", c->what);
	ck_assert_msg(xstd_utf8_valid(c->bytes, c->n) == ref_utf8_valid(u, c->n),
		"%s: valid()", c->what);
	/* the same bytes cut one short are never a full sequence */
	if (c->want > 1) {
		ck_assert_uint_eq(xstd_utf8_seq(u, c->want - 1), 0);
	}
}
END_TEST

START_TEST(test_utf8_seq_no_bytes)
{
	/* n == 0: there is no sequence, and the byte behind the pointer must not count */
	static const unsigned char a[] = { 'A' };

	ck_assert_uint_eq(xstd_utf8_seq(a, 0), 0);
	ck_assert(xstd_utf8_valid("", 0));
}
END_TEST

/* All 2- and 3-byte inputs, every lead byte before two continuation-ish bytes. */
START_TEST(test_utf8_seq_exhaustive3)
{
	unsigned b0, b1, b2;
	unsigned char s[3];

	for (b0 = 0; b0 < 256; b0++) {
		for (b1 = 0; b1 < 256; b1++) {
			s[0] = (unsigned char)b0;
			s[1] = (unsigned char)b1;
			HOT_ASSERT(xstd_utf8_seq(s, 2) == ref_utf8_len(s, 2), "%02x %02x", b0, b1);
			HOT_ASSERT(xstd_utf8_seq(s, 1) == ref_utf8_len(s, 1), "%02x", b0);
			for (b2 = 0; b2 < 256; b2++) {
				s[2] = (unsigned char)b2;
				HOT_ASSERT(xstd_utf8_seq(s, 3) == ref_utf8_len(s, 3),
					"%02x %02x %02x", b0, b1, b2);
			}
		}
	}
}
END_TEST

/* 4-byte inputs: every lead F0..FF and second byte, the edge values of the other two. */
START_TEST(test_utf8_seq_exhaustive4)
{
	static const unsigned char edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0,
		0xff };
	unsigned b0, b1;
	size_t i, j;
	unsigned char s[4];

	for (b0 = 0xf0; b0 < 256; b0++) {
		for (b1 = 0; b1 < 256; b1++) {
			for (i = 0; i < sizeof(edge); i++) {
				for (j = 0; j < sizeof(edge); j++) {
					s[0] = (unsigned char)b0;
					s[1] = (unsigned char)b1;
					s[2] = edge[i];
					s[3] = edge[j];
					HOT_ASSERT(xstd_utf8_seq(s, 4) == ref_utf8_len(s, 4),
						"%02x %02x %02x %02x", b0, b1, s[2], s[3]);
				}
			}
		}
	}
}
END_TEST

/* Encodes @cp the plain way, surrogates included (as CESU would). */
static size_t encode_cp(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

START_TEST(test_utf8_every_code_point)
{
	uint32_t cp;
	unsigned char s[4];

	for (cp = 0; cp <= 0x10ffff; cp++) {
		size_t len = encode_cp(cp, s);
		size_t want = cp >= 0xd800 && cp <= 0xdfff ? 0 : len;

		HOT_ASSERT(xstd_utf8_seq(s, len) == want, "U+%04X", (unsigned)cp);
		HOT_ASSERT(xstd_utf8_valid((const char *)s, len) == (want != 0), "U+%04X",
			(unsigned)cp);
	}
	/* the first values past Unicode, in the 4-byte form */
	for (cp = 0x110000; cp <= 0x1fffff; cp += 0x1111) {
		ck_assert_uint_eq(encode_cp(cp, s), 4);
		HOT_ASSERT(xstd_utf8_seq(s, 4) == 0, "U+%X", (unsigned)cp);
	}
}
END_TEST

/* Random strings drawn mostly from bytes that matter to UTF-8, against the reference. */
START_TEST(test_utf8_valid_random)
{
	static const unsigned char pool[] = { 'a', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
		0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1,
		0xf3, 0xf4, 0xf5, 0xff };
	uint64_t seed = 0x9e3779b97f4a7c15u;
	unsigned char s[12];
	unsigned k;
	size_t valid = 0;

	for (k = 0; k < 400000; k++) {
		size_t n, i;

		seed = seed * 6364136223846793005u + 1442695040888963407u;
		n = (size_t)(seed >> 60) % sizeof(s);
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			s[i] = pool[(seed >> 33) % sizeof(pool)];
		}
		HOT_ASSERT(xstd_utf8_valid((const char *)s, n) == ref_utf8_valid(s, n),
			"string %u", k);
		valid += ref_utf8_valid(s, n);
	}
	/* the pool must produce both answers often, or the comparison proves little */
	ck_assert_uint_gt(valid, 10000);
	ck_assert_uint_lt(valid, 390000);
}
END_TEST

START_TEST(test_utf8_valid_strings)
{
	static const char mixed[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e \xd0\x9a";

	ck_assert(xstd_utf8_valid("plain ascii", 11));
	ck_assert(xstd_utf8_valid(mixed, sizeof(mixed) - 1));
	ck_assert(xstd_utf8_valid("a\0b", 3));
	/* cut inside the euro sign: the last sequence is truncated */
	ck_assert(!xstd_utf8_valid(mixed, 9));
	ck_assert(!xstd_utf8_valid("abc\xe2\x82", 5));
	ck_assert(!xstd_utf8_valid("ab\x80" "cd", 5));
	ck_assert(!xstd_utf8_valid("ok\xed\xa0\x80ok", 7));
	ck_assert(!xstd_utf8_valid("\xc0\xaf", 2));
	/* only the first n bytes are looked at */
	ck_assert(xstd_utf8_valid("ok\xff", 2));
}
END_TEST

/* Hex */

START_TEST(test_hex_roundtrip)
{
	unsigned char all[256], back[256];
	char hex[513];
	unsigned i;

	for (i = 0; i < 256; i++) {
		all[i] = (unsigned char)i;
	}
	xstd_hex(all, sizeof(all), hex);
	ck_assert_uint_eq(strlen(hex), 512);
	ck_assert_int_eq(strncmp(hex, "000102030405060708090a0b0c0d0e0f10", 34), 0);
	ck_assert_str_eq(hex + 500, "fafbfcfdfeff");
	memset(back, 0x55, sizeof(back));
	ck_assert_int_eq(xstd_unhex(hex, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, all, sizeof(all));
	/* upper case reads the same */
	for (i = 0; i < 512; i++) {
		if (hex[i] >= 'a' && hex[i] <= 'f') {
			hex[i] = (char)(hex[i] - 'a' + 'A');
		}
	}
	memset(back, 0x55, sizeof(back));
	ck_assert_int_eq(xstd_unhex(hex, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, all, sizeof(all));
}
END_TEST

START_TEST(test_hex_known)
{
	static const unsigned char sha_empty[] = { 0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc };
	char out[13];
	unsigned char b[6];

	xstd_hex(sha_empty, sizeof(sha_empty), out);
	ck_assert_str_eq(out, "e3b0c44298fc");
	xstd_hex(sha_empty, 0, out);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(xstd_unhex("E3b0C44298Fc", b, 6), 0);
	ck_assert_mem_eq(b, sha_empty, 6);
	ck_assert_int_eq(xstd_unhex("", b, 0), 0);
}
END_TEST

static const char *const unhex_bad[] = {
	"e3b0c44298f",    /* odd: one digit short */
	"e3b0c44298",     /* two digits short */
	"e3b0c44298fc0",  /* one digit too many */
	"e3b0c44298fc00", /* a byte too many */
	"e3b0c44298fg",   /* not a hex digit */
	"g3b0c44298fc",
	"e3b0c4 298fc",
	"0xb0c44298fc",
	"e3b0c44298f\n",
	"",
	"-3b0c44298fc",
	"e3b0c44298\xc3\xa9",
};

START_TEST(test_unhex_errors)
{
	unsigned char b[6];

	errno = 0;
	ck_assert_msg(xstd_unhex(unhex_bad[_i], b, 6) == -1, "\"%s\" accepted", unhex_bad[_i]);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(xstd_unhex("a", b, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* read_fd */

struct rd_case {
	size_t max;
	size_t size;
};

/* Sizes around the 64 KiB read chunk and the cap; size > max must fail with E2BIG. */
static const struct rd_case rd_cases[] = {
	{ 0, 0 },
	{ 0, 1 },
	{ 1, 1 },
	{ 1, 2 },
	{ 100, 100 },
	{ 100, 101 },
	{ 100, 200000 },
	{ 65535, 65535 },
	{ 65535, 65536 },
	{ 65536, 65536 },
	{ 65536, 65537 },
	{ 65537, 65537 },
	{ 65537, 65538 },
	{ 196608, 196608 },
	{ 196608, 196609 },
	{ 1000000, 999999 },
};

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)((i * 131 + i / 251) & 0xff);
}

static unsigned char *make_pattern(size_t n)
{
	unsigned char *p = malloc(n + 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		p[i] = pattern_byte(i);
	}
	return p;
}

static int memfd_with(const unsigned char *data, size_t n)
{
	int fd = memfd_create("kscan-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(xstd_write_all(fd, data, n), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/*
 * Starts a child that writes @data to a pipe in pieces of @piece bytes, so the reader sees
 * short reads at odd places. @return the read end; *pid is the child.
 */
static int pipe_writer(const unsigned char *data, size_t n, size_t piece, pid_t *pid)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		size_t off = 0;

		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		while (off < n) {
			size_t k = n - off < piece ? n - off : piece;

			if (xstd_write_all(fds[1], data + off, k) != 0) {
				_exit(errno == EPIPE ? 0 : 1);
			}
			off += k;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void check_read(const struct rd_case *c, int fd, const unsigned char *data)
{
	struct buf out;
	int rc;

	buf_init(&out, (size_t)1 << 24);
	errno = 0;
	rc = xstd_read_fd(fd, c->max, &out);
	if (c->size <= c->max) {
		ck_assert_msg(rc == 0, "max %zu size %zu: errno %d", c->max, c->size, errno);
		ck_assert_uint_eq(buf_len(&out), c->size);
		ck_assert_int_eq(memcmp(buf_str(&out), data, c->size), 0);
		ck_assert_int_eq(buf_str(&out)[c->size], '\0');
	} else {
		ck_assert_msg(rc == -1 && errno == E2BIG, "max %zu size %zu: rc %d errno %d",
			c->max, c->size, rc, errno);
		/* nothing past the cap was kept */
		ck_assert_uint_le(buf_len(&out), c->max);
	}
	buf_free(&out);
}

START_TEST(test_read_fd_file)
{
	const struct rd_case *c = &rd_cases[_i];
	unsigned char *data = make_pattern(c->size);
	int fd = memfd_with(data, c->size);

	check_read(c, fd, data);
	close(fd);
	free(data);
}
END_TEST

START_TEST(test_read_fd_pipe)
{
	const struct rd_case *c = &rd_cases[_i];
	unsigned char *data = make_pattern(c->size);
	pid_t pid;
	int status;
	int fd = pipe_writer(data, c->size, 4093, &pid);

	check_read(c, fd, data);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(data);
}
END_TEST

START_TEST(test_read_fd_appends)
{
	struct buf out;
	int fd = memfd_with((const unsigned char *)"0123456789", 10);

	buf_init(&out, 100);
	ck_assert_int_eq(buf_adds(&out, "pre:"), 0);
	/* the cap counts what is read, not what the buffer held before */
	ck_assert_int_eq(xstd_read_fd(fd, 10, &out), 0);
	ck_assert_str_eq(buf_str(&out), "pre:0123456789");
	close(fd);
	buf_free(&out);

	/* a buffer with a smaller cap of its own fails too, with its own E2BIG */
	fd = memfd_with((const unsigned char *)"0123456789", 10);
	buf_init(&out, 5);
	errno = 0;
	ck_assert_int_eq(xstd_read_fd(fd, 100, &out), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(buf_error(&out), E2BIG);
	close(fd);
	buf_free(&out);
}
END_TEST

START_TEST(test_read_fd_errors)
{
	struct buf out;
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	buf_init(&out, 100);
	errno = 0;
	ck_assert_int_eq(xstd_read_fd(fd, 100, &out), -1);
	ck_assert_int_eq(errno, EISDIR);
	close(fd);
	errno = 0;
	ck_assert_int_eq(xstd_read_fd(-1, 100, &out), -1);
	ck_assert_int_eq(errno, EBADF);
	buf_free(&out);
}
END_TEST

/* Smaller helpers */

START_TEST(test_write_all_and_close)
{
	unsigned char *data = make_pattern(300000);
	struct buf out;
	int fd = memfd_create("kscan-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(xstd_write_all(fd, data, 300000), 0);
	ck_assert_int_eq(xstd_write_all(fd, data, 0), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	buf_init(&out, 300000);
	ck_assert_int_eq(xstd_read_fd(fd, 300000, &out), 0);
	ck_assert_int_eq(memcmp(buf_str(&out), data, 300000), 0);
	buf_free(&out);

	errno = 4242;
	xstd_close_quietly(fd);
	ck_assert_int_eq(errno, 4242);
	/* closing an already closed or invalid descriptor keeps errno too */
	xstd_close_quietly(fd);
	ck_assert_int_eq(errno, 4242);
	xstd_close_quietly(-1);
	ck_assert_int_eq(errno, 4242);
	errno = 0;
	ck_assert_int_eq(xstd_write_all(fd, data, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	free(data);
}
END_TEST

START_TEST(test_strndup_max)
{
	char *p;

	p = xstd_strndup_max("abcdef", 3, 3);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "abc");
	free(p);
	p = xstd_strndup_max("abcdef", 0, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	free(p);
	errno = 0;
	ck_assert_ptr_null(xstd_strndup_max("abcdef", 4, 3));
	ck_assert_int_eq(errno, E2BIG);
	p = xstd_strndup_max("a\0b", 3, 10);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, "a\0b\0", 4);
	free(p);
}
END_TEST

START_TEST(test_has_glob)
{
	ck_assert(!xstd_has_glob(""));
	ck_assert(!xstd_has_glob("/opt/kaspersky/kesl/bin/kesl"));
	ck_assert(!xstd_has_glob("/etc/{a,b}"));
	ck_assert(!xstd_has_glob("]"));
	ck_assert(!xstd_has_glob("a+b.c^$()"));
	ck_assert(xstd_has_glob("*"));
	ck_assert(xstd_has_glob("/opt/kaspersky/*/bin"));
	ck_assert(xstd_has_glob("/var/log/kesl?.log"));
	ck_assert(xstd_has_glob("/etc/[ab]"));
	ck_assert(xstd_has_glob("tail["));
	ck_assert(xstd_has_glob("\\*"));
}
END_TEST

struct time_case {
	int64_t ms;
	const char *want;
};

static const struct time_case time_cases[] = {
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ 1, "1970-01-01T00:00:00.001Z" },
	{ 999, "1970-01-01T00:00:00.999Z" },
	{ 1000, "1970-01-01T00:00:01.000Z" },
	{ 951782400000, "2000-02-29T00:00:00.000Z" },
	{ 1583020799999, "2020-02-29T23:59:59.999Z" },
	{ 1700000000123, "2023-11-14T22:13:20.123Z" },
	{ 4102444800000, "2100-01-01T00:00:00.000Z" },
	{ 253402300799999, "9999-12-31T23:59:59.999Z" },
	/* before the epoch (a file mtime can be): the fraction counts up from the second */
	{ -1, "1969-12-31T23:59:59.999Z" },
	{ -1000, "1969-12-31T23:59:59.000Z" },
	{ -1001, "1969-12-31T23:59:58.999Z" },
	{ -86400000, "1969-12-31T00:00:00.000Z" },
};

START_TEST(test_rfc3339)
{
	char out[32];

	memset(out, 'X', sizeof(out));
	xstd_rfc3339(time_cases[_i].ms, out);
	ck_assert_str_eq(out, time_cases[_i].want);
}
END_TEST

START_TEST(test_rfc3339_extremes)
{
	static const int64_t ms[] = { INT64_MAX, INT64_MIN, INT64_MIN + 1, -62135596800001 };
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(ms); i++) {
		char out[64];
		size_t n;

		/* 32 bytes are promised: the rest of the array must stay untouched */
		memset(out, '#', sizeof(out));
		xstd_rfc3339(ms[i], out);
		ck_assert_msg(memchr(out, '\0', 32) != NULL, "%jd: not terminated",
			(intmax_t)ms[i]);
		n = strlen(out);
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(out[n - 1], 'Z');
		ck_assert_int_eq(out[32], '#');
	}
}
END_TEST

START_TEST(test_clocks)
{
	int64_t a = xstd_mono_ms();
	int64_t b;

	/* 2024-01-01: any sane test machine is later than that */
	ck_assert_int_gt(xstd_now_ms(), 1704067200000);
	ck_assert(usleep(20000) == 0);
	b = xstd_mono_ms();
	ck_assert_int_ge(b - a, 19);
	ck_assert_int_lt(b - a, 10000);
}
END_TEST

static Suite *xstd_suite(void)
{
	Suite *s = suite_create("xstd");
	TCase *tc;

	tc = tcase_create("numbers");
	tcase_add_loop_test(tc, test_strtou64, 0, (int)XSTD_COUNTOF(num_cases));
	tcase_add_test(tc, test_strntou64);
	tcase_add_test(tc, test_strtou64_boundary_sweep);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_loop_test(tc, test_utf8_seq_table, 0, (int)XSTD_COUNTOF(utf8_cases));
	tcase_add_test(tc, test_utf8_seq_no_bytes);
	tcase_add_test(tc, test_utf8_seq_exhaustive3);
	tcase_add_test(tc, test_utf8_seq_exhaustive4);
	tcase_add_test(tc, test_utf8_every_code_point);
	tcase_add_test(tc, test_utf8_valid_random);
	tcase_add_test(tc, test_utf8_valid_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("hex");
	tcase_add_test(tc, test_hex_roundtrip);
	tcase_add_test(tc, test_hex_known);
	tcase_add_loop_test(tc, test_unhex_errors, 0, (int)XSTD_COUNTOF(unhex_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("io");
	tcase_add_loop_test(tc, test_read_fd_file, 0, (int)XSTD_COUNTOF(rd_cases));
	tcase_add_loop_test(tc, test_read_fd_pipe, 0, (int)XSTD_COUNTOF(rd_cases));
	tcase_add_test(tc, test_read_fd_appends);
	tcase_add_test(tc, test_read_fd_errors);
	tcase_add_test(tc, test_write_all_and_close);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, test_strndup_max);
	tcase_add_test(tc, test_has_glob);
	tcase_add_loop_test(tc, test_rfc3339, 0, (int)XSTD_COUNTOF(time_cases));
	tcase_add_test(tc, test_rfc3339_extremes);
	tcase_add_test(tc, test_clocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(xstd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
