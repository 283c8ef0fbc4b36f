/** Installed packages as the package managers record them: the common model of dpkg and rpm. */
#ifndef KSCAN_PKG_H
#define KSCAN_PKG_H

#include <stddef.h>

/** What a package record says about the files on disk, strongest first. */
enum pkg_state {
	/** Fully installed and configured (dpkg "ii", every rpm header). */
	PKG_INSTALLED = 0,
	/** Installed with problems: half-installed, unpacked, half-configured, triggers. */
	PKG_PARTIAL = 1,
	/** Removed, configuration files left (dpkg "rc"): a remnant. */
	PKG_CONFIG_FILES = 2,
	/** Known to the database but not installed (dpkg "not-installed"): no evidence. */
	PKG_NOT_INSTALLED = 3,
};

/** One package record. All strings are owned by the list that holds it. */
struct pkg {
	/** "dpkg" or "rpm" (static). */
	const char *manager;
	char *name;
	/** dpkg: the Version field; rpm: [epoch:]version-release. Empty if unknown. */
	char *version;
	/** Empty if the record has none. */
	char *arch;
	/** The manager's own words: dpkg "install ok installed", rpm "installed". */
	char *status;
	/** dpkg's ${db:Status-Abbrev} ("ii ", "rc ", "iHR"); empty for rpm. */
	char abbrev[4];
	enum pkg_state state;
	/** Where the record was read, inside the root ("/var/lib/dpkg/status"). */
	char *source;
	/** Who made the package, "" if the record does not say: dpkg's Maintainer. */
	char *maintainer;
	/** rpm's Vendor and Packager ("" for dpkg). */
	char *vendor;
	char *packager;
	/** The package's own one-line summary (dpkg: Description's first line). */
	char *summary;
};

/** A growable list of packages (plain data: read v[0..n) directly). */
struct pkg_list {
	struct pkg *v;
	size_t n;
	size_t cap;
};

void pkg_list_init(struct pkg_list *l);

/** Frees the records past the first @n (a source drops what it added before failing). */
void pkg_list_truncate(struct pkg_list *l, size_t n);

void pkg_list_free(struct pkg_list *l);

/**
 * Appends a copy of @p (every string is duplicated; NULL strings become "").
 * @return 0, or -1 with errno (ENOMEM, or E2BIG past KS_PKG_MAX).
 */
int pkg_list_add(struct pkg_list *l, const struct pkg *p);

/** Sorts by manager, name, arch, version: the order reports and tests rely on. */
void pkg_list_sort(struct pkg_list *l);

/** Stable lower-case name of @s ("installed", "partial", "config-files", "not-installed"). */
const char *pkg_state_name(enum pkg_state s);

#endif
