#include "scanner/deep/kitrpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/xstd.h"

#define KITRPM_TAG_NAME 1000u
#define KITRPM_TAG_VERSION 1001u
#define KITRPM_TAG_RELEASE 1002u
#define KITRPM_TAG_EPOCH 1003u
#define KITRPM_TAG_SUMMARY 1004u
#define KITRPM_TAG_VENDOR 1011u
#define KITRPM_TAG_PACKAGER 1015u
#define KITRPM_TAG_ARCH 1022u

#define KITRPM_TYPE_INT32 4u
#define KITRPM_TYPE_STRING 6u
#define KITRPM_TYPE_STRING_ARRAY 8u
#define KITRPM_TYPE_I18NSTRING 9u

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

/* The string at @off of the data store @d (@dn bytes), NUL-terminated inside it, or NULL. */
static const char *kitrpm_str_at(const unsigned char *d, size_t dn, uint32_t off)
{
	const unsigned char *end;

	if (off >= dn) {
		return NULL;
	}
	end = memchr(d + off, '\0', dn - off);
	return end != NULL ? (const char *)d + off : NULL;
}

/* Keeps the first string of a string-typed entry in @slot (the first wins). */
static int kitrpm_keep(char **slot, const char *s)
{
	if (*slot != NULL || s == NULL) {
		return 0;
	}
	*slot = xstd_strndup_max(s, strnlen(s, KS_KIT_FIELD_MAX), KS_KIT_FIELD_MAX);
	return *slot != NULL ? 0 : -1;
}

static char **kitrpm_slot(struct kitrpm_pkg *p, uint32_t tag)
{
	switch (tag) {
	case KITRPM_TAG_NAME:
		return &p->name;
	case KITRPM_TAG_VERSION:
		return &p->version;
	case KITRPM_TAG_RELEASE:
		return &p->release;
	case KITRPM_TAG_SUMMARY:
		return &p->summary;
	case KITRPM_TAG_VENDOR:
		return &p->vendor;
	case KITRPM_TAG_PACKAGER:
		return &p->packager;
	case KITRPM_TAG_ARCH:
		return &p->arch;
	default:
		return NULL;
	}
}

/* One index entry @e against the data store @d of @dn bytes. */
static int kitrpm_entry(struct kitrpm_pkg *p, const unsigned char *e, const unsigned char *d,
	size_t dn)
{
	uint32_t tag = kitrpm_be32(e), type = kitrpm_be32(e + 4), off = kitrpm_be32(e + 8);
	char **slot;

	if (tag == KITRPM_TAG_EPOCH && type == KITRPM_TYPE_INT32) {
		/* int32 data is 4-byte aligned in the store; a misaligned one is still bounded */
		if (off > dn || dn - off < 4 || kitrpm_be32(e + 12) < 1) {
			return 0;
		}
		p->epoch = kitrpm_be32(d + off);
		p->has_epoch = true;
		return 0;
	}
	slot = kitrpm_slot(p, tag);
	if (slot == NULL || (type != KITRPM_TYPE_STRING && type != KITRPM_TYPE_STRING_ARRAY &&
				    type != KITRPM_TYPE_I18NSTRING)) {
		return 0;
	}
	/* an array or an I18N table: its first string is the default */
	return kitrpm_keep(slot, kitrpm_str_at(d, dn, off));
}

int kitrpm_parse(const unsigned char *blob, size_t n, struct kitrpm_pkg *out)
{
	uint32_t nindex, dsize, i;
	size_t size;

	memset(out, 0, sizeof(*out));
	if (n < 8) {
		errno = EINVAL;
		return -1;
	}
	nindex = kitrpm_be32(blob);
	dsize = kitrpm_be32(blob + 4);
	size = kitrpm_size(nindex, dsize);
	if (size == 0 || n - 8 < size) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nindex; i++) {
		const unsigned char *e = blob + 8 + (size_t)i * 16;

		if (kitrpm_entry(out, e, blob + 8 + (size_t)nindex * 16, dsize) != 0) {
			kitrpm_pkg_free(out);
			errno = ENOMEM;
			return -1;
		}
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
