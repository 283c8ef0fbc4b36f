/*
 * Unit tests for report/deliver/deliver: one delivery session. Without a collector (a dead
 * loopback port): the report is spooled behind the older ones, a full spool drops the
 * oldest and says so in the next report, an unreadable spool file is moved aside, and a
 * report with neither collector nor spool is lost, loudly. With the real test collector
 * (tests/lib/collector.py, HTTPS on the loopback): the spool goes first, oldest first, then
 * the new report; a failure stops the flush and the new report is spooled behind the rest.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/deliver/deliver.h"
#include "report/report.h"
#include "base/buf.h"
#include "base/xstd.h"
#include "check_util.h"

/* What a session said, one "!" (problem) or "-" (progress) line per message. */
static struct buf said;
static char spool_dir[PATH_MAX];
static char url[128];

static void say(void *arg, bool problem, const char *msg)
{
	buf_addf(arg, "%c %s\n", problem ? '!' : '-', msg);
}

static void setup(void)
{
	cu_tmp_setup();
	cu_path(spool_dir, sizeof(spool_dir), cu_tmp, "spool");
	buf_init(&said, 1 << 20);
}

static void teardown(void)
{
	buf_free(&said);
	cu_tmp_teardown();
}

/* A loopback port nothing listens on: bound, read back, closed. */
static unsigned dead_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(close(fd), 0);
	return ntohs(a.sin_port);
}

/* Options for one try per report, the spool in the scratch directory, messages in @said. */
static void opts(struct deliver_opts *o, const char *to, uint64_t max_reports)
{
	deliver_opts_init(o);
	o->http.url = to;
	o->http.attempts = 1;
	o->http.connect_timeout_ms = 5000;
	o->http.timeout_ms = 10000;
	o->spool.dir = spool_dir;
	o->spool.max_reports = max_reports;
	o->say = say;
	o->say_arg = &said;
}

static struct report *new_report(int64_t finished_ms)
{
	struct report *r = report_new("0.1.0");

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(report_set_str(&r->hostname, "h1"), 0);
	r->started_ms = finished_ms - 10;
	r->finished_ms = finished_ms;
	report_add_source(r, "dpkg", REPORT_SRC_OK);
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

/* One whole session for a new report finished at @finished_ms; its id in @id. */
static struct deliver_result session(const struct deliver_opts *o, int64_t finished_ms,
	char id[37], int want_rc)
{
	struct report *r = new_report(finished_ms);
	struct deliver_result res;
	struct deliver *d = deliver_begin(o);

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(deliver_attach(d, r), 0);
	ck_assert_int_eq(deliver_report(d, r), want_rc);
	deliver_end(d, &res);
	memcpy(id, r->report_id, 37);
	report_free(r);
	return res;
}

/* The ids in the spool, oldest first, one per line. */
static char *spooled(const struct deliver_opts *o)
{
	struct spool_entry *v;
	struct spool *s;
	struct kerr err;
	struct buf b;
	size_t n, i;

	ck_assert_int_eq(spool_open(&o->spool, &s, &err), 0);
	ck_assert_int_eq(spool_list(s, &v, &n, &err), 0);
	buf_init(&b, 1 << 16);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s\n", v[i].id);
	}
	free(v);
	spool_close(s);
	return buf_take(&b, NULL);
}

static void expect_said(const char *what)
{
	ck_assert_msg(strstr(buf_str(&said), what) != NULL, "not said: %s\nsaid:\n%s", what,
		buf_str(&said));
}

START_TEST(test_opts_defaults)
{
	struct deliver_opts o;

	memset(&o, 0xa5, sizeof(o));
	deliver_opts_init(&o);
	ck_assert_int_eq(o.format, FMT_JSON);
	ck_assert(o.say == NULL);
	ck_assert_ptr_null(o.say_arg);
	ck_assert_ptr_null(o.http.url);
	ck_assert_uint_eq(o.http.attempts, 5);
	ck_assert_str_eq(o.spool.dir, "/var/spool/kscan");
	ck_assert_uint_eq(o.spool.max_reports, 1000);
}
END_TEST

/* Collector down: each report waits in the spool behind the older ones. */
START_TEST(test_unreachable_spools_in_order)
{
	char id1[37], id2[37], want[128], *got;
	struct deliver_result res;
	struct deliver_opts o;

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 10);
	res = session(&o, 2000, id1, 0);
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.waiting, 1);
	ck_assert_uint_eq(res.flushed, 0);
	ck_assert(!res.no_spool);
	expect_said("! report ");
	expect_said(" is in the spool ");
	/* the second report is newer but finished "earlier" by the clock: order is by time */
	res = session(&o, 1000, id2, 0);
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.waiting, 2);
	ck_assert_uint_eq(res.flushed, 0);
	got = spooled(&o);
	cu_fmt(want, sizeof(want), "%s\n%s\n", id2, id1);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* A full spool drops the oldest, and the next report carries the drop in its journal. */
