/* Unit tests for scanner/hashidx: the size prefilter, digests, exact names and globs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "scanner/deep/hash.h"
#include "scanner/deep/hashidx.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "base/xstd.h"

/* A digest that differs for every @n: sha256 of the decimal number. */
static void digest_of(unsigned n, char hex[65])
{
	unsigned char d[32];
	char s[16];

	snprintf(s, sizeof(s), "%u", n);
	ck_assert_int_eq(hash_mem(s, strlen(s), d), 0);
	xstd_hex(d, 32, hex);
}

static struct sig_set *load(const char *yaml)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	ck_assert_msg(sigload_mem(s, "test.yaml", yaml, strlen(yaml), false, &e) == 0,
		"%s", e.msg);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	return s;
}

/* A pack with @n hashes in signature a (sizes from @size(i)) and the fixed entries below. */
static struct sig_set *pack(unsigned n, uint64_t (*size)(unsigned))
{
	struct buf b;
	char hex[65];
	unsigned i;
	struct sig_set *s;

	buf_init(&b, 1 << 24);
	buf_adds(&b, "schema: 1\nsignatures:\n  - id: test.a\n    vendor: V\n    product: A\n"
		     "    files:\n"
		     "      - {name: kesl-control, role: install}\n"
		     "      - {name: \"kesl_[0-9]*.[0-9]*_*.deb\", role: installer}\n"
		     "      - {name: \"*klnagent*.sh\", role: installer}\n"
		     "    hashes:\n");
	for (i = 0; i < n; i++) {
		digest_of(i, hex);
		buf_addf(&b, "      - {sha256: \"%s\", size: %llu, role: installer}\n", hex,
			(unsigned long long)size(i));
	}
	digest_of(0, hex);
	buf_addf(&b, "  - id: test.b\n    vendor: V\n    product: B\n"
		     "    files:\n      - {name: kesl-control, role: remnant}\n"
		     "    hashes:\n"
		     "      - {sha256: \"%s\", size: %llu, name: b.bin, role: remnant}\n",
		hex, (unsigned long long)size(0));
	s = load(buf_str(&b));
	buf_free(&b);
	return s;
}

static uint64_t size_all_same(unsigned i)
{
	(void)i;
	return 4096;
}

static uint64_t size_distinct(unsigned i)
{
	return 1000 + (uint64_t)i * 7;
}

