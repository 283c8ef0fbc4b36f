/** Facts about the scanned system: host name, machine id, OS release, kernel. */
#ifndef KSCAN_HOST_H
#define KSCAN_HOST_H

#include <stddef.h>

#include "base/limits.h"
#include "scanner/sources/rootfs.h"

/** The facts of one host; "" where a fact is unknown. */
struct host_info {
	char hostname[KS_HOST_FACT_MAX];
	char machine_id[KS_HOST_FACT_MAX];
	char os_id[KS_HOST_FACT_MAX];
	char os_version_id[KS_HOST_FACT_MAX];
	char os_pretty_name[KS_HOST_FACT_MAX];
	char kernel[KS_HOST_FACT_MAX];
};

/**
 * Reads the facts of @r into @out: etc/hostname (the live host's own name when @r is
 * "/"), etc/machine-id, os-release (etc/, then usr/lib/), and the kernel release for the
 * live host only (a mounted image's kernel is not the one running).
 * A missing or unreadable fact stays ""; it is not an error, so this cannot fail.
 */
void host_read(const struct rootfs *r, struct host_info *out);

/**
 * Finds KEY in os-release text @data and writes its unquoted value to @out (cap @n).
 * @return 0 if found, -1 if not.
 */
int host_os_release_value(const char *data, const char *key, char *out, size_t n);

#endif
