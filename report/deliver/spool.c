#include "config.h"
#include "report/deliver/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report/deliver/output.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xstd.h"

/* Defaults (docs/configuration.md). */
#define SPOOL_DIR "/var/spool/kscan"
#define SPOOL_MAX_REPORTS 1000u
#define SPOOL_MAX_BYTES ((uint64_t)64 << 20)

#define SPOOL_MAGIC "KSCAN-SPOOL 1\n"
#define SPOOL_JOURNAL_MAGIC "KSCAN-SPOOL-JOURNAL 1\n"
#define SPOOL_JOURNAL "journal"
#define SPOOL_SUFFIX ".report"
#define SPOOL_BAD ".bad"
#define SPOOL_QUARANTINE "quarantine"
#define SPOOL_RESERVE "reserve"
/* a quarantined name listed in the journal and the report: short, no byte JSON must escape */
#define SPOOL_SAFE_NAME_MAX 64
/* 15 digits of milliseconds: good until the year 33658, and names sort by time */
#define SPOOL_TIME_DIGITS 15
#define SPOOL_TIME_MAX INT64_C(999999999999999)
/* "<15 digits>-<36>.report" */
#define SPOOL_NAME_LEN (SPOOL_TIME_DIGITS + 1 + 36 + sizeof(SPOOL_SUFFIX) - 1)

struct spool {
	struct spool_opts o;
	int dirfd;
	/* the directory was group/world-writable when opened: nothing in it can be trusted */
	bool untrusted;
	/* entries moved to quarantine/ by spool_open() */
	size_t quarantined;
};

void spool_opts_init(struct spool_opts *o)
{
	o->dir = SPOOL_DIR;
	o->max_reports = SPOOL_MAX_REPORTS;
	o->max_bytes = SPOOL_MAX_BYTES;
}

/* ---- Names ---- */

bool spool_is_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36) {
		return false;
	}
	for (i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0') {
			return false;
		}
	}
	return true;
}

static bool spool_is_hex(const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("0123456789abcdef", *s) == NULL) {
			return false;
		}
	}
	return true;
}

