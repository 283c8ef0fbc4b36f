/** Package archives and installer kits recognised by content in the deep sweep. */
#ifndef KSCAN_KIT_H
#define KSCAN_KIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A file that IS a package archive is recognised by its first bytes, whatever its name:
 * a .deb (ar whose first member is debian-binary), an .rpm (lead and header magic), a
 * tarball or zip kit, a self-extracting shell bundle. Its own metadata is read without
 * unpacking the payload: the .deb's control file through libarchive, the .rpm's header
 * with kitrpm (scanner/deep/kitrpm.h); tarballs, zips and a makeself bundle's payload
 * tarball are only listed. Every read is bounded (KS_KIT_* in base/limits.h); nothing is
 * ever written to disk.
 */

/** What the first bytes say a file is. */
enum kit_format {
	KIT_NONE = 0,
	KIT_DEB,
	KIT_RPM,
	KIT_TAR,
	KIT_ZIP,
	KIT_SH,
};

/** What reading a kit gave. */
enum kit_result {
	KIT_OK = 0,
	/** Not readable as what its magic says (truncated, malformed). */
	KIT_CORRUPT = 1,
	/** Past a cap: too many members, too many bytes (a bomb). */
	KIT_OVER_LIMIT = 2,
	/** The magic was a false lead: a gzip or xz stream that holds no tarball. */
	KIT_NOT = 3,
};

/** An archive's own metadata: the evidence. Strings are NULL when absent. */
struct kit_meta {
	/** Static: "deb", "rpm", "tar", "zip", "sh". */
	const char *format;
	char *name;
	/** dpkg: Version; rpm: [epoch:]version-release. */
	char *version;
	char *arch;
	/** dpkg: Maintainer; rpm: Vendor, else Packager. */
	char *vendor;
	/** The first line of the description (dpkg) or the Summary (rpm). */
	char *summary;
};

/** Called for each member name of a tarball, zip or bundle; @return 0, or -1 to stop. */
typedef int (*kit_member_fn)(void *ctx, const char *name);

/**
 * False for names whose ending says they are never a kit (shared objects, sources, man
 * pages, images): the sweep opens no such file, which keeps its cost near a bare walk.
 */
bool kit_name_candidate(const char *name);

/** The format the first @n bytes @head show, or KIT_NONE. */
enum kit_format kit_magic(const unsigned char *head, size_t n);

/**
 * Reads the kit of format @f open at @fd (at offset 0) into @out (free with
 * kit_meta_free()); tarball, zip and bundle members go to @member.
 * @return a kit_result, or -1 with errno (ENOMEM, or the callback's error).
 */
int kit_read(int fd, enum kit_format f, struct kit_meta *out, kit_member_fn member, void *ctx);

void kit_meta_free(struct kit_meta *m);

#endif
