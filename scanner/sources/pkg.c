#include "scanner/sources/pkg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"

void pkg_list_init(struct pkg_list *l)
{
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

static void pkg_free_fields(struct pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->status);
	free(p->source);
	free(p->maintainer);
	free(p->vendor);
	free(p->packager);
	free(p->summary);
}

void pkg_list_truncate(struct pkg_list *l, size_t n)
{
	while (l->n > n) {
		pkg_free_fields(&l->v[--l->n]);
	}
}

void pkg_list_free(struct pkg_list *l)
{
	pkg_list_truncate(l, 0);
	free(l->v);
	pkg_list_init(l);
}

static char *pkg_dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

int pkg_list_add(struct pkg_list *l, const struct pkg *p)
{
	struct pkg *q;

	if (l->n >= KS_PKG_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (vec_reserve(&l->v, l->n, &l->cap, sizeof(*l->v), KS_PKG_MAX) != 0) {
		return -1;
	}
	q = &l->v[l->n];
	*q = *p;
	q->name = pkg_dup(p->name);
	q->version = pkg_dup(p->version);
	q->arch = pkg_dup(p->arch);
	q->status = pkg_dup(p->status);
	q->source = pkg_dup(p->source);
	q->maintainer = pkg_dup(p->maintainer);
	q->vendor = pkg_dup(p->vendor);
	q->packager = pkg_dup(p->packager);
	q->summary = pkg_dup(p->summary);
	if (q->name == NULL || q->version == NULL || q->arch == NULL || q->status == NULL ||
	    q->source == NULL || q->maintainer == NULL || q->vendor == NULL ||
	    q->packager == NULL || q->summary == NULL) {
		pkg_free_fields(q);
		errno = ENOMEM;
		return -1;
	}
	l->n++;
	return 0;
}

static int pkg_cmp(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c = strcmp(x->manager, y->manager);

	if (c == 0) {
		c = strcmp(x->name, y->name);
	}
	if (c == 0) {
		c = strcmp(x->arch, y->arch);
	}
	if (c == 0) {
		c = strcmp(x->version, y->version);
	}
	return c;
}

void pkg_list_sort(struct pkg_list *l)
{
	if (l->n > 1) {
		xstd_qsort(l->v, l->n, sizeof(l->v[0]), pkg_cmp);
	}
}

const char *pkg_state_name(enum pkg_state s)
{
	switch (s) {
	case PKG_INSTALLED:
		return "installed";
	case PKG_PARTIAL:
		return "partial";
	case PKG_CONFIG_FILES:
		return "config-files";
	case PKG_NOT_INSTALLED:
		return "not-installed";
	default:
		return "unknown";
	}
}
