/* Unit tests for the configuration file (scanner/cli/conf.c) and its YAML reader (yread.c). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/cli/conf.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "check_util.h"

static const char full_config[] =
	"# every key\n"
	"root: /mnt/image\n"
	"signatures: [/etc/kscan/extra.yaml, /etc/kscan/packs.d]\n"
	"no_default_signatures: true\n"
	"format: ecs\n"
	"pretty: true\n"
	"output: /var/lib/kscan/last.json\n"
	"quiet: true\n"
	"log: syslog\n"
	"keys: /etc/kscan/keys\n"
	"require_signed: true\n"
	"deep: true\n"
	"jobs: 3\n"
	"paths: [/home, /srv]\n"
	"excludes: [/srv/backups]\n"
	"one_file_system: true\n"
	"include_remote: true\n"
	"max_file_size: 2TiB\n"
	"max_duration: 90m\n"
	"no_low_priority: true\n"
	"collector:\n"
	"  url: https://collector.example.org:8443/api/v1/reports?site=7\n"
	"  format: splunk-hec\n"
	"  ca_file: /etc/kscan/ca.pem\n"
	"  pinned_pubkey: \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
	"sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\"\n"
	"  client_cert: /etc/kscan/client.pem\n"
	"  client_key: /etc/kscan/client.key\n"
	"  token_file: /etc/kscan/token\n"
	"  auth_scheme: ApiKey\n"
	"  hmac_key_file: /etc/kscan/hmac.key\n"
	"  headers:\n"
	"    X-Fleet: lab-7\n"
	"    X-Site: \"north wing\"\n"
	"  compress: gzip\n"
	"  connect_timeout: 250ms\n"
	"  timeout: 2m\n"
	"  attempts: 7\n"
	"  backoff_base: 2s\n"
	"  backoff_cap: 1h\n"
	"  spool_dir: /var/spool/kscan-test\n"
	"  spool_max_reports: 42\n"
	"  spool_max_bytes: 8MiB\n"
	"  splay: 300\n";

/* Loads @text; @return the load's result. */
static int load(struct conf *c, const char *text, struct kerr *e)
{
	conf_init(c);
	kerr_clear(e);
	return conf_load_mem(c, "k.yaml", text, strlen(text), e);
}

/* collector.hec reaches the delivery options; the channel becomes a header. */
START_TEST(test_hec)
{
	struct deliver_opts d;
	struct conf c;
	struct kerr e;

	ck_assert_int_eq(load(&c, "collector:\n  format: splunk-hec\n  hec:\n"
		"    index: kscan_audit\n    source: fleet\n    sourcetype: \"gov:kscan\"\n"
		"    fields: [state, report_id]\n"
		"    channel: 0AEEAC95-ac74-4aa9-b30d-6c4c0ac581ba\n", &e), 0);
	conf_deliver_opts(&c, &d);
	ck_assert_str_eq(d.hec.index, "kscan_audit");
	ck_assert_str_eq(d.hec.source, "fleet");
	ck_assert_str_eq(d.hec.sourcetype, "gov:kscan");
	ck_assert_uint_eq(d.hec.fields, FMT_HEC_STATE | FMT_HEC_REPORT_ID);
	ck_assert_uint_eq(d.http.nheaders, 1);
	ck_assert_str_eq(d.http.headers[0].name, "X-Splunk-Request-Channel");
	ck_assert_str_eq(d.http.headers[0].value, "0AEEAC95-ac74-4aa9-b30d-6c4c0ac581ba");
	conf_free(&c);
	/* without the section: the defaults; an empty list turns indexed fields off */
	ck_assert_int_eq(load(&c, "collector: {format: splunk-hec}\n", &e), 0);
	conf_deliver_opts(&c, &d);
	ck_assert_ptr_null(d.hec.index);
	ck_assert_uint_eq(d.hec.fields, FMT_HEC_VERDICT | FMT_HEC_PRODUCT | FMT_HEC_STATE |
		FMT_HEC_HOST);
	conf_free(&c);
	ck_assert_int_eq(load(&c, "collector: {hec: {fields: []}}\n", &e), 0);
	ck_assert_uint_eq(c.hec_fields, 0);
	conf_free(&c);
	ck_assert_int_eq(load(&c, "collector: {ecs: {namespace: agency.north_1}}\n", &e), 0);
	conf_deliver_opts(&c, &d);
	ck_assert_str_eq(d.ecs_namespace, "agency.north_1");
	conf_free(&c);
}
END_TEST

