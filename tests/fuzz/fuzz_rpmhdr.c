/*
 * Fuzz target: the rpm header blob (rpmhdr), its accessors and its file list. A blob whose
 * digest fails to match (nearly every mutation of a real one) is still handed to the
 * accessors through a view built by hand, with the same bounds rpmhdr_parse() checks, so
 * they see arbitrary entries and not only the few inputs that pass the digest.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "scanner/sources/rpmhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fuzz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The view rpmhdr_parse() would build, digest aside. @return 0, or -1 if out of bounds. */
static int fuzz_view(struct rpmhdr *h, const uint8_t *data, size_t size)
{
	if (size < 8) {
		return -1;
	}
	h->il = fuzz_be32(data);
	h->dl = fuzz_be32(data + 4);
	if (h->il > KS_RPMHDR_TAGS_MAX || h->dl > KS_RPMHDR_DATA_MAX ||
	    size - 8 < (size_t)h->il * 16 + h->dl) {
		return -1;
	}
	h->index = data + 8;
	h->data = h->index + (size_t)h->il * 16;
	return 0;
}

/* Every path must be a NUL-terminated string under the cap. */
static int fuzz_file(void *ctx, const char *path)
{
	size_t *total = ctx;

	*total += strnlen(path, KS_RPMHDR_PATH_MAX);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t tags[] = {
		RPMHDR_TAG_NAME, RPMHDR_TAG_VERSION, RPMHDR_TAG_RELEASE, RPMHDR_TAG_EPOCH,
		RPMHDR_TAG_SUMMARY, RPMHDR_TAG_INSTALLTIME, RPMHDR_TAG_VENDOR,
		RPMHDR_TAG_PACKAGER, RPMHDR_TAG_ARCH, RPMHDR_TAG_DIRINDEXES,
		RPMHDR_TAG_BASENAMES, RPMHDR_TAG_DIRNAMES,
	};
	struct rpmhdr h;
	struct kerr err;
	size_t i, total = 0;
	uint32_t v;

	kerr_clear(&err);
	if (rpmhdr_parse(&h, data, size, &err) != 0 && fuzz_view(&h, data, size) != 0) {
		return 0;
	}
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *s = rpmhdr_str(&h, tags[i]);

		total += s != NULL ? strlen(s) : 0;
		(void)rpmhdr_u32(&h, tags[i], &v);
	}
	kerr_clear(&err);
	(void)rpmhdr_files(&h, fuzz_file, &total, &err);
	(void)total;
	return 0;
}