/* A spool file name ("<15 digits>-<uuid>.report"), followed by @suffix ("" or ".bad"). */
static bool spool_name_ok(const char *s, size_t n, const char *suffix)
{
	size_t i, sl = strlen(suffix);

	if (n != SPOOL_NAME_LEN + sl || memcmp(s + SPOOL_NAME_LEN, suffix, sl) != 0) {
		return false;
	}
	for (i = 0; i < SPOOL_TIME_DIGITS; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	return s[SPOOL_TIME_DIGITS] == '-' && spool_is_uuid(s + SPOOL_TIME_DIGITS + 1, 36) &&
	       memcmp(s + SPOOL_TIME_DIGITS + 37, SPOOL_SUFFIX, sizeof(SPOOL_SUFFIX) - 1) == 0;
}

/*
 * The checksum of a spool file: its header lines before "sha256" and its body, so a
 * changed id, time or format is caught like a changed body.
 */
static int spool_sha256(const char *head, size_t hlen, const char *body, size_t blen,
	char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type = EVP_sha256();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (ctx != NULL && type != NULL && EVP_DigestInit_ex(ctx, type, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, head, hlen) == 1 && EVP_DigestUpdate(ctx, body, blen) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
		xstd_hex(md, 32, hex);
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* ---- The spool file format ---- */

int spool_format(struct buf *out, const char *id, int64_t created_ms, enum fmt_kind format,
	const char *body, size_t len)
{
	size_t start = buf_len(out);
	char hex[65];

	buf_addf(out, SPOOL_MAGIC "id %s\ncreated %" PRId64 "\nformat %s\nlength %zu\n", id,
		created_ms, fmt_name(format), len);
	if (buf_error(out) != 0 ||
	    spool_sha256(buf_str(out) + start, buf_len(out) - start, body, len, hex) != 0) {
		errno = buf_error(out) != 0 ? buf_error(out) : EIO;
		return -1;
	}
	buf_addf(out, "sha256 %s\n\n", hex);
	buf_add(out, body, len);
	if (buf_error(out) != 0) {
		errno = buf_error(out);
		return -1;
	}
	return 0;
}

/* A decimal number as spool_format() writes it: no sign, no leading zero. */
static int spool_number(const char *v, uint64_t max, uint64_t *out)
{
	if (v[0] == '0' && v[1] != '\0') {
		errno = EINVAL;
		return -1;
	}
	return xstd_strtou64(v, max, out);
}

/* A header line "KEY VALUE\n" at *@pos; @val gets a NUL-terminated copy of VALUE. */
static int spool_field(const char *data, size_t end, size_t *pos, const char *key, char *val,
	size_t size, struct kerr *err)
{
	size_t kl = strlen(key), p = *pos, i;

	if (end - p < kl + 1 || memcmp(data + p, key, kl) != 0 || data[p + kl] != ' ') {
		return kerr_set(err, KERR_CORRUPT, "header line %s missing", key);
	}
	p += kl + 1;
	for (i = 0; p + i < end && data[p + i] != '\n'; i++) {
		if (i + 1 >= size || data[p + i] == '\0') {
			return kerr_set(err, KERR_CORRUPT, "header line %s too long", key);
		}
		val[i] = data[p + i];
	}
	if (p + i >= end || i == 0) {
		return kerr_set(err, KERR_CORRUPT, "header line %s incomplete", key);
	}
	val[i] = '\0';
	*pos = p + i + 1;
	return 0;
}

/* The fields after "id": when it was made, its format, its length and checksum. */
static int spool_fields(const char *data, size_t end, size_t *pos, struct spool_item *it,
	uint64_t *length, size_t *signed_len, char hex[65], struct kerr *err)
{
	char v[80];
	uint64_t created;

	if (spool_field(data, end, pos, "created", v, sizeof(v), err) != 0) {
		return -1;
	}
	if (spool_number(v, (uint64_t)SPOOL_TIME_MAX, &created) != 0) {
		return kerr_set(err, KERR_CORRUPT, "bad creation time");
	}
	it->created_ms = (int64_t)created;
	if (spool_field(data, end, pos, "format", v, sizeof(v), err) != 0) {
		return -1;
	}
	if (fmt_parse(v, &it->format) != 0 || it->format == FMT_TEXT) {
		return kerr_set(err, KERR_CORRUPT, "unknown format");
	}
	if (spool_field(data, end, pos, "length", v, sizeof(v), err) != 0) {
		return -1;
	}
	if (spool_number(v, KS_REPORT_MAX, length) != 0) {
		return kerr_set(err, KERR_CORRUPT, "bad length");
	}
	*signed_len = *pos;
	if (spool_field(data, end, pos, "sha256", v, sizeof(v), err) != 0) {
		return -1;
	}
	if (strlen(v) != 64 || !spool_is_hex(v)) {
		return kerr_set(err, KERR_CORRUPT, "bad sha256");
	}
	memcpy(hex, v, 65);
	return 0;
}

int spool_parse(const char *data, size_t len, struct spool_item *it, struct kerr *err)
{
	const size_t ml = sizeof(SPOOL_MAGIC) - 1;
	size_t pos = ml, end = len < KS_SPOOL_HEADER_MAX ? len : KS_SPOOL_HEADER_MAX;
	char want[65], got[65], v[80];
	size_t signed_len = 0;
	uint64_t length;

	memset(it, 0, sizeof(*it));
	if (len < ml || memcmp(data, SPOOL_MAGIC, ml) != 0) {
		return kerr_set(err, KERR_CORRUPT, "not a kscan spool file");
	}
	if (spool_field(data, end, &pos, "id", v, sizeof(v), err) != 0) {
		return -1;
	}
	if (!spool_is_uuid(v, strlen(v))) {
		return kerr_set(err, KERR_CORRUPT, "bad report id");
	}
	memcpy(it->id, v, 37);
	if (spool_fields(data, end, &pos, it, &length, &signed_len, want, err) != 0) {
		return -1;
	}
	if (pos >= end || data[pos] != '\n') {
		return kerr_set(err, KERR_CORRUPT, "header does not end with an empty line");
	}
	pos++;
	if (len - pos != length) {
		return kerr_set(err, KERR_CORRUPT, "%s: %zu body bytes, the header says %" PRIu64,
			len - pos < length ? "truncated" : "trailing data", len - pos, length);
	}
	if (spool_sha256(data, signed_len, data + pos, len - pos, got) != 0) {
		return kerr_set(err, KERR_INTERNAL, "cannot compute a sha256");
	}
	if (strcmp(got, want) != 0) {
		return kerr_set(err, KERR_CORRUPT, "the file does not match its sha256");
	}
	it->body = data + pos;
	it->len = len - pos;
	return 0;
}

/* A quarantined entry's name, as the journal and the report list it. */
static bool spool_safe_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= SPOOL_SAFE_NAME_MAX && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static bool spool_journal_id_ok(const char *v)
{
	return spool_is_uuid(v, strlen(v));
}

static bool spool_journal_bad_ok(const char *v)
{
	return spool_name_ok(v, strlen(v), SPOOL_BAD);
}

/* ---- The journal format ---- */

static int spool_journal_list(struct buf *out, const char *key, const struct report_idlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		buf_addf(out, "%s %s\n", key, l->v[i]);
	}
	return buf_error(out);
}

/* The journal's lines of dropped.total by reason, in enum report_drop's order. */
static const char *const spool_drop_keys[REPORT_DROP_KINDS] = {
	[REPORT_DROP_EVICTED] = "dropped-evicted",
	[REPORT_DROP_TOO_LARGE] = "dropped-too-large",
	[REPORT_DROP_UNWRITTEN] = "dropped-unwritten",
};

int spool_journal_format(struct buf *out, const struct report_delivery *d)
{
	size_t i;

	buf_addf(out, SPOOL_JOURNAL_MAGIC "dropped %" PRIu64 "\ncorrupt %" PRIu64 "\n",
		d->dropped.total, d->corrupt.total);
	/* written only when there is one, so a journal without it reads as before */
	if (d->quarantined.total > 0) {
		buf_addf(out, "quarantined %" PRIu64 "\n", d->quarantined.total);
	}
	for (i = 0; i < REPORT_DROP_KINDS; i++) {
		if (d->dropped_why[i] > 0) {
			buf_addf(out, "%s %" PRIu64 "\n", spool_drop_keys[i], d->dropped_why[i]);
		}
	}
	if (spool_journal_list(out, "dropped-id", &d->dropped) != 0 ||
	    spool_journal_list(out, "corrupt-file", &d->corrupt) != 0 ||
	    spool_journal_list(out, "quarantined-file", &d->quarantined) != 0) {
		errno = buf_error(out);
		return -1;
	}
	return 0;
}

/* Reads "KEY VALUE" lines of one key into @l, while they come. */
static int spool_journal_entries(const char *data, size_t len, size_t *pos, const char *key,
	struct report_idlist *l, bool (*ok)(const char *v), struct kerr *err)
{
	size_t kl = strlen(key);
	char v[80];

	while (len - *pos > kl && memcmp(data + *pos, key, kl) == 0) {
		if (spool_field(data, len, pos, key, v, sizeof(v), err) != 0) {
			return -1;
		}
		if (!ok(v)) {
			return kerr_set(err, KERR_CORRUPT, "bad %s \"%s\"", key, v);
		}
		if (l->n >= KS_SPOOL_JOURNAL_IDS_MAX) {
			return kerr_set(err, KERR_CORRUPT, "more than %u %s lines",
				KS_SPOOL_JOURNAL_IDS_MAX, key);
		}
		/* the totals were read first: the entries are already counted */
		if (report_idlist_add(l, v) != 0) {
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
		l->total--;
	}
	return 0;
}

static int spool_journal_total(const char *data, size_t len, size_t *pos, const char *key,
	uint64_t *out, struct kerr *err)
{
	char v[32];

	if (spool_field(data, len, pos, key, v, sizeof(v), err) != 0) {
		return -1;
	}
	if (spool_number(v, UINT64_MAX, out) != 0) {
		return kerr_set(err, KERR_CORRUPT, "bad %s count", key);
	}
	return 0;
}

/*
 * The optional "dropped-REASON N" lines: each written only for N above 0, and all of them
 * add up to at most the dropped total (journals older than the reasons have none).
 */
static int spool_journal_why(const char *data, size_t len, size_t *pos, uint64_t dropped,
	uint64_t why[REPORT_DROP_KINDS], struct kerr *err)
{
	uint64_t sum = 0;
	size_t i, kl;

	for (i = 0; i < REPORT_DROP_KINDS; i++) {
		kl = strlen(spool_drop_keys[i]);
		if (len - *pos <= kl || memcmp(data + *pos, spool_drop_keys[i], kl) != 0 ||
		    data[*pos + kl] != ' ') {
			continue;
		}
		if (spool_journal_total(data, len, pos, spool_drop_keys[i], &why[i], err) != 0) {
			return -1;
		}
		if (why[i] == 0 || why[i] > dropped - sum) {
			return kerr_set(err, KERR_CORRUPT, "bad %s count: 0, or more than dropped",
				spool_drop_keys[i]);
		}
		sum += why[i];
	}
	return 0;
}

int spool_journal_parse(const char *data, size_t len, struct report_delivery *d,
	struct kerr *err)
{
	const size_t ml = sizeof(SPOOL_JOURNAL_MAGIC) - 1;
	uint64_t dropped, corrupt, quarantined = 0;
	size_t pos = ml;

	if (len < ml || memcmp(data, SPOOL_JOURNAL_MAGIC, ml) != 0) {
		return kerr_set(err, KERR_CORRUPT, "not a kscan spool journal");
	}
	if (spool_journal_total(data, len, &pos, "dropped", &dropped, err) != 0 ||
	    spool_journal_total(data, len, &pos, "corrupt", &corrupt, err) != 0) {
		return -1;
	}
	if (len - pos > 12 && memcmp(data + pos, "quarantined ", 12) == 0) {
		if (spool_journal_total(data, len, &pos, "quarantined", &quarantined, err) != 0) {
			return -1;
		}
		/* the line is written only for a count above 0 (older journals have none) */
		if (quarantined == 0) {
			return kerr_set(err, KERR_CORRUPT,
				"\"quarantined 0\": the line is left out for 0");
		}
	}
	if (spool_journal_why(data, len, &pos, dropped, d->dropped_why, err) != 0) {
		return -1;
	}
	d->dropped.total = dropped;
	d->corrupt.total = corrupt;
	d->quarantined.total = quarantined;
	if (spool_journal_entries(data, len, &pos, "dropped-id", &d->dropped,
		    spool_journal_id_ok, err) != 0 ||
	    spool_journal_entries(data, len, &pos, "corrupt-file", &d->corrupt,
		    spool_journal_bad_ok, err) != 0 ||
	    spool_journal_entries(data, len, &pos, "quarantined-file", &d->quarantined,
		    spool_safe_name, err) != 0) {
		goto fail;
	}
	if (pos != len) {
		kerr_set(err, KERR_CORRUPT, "unexpected line at byte %zu", pos);
		goto fail;
	}
	if (d->dropped.n > dropped || d->corrupt.n > corrupt || d->quarantined.n > quarantined) {
		kerr_set(err, KERR_CORRUPT, "more entries than the counts say");
		goto fail;
	}
	d->dropped.total = dropped;
	d->corrupt.total = corrupt;
	d->quarantined.total = quarantined;
	return 0;

fail:
	report_delivery_free(d);
	return -1;
}

/* ---- The directory ---- */

/* The directory must be ours: another user's spool could feed us reports or take ours. */
static int spool_check_dir(struct spool *s, struct kerr *err)
{
	struct stat st;

	if (fstat(s->dirfd, &st) != 0) {
		return kerr_sys(err, KERR_IO, errno, "spool %s", s->o.dir);
	}
	if (st.st_uid != geteuid()) {
		return kerr_set(err, KERR_INPUT, "spool %s is owned by uid %u, not by the user "
			"kscan runs as: refused", s->o.dir, (unsigned)st.st_uid);
	}
	if ((st.st_mode & 022) != 0) {
		/* others could have planted or linked anything: spool_sweep() quarantines it all */
		s->untrusted = true;
		log_msg(LOG_LEVEL_WARNING, "spool %s was writable by group or others (mode %04o): "
			"every entry in it is untrusted", s->o.dir, (unsigned)(st.st_mode & 07777));
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(s->dirfd, 0700) != 0) {
		return kerr_sys(err, KERR_IO, errno, "spool %s: cannot set mode 0700", s->o.dir);
	}
	return 0;
}

static int spool_open_dir(struct spool *s, struct kerr *err)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	s->dirfd = open(s->o.dir, flags);
	if (s->dirfd < 0 && errno == ENOENT) {
		if (mkdir(s->o.dir, 0700) != 0 && errno != EEXIST) {
			return kerr_sys(err, KERR_IO, errno, "cannot create the spool %s",
				s->o.dir);
		}
		s->dirfd = open(s->o.dir, flags);
	}
	if (s->dirfd < 0) {
		return kerr_sys(err, errno == ENOTDIR || errno == ELOOP ? KERR_INPUT : KERR_IO,
			errno, "cannot open the spool %s", s->o.dir);
	}
	return spool_check_dir(s, err);
}

/* Calls @fn on every entry name of the directory, at most KS_SPOOL_DIR_ENTRIES_MAX. */
static int spool_each(struct spool *s, int (*fn)(struct spool *s, const char *name, void *arg),
	void *arg, struct kerr *err)
{
	struct dirent *de;
	size_t seen = 0;
	int fd, rc = 0;
	DIR *d;

	fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		xstd_close_quietly(fd);
		return kerr_sys(err, KERR_IO, errno, "cannot list the spool %s", s->o.dir);
	}
	errno = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (++seen > KS_SPOOL_DIR_ENTRIES_MAX) {
			rc = kerr_set(err, KERR_LIMIT, "spool %s: more than %u entries", s->o.dir,
				KS_SPOOL_DIR_ENTRIES_MAX);
			break;
		}
		rc = fn(s, de->d_name, arg);
		errno = 0;
	}
	if (rc == 0 && errno != 0) {
		rc = kerr_sys(err, KERR_IO, errno, "cannot list the spool %s", s->o.dir);
	}
	(void)closedir(d);
	return rc;
}

