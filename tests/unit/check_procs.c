/*
 * Unit tests for scanner/procs: the stat, status and /proc/stat parsers, a walk over a tree
 * laid out like /proc (kernel threads, zombies, processes gone mid-walk, cut names, deleted
 * executables), the identity check of procs_detail(), and the real /proc.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/probes/procs.h"
#include "base/xstd.h"
#include "check_util.h"

/* A stat line: pid, name, state, flags (field 9) and start time (field 22). */
static void fake_stat(char *out, size_t n, unsigned pid, const char *name, char state,
	unsigned long flags, unsigned long start)
{
	ck_assert_int_lt(snprintf(out, n, "%u (%s) %c 1 1 1 0 -1 %lu 10 0 0 0 2 3 0 0 20 0 1 0 %lu "
		"12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		pid, name, state, flags, start), (int)n);
}

/* ---- parsers ---- */

START_TEST(test_parse_stat)
{
	char line[512];
	struct procs_stat st;

	fake_stat(line, sizeof(line), 42, "klnagent", 'S', 4194560, 12345);
	ck_assert_int_eq(procs_parse_stat(line, strlen(line), &st), 0);
	ck_assert_str_eq(st.comm, "klnagent");
	ck_assert_int_eq(st.state, 'S');
	ck_assert_uint_eq(st.flags, 4194560);
	ck_assert_uint_eq(st.start_ticks, 12345);
	/* a name may hold ")", "(" and spaces: the last ")" ends it */
	fake_stat(line, sizeof(line), 7, "a) (b c", 'R', 0, 99);
	ck_assert_int_eq(procs_parse_stat(line, strlen(line), &st), 0);
	ck_assert_str_eq(st.comm, "a) (b c");
	ck_assert_int_eq(st.state, 'R');
	ck_assert_uint_eq(st.start_ticks, 99);
	/* a kernel worker's name is longer than 15 bytes */
	fake_stat(line, sizeof(line), 10, "kworker/0:0H-events_highpri", 'I', 0x208040, 18);
	ck_assert_int_eq(procs_parse_stat(line, strlen(line), &st), 0);
	ck_assert_str_eq(st.comm, "kworker/0:0H-events_highpri");
	ck_assert_uint_eq(st.flags & 0x00200000u, 0x00200000u);
}
END_TEST

static const char *const bad_stat[] = {
	"",
	"42 klnagent S 1",
	"42 (klnagent S 1 1 1",
	"42 (klnagent)",
	"42 (klnagent) ",
	"42 (klnagent)S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
	"42 (klnagent) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n",
	"42 (klnagent) S 1 1 1 0 -1 x 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
	"42 (klnagent) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5x\n",
	"42 (klnagent) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5\n",
	"42 (klnagent) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999\n",
	"42 (0123456789012345678901234567890123456789012345678901234567890123) S 1 1 1 0 -1 "
	"0 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
};

START_TEST(test_parse_stat_bad)
{
	struct procs_stat st;

	errno = 0;
	ck_assert_msg(procs_parse_stat(bad_stat[_i], strlen(bad_stat[_i]), &st) == -1,
		"accepted: %s", bad_stat[_i]);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_parse_status)
{
	static const char ok[] = "Name:\tklnagent\nUmask:\t0022\nState:\tS (sleeping)\n"
		"Uid:\t1000\t1001\t1002\t1003\nGid:\t5\t5\t5\t5\n";
	static const char *const bad[] = {
		"Name:\tx\n", "Uid:\n", "Uid:\tx\t1\n", "Uid:1000\t1\n", "Uid:\t4294967296\t1\n",
		"XUid:\t1\n",
	};
	uint32_t uid = 7;
	size_t i;

	ck_assert_int_eq(procs_parse_status_uid(ok, strlen(ok), &uid), 0);
	ck_assert_uint_eq(uid, 1000);
	ck_assert_int_eq(procs_parse_status_uid("Uid:\t0\t0\t0\t0", 12, &uid), 0);
	ck_assert_uint_eq(uid, 0);
	for (i = 0; i < XSTD_COUNTOF(bad); i++) {
		ck_assert_msg(procs_parse_status_uid(bad[i], strlen(bad[i]), &uid) == -1,
			"accepted: %s", bad[i]);
	}
}
END_TEST

START_TEST(test_parse_btime)
{
	static const char ok[] = "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5\nctxt 6\nbtime 1700000000\n"
		"processes 7\n";
	int64_t b = 0;

	ck_assert_int_eq(procs_parse_btime(ok, strlen(ok), &b), 0);
	ck_assert_int_eq(b, 1700000000);
	ck_assert_int_eq(procs_parse_btime("cpu 1\n", 6, &b), -1);
	ck_assert_int_eq(procs_parse_btime("btime \n", 7, &b), -1);
	ck_assert_int_eq(procs_parse_btime("btime -1\n", 9, &b), -1);
	ck_assert_int_eq(procs_parse_btime("btime 12x\n", 10, &b), -1);
	ck_assert_int_eq(procs_parse_btime("xbtime 12\n", 10, &b), -1);
}
END_TEST

/* ---- the walk, over a tree laid out like /proc ---- */

/* One fake process: its comm (NULL: none), exe link (NULL: none), stat and cmdline. */
static void fake_proc(unsigned pid, const char *comm, const char *exe, char state,
	unsigned long flags, const char *cmdline, size_t cmdlen)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	cu_fmt(path, sizeof(path), "%s/%u", cu_tmp, pid);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	if (comm != NULL) {
		cu_sh("printf '%%s\\n' '%s' > '%s/%u/comm'", comm, cu_tmp, pid);
		fake_stat(line, sizeof(line), pid, comm, state, flags, 12345);
		cu_fmt(path, sizeof(path), "%s/%u/stat", cu_tmp, pid);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fputs(line, f) >= 0, 1);
		ck_assert_int_eq(fclose(f), 0);
		cu_sh("printf 'Name:\\t%s\\nUid:\\t%u\\t0\\t0\\t0\\n' > '%s/%u/status'", comm,
			pid * 10, cu_tmp, pid);
	}
	if (exe != NULL) {
		cu_fmt(path, sizeof(path), "%s/%u/exe", cu_tmp, pid);
		ck_assert_int_eq(symlink(exe, path), 0);
	}
	if (cmdline != NULL) {
		cu_fmt(path, sizeof(path), "%s/%u/cmdline", cu_tmp, pid);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(cmdline, 1, cmdlen, f), cmdlen);
		ck_assert_int_eq(fclose(f), 0);
	}
}

