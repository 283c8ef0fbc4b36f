/* Unit tests for the spool of undelivered reports (report/deliver/spool.c). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/deliver/spool.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "check_util.h"

#define ID1 "11111111-1111-4111-8111-111111111111"
#define ID2 "22222222-2222-4222-8222-222222222222"
#define ID3 "33333333-3333-4333-8333-333333333333"
#define BODY "{\"schema\":2,\"report_id\":\"" ID1 "\"}\n"

static char sdir[PATH_MAX];

static void setup(void)
{
	cu_tmp_setup();
	cu_path(sdir, sizeof(sdir), cu_tmp, "spool");
}

static void opts(struct spool_opts *o, uint64_t max_reports, uint64_t max_bytes)
{
	spool_opts_init(o);
	o->dir = sdir;
	o->max_reports = max_reports;
	o->max_bytes = max_bytes;
}

/* A spool file for BODY, in @b. */
static void valid_file(struct buf *b)
{
	buf_init(b, 1 << 20);
	ck_assert_int_eq(spool_format(b, ID1, 1795329739065, FMT_JSON, BODY, strlen(BODY)), 0);
}

START_TEST(test_format_parse)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(spool_format(&b, ID2, 42, FMT_ECS_BULK, "a\nb\n", 4), 0);
	ck_assert_str_eq(buf_str(&b), "KSCAN-SPOOL 1\nid " ID2 "\ncreated 42\nformat ecs-bulk\n"
		"length 4\nsha256 "
		"4c8bf916d623f3c8c9460b33d8a834922a32b65354b30a256ebbc7bf634f31ae\n\na\nb\n");
	buf_free(&b);
}
END_TEST

START_TEST(test_parse_roundtrip)
{
	struct spool_item it;
	struct kerr e;
	struct buf b;

	valid_file(&b);
	kerr_clear(&e);
	ck_assert_int_eq(spool_parse(buf_str(&b), buf_len(&b), &it, &e), 0);
	ck_assert_str_eq(it.id, ID1);
	ck_assert_int_eq(it.created_ms, 1795329739065);
	ck_assert_int_eq(it.format, FMT_JSON);
	ck_assert_uint_eq(it.len, strlen(BODY));
	ck_assert_int_eq(memcmp(it.body, BODY, it.len), 0);
	buf_free(&b);
}
END_TEST

/* Every truncation of a valid file is caught, whatever byte it stops at. */
START_TEST(test_every_truncation)
{
	struct spool_item it;
	struct kerr e;
	struct buf b;
	size_t n;

	valid_file(&b);
	for (n = 0; n < buf_len(&b); n++) {
		kerr_clear(&e);
		ck_assert_msg(spool_parse(buf_str(&b), n, &it, &e) == -1, "%zu bytes", n);
		ck_assert_int_eq(e.code, KERR_CORRUPT);
	}
	ck_assert_int_eq(spool_parse(buf_str(&b), buf_len(&b) - 1, &it, &e), -1);
	ck_assert_str_eq(e.msg, "truncated: 63 body bytes, the header says 64");
	buf_addc(&b, 'x');
	ck_assert_int_eq(spool_parse(buf_str(&b), buf_len(&b), &it, &e), -1);
	ck_assert_str_eq(e.msg, "trailing data: 65 body bytes, the header says 64");
	buf_free(&b);
}
END_TEST