START_TEST(test_full_spool_drops_oldest)
{
	char id1[37], id2[37], id3[37], id4[37], want[128], *got;
	struct deliver_result res;
	struct deliver_opts o;
	struct report *r;
	struct deliver *d;

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 2);
	(void)session(&o, 1000, id1, 0);
	(void)session(&o, 2000, id2, 0);
	res = session(&o, 3000, id3, 0);
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.dropped, 1);
	ck_assert_uint_eq(res.waiting, 2);
	expect_said("the spool is full: dropped the 1 oldest report(s)");
	got = spooled(&o);
	cu_fmt(want, sizeof(want), "%s\n%s\n", id2, id3);
	ck_assert_str_eq(got, want);
	free(got);
	r = new_report(4000);
	memcpy(id4, r->report_id, sizeof(id4));
	d = deliver_begin(&o);
	ck_assert_ptr_nonnull(d);
	ck_assert(deliver_spool_ok(d));
	ck_assert_int_eq(deliver_attach(d, r), 0);
	ck_assert_uint_eq(r->delivery.dropped.total, 1);
	ck_assert_uint_eq(r->delivery.dropped.n, 1);
	ck_assert_str_eq(r->delivery.dropped.v[0], id1);
	ck_assert_uint_eq(r->delivery.corrupt.total, 0);
	deliver_end(d, &res);
	report_free(r);
}
END_TEST

/* Neither collector nor spool: the report is lost, and that is an error that is said. */
START_TEST(test_no_spool_is_lost)
{
	struct deliver_result res;
	struct deliver_opts o;
	char id[37];

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 10);
	/* the spool's parent is a regular file: it can be neither made nor used */
	cu_write_at(cu_tmp, "file", "x", 0644);
	cu_path(spool_dir, sizeof(spool_dir), cu_tmp, "file/spool");
	res = session(&o, 1000, id, -1);
	ck_assert_int_eq(res.fate, DELIVER_LOST);
	ck_assert(res.no_spool);
	ck_assert_uint_eq(res.waiting, 0);
	expect_said("! the spool cannot be used: ");
	expect_said("cannot be spooled: it is lost");
}
END_TEST

/* A URL the client refuses (plain http): nothing is sent, the report is spooled. */
START_TEST(test_bad_url_spools)
{
	struct deliver_result res;
	struct deliver_opts o;
	char id[37], *got;

	opts(&o, "http://127.0.0.1/reports", 10);
	res = session(&o, 1000, id, 0);
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.waiting, 1);
	expect_said("! cannot deliver: ");
	got = spooled(&o);
	ck_assert_uint_eq(strlen(got), 37);
	ck_assert_int_eq(strncmp(got, id, 36), 0);
	free(got);
}
END_TEST

/* An unreadable spool file is moved aside as NAME.bad, counted, and named in the journal. */
START_TEST(test_corrupt_moved_aside)
{
	static const char bad_id[] = "0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b";
	char id[37], name[128], path[PATH_MAX];
	struct deliver_result res;
	struct deliver_opts o;
	struct report *r;
	struct deliver *d;

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 10);
	cu_mkdirs(spool_dir, 0700);
	cu_fmt(name, sizeof(name), "000000000000500-%s.report", bad_id);
	cu_write_at(spool_dir, name, "not a spool file\n", 0600);
	res = session(&o, 1000, id, 0);
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.corrupt, 1);
	ck_assert_uint_eq(res.waiting, 1);
	expect_said(" is unreadable (");
	cu_fmt(path, sizeof(path), "%s/%s.bad", spool_dir, name);
	ck_assert_int_eq(access(path, F_OK), 0);
	r = new_report(2000);
	d = deliver_begin(&o);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(deliver_attach(d, r), 0);
	ck_assert_uint_eq(r->delivery.corrupt.total, 1);
	ck_assert_uint_eq(r->delivery.dropped.total, 0);
	deliver_end(d, &res);
	report_free(r);
}
END_TEST

/* ---- With the real test collector ---- */

static char cdir[PATH_MAX];

/* Starts tests/lib/collector.py with a fresh self-signed certificate for 127.0.0.1; its
 * orders (one status per request) in @script. timeout(1) ends it if the test dies. */
