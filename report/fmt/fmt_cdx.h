/** CycloneDX: the Kaspersky software a scan found, as a bill of materials for SBOM tools. */
#ifndef KSCAN_FMT_CDX_H
#define KSCAN_FMT_CDX_H

#include <stdbool.h>

#include "report/report.h"
#include "base/buf.h"

/** The CycloneDX specification the BOM follows (specVersion). */
#define FMT_CDX_SPEC "1.6"

/**
 * Writes @r as one CycloneDX JSON BOM: the scanned host as metadata.component, one component
 * per finding (the product) holding one component per package (with its purl) and per hashed
 * file, the evidence paths as occurrences, and a composition that is "complete" only when
 * every source could be read (docs/report.md, "CycloneDX"); one line unless @pretty.
 * @return 0, or -1 with errno (ENOMEM, E2BIG).
 */
int fmt_cdx_write(const struct report *r, struct buf *out, bool pretty);

#endif
