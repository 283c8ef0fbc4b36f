#include "scanner/deep/kit.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "scanner/deep/kitrpm.h"

/* libarchive's read block: one pread of a kit's headers. */
#define KIT_BLOCK 16384

/*
 * Endings of files that are never an installer kit. Opening every file of /usr would cost
 * a syscall triple per file where the sweep otherwise reads only directories; these
 * endings cover most of a system tree (docs/performance.md has the figures). Every file
 * of the sweep is looked up here, so the last part of its name is searched in a sorted
 * table (bsearch: 7 compares, where matching each ending in turn took a hundred).
 */
static const char *const kit_never_ext[] = {
	"3", "a", "adb", "ads", "ali", "bc", "c", "cc", "cfg", "class", "cmake", "conf", "crt",
	"css", "cuh", "debug", "desktop", "el", "elc", "enc", "fpc", "gif", "gir", "go", "h",
	"hpp", "htm", "html", "ico", "in", "inc", "inl", "jar", "java", "jpg", "js", "json", "ko",
	"la", "lang", "m4", "man", "md", "mk", "mo", "mod", "msg", "o", "otf", "pas", "pc", "pem",
	"pf2", "ph", "php", "pl", "pm", "png", "po", "pod", "pom", "pp", "ppu", "py", "pyc",
	"pyi", "qm", "rb", "rs", "rsj", "rst", "service", "so", "sql", "svg", "tag", "target",
	"tcl", "ttf", "txt", "typelib", "vim", "xml", "yaml", "yml",
};

/* Endings of two parts: compressed man pages and info files, compressed kernel modules. */
static const char *const kit_never_tail[] = {
	".ko.xz", ".ko.zst", ".1.gz", ".2.gz", ".3.gz", ".5.gz", ".7.gz", ".8.gz", ".info.gz",
};

/*
 * Whole names of files that are never a kit: a package's copyright and licence, a wheel's
 * metadata, locale tables. They are a sixth of the files left after the endings on /usr,
 * each a stat the sweep would pay (docs/performance.md). Sorted for bsearch.
 */
static const char *const kit_never_names[] = {
	"AUTHORS", "COPYING", "ChangeLog", "Compose", "INSTALLER", "LICENSE", "METADATA",
	"Makefile", "NEWS", "README", "RECORD", "REQUESTED", "THANKS", "TODO", "WHEEL",
	"XI18N_OBJS", "XLC_LOCALE", "copyright", "macros",
};

/* Compressed documents: changelog.gz, changelog.Debian.gz, NEWS.Debian.gz, README.md.gz. */
static const char *const kit_never_docs[] = {"changelog.", "NEWS.", "README.", "AUTHORS."};

static bool kit_ends(const char *name, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(name + n - k, suffix, k) == 0;
}

static int kit_ext_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool kit_name_candidate(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t n, i;

	if (dot == NULL) {
		return bsearch(name, kit_never_names, XSTD_COUNTOF(kit_never_names),
			       sizeof(kit_never_names[0]), kit_ext_cmp) == NULL;
	}
	if (bsearch(dot + 1, kit_never_ext, XSTD_COUNTOF(kit_never_ext), sizeof(kit_never_ext[0]),
		    kit_ext_cmp) != NULL) {
		return false;
	}
	/* versioned shared objects: libfoo.so.1.2.3 */
	if (strstr(name, ".so.") != NULL) {
		return false;
	}
	if (strcmp(dot, ".gz") != 0 && strcmp(dot, ".xz") != 0 && strcmp(dot, ".zst") != 0) {
		return true;
	}
	for (i = 0; i < XSTD_COUNTOF(kit_never_docs); i++) {
		if (strncmp(name, kit_never_docs[i], strlen(kit_never_docs[i])) == 0) {
			return false;
		}
	}
	n = strlen(name);
	for (i = 0; i < XSTD_COUNTOF(kit_never_tail); i++) {
		if (kit_ends(name, n, kit_never_tail[i])) {
			return false;
		}
	}
	return true;
}