/* Every writer holds the lock, so a temporary file seen under it is a crash's leftover. */
static int spool_clean_one(struct spool *s, const char *name, void *arg)
{
	size_t n = strlen(name);

	(void)arg;
	if (n > 11 && strncmp(name, ".kscan-", 7) == 0 && strcmp(name + n - 4, ".tmp") == 0) {
		(void)unlinkat(s->dirfd, name, 0);
	}
	return 0;
}

/* Quarantines the entries that cannot be trusted (see ---- Trust ----). */
static int spool_sweep(struct spool *s, struct kerr *err);
static void spool_reserve(struct spool *s);

int spool_open(const struct spool_opts *o, struct spool **out, struct kerr *err)
{
	struct spool *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	s->o = *o;
	if (spool_open_dir(s, err) != 0) {
		goto fail;
	}
	while (flock(s->dirfd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			kerr_sys(err, KERR_IO, errno, "cannot lock the spool %s", s->o.dir);
			goto fail;
		}
	}
	if (spool_each(s, spool_clean_one, NULL, err) != 0 || spool_sweep(s, err) != 0) {
		goto fail;
	}
	spool_reserve(s);
	*out = s;
	return 0;

fail:
	spool_close(s);
	return -1;
}

void spool_close(struct spool *s)
{
	if (s == NULL) {
		return;
	}
	/* closing the descriptor releases the lock */
	xstd_close_quietly(s->dirfd);
	free(s);
}

