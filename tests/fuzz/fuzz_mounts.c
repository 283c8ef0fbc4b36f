/* Fuzz target: the /proc/self/mountinfo parser and the lookups over what it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "scanner/deep/mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mounts *m;
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	m = mounts_parse((const char *)data, size, &e);
	if (m == NULL) {
		return 0;
	}
	for (i = 0; i < mounts_count(m); i++) {
		const struct mounts_entry *x = mounts_get(m, i);

		(void)mounts_at(m, x->point);
		(void)mounts_by_id(m, x->id);
		(void)mounts_classify(x->fstype);
	}
	mounts_free(m);
	return 0;
}
