/** The deep sweep's files as evidence: kind "file" (a name matched) and "hash" (content). */
#ifndef KSCAN_DEEPMATCH_H
#define KSCAN_DEEPMATCH_H

#include "scanner/deep/deep.h"
#include "scanner/match/match.h"

/**
 * Adds the evidence of @f: one "file" item per name entry that matched (with the file's
 * digest when it was hashed), one "hash" item per size-less hash entry of those
 * signatures that the digest matches, and one "hash" item per sized entry it matches.
 * @return the evidence items made, or -1 with @m->err set.
 */
long deepmatch_file(const struct match_ctx *m, const struct deep_file *f);

#endif