/* What spool_list() collects. */
struct spool_listing {
	struct spool_entry *v;
	size_t n;
	size_t cap;
};

static int spool_list_one(struct spool *s, const char *name, void *arg)
{
	struct spool_listing *l = arg;
	struct spool_entry *e;
	struct stat st;

	if (!spool_name_ok(name, strlen(name), "")) {
		return 0;
	}
	if (vec_reserve(&l->v, l->n, &l->cap, sizeof(*l->v), SIZE_MAX) != 0) {
		return -1;
	}
	e = &l->v[l->n++];
	memcpy(e->name, name, SPOOL_NAME_LEN + 1);
	memcpy(e->id, name + SPOOL_TIME_DIGITS + 1, 36);
	e->id[36] = '\0';
	/* a file that vanished or cannot be looked at weighs nothing; loading it will say */
	e->size = fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_size > 0 ?
		(uint64_t)st.st_size : 0;
	return 0;
}

static int spool_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct spool_entry *)a)->name, ((const struct spool_entry *)b)->name);
}

int spool_list(struct spool *s, struct spool_entry **v, size_t *n, struct kerr *err)
{
	struct spool_listing l;

	memset(&l, 0, sizeof(l));
	kerr_clear(err);
	if (spool_each(s, spool_list_one, &l, err) != 0) {
		if (err->code == KERR_OK) {
			kerr_set(err, KERR_NOMEM, "out of memory");
		}
		free(l.v);
		return -1;
	}
	if (l.n > 1) {
		qsort(l.v, l.n, sizeof(*l.v), spool_entry_cmp);
	}
	*v = l.v;
	*n = l.n;
	return 0;
}

static const char *spool_distrust(const struct stat *st);

