#include "scanner/probes/services.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"

/* A unit, script or enabling link that a signature wants, kept until all are read. */
struct services_item {
	char *name;
	char *path;
	char *target;
	bool sysv;
	bool masked;
};

struct services_vec {
	struct services_item *v;
	size_t n;
	size_t cap;
};

/* One services_scan() call. */
struct services_run {
	const struct rootfs *r;
	const struct services_sink *sink;
	struct services_counts *c;
	struct kerr *err;
	/* unit files and init scripts */
	struct services_vec units;
	/* enabling links: *.wants entries and rc?.d S links */
	struct services_vec links;
	/* the rc?.d directory being read starts services at boot (rc2.d to rc5.d, rcS.d) */
	bool rc_boot;
	bool any;
};

bool services_template(const char *inst, char *out, size_t n)
{
	const char *at = strchr(inst, '@'), *dot = strrchr(inst, '.');
	size_t head, tail;

	if (at == NULL || dot == NULL || dot <= at + 1) {
		return false;
	}
	head = (size_t)(at - inst) + 1;
	tail = strlen(dot);
	if (head + tail + 1 > n) {
		return false;
	}
	memcpy(out, inst, head);
	memcpy(out + head, dot, tail + 1);
	return true;
}

/* Does the enabling link @link name the unit @unit (itself or one of its instances)? */
static bool services_names(const char *link, const char *unit)
{
	char tmpl[NAME_MAX + 1];

	return strcmp(link, unit) == 0 ||
		(services_template(link, tmpl, sizeof(tmpl)) && strcmp(tmpl, unit) == 0);
}

static void services_note(struct services_run *run, enum kerr_code code, int errnum,
	const char *what)
{
	if (run->c->errors++ == 0) {
		kerr_sys(run->err, code, errnum, "%s", what);
	}
}

static bool services_wanted(struct services_run *run, const char *name, bool sysv)
{
	char tmpl[NAME_MAX + 1];

	if (run->sink->want(run->sink->ctx, name, sysv)) {
		return true;
	}
	return !sysv && services_template(name, tmpl, sizeof(tmpl)) &&
		run->sink->want(run->sink->ctx, tmpl, sysv);
}

static void services_item_free(struct services_item *it)
{
	free(it->name);
	free(it->path);
	free(it->target);
}

static void services_vec_free(struct services_vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		services_item_free(&v->v[i]);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/*
 * Keeps @name at @path (with its link text, read through @dfd/@entry, if it is a link).
 * @return 0, or -1 with the error set (out of memory).
 */
static int services_keep(struct services_run *run, struct services_vec *vec, const char *name,
	const char *path, int dfd, const char *entry, bool sysv)
{
	char target[PATH_MAX];
	struct services_item it;
	ssize_t len;

	if (vec->n >= KS_SERVICES_DIR_ENTRIES_MAX) {
		services_note(run, KERR_LIMIT, E2BIG, path);
		return 0;
	}
	memset(&it, 0, sizeof(it));
	it.sysv = sysv;
	it.name = strdup(name);
	it.path = strdup(path);
	len = readlinkat(dfd, entry, target, sizeof(target) - 1);
	if (len >= 0) {
		target[len] = '\0';
		it.target = strdup(target);
		it.masked = !sysv && strcmp(target, "/dev/null") == 0;
	}
	if (it.name == NULL || it.path == NULL || (len >= 0 && it.target == NULL)) {
		goto nomem;
	}
	if (vec_reserve(&vec->v, vec->n, &vec->cap, sizeof(*vec->v), SIZE_MAX) != 0) {
		goto nomem;
	}
	vec->v[vec->n++] = it;
	return 0;

nomem:
	services_item_free(&it);
	return kerr_set(run->err, KERR_NOMEM, "out of memory");
}

/* "<dir>/<name>" into @out. @return false (and notes it) if it does not fit. */
static bool services_join(struct services_run *run, char *out, const char *dir,
	const char *name)
{
	size_t a = strlen(dir), b = strlen(name);

	if (a + 1 + b >= PATH_MAX) {
		services_note(run, KERR_IO, ENAMETOOLONG, dir);
		return false;
	}
	memcpy(out, dir, a);
	out[a] = '/';
	memcpy(out + a + 1, name, b + 1);
	return true;
}

/* Opens the directory @name of @dfd (never through a link) as a DIR. */
static DIR *services_opendir_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;

	if (fd < 0) {
		return NULL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		xstd_close_quietly(fd);
	}
	return d;
}