/* A makeself bundle (https://makeself.io) says so in its first comment lines. */
static bool kit_is_bundle(const unsigned char *head, size_t n)
{
	static const char *const markers[] = {
		"This script was generated using Makeself",
		"Kaspersky",
	};
	size_t i;

	if (n < 2 || head[0] != '#' || head[1] != '!') {
		return false;
	}
	for (i = 0; i < XSTD_COUNTOF(markers); i++) {
		if (memmem(head, n, markers[i], strlen(markers[i])) != NULL) {
			return i == 0 || memmem(head, n, "MS_", 3) != NULL;
		}
	}
	return false;
}

/*
 * A gzip stream whose first 512 bytes, inflated from the head alone, are a tar header: a
 * changelog.gz is told apart without libarchive, for the price of a tiny inflate.
 */
static bool kit_gzip_tar(const unsigned char *head, size_t n)
{
	unsigned char out[512];
	z_stream z;
	bool tar;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		return false;
	}
	z.next_in = (unsigned char *)(uintptr_t)head;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = sizeof(out);
	(void)inflate(&z, Z_SYNC_FLUSH);
	tar = z.avail_out == 0 && memcmp(out + 257, "ustar", 5) == 0;
	inflateEnd(&z);
	return tar;
}

enum kit_format kit_magic(const unsigned char *head, size_t n)
{
	static const unsigned char xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

	if (n >= 21 && memcmp(head, "!<arch>\ndebian-binary", 21) == 0) {
		return KIT_DEB;
	}
	if (n >= KITRPM_LEAD_SIZE + KITRPM_INTRO_SIZE && kitrpm_is_lead(head, n) &&
	    kitrpm_intro(head + KITRPM_LEAD_SIZE) != 0) {
		return KIT_RPM;
	}
	if (n >= 4 && memcmp(head, "PK\3\4", 4) == 0) {
		return KIT_ZIP;
	}
	if ((n >= 2 && head[0] == 0x1f && head[1] == 0x8b && kit_gzip_tar(head, n)) ||
	    (n >= 6 && !memcmp(head, xz, 6)) || (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)) {
		return KIT_TAR;
	}
	return kit_is_bundle(head, n) ? KIT_SH : KIT_NONE;
}

void kit_meta_free(struct kit_meta *m)
{
	free(m->name);
	free(m->version);
	free(m->arch);
	free(m->vendor);
	free(m->summary);
	memset(m, 0, sizeof(*m));
}

/* ---- .rpm ---- */

/* Reads exactly @n bytes at @off. @return 0, 1 when the file is shorter, -1 on error. */
static int kit_pread(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			return 1;
		}
		got += (size_t)r;
	}
	return 0;
}

static char *kit_dup(const char *s)
{
	if (s == NULL) {
		return NULL;
	}
	return xstd_strndup_max(s, strnlen(s, KS_KIT_FIELD_MAX), KS_KIT_FIELD_MAX);
}

/* [epoch:]version-release of @p. */
static char *kit_rpm_evr(const struct kitrpm_pkg *p)
{
	char buf[3 * KS_KIT_FIELD_MAX + 16];

	if (p->version == NULL) {
		return NULL;
	}
	if (p->has_epoch) {
		(void)snprintf(buf, sizeof(buf), "%" PRIu32 ":%s-%s", p->epoch, p->version,
			p->release != NULL ? p->release : "");
	} else {
		(void)snprintf(buf, sizeof(buf), "%s-%s", p->version,
			p->release != NULL ? p->release : "");
	}
	return kit_dup(buf);
}