/* Reads a trusted file of the directory whole (no symlinks, FIFOs or devices). */
static int spool_read(struct spool *s, const char *name, size_t max, struct buf *out,
	struct kerr *err)
{
	const char *why;
	struct stat st;
	int fd, rc = -1;

	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return kerr_sys(err, errno == ELOOP ? KERR_CORRUPT : KERR_IO, errno, "%s", name);
	}
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "%s", name);
	} else if ((why = spool_distrust(&st)) != NULL) {
		/* spool_open() quarantined what was there: this one came since, so not from us */
		kerr_set(err, KERR_CORRUPT, "%s: %s", name, why);
	} else if (xstd_read_fd(fd, max, out) != 0) {
		kerr_sys(err, errno == E2BIG ? KERR_CORRUPT :
			errno == ENOMEM ? KERR_NOMEM : KERR_IO, errno, "%s", name);
	} else {
		rc = 0;
	}
	xstd_close_quietly(fd);
	return rc;
}

int spool_load(struct spool *s, const struct spool_entry *e, struct buf *data,
	struct spool_item *it, struct kerr *err)
{
	buf_reset(data);
	if (spool_read(s, e->name, KS_REPORT_MAX + KS_SPOOL_HEADER_MAX, data, err) != 0) {
		return -1;
	}
	if (spool_parse(buf_str(data), buf_len(data), it, err) != 0) {
		kerr_prefix(err, "%s: ", e->name);
		return -1;
	}
	if (strcmp(it->id, e->id) != 0) {
		return kerr_set(err, KERR_CORRUPT, "%s: holds report %s, not the one its name says",
			e->name, it->id);
	}
	return 0;
}

/* The rename or unlink is durable once the directory is. */
static int spool_sync(struct spool *s, struct kerr *err)
{
	if (fsync(s->dirfd) != 0 && errno != EINVAL && errno != EROFS) {
		return kerr_sys(err, KERR_IO, errno, "cannot sync the spool %s", s->o.dir);
	}
	return 0;
}

int spool_remove(struct spool *s, const struct spool_entry *e, struct kerr *err)
{
	if (unlinkat(s->dirfd, e->name, 0) != 0 && errno != ENOENT) {
		return kerr_sys(err, KERR_IO, errno, "cannot remove %s/%s", s->o.dir, e->name);
	}
	return spool_sync(s, err);
}

/* "<dir>/<name>" for output_write(). */
static int spool_path(const struct spool *s, const char *name, struct buf *out)
{
	buf_init(out, KS_URL_MAX + PATH_MAX);
	buf_addf(out, "%s/%s", s->o.dir, name);
	return buf_error(out) == 0 ? 0 : -1;
}

/* Keeps KS_SPOOL_RESERVE_BYTES aside for the journal; best effort (the disk may be full). */
static void spool_reserve(struct spool *s)
{
	struct kerr ignored;
	struct buf path;
	struct stat st;
	char *zeros;

	if (fstatat(s->dirfd, SPOOL_RESERVE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		return;
	}
	zeros = calloc(1, KS_SPOOL_RESERVE_BYTES);
	if (spool_path(s, SPOOL_RESERVE, &path) == 0 && zeros != NULL) {
		(void)output_write(buf_str(&path), zeros, KS_SPOOL_RESERVE_BYTES, 0600, &ignored);
	}
	buf_free(&path);
	free(zeros);
}

/* On a full disk the reserve gives the journal its room back; the next open remakes it. */
static int spool_journal_put(struct spool *s, const char *path, const struct buf *data,
	struct kerr *err)
{
	int rc = output_write(path, buf_str(data), buf_len(data), 0600, err);

	if (rc != 0 && (err->sys_errno == ENOSPC || err->sys_errno == EDQUOT) &&
	    unlinkat(s->dirfd, SPOOL_RESERVE, 0) == 0) {
		kerr_clear(err);
		rc = output_write(path, buf_str(data), buf_len(data), 0600, err);
	}
	return rc;
}

/* Replaces the journal with @d, or removes it when @d says nothing. */
static int spool_journal_write(struct spool *s, const struct report_delivery *d,
	struct kerr *err)
{
	struct buf data, path;
	int rc = -1;

	if (!report_delivery_any(d)) {
		return spool_journal_clear(s, err);
	}
	buf_init(&data, KS_SPOOL_JOURNAL_MAX);
	if (spool_path(s, SPOOL_JOURNAL, &path) != 0 || spool_journal_format(&data, d) != 0) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	} else {
		rc = spool_journal_put(s, buf_str(&path), &data, err);
	}
	buf_free(&data);
	buf_free(&path);
	return rc;
}

int spool_journal_load(struct spool *s, struct report_delivery *d, struct kerr *err)
{
	struct buf data;
	int rc;

	buf_init(&data, KS_SPOOL_JOURNAL_MAX);
	rc = spool_read(s, SPOOL_JOURNAL, KS_SPOOL_JOURNAL_MAX, &data, err);
	if (rc != 0 && err->sys_errno == ENOENT) {
		rc = 0;
	} else if (rc == 0) {
		rc = spool_journal_parse(buf_str(&data), buf_len(&data), d, err);
	}
	buf_free(&data);
	if (rc != 0 && err->code == KERR_CORRUPT) {
		/* keep it for a person to read; start a new one */
		(void)renameat(s->dirfd, SPOOL_JOURNAL, s->dirfd, SPOOL_JOURNAL SPOOL_BAD);
		kerr_prefix(err, "spool journal %s/" SPOOL_JOURNAL " moved aside as "
			SPOOL_JOURNAL SPOOL_BAD ": ", s->o.dir);
	}
	return rc;
}

