/** What the deep sweep covered (sources.fs): the part of the report no other source has. */
#ifndef KSCAN_FSCOV_H
#define KSCAN_FSCOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/*
 * A reader must tell "clean, looked at 374,000 files" from "clean, looked at nothing". The
 * counts of sources.fs say how much was read; this says what was left out and why: the
 * trees swept and excluded, files skipped by reason, errors by kind with the first failed
 * paths, and every mount not entered with its filesystem type. Lists are kept in the order
 * given: the deep source sorts them so the report never depends on thread timing.
 */

/** A mount the sweep did not enter. */
struct fscov_mount {
	/** Its mount point, inside the scanned root. */
	char *path;
	char *fstype;
	/** Static: "pseudo", "remote", "other_fs" (--one-file-system) or "excluded". */
	const char *reason;
};

/** A path the sweep could not read. */
struct fscov_error {
	char *path;
	/** Static errno name ("EACCES"), and the message. */
	const char *kind;
	char *message;
};

/** Package archives and kits the sweep recognised by content (scanner/deep/kit.h). */
struct fscov_archives {
	/** Opened and read (whatever the outcome). */
	uint64_t inspected;
	/** Not readable as what their magic says: counted, never a stop. */
	uint64_t corrupt;
	/** Past a cap (member count, bytes): a bomb, or not a kit. */
	uint64_t over_limit;
};

/** Counters of one group ("skipped" by reason, "errors_by_kind"); keys are static. */
#define FSCOV_COUNTS_MAX 16

struct fscov {
	char **paths;
	size_t npaths;
	char **excluded;
	size_t nexcluded;
	uint64_t max_file_size;
	/** --max-duration in seconds, 0 when none. */
	uint64_t max_duration_s;
	bool low_priority;
	struct report_count skipped[FSCOV_COUNTS_MAX];
	size_t nskipped;
	struct report_count errors_by_kind[FSCOV_COUNTS_MAX];
	size_t nerrors_by_kind;
	struct fscov_error *failed;
	size_t nfailed;
	/** Failed paths not listed (all are in errors_by_kind). */
	uint64_t failed_dropped;
	struct fscov_mount *mounts;
	size_t nmounts;
	uint64_t mounts_dropped;
	struct fscov_archives archives;
};

/** An empty coverage record. @return it, or NULL (ENOMEM). */
struct fscov *fscov_new(void);

void fscov_free(struct fscov *c);

/** Adds a swept or an excluded tree (copied). @return 0 or -1 (ENOMEM, E2BIG). */
int fscov_add_path(struct fscov *c, const char *path);
int fscov_add_excluded(struct fscov *c, const char *path);

/** Sets counter @key (static) of "skipped" or "errors_by_kind"; past the cap it is lost. */
void fscov_skipped(struct fscov *c, const char *key, uint64_t n);
void fscov_error_kind(struct fscov *c, const char *key, uint64_t n);

/** Lists a failed path (copied); past KS_DEEP_ERRORS_LISTED it is counted as dropped. */
int fscov_add_failed(struct fscov *c, const char *path, const char *kind, const char *message);

/** Lists a mount not entered (copied); past KS_DEEP_MOUNTS_LISTED it is counted. */
int fscov_add_mount(struct fscov *c, const char *path, const char *fstype, const char *reason);

/** Gives @c to the source @s: the report frees it. */
void fscov_attach(struct report_source *s, struct fscov *c);

#endif