/* The links of one *.wants or *.requires directory @name of the unit directory @dir. */
static int services_wants(struct services_run *run, int dfd, const char *dir, const char *name)
{
	char sub[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	size_t seen = 0;
	int rc = 0;
	DIR *d;

	if (!services_join(run, sub, dir, name)) {
		return 0;
	}
	d = services_opendir_at(dfd, name);
	if (d == NULL) {
		/* a unit named like a directory ("x.wants" file) is no directory to read */
		if (errno != ENOTDIR && errno != ELOOP) {
			services_note(run, KERR_IO, errno, sub);
		}
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') {
			continue;
		}
		if (++seen > KS_SERVICES_DIR_ENTRIES_MAX) {
			services_note(run, KERR_LIMIT, E2BIG, sub);
			break;
		}
		run->c->links++;
		if (services_wanted(run, de->d_name, false) && services_join(run, path, sub,
			    de->d_name)) {
			rc = services_keep(run, &run->links, de->d_name, path, dirfd(d), de->d_name,
				false);
		}
	}
	(void)closedir(d);
	return rc;
}

static bool services_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), k = strlen(sfx);

	return n > k && strcmp(s + n - k, sfx) == 0;
}

/* One entry of a unit directory: a unit file, or a *.wants / *.requires directory. */
static int services_unit_entry(struct services_run *run, DIR *d, const char *dir,
	const char *name)
{
	char path[PATH_MAX];

	run->c->entries++;
	if (services_suffix(name, ".wants") || services_suffix(name, ".requires")) {
		return services_wants(run, dirfd(d), dir, name);
	}
	if (!services_wanted(run, name, false) || !services_join(run, path, dir, name)) {
		return 0;
	}
	return services_keep(run, &run->units, name, path, dirfd(d), name, false);
}

/*
 * Opens the directory @dir of the root, unless it is one already read (@seen, with a
 * merged /usr lib/systemd/system and usr/lib/systemd/system are one directory).
 * @return the DIR, or NULL (errno 0 when absent or already read).
 */
static DIR *services_opendir(struct services_run *run, const char *dir, struct stat *seen,
	size_t *nseen)
{
	struct stat st;
	size_t i;
	DIR *d;
	int fd = rootfs_open_dir(run->r, dir, 0);

	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			run->any = true;
			services_note(run, KERR_IO, errno, dir);
		}
		errno = 0;
		return NULL;
	}
	run->any = true;
	if (seen != NULL && fstat(fd, &st) == 0) {
		for (i = 0; i < *nseen; i++) {
			if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
				xstd_close_quietly(fd);
				errno = 0;
				return NULL;
			}
		}
		seen[(*nseen)++] = st;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		services_note(run, KERR_IO, errno, dir);
		xstd_close_quietly(fd);
		errno = 0;
		return NULL;
	}
	run->c->dirs++;
	return d;
}

/* Every entry of @dir, handed to @fn; stops at KS_SERVICES_DIR_ENTRIES_MAX. */
static int services_each(struct services_run *run, DIR *d, const char *dir,
	int (*fn)(struct services_run *run, DIR *d, const char *dir, const char *name))
{
	struct dirent *de;
	size_t seen = 0;
	int rc = 0;

	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') {
			continue;
		}
		if (++seen > KS_SERVICES_DIR_ENTRIES_MAX) {
			services_note(run, KERR_LIMIT, E2BIG, dir);
			break;
		}
		rc = fn(run, d, dir, de->d_name);
	}
	if (rc == 0 && de == NULL && errno != 0) {
		services_note(run, KERR_IO, errno, dir);
	}
	(void)closedir(d);
	return rc;
}

static int services_systemd(struct services_run *run)
{
	static const char *const dirs[] = {"/etc/systemd/system", "/run/systemd/system",
		"/usr/lib/systemd/system", "/lib/systemd/system"};
	struct stat seen[XSTD_COUNTOF(dirs)];
	size_t i, nseen = 0;
	int rc = 0;
	DIR *d;

	for (i = 0; i < XSTD_COUNTOF(dirs) && rc == 0; i++) {
		d = services_opendir(run, dirs[i], seen, &nseen);
		if (d != NULL) {
			rc = services_each(run, d, dirs[i], services_unit_entry);
		}
	}
	return rc;
}

static int services_initd_entry(struct services_run *run, DIR *d, const char *dir,
	const char *name)
{
	char path[PATH_MAX];

	run->c->entries++;
	if (!services_wanted(run, name, true) || !services_join(run, path, dir, name)) {
		return 0;
	}
	return services_keep(run, &run->units, name, path, dirfd(d), name, true);
}