static void collector_start(const char *script)
{
	const char *src = getenv("KSCAN_SRC");
	char port_path[PATH_MAX], *port;
	struct timespec pause = {0, 100 * 1000 * 1000};
	int i;

	ck_assert_msg(src != NULL, "KSCAN_SRC is not set: run through meson test");
	cu_path(cdir, sizeof(cdir), cu_tmp, "collector");
	cu_mkdirs(cdir, 0700);
	cu_sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	      " -keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1"
	      " -addext subjectAltName=IP:127.0.0.1 2>/dev/null", cdir);
	cu_write_at(cdir, "script", script, 0600);
	cu_sh("cd '%s' && (timeout 300 python3 '%s/tests/lib/collector.py' --dir . --cert cert.pem"
	      " --key key.pem >stdout 2>stderr & echo $! >pid)", cdir, src);
	cu_path(port_path, sizeof(port_path), cdir, "port");
	/* waiting for the server to listen, not timing it: 30 s is far beyond any start */
	for (i = 0; i < 300 && access(port_path, F_OK) != 0; i++) {
		nanosleep(&pause, NULL);
	}
	nanosleep(&pause, NULL);
	port = cu_read(port_path, NULL);
	cu_fmt(url, sizeof(url), "https://127.0.0.1:%s/reports", port);
	url[strcspn(url, "\n")] = '\0';
	free(port);
}

static void collector_stop(void)
{
	cu_sh("kill \"$(cat '%s/pid')\" 2>/dev/null || true", cdir);
}

/* The report ids the collector accepted (2xx), in the order it received them. */
static char *accepted(void)
{
	char cmd[PATH_MAX + 256];
	FILE *p;
	struct buf b;
	char line[256];

	cu_fmt(cmd, sizeof(cmd), "python3 -c 'import json,sys\n"
		"for l in open(sys.argv[1]):\n"
		"    r = json.loads(l)\n"
		"    if 200 <= r[\"status\"] < 300: print(\" \".join(r[\"report_ids\"]))' "
		"'%s/requests.jsonl'", cdir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	buf_init(&b, 1 << 16);
	while (fgets(line, sizeof(line), p) != NULL) {
		buf_adds(&b, line);
	}
	ck_assert_int_eq(pclose(p), 0);
	return buf_take(&b, NULL);
}

static void with_ca(struct deliver_opts *o, char *ca, size_t size)
{
	cu_path(ca, size, cdir, "cert.pem");
	o->http.ca_file = ca;
}

/* The spool goes first, oldest first, then the new report; the spool is left empty. */
START_TEST(test_collector_spool_first)
{
	char id1[37], id2[37], id3[37], want[256], ca[PATH_MAX], *got;
	struct deliver_result res;
	struct deliver_opts o;

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 10);
	(void)session(&o, 2000, id2, 0);
	(void)session(&o, 1000, id1, 0);
	collector_start("");
	opts(&o, url, 10);
	with_ca(&o, ca, sizeof(ca));
	res = session(&o, 3000, id3, 0);
	collector_stop();
	ck_assert_int_eq(res.fate, DELIVER_SENT);
	ck_assert_uint_eq(res.flushed, 2);
	ck_assert_uint_eq(res.waiting, 0);
	expect_said("- delivered 2 spooled report(s) to ");
	got = accepted();
	cu_fmt(want, sizeof(want), "%s\n%s\n%s\n", id1, id2, id3);
	ck_assert_str_eq(got, want);
	free(got);
	got = spooled(&o);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

/* The collector refuses the second spooled report: the flush stops there, and the new
 * report is spooled behind it rather than overtaking it. */
START_TEST(test_collector_failure_stops_flush)
{
	char id1[37], id2[37], id3[37], want[256], ca[PATH_MAX], *got;
	struct deliver_result res;
	struct deliver_opts o;

	cu_fmt(url, sizeof(url), "https://127.0.0.1:%u/reports", dead_port());
	opts(&o, url, 10);
	(void)session(&o, 1000, id1, 0);
	(void)session(&o, 2000, id2, 0);
	collector_start("200\n503\n");
	opts(&o, url, 10);
	with_ca(&o, ca, sizeof(ca));
	res = session(&o, 3000, id3, 0);
	collector_stop();
	ck_assert_int_eq(res.fate, DELIVER_SPOOLED);
	ck_assert_uint_eq(res.flushed, 1);
	ck_assert_uint_eq(res.waiting, 2);
	got = accepted();
	cu_fmt(want, sizeof(want), "%s\n", id1);
	ck_assert_str_eq(got, want);
	free(got);
	got = spooled(&o);
	cu_fmt(want, sizeof(want), "%s\n%s\n", id2, id3);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

static Suite *deliver_suite(void)
{
	Suite *s = suite_create("deliver");
	TCase *tc = tcase_create("offline");
	TCase *net = tcase_create("collector");

	tcase_add_test(tc, test_opts_defaults);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unreachable_spools_in_order);
	tcase_add_test(tc, test_full_spool_drops_oldest);
	tcase_add_test(tc, test_no_spool_is_lost);
	tcase_add_test(tc, test_bad_url_spools);
	tcase_add_test(tc, test_corrupt_moved_aside);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(net, setup, teardown);
	tcase_set_timeout(net, 120);
	tcase_add_test(net, test_collector_spool_first);
	tcase_add_test(net, test_collector_failure_stops_flush);
	suite_add_tcase(s, net);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(deliver_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
