#include "signatures/sigload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"
#include "base/yread.h"
#include "signatures/builtin.h"
#include "signatures/sigyaml.h"

static int sigload_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type = EVP_sha256();

	if (type == NULL || EVP_Digest(data, len, md, &mdlen, type, NULL) != 1 || mdlen != 32) {
		return -1;
	}
	xstd_hex(md, 32, out);
	return 0;
}


/* A pack over KS_SIG_FILE_MAX, found before parsing (memory) or while reading (files). */
static int sigload_too_big(struct sig_set *s, const char *name, struct kerr *err)
{
	struct kerr e;

	sig_set_fail(s);
	kerr_clear(&e);
	(void)kerr_set(&e, KERR_LIMIT, "%s:1:1: the pack is larger than %u bytes", name,
		KS_SIG_FILE_MAX);
	if (sig_set_add_diag(s, e.msg) != 0) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory", name);
	}
	return kerr_set(err, e.code, "%s", e.msg);
}

/*
 * Keeps a refusal of a whole file (ownership, signature) as a diagnostic, as written: it is
 * about the file, not a place in it. @return -1 always (the load fails).
 */
static int sigload_refused(struct sig_set *s, const struct kerr *err)
{
	sig_set_fail(s);
	(void)sig_set_add_diag(s, err->msg);
	return -1;
}

/* Keeps the pack's diagnostics in the set. */
static void sigload_keep_diags(struct sig_set *s, const struct yread *y)
{
	size_t i;

	for (i = 0; i < yread_ndiags(y); i++) {
		if (sig_set_add_diag(s, yread_diag(y, i)) != 0) {
			break;
		}
	}
}

/* Adds the pack @y read into @p to the set if it read cleanly; @meta: what the file says. */
static int sigload_add(struct sig_set *s, const char *name, const struct yread *y,
	struct sigyaml_pack *p, const struct sig_pack *meta, struct kerr *err)
{
	struct sig_pack pack = *meta;
	struct kerr e;

	kerr_clear(&e);
	memcpy(pack.date, p->date, sizeof(pack.date));
	memcpy(pack.expires, p->expires, sizeof(pack.expires));
	pack.date_days = p->date_days;
	pack.expires_days = p->expires_days;
	pack.compliance = p->compliance;
	pack.ncompliance = p->ncompliance;
	if (yread_result(y, &e) == 0 && sig_set_add_pack(s, name, p->version, &pack, p->sigs,
	    p->nsigs) == 0) {
		/* the set owns them now */
		p->nsigs = 0;
		p->compliance = NULL;
		p->ncompliance = 0;
		return 0;
	}
	sig_set_fail(s);
	sigload_keep_diags(s, y);
	if (e.code == KERR_OK || e.code == KERR_NOMEM) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory while loading the pack", name);
	}
	return kerr_set(err, e.code, "%s", e.msg);
}

/* sigload_mem() with what is known of the file: built in, its signature verified. */
static int sigload_pack(struct sig_set *s, const char *name, const char *data, size_t len,
	const struct sig_pack *meta, struct kerr *err)
{
	struct sig_pack m = *meta;
	struct sigyaml_pack p;
	struct yread *y;
	int rc;

	if (sig_set_finished(s)) {
		return kerr_set(err, KERR_INTERNAL, "%s: the signature set is already finished",
			name);
	}
	if (sig_set_npacks(s) >= KS_SIG_PACKS_MAX) {
		sig_set_fail(s);
		return kerr_set(err, KERR_LIMIT, "%s: more than %u signature packs", name,
			KS_SIG_PACKS_MAX);
	}
	if (len > KS_SIG_FILE_MAX) {
		return sigload_too_big(s, name, err);
	}
	if (sigload_sha256_hex(data, len, m.sha256) != 0) {
		sig_set_fail(s);
		return kerr_set(err, KERR_INTERNAL, "%s: cannot compute the pack's sha256", name);
	}
	y = sigyaml_read(name, data, len, sig_set_count(s), &p);
	if (y == NULL) {
		sig_set_fail(s);
		rc = kerr_set(err, KERR_NOMEM, "%s: out of memory", name);
	} else {
		rc = sigload_add(s, name, y, &p, &m, err);
	}
	yread_free(y);
	sigyaml_pack_free(&p);
	return rc;
}

