/** Facts about the scanned system: host name, machine id, OS release, kernel. */
#ifndef KSCAN_HOST_H
#define KSCAN_HOST_H

#include <stddef.h>

#include "report/report.h"
#include "scanner/sources/rootfs.h"

/**
 * Fills the host fields of @rep from @r: etc/hostname (the live host's own name when @r is
 * "/"), etc/machine-id, os-release (etc/, then usr/lib/), and the kernel release for the
 * live host only (a mounted image's kernel is not the one running).
 * Missing facts stay NULL; they are not errors.
 * @return 0, or -1 with errno ENOMEM.
 */
int host_fill(const struct rootfs *r, struct report *rep);

/**
 * Finds KEY in os-release text @data and writes its unquoted value to @out (cap @n).
 * @return 0 if found, -1 if not.
 */
int host_os_release_value(const char *data, const char *key, char *out, size_t n);

#endif