START_TEST(test_full)
{
	struct deliver_opts d;
	struct conf c;
	struct kerr e;

	ck_assert_int_eq(load(&c, full_config, &e), 0);
	ck_assert_str_eq(c.root, "/mnt/image");
	ck_assert_uint_eq(c.signatures.n, 2);
	ck_assert_str_eq(c.signatures.v[0], "/etc/kscan/extra.yaml");
	ck_assert_str_eq(c.signatures.v[1], "/etc/kscan/packs.d");
	ck_assert(c.no_default_signatures && c.pretty && c.quiet && c.has_format);
	ck_assert_int_eq(c.format, FMT_ECS);
	ck_assert_str_eq(c.output, "/var/lib/kscan/last.json");
	ck_assert(c.has_log && c.log == LOG_SINK_SYSLOG);
	ck_assert_str_eq(c.keys, "/etc/kscan/keys");
	ck_assert(c.require_signed && c.deep && c.one_file_system && c.include_remote);
	ck_assert(c.no_low_priority);
	ck_assert_uint_eq(c.jobs, 3);
	ck_assert_uint_eq(c.paths.n, 2);
	ck_assert_str_eq(c.paths.v[1], "/srv");
	ck_assert_uint_eq(c.excludes.n, 1);
	ck_assert_str_eq(c.excludes.v[0], "/srv/backups");
	ck_assert_uint_eq(c.max_file_size, (uint64_t)2 << 40);
	ck_assert_uint_eq(c.max_duration_ms, 5400000);
	ck_assert_int_eq(c.collector_format, FMT_HEC);
	ck_assert_uint_eq(c.nheaders, 2);
	ck_assert_str_eq(c.headers[1].name, "X-Site");
	ck_assert_str_eq(c.headers[1].value, "north wing");
	conf_deliver_opts(&c, &d);
	ck_assert_str_eq(d.http.url, "https://collector.example.org:8443/api/v1/reports?site=7");
	ck_assert_int_eq(d.format, FMT_HEC);
	ck_assert_str_eq(d.http.ca_file, "/etc/kscan/ca.pem");
	ck_assert_str_eq(d.http.client_key, "/etc/kscan/client.key");
	ck_assert_str_eq(d.http.token_file, "/etc/kscan/token");
	ck_assert_str_eq(d.http.auth_scheme, "ApiKey");
	ck_assert_str_eq(d.http.hmac_key_file, "/etc/kscan/hmac.key");
	ck_assert(d.http.gzip);
	ck_assert_uint_eq(d.http.connect_timeout_ms, 250);
	ck_assert_uint_eq(d.http.timeout_ms, 120000);
	ck_assert_uint_eq(d.http.attempts, 7);
	ck_assert_uint_eq(d.http.backoff_base_ms, 2000);
	ck_assert_uint_eq(d.http.backoff_cap_ms, 3600000);
	ck_assert_str_eq(d.spool.dir, "/var/spool/kscan-test");
	ck_assert_uint_eq(d.spool.max_reports, 42);
	ck_assert_uint_eq(d.spool.max_bytes, 8u << 20);
	ck_assert_uint_eq(c.splay_ms, 300000);
	conf_free(&c);
}
END_TEST