START_TEST(test_sizes)
{
	struct sig_set *s = pack(10, size_distinct);
	struct hashidx *x = hashidx_new(s);
	unsigned i;

	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(hashidx_nhashes(x), 11);
	ck_assert_uint_eq(hashidx_nsizes(x), 10);
	ck_assert_uint_eq(hashidx_max_size(x), 1063);
	for (i = 0; i < 10; i++) {
		ck_assert(hashidx_has_size(x, 1000 + (uint64_t)i * 7));
		ck_assert(!hashidx_has_size(x, 1001 + (uint64_t)i * 7));
	}
	ck_assert(!hashidx_has_size(x, 0));
	ck_assert(!hashidx_has_size(x, UINT64_MAX));
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

/* Many signatures of one size: one size slot, every digest found by bisection. */
START_TEST(test_many_of_one_size)
{
	struct sig_set *s = pack(2000, size_all_same);
	struct hashidx *x = hashidx_new(s);
	struct hashidx_hit h[4];
	unsigned char d[32];
	char hex[65];
	unsigned i;

	ck_assert_uint_eq(hashidx_nsizes(x), 1);
	for (i = 0; i < 2000; i++) {
		digest_of(i, hex);
		ck_assert_int_eq(xstd_unhex(hex, d, 32), 0);
		/* digest 0 is in both signatures */
		ck_assert_uint_eq(hashidx_lookup(x, 4096, d, h, 4), i == 0 ? 2 : 1);
		ck_assert_str_eq(h[0].hash->hex, hex);
		ck_assert_ptr_null(h[0].file);
		/* the same digest at another size is no match: the size is part of it */
		ck_assert_uint_eq(hashidx_lookup(x, 4097, d, h, 4), 0);
	}
	digest_of(2000, hex);
	ck_assert_int_eq(xstd_unhex(hex, d, 32), 0);
	ck_assert_uint_eq(hashidx_lookup(x, 4096, d, h, 4), 0);
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

/* Same size, different contents: the size says hash it, only the digest decides. */
START_TEST(test_size_collision)
{
	struct sig_set *s = pack(3, size_all_same);
	struct hashidx *x = hashidx_new(s);
	struct hashidx_hit h[4];
	unsigned char d[32];
	char hex[65];

	digest_of(1, hex);
	ck_assert_int_eq(xstd_unhex(hex, d, 32), 0);
	ck_assert_uint_eq(hashidx_lookup(x, 4096, d, h, 4), 1);
	ck_assert_str_eq(h[0].sig->id, "test.a");
	digest_of(0, hex);
	ck_assert_int_eq(xstd_unhex(hex, d, 32), 0);
	/* found twice, reported as found even when there is no room to write both */
	ck_assert_uint_eq(hashidx_lookup(x, 4096, d, h, 1), 2);
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

/* Zero-size files: nothing matches unless a signature has size 0 (the empty file). */
START_TEST(test_zero_size)
{
	static const char empty[] =
		"schema: 1\nsignatures:\n  - id: test.empty\n    vendor: V\n    product: E\n"
		"    hashes:\n      - {sha256: \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
		"495991b7852b855\", size: 0, role: remnant}\n";
	struct sig_set *s = pack(2, size_distinct), *z;
	struct hashidx *x = hashidx_new(s), *y;
	struct hashidx_hit h[2];
	unsigned char d[32];

	ck_assert(!hashidx_has_size(x, 0));
	z = load(empty);
	y = hashidx_new(z);
	ck_assert(hashidx_has_size(y, 0));
	ck_assert_int_eq(hash_mem("", 0, d), 0);
	ck_assert_uint_eq(hashidx_lookup(y, 0, d, h, 2), 1);
	ck_assert_str_eq(h[0].sig->id, "test.empty");
	hashidx_free(y);
	sig_set_free(z);
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

static size_t names(const struct hashidx *x, const char *name, const char **first)
{
	struct hashidx_hit h[8];
	size_t n = hashidx_names(x, name, h, 8);

	*first = n > 0 ? h[0].file->name : NULL;
	return n;
}

START_TEST(test_names)
{
	struct sig_set *s = pack(1, size_distinct);
	struct hashidx *x = hashidx_new(s);
	const char *f;

	ck_assert_uint_eq(hashidx_nnames(x), 4);
	/* an exact name in two signatures */
	ck_assert_uint_eq(names(x, "kesl-control", &f), 2);
	ck_assert_str_eq(f, "kesl-control");
	ck_assert_uint_eq(names(x, "kesl-control2", &f), 0);
	ck_assert_uint_eq(names(x, "kesl-contro", &f), 0);
	ck_assert_uint_eq(names(x, "kesl_12.4_amd64.deb", &f), 1);
	ck_assert_str_eq(f, "kesl_[0-9]*.[0-9]*_*.deb");
	ck_assert_uint_eq(names(x, "kesl_x.4_amd64.deb", &f), 0);
	ck_assert_uint_eq(names(x, "kesl_12.4_amd64.deb.part", &f), 0);
	/* a glob with no literal first byte is tried on every name, hidden ones too */
	ck_assert_uint_eq(names(x, "klnagent64_15.1.0-20748_amd64.sh", &f), 1);
	ck_assert_uint_eq(names(x, ".klnagent.sh", &f), 1);
	ck_assert_uint_eq(names(x, "klnagent.bash", &f), 0);
	ck_assert_uint_eq(names(x, "", &f), 0);
	/* names are bytes: a newline or invalid UTF-8 is just a byte */
	ck_assert_uint_eq(names(x, "new\nline-klnagent.sh", &f), 1);
	ck_assert_uint_eq(names(x, "\xff\xfeklnagent.sh", &f), 1);
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

START_TEST(test_empty_set)
{
	struct sig_set *s = load("schema: 1\nsignatures:\n  - id: t.p\n    vendor: V\n"
				 "    product: P\n    packages: [{name: foo}]\n");
	struct hashidx *x = hashidx_new(s);
	struct hashidx_hit h[1];
	unsigned char d[32] = {0};

	ck_assert_uint_eq(hashidx_nhashes(x), 0);
	ck_assert_uint_eq(hashidx_nnames(x), 0);
	ck_assert(!hashidx_has_size(x, 0));
	ck_assert_uint_eq(hashidx_lookup(x, 0, d, h, 1), 0);
	ck_assert_uint_eq(hashidx_names(x, "foo", h, 1), 0);
	hashidx_free(x);
	sig_set_free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hashidx");
	TCase *tc = tcase_create("index");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_many_of_one_size);
	tcase_add_test(tc, test_size_collision);
	tcase_add_test(tc, test_zero_size);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_empty_set);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