/* Collects processes as "pid|comm|exe|kthread|argv0" lines. */
static int collect(void *ctx, const struct procs_info *p)
{
	buf_addf(ctx, "%u|%s|%s|%d|%s\n", p->pid, p->comm, p->exe != NULL ? p->exe : "-",
		p->kernel_thread, p->argv0 != NULL ? p->argv0 : "-");
	return 0;
}

static int open_dir(void)
{
	int fd = open(cu_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_scan_fixture)
{
	static const char argv[] = "/opt/kaspersky/ScanEngine/bin/klScanEngineUI-x\0--daemon\0";
	struct procs_sink sink;
	struct procs_counts c;
	struct kerr e;
	struct buf b;
	char *got;
	int fd;

	fake_proc(100, "klnagent", "/opt/kaspersky/klnagent64/sbin/klnagent", 'S', 0x400100,
		NULL, 0);
	fake_proc(200, "kworker/0:0H-events_highpri", NULL, 'I', 0x04208040, NULL, 0);
	/* exited after readdir: the directory is there, its files are not */
	fake_proc(300, NULL, NULL, 'S', 0, NULL, 0);
	/* a zombie has a name, but no executable: it runs nothing */
	fake_proc(400, "zombie", NULL, 'Z', 0x400000, NULL, 0);
	/* a 15-byte name may be cut: argv[0] says the rest */
	fake_proc(500, "klScanEngineUI-", "/opt/kaspersky/ScanEngine/bin/klScanEngineUI-x", 'S',
		0x400000, argv, sizeof(argv) - 1);
	fake_proc(600, "kesl", "/opt/kaspersky/kesl/libexec/kesl (deleted)", 'S', 0x400000,
		NULL, 0);
	/* not processes: other names in /proc */
	cu_sh("mkdir '%s/0123' '%s/net' && ln -s 600 '%s/self' && echo 'btime 1700000000' > "
		"'%s/stat'", cu_tmp, cu_tmp, cu_tmp, cu_tmp);
	fd = open_dir();
	buf_init(&b, 1 << 16);
	sink.proc = collect;
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(procs_scan(fd, &sink, &c, &e), 0);
	got = cu_sorted_lines(buf_str(&b));
	ck_assert_str_eq(got,
		"100|klnagent|/opt/kaspersky/klnagent64/sbin/klnagent|0|-\n"
		"200|kworker/0:0H-events_highpri|-|1|-\n"
		"500|klScanEngineUI-|/opt/kaspersky/ScanEngine/bin/klScanEngineUI-x|0|"
		"klScanEngineUI-x\n"
		"600|kesl|/opt/kaspersky/kesl/libexec/kesl (deleted)|0|-\n");
	ck_assert_uint_eq(c.processes, 4);
	ck_assert_uint_eq(c.kernel_threads, 1);
	ck_assert_uint_eq(c.vanished, 2);
	ck_assert_uint_eq(c.unreadable, 0);
	free(got);
	buf_free(&b);
	close(fd);
}
END_TEST

static int stop_at_second(void *ctx, const struct procs_info *p)
{
	int *n = ctx;

	(void)p;
	return ++*n == 2 ? 7 : 0;
}

START_TEST(test_scan_sink_stops)
{
	struct procs_sink sink;
	struct procs_counts c;
	struct kerr e;
	int fd, n = 0;

	fake_proc(1, "a", "/a", 'S', 0, NULL, 0);
	fake_proc(2, "b", "/b", 'S', 0, NULL, 0);
	fake_proc(3, "c", "/c", 'S', 0, NULL, 0);
	fd = open_dir();
	sink.proc = stop_at_second;
	sink.ctx = &n;
	kerr_clear(&e);
	ck_assert_int_eq(procs_scan(fd, &sink, &c, &e), -1);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e.code, KERR_INTERNAL);
	close(fd);
}
END_TEST