START_TEST(test_defaults)
{
	static const char *const empty[] = {"", "# nothing set\n", "---\n", "\xef\xbb\xbf"};
	struct deliver_opts d;
	struct conf c;
	struct kerr e;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(empty); i++) {
		ck_assert_int_eq(load(&c, empty[i], &e), 0);
		conf_deliver_opts(&c, &d);
		ck_assert_ptr_null(d.http.url);
		ck_assert_ptr_null(c.root);
		ck_assert(!c.has_format && !c.gzip);
		ck_assert_int_eq(d.format, FMT_JSON);
		ck_assert_str_eq(d.http.auth_scheme, "Bearer");
		ck_assert_uint_eq(d.http.connect_timeout_ms, 10000);
		ck_assert_uint_eq(d.http.timeout_ms, 60000);
		ck_assert_uint_eq(d.http.attempts, 5);
		ck_assert_uint_eq(d.http.backoff_base_ms, 1000);
		ck_assert_uint_eq(d.http.backoff_cap_ms, 60000);
		ck_assert_str_eq(d.spool.dir, "/var/spool/kscan");
		ck_assert_uint_eq(d.spool.max_reports, 1000);
		ck_assert_uint_eq(d.spool.max_bytes, 64u << 20);
		ck_assert_uint_eq(c.splay_ms, 0);
		conf_free(&c);
	}
	/* splunk-hec without auth_scheme sends the token as "Splunk <token>" */
	ck_assert_int_eq(load(&c, "collector: {format: splunk-hec}\n", &e), 0);
	conf_deliver_opts(&c, &d);
	ck_assert_str_eq(d.http.auth_scheme, "Splunk");
	conf_free(&c);
}
END_TEST

