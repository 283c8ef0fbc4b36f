/* Unit tests for scanner/hash: digests, and files that are not what they were listed as. */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/deep/hash.h"
#include "base/xstd.h"
#include "check_util.h"

static int dfd;

static void setup(void)
{
	cu_tmp_setup();
	dfd = open(cu_tmp, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
}

static void teardown(void)
{
	close(dfd);
	cu_tmp_teardown();
}

static void put(const char *name, const char *data, size_t n)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(xstd_write_all(fd, data, n), 0);
	close(fd);
}

static const char *hex_of(const unsigned char d[32])
{
	static char hex[65];

	xstd_hex(d, 32, hex);
	return hex;
}

START_TEST(test_vectors)
{
	unsigned char d[32];

	ck_assert_int_eq(hash_mem("abc", 3, d), 0);
	ck_assert_str_eq(hex_of(d),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(hash_mem("", 0, d), 0);
	ck_assert_str_eq(hex_of(d),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_file)
{
	struct hash *h = hash_new();
	unsigned char d[32];
	uint64_t bytes;
	char *big = malloc(1 << 20);
	size_t i;

	ck_assert_ptr_nonnull(h);
	put("abc", "abc", 3);
	ck_assert_int_eq(hash_file_at(h, dfd, "abc", 3, d, &bytes), HASH_OK);
	ck_assert_uint_eq(bytes, 3);
	ck_assert_str_eq(hex_of(d),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(hash_file_at(h, dfd, "abc", UINT64_MAX, d, &bytes), HASH_OK);
	/* larger than one read buffer, so the loop runs several times */
	for (i = 0; i < (1u << 20); i++) {
		big[i] = (char)(i * 7);
	}
	put("big", big, 1 << 20);
	ck_assert_int_eq(hash_file_at(h, dfd, "big", 1 << 20, d, &bytes), HASH_OK);
	ck_assert_uint_eq(bytes, 1 << 20);
	{
		unsigned char m[32];

		ck_assert_int_eq(hash_mem(big, 1 << 20, m), 0);
		ck_assert_mem_eq(d, m, 32);
	}
	put("empty", "", 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "empty", 0, d, &bytes), HASH_OK);
	ck_assert_str_eq(hex_of(d),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(big);
	hash_free(h);
}
END_TEST

/* What the walk listed is not what is there when the file is opened. */
START_TEST(test_replaced)
{
	struct hash *h = hash_new();
	unsigned char d[32];
	uint64_t bytes;

	put("grown", "abcd", 4);
	/* listed at 3 bytes, holds 4: changed, read no further than one byte past */
	ck_assert_int_eq(hash_file_at(h, dfd, "grown", 3, d, &bytes), HASH_CHANGED);
	ck_assert_int_eq(hash_file_at(h, dfd, "grown", 5, d, &bytes), HASH_CHANGED);
	ck_assert_int_eq(hash_file_at(h, dfd, "gone", 3, d, &bytes), HASH_VANISHED);
	ck_assert_int_eq(symlinkat("grown", dfd, "link"), 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "link", 4, d, &bytes), HASH_CHANGED);
	ck_assert_int_eq(mkdirat(dfd, "dir", 0755), 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "dir", 4, d, &bytes), HASH_CHANGED);
	hash_free(h);
}
END_TEST

/* A FIFO swapped in for a file: opened non-blocking, refused, never read (the test case
 * times out if the open or a read blocks). */
START_TEST(test_fifo_does_not_block)
{
	struct hash *h = hash_new();
	unsigned char d[32];
	uint64_t bytes;

	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "fifo", 0, d, &bytes), HASH_CHANGED);
	ck_assert_int_eq(hash_file_at(h, dfd, "fifo", UINT64_MAX, d, &bytes), HASH_CHANGED);
	ck_assert_uint_eq(bytes, 0);
	hash_free(h);
}
END_TEST

/* A deadline in the past stops a long read, so one huge file cannot overrun a sweep. */
START_TEST(test_deadline)
{
	struct hash *h = hash_new();
	unsigned char d[32];
	uint64_t bytes;
	int fd;

	fd = openat(dfd, "sparse", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)1 << 30), 0);
	close(fd);
	hash_set_deadline(h, 1);
	ck_assert_int_eq(hash_file_at(h, dfd, "sparse", (uint64_t)1 << 30, d, &bytes),
		HASH_TIMEOUT);
	ck_assert_uint_lt(bytes, (uint64_t)1 << 30);
	hash_set_deadline(h, 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "sparse", (uint64_t)1 << 30, d, &bytes), HASH_OK);
	ck_assert_uint_eq(bytes, (uint64_t)1 << 30);
	hash_free(h);
}
END_TEST

START_TEST(test_unreadable)
{
	struct hash *h;
	unsigned char d[32];
	uint64_t bytes;

	if (geteuid() == 0) {
		return; /* root reads mode 000 files */
	}
	h = hash_new();
	put("secret", "x", 1);
	ck_assert_int_eq(fchmodat(dfd, "secret", 0, 0), 0);
	ck_assert_int_eq(hash_file_at(h, dfd, "secret", 1, d, &bytes), -1);
	hash_free(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_replaced);
	tcase_add_test(tc, test_fifo_does_not_block);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_unreadable);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