/* One changed byte anywhere: the header says so, or the sha256 does. */
START_TEST(test_every_flip)
{
	struct spool_item it;
	struct kerr e;
	struct buf b;
	char *copy;
	size_t i, n;

	valid_file(&b);
	n = buf_len(&b);
	copy = malloc(n);
	ck_assert_ptr_nonnull(copy);
	for (i = 0; i < n; i++) {
		memcpy(copy, buf_str(&b), n);
		copy[i] = (char)(copy[i] ^ 0x01);
		kerr_clear(&e);
		ck_assert_msg(spool_parse(copy, n, &it, &e) == -1, "byte %zu", i);
		ck_assert_int_eq(e.code, KERR_CORRUPT);
	}
	memcpy(copy, buf_str(&b), n);
	copy[n - 3] = 'X';
	ck_assert_int_eq(spool_parse(copy, n, &it, &e), -1);
	ck_assert_str_eq(e.msg, "the file does not match its sha256");
	free(copy);
	buf_free(&b);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_headers[] = {
	{"KSCAN-SPOOL 2\n", "not a kscan spool file"},
	{"KSCAN-SPOOL 1\nid 11111111-1111-4111-8111-11111111111A\n", "bad report id"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated -1\n", "bad creation time"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated 01\n", "bad creation time"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated 1\nformat text\n", "unknown format"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated 1\nformat json\nlength 268435457\n", "bad length"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated 1\nformat json\nlength 0\nsha256 abc\n",
		"bad sha256"},
	{"KSCAN-SPOOL 1\nid " ID1 "\nformat json\n", "header line created missing"},
	{"KSCAN-SPOOL 1\nid " ID1 "\ncreated 1\nformat json\nlength 0\nsha256 "
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx\n",
		"header does not end with an empty line"},
	{"KSCAN-SPOOL 1\nid \n", "header line id incomplete"},
};

START_TEST(test_bad_header)
{
	struct spool_item it;
	struct kerr e;

	kerr_clear(&e);
	ck_assert_int_eq(spool_parse(bad_headers[_i].text, strlen(bad_headers[_i].text), &it, &e),
		-1);
	ck_assert_int_eq(e.code, KERR_CORRUPT);
	ck_assert_str_eq(e.msg, bad_headers[_i].msg);
}
END_TEST

START_TEST(test_empty_body)
{
	static const char text[] = "KSCAN-SPOOL 1\nid " ID1 "\ncreated 1\nformat json\nlength 0\n"
		"sha256 322d1bc32128a91051792248f24f38b68f078ac6a6f16e4e1c51d8c68ad85aea\n\n";
	struct spool_item it;
	struct kerr e;

	ck_assert_int_eq(spool_parse(text, strlen(text), &it, &e), 0);
	ck_assert_uint_eq(it.len, 0);
}
END_TEST

START_TEST(test_journal)
{
	struct report_delivery d, back;
	struct kerr e;
	struct buf b;

	memset(&d, 0, sizeof(d));
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(report_idlist_add(&d.dropped, ID1), 0);
	ck_assert_int_eq(report_idlist_add(&d.dropped, ID2), 0);
	ck_assert_int_eq(report_idlist_add(&d.corrupt, "001795329739065-" ID3 ".report.bad"), 0);
	/* more were dropped than the list keeps */
	d.dropped.total += 5;
	d.dropped_why[REPORT_DROP_EVICTED] = 5;
	d.dropped_why[REPORT_DROP_TOO_LARGE] = 1;
	buf_init(&b, KS_SPOOL_JOURNAL_MAX);
	ck_assert_int_eq(spool_journal_format(&b, &d), 0);
	ck_assert_str_eq(buf_str(&b), "KSCAN-SPOOL-JOURNAL 1\ndropped 7\ncorrupt 1\n"
		"dropped-evicted 5\ndropped-too-large 1\n"
		"dropped-id " ID1 "\ndropped-id " ID2 "\n"
		"corrupt-file 001795329739065-" ID3 ".report.bad\n");
	kerr_clear(&e);
	ck_assert_int_eq(spool_journal_parse(buf_str(&b), buf_len(&b), &back, &e), 0);
	ck_assert_uint_eq(back.dropped.total, 7);
	ck_assert_uint_eq(back.dropped.n, 2);
	ck_assert_uint_eq(back.dropped_why[REPORT_DROP_EVICTED], 5);
	ck_assert_uint_eq(back.dropped_why[REPORT_DROP_TOO_LARGE], 1);
	ck_assert_uint_eq(back.dropped_why[REPORT_DROP_UNWRITTEN], 0);
	ck_assert_str_eq(back.dropped.v[1], ID2);
	ck_assert_uint_eq(back.corrupt.total, 1);
	ck_assert_str_eq(back.corrupt.v[0], "001795329739065-" ID3 ".report.bad");
	report_delivery_free(&back);
	report_delivery_free(&d);
	buf_free(&b);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_journals[] = {
	{"", "not a kscan spool journal"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped x\n", "bad dropped count"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 01\n", "bad dropped count"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 1\n", "header line corrupt missing"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 1\ncorrupt 0\ndropped-id nope\n",
		"bad dropped-id \"nope\""},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 0\ncorrupt 1\ncorrupt-file ../../etc/passwd\n",
		"bad corrupt-file \"../../etc/passwd\""},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 1\ncorrupt 0\ndropped-id " ID1 "\ndropped-id " ID2 "\n",
		"more entries than the counts say"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 0\ncorrupt 0\nextra\n", "unexpected line at byte 42"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 0\ncorrupt 0\ncorrupt-file " ID1 ".report.bad\n",
		"bad corrupt-file \"" ID1 ".report.bad\""},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 1\ncorrupt 0\ndropped-evicted 0\n",
		"bad dropped-evicted count: 0, or more than dropped"},
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 2\ncorrupt 0\ndropped-evicted 1\ndropped-unwritten 2\n",
		"bad dropped-unwritten count: 0, or more than dropped"},
	/* the reasons come in one order, each once */
	{"KSCAN-SPOOL-JOURNAL 1\ndropped 2\ncorrupt 0\ndropped-unwritten 1\ndropped-evicted 1\n",
		"unexpected line at byte 62"},
};

