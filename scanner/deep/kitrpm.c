#include "scanner/deep/kitrpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "scanner/sources/rpmhdr.h"

static const unsigned char kitrpm_lead_magic[4] = {0xed, 0xab, 0xee, 0xdb};
static const unsigned char kitrpm_magic[4] = {0x8e, 0xad, 0xe8, 0x01};

static uint32_t kitrpm_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool kitrpm_is_lead(const unsigned char *p, size_t n)
{
	return n >= sizeof(kitrpm_lead_magic) &&
	       memcmp(p, kitrpm_lead_magic, sizeof(kitrpm_lead_magic)) == 0;
}

/* The blob size for @nindex entries and @dsize data bytes, or 0 past a cap. */
static size_t kitrpm_size(uint32_t nindex, uint32_t dsize)
{
	if (nindex == 0 || nindex > KS_KITRPM_INDEX_MAX || dsize > KS_KITRPM_DATA_MAX) {
		return 0;
	}
	return (size_t)nindex * 16 + dsize;
}

size_t kitrpm_intro(const unsigned char *intro)
{
	if (memcmp(intro, kitrpm_magic, sizeof(kitrpm_magic)) != 0) {
		return 0;
	}
	return kitrpm_size(kitrpm_be32(intro + 8), kitrpm_be32(intro + 12));
}

/* Keeps string tag @tag of @h in @slot, cut to the field cap; absent stays NULL. */
static int kitrpm_keep(const struct rpmhdr *h, uint32_t tag, char **slot)
{
	const char *s = rpmhdr_str(h, tag);

	if (s == NULL) {
		return 0;
	}
	*slot = xstd_strndup_max(s, strnlen(s, KS_KIT_FIELD_MAX), KS_KIT_FIELD_MAX);
	return *slot != NULL ? 0 : -1;
}

/* The tags kscan reports of a package, each optional here: kit decides what it needs. */
static int kitrpm_fields(const struct rpmhdr *h, struct kitrpm_pkg *out)
{
	static const uint32_t tags[] = {
		RPMHDR_TAG_NAME, RPMHDR_TAG_VERSION, RPMHDR_TAG_RELEASE, RPMHDR_TAG_SUMMARY,
		RPMHDR_TAG_VENDOR, RPMHDR_TAG_PACKAGER, RPMHDR_TAG_ARCH,
	};
	char **slots[] = {
		&out->name, &out->version, &out->release, &out->summary, &out->vendor,
		&out->packager, &out->arch,
	};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(tags); i++) {
		if (kitrpm_keep(h, tags[i], slots[i]) != 0) {
			return -1;
		}
	}
	/* a malformed epoch (wrong type, past the store) is left out, as an absent one */
	out->has_epoch = rpmhdr_u32(h, RPMHDR_TAG_EPOCH, &out->epoch) > 0;
	return 0;
}

int kitrpm_parse(const unsigned char *blob, size_t n, struct kitrpm_pkg *out)
{
	struct rpmhdr h;
	struct kerr err;

	memset(out, 0, sizeof(*out));
	/* the file's own caps first: they bound what one archive member may make us read */
	if (n < 8 || kitrpm_size(kitrpm_be32(blob), kitrpm_be32(blob + 4)) == 0) {
		errno = EINVAL;
		return -1;
	}
	kerr_clear(&err);
	if (rpmhdr_parse(&h, blob, n, &err) != 0) {
		errno = err.code == KERR_NOMEM ? ENOMEM : EINVAL;
		return -1;
	}
	if (kitrpm_fields(&h, out) != 0) {
		kitrpm_pkg_free(out);
		errno = ENOMEM;
		return -1;
	}
	if (out->name == NULL) {
		kitrpm_pkg_free(out);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void kitrpm_pkg_free(struct kitrpm_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->release);
	free(p->summary);
	free(p->vendor);
	free(p->packager);
	free(p->arch);
	memset(p, 0, sizeof(*p));
}