/* A configuration and its first diagnostic, exactly. */
static const struct {
	const char *text;
	const char *diag;
} bad[] = {
	{"bogus: 1\n", "k.yaml:1:1: unknown key \"bogus\" at the top of the configuration"},
	{"log: journald\n", "k.yaml:1:6: \"log\" must be stderr or syslog, not \"journald\""},
	{"verbose: 3\n", "k.yaml:1:10: \"verbose\" must be from 0 to 2, not \"3\""},
	{"quiet: true\nverbose: 1\n", "k.yaml:1:1: quiet and verbose contradict each other"},
	{"jobs: 65\n", "k.yaml:1:7: \"jobs\" must be from 1 to 64, not \"65\""},
	{"max_duration: 31d\n", "k.yaml:1:15: expected a duration (10s, 250ms, 5m) for "
		"\"max_duration\", not \"31d\""},
	{"max_duration: 500ms\n", "k.yaml:1:15: \"max_duration\" must be from 1000 to "
		"2592000000 ms, not \"500ms\""},
	{"excludes: [srv]\n", "k.yaml:1:12: \"excludes\" must be an absolute path, not \"srv\""},
	{"collector:\n  urls: x\n", "k.yaml:2:3: unknown key \"urls\" in collector"},
	{"quiet: true\nquiet: false\n",
		"k.yaml:2:1: duplicate key \"quiet\" at the top of the configuration"},
	{"quiet: yes\n", "k.yaml:1:8: write true or false for \"quiet\", not \"yes\""},
	{"quiet: 1\n", "k.yaml:1:8: expected true or false for \"quiet\", got an integer"},
	{"root: 12\n", "k.yaml:1:7: expected a string for \"root\", got an integer (quote it)"},
	{"root: ~\n", "k.yaml:1:7: expected a string for \"root\", got null"},
	{"root: \"\"\n", "k.yaml:1:7: empty string for \"root\""},
	{"root: \"/a\\tb\"\n", "k.yaml:1:7: control character in the value for \"root\""},
	/* C1 controls (here U+0085) too, as in the packs: yread_text_ok() is shared */
	{"root: \"/a\\u0085b\"\n", "k.yaml:1:7: control character in the value for \"root\""},
	{"\"r\\\"t\": 1\n", "k.yaml:1:1: unknown key \"r\\\"t\" at the top of the configuration"},
	{"root: mnt/image\n", "k.yaml:1:7: \"root\" must be an absolute path, not \"mnt/image\""},
	{"signatures: /etc/x\n",
		"k.yaml:1:13: expected a sequence of paths for \"signatures\", got a string"},
	{"format: xml\n", "k.yaml:1:9: unknown format \"xml\" for \"format\" "
		"(json, text, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf)"},
	{"collector: {format: text}\n", "k.yaml:1:21: unknown format \"text\" for \"format\" "
		"(json, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf)"},
	{"collector: []\n", "k.yaml:1:12: expected a mapping for \"collector\", got a sequence"},
	{"collector: {hec: {index: _audit}}\n", "k.yaml:1:26: \"index\" must be a Splunk index "
		"name (lower-case letters, digits, _ and -, not first; at most 80 bytes), not "
		"\"_audit\""},
	{"collector: {hec: {sourcetype: \"a b\"}}\n", "k.yaml:1:31: \"sourcetype\" must be "
		"printable ASCII without spaces, at most 80 bytes"},
	{"collector: {hec: {fields: [verdict, os]}}\n", "k.yaml:1:37: unknown field \"os\" in "
		"\"fields\" (verdict, product, state, host, signature or report_id)"},
	{"collector: {hec: {channel: abc-1}}\n", "k.yaml:1:28: \"channel\" must be a GUID "
		"(0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba), not \"abc-1\""},
	{"collector: {ecs: {namespace: North-1}}\n", "k.yaml:1:30: \"namespace\" must be "
		"lower-case letters, digits, _ and ., at most 100 bytes (a data stream namespace), "
		"not \"North-1\""},
	{"collector: {hec: {hosts: x}}\n", "k.yaml:1:19: unknown key \"hosts\" in "
		"collector.hec"},
	{"collector:\n  headers: {X-Splunk-Request-Channel: a}\n  hec: {channel: "
		"0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba}\n", "k.yaml:3:18: duplicate header "
		"\"X-Splunk-Request-Channel\""},
	{"- a\n", "k.yaml:1:1: expected a mapping at the top of the configuration, got a "
		"sequence"},
	{"collector:\n  url: http://c.example/\n",
		"k.yaml:2:8: the collector URL must be https://, not \"http://c.example/\""},
	{"collector:\n  url: https://u:p@c.example/\n", "k.yaml:2:8: the collector URL must "
		"not hold a user name or password (use collector.token_file)"},
	{"collector:\n  url: \"https://\"\n", "k.yaml:2:8: invalid collector URL \"https://\": "
		"No host part in the URL"},
	{"collector: {pinned_pubkey: \"sha256//abc\"}\n", "k.yaml:1:28: \"pinned_pubkey\" must "
		"be sha256//<base64 of the key's sha256>, several joined by \";\""},
	{"collector: {pinned_pubkey: /etc/kscan/server.pem}\n", "k.yaml:1:28: "
		"\"pinned_pubkey\" must be sha256//<base64 of the key's sha256>, several joined "
		"by \";\""},
	{"collector: {auth_scheme: \"Bearer x\"}\n", "k.yaml:1:26: \"auth_scheme\" must be "
		"one word (Bearer, ApiKey, Splunk...)"},
	{"collector: {headers: {Authorization: x}}\n", "k.yaml:1:23: header \"Authorization\" "
		"is set by kscan itself (use token_file and auth_scheme)"},
	{"collector: {headers: {idempotency-key: x}}\n",
		"k.yaml:1:23: header \"idempotency-key\" is set by kscan itself"},
	{"collector: {headers: {\"X A\": x}}\n",
		"k.yaml:1:23: \"X A\" is not a valid header name"},
	{"collector: {headers: {X-A: a, x-a: b}}\n", "k.yaml:1:31: duplicate header \"x-a\""},
	{"collector: {headers: {X-A: \"caf\xc3\xa9\"}}\n",
		"k.yaml:1:28: header \"X-A\": only printable ASCII is allowed in a value"},
	{"collector: {headers: [a]}\n", "k.yaml:1:22: expected a mapping of header names to "
		"values for \"headers\", got a sequence"},
	{"collector: {compress: zstd}\n",
		"k.yaml:1:23: \"compress\" must be gzip or none, not \"zstd\""},
	{"collector: {timeout: 10 s}\n",
		"k.yaml:1:22: expected a duration (10s, 250ms, 5m) for \"timeout\", not \"10 s\""},
	{"collector: {timeout: 1.5}\n", "k.yaml:1:22: expected a duration (10s, 250ms, 5m) "
		"for \"timeout\", got a number"},
	{"collector: {timeout: 0}\n",
		"k.yaml:1:22: \"timeout\" must be from 1 to 3600000 ms, not \"0\""},
	{"collector: {timeout: 2h}\n",
		"k.yaml:1:22: \"timeout\" must be from 1 to 3600000 ms, not \"2h\""},
	{"collector: {splay: 99999999999999999999}\n", "k.yaml:1:20: \"splay\" must be from 0 "
		"to 86400000 ms, not \"99999999999999999999\""},
	{"collector: {attempts: 0}\n", "k.yaml:1:23: \"attempts\" must be from 1 to 20, not "
		"\"0\""},
	{"collector: {attempts: 0x10}\n",
		"k.yaml:1:23: expected a whole number for \"attempts\", not \"0x10\""},
	{"collector: {spool_max_bytes: 1KiB}\n", "k.yaml:1:30: \"spool_max_bytes\" must be "
		"from 4096 to 4294967296 bytes, not \"1KiB\""},
	{"collector: {spool_max_bytes: 5TB}\n", "k.yaml:1:30: expected a size (1048576, "
		"64MiB) for \"spool_max_bytes\", not \"5TB\""},
	{"collector: {client_cert: /c.pem}\n",
		"k.yaml:1:12: client_cert and client_key go together in collector"},
	{"collector: {backoff_base: 10s, backoff_cap: 5s}\n",
		"k.yaml:1:12: backoff_cap is less than backoff_base in collector"},
	{"root: &r /a\noutput: *r\n", "k.yaml:1:7: anchors are not allowed in the configuration"},
	{"output: !!str /a\n", "k.yaml:1:9: tags are not allowed in the configuration"},
	{"quiet: true\n---\nquiet: false\n",
		"k.yaml:2:1: the configuration is one YAML document; found another here"},
	{"root: '/a\n", "k.yaml:2:1: syntax error: found unexpected end of stream (while "
		"scanning a quoted scalar that starts at 1:7)"},
	{"root: \"\xff\"\n", "k.yaml:1:8: not a valid utf-8 text file: invalid leading utf-8 "
		"octet"},
	{"? [a]\n: 1\n",
		"k.yaml:1:3: keys must be strings at the top of the configuration, got a sequence"},
};

