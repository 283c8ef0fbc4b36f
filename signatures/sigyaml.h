/** One signature pack's YAML (schema 1, docs/signatures.md) read into signatures. */
#ifndef KSCAN_SIGYAML_H
#define KSCAN_SIGYAML_H

#include <stddef.h>
#include <stdint.h>

#include "base/yread.h"
#include "signatures/sig.h"

/*
 * The schema walked over base/yread.h: every key of the pack, of a signature and of each
 * list entry is a table (struct yread_field) read by yread_map(); the values are checked
 * by sigcheck.h. One pass reports every problem as "FILE:LINE:COL: message", a problem
 * inside a signature ending with " in signature "ID"" (or "#N" before its id is known).
 * Nothing here touches a signature set: sigload.c adds a pack that read cleanly.
 */

/** What one pack holds, read; the strings and signatures are owned. */
struct sigyaml_pack {
	struct sig *sigs;
	size_t nsigs;
	/** version: and description:, NULL when absent. */
	char *version;
	char *description;
	/** date: and expires: (YYYY-MM-DD), "" when absent, and the same as days. */
	char date[11];
	char expires[11];
	int64_t date_days;
	int64_t expires_days;
	/** compliance: entries; moved into the set's pack with the signatures. */
	struct sig_compliance *compliance;
	size_t ncompliance;
};

/**
 * Reads @data[0..len) (named @name in messages) into @out; @have signatures are loaded
 * already, and all packs together may hold KS_SIG_SIGNATURES_MAX. @return the reader,
 * for yread_result() and the diagnostics (yread_free() it), or NULL (ENOMEM). @out is
 * filled as far as the pack could be read: free it with sigyaml_pack_free() either way.
 */
struct yread *sigyaml_read(const char *name, const char *data, size_t len, size_t have,
	struct sigyaml_pack *out);

void sigyaml_pack_free(struct sigyaml_pack *p);

#endif
