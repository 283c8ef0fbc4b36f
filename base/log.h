/**
 * Messages for the admin: stderr with a "kscan: " prefix, or syslog/journald tagged with the
 * report id, filtered by level (--quiet, --verbose). Reports never go through here.
 */
#ifndef KSCAN_LOG_H
#define KSCAN_LOG_H

#include <stdarg.h>

#include "base/kerr.h"

/* Ordered: a message is shown when its level is at most the threshold. */
enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING = 1,
	LOG_LEVEL_NOTICE = 2,
	LOG_LEVEL_INFO = 3,
	LOG_LEVEL_DEBUG = 4,
};

enum log_sink {
	LOG_SINK_STDERR = 0,
	LOG_SINK_SYSLOG = 1,
};

/**
 * Chooses where messages go and the most verbose level shown (default: stderr, warnings).
 * For syslog it opens the connection now (facility daemon, tag "kscan", with the pid), so
 * a later sandbox does not stand between kscan and /dev/log.
 */
void log_setup(enum log_sink sink, enum log_level threshold);

/** Parses a --log value ("stderr" or "syslog"). @return 0, or -1 with errno EINVAL. */
int log_sink_parse(const char *name, enum log_sink *out);

/** Tags every later message with report id @id (copied; NULL or too long: no tag). */
void log_set_report_id(const char *id);

/** Whether @level passes the threshold, for callers that would do work to build a message. */
int log_enabled(enum log_level level);

/** Logs one message at @level; on stderr as "kscan: MESSAGE" (errors and warnings tagged). */
void log_msg(enum log_level level, const char *fmt, ...) KS_PRINTF(2, 3);

/** log_msg() with a va_list. */
void log_vmsg(enum log_level level, const char *fmt, va_list ap) KS_PRINTF(2, 0);

/** Closes the syslog connection, if any; back to stderr and the default threshold. */
void log_reset(void);

#endif