static int kit_rpm_meta(const struct kitrpm_pkg *p, struct kit_meta *m)
{
	m->name = kit_dup(p->name);
	m->version = kit_rpm_evr(p);
	m->arch = kit_dup(p->arch);
	m->vendor = kit_dup(p->vendor != NULL ? p->vendor : p->packager);
	m->summary = kit_dup(p->summary);
	if (m->name == NULL || (p->version != NULL && m->version == NULL) ||
	    (p->arch != NULL && m->arch == NULL) || (p->summary != NULL && m->summary == NULL) ||
	    ((p->vendor != NULL || p->packager != NULL) && m->vendor == NULL)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The header at @off: its blob (after the 8 magic bytes) read into @blob. */
static int kit_rpm_header(int fd, off_t off, unsigned char **blob, size_t *n)
{
	unsigned char intro[KITRPM_INTRO_SIZE];
	size_t size;
	int rc = kit_pread(fd, intro, sizeof(intro), off);

	if (rc != 0) {
		return rc < 0 ? -1 : KIT_CORRUPT;
	}
	size = kitrpm_intro(intro);
	if (size == 0) {
		return KIT_CORRUPT;
	}
	*n = size + 8;
	*blob = malloc(*n);
	if (*blob == NULL) {
		return -1;
	}
	rc = kit_pread(fd, *blob, *n, off + 8);
	if (rc != 0) {
		free(*blob);
		*blob = NULL;
		return rc < 0 ? -1 : KIT_CORRUPT;
	}
	return KIT_OK;
}

static int kit_rpm(int fd, struct kit_meta *m)
{
	unsigned char intro[KITRPM_INTRO_SIZE], *blob = NULL;
	struct kitrpm_pkg p;
	size_t sig, n;
	off_t main_off;
	int rc;

	rc = kit_pread(fd, intro, sizeof(intro), KITRPM_LEAD_SIZE);
	if (rc != 0) {
		return rc < 0 ? -1 : KIT_CORRUPT;
	}
	sig = kitrpm_intro(intro);
	if (sig == 0) {
		return KIT_CORRUPT;
	}
	/* the signature header is padded to a multiple of 8 bytes */
	main_off = (off_t)(KITRPM_LEAD_SIZE + KITRPM_INTRO_SIZE + sig);
	main_off = (main_off + 7) & ~(off_t)7;
	rc = kit_rpm_header(fd, main_off, &blob, &n);
	if (rc != KIT_OK) {
		return rc;
	}
	if (kitrpm_parse(blob, n, &p) != 0) {
		free(blob);
		return errno == ENOMEM ? -1 : KIT_CORRUPT;
	}
	free(blob);
	rc = kit_rpm_meta(&p, m);
	kitrpm_pkg_free(&p);
	return rc;
}

/* ---- .deb ---- */

/* Reads the current member of @a into a new buffer of at most @max bytes. */
static int kit_slurp(struct archive *a, size_t max, char **out, size_t *n)
{
	char *buf = malloc(max + 1);
	size_t got = 0;

	if (buf == NULL) {
		return -1;
	}
	for (;;) {
		la_ssize_t r = archive_read_data(a, buf + got, max + 1 - got);

		if (r < 0) {
			free(buf);
			return KIT_CORRUPT;
		}
		if (r == 0) {
			break;
		}
		got += (size_t)r;
		if (got > max) {
			free(buf);
			return KIT_OVER_LIMIT;
		}
	}
	buf[got] = '\0';
	*out = buf;
	*n = got;
	return KIT_OK;
}

/* The value of control field @key in @ctl (its first line), copied, or NULL. */
static char *kit_field(const char *ctl, const char *key)
{
	size_t k = strlen(key);
	const char *p = ctl;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, key, k) == 0 && p[k] == ':') {
			const char *v = p + k + 1;

			v += strspn(v, " \t");
			return xstd_strndup_max(v, strcspn(v, "\n"), KS_KIT_FIELD_MAX);
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return NULL;
}

/* A field absent is NULL; out of memory for a present one is an error. */
static int kit_take(const char *ctl, const char *key, char **slot)
{
	char *v = kit_field(ctl, key);

	if (v == NULL && errno == ENOMEM) {
		return -1;
	}
	*slot = v;
	return 0;
}

static int kit_deb_fields(const char *ctl, struct kit_meta *m)
{
	errno = 0;
	if (kit_take(ctl, "Package", &m->name) != 0 || kit_take(ctl, "Version", &m->version) ||
	    kit_take(ctl, "Architecture", &m->arch) || kit_take(ctl, "Maintainer", &m->vendor) ||
	    kit_take(ctl, "Description", &m->summary)) {
		return -1;
	}
	return m->name != NULL ? KIT_OK : KIT_CORRUPT;
}

static bool kit_is_control(const char *name)
{
	return strcmp(name, "./control") == 0 || strcmp(name, "control") == 0;
}

/* The control file of the control tarball @tar (@n bytes). */
static int kit_deb_control(const char *tar, size_t n, struct kit_meta *m)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	unsigned members = 0;
	int rc = KIT_CORRUPT;

	if (a == NULL) {
		return -1;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, n) != ARCHIVE_OK) {
		goto free_archive;
	}
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char *ctl;
		size_t len;

		if (++members > KS_KIT_MEMBERS_MAX) {
			rc = KIT_OVER_LIMIT;
			break;
		}
		if (!kit_is_control(archive_entry_pathname(e) ? archive_entry_pathname(e) : "")) {
			continue;
		}
		rc = kit_slurp(a, KS_KIT_CONTROL_FILE_MAX, &ctl, &len);
		if (rc == KIT_OK) {
			rc = kit_deb_fields(ctl, m);
			free(ctl);
		}
		break;
	}

