#include "report/fscov.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/vec.h"

struct fscov *fscov_new(void)
{
	return calloc(1, sizeof(struct fscov));
}

static void fscov_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i]);
	}
	free(v);
}

void fscov_free(struct fscov *c)
{
	size_t i;

	if (c == NULL) {
		return;
	}
	fscov_free_list(c->paths, c->npaths);
	fscov_free_list(c->excluded, c->nexcluded);
	for (i = 0; i < c->nfailed; i++) {
		free(c->failed[i].path);
		free(c->failed[i].message);
	}
	free(c->failed);
	for (i = 0; i < c->nmounts; i++) {
		free(c->mounts[i].path);
		free(c->mounts[i].fstype);
	}
	free(c->mounts);
	free(c);
}

/* Appends a copy of @s to *@v (no capacity kept: the count implies it). */
static int fscov_push(char ***v, size_t *n, const char *s)
{
	char *copy = NULL;

	if (vec_reserve_implied(v, *n, sizeof(**v), SIZE_MAX) != 0) {
		return -1;
	}
	if (report_set_str(&copy, s) != 0) {
		return -1;
	}
	(*v)[(*n)++] = copy;
	return 0;
}

int fscov_add_path(struct fscov *c, const char *path)
{
	return fscov_push(&c->paths, &c->npaths, path);
}

int fscov_add_excluded(struct fscov *c, const char *path)
{
	return fscov_push(&c->excluded, &c->nexcluded, path);
}

static void fscov_count(struct report_count *v, size_t *n, const char *key, uint64_t value)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp(v[i].key, key) == 0) {
			v[i].value = value;
			return;
		}
	}
	if (*n < FSCOV_COUNTS_MAX) {
		v[*n].key = key;
		v[*n].value = value;
		(*n)++;
	}
}

void fscov_skipped(struct fscov *c, const char *key, uint64_t n)
{
	fscov_count(c->skipped, &c->nskipped, key, n);
}

void fscov_error_kind(struct fscov *c, const char *key, uint64_t n)
{
	fscov_count(c->errors_by_kind, &c->nerrors_by_kind, key, n);
}

int fscov_add_failed(struct fscov *c, const char *path, const char *kind, const char *message)
{
	struct fscov_error *e;

	if (c->nfailed >= KS_DEEP_ERRORS_LISTED) {
		c->failed_dropped++;
		return 0;
	}
	if (vec_reserve_implied(&c->failed, c->nfailed, sizeof(*c->failed),
		    KS_DEEP_ERRORS_LISTED) != 0) {
		return -1;
	}
	e = &c->failed[c->nfailed];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (report_set_str(&e->path, path) != 0 || report_set_str(&e->message, message) != 0) {
		free(e->path);
		return -1;
	}
	c->nfailed++;
	return 0;
}

int fscov_add_mount(struct fscov *c, const char *path, const char *fstype, const char *reason)
{
	struct fscov_mount *m;

	if (c->nmounts >= KS_DEEP_MOUNTS_LISTED) {
		c->mounts_dropped++;
		return 0;
	}
	if (vec_reserve_implied(&c->mounts, c->nmounts, sizeof(*c->mounts),
		    KS_DEEP_MOUNTS_LISTED) != 0) {
		return -1;
	}
	m = &c->mounts[c->nmounts];
	memset(m, 0, sizeof(*m));
	m->reason = reason;
	if (report_set_str(&m->path, path) != 0 || report_set_str(&m->fstype, fstype) != 0) {
		free(m->path);
		return -1;
	}
	c->nmounts++;
	return 0;
}

void fscov_attach(struct report_source *s, struct fscov *c)
{
	fscov_free(s->fs);
	s->fs = c;
}