START_TEST(test_bad_journal)
{
	struct report_delivery d;
	struct kerr e;

	memset(&d, 0, sizeof(d));
	kerr_clear(&e);
	ck_assert_int_eq(spool_journal_parse(bad_journals[_i].text,
				 strlen(bad_journals[_i].text), &d, &e), -1);
	ck_assert_str_eq(e.msg, bad_journals[_i].msg);
	ck_assert_uint_eq(d.dropped.n + d.corrupt.n, 0);
}
END_TEST

START_TEST(test_uuid)
{
	ck_assert(spool_is_uuid(ID1, 36));
	ck_assert(!spool_is_uuid(ID1, 35));
	ck_assert(!spool_is_uuid("11111111-1111-4111-8111-11111111111F", 36));
	ck_assert(!spool_is_uuid("11111111x1111-4111-8111-111111111111", 36));
	ck_assert(!spool_is_uuid("11111111-1111-4111-8111-11111111111\0", 36));
}
END_TEST

static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

START_TEST(test_open_dir)
{
	struct spool_opts o;
	struct spool *s;
	struct kerr e;
	char tmp[160];
	int fd;

	opts(&o, 10, 1 << 20);
	kerr_clear(&e);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_uint_eq(mode_of(sdir), 0700);
	/* the lock is held: another open file description cannot take it */
	fd = open(sdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	spool_close(s);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(close(fd), 0);

	/* a wider mode is narrowed; a crash's temporary file is removed */
	ck_assert_int_eq(chmod(sdir, 0755), 0);
	cu_fmt(tmp, sizeof(tmp), "%s/.kscan-0123456789abcdef.tmp", sdir);
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_uint_eq(mode_of(sdir), 0700);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	spool_close(s);

	/* another user's directory, a symlink, a file: refused */
	ck_assert_int_eq(chown(sdir, 65534, 65534), 0);
	ck_assert_int_eq(spool_open(&o, &s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "is owned by uid 65534, not by the user kscan runs as") != NULL);
	ck_assert_int_eq(chown(sdir, 0, 0), 0);
	cu_fmt(tmp, sizeof(tmp), "%s/link", cu_tmp);
	ck_assert_int_eq(symlink(sdir, tmp), 0);
	o.dir = tmp;
	ck_assert_int_eq(spool_open(&o, &s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	cu_fmt(tmp, sizeof(tmp), "%s/missing/spool", cu_tmp);
	ck_assert_int_eq(spool_open(&o, &s, &e), -1);
	ck_assert_int_eq(e.code, KERR_IO);
}
END_TEST

/* The spool lists @n reports, the oldest @first and then @second (NULL: not checked). */
static void assert_listed(struct spool *s, size_t n, const char *first, const char *second)
{
	struct spool_entry *v;
	struct kerr e;
	size_t got;

	kerr_clear(&e);
	ck_assert_int_eq(spool_list(s, &v, &got, &e), 0);
	ck_assert_uint_eq(got, n);
	ck_assert_str_eq(v[0].id, first);
	if (second != NULL) {
		ck_assert_str_eq(v[1].id, second);
	}
	free(v);
}

/* The journal counts @total dropped reports, the one at @i being @id, @nwhy for @why. */
static void assert_dropped(struct spool *s, uint64_t total, size_t i, const char *id,
	enum report_drop why, uint64_t nwhy)
{
	struct report_delivery d;
	struct kerr e;

	memset(&d, 0, sizeof(d));
	kerr_clear(&e);
	ck_assert_int_eq(spool_journal_load(s, &d, &e), 0);
	ck_assert_uint_eq(d.dropped.total, total);
	ck_assert_str_eq(d.dropped.v[i], id);
	ck_assert_uint_eq(d.dropped_why[why], nwhy);
	report_delivery_free(&d);
}

/* Adds a report whose body says @id; @return what spool_add() returned. */
static int add(struct spool *s, const char *id, int64_t created, size_t *dropped,
	struct kerr *e)
{
	char body[64];

	cu_fmt(body, sizeof(body), "{\"report_id\":\"%s\"}\n", id);
	kerr_clear(e);
	return spool_add(s, id, created, FMT_JSON, body, strlen(body), dropped, e);
}

START_TEST(test_add_list_load)
{
	struct spool_entry *v;
	struct spool_opts o;
	struct spool_item it;
	struct spool *s;
	struct kerr e;
	char path[256];
	struct buf b;
	size_t n, dropped;

	opts(&o, 10, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID3, 3000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID2, 2000, &dropped, &e), 0);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	/* oldest first, by creation time, whatever the ids */
	ck_assert_str_eq(v[0].name, "000000000001000-" ID1 ".report");
	ck_assert_str_eq(v[1].id, ID2);
	ck_assert_str_eq(v[2].id, ID3);
	cu_fmt(path, sizeof(path), "%s/%s", sdir, v[0].name);
	ck_assert_uint_eq(mode_of(path), 0600);
	ck_assert_uint_eq(v[0].size, 215);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(spool_load(s, &v[0], &b, &it, &e), 0);
	ck_assert_str_eq(it.id, ID1);
	ck_assert_int_eq(it.created_ms, 1000);
	ck_assert_int_eq(strncmp(it.body, "{\"report_id\":\"" ID1 "\"}\n", it.len), 0);
	ck_assert_int_eq(spool_remove(s, &v[0], &e), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	free(v);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	free(v);
	buf_free(&b);
	spool_close(s);
}
END_TEST

START_TEST(test_bounds)
{
	struct report_delivery d;
	struct spool_entry *v;
	struct spool_opts o;
	struct spool *s;
	struct kerr e;
	size_t n, dropped;

	opts(&o, 2, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID2, 2000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID3, 3000, &dropped, &e), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].id, ID2);
	free(v);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(spool_journal_load(s, &d, &e), 0);
	ck_assert_uint_eq(d.dropped.total, 1);
	ck_assert_str_eq(d.dropped.v[0], ID1);
	ck_assert_uint_eq(d.corrupt.total, 0);
	report_delivery_free(&d);
	spool_close(s);

	/* bytes: room for two files of 215 bytes, not three */
	opts(&o, 10, 2 * 215 + 100);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 4000, &dropped, &e), 0);
	ck_assert_uint_eq(dropped, 1);
	assert_listed(s, 2, ID3, ID1);
	assert_dropped(s, 2, 1, ID2, REPORT_DROP_EVICTED, 2);

	/* a report bigger than the whole spool: refused, and recorded as dropped */
	spool_close(s);
	opts(&o, 10, 150);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID2, 5000, &dropped, &e), -1);
	ck_assert_int_eq(e.code, KERR_LIMIT);
	ck_assert_str_eq(e.msg, "report " ID2 " is 215 bytes, more than collector."
		"spool_max_bytes (150): dropped, not spooled");
	assert_dropped(s, 3, 2, ID2, REPORT_DROP_TOO_LARGE, 1);
	ck_assert_int_eq(spool_journal_clear(s, &e), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(spool_journal_load(s, &d, &e), 0);
	ck_assert_uint_eq(d.dropped.total + d.corrupt.total, 0);
	spool_close(s);
}
END_TEST