static int services_rc_entry(struct services_run *run, DIR *d, const char *dir,
	const char *name)
{
	char path[PATH_MAX];

	run->c->links++;
	/* S20kesl starts kesl, K01kesl stops it */
	if (name[0] != 'S' || strlen(name) < 4 || name[1] < '0' || name[1] > '9' ||
	    name[2] < '0' || name[2] > '9' || !run->rc_boot ||
	    !services_wanted(run, name + 3, true) || !services_join(run, path, dir, name)) {
		return 0;
	}
	return services_keep(run, &run->links, name + 3, path, dirfd(d), name, true);
}

static int services_sysv(struct services_run *run)
{
	static const char *const rc[] = {"/etc/rc0.d", "/etc/rc1.d", "/etc/rc2.d", "/etc/rc3.d",
		"/etc/rc4.d", "/etc/rc5.d", "/etc/rc6.d", "/etc/rcS.d"};
	size_t i;
	int ret = 0;
	DIR *d = services_opendir(run, "/etc/init.d", NULL, NULL);

	if (d != NULL) {
		ret = services_each(run, d, "/etc/init.d", services_initd_entry);
	}
	for (i = 0; i < XSTD_COUNTOF(rc) && ret == 0; i++) {
		d = services_opendir(run, rc[i], NULL, NULL);
		if (d == NULL) {
			continue;
		}
		run->rc_boot = (i >= 2 && i <= 5) || i == 7;
		ret = services_each(run, d, rc[i], services_rc_entry);
	}
	return ret;
}

/* Is a systemd unit of this name masked anywhere? Then nothing starts it. */
static bool services_masked(const struct services_run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->units.n; i++) {
		if (!run->units.v[i].sysv && run->units.v[i].masked &&
		    strcmp(run->units.v[i].name, name) == 0) {
			return true;
		}
	}
	return false;
}

/* The first link that enables the unit @it, or NULL. */
static const struct services_item *services_enabler(const struct services_run *run,
	const struct services_item *it)
{
	size_t i;

	for (i = 0; i < run->links.n; i++) {
		const struct services_item *l = &run->links.v[i];

		if (l->sysv == it->sysv && services_names(l->name, it->name)) {
			return l;
		}
	}
	return NULL;
}

/* Does any unit or script take the link @l? If not, @l is a left-over. */
static bool services_claimed(const struct services_run *run, const struct services_item *l)
{
	size_t i;

	for (i = 0; i < run->units.n; i++) {
		const struct services_item *u = &run->units.v[i];

		if (u->sysv == l->sysv && services_names(l->name, u->name)) {
			return true;
		}
	}
	return false;
}

static int services_emit(struct services_run *run)
{
	struct services_unit u;
	size_t i;
	int rc = 0;

	for (i = 0; i < run->units.n && rc == 0; i++) {
		const struct services_item *it = &run->units.v[i];
		const struct services_item *en = services_enabler(run, it);

		memset(&u, 0, sizeof(u));
		u.name = it->name;
		u.path = it->path;
		u.sysv = it->sysv;
		u.target = it->target;
		u.masked = !it->sysv && services_masked(run, it->name);
		u.enabled = en != NULL && !u.masked;
		u.enabled_by = en != NULL ? en->path : NULL;
		run->c->found++;
		rc = run->sink->unit(run->sink->ctx, &u);
	}
	for (i = 0; i < run->links.n && rc == 0; i++) {
		const struct services_item *l = &run->links.v[i];

		if (services_claimed(run, l)) {
			continue;
		}
		memset(&u, 0, sizeof(u));
		u.name = l->name;
		u.path = l->path;
		u.sysv = l->sysv;
		u.target = l->target;
		u.orphan = true;
		run->c->found++;
		rc = run->sink->unit(run->sink->ctx, &u);
	}
	return rc;
}

int services_scan(const struct rootfs *r, const struct services_sink *sink,
	struct services_counts *c, struct kerr *err)
{
	struct services_run run = {.r = r, .sink = sink, .c = c, .err = err};
	int rc;

	memset(c, 0, sizeof(*c));
	rc = services_systemd(&run);
	if (rc == 0) {
		rc = services_sysv(&run);
	}
	if (rc == 0) {
		rc = services_emit(&run);
	}
	services_vec_free(&run.units);
	services_vec_free(&run.links);
	if (rc != 0) {
		if (err->code == KERR_OK) {
			kerr_set(err, KERR_INTERNAL, "services: the scan was stopped");
		}
		return -1;
	}
	return run.any ? 1 : 0;
}