START_TEST(test_detail)
{
	struct procs_detail d;
	int64_t btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int fd;

	fake_proc(100, "klnagent", "/opt/x", 'S', 0, NULL, 0);
	fake_proc(400, "zombie", NULL, 'Z', 0, NULL, 0);
	cu_sh("printf 'cpu 1 2\\nbtime 1700000000\\n' > '%s/stat'", cu_tmp);
	fd = open_dir();
	ck_assert_int_eq(procs_btime(fd, &btime), 0);
	ck_assert_int_eq(btime, 1700000000);
	ck_assert_int_eq(procs_detail(fd, 100, "klnagent", btime, &d), 0);
	ck_assert_uint_eq(d.uid, 1000);
	ck_assert_int_eq(d.started_ms, INT64_C(1700000000000) + 12345 * 1000 / hz);
	/* the pid names another process now: not the one matched */
	errno = 0;
	ck_assert_int_eq(procs_detail(fd, 100, "kesl", btime, &d), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(procs_detail(fd, 400, "zombie", btime, &d), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(procs_detail(fd, 999, "gone", btime, &d), -1);
	ck_assert_int_eq(errno, ESRCH);
	/* boot time unknown: the start is unknown too */
	ck_assert_int_eq(procs_detail(fd, 100, "klnagent", -1, &d), 0);
	ck_assert_int_eq(d.started_ms, -1);
	close(fd);
}
END_TEST

/* ---- the real /proc ---- */

struct self_find {
	pid_t pid;
	char comm[64];
	char exe[PATH_MAX];
	bool found;
};

static int find_self(void *ctx, const struct procs_info *p)
{
	struct self_find *s = ctx;

	if ((pid_t)p->pid == s->pid) {
		s->found = true;
		ck_assert_uint_lt(strlen(p->comm), sizeof(s->comm));
		memcpy(s->comm, p->comm, strlen(p->comm) + 1);
		ck_assert_ptr_nonnull(p->exe);
		ck_assert_uint_lt(strlen(p->exe), sizeof(s->exe));
		memcpy(s->exe, p->exe, strlen(p->exe) + 1);
	}
	return 0;
}

START_TEST(test_live)
{
	char self[PATH_MAX];
	struct self_find f;
	struct procs_sink sink;
	struct procs_counts c;
	struct procs_detail d;
	struct kerr e;
	int64_t btime;
	ssize_t n;
	int fd;

	memset(&f, 0, sizeof(f));
	f.pid = getpid();
	kerr_clear(&e);
	fd = procs_open("/proc", &e);
	ck_assert_msg(fd >= 0, "%s", e.msg);
	sink.proc = find_self;
	sink.ctx = &f;
	ck_assert_int_eq(procs_scan(fd, &sink, &c, &e), 0);
	ck_assert(f.found);
	ck_assert_str_eq(f.comm, "check_procs");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	ck_assert_str_eq(f.exe, self);
	ck_assert_uint_ge(c.processes, 2);
	ck_assert_int_eq(procs_btime(fd, &btime), 0);
	ck_assert_int_eq(procs_detail(fd, (uint32_t)getpid(), "check_procs", btime, &d), 0);
	ck_assert_uint_eq(d.uid, getuid());
	ck_assert_int_ge(d.started_ms, btime * 1000);
	ck_assert_int_le(d.started_ms, (int64_t)time(NULL) * 1000 + 1000);
	close(fd);
}
END_TEST

/* A directory laid out like /proc is refused: the probe reads only the kernel's. */
START_TEST(test_open_checks_procfs)
{
	struct kerr e;
	char want[128];

	fake_proc(1, "init", "/sbin/init", 'S', 0, NULL, 0);
	kerr_clear(&e);
	ck_assert_int_eq(procs_open(cu_tmp, &e), -1);
	cu_fmt(want, sizeof(want), "%s is not the proc filesystem", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	kerr_clear(&e);
	ck_assert_int_eq(procs_open("/nonexistent-proc", &e), -1);
	ck_assert_str_eq(e.msg, "/nonexistent-proc: No such file or directory");
}
END_TEST

static Suite *procs_suite(void)
{
	Suite *s = suite_create("procs");
	TCase *parse = tcase_create("parse");
	TCase *walk = tcase_create("walk");
	TCase *live = tcase_create("live");

	tcase_add_test(parse, test_parse_stat);
	tcase_add_loop_test(parse, test_parse_stat_bad, 0, (int)XSTD_COUNTOF(bad_stat));
	tcase_add_test(parse, test_parse_status);
	tcase_add_test(parse, test_parse_btime);
	suite_add_tcase(s, parse);
	tcase_add_checked_fixture(walk, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(walk, test_scan_fixture);
	tcase_add_test(walk, test_scan_sink_stops);
	tcase_add_test(walk, test_detail);
	tcase_add_test(walk, test_open_checks_procfs);
	suite_add_tcase(s, walk);
	tcase_add_test(live, test_live);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(procs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