int sigload_mem(struct sig_set *s, const char *name, const char *data, size_t len,
	bool builtin, struct kerr *err)
{
	struct sig_pack meta;

	memset(&meta, 0, sizeof(meta));
	meta.builtin = builtin;
	return sigload_pack(s, name, data, len, &meta, err);
}

/* Runs the set's gate, if any, on a pack read from a file. */
static int sigload_run_gate(struct sig_set *s, const char *name, int fd, const struct buf *b,
	bool *verified, struct kerr *err)
{
	const struct sig_gate *g = sig_set_get_gate(s);
	struct stat st;

	*verified = false;
	if (g->check == NULL) {
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot stat", name);
	}
	return g->check(g->ctx, name, &st, buf_str(b), buf_len(b), verified, err);
}

static int sigload_fd(struct sig_set *s, const char *name, int fd, struct kerr *err)
{
	struct sig_pack meta;
	bool verified;
	struct buf b;
	int rc;

	buf_init(&b, KS_SIG_FILE_MAX);
	if (xstd_read_fd(fd, KS_SIG_FILE_MAX, &b) != 0) {
		if (errno == E2BIG) {
			rc = sigload_too_big(s, name, err);
		} else {
			sig_set_fail(s);
			rc = kerr_sys(err, KERR_IO, errno, "%s: cannot read", name);
		}
		goto free_buf;
	}
	if (sigload_run_gate(s, name, fd, &b, &verified, err) != 0) {
		sig_set_fail(s);
		rc = sigload_refused(s, err);
		goto free_buf;
	}
	memset(&meta, 0, sizeof(meta));
	meta.verified = verified;
	rc = sigload_pack(s, name, buf_str(&b), buf_len(&b), &meta, err);

free_buf:
	buf_free(&b);
	xstd_close_quietly(fd);
	return rc;
}

/* Packs in a directory: *.yaml and *.yml; dot files (editor locks, backups) are not. */
static bool sigload_is_pack_name(const char *n)
{
	size_t len = strlen(n);

	if (n[0] == '.') {
		return false;
	}
	return (len > 5 && strcmp(n + len - 5, ".yaml") == 0) ||
		(len > 4 && strcmp(n + len - 4, ".yml") == 0);
}

static int sigload_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct sigload_names {
	char **v;
	size_t n;
};

static void sigload_names_list_free(struct sigload_names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
}

/* Collects the pack names of @d, sorted. */
static int sigload_list_dir(DIR *d, const char *path, struct sigload_names *out, struct kerr *err)
{
	struct dirent *de;
	size_t seen = 0;

	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (++seen > KS_SIG_DIR_ENTRIES_MAX) {
			return kerr_set(err, KERR_LIMIT, "%s: more than %u directory entries", path,
				KS_SIG_DIR_ENTRIES_MAX);
		}
		if (!sigload_is_pack_name(de->d_name)) {
			continue;
		}
		if (out->n == KS_SIG_PACKS_MAX) {
			return kerr_set(err, KERR_LIMIT, "%s: more than %u signature packs", path,
				KS_SIG_PACKS_MAX);
		}
		if (vec_reserve_implied(&out->v, out->n, sizeof(*out->v), SIZE_MAX) != 0 ||
		    (out->v[out->n] = strdup(de->d_name)) == NULL) {
			return kerr_set(err, KERR_NOMEM, "%s: out of memory", path);
		}
		out->n++;
	}
	if (errno != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot read the directory", path);
	}
	if (out->n == 0) {
		return kerr_set(err, KERR_INPUT, "%s: no *.yaml or *.yml signature packs here",
			path);
	}
	xstd_qsort(out->v, out->n, sizeof(*out->v), sigload_cmp_names);
	return 0;
}

/* Loads @dir/@entry: a regular file, never a symlink, FIFO or device. */
static int sigload_entry(struct sig_set *s, const char *dir, int dfd, const char *entry,
	struct kerr *err)
{
	struct stat st;
	struct buf name;
	int fd, rc = -1;

