/** An .rpm package file's lead and header introductions; its header blob through rpmhdr. */
#ifndef KSCAN_KITRPM_H
#define KSCAN_KITRPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An rpm header is an index of 16-byte entries (tag, type, offset, count; big-endian)
 * followed by a data store. In a package file it follows the 96-byte lead and the
 * signature header (itself a header, padded to 8 bytes), each introduced by 8 magic bytes
 * (8e ad e8 01 and 4 reserved). The rpm database stores the same blob without the magic,
 * so the blob itself is parsed by scanner/sources/rpmhdr, the one header parser (bounds,
 * digest of the immutable region, tags). Here: the file's caps on what one member may make
 * us read (KS_KITRPM_INDEX_MAX, KS_KITRPM_DATA_MAX) and the fields kit reports.
 */

/** The lead of a package file: 96 bytes starting ed ab ee db. */
#define KITRPM_LEAD_SIZE 96u
/** A header's introduction: magic, reserved, entry count, data size. */
#define KITRPM_INTRO_SIZE 16u

/** What kscan reads of a package header. Strings are NULL when the tag is absent. */
struct kitrpm_pkg {
	char *name;
	char *version;
	char *release;
	char *summary;
	char *vendor;
	char *packager;
	char *arch;
	uint32_t epoch;
	bool has_epoch;
};

/** True if @p (at least 4 bytes) starts with the lead's magic. */
bool kitrpm_is_lead(const unsigned char *p, size_t n);

/**
 * Checks a header's 16-byte introduction @intro (magic included).
 * @return the header's size after the introduction (16 * entries + data), or 0 when the
 *         magic is wrong or a cap is passed.
 */
size_t kitrpm_intro(const unsigned char *intro);

/**
 * Reads the package tags of the header blob @blob of @n bytes: entry count, data size,
 * index, data (the database form; a file's header after its 8 magic bytes).
 * @return 0 with @out filled (free with kitrpm_pkg_free()), or -1 with errno EINVAL
 *         (malformed or over a cap) or ENOMEM.
 */
int kitrpm_parse(const unsigned char *blob, size_t n, struct kitrpm_pkg *out);

void kitrpm_pkg_free(struct kitrpm_pkg *p);

#endif
