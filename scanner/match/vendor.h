/** The vendor rule: package vendor fields that name Kaspersky. */
#ifndef KSCAN_VENDOR_H
#define KSCAN_VENDOR_H

#include <stdbool.h>

/**
 * True if the vendor field @field (dpkg Maintainer, rpm Vendor or Packager) names
 * Kaspersky: it begins, case-insensitively, with "AO Kaspersky Lab", "Kaspersky Lab" or
 * "Kaspersky" followed by its end, a space, a comma or '<'. Anchored: a description that
 * mentions Kaspersky is not a vendor field, and "Kasperskyfan" is not Kaspersky.
 */
bool vendor_is_kaspersky(const char *field);

#endif
