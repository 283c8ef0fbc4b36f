/*
 * Unit tests for every writer: the native JSON report (report/fmt/fmt_json.c), the text
 * report (fmt_text.c), the dashboard formats (fmt_ecs.c, fmt_hec.c), the CycloneDX BOM
 * (fmt_cdx.c; tests/integration/formats-cyclonedx.sh checks it against the schema), OCSF
 * (fmt_ocsf.c; formats-ocsf.sh checks it against OCSF's files), the format table (fmt.c),
 * json_milli() and the delivery member of the native and text reports.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt/fmt.h"
#include "report/fmt/fmt_ecs.h"
#include "report/fmt/fmt_hec.h"
#include "report/fmt/json.h"
#include "base/xstd.h"

#define RID "6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07"
#define RID2 "0b9f2a4c-1d2e-4f30-9a8b-7c6d5e4f3a2b"

/* An evidence item of high confidence, every other member unset. */
static struct report_evidence ev_of(enum report_ev_kind kind, enum report_state state)
{
	struct report_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.confidence = REPORT_CONF_HIGH;
	ev.state = state;
	return ev;
}

/* A small detected report with every evidence kind the ECS fields draw on. */
static struct report *sample(const char *hostname)
{
	struct report *r = report_new("0.1.0");
	struct report_evidence ev;
	struct report_finding *f;
	struct report_source *s;