int spool_journal_clear(struct spool *s, struct kerr *err)
{
	if (unlinkat(s->dirfd, SPOOL_JOURNAL, 0) != 0 && errno != ENOENT) {
		return kerr_sys(err, KERR_IO, errno, "cannot remove %s/" SPOOL_JOURNAL, s->o.dir);
	}
	return spool_sync(s, err);
}

/* What to add to the journal; NULL or 0 for nothing. */
struct spool_journal_more {
	const char *const *dropped;
	size_t ndropped;
	enum report_drop why;
	const char *corrupt;
	char *const *quarantined;
	size_t nquarantined;
};

/* A quarantined name is listed when it is safe to; any other is only counted. */
static int spool_journal_quarantined(struct report_idlist *l, const char *name)
{
	if (!spool_safe_name(name)) {
		l->total++;
		return 0;
	}
	return report_idlist_add(l, name);
}

static int spool_journal_merge(struct report_delivery *d, const struct spool_journal_more *m)
{
	size_t i;

	for (i = 0; i < m->ndropped; i++) {
		if (report_idlist_add(&d->dropped, m->dropped[i]) != 0) {
			return -1;
		}
	}
	d->dropped_why[m->why] += m->ndropped;
	for (i = 0; i < m->nquarantined; i++) {
		if (spool_journal_quarantined(&d->quarantined, m->quarantined[i]) != 0) {
			return -1;
		}
	}
	return m->corrupt != NULL ? report_idlist_add(&d->corrupt, m->corrupt) : 0;
}

/* Adds to the journal under the lock: read, add, write back. */
static int spool_journal_add(struct spool *s, const struct spool_journal_more *m,
	struct kerr *err)
{
	struct report_delivery d;
	struct kerr ignored;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	/* a journal that cannot be read is moved aside by the load: start a new one */
	(void)spool_journal_load(s, &d, &ignored);
	if (spool_journal_merge(&d, m) != 0) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	} else {
		rc = spool_journal_write(s, &d, err);
	}
	report_delivery_free(&d);
	return rc;
}

/* Records dropped report ids in the journal, with why they were dropped. */
static int spool_journal_drop(struct spool *s, const char *const *ids, size_t n,
	enum report_drop why, struct kerr *err)
{
	struct spool_journal_more m = {.dropped = ids, .ndropped = n, .why = why};

	return spool_journal_add(s, &m, err);
}

int spool_quarantine(struct spool *s, const struct spool_entry *e, struct kerr *err)
{
	char bad[sizeof(e->name) + sizeof(SPOOL_BAD)];
	struct spool_journal_more m = {.corrupt = bad};

	(void)snprintf(bad, sizeof(bad), "%s" SPOOL_BAD, e->name);
	if (renameat(s->dirfd, e->name, s->dirfd, bad) != 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot move %s/%s aside", s->o.dir, e->name);
	}
	if (spool_sync(s, err) != 0) {
		return -1;
	}
	return spool_journal_add(s, &m, err);
}

/* How many of the oldest entries of @v (not counting @keep) must go to respect the bounds. */
static size_t spool_excess(const struct spool *s, const struct spool_entry *v, size_t n,
	const char *keep, uint64_t keep_size)
{
	uint64_t bytes = keep_size;
	size_t i, count = 1, drop = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, keep) != 0) {
			bytes += v[i].size;
			count++;
		}
	}
	for (i = 0; i < n && (count > s->o.max_reports || bytes > s->o.max_bytes); i++) {
		if (strcmp(v[i].name, keep) != 0) {
			bytes -= v[i].size;
			count--;
			drop = i + 1;
		}
	}
	return drop;
}

/*
 * Drops the oldest reports, never @keep (just written, @size bytes), until the bounds hold;
 * records them in the journal. @return 0, or -1 with @err set.
 */
static int spool_make_room(struct spool *s, const char *keep, uint64_t size, size_t *ndropped,
	struct kerr *err)
{
	const char **ids = NULL;
	struct spool_entry *v;
	size_t n, i, drop, k = 0;
	int rc = -1;

	if (spool_list(s, &v, &n, err) != 0) {
		return -1;
	}
	drop = spool_excess(s, v, n, keep, size);
	ids = calloc(drop + 1, sizeof(*ids));
	if (ids == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		goto free_v;
	}
	for (i = 0; i < drop; i++) {
		if (strcmp(v[i].name, keep) == 0) {
			continue;
		}
		if (unlinkat(s->dirfd, v[i].name, 0) != 0 && errno != ENOENT) {
			kerr_sys(err, KERR_IO, errno, "cannot drop %s/%s", s->o.dir, v[i].name);
			break;
		}
		ids[k++] = v[i].id;
	}
	/* what was dropped is recorded even when a later unlink failed */
	*ndropped = k;
	rc = k > 0 ? spool_journal_drop(s, ids, k, REPORT_DROP_EVICTED, err) : 0;
	if (i < drop) {
		rc = -1;
	}

free_v:
	free(ids);
	free(v);
	return rc;
}

/* The new report could not be kept: its id goes into the journal, and @err says both. */
static int spool_add_failed(struct spool *s, const char *id, struct kerr *err)
{
	const char *ids[] = {id};
	struct kerr jerr;

	kerr_clear(&jerr);
	if (spool_journal_drop(s, ids, 1, REPORT_DROP_UNWRITTEN, &jerr) != 0) {
		kerr_prefix(err, "report %s dropped, and not even recorded in the journal (%s): ",
			id, jerr.msg);
		return -1;
	}
	kerr_prefix(err, "report %s dropped (recorded in the journal; no older report was "
		"evicted): ", id);
	return -1;
}