free_archive:
	archive_read_free(a);
	return rc;
}

/* Walks the ar members of a .deb: debian-binary first, then control.tar*. */
static int kit_deb(int fd, struct kit_meta *m)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	const char *name;
	unsigned members = 0;
	int rc = KIT_CORRUPT;

	if (a == NULL) {
		return -1;
	}
	archive_read_support_format_ar(a);
	if (archive_read_open_fd(a, fd, KIT_BLOCK) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK ||
	    strcmp(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", "debian-binary")) {
		goto free_archive;
	}
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && ++members < 8) {
		char *tar;
		size_t n;

		name = archive_entry_pathname(e);
		if (name == NULL || strncmp(name, "control.tar", 11) != 0) {
			continue;
		}
		rc = kit_slurp(a, KS_KIT_CONTROL_MAX, &tar, &n);
		if (rc == KIT_OK) {
			rc = kit_deb_control(tar, n, m);
			free(tar);
		}
		break;
	}

free_archive:
	archive_read_free(a);
	return rc;
}

/* ---- tarballs and zips: listed, never extracted ---- */

/* Reads past the current member's data, counting it against the byte cap. */
static int kit_skip(struct archive *a, uint64_t *bytes)
{
	char buf[KIT_BLOCK];
	la_ssize_t r;

	/* read, not skipped: libarchive would decompress a bomb member without a bound */
	while ((r = archive_read_data(a, buf, sizeof(buf))) > 0) {
		*bytes += (uint64_t)r;
		if (*bytes > KS_KIT_BYTES_MAX) {
			return KIT_OVER_LIMIT;
		}
	}
	return r == 0 ? KIT_OK : KIT_CORRUPT;
}

static int kit_list_entries(struct archive *a, bool seekable, kit_member_fn member, void *ctx)
{
	struct archive_entry *e;
	unsigned members = 0;
	uint64_t bytes = 0;
	int r, rc;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (++members > KS_KIT_MEMBERS_MAX) {
			return KIT_OVER_LIMIT;
		}
		if (name != NULL && strnlen(name, KS_KIT_NAME_MAX + 1) <= KS_KIT_NAME_MAX &&
		    member(ctx, name) != 0) {
			return -1;
		}
		/* a zip's central directory lists members without reading their data */
		rc = seekable ? KIT_OK : kit_skip(a, &bytes);
		if (rc != KIT_OK) {
			return rc;
		}
	}
	if (r == ARCHIVE_EOF) {
		return KIT_OK;
	}
	/* a compressed stream that is no tarball at all is not a kit, just a .gz */
	return members == 0 && !seekable ? KIT_NOT : KIT_CORRUPT;
}

/* The end of central directory record: 22 bytes, then a comment of up to 64 KiB. */
#define KIT_EOCD 22u
#define KIT_EOCD_SCAN (KIT_EOCD + 65535u)

/*
 * The member count a zip's end record gives, or -1 when there is none to trust (no
 * record, or zip64's 0xffff). libarchive's seekable reader loads the whole central
 * directory before the first member: a source zip of 20,000 members is refused from its
 * last bytes instead (docs/performance.md).
 */
static long kit_zip_count(int fd)
{
	unsigned char *tail;
	struct stat st;
	size_t n, i;
	long count = -1;

	if (fstat(fd, &st) != 0 || st.st_size < (off_t)KIT_EOCD) {
		return -1;
	}
	n = (uint64_t)st.st_size < KIT_EOCD_SCAN ? (size_t)st.st_size : KIT_EOCD_SCAN;
	tail = malloc(n);
	if (tail == NULL || kit_pread(fd, tail, n, st.st_size - (off_t)n) != 0) {
		free(tail);
		return -1;
	}
	for (i = n - KIT_EOCD + 1; i-- > 0;) {
		if (memcmp(tail + i, "PK\5\6", 4) == 0) {
			count = (long)tail[i + 10] | (long)tail[i + 11] << 8;
			break;
		}
	}
	free(tail);
	return count == 0xffff ? -1 : count;
}

