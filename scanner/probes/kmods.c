#include "scanner/probes/kmods.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/lineread.h"
#include "base/xstd.h"

/* Module names as the kernel allows them in /proc/modules. */
static bool kmods_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > KMODS_NAME_MAX) {
		return false;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

int kmods_parse_line(const char *line, size_t n, char *name)
{
	const char *sp = memchr(line, ' ', n);
	size_t len = sp != NULL ? (size_t)(sp - line) : n;

	/* the name is followed by its size: a line with only a name is not the format */
	if (sp == NULL || !kmods_name_ok(line, len) || len + 1 >= n || sp[1] < '0' ||
	    sp[1] > '9') {
		errno = EINVAL;
		return -1;
	}
	memcpy(name, line, len);
	name[len] = '\0';
	return 0;
}

void kmods_normalize(char *name)
{
	for (; *name != '\0'; name++) {
		if (*name == '-') {
			*name = '_';
		}
	}
}

bool kmods_file_name(const char *fname, char *name)
{
	static const char *const suffixes[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};
	size_t n = strlen(fname), i, s;

	for (i = 0; i < XSTD_COUNTOF(suffixes); i++) {
		s = strlen(suffixes[i]);
		if (n > s && memcmp(fname + n - s, suffixes[i], s) == 0 &&
		    kmods_name_ok(fname, n - s)) {
			memcpy(name, fname, n - s);
			name[n - s] = '\0';
			kmods_normalize(name);
			return true;
		}
	}
	return false;
}

/* Notes a problem: counted, the first one described. */
static void kmods_note(struct kmods_counts *c, struct kerr *err, enum kerr_code code,
	int errnum, const char *what)
{
	if (c->errors++ == 0) {
		kerr_sys(err, code, errnum, "%s", what);
	}
}

int kmods_read_loaded(int procfd, const struct kmods_sink *sink, struct kmods_counts *c,
	struct kerr *err)
{
	char name[KMODS_NAME_MAX + 1];
	struct lineread *lr;
	const char *line;
	size_t len;
	int fd, r, rc = 0;

	fd = openat(procfd, "modules", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			return 0;
		}
		kmods_note(c, err, KERR_IO, errno, "/proc/modules");
		return 1;
	}
	lr = lineread_fd(fd, KS_MODULES_LINE_MAX);
	if (lr == NULL) {
		xstd_close_quietly(fd);
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	while (rc == 0 && (r = lineread_next(lr, &line, &len)) == 1) {
		if (kmods_parse_line(line, len, name) != 0) {
			char where[64];

			(void)snprintf(where, sizeof(where), "/proc/modules:%zu",
				lineread_lineno(lr));
			kmods_note(c, err, KERR_CORRUPT, EINVAL, where);
			continue;
		}
		c->loaded++;
		rc = sink->loaded(sink->ctx, name);
	}
	if (rc == 0 && r < 0) {
		kmods_note(c, err, KERR_IO, errno, "/proc/modules");
	}
	lineread_free(lr);
	xstd_close_quietly(fd);
	return rc != 0 ? -1 : 1;
}

/* One walk of a release directory. */
struct kmods_walk {
	const struct kmods_sink *sink;
	struct kmods_counts *c;
	struct kerr *err;
	const char *release;
	size_t entries;
	int rc;
};

static void kmods_walk_dir(struct kmods_walk *w, int fd, const char *path, unsigned depth);

/* The type of @name in @dfd without following a symlink: d_type, or lstat when unknown. */
static unsigned char kmods_type(int dfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN) {
		return de->d_type;
	}
	if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return DT_UNKNOWN;
	}
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

static void kmods_walk_entry(struct kmods_walk *w, int dfd, const char *path,
	const struct dirent *de, unsigned depth)
{
	char sub[PATH_MAX], name[KMODS_NAME_MAX + 1];
	unsigned char type = kmods_type(dfd, de);
	int fd;

	if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub)) {
		kmods_note(w->c, w->err, KERR_IO, ENAMETOOLONG, path);
		return;
	}
	if (type == DT_REG && kmods_file_name(de->d_name, name)) {
		w->c->files++;
		w->rc = w->sink->file(w->sink->ctx, name, sub, w->release);
		return;
	}
	if (type != DT_DIR) {
		return;
	}
	if (depth >= KS_KMOD_DEPTH_MAX) {
		kmods_note(w->c, w->err, KERR_LIMIT, E2BIG, sub);
		return;
	}
	fd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		kmods_note(w->c, w->err, KERR_IO, errno, sub);
		return;
	}
	kmods_walk_dir(w, fd, sub, depth + 1);
}

/* Reads the directory @fd (owned) at @path and everything below it. */
static void kmods_walk_dir(struct kmods_walk *w, int fd, const char *path, unsigned depth)
{
	struct dirent *de = NULL;
	DIR *d = fdopendir(fd);

	if (d == NULL) {
		kmods_note(w->c, w->err, KERR_IO, errno, path);
		xstd_close_quietly(fd);
		return;
	}
	while (w->rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (++w->entries > KS_KMOD_ENTRIES_MAX) {
			kmods_note(w->c, w->err, KERR_LIMIT, E2BIG, path);
			w->rc = 0;
			break;
		}
		kmods_walk_entry(w, dirfd(d), path, de, depth);
	}
	if (de == NULL && errno != 0) {
		kmods_note(w->c, w->err, KERR_IO, errno, path);
	}
	(void)closedir(d);
}

/* Every release directory of one modules directory (@fd owned, at @base). */
static void kmods_walk_base(struct kmods_walk *w, int fd, const char *base)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int sub;

	if (d == NULL) {
		kmods_note(w->c, w->err, KERR_IO, errno, base);
		xstd_close_quietly(fd);
		return;
	}
	while (w->rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || kmods_type(dirfd(d), de) != DT_DIR) {
			continue;
		}
		(void)snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			kmods_note(w->c, w->err, KERR_IO, errno, path);
			continue;
		}
		w->c->kernels++;
		w->release = de->d_name;
		kmods_walk_dir(w, sub, path, 0);
	}
	(void)closedir(d);
}

int kmods_scan_files(const struct rootfs *r, const struct kmods_sink *sink,
	struct kmods_counts *c, struct kerr *err)
{
	static const char *const bases[] = {"/lib/modules", "/usr/lib/modules"};
	struct kmods_walk w = {sink, c, err, NULL, 0, 0};
	struct stat st, seen[2];
	size_t i, nseen = 0, k;
	bool dup;
	int fd;

	for (i = 0; i < XSTD_COUNTOF(bases) && w.rc == 0; i++) {
		fd = rootfs_open_dir(r, bases[i], 0);
		if (fd < 0) {
			if (errno != ENOENT && errno != ENOTDIR) {
				kmods_note(c, err, KERR_IO, errno, bases[i]);
			}
			continue;
		}
		/* with a merged /usr, lib is a link to usr/lib: the same directory twice */
		dup = false;
		if (fstat(fd, &st) == 0) {
			for (k = 0; k < nseen; k++) {
				dup = dup || (seen[k].st_dev == st.st_dev &&
					      seen[k].st_ino == st.st_ino);
			}
			seen[nseen++] = st;
		}
		if (dup) {
			xstd_close_quietly(fd);
			continue;
		}
		kmods_walk_base(&w, fd, bases[i]);
	}
	if (w.rc != 0) {
		if (err->code == KERR_OK) {
			kerr_set(err, KERR_INTERNAL, "module files: the walk was stopped");
		}
		return -1;
	}
	return nseen > 0 ? 1 : 0;
}