/* Writes the spool file (temporary name, fsync, rename, fsync of the directory). */
static int spool_write_new(struct spool *s, const char *name, const struct buf *data,
	struct kerr *err)
{
	struct buf path;
	int rc = -1;

	if (spool_path(s, name, &path) != 0) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	} else {
		rc = output_write(buf_str(&path), buf_str(data), buf_len(data), 0600, err);
	}
	buf_free(&path);
	return rc;
}

int spool_add(struct spool *s, const char *id, int64_t created_ms, enum fmt_kind format,
	const char *body, size_t len, size_t *ndropped, struct kerr *err)
{
	char name[SPOOL_NAME_LEN + 1];
	struct kerr ev;
	struct buf data;
	int64_t t = created_ms < 0 ? 0 : created_ms > SPOOL_TIME_MAX ? SPOOL_TIME_MAX : created_ms;
	int rc = -1;

	*ndropped = 0;
	if (!spool_is_uuid(id, strlen(id))) {
		return kerr_set(err, KERR_INTERNAL, "bad report id \"%s\"", id);
	}
	(void)snprintf(name, sizeof(name), "%0*" PRId64 "-%s" SPOOL_SUFFIX, SPOOL_TIME_DIGITS, t,
		id);
	buf_init(&data, KS_REPORT_MAX + KS_SPOOL_HEADER_MAX);
	if (spool_format(&data, id, t, format, body, len) != 0) {
		kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_INTERNAL, errno,
			"cannot prepare the spool file");
		goto free_data;
	}
	if (buf_len(&data) > s->o.max_bytes) {
		const char *ids[] = {id};

		(void)spool_journal_drop(s, ids, 1, REPORT_DROP_TOO_LARGE, err);
		kerr_set(err, KERR_LIMIT, "report %s is %zu bytes, more than collector."
			"spool_max_bytes (%" PRIu64 "): dropped, not spooled", id, buf_len(&data),
			s->o.max_bytes);
		goto free_data;
	}
	/* written first: a full disk must not cost an old report as well as the new one */
	if (spool_write_new(s, name, &data, err) != 0) {
		(void)spool_add_failed(s, id, err);
		goto free_data;
	}
	rc = 0;
	kerr_clear(&ev);
	if (spool_make_room(s, name, buf_len(&data), ndropped, &ev) != 0) {
		/* the new report is kept; the spool is only over its bounds until the next run */
		log_msg(LOG_LEVEL_WARNING, "spool %s: %s", s->o.dir, ev.msg);
	}

free_data:
	buf_free(&data);
	return rc;
}

/* ---- Trust ---- */

/* Why a spool entry cannot be trusted (see spool.h), or NULL when it can. */
static const char *spool_distrust(const struct stat *st)
{
	if (!S_ISREG(st->st_mode)) {
		return "not a regular file";
	}
	if (st->st_uid != geteuid()) {
		return "owned by another user";
	}
	if ((st->st_mode & 022) != 0) {
		return "writable by group or others";
	}
	if (st->st_nlink != 1) {
		return "has other hard links";
	}
	return NULL;
}

/* Why the entry @name cannot be trusted, or NULL. O_PATH opens no FIFO or device. */
static const char *spool_distrust_name(struct spool *s, const char *name)
{
	const char *why = NULL;
	struct stat st;
	int fd;

	fd = openat(s->dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return errno == ENOENT ? NULL : "cannot be opened";
	}
	why = fstat(fd, &st) != 0 ? "cannot be looked at" : spool_distrust(&st);
	xstd_close_quietly(fd);
	return why;
}

/* The entries spool_sweep() moves, collected first: moving them while listing is unsafe. */
struct spool_suspect {
	char *name;
	const char *why;
};

struct spool_suspects {
	struct spool_suspect *v;
	size_t n;
	size_t cap;
};

static int spool_suspect_one(struct spool *s, const char *name, void *arg)
{
	struct spool_suspects *l = arg;
	const char *why = "the spool directory was writable by others";
	char *copy;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strcmp(name, SPOOL_QUARANTINE) == 0) {
		return 0;
	}
	if (!s->untrusted) {
		if (!spool_name_ok(name, strlen(name), "") && strcmp(name, SPOOL_JOURNAL) != 0) {
			return 0;
		}
		why = spool_distrust_name(s, name);
		if (why == NULL) {
			return 0;
		}
	}
	copy = strdup(name);
	if (copy == NULL || vec_reserve(&l->v, l->n, &l->cap, sizeof(*l->v), SIZE_MAX) != 0) {
		free(copy);
		return -1;
	}
	l->v[l->n].name = copy;
	l->v[l->n++].why = why;
	return 0;
}

/* quarantine/: made 0700 if missing; never followed if a link, refused if another's. */
static int spool_quarantine_dir(struct spool *s, struct kerr *err)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	int fd;

	if (mkdirat(s->dirfd, SPOOL_QUARANTINE, 0700) != 0 && errno != EEXIST) {
		return kerr_sys(err, KERR_IO, errno, "cannot create %s/" SPOOL_QUARANTINE,
			s->o.dir);
	}
	fd = openat(s->dirfd, SPOOL_QUARANTINE, flags);
	if (fd < 0) {
		return kerr_sys(err, errno == ENOTDIR || errno == ELOOP ? KERR_INPUT : KERR_IO,
			errno, "%s/" SPOOL_QUARANTINE " is not a directory: refused", s->o.dir);
	}
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "cannot look at %s/" SPOOL_QUARANTINE, s->o.dir);
		goto close_fd;
	}
	if (st.st_uid != geteuid()) {
		kerr_set(err, KERR_INPUT, "%s/" SPOOL_QUARANTINE " is owned by uid %u, not by the "
			"user kscan runs as: refused", s->o.dir, (unsigned)st.st_uid);
		goto close_fd;
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) != 0) {
		kerr_sys(err, KERR_IO, errno, "cannot make %s/" SPOOL_QUARANTINE " private (0700)",
			s->o.dir);
		goto close_fd;
	}
	return fd;