	ck_assert_ptr_nonnull(r);
	memcpy(r->report_id, RID, sizeof(RID));
	ck_assert_int_eq(report_set_str(&r->hostname, hostname), 0);
	ck_assert_int_eq(report_set_str(&r->machine_id, "0123456789abcdef0123456789abcdef"), 0);
	ck_assert_int_eq(report_set_str(&r->os_id, "debian"), 0);
	ck_assert_int_eq(report_set_str(&r->os_version_id, "12"), 0);
	ck_assert_int_eq(report_set_str(&r->os_pretty_name, "Debian GNU/Linux 12 (bookworm)"), 0);
	ck_assert_int_eq(report_set_str(&r->kernel, "6.1.0-18-amd64"), 0);
	ck_assert_int_eq(report_set_str(&r->root, "/"), 0);
	ck_assert_int_eq(report_set_str(&r->mode, "quick"), 0);
	r->started_ms = INT64_C(1795329705123);
	r->finished_ms = INT64_C(1795329706357);
	r->duration_ms = 1234;
	s = report_add_source(r, "dpkg", REPORT_SRC_OK);
	ck_assert_ptr_nonnull(s);
	report_source_count(s, "packages", 1234);
	f = report_finding(r, "kaspersky.kesl", "Kaspersky",
		"Kaspersky Endpoint Security for Linux", "apt-get purge kesl");
	ck_assert_ptr_nonnull(f);
	ev = ev_of(REPORT_EV_PACKAGE, REPORT_STATE_INSTALLED);
	ev.manager = "dpkg";
	ev.name = "kesl";
	ev.version = "12.0.0-6672";
	ev.arch = "amd64";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev = ev_of(REPORT_EV_HASH, REPORT_STATE_INSTALLER);
	ev.path = "/root/kesl.deb";
	ev.ftype = "file";
	ev.sha256 = "ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34";
	ev.size = 42;
	ev.has_size = true;
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev = ev_of(REPORT_EV_PROCESS, REPORT_STATE_RUNNING);
	ev.name = "kesl";
	ev.path = "/opt/kaspersky/kesl/libexec/kesl";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

static char *render_as(enum fmt_kind k, const struct report *r, bool pretty)
{
	struct fmt_opts o;
	struct buf b;
	char *s;

	fmt_opts_init(&o);
	o.pretty = pretty;
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(fmt_write(k, r, &b, &o), 0);
	s = buf_take(&b, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

static char *render(enum fmt_kind k, const struct report *r)
{
	return render_as(k, r, false);
}

static const char ecs_summary[] =
	"{\"@timestamp\":\"2026-11-22T06:41:46.357Z\",\"ecs\":{\"version\":\"8.11.0\"},\"agen"
	"t\":{\"type\":\"kscan\",\"version\":\"0.1.0\"},\"host\":{\"name\":\"web01\",\"hostna"
	"me\":\"web01\",\"id\":\"0123456789abcdef0123456789abcdef\",\"os\":{\"type\":\"linux"
	"\",\"platform\":\"debian\",\"version\":\"12\",\"full\":\"Debian GNU/Linux 12 (bookwo"
	"rm)\",\"kernel\":\"6.1.0-18-amd64\"}},\"data_stream\":{\"type\":\"logs\",\"dataset\""
	":\"kscan.scan\",\"namespace\":\"default\"},\"event\":{\"kind\":\"state\",\"category"
	"\":[\"host\"],\"type\":[\"info\"],\"module\":\"kscan\",\"dataset\":\"kscan.scan\",\""
	"id\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07\",\"outcome\":\"success\",\"start\":\"20"
	"26-11-22T06:41:45.123Z\",\"end\":\"2026-11-22T06:41:46.357Z\",\"duration\":123400000"
	"0},\"message\":\"kscan: detected, 1 finding(s)\",\"kscan\":{\"schema\":7,\"report_id"
	"\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07\",\"verdict\":\"detected\",\"findings\":1,"
	"\"scan\":{\"root\":\"/\",\"mode\":\"quick\",\"live\":false,\"started_at\":\"2026-11-"
	"22T06:41:45.123Z\",\"finished_at\":\"2026-11-22T06:41:46.357Z\",\"duration_ms\":1234"
	",\"sandbox\":{\"no_new_privs\":false,\"landlock_abi\":0}},\"signatures\":{\"packs\":"
	"[]},\"sources\":{\"dpkg\":{\"status\":\"ok\",\"counts\":{\"packages\":1234}}},\"erro"
	"rs\":[]}}\n";

static const char ecs_finding[] =
	"{\"@timestamp\":\"2026-11-22T06:41:46.357Z\",\"ecs\":{\"version\":\"8.11.0\"},\"agen"
	"t\":{\"type\":\"kscan\",\"version\":\"0.1.0\"},\"host\":{\"name\":\"web01\",\"hostna"
	"me\":\"web01\",\"id\":\"0123456789abcdef0123456789abcdef\",\"os\":{\"type\":\"linux"
	"\",\"platform\":\"debian\",\"version\":\"12\",\"full\":\"Debian GNU/Linux 12 (bookwo"
	"rm)\",\"kernel\":\"6.1.0-18-amd64\"}},\"data_stream\":{\"type\":\"logs\",\"dataset\""
	":\"kscan.finding\",\"namespace\":\"default\"},\"event\":{\"kind\":\"alert\",\"catego"
	"ry\":[\"file\",\"package\",\"process\"],\"type\":[\"info\"],\"module\":\"kscan\",\"d"
	"ataset\":\"kscan.finding\",\"id\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07:kaspersky.k"
	"esl\",\"severity\":4},\"rule\":{\"id\":\"kaspersky.kesl\",\"name\":\"Kaspersky Endpo"
	"int Security for Linux\",\"category\":\"Prohibited software\"},\"package\":{\"name\""
	":\"kesl\",\"version\":\"12.0.0-6672\",\"architecture\":\"amd64\",\"type\":\"deb\"},"
	"\"file\":{\"path\":\"/root/kesl.deb\",\"name\":\"kesl.deb\",\"directory\":\"/root\","
	"\"type\":\"file\",\"size\":42,\"hash\":{\"sha256\":\"ab12cd34ab12cd34ab12cd34ab12cd3"
	"4ab12cd34ab12cd34ab12cd34ab12cd34\"}},\"process\":{\"name\":\"kesl\",\"executable\":"
	"\"/opt/kaspersky/kesl/libexec/kesl\"},\"related\":{\"hash\":[\"ab12cd34ab12cd34ab12c"
	"d34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34\"]},\"kscan\":{\"schema\":7,\"report_id"
	"\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07\",\"verdict\":\"detected\",\"finding\":{\""
	"signature\":\"kaspersky.kesl\",\"vendor\":\"Kaspersky\",\"product\":\"Kaspersky Endp"
	"oint Security for Linux\",\"state\":\"running\",\"confidence\":\"high\",\"low_confid"
	"ence\":false,\"remove\":[],\"remove_hint\":\"apt-get purge kesl\",\"evidence_kinds\""
	":[\"hash\",\"package\",\"process\"],\"evidence\":[{\"kind\":\"package\",\"state\":\""
	"installed\",\"confidence\":\"high\",\"manager\":\"dpkg\",\"name\":\"kesl\",\"version"
	"\":\"12.0.0-6672\",\"arch\":\"amd64\"},{\"kind\":\"hash\",\"state\":\"installer\",\""
	"confidence\":\"high\",\"path\":\"/root/kesl.deb\",\"type\":\"file\",\"sha256\":\"ab1"
	"2cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34\",\"size\":42},{\"kind"
	"\":\"process\",\"state\":\"running\",\"confidence\":\"high\",\"name\":\"kesl\",\"pat"
	"h\":\"/opt/kaspersky/kesl/libexec/kesl\"}]}}}\n";

/* ck_assert_str_eq() cannot print long strings: show where they part instead. */
static void same(const char *got, const char *want)
{
	size_t i = 0;

	while (got[i] != '\0' && got[i] == want[i]) {
		i++;
	}
	ck_assert_msg(got[i] == want[i], "differ at byte %zu: got \"%.80s\", want \"%.80s\"", i,
		got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		n += *s == '\n';
	}
	return n;
}

START_TEST(test_ecs)
{
	struct report *r = sample("web01");
	size_t size = sizeof(ecs_summary) + sizeof(ecs_finding) + 256;
	char *out = render(FMT_ECS, r);
	char *want = malloc(size);

	ck_assert_ptr_nonnull(want);
	(void)snprintf(want, size, "%s%s", ecs_summary, ecs_finding);
	same(out, want);
	free(out);
	/* _bulk: a create action with a stable id before each event */
	out = render(FMT_ECS_BULK, r);
	(void)snprintf(want, size, "{\"create\":{\"_index\":\"logs-kscan.scan-default\",\"_id\":"
		"\"" RID "\"}}\n%s{\"create\":{\"_index\":\"logs-kscan.finding-default\",\"_id\":"
		"\"" RID ":kaspersky.kesl\"}}\n%s", ecs_summary, ecs_finding);
	same(out, want);
	free(out);
	free(want);
	report_free(r);
}
END_TEST

START_TEST(test_ecs_clean_incomplete)
{
	struct report *r = report_new("0.1.0");
	struct report_source *s;
	char *out;

	ck_assert_ptr_nonnull(r);
	memcpy(r->report_id, RID2, sizeof(RID2));
	s = report_add_source(r, "rpm", REPORT_SRC_FAILED);
	ck_assert_int_eq(report_source_error(s, "bad header"), 0);
	ck_assert_int_eq(report_finish(r), 0);
	out = render(FMT_ECS, r);
	/* one summary, no finding event, and an incomplete scan is a failed one */
	ck_assert_uint_eq(lines(out), 1);
	ck_assert(strstr(out, "\"outcome\":\"failure\"") != NULL);
	ck_assert(strstr(out, "\"verdict\":\"incomplete\",\"verdict_reason\":\"source rpm "
			      "failed: bad header\"") != NULL);
	ck_assert(strstr(out, "\"message\":\"kscan: incomplete, 0 finding(s)\"") != NULL);
	/* nothing known about the host: the host object has only what is certain */
	ck_assert(strstr(out, "\"host\":{\"os\":{\"type\":\"linux\"}}") != NULL);
	free(out);
	report_free(r);
}
END_TEST

static const char hec_scan[] =
	"{\"time\":1795329706.357,\"host\":\"web01\",\"source\":\"kscan\",\"sourcetype\":\"ksca"
	"n:scan\",\"fields\":{\"verdict\":\"detected\",\"host\":\"web01\"},\"event\":{\"sch"
	"ema\":7,\"report_id\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a291c07\""
	",\"verdict\":\"detected\",\"findings\":1,\"kscan\":{\"version\":\"0.1.0\"},\"host\":{\""
	"hostname\":\"web01\",\"machine_id\":\"0123456789abcdef0123456789abcdef\",\"os\":{\"id\""
	":\"debian\",\"version_id\":\"12\",\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\"},"
	"\"kernel\":\"6.1.0-18-amd64\"},\"scan\":{\"root\":\"/\",\"mode\":\"quick\",\"live\":fa"
	"lse,\"started_at\":\"2026-11-22T06:41:45.123Z\",\"finished_at\":\"2026-11-22T06:41:46."
	"357Z\",\"duration_ms\":1234,\"sandbox\":{\"no_new_privs\":false,\"landlock_abi\":0}},\""
	"signatures\":{\"packs\":[]},\"sources\":{\"dpkg\":{\"status\":\"ok\",\"counts\":{\"pac"
	"kages\":1234}}},\"errors\":[]}}\n";

static const char hec_finding[] =
	"{\"time\":1795329706.357,\"host\":\"web01\",\"source\":\"kscan\",\"sourcetype\":\"ks"
	"can:finding\",\"fields\":{\"verdict\":\"detected\",\"host\":\"web01\",\"product\":"
	"\"Kaspersky Endpoint Security for Linux\",\"state\":\"running\"},\"event\":{\"schema"
	"\":7,\"report_id\":\"6f1c2d0e-9b7a-4c3e-8f21-5d4b3a"
	"291c07\",\"verdict\":\"detected\",\"hostname\":\"web01\",\"machine_id\":\"0123456789"
	"abcdef0123456789abcdef\",\"finding\":{\"signature\":\"kaspersky.kesl\",\"vendor\":\""
	"Kaspersky\",\"product\":\"Kaspersky Endpoint Security for Linux\",\"state\":\"runnin"
	"g\",\"confidence\":\"high\",\"low_confidence\":false,\"remove\":[],\"remove_hint\":"
	"\"apt-get purge kesl\",\"evidence_kinds\":[\"hash\",\"package\",\"process\"],\"evide"
	"nce\":[{\"kind\":\"package\",\"state\":\"installed\",\"confidence\":\"high\",\"manag"
	"er\":\"dpkg\",\"name\":\"kesl\",\"version\":\"12.0.0-6672\",\"arch\":\"amd64\"},{\"k"
	"ind\":\"hash\",\"state\":\"installer\",\"confidence\":\"high\",\"path\":\"/root/kesl"
	".deb\",\"type\":\"file\",\"sha256\":\"ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd"
	"34ab12cd34ab12cd34\",\"size\":42},{\"kind\":\"process\",\"state\":\"running\",\"conf"
	"idence\":\"high\",\"name\":\"kesl\",\"path\":\"/opt/kaspersky/kesl/libexec/kesl\"}]}"
	"}}\n";

START_TEST(test_hec)
{
	struct report *r = sample("web01");
	char *out = render(FMT_HEC, r);
	char *want = malloc(sizeof(hec_scan) + sizeof(hec_finding));

	ck_assert_ptr_nonnull(want);
	(void)snprintf(want, sizeof(hec_scan) + sizeof(hec_finding), "%s%s", hec_scan,
		hec_finding);
	same(out, want);
	ck_assert_uint_eq(lines(out), 2);
	free(want);
	free(out);
	report_free(r);
}
END_TEST

/* HEC refuses unknown envelope members: a host name that is not UTF-8 stays in the event. */
START_TEST(test_hec_not_utf8)
{
	struct report *r = sample("web\xff");
	char *out = render(FMT_HEC, r);

	ck_assert_int_eq(strncmp(out, "{\"time\":1795329706.357,\"source\":\"kscan\",", 39), 0);
	ck_assert(strstr(out, "\"host\":{\"hostname\":\"web\xef\xbf\xbd\",\"hostname_b64\":"
			      "\"d2Vi/w==\"") != NULL);
	free(out);
	out = render(FMT_ECS, r);
	ck_assert(strstr(out, "\"host\":{\"name\":\"web\xef\xbf\xbd\",\"name_b64\":\"d2Vi/w==\"")
		!= NULL);
	free(out);
	report_free(r);
}
END_TEST

START_TEST(test_delivery_member)
{
	struct report *r = sample("web01");
	char *out;
	int i;

	out = render(FMT_JSON, r);
	ck_assert_ptr_null(strstr(out, "delivery"));
	free(out);
	ck_assert_int_eq(report_idlist_add(&r->delivery.dropped, RID2), 0);
	r->delivery.dropped.total += 4;
	/* one drop journaled before reasons were: the reasons add up to less than the count */
	r->delivery.dropped_why[REPORT_DROP_EVICTED] = 3;
	r->delivery.dropped_why[REPORT_DROP_UNWRITTEN] = 1;
	ck_assert_int_eq(report_idlist_add(&r->delivery.corrupt, "x.report.bad"), 0);
	out = render(FMT_JSON, r);
	ck_assert_str_eq(strstr(out, "\"delivery\""), "\"delivery\":{\"dropped\":{\"count\":5,"
		"\"reasons\":{\"evicted\":3,\"unwritten\":1},"
		"\"ids\":[\"" RID2 "\"]},\"corrupt\":{\"count\":1,\"files\":"
		"[\"x.report.bad\"]}}}\n");
	free(out);
	out = render(FMT_TEXT, r);
	ck_assert_str_eq(strstr(out, "\nDelivery:\n"), "\nDelivery:\n"
		"  5 undelivered report(s) dropped from the spool:\n"
		"    - " RID2 "\n"
		"    ... and 4 more not listed\n"
		"    why: evicted 3, unwritten 1\n"
		"  1 unreadable spool file(s) moved aside:\n"
		"    - x.report.bad\n");
	free(out);
	out = render(FMT_HEC, r);
	ck_assert(strstr(out, "\"errors\":[],\"delivery\":{\"dropped\":{\"count\":5") != NULL);
	free(out);
	/* the list is capped, the count is not */
	report_delivery_free(&r->delivery);
	for (i = 0; i < (int)KS_SPOOL_JOURNAL_IDS_MAX + 5; i++) {
		ck_assert_int_eq(report_idlist_add(&r->delivery.dropped, RID), 0);
	}
	ck_assert_uint_eq(r->delivery.dropped.n, KS_SPOOL_JOURNAL_IDS_MAX);
	ck_assert_uint_eq(r->delivery.dropped.total, KS_SPOOL_JOURNAL_IDS_MAX + 5);
	report_free(r);
}
END_TEST

START_TEST(test_milli)
{
	static const struct {
		int64_t ms;
		const char *s;
	} v[] = {
		{0, "0.000"}, {5, "0.005"}, {1000, "1.000"}, {-1, "-0.001"},
		{INT64_C(1795329706357), "1795329706.357"},
		{INT64_MIN, "-9223372036854775.808"}, {INT64_MAX, "9223372036854775.807"},
	};
	struct json j;
	struct buf b;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(v); i++) {
		buf_init(&b, 256);
		json_init(&j, &b, false);
		json_arr_begin(&j);
		json_milli(&j, v[i].ms);
		json_milli(&j, 1);
		json_arr_end(&j);
		ck_assert_int_eq(json_error(&j), 0);
		ck_assert_str_eq(strchr(buf_str(&b), ',') + 1, "0.001]");
		ck_assert_int_eq(strncmp(buf_str(&b) + 1, v[i].s, strlen(v[i].s)), 0);
		buf_free(&b);
	}
}
END_TEST

START_TEST(test_names)
{
	static const char *const names[] = {"json", "text", "ecs", "ecs-bulk", "splunk-hec",
		"cyclonedx", "ocsf"};
	enum fmt_kind k;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(names); i++) {
		ck_assert_int_eq(fmt_parse(names[i], &k), 0);
		ck_assert_str_eq(fmt_name(k), names[i]);
	}
	ck_assert_int_eq(fmt_parse("JSON", &k), -1);
	ck_assert_int_eq(fmt_parse("hec", &k), -1);
	ck_assert_str_eq(fmt_content_type(FMT_JSON), "application/json");
	ck_assert_str_eq(fmt_content_type(FMT_ECS), "application/x-ndjson");
	ck_assert_str_eq(fmt_content_type(FMT_ECS_BULK), "application/x-ndjson");
	ck_assert_str_eq(fmt_content_type(FMT_HEC), "application/json");
	ck_assert_str_eq(fmt_content_type(FMT_CDX), "application/vnd.cyclonedx+json; version=1.6");
	ck_assert_str_eq(fmt_content_type(FMT_OCSF), "application/x-ndjson");
}
END_TEST

START_TEST(test_too_big)
{
	struct report *r = sample("web01");
	struct fmt_opts o;
	struct buf b;

	fmt_opts_init(&o);
	buf_init(&b, 500);
	ck_assert_int_eq(fmt_write(FMT_ECS, r, &b, &o), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	buf_init(&b, 500);
	ck_assert_int_eq(fmt_write(FMT_HEC, r, &b, &o), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	buf_init(&b, 500);
	ck_assert_int_eq(fmt_write(FMT_CDX, r, &b, &o), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	buf_init(&b, 500);
	ck_assert_int_eq(fmt_write(FMT_OCSF, r, &b, &o), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	report_free(r);
}
END_TEST

/* @out holds @want; a failure shows both. */
static void has(const char *out, const char *want)
{
	ck_assert_msg(strstr(out, want) != NULL, "\"%s\" not in:\n%s", want, out);
}

/* A finding whose strings a hostile root chose: quotes, control bytes, bytes not UTF-8. */
static struct report *hostile(void)
{
	struct report *r = report_new("0.1.0");
	struct report_evidence ev;
	struct report_finding *f;

	ck_assert_ptr_nonnull(r);
	memcpy(r->report_id, RID2, sizeof(RID2));
	ck_assert_int_eq(report_set_str(&r->hostname, "evil\"host\x1b[31m"), 0);
	f = report_finding(r, "kaspersky.kesl", "Kaspersky", "KESL", NULL);
	ck_assert_ptr_nonnull(f);
	ev = ev_of(REPORT_EV_PATH, REPORT_STATE_REMNANT);
	ev.path = "/opt/a\"b\nc\\d\xff";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

/* The native writers on the sample the dashboard formats are checked with. */
START_TEST(test_native)
{
	struct report *r = sample("web01");
	char *out = render(FMT_JSON, r);

	ck_assert_int_eq(strncmp(out, "{\"schema\":7,\"report_id\":\"" RID "\",\"kscan\":"
			 "{\"version\":\"0.1.0\"},", 70), 0);
	ck_assert_uint_eq(lines(out), 1);
	has(out, "\"host\":{\"hostname\":\"web01\",\"machine_id\":"
		"\"0123456789abcdef0123456789abcdef\",");
	has(out, "\"sources\":{\"dpkg\":{\"status\":\"ok\",\"counts\":"
		"{\"packages\":1234}}}");
	has(out, "\"verdict\":\"detected\"");
	has(out, "\"findings\":[{\"signature\":\"kaspersky.kesl\",\"vendor\":"
		"\"Kaspersky\",\"product\":\"Kaspersky Endpoint Security for "
		"Linux\",\"state\":\"running\",");
	has(out, "{\"kind\":\"hash\",\"state\":\"installer\",\"confidence\":"
		"\"high\",\"path\":\"/root/kesl.deb\",\"type\":\"file\",\"sha256"
		"\":\"ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34"
		"\",\"size\":42}");
	free(out);
	out = render(FMT_TEXT, r);
	ck_assert_int_eq(strncmp(out, "== DETECTED == 1 product found (1 running); ", 44), 0);
	has(out, "\nkscan 0.1.0, report " RID "\n");
	has(out, "\nHost:       web01, Debian GNU/Linux 12 (bookworm)");
	has(out, "\nFindings (1):\n[1] Kaspersky Endpoint Security for Linux "
		"(kaspersky.kesl): running, high confidence\n");
	/* wrapped at 100 columns: the sha256 does not fit under the value column */
	has(out, "\n      installer  hash           high    /root/kesl.deb (file, 42 "
		"bytes, sha256\n          ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12"
		"cd34ab12cd34)\n");
	has(out, "\n    hint:     apt-get purge kesl\n");
	free(out);
	report_free(r);
}
END_TEST

/*
 * Hostile strings in both native writers: JSON escapes them (U+FFFD and a _b64 sibling for
 * bytes that are not UTF-8); text shows terminal escapes and line breaks, never acts on them.
 */
/*
 * Several items of a kind: ECS fields become arrays in evidence order, a field only when
 * every item has it (parallel arrays); sockets fill server.* and network.*, accounts
 * related.user.
 */
START_TEST(test_ecs_arrays)
{
	struct report *r = report_new("0.1.0");
	struct report_evidence ev;
	struct report_finding *f;
	char *out;

	ck_assert_ptr_nonnull(r);
	memcpy(r->report_id, RID, sizeof(RID));
	f = report_finding(r, "kaspersky.klnagent", "Kaspersky", "Network Agent", NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_finding_rule(f, "builtin:kaspersky-klnagent.yaml", "2026.11.22",
		"https://support.kaspersky.com/"), 0);
	ev = ev_of(REPORT_EV_SOCKET, REPORT_STATE_RUNNING);
	ev.proto = "tcp";
	ev.address = "0.0.0.0";
	ev.port = 15000;
	ev.pid = 7;
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev.proto = "udp";
	ev.address = "::";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev = ev_of(REPORT_EV_PROCESS, REPORT_STATE_RUNNING);
	ev.name = "klnagent";
	ev.pid = 7;
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev.name = "klnagent_watchdog";
	ev.pid = 0;
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ev = ev_of(REPORT_EV_ACCOUNT, REPORT_STATE_REMNANT);
	ev.account = "user";
	ev.name = "klnagent";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ck_assert_int_eq(report_finish(r), 0);
	out = render(FMT_ECS, r);
	has(out, "\"rule\":{\"id\":\"kaspersky.klnagent\",\"name\":\"Network Agent\",\"categ"
		"ory\":\"Prohibited software\",\"ruleset\":\"builtin:kaspersky-klnagent.yaml\","
		"\"version\":\"2026.11.22\",\"reference\":\"https://support.kaspersky.com/\"}");
	has(out, "\"process\":{\"name\":[\"klnagent\",\"klnagent_watchdog\"]}");
	has(out, "\"server\":{\"ip\":[\"0.0.0.0\",\"::\"],\"port\":[15000,15000]},\"network\":"
		"{\"transport\":[\"tcp\",\"udp\"],\"type\":[\"ipv4\",\"ipv6\"]}");
	has(out, "\"related\":{\"user\":[\"klnagent\"]}");
	free(out);
	report_free(r);
}
END_TEST

/* Index, source, sourcetype prefix and the indexed fields asked for; none when none asked. */
START_TEST(test_hec_opts)
{
	struct report *r = sample("web01");
	struct fmt_opts o;
	struct buf b;
	char *out;

	fmt_opts_init(&o);
	o.hec.index = "compliance";
	o.hec.source = "kscan-fleet";
	o.hec.sourcetype = "agency:kscan";
	o.hec.fields = FMT_HEC_SIGNATURE | FMT_HEC_REPORT_ID;
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(fmt_write(FMT_HEC, r, &b, &o), 0);
	out = buf_take(&b, NULL);
	has(out, "\"source\":\"kscan-fleet\",\"sourcetype\":\"agency:kscan:scan\",\"index\":"
		"\"compliance\",\"fields\":{\"report_id\":\"" RID "\"},\"event\"");
	has(out, "\"sourcetype\":\"agency:kscan:finding\",\"index\":\"compliance\",\"fields\":"
		"{\"report_id\":\"" RID "\",\"signature\":\"kaspersky.kesl\"},\"event\"");
	free(out);
	o.hec.fields = 0;
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(fmt_write(FMT_HEC, r, &b, &o), 0);
	out = buf_take(&b, NULL);
	ck_assert_ptr_null(strstr(out, "\"fields\""));
	free(out);
	report_free(r);
}
END_TEST

/* The BOM of the sample: its package's purl, the hashed installer and the host. */
START_TEST(test_cdx)
{
	struct report *r = sample("web01");
	char *out = render(FMT_CDX, r);

	ck_assert_int_eq(strncmp(out, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
			 "\"serialNumber\":\"urn:uuid:" RID "\"", 88), 0);
	ck_assert_uint_eq(lines(out), 1);
	has(out, "\"purl\":\"pkg:deb/debian/kesl@12.0.0-6672?arch=amd64&distro=debian-12\"");
	has(out, "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"ab12cd34");
	has(out, "\"technique\":\"hash-comparison\"");
	has(out, "\"technique\":\"dynamic-analysis\"");
	has(out, "\"name\":\"web01\"");
	has(out, "\"aggregate\":\"complete\"");
	free(out);
	report_free(r);
}
END_TEST

/* A hostile name stays inside its JSON string, and a purl is percent-encoded. */
START_TEST(test_cdx_hostile)
{
	struct report *r = report_new("0.1.0");
	struct report_evidence ev;
	struct report_finding *f;
	char *out;

	ck_assert_ptr_nonnull(r);
	memcpy(r->report_id, RID2, sizeof(RID2));
	ck_assert_int_eq(report_set_str(&r->os_id, "deb ian"), 0);
	f = report_finding(r, "kaspersky.kesl", "Kaspersky", "KESL", NULL);
	ck_assert_ptr_nonnull(f);
	ev = ev_of(REPORT_EV_PACKAGE, REPORT_STATE_INSTALLED);
	ev.manager = "dpkg";
	ev.name = "ke\"sl/x?y#z";
	ev.version = "1:2&3";
	ev.path = "/opt/a\"b\nc\\d\xff";
	ck_assert_int_eq(report_add_evidence(f, &ev), 0);
	ck_assert_int_eq(report_finish(r), 0);
	out = render(FMT_CDX, r);
	ck_assert_uint_eq(lines(out), 1);
	has(out, "\"purl\":\"pkg:deb/deb%20ian/ke%22sl%2Fx%3Fy%23z@1%3A2%263\"");
	ck_assert_ptr_null(strchr(out, '\xff'));
	free(out);
	report_free(r);
}
END_TEST

/*
 * OCSF: the sample's one Fail event puts each kind of evidence in its OCSF object (the
 * schema check of whole events is tests/integration/formats-ocsf.sh).
 */
START_TEST(test_ocsf)
{
	struct report *r = sample("web01");
	char *out = render(FMT_OCSF, r);

	ck_assert_int_eq(strncmp(out, "{\"activity_id\":1,\"activity_name\":\"Create\","
			 "\"category_uid\":2,", 53), 0);
	ck_assert_uint_eq(lines(out), 1);
	has(out, "\"class_uid\":2003,");
	has(out, "\"type_uid\":200301,");
	has(out, "\"status_id\":3,\"status\":\"Fail\"");
	has(out, "\"hashes\":[{\"algorithm_id\":3,\"algorithm\":\"SHA-256\",\"value\":\"ab12");
	has(out, "\"process\":{\"pid\":");
	has(out, "\"remediation\":{\"desc\":\"apt-get purge kesl");
	has(out, "\"correlation_uid\":\"" RID "\"");
	free(out);
	report_free(r);
}
END_TEST

START_TEST(test_native_hostile)
{
	struct report *r = hostile();
	char *out = render_as(FMT_JSON, r, true);

	ck_assert_uint_gt(lines(out), 10);
	has(out, "\"hostname\": \"evil\\\"host\\u001b[31m\"");
	/* not UTF-8: U+FFFD in the string, the exact bytes in a _b64 sibling */
	has(out, "\"path\": \"/opt/a\\\"b\\nc\\\\d\xef\xbf\xbd\",");
	has(out, "\"path_b64\": \"L29wdC9hImIKY1xk/w==\"");
	has(out, "\"state\": \"remnant\"");
	free(out);
	out = render(FMT_TEXT, r);
	ck_assert_msg(strstr(out, "\x1b") == NULL, "%s", out);
	ck_assert_int_eq(strncmp(out, "== DETECTED == 1 product found (1 remnant); ", 44), 0);
	has(out, "\nHost:       evil\"host\\x1b[31m\n");
	has(out, "\n      remnant    path           high    \"/opt/a\\\"b\\x0ac\\\\d"
		"\\xff\"\n");
	free(out);
	report_free(r);
}
END_TEST

static Suite *fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_native);
	tcase_add_test(tc, test_native_hostile);
	tcase_add_test(tc, test_ecs);
	tcase_add_test(tc, test_ecs_clean_incomplete);
	tcase_add_test(tc, test_hec);
	tcase_add_test(tc, test_hec_not_utf8);
	tcase_add_test(tc, test_hec_opts);
	tcase_add_test(tc, test_ecs_arrays);
	tcase_add_test(tc, test_cdx);
	tcase_add_test(tc, test_cdx_hostile);
	tcase_add_test(tc, test_ocsf);
	tcase_add_test(tc, test_delivery_member);
	tcase_add_test(tc, test_milli);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_too_big);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