START_TEST(test_bad)
{
	struct conf c;
	struct kerr e;

	ck_assert_int_eq(load(&c, bad[_i].text, &e), -1);
	ck_assert_uint_ge(c.ndiags, 1);
	ck_assert_str_eq(c.diags[0], bad[_i].diag);
	ck_assert_str_eq(e.msg, bad[_i].diag);
	ck_assert(e.code == KERR_INPUT || e.code == KERR_LIMIT);
	conf_free(&c);
}
END_TEST

/* One pass shows every mistake, in file order. */
START_TEST(test_every_problem)
{
	static const char text[] = "quiet: yes\nbogus: 1\ncollector:\n  attempts: 99\n"
		"  url: ftp://x/\n";
	struct conf c;
	struct kerr e;

	ck_assert_int_eq(load(&c, text, &e), -1);
	ck_assert_uint_eq(c.ndiags, 4);
	ck_assert_str_eq(c.diags[1], "k.yaml:2:1: unknown key \"bogus\" at the top of the "
		"configuration");
	ck_assert_str_eq(c.diags[2], "k.yaml:4:13: \"attempts\" must be from 1 to 20, not \"99\"");
	ck_assert_str_eq(c.diags[3], "k.yaml:5:8: the collector URL must be https://, not "
		"\"ftp://x/\"");
	conf_free(&c);
}
END_TEST

/* An alias bomb is refused at the first alias, whatever it would expand to. */
START_TEST(test_alias_bomb)
{
	static const char text[] = "a: &a [x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	struct conf c;
	struct kerr e;

	ck_assert_int_eq(load(&c, text, &e), -1);
	ck_assert_str_eq(c.diags[0], "k.yaml:1:1: unknown key \"a\" at the top of the "
		"configuration");
	ck_assert_str_eq(c.diags[1], "k.yaml:1:4: anchors are not allowed in the configuration");
	ck_assert_str_eq(c.diags[3], "k.yaml:2:4: anchors are not allowed in the configuration");
	conf_free(&c);
}
END_TEST

