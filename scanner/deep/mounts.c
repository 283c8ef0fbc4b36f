#include "scanner/deep/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/lineread.h"
#include "base/vec.h"
#include "base/xstd.h"

struct mounts {
	struct mounts_entry *v;
	size_t n;
	size_t cap;
	/* open addressing, slot = index + 1: by mount point (the last entry wins) and by id */
	size_t *by_point;
	size_t *by_id;
	size_t nslots;
};

/* Filesystem types that hold no files of their own: kernel state and special files. */
static const char *const mounts_pseudo[] = {
	"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts",
	"devtmpfs", "efivarfs", "fuse.lxcfs", "fuse.portal", "fusectl", "hugetlbfs", "mqueue",
	"nsfs", "proc", "pstore", "rpc_pipefs", "securityfs", "selinuxfs", "sysfs", "tracefs",
	"nfsd",
};

/* Network and cluster filesystems: shared by many hosts, slow, may hang on a dead server. */
static const char *const mounts_remote[] = {
	"9p", "afs", "ceph", "cifs", "coda", "davfs", "fuse.ceph", "fuse.davfs2",
	"fuse.gcsfuse", "fuse.glusterfs", "fuse.gvfsd-fuse", "fuse.rclone", "fuse.s3fs",
	"fuse.sshfs", "glusterfs", "lustre", "ncpfs", "nfs", "nfs4", "smb3", "smbfs", "virtiofs",
};

/* statfs(2) f_type values of the same families (linux/magic.h), for mounts that appear
 * after the table was read. tmpfs and devtmpfs share a magic, so devtmpfs is missed. */
static const struct {
	int64_t magic;
	enum mounts_class cls;
} mounts_magics[] = {
	{0x9fa0, MOUNTS_PSEUDO},       /* proc */
	{0x62656572, MOUNTS_PSEUDO},   /* sysfs */
	{0x1cd1, MOUNTS_PSEUDO},       /* devpts */
	{0x27e0eb, MOUNTS_PSEUDO},     /* cgroup */
	{0x63677270, MOUNTS_PSEUDO},   /* cgroup2 */
	{0x73636673, MOUNTS_PSEUDO},   /* securityfs */
	{0x64626720, MOUNTS_PSEUDO},   /* debugfs */
	{0x74726163, MOUNTS_PSEUDO},   /* tracefs */
	{0xcafe4a11, MOUNTS_PSEUDO},   /* bpf */
	{0x6165676c, MOUNTS_PSEUDO},   /* pstore */
	{0x62656570, MOUNTS_PSEUDO},   /* configfs */
	{0x65735543, MOUNTS_PSEUDO},   /* fusectl */
	{0x19800202, MOUNTS_PSEUDO},   /* mqueue */
	{0x958458f6, MOUNTS_PSEUDO},   /* hugetlbfs */
	{0x0187, MOUNTS_PSEUDO},       /* autofs */
	{0x42494e4d, MOUNTS_PSEUDO},   /* binfmt_misc */
	{0xde5e81e4, MOUNTS_PSEUDO},   /* efivarfs */
	{0xf97cff8c, MOUNTS_PSEUDO},   /* selinuxfs */
	{0x6e736673, MOUNTS_PSEUDO},   /* nsfs */
	{0x6969, MOUNTS_REMOTE},       /* nfs */
	{0xfe534d42, MOUNTS_REMOTE},   /* smb2/smb3 */
	{0xff534d42, MOUNTS_REMOTE},   /* cifs */
	{0x00c36400, MOUNTS_REMOTE},   /* ceph */
	{0x01021997, MOUNTS_REMOTE},   /* 9p */
	{0x5346414f, MOUNTS_REMOTE},   /* afs */
	{0x0bd00bd0, MOUNTS_REMOTE},   /* lustre */
};

static bool mounts_in(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0) {
			return true;
		}
	}
	return false;
}

enum mounts_class mounts_classify(const char *fstype)
{
	if (mounts_in(mounts_pseudo, XSTD_COUNTOF(mounts_pseudo), fstype)) {
		return MOUNTS_PSEUDO;
	}
	if (mounts_in(mounts_remote, XSTD_COUNTOF(mounts_remote), fstype)) {
		return MOUNTS_REMOTE;
	}
	return MOUNTS_LOCAL;
}

enum mounts_class mounts_classify_magic(int64_t magic)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(mounts_magics); i++) {
		if (mounts_magics[i].magic == magic) {
			return mounts_magics[i].cls;
		}
	}
	return MOUNTS_LOCAL;
}

const char *mounts_class_name(enum mounts_class c)
{
	switch (c) {
	case MOUNTS_LOCAL:
		return "local";
	case MOUNTS_PSEUDO:
		return "pseudo";
	case MOUNTS_REMOTE:
		return "remote";
	default:
		return "unknown";
	}
}

static void mounts_entry_free(struct mounts_entry *e)
{
	free(e->root);
	free(e->point);
	free(e->fstype);
	free(e->source);
}

