#include "scanner/sources/rpmhdr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/xstd.h"

#define RPMHDR_TAG_NAME 1000u
#define RPMHDR_TAG_VERSION 1001u
#define RPMHDR_TAG_RELEASE 1002u
#define RPMHDR_TAG_EPOCH 1003u
#define RPMHDR_TAG_SUMMARY 1004u
#define RPMHDR_TAG_VENDOR 1011u
#define RPMHDR_TAG_PACKAGER 1015u
#define RPMHDR_TAG_ARCH 1022u

#define RPMHDR_TYPE_INT32 4u
#define RPMHDR_TYPE_STRING 6u
#define RPMHDR_TYPE_STRING_ARRAY 8u
#define RPMHDR_TYPE_I18NSTRING 9u

static const unsigned char rpmhdr_lead_magic[4] = {0xed, 0xab, 0xee, 0xdb};
static const unsigned char rpmhdr_magic[4] = {0x8e, 0xad, 0xe8, 0x01};

static uint32_t rpmhdr_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool rpmhdr_is_lead(const unsigned char *p, size_t n)
{
	return n >= sizeof(rpmhdr_lead_magic) &&
	       memcmp(p, rpmhdr_lead_magic, sizeof(rpmhdr_lead_magic)) == 0;
}

/* The blob size for @nindex entries and @dsize data bytes, or 0 past a cap. */
static size_t rpmhdr_size(uint32_t nindex, uint32_t dsize)
{
	if (nindex == 0 || nindex > KS_RPMHDR_INDEX_MAX || dsize > KS_RPMHDR_DATA_MAX) {
		return 0;
	}
	return (size_t)nindex * 16 + dsize;
}

size_t rpmhdr_intro(const unsigned char *intro)
{
	if (memcmp(intro, rpmhdr_magic, sizeof(rpmhdr_magic)) != 0) {
		return 0;
	}
	return rpmhdr_size(rpmhdr_be32(intro + 8), rpmhdr_be32(intro + 12));
}

/* The string at @off of the data store @d (@dn bytes), NUL-terminated inside it, or NULL. */
static const char *rpmhdr_str_at(const unsigned char *d, size_t dn, uint32_t off)
{
	const unsigned char *end;

	if (off >= dn) {
		return NULL;
	}
	end = memchr(d + off, '\0', dn - off);
	return end != NULL ? (const char *)d + off : NULL;
}

/* Keeps the first string of a string-typed entry in @slot (the first wins). */
static int rpmhdr_keep(char **slot, const char *s)
{
	if (*slot != NULL || s == NULL) {
		return 0;
	}
	*slot = xstd_strndup_max(s, strnlen(s, KS_KIT_FIELD_MAX), KS_KIT_FIELD_MAX);
	return *slot != NULL ? 0 : -1;
}

static char **rpmhdr_slot(struct rpmhdr_pkg *p, uint32_t tag)
{
	switch (tag) {
	case RPMHDR_TAG_NAME:
		return &p->name;
	case RPMHDR_TAG_VERSION:
		return &p->version;
	case RPMHDR_TAG_RELEASE:
		return &p->release;
	case RPMHDR_TAG_SUMMARY:
		return &p->summary;
	case RPMHDR_TAG_VENDOR:
		return &p->vendor;
	case RPMHDR_TAG_PACKAGER:
		return &p->packager;
	case RPMHDR_TAG_ARCH:
		return &p->arch;
	default:
		return NULL;
	}
}

/* One index entry @e against the data store @d of @dn bytes. */
static int rpmhdr_entry(struct rpmhdr_pkg *p, const unsigned char *e, const unsigned char *d,
	size_t dn)
{
	uint32_t tag = rpmhdr_be32(e), type = rpmhdr_be32(e + 4), off = rpmhdr_be32(e + 8);
	char **slot;

	if (tag == RPMHDR_TAG_EPOCH && type == RPMHDR_TYPE_INT32) {
		/* int32 data is 4-byte aligned in the store; a misaligned one is still bounded */
		if (off > dn || dn - off < 4 || rpmhdr_be32(e + 12) < 1) {
			return 0;
		}
		p->epoch = rpmhdr_be32(d + off);
		p->has_epoch = true;
		return 0;
	}
	slot = rpmhdr_slot(p, tag);
	if (slot == NULL || (type != RPMHDR_TYPE_STRING && type != RPMHDR_TYPE_STRING_ARRAY &&
				    type != RPMHDR_TYPE_I18NSTRING)) {
		return 0;
	}
	/* an array or an I18N table: its first string is the default */
	return rpmhdr_keep(slot, rpmhdr_str_at(d, dn, off));
}

int rpmhdr_parse(const unsigned char *blob, size_t n, struct rpmhdr_pkg *out)
{
	uint32_t nindex, dsize, i;
	size_t size;

	memset(out, 0, sizeof(*out));
	if (n < 8) {
		errno = EINVAL;
		return -1;
	}
	nindex = rpmhdr_be32(blob);
	dsize = rpmhdr_be32(blob + 4);
	size = rpmhdr_size(nindex, dsize);
	if (size == 0 || n - 8 < size) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nindex; i++) {
		const unsigned char *e = blob + 8 + (size_t)i * 16;

		if (rpmhdr_entry(out, e, blob + 8 + (size_t)nindex * 16, dsize) != 0) {
			rpmhdr_pkg_free(out);
			errno = ENOMEM;
			return -1;
		}
	}
	if (out->name == NULL) {
		rpmhdr_pkg_free(out);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void rpmhdr_pkg_free(struct rpmhdr_pkg *p)
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
