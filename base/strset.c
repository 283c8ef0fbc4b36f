#include "base/strset.h"

#include <stdlib.h>
#include <string.h>

static size_t strset_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	while (*s != '\0') {
		h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
	}
	return (size_t)h;
}

static struct strset_slot *strset_find(struct strset_slot *v, size_t cap, const char *key)
{
	size_t i = strset_hash(key) & (cap - 1);

	while (v[i].key != NULL && strcmp(v[i].key, key) != 0) {
		i = (i + 1) & (cap - 1);
	}
	return &v[i];
}

static int strset_rehash(struct strset *t)
{
	size_t cap = t->cap == 0 ? 16 : t->cap * 2, i;
	struct strset_slot *v = calloc(cap, sizeof(*v));

	if (v == NULL) {
		return -1;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->v[i].key != NULL) {
			*strset_find(v, cap, t->v[i].key) = t->v[i];
		}
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return 0;
}

int strset_add(struct strset *t, const char *key, uint32_t line, uint32_t col, size_t tag,
	const struct strset_slot **first)
{
	struct strset_slot *s;

	/* at most half full, so a probe ends soon */
	if ((t->n + 1) * 2 > t->cap && strset_rehash(t) != 0) {
		return -1;
	}
	s = strset_find(t->v, t->cap, key);
	if (s->key != NULL) {
		*first = s;
		return 0;
	}
	s->key = strdup(key);
	if (s->key == NULL) {
		return -1;
	}
	s->line = line;
	s->col = col;
	s->tag = tag;
	t->n++;
	return 1;
}

void strset_free(struct strset *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		free(t->v[i].key);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}