void mounts_free(struct mounts *m)
{
	size_t i;

	if (m == NULL) {
		return;
	}
	for (i = 0; i < m->n; i++) {
		mounts_entry_free(&m->v[i]);
	}
	free(m->v);
	free(m->by_point);
	free(m->by_id);
	free(m);
}

size_t mounts_count(const struct mounts *m)
{
	return m->n;
}

const struct mounts_entry *mounts_get(const struct mounts *m, size_t i)
{
	return i < m->n ? &m->v[i] : NULL;
}

/* Splits off the next space-separated field of *@s (no empty fields in mountinfo). */
static int mounts_field(char **s, char **out)
{
	char *p = *s, *sp;

	if (p == NULL || *p == '\0' || *p == ' ') {
		return -1;
	}
	sp = strchr(p, ' ');
	if (sp != NULL) {
		*sp = '\0';
		*s = sp + 1;
	} else {
		*s = NULL;
	}
	*out = p;
	return 0;
}

/* A copy of @s with the kernel's octal escapes (\040, \011, \012, \134) decoded. */
static char *mounts_unescape(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *r = malloc(n + 1);

	if (r == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;

		if (u[0] == '\\' && i + 3 < n + 1 && u[1] >= '0' && u[1] <= '3' && u[2] >= '0' &&
		    u[2] <= '7' && u[3] >= '0' && u[3] <= '7') {
			unsigned v = (unsigned)(u[1] - '0') << 6 | (unsigned)(u[2] - '0') << 3 |
				     (unsigned)(u[3] - '0');

			if (v == 0) {
				/* no path holds a NUL: the kernel did not write this */
				free(r);
				errno = EINVAL;
				return NULL;
			}
			r[o++] = (char)v;
			i += 3;
		} else {
			r[o++] = s[i];
		}
	}
	r[o] = '\0';
	return r;
}

static int mounts_num(const char *s, uint64_t max, uint64_t *out)
{
	return xstd_strtou64(s, max, out);
}

/* "MAJOR:MINOR" */
static int mounts_devno(const char *s, struct mounts_entry *e)
{
	const char *colon = strchr(s, ':');
	uint64_t a, b;

	if (colon == NULL || xstd_strntou64(s, (size_t)(colon - s), UINT32_MAX, &a) != 0 ||
	    xstd_strtou64(colon + 1, UINT32_MAX, &b) != 0) {
		return -1;
	}
	e->major = (unsigned)a;
	e->minor = (unsigned)b;
	return 0;
}

/* Fills @e from one line (modified in place). @return 0, or -1 with errno (EINVAL bad). */
static int mounts_line(char *line, struct mounts_entry *e)
{
	char *s = line, *f[5], *opt, *fstype, *field;
	const char *source = "";
	size_t i;

	memset(e, 0, sizeof(*e));
	errno = EINVAL;
	for (i = 0; i < XSTD_COUNTOF(f); i++) {
		if (mounts_field(&s, &f[i]) != 0) {
			return -1;
		}
	}
	if (mounts_num(f[0], UINT64_MAX, &e->id) != 0 ||
	    mounts_num(f[1], UINT64_MAX, &e->parent) != 0 || mounts_devno(f[2], e) != 0 ||
	    f[3][0] != '/' || f[4][0] != '/') {
		errno = EINVAL;
		return -1;
	}
	/* mount options, then optional fields ("shared:1"...) up to the "-" separator */
	do {
		if (mounts_field(&s, &opt) != 0) {
			errno = EINVAL;
			return -1;
		}
	} while (strcmp(opt, "-") != 0);
	if (mounts_field(&s, &fstype) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* source, then super options; an empty source shows as two spaces on old kernels */
	if (s != NULL && *s == ' ') {
		s++;
	} else if (mounts_field(&s, &field) == 0) {
		source = field;
	} else {
		errno = EINVAL;
		return -1;
	}
	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	e->root = mounts_unescape(f[3]);
	e->point = mounts_unescape(f[4]);
	e->fstype = mounts_unescape(fstype);
	e->source = mounts_unescape(source);
	if (e->root == NULL || e->point == NULL || e->fstype == NULL || e->source == NULL) {
		mounts_entry_free(e);
		return -1;
	}
	return 0;
}

static uint64_t mounts_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s != '\0'; s++) {
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	}
	return h;
}

static uint64_t mounts_hash_u64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdu;
	v ^= v >> 33;
	return v;
}

static size_t *mounts_point_slot(const struct mounts *m, size_t *t, const char *point)
{
	size_t mask = m->nslots - 1, i = (size_t)mounts_hash_str(point) & mask;

	while (t[i] != 0 && strcmp(m->v[t[i] - 1].point, point) != 0) {
		i = (i + 1) & mask;
	}
	return &t[i];
}