close_fd:
	xstd_close_quietly(fd);
	return -1;
}

#if HAVE_RENAMEAT2
#define spool_renameat2 renameat2
#else
/* musl before 1.2.4 has no wrapper (the static build); the system call is the same */
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1u << 0)
#endif
static int spool_renameat2(int from_dir, const char *from, int to_dir, const char *to,
	unsigned flags)
{
	return (int)syscall(SYS_renameat2, from_dir, from, to_dir, to, flags);
}
#endif

/*
 * renameat(2) that never replaces: with RENAME_NOREPLACE, or where the filesystem lacks it,
 * a look first (quarantine/ is ours alone, 0700, so nobody can race us to the name).
 */
static int spool_rename_new(int from_dir, const char *from, int to_dir, const char *to)
{
	struct stat st;

	if (spool_renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0) {
		return 0;
	}
	/* ENOSYS: a kernel before 3.15 (RHEL 7's 3.10 has it only for some filesystems) */
	if (errno != EINVAL && errno != ENOSYS) {
		return -1;
	}
	if (fstatat(to_dir, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return errno == ENOENT ? renameat(from_dir, from, to_dir, to) : -1;
}

/*
 * Moves @e into quarantine/ under its own name, or NAME.1, NAME.2... when an earlier
 * quarantine holds it: the evidence of an earlier attempt is never overwritten. @e->name
 * becomes the name in quarantine/.
 */
static int spool_quarantine_move(struct spool *s, int qfd, struct spool_suspect *e,
	struct kerr *err)
{
	const char *shown = spool_safe_name(e->name) ? e->name : "(an oddly named entry)";
	char alt[NAME_MAX + 1];
	const char *to = e->name;
	char *copy;
	unsigned i;

	for (i = 1; i <= KS_SPOOL_QUARANTINE_TRIES; i++) {
		if (spool_rename_new(s->dirfd, e->name, qfd, to) == 0) {
			break;
		}
		if (errno != EEXIST) {
			return kerr_sys(err, KERR_IO, errno, "cannot move %s/%s to "
				SPOOL_QUARANTINE, s->o.dir, shown);
		}
		/* the head is cut, not the number, when the name is long */
		(void)snprintf(alt, sizeof(alt), "%.*s.%u", NAME_MAX - 11, e->name, i);
		to = alt;
	}
	if (i > KS_SPOOL_QUARANTINE_TRIES) {
		return kerr_set(err, KERR_LIMIT, "%s/" SPOOL_QUARANTINE " already holds %u entries "
			"named like %s: empty it", s->o.dir, KS_SPOOL_QUARANTINE_TRIES, shown);
	}
	if (to == e->name) {
		return 0;
	}
	copy = strdup(to);
	if (copy == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	free(e->name);
	e->name = copy;
	return 0;
}

/* Moves the suspects into quarantine/, says so, and counts them in the journal. */
static int spool_quarantine_all(struct spool *s, struct spool_suspects *l, struct kerr *err)
{
	char **names = calloc(l->n + 1, sizeof(*names));
	struct spool_journal_more m = {.quarantined = names};
	int qfd, rc = -1;
	size_t i;

	if (names == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	qfd = spool_quarantine_dir(s, err);
	for (i = 0; qfd >= 0 && i < l->n; i++) {
		const char *was = spool_safe_name(l->v[i].name) ? l->v[i].name : NULL;
		char shown[SPOOL_SAFE_NAME_MAX + 1];

		(void)snprintf(shown, sizeof(shown), "%s",
			was != NULL ? was : "an oddly named entry");
		if (spool_quarantine_move(s, qfd, &l->v[i], err) != 0) {
			break;
		}
		log_msg(LOG_LEVEL_WARNING, "spool %s: %s is untrusted (%s): moved to %s/"
			SPOOL_QUARANTINE "/%s, never sent", s->o.dir, shown, l->v[i].why, s->o.dir,
			spool_safe_name(l->v[i].name) ? l->v[i].name : "(an oddly named entry)");
		names[m.nquarantined++] = l->v[i].name;
	}
	s->quarantined += m.nquarantined;
	if (qfd >= 0 && i == l->n && spool_sync(s, err) == 0) {
		rc = m.nquarantined > 0 ? spool_journal_add(s, &m, err) : 0;
	} else if (m.nquarantined > 0) {
		(void)spool_journal_add(s, &m, err);
	}
	xstd_close_quietly(qfd);
	free(names);
	return rc;
}

/* Quarantines every entry that cannot be trusted (all of them in an untrusted directory). */
static int spool_sweep(struct spool *s, struct kerr *err)
{
	struct spool_suspects l;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = spool_each(s, spool_suspect_one, &l, err);
	if (rc != 0 && err->code == KERR_OK) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	}
	if (rc == 0 && l.n > 0) {
		rc = spool_quarantine_all(s, &l, err);
	}
	for (i = 0; i < l.n; i++) {
		free(l.v[i].name);
	}
	free(l.v);
	return rc;
}

size_t spool_quarantined(const struct spool *s)
{
	return s->quarantined;
}