START_TEST(test_caps)
{
	struct conf c;
	struct kerr e;
	struct buf b;
	unsigned i;

	/* a scalar past KS_CONFIG_SCALAR_MAX */
	buf_init(&b, 1 << 20);
	buf_adds(&b, "root: /");
	for (i = 0; i < KS_CONFIG_SCALAR_MAX; i++) {
		buf_addc(&b, 'a');
	}
	buf_addc(&b, '\n');
	ck_assert_int_eq(load(&c, buf_str(&b), &e), -1);
	ck_assert_str_eq(c.diags[0], "k.yaml:1:7: value longer than 4096 bytes");
	ck_assert_int_eq(e.code, KERR_LIMIT);
	conf_free(&c);
	/* more headers than KS_HTTP_HEADERS_MAX */
	buf_reset(&b);
	buf_adds(&b, "collector:\n  headers:\n");
	for (i = 0; i <= KS_HTTP_HEADERS_MAX; i++) {
		buf_addf(&b, "    X-H%u: v\n", i);
	}
	ck_assert_int_eq(load(&c, buf_str(&b), &e), -1);
	ck_assert_str_eq(c.diags[0], "k.yaml:35:5: more than 32 headers");
	conf_free(&c);
	/* more diagnostics than KS_CONFIG_DIAGS_MAX: the last says the load stopped */
	buf_reset(&b);
	for (i = 0; i < 2 * KS_CONFIG_DIAGS_MAX; i++) {
		buf_addf(&b, "k%u: 1\n", i);
	}
	ck_assert_int_eq(load(&c, buf_str(&b), &e), -1);
	ck_assert_uint_eq(c.ndiags, KS_CONFIG_DIAGS_MAX);
	ck_assert_str_eq(c.diags[KS_CONFIG_DIAGS_MAX - 1],
		"k.yaml:64:1: too many errors, stopping here");
	conf_free(&c);
	/* a file past KS_CONFIG_FILE_MAX is refused before parsing */
	conf_init(&c);
	ck_assert_int_eq(conf_load_mem(&c, "k.yaml", "", KS_CONFIG_FILE_MAX + 1, &e), -1);
	ck_assert_str_eq(e.msg, "k.yaml:1:1: the configuration is larger than 1048576 bytes");
	conf_free(&c);
	/* nesting past KS_CONFIG_DEPTH_MAX stops the load, wherever it is */
	ck_assert_int_eq(load(&c, "x: [[[[[[[1]]]]]]]\n", &e), -1);
	ck_assert_uint_eq(c.ndiags, 2);
	ck_assert_str_eq(c.diags[1], "k.yaml:1:9: nesting deeper than 6 levels");
	ck_assert_int_eq(e.code, KERR_INPUT);
	conf_free(&c);
	buf_free(&b);
}
END_TEST

START_TEST(test_duration)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t ms;
	} v[] = {
		{"0", 0, 0}, {"10", 0, 10000}, {"250ms", 0, 250}, {"3s", 0, 3000},
		{"5m", 0, 300000}, {"1h", 0, 3600000}, {"24h", 0, 86400000}, {"86400", 0, 86400000},
		{"25h", -1, 0}, {"86401", -1, 0}, {"", -1, 0}, {"ms", -1, 0}, {"1.5s", -1, 0},
		{"-1", -1, 0}, {"1 s", -1, 0}, {"1d", -1, 0}, {"1S", -1, 0},
		{"99999999999999999999ms", -1, 0},
	};
	uint64_t ms;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(v); i++) {
		ms = 12345;
		ck_assert_msg(conf_parse_duration(v[i].s, &ms) == v[i].rc, "%s", v[i].s);
		ck_assert_uint_eq(ms, v[i].rc == 0 ? v[i].ms : 12345);
	}
}
END_TEST

static void write_file(const char *name, const char *text, mode_t mode, char *path)
{
	cu_path(path, 256, cu_tmp, name);
	cu_write(path, text, strlen(text), mode);
}

START_TEST(test_files)
{
	char path[256];
	struct conf c;
	struct kerr e;

	write_file("ok.yaml", "quiet: true\n", 0644, path);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), 0);
	ck_assert(c.quiet);
	conf_free(&c);

	write_file("bad.yaml", "quiet: maybe\n", 0600, path);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_uint_eq(c.ndiags, 1);
	ck_assert(strstr(c.diags[0], "/bad.yaml:1:8: expected true or false") != NULL);
	conf_free(&c);

	/* others could change where reports go: refused */
	write_file("open.yaml", "quiet: true\n", 0664, path);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "group or others may write it (mode 0664): refused") != NULL);
	conf_free(&c);

	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert(strstr(e.msg, "owned by uid 65534") != NULL);
	conf_free(&c);

	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, cu_tmp, &e), -1);
	ck_assert(strstr(e.msg, "not a regular file") != NULL);
	conf_free(&c);

	/* a named file that does not exist is an error */
	cu_path(path, sizeof(path), cu_tmp, "missing.yaml");
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, path, &e), -1);
	ck_assert_int_eq(e.code, KERR_IO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	conf_free(&c);

	/* the default file may be missing (only checked where it is) */
	if (access(CONF_DEFAULT_PATH, F_OK) != 0 && errno == ENOENT) {
		conf_init(&c);
		ck_assert_int_eq(conf_load(&c, NULL, &e), 0);
		ck_assert_uint_eq(c.ndiags, 0);
		conf_free(&c);
	}
}
END_TEST