static size_t *mounts_id_slot(const struct mounts *m, size_t *t, uint64_t id)
{
	size_t mask = m->nslots - 1, i = (size_t)mounts_hash_u64(id) & mask;

	while (t[i] != 0 && m->v[t[i] - 1].id != id) {
		i = (i + 1) & mask;
	}
	return &t[i];
}

/* Builds both indexes; later entries replace earlier ones at the same point. */
static int mounts_index(struct mounts *m)
{
	size_t n = 16, i;

	while (n < 2 * m->n + 2) {
		n *= 2;
	}
	m->nslots = n;
	m->by_point = calloc(n, sizeof(size_t));
	m->by_id = calloc(n, sizeof(size_t));
	if (m->by_point == NULL || m->by_id == NULL) {
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		size_t *id = mounts_id_slot(m, m->by_id, m->v[i].id);

		*mounts_point_slot(m, m->by_point, m->v[i].point) = i + 1;
		if (*id == 0) {
			*id = i + 1;
		}
	}
	return 0;
}

static int mounts_push(struct mounts *m, const struct mounts_entry *e)
{
	if (vec_reserve(&m->v, m->n, &m->cap, sizeof(*m->v), SIZE_MAX) != 0) {
		return -1;
	}
	m->v[m->n++] = *e;
	return 0;
}

/* Parses every line of @lr into @m. */
static int mounts_lines(struct mounts *m, struct lineread *lr, struct kerr *err)
{
	struct mounts_entry e;
	const char *line;
	size_t len;
	char *copy;
	int rc;

	while ((rc = lineread_next(lr, &line, &len)) == 1) {
		if (m->n >= KS_MOUNTS_MAX) {
			return kerr_set(err, KERR_LIMIT, "mountinfo: more than %u mounts",
				KS_MOUNTS_MAX);
		}
		if (memchr(line, '\0', len) != NULL) {
			return kerr_set(err, KERR_CORRUPT, "mountinfo line %zu: a NUL byte",
				lineread_lineno(lr));
		}
		copy = xstd_strndup_max(line, len, KS_MOUNTINFO_LINE_MAX);
		if (copy == NULL) {
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
		rc = mounts_line(copy, &e);
		free(copy);
		if (rc != 0) {
			if (errno == ENOMEM) {
				return kerr_set(err, KERR_NOMEM, "out of memory");
			}
			return kerr_set(err, KERR_CORRUPT, "mountinfo line %zu: not a mount entry",
				lineread_lineno(lr));
		}
		if (mounts_push(m, &e) != 0) {
			mounts_entry_free(&e);
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
	}
	if (rc < 0) {
		return kerr_set(err, errno == E2BIG ? KERR_LIMIT : KERR_IO,
			"mountinfo line %zu: %s", lineread_lineno(lr) + 1,
			errno == E2BIG ? "line too long" : "read error");
	}
	return 0;
}

struct mounts *mounts_parse(const char *data, size_t len, struct kerr *err)
{
	struct mounts *m = calloc(1, sizeof(*m));
	struct lineread *lr;

	if (m == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		return NULL;
	}
	lr = lineread_mem(data, len, KS_MOUNTINFO_LINE_MAX);
	if (lr == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		goto free_mounts;
	}
	if (mounts_lines(m, lr, err) != 0) {
		goto free_reader;
	}
	lineread_free(lr);
	if (mounts_index(m) != 0) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		goto free_mounts;
	}
	return m;

free_reader:
	lineread_free(lr);
free_mounts:
	mounts_free(m);
	return NULL;
}

struct mounts *mounts_read(const char *path, struct kerr *err)
{
	const char *p = path != NULL ? path : "/proc/self/mountinfo";
	struct mounts *m;
	struct buf b;
	int fd;

	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		kerr_sys(err, KERR_IO, errno, "cannot open %s", p);
		return NULL;
	}
	buf_init(&b, KS_MOUNTINFO_FILE_MAX);
	if (xstd_read_fd(fd, KS_MOUNTINFO_FILE_MAX, &b) != 0) {
		kerr_sys(err, errno == E2BIG ? KERR_LIMIT : KERR_IO, errno, "cannot read %s", p);
		xstd_close_quietly(fd);
		buf_free(&b);
		return NULL;
	}
	xstd_close_quietly(fd);
	m = mounts_parse(buf_str(&b), buf_len(&b), err);
	buf_free(&b);
	return m;
}

const struct mounts_entry *mounts_at(const struct mounts *m, const char *point)
{
	size_t slot;

	if (m->nslots == 0) {
		return NULL;
	}
	slot = *mounts_point_slot(m, m->by_point, point);
	return slot != 0 ? &m->v[slot - 1] : NULL;
}

const struct mounts_entry *mounts_by_id(const struct mounts *m, uint64_t id)
{
	size_t slot;

	if (m->nslots == 0) {
		return NULL;
	}
	slot = *mounts_id_slot(m, m->by_id, id);
	return slot != 0 ? &m->v[slot - 1] : NULL;
}