START_TEST(test_quarantine)
{
	struct report_delivery d;
	struct spool_entry *v;
	struct spool_opts o;
	struct spool_item it;
	struct spool *s;
	struct kerr e;
	char path[256];
	struct buf b;
	size_t n, dropped;

	opts(&o, 10, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	cu_fmt(path, sizeof(path), "%s/%s", sdir, v[0].name);
	ck_assert_int_eq(truncate(path, 212), 0);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(spool_load(s, &v[0], &b, &it, &e), -1);
	ck_assert_int_eq(e.code, KERR_CORRUPT);
	ck_assert_str_eq(e.msg, "000000000001000-" ID1 ".report: truncated: 50 body bytes, the "
		"header says 53");
	ck_assert_int_eq(spool_quarantine(s, &v[0], &e), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	cu_fmt(path, sizeof(path), "%s/%s.bad", sdir, v[0].name);
	ck_assert_int_eq(access(path, F_OK), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(spool_journal_load(s, &d, &e), 0);
	ck_assert_uint_eq(d.corrupt.total, 1);
	ck_assert_str_eq(d.corrupt.v[0], "000000000001000-" ID1 ".report.bad");
	report_delivery_free(&d);
	free(v);
	/* moved aside files are not listed */
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	/* a broken journal is moved aside and says so */
	cu_fmt(path, sizeof(path), "%s/journal", sdir);
	ck_assert_int_eq(truncate(path, 30), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(spool_journal_load(s, &d, &e), -1);
	ck_assert_int_eq(e.code, KERR_CORRUPT);
	ck_assert(strstr(e.msg, "/journal moved aside as journal.bad: ") != NULL);
	ck_assert_int_eq(access(path, F_OK), -1);
	buf_free(&b);
	spool_close(s);
}
END_TEST

/* Writes a valid spool file for @id as "<created>-<id>.report", owned by @uid, mode @mode. */
static void plant(const char *id, const char *created, uid_t uid, mode_t mode)
{
	char path[PATH_MAX], name[80];
	struct buf b;

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(spool_format(&b, id, 1000, FMT_JSON, BODY, strlen(BODY)), 0);
	cu_fmt(name, sizeof(name), "%s-%s.report", created, id);
	cu_path(path, sizeof(path), sdir, name);
	cu_write(path, buf_str(&b), buf_len(&b), mode);
	ck_assert_int_eq(chown(path, uid, uid), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	buf_free(&b);
}

/* The entries of quarantine/ (sorted, one a line) and the journal's quarantined count. */
static uint64_t quarantined(struct spool *s, char **listing)
{
	struct report_delivery d;
	struct kerr e;
	char path[PATH_MAX];
	uint64_t n;

	cu_sh("ls -A '%s/quarantine' >'%s/q.txt'", sdir, cu_tmp);
	cu_path(path, sizeof(path), cu_tmp, "q.txt");
	*listing = cu_read(path, NULL);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(spool_journal_load(s, &d, &e), 0);
	n = d.quarantined.total;
	report_delivery_free(&d);
	return n;
}

/* Another user's file, a shared mode, a second link: never listed, moved to quarantine/. */
START_TEST(test_trust_entries)
{
	struct spool_entry *v;
	struct spool_opts o;
	struct spool *s;
	struct kerr e;
	char link_path[PATH_MAX], qdir[PATH_MAX], *ls;
	size_t n, dropped;

	opts(&o, 10, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	spool_close(s);
	plant(ID2, "000000000000002", 65534, 0600);
	plant(ID3, "000000000000003", geteuid(), 0666);
	cu_path(link_path, sizeof(link_path), cu_tmp, "second-link");
	cu_sh("ln '%s/000000000001000-" ID1 ".report' '%s'", sdir, link_path);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_uint_eq(spool_quarantined(s), 3);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	cu_path(qdir, sizeof(qdir), sdir, "quarantine");
	ck_assert_uint_eq(mode_of(qdir), 0700);
	ck_assert_uint_eq(quarantined(s, &ls), 3);
	ck_assert_str_eq(ls, "000000000000002-" ID2 ".report\n000000000000003-" ID3 ".report\n"
		"000000000001000-" ID1 ".report\n");
	free(ls);
	spool_close(s);
}
END_TEST

/* A name quarantine/ already holds is kept: the newcomer gets NAME.1, then NAME.2. */
START_TEST(test_trust_collision)
{
	struct spool_opts o;
	struct spool *s;
	struct kerr e;
	char qdir[PATH_MAX], *ls;
	int round;

	opts(&o, 10, 1 << 20);
	for (round = 0; round < 3; round++) {
		plant(ID2, "000000000000002", 65534, 0600);
		ck_assert_int_eq(spool_open(&o, &s, &e), 0);
		ck_assert_uint_eq(spool_quarantined(s), 1);
		spool_close(s);
	}
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_uint_eq(quarantined(s, &ls), 3);
	ck_assert_str_eq(ls, "000000000000002-" ID2 ".report\n000000000000002-" ID2 ".report.1\n"
		"000000000000002-" ID2 ".report.2\n");
	free(ls);
	spool_close(s);
	/* quarantine/ of another user: refused, and saying whose it is */
	cu_path(qdir, sizeof(qdir), sdir, "quarantine");
	ck_assert_int_eq(chown(qdir, 65534, 65534), 0);
	plant(ID3, "000000000000003", 65534, 0600);
	ck_assert_int_eq(spool_open(&o, &s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "/quarantine is owned by uid 65534, not by the user kscan runs "
		"as: refused") != NULL);
}
END_TEST

/* A spool others could write: even a perfect file of ours, and the journal, are quarantined. */
START_TEST(test_trust_dir)
{
	struct spool_entry *v;
	struct spool_opts o;
	struct spool *s;
	struct kerr e;
	size_t n, dropped;
	char *ls;

	/* room for one report: the second evicts the first, so there is a journal too */
	opts(&o, 10, 300);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID2, 2000, &dropped, &e), 0);
	ck_assert_uint_eq(dropped, 1);
	spool_close(s);
	ck_assert_int_eq(chmod(sdir, 0777), 0);
	opts(&o, 10, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_uint_eq(mode_of(sdir), 0700);
	ck_assert_uint_eq(spool_quarantined(s), 3);
	ck_assert_int_eq(spool_list(s, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_uint_eq(quarantined(s, &ls), 3);
	ck_assert_str_eq(ls, "000000000002000-" ID2 ".report\njournal\nreserve\n");
	free(ls);
	spool_close(s);
	/* quarantine/ as a symlink is never followed: the spool is refused */
	cu_sh("rm -rf '%s/quarantine' && mkdir '%s/elsewhere' && ln -s '%s/elsewhere' "
		"'%s/quarantine'", sdir, cu_tmp, cu_tmp, sdir);
	plant(ID3, "000000000000003", 65534, 0600);
	ck_assert_int_eq(spool_open(&o, &s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert(strstr(e.msg, "/quarantine is not a directory: refused") != NULL);
	ck_assert_int_eq(cu_sh_status("[ -z \"$(ls -A '%s/elsewhere')\" ]", cu_tmp), 0);
}
END_TEST

/* A new report that cannot be written evicts nothing and is journaled as dropped. */
START_TEST(test_write_before_evict)
{
	struct spool_opts o;
	struct rlimit rl, small;
	struct spool *s;
	struct kerr e;
	size_t dropped;

	opts(&o, 2, 1 << 20);
	ck_assert_int_eq(spool_open(&o, &s, &e), 0);
	ck_assert_int_eq(add(s, ID1, 1000, &dropped, &e), 0);
	ck_assert_int_eq(add(s, ID2, 2000, &dropped, &e), 0);
	/* files past 150 bytes fail (EFBIG) like a full disk: a report is 215, the journal less */
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 150;
	(void)signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(add(s, ID3, 3000, &dropped, &e), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	ck_assert_uint_eq(dropped, 0);
	ck_assert(strstr(e.msg, "report " ID3 " dropped (recorded in the journal; no older report "
		"was evicted): ") != NULL);
	assert_listed(s, 2, ID1, ID2);
	assert_dropped(s, 1, 0, ID3, REPORT_DROP_UNWRITTEN, 1);
	spool_close(s);
}
END_TEST

static Suite *spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, cu_tmp_teardown);
	tcase_add_test(tc, test_format_parse);
	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_every_flip);
	tcase_add_loop_test(tc, test_bad_header, 0, (int)XSTD_COUNTOF(bad_headers));
	tcase_add_test(tc, test_empty_body);
	tcase_add_test(tc, test_journal);
	tcase_add_loop_test(tc, test_bad_journal, 0, (int)XSTD_COUNTOF(bad_journals));
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_open_dir);
	tcase_add_test(tc, test_add_list_load);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_quarantine);
	tcase_add_test(tc, test_trust_entries);
	tcase_add_test(tc, test_trust_collision);
	tcase_add_test(tc, test_trust_dir);
	tcase_add_test(tc, test_write_before_evict);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