	buf_init(&name, (size_t)PATH_MAX * 2);
	/* the buffer's error is sticky: the last append reports any failure */
	(void)buf_adds(&name, dir);
	if (buf_len(&name) > 0 && buf_str(&name)[buf_len(&name) - 1] != '/') {
		(void)buf_addc(&name, '/');
	}
	if (buf_adds(&name, entry) != 0) {
		rc = kerr_sys(err, KERR_IO, errno, "%s/%s: cannot build the path", dir, entry);
		goto free_name;
	}
	fd = openat(dfd, entry, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP) {
		rc = kerr_set(err, KERR_INPUT, "%s: is a symbolic link; packs in a directory must "
			"be regular files", buf_str(&name));
	} else if (fd < 0) {
		rc = kerr_sys(err, KERR_IO, errno, "%s: cannot open", buf_str(&name));
	} else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = kerr_set(err, KERR_INPUT, "%s: not a regular file", buf_str(&name));
		xstd_close_quietly(fd);
	} else {
		rc = sigload_fd(s, buf_str(&name), fd, err);
	}

free_name:
	buf_free(&name);
	return rc;
}

/*
 * Loads every pack of the directory open on @fd (closed here), in name order. A bad pack
 * does not stop the others from being checked, so lint shows every problem at once; the
 * first error is the one returned.
 */
static int sigload_dir(struct sig_set *s, const char *path, int fd, struct kerr *err)
{
	struct sigload_names names = {NULL, 0};
	struct kerr e;
	DIR *d = fdopendir(fd);
	size_t i;
	int rc = 0;

	if (d == NULL) {
		xstd_close_quietly(fd);
		sig_set_fail(s);
		return kerr_sys(err, KERR_IO, errno, "%s: cannot read the directory", path);
	}
	if (sigload_list_dir(d, path, &names, err) != 0) {
		sig_set_fail(s);
		rc = -1;
		goto free_names;
	}
	for (i = 0; i < names.n; i++) {
		kerr_clear(&e);
		if (sigload_entry(s, path, dirfd(d), names.v[i], &e) != 0) {
			sig_set_fail(s);
			if (rc == 0 && err != NULL) {
				*err = e;
			}
			rc = -1;
		}
	}

free_names:
	sigload_names_list_free(&names);
	(void)closedir(d);
	return rc;
}

int sigload_path(struct sig_set *s, const char *path, struct kerr *err)
{
	struct stat st;
	int fd;

	/* the path itself was named by the user: follow it if it is a link */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		sig_set_fail(s);
		return kerr_sys(err, KERR_IO, errno, "%s: cannot open", path);
	}
	if (fstat(fd, &st) != 0) {
		sig_set_fail(s);
		kerr_sys(err, KERR_IO, errno, "%s: cannot stat", path);
		xstd_close_quietly(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		const struct sig_gate *g = sig_set_get_gate(s);
		bool unused;

		/* whoever can write the directory can swap its packs: the gate sees it too */
		if (g->check != NULL && g->check(g->ctx, path, &st, NULL, 0, &unused, err) != 0) {
			sig_set_fail(s);
			xstd_close_quietly(fd);
			return sigload_refused(s, err);
		}
		return sigload_dir(s, path, fd, err);
	}
	if (!S_ISREG(st.st_mode)) {
		sig_set_fail(s);
		xstd_close_quietly(fd);
		return kerr_set(err, KERR_INPUT, "%s: not a regular file or a directory", path);
	}
	return sigload_fd(s, path, fd, err);
}

int sigload_builtin(struct sig_set *s, struct kerr *err)
{
	char name[NAME_MAX + 16];
	size_t i;
	int n;

	for (i = 0; i < sig_builtin_npacks; i++) {
		const struct sig_builtin *b = &sig_builtin_packs[i];

		n = snprintf(name, sizeof(name), "builtin:%s", b->name);
		if (n < 0 || (size_t)n >= sizeof(name)) {
			sig_set_fail(s);
			return kerr_set(err, KERR_INTERNAL, "built-in pack name too long: %s",
				b->name);
		}
		if (sigload_mem(s, name, b->data, b->len, true, err) != 0) {
			return -1;
		}
	}
	return 0;
}