/* Loads @text as file NAME.yaml; @return conf_load()'s result, its message in @e. */
static int load_named(const char *text, struct kerr *e)
{
	char path[256];
	struct conf c;
	int rc;

	write_file("named.yaml", text, 0600, path);
	conf_init(&c);
	kerr_clear(e);
	rc = conf_load(&c, path, e);
	conf_free(&c);
	return rc;
}

/* Every file the configuration names is checked on load, with its line and column. */
START_TEST(test_named_files)
{
	char text[1024], key[256], ca[256];
	struct kerr e;

	write_file("ca.pem", "x\n", 0644, ca);
	write_file("client.key", "x\n", 0644, key);
	cu_fmt(text, sizeof(text), "collector:\n  ca_file: %s\n", ca);
	ck_assert_int_eq(load_named(text, &e), 0);
	cu_fmt(text, sizeof(text), "collector:\n  url: https://c.example/r\n  ca_file: %s/none\n",
		cu_tmp);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "/named.yaml:3:12: \"ca_file\" ") != NULL);
	ck_assert(strstr(e.msg, "/none does not exist") != NULL);
	cu_fmt(text, sizeof(text), "collector:\n  ca_file: %s\n", cu_tmp);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, ":2:12: \"ca_file\" ") != NULL);
	ck_assert(strstr(e.msg, " is not a regular file") != NULL);
	/* a key others may read */
	cu_fmt(text, sizeof(text), "collector:\n  client_cert: %s\n  client_key: %s\n", ca, key);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, ":3:15: \"client_key\" ") != NULL);
	ck_assert(strstr(e.msg, "has mode 0644: group and others must have no access") != NULL);
	ck_assert_int_eq(chmod(key, 0600), 0);
	ck_assert_int_eq(chown(key, 65534, 65534), 0);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, "is owned by uid 65534") != NULL);
	/* the spool's parent and the output's directory must exist */
	cu_fmt(text, sizeof(text), "collector:\n  spool_dir: %s/no/spool\n", cu_tmp);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, ":2:14: \"spool_dir\" ") != NULL);
	cu_fmt(text, sizeof(text), "collector:\n  spool_dir: %s/spool\n", cu_tmp);
	ck_assert_int_eq(load_named(text, &e), 0);
	cu_fmt(text, sizeof(text), "output: %s/no/r.json\n", cu_tmp);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, ":1:9: \"output\" ") != NULL);
	cu_fmt(text, sizeof(text), "keys: %s/nokeys\n", cu_tmp);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, ":1:7: \"keys\" ") != NULL);
	/* the keys decide which packs are trusted: a directory nobody else may write */
	cu_fmt(text, sizeof(text), "keys: %s\n", ca);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, " is not a directory") != NULL);
	cu_fmt(key, sizeof(key), "%s/openkeys", cu_tmp);
	ck_assert_int_eq(mkdir(key, 0700), 0);
	ck_assert_int_eq(chmod(key, 0770), 0);
	cu_fmt(text, sizeof(text), "keys: %s\n", key);
	ck_assert_int_eq(load_named(text, &e), -1);
	ck_assert(strstr(e.msg, "is writable by group or others (mode 0770)") != NULL);
	ck_assert_int_eq(chmod(key, 0755), 0);
	ck_assert_int_eq(load_named(text, &e), 0);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");
	TCase *files = tcase_create("files");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_hec);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_bad, 0, (int)XSTD_COUNTOF(bad));
	tcase_add_test(tc, test_every_problem);
	tcase_add_test(tc, test_alias_bomb);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_duration);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_files);
	tcase_add_test(files, test_named_files);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
