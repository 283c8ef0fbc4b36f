/* Unit tests for scanner/mounts: the mountinfo parser, lookups and filesystem classes. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "scanner/deep/mounts.h"

static const char sample[] =
	"22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
	"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"24 22 0:22 / /sys rw,nosuid shared:2 master:3 - sysfs sysfs rw\n"
	"30 22 0:40 / /mnt/with\\040space\\012nl rw - tmpfs tmpfs rw\n"
	"31 22 0:41 /export /srv/nfs rw - nfs4 server:/export rw,vers=4.2\n"
	"32 22 0:42 / /srv/ssh rw - fuse.sshfs user@host:/ rw,user_id=0\n"
	"33 22 0:43 / /srv/nfs rw - tmpfs tmpfs rw\n"
	"34 22 0:44 / /empty\\134src rw - tmpfs  rw\n";

static struct mounts *parse(const char *text, struct kerr *e)
{
	kerr_clear(e);
	return mounts_parse(text, strlen(text), e);
}

START_TEST(test_parse_fields)
{
	const struct mounts_entry *m;
	struct mounts *t;
	struct kerr e;

	t = parse(sample, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_uint_eq(mounts_count(t), 8);
	m = mounts_get(t, 0);
	ck_assert_uint_eq(m->id, 22);
	ck_assert_uint_eq(m->parent, 1);
	ck_assert_uint_eq(m->major, 254);
	ck_assert_uint_eq(m->minor, 1);
	ck_assert_str_eq(m->root, "/");
	ck_assert_str_eq(m->point, "/");
	ck_assert_str_eq(m->fstype, "ext4");
	ck_assert_str_eq(m->source, "/dev/vda1");
	/* optional fields (shared:2 master:3) are skipped up to the separator */
	ck_assert_str_eq(mounts_get(t, 2)->fstype, "sysfs");
	/* octal escapes decode to the bytes of the path */
	ck_assert_str_eq(mounts_get(t, 3)->point, "/mnt/with space\nnl");
	ck_assert_str_eq(mounts_get(t, 4)->root, "/export");
	ck_assert_str_eq(mounts_get(t, 4)->source, "server:/export");
	ck_assert_str_eq(mounts_get(t, 7)->point, "/empty\\src");
	ck_assert_str_eq(mounts_get(t, 7)->source, "");
	ck_assert_str_eq(mounts_get(t, 7)->fstype, "tmpfs");
	mounts_free(t);
}
END_TEST

START_TEST(test_lookup)
{
	struct mounts *t;
	struct kerr e;

	t = parse(sample, &e);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(mounts_at(t, "/proc")->fstype, "proc");
	/* two mounts at /srv/nfs: the later one hides the earlier */
	ck_assert_str_eq(mounts_at(t, "/srv/nfs")->fstype, "tmpfs");
	ck_assert_ptr_null(mounts_at(t, "/srv"));
	ck_assert_ptr_null(mounts_at(t, "/proc/"));
	ck_assert_str_eq(mounts_by_id(t, 31)->fstype, "nfs4");
	ck_assert_ptr_null(mounts_by_id(t, 99));
	mounts_free(t);
}
END_TEST

START_TEST(test_classes)
{
	static const char *const pseudo[] = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup",
		"cgroup2", "securityfs", "debugfs", "tracefs", "bpf", "pstore", "configfs",
		"fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc"};
	static const char *const remote[] = {"nfs", "nfs4", "cifs", "smb3", "ceph",
		"glusterfs", "lustre", "fuse.sshfs", "9p"};
	static const char *const local[] = {"ext4", "xfs", "btrfs", "tmpfs", "overlay",
		"squashfs", "vfat", "fuse", "zfs", "ramfs"};
	size_t i;

	for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++) {
		ck_assert_msg(mounts_classify(pseudo[i]) == MOUNTS_PSEUDO, "%s", pseudo[i]);
	}
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		ck_assert_msg(mounts_classify(remote[i]) == MOUNTS_REMOTE, "%s", remote[i]);
	}
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		ck_assert_msg(mounts_classify(local[i]) == MOUNTS_LOCAL, "%s", local[i]);
	}
	ck_assert_int_eq(mounts_classify_magic(0x9fa0), MOUNTS_PSEUDO);
	ck_assert_int_eq(mounts_classify_magic(0x6969), MOUNTS_REMOTE);
	ck_assert_int_eq(mounts_classify_magic(0xef53), MOUNTS_LOCAL);
	ck_assert_str_eq(mounts_class_name(MOUNTS_REMOTE), "remote");
}
END_TEST

START_TEST(test_bad_lines)
{
	static const char *const bad[] = {
		"22 1 254:1 / / rw - ext4\n",                  /* no source, no options */
		"22 1 254:1 / / rw ext4 /dev/vda1 rw\n",       /* no separator */
		"x 1 254:1 / / rw - ext4 /dev/vda1 rw\n",      /* id not a number */
		"22 1 2541 / / rw - ext4 /dev/vda1 rw\n",      /* no major:minor */
		"22 1 254:1 relative / rw - ext4 a rw\n",      /* root not absolute */
		"22 1 254:1 / / rw - ext4 /dev/\\000 rw\n",     /* an escaped NUL */
		"22  1 254:1 / / rw - ext4 a rw\n",            /* an empty field */
		"\n",
	};
	struct mounts *t;
	struct kerr e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = parse(bad[i], &e);
		ck_assert_msg(t == NULL, "accepted: %s", bad[i]);
		ck_assert_int_eq(e.code, KERR_CORRUPT);
		ck_assert_ptr_nonnull(strstr(e.msg, "line 1"));
	}
}
END_TEST

START_TEST(test_long_line)
{
	size_t n = KS_MOUNTINFO_LINE_MAX + 16;
	char *big = malloc(n + 1);
	struct mounts *t;
	struct kerr e;

	memset(big, 'a', n);
	big[n] = '\0';
	t = parse(big, &e);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(e.code, KERR_LIMIT);
	free(big);
}
END_TEST

START_TEST(test_read_proc)
{
	struct mounts *t;
	struct kerr e;

	kerr_clear(&e);
	t = mounts_read(NULL, &e);
	if (t == NULL) {
		/* no /proc here: only the error is checked */
		ck_assert_int_eq(e.code, KERR_IO);
		return;
	}
	/* "/" need not be a mount point (a chroot of a directory is not); /proc, just read, is */
	ck_assert_uint_gt(mounts_count(t), 0);
	ck_assert_ptr_nonnull(mounts_at(t, "/proc"));
	mounts_free(t);
	t = mounts_read("/nonexistent/mountinfo", &e);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(e.code, KERR_IO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mounts");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_read_proc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
