/** The spool: reports not yet delivered, on disk, oldest first, bounded, never lost silently. */
#ifndef KSCAN_SPOOL_H
#define KSCAN_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "report/fmt/fmt.h"
#include "report/report.h"
#include "base/buf.h"
#include "base/kerr.h"

/*
 * One directory (0700, owned by the user kscan runs as), one file per report:
 *
 *   <created ms, 15 digits>-<report id>.report     mode 0600, sorts oldest first
 *
 * Each is written whole through a temporary name (O_EXCL, fsync, rename, fsync of the
 * directory), so a crash leaves the old state or the new one. A file starts with a header
 * that carries the body's length and a sha256 of header and body, so a truncated or altered
 * file is recognised
 * and moved aside as NAME.bad instead of being sent or blocking the queue.
 *
 * The "journal" file lists what the spool had to give up: reports dropped because the spool
 * was full, files moved aside. Every report rendered while the journal is not empty carries
 * it (report "delivery" member), and it is cleared once such a report is delivered.
 *
 * A spool is used under an exclusive lock on its directory (flock), so two runs of kscan
 * never send or drop the same file.
 *
 * Trust (docs/security.md): a report or journal is read only if it is a regular file owned
 * by the user kscan runs as, not writable by group or others, with no other hard link.
 * spool_open() moves any other into quarantine/ (0700, never followed if a link), says so
 * through log, and counts it in the journal ("quarantined"); when the directory itself was
 * writable by group or others, every entry already in it is moved there.
 *
 * Write order: spool_add() writes and syncs the new report first, then evicts the oldest;
 * a new report that cannot be written evicts nothing and is journaled as dropped.
 */

/** Where the spool is and how much it may hold. */
struct spool_opts {
	const char *dir;
	uint64_t max_reports;
	uint64_t max_bytes;
};

/** Sets @o to the defaults: /var/spool/kscan, 1000 reports, 64 MiB. */
void spool_opts_init(struct spool_opts *o);

/** One spooled report, from its file name. */
struct spool_entry {
	/** "<15 digits>-<uuid>.report" */
	char name[64];
	char id[37];
	/** Bytes on disk. */
	uint64_t size;
};

/** A spool file's contents, parsed. */
struct spool_item {
	char id[37];
	int64_t created_ms;
	enum fmt_kind format;
	/** The body, pointing into the data given to spool_parse(). */
	const char *body;
	size_t len;
};

struct spool;

/**
 * Opens the spool directory, creating it (0700) if it does not exist, and locks it; waits
 * while another kscan holds the lock. Temporary files a crash left behind are removed.
 * @return 0, or -1 with @err set (KERR_IO; KERR_INPUT if the directory is not a directory
 * or another user owns it).
 */
int spool_open(const struct spool_opts *o, struct spool **out, struct kerr *err);

/** How many untrusted entries spool_open() moved to quarantine/. */
size_t spool_quarantined(const struct spool *s);

/** Unlocks and closes. */
void spool_close(struct spool *s);

/**
 * The spooled reports, oldest first; free(*@v) after. Files that are not spool files are
 * left alone and not listed.
 * @return 0, or -1 with @err set.
 */
int spool_list(struct spool *s, struct spool_entry **v, size_t *n, struct kerr *err);

/**
 * Reads and checks one spooled report into @data; @it points into @data.
 * @return 0, or -1 with @err set: KERR_CORRUPT if the file is not a valid spool file
 * (move it aside with spool_quarantine()), KERR_IO or KERR_NOMEM otherwise.
 */
int spool_load(struct spool *s, const struct spool_entry *e, struct buf *data,
	struct spool_item *it, struct kerr *err);

/** Removes a delivered report. @return 0, or -1 with @err set. */
int spool_remove(struct spool *s, const struct spool_entry *e, struct kerr *err);

/** Renames a bad file to NAME.bad and records it in the journal. @return 0 or -1. */
int spool_quarantine(struct spool *s, const struct spool_entry *e, struct kerr *err);

/**
 * Adds a report: written and synced first; then, when the spool passes max_reports or
 * max_bytes, the oldest others are dropped (*@ndropped says how many) and recorded in the
 * journal. A report that cannot be written (too big for max_bytes, ENOSPC, EIO...) evicts
 * nothing and is recorded in the journal as dropped.
 * @return 0, or -1 with @err set (KERR_LIMIT for a report that cannot fit, KERR_IO).
 */
int spool_add(struct spool *s, const char *id, int64_t created_ms, enum fmt_kind format,
	const char *body, size_t len, size_t *ndropped, struct kerr *err);

/**
 * Reads the journal into @d (which must be empty). A journal that cannot be parsed is
 * moved aside as journal.bad.
 * @return 0, or -1 with @err set (KERR_CORRUPT when it was moved aside, KERR_IO, KERR_NOMEM).
 */
int spool_journal_load(struct spool *s, struct report_delivery *d, struct kerr *err);

/** Empties the journal, once a report that carried it was delivered. @return 0 or -1. */
int spool_journal_clear(struct spool *s, struct kerr *err);

/**
 * Parses a spool file: the header, then exactly the body it announces; the sha256 of the
 * header lines before it and of the body must match.
 * @return 0, or -1 with @err set (KERR_CORRUPT, naming what is wrong).
 */
int spool_parse(const char *data, size_t len, struct spool_item *it, struct kerr *err);

/** Appends a spool file for the given report to @out. @return 0 or -1 (errno). */
int spool_format(struct buf *out, const char *id, int64_t created_ms, enum fmt_kind format,
	const char *body, size_t len);

/**
 * Parses a journal into @d (which must be empty).
 * @return 0, or -1 with @err set (KERR_CORRUPT; KERR_NOMEM).
 */
int spool_journal_parse(const char *data, size_t len, struct report_delivery *d,
	struct kerr *err);

/** Appends the journal for @d to @out. @return 0 or -1 (errno). */
int spool_journal_format(struct buf *out, const struct report_delivery *d);

/** True if @s is a lower-case UUID (8-4-4-4-12 hex digits). */
bool spool_is_uuid(const char *s, size_t n);

#endif
