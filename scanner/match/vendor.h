/** The vendor rule: an installed package whose maker is Kaspersky is a finding by itself. */
#ifndef KSCAN_VENDOR_H
#define KSCAN_VENDOR_H

#include <stdbool.h>

#include "scanner/match/match.h"
#include "scanner/sources/pkg.h"

/**
 * True if the vendor field @field (dpkg Maintainer, rpm Vendor or Packager) names
 * Kaspersky as an organisation: one of its names at the start of the field, followed by
 * the end, an address ("<...>"), a comma or a parenthesis. A Kaspersky word anywhere else
 * ("Foo <x@y>, for Kaspersky users") does not count. NULL is false.
 */
bool vendor_is_kaspersky(const char *field);

/** True if one of @p's vendor fields names Kaspersky (vendor_is_kaspersky()). */
bool vendor_pkg_is_kaspersky(const struct pkg *p);

/**
 * Adds a finding, at medium confidence and named from the package's own summary, for
 * every package of @pkgs that Kaspersky made and no signature names: a product the packs
 * do not know yet; a package named after a family's component ("kesl-astra") is evidence
 * of that family instead. Records in state not-installed prove nothing and are skipped.
 * @return the number of findings added, or -1 with @m->err set.
 */
long vendor_match_packages(const struct match_ctx *m, const struct pkg_list *pkgs);

#endif
