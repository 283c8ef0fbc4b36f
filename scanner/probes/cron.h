/** Scheduled jobs: crontab lines of the scanned root and the absolute paths they run. */
#ifndef KSCAN_CRON_H
#define KSCAN_CRON_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"
#include "scanner/sources/rootfs.h"

/*
 * An update job left in a crontab keeps calling a product that was meant to be gone (the
 * kav4unix guide has kluser run keepup2date every four hours). Read: etc/crontab and the
 * files of etc/cron.d (system format, with a user field), of var/spool/cron/crontabs
 * (Debian) and of var/spool/cron (Red Hat), whose user is the file's name. Which jobs
 * matter is for the caller to say: probes.c matches the paths a command names against
 * signature paths.
 */

/** One job. Strings are NUL-terminated and valid only during the callback. */
struct cron_job {
	/** The crontab, inside the root, and the line, from 1. */
	const char *file;
	size_t line;
	/** The user it runs as: the user field, or the spool file's name. */
	const char *user;
	/** The command: the rest of the line, up to the first unescaped "%". */
	const char *command;
};

/** Called for every job; a non-zero return stops reading with that value. */
struct cron_sink {
	int (*job)(void *ctx, const struct cron_job *j);
	void *ctx;
};

/** What was read, for the report's coverage. */
struct cron_counts {
	size_t files;
	size_t jobs;
	/** Lines that are neither a job, a variable, a comment nor blank. */
	size_t malformed;
	/** Files and directories that could not be read; the first is in the caller's kerr. */
	size_t errors;
};

/** A line as parsed: pointers into the line, not NUL-terminated. */
struct cron_line {
	const char *user;
	size_t user_len;
	const char *command;
	size_t command_len;
};

/**
 * Parses one crontab line; @system files have a user field after the schedule.
 * @return 1 for a job (into @out), 0 for a blank line, a comment or a variable
 *         ("MAILTO=x"), -1 with errno EINVAL for anything else.
 */
int cron_parse_line(const char *line, size_t n, bool system, struct cron_line *out);

/**
 * Calls @fn with every absolute path in the command @cmd[0..n): a word, or the value of
 * an assignment or option ("--conf=/etc/x"), that starts with "/". A path ends at a blank,
 * a quote, a shell operator or a ":" (PATH=/a:/b names two). Paths of PATH_MAX bytes or
 * more are skipped.
 * @return 0, or the first non-zero value of @fn.
 */
int cron_command_paths(const char *cmd, size_t n, int (*fn)(void *ctx, const char *path),
	void *ctx);

/**
 * Reads every crontab of @r and hands each job to @sink.
 * @return 1 if any crontab or cron directory exists, 0 if none does, -1 on a fatal error
 *         (out of memory, or the sink's non-zero return) with @err set. Unreadable files
 *         and lines past KS_CRON_LINE_MAX are counted in @c->errors and described in @err.
 */
int cron_scan(const struct rootfs *r, const struct cron_sink *sink, struct cron_counts *c,
	struct kerr *err);

#endif