static int kit_list(int fd, enum kit_format f, kit_member_fn member, void *ctx)
{
	struct archive *a = archive_read_new();
	int rc = KIT_CORRUPT;

	if (a == NULL) {
		return -1;
	}
	if (f == KIT_ZIP && kit_zip_count(fd) > (long)KS_KIT_MEMBERS_MAX) {
		archive_read_free(a);
		return KIT_OVER_LIMIT;
	}
	if (f == KIT_ZIP) {
		/* seekable: the central directory is read, not the members' data */
		archive_read_support_format_zip_seekable(a);
	} else {
		archive_read_support_filter_all(a);
		archive_read_support_format_tar(a);
	}
	if (archive_read_open_fd(a, fd, KIT_BLOCK) == ARCHIVE_OK) {
		rc = kit_list_entries(a, f == KIT_ZIP, member, ctx);
	} else if (f == KIT_TAR) {
		rc = KIT_NOT;
	}
	archive_read_free(a);
	/* a bundle's header promised a tarball: not finding one makes it corrupt, not a .gz */
	return f == KIT_SH && rc == KIT_NOT ? KIT_CORRUPT : rc;
}

/* ---- self-extracting shell bundles ---- */

/*
 * The number of header lines before a makeself bundle's payload: skip="714" in makeself
 * 2.2 and later, offset=`head -n 403 "$0" | wc -c` before. @return 0, or -1 when absent.
 */
static int kit_sh_lines(const char *head, size_t n, uint64_t *lines)
{
	static const char *const keys[] = {"\nskip=\"", "offset=`head -n "};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(keys); i++) {
		const char *k = memmem(head, n, keys[i], strlen(keys[i]));
		size_t at, len = 0;

		if (k == NULL) {
			continue;
		}
		at = (size_t)(k - head) + strlen(keys[i]);
		while (at + len < n && len < 8 && head[at + len] >= '0' && head[at + len] <= '9') {
			len++;
		}
		if (len > 0 && xstd_strntou64(head + at, len, KS_KIT_SH_LINES_MAX, lines) == 0) {
			return 0;
		}
	}
	return -1;
}

/* The byte offset after the first @lines lines of @fd, or -1 past KS_KIT_SH_HEADER_MAX. */
static off_t kit_sh_offset(int fd, uint64_t lines)
{
	char buf[KIT_BLOCK];
	off_t off = 0;

	while (lines > 0 && (uint64_t)off < KS_KIT_SH_HEADER_MAX) {
		ssize_t r = pread(fd, buf, sizeof(buf), off);
		ssize_t i;

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return -1;
		}
		for (i = 0; i < r && lines > 0; i++) {
			lines -= buf[i] == '\n';
		}
		off += i;
	}
	return lines == 0 ? off : -1;
}

/* A makeself bundle: its payload (a tarball, compressed or not) after the header, listed. */
static int kit_sh(int fd, kit_member_fn member, void *ctx)
{
	char head[KS_KIT_HEAD];
	uint64_t lines;
	ssize_t n = pread(fd, head, sizeof(head), 0);
	off_t off;

	if (n <= 0 || kit_sh_lines(head, (size_t)n, &lines) != 0) {
		return n < 0 ? -1 : KIT_CORRUPT;
	}
	off = kit_sh_offset(fd, lines);
	if (off < 0 || lseek(fd, off, SEEK_SET) != off) {
		return KIT_CORRUPT;
	}
	return kit_list(fd, KIT_SH, member, ctx);
}

int kit_read(int fd, enum kit_format f, struct kit_meta *out, kit_member_fn member, void *ctx)
{
	static const char *const names[] = {"", "deb", "rpm", "tar", "zip", "sh"};

	memset(out, 0, sizeof(*out));
	out->format = names[f];
	switch (f) {
	case KIT_DEB:
		return kit_deb(fd, out);
	case KIT_RPM:
		return kit_rpm(fd, out);
	case KIT_TAR:
	case KIT_ZIP:
		return kit_list(fd, f, member, ctx);
	case KIT_SH:
		return kit_sh(fd, member, ctx);
	case KIT_NONE:
	default:
		return KIT_CORRUPT;
	}
}
