#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "base/limits.h"

/* UUIDv4 text: 36 characters. */
#define LOG_ID_LEN 36u

static enum log_sink log_sink_now = LOG_SINK_STDERR;
static enum log_level log_threshold = LOG_LEVEL_WARNING;
static char log_report_id[LOG_ID_LEN + 1];

void log_setup(enum log_sink sink, enum log_level threshold)
{
	if (log_sink_now == LOG_SINK_SYSLOG && sink != LOG_SINK_SYSLOG) {
		closelog();
	}
	log_sink_now = sink;
	log_threshold = threshold;
	if (sink == LOG_SINK_SYSLOG) {
		openlog("kscan", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

int log_sink_parse(const char *name, enum log_sink *out)
{
	if (name != NULL && strcmp(name, "stderr") == 0) {
		*out = LOG_SINK_STDERR;
		return 0;
	}
	if (name != NULL && strcmp(name, "syslog") == 0) {
		*out = LOG_SINK_SYSLOG;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

void log_set_report_id(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n > LOG_ID_LEN) {
		log_report_id[0] = '\0';
		return;
	}
	memcpy(log_report_id, id, n + 1);
}

int log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

/*
 * Messages carry paths and names from the scanned tree, which an attacker may choose: a
 * newline in a file name must not forge a second log line. Control bytes become \xNN.
 */
static void log_escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *src != '\0'; src++) {
		unsigned char c = (unsigned char)*src;

		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 >= cap) {
				break;
			}
			dst[o++] = (char)c;
			continue;
		}
		if (o + 4 >= cap) {
			break;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 0x0f];
	}
	dst[o] = '\0';
}

static int log_priority(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERROR:
		return LOG_ERR;
	case LOG_LEVEL_WARNING:
		return LOG_WARNING;
	case LOG_LEVEL_NOTICE:
		return LOG_NOTICE;
	case LOG_LEVEL_INFO:
		return LOG_INFO;
	case LOG_LEVEL_DEBUG:
		return LOG_DEBUG;
	default:
		return LOG_ERR;
	}
}

/* Errors keep the plain "kscan: MESSAGE" form scripts already match. */
static const char *log_tag(enum log_level level)
{
	return level == LOG_LEVEL_WARNING ? "warning: " : "";
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char raw[KS_LOG_MSG_MAX];
	char safe[KS_LOG_MSG_MAX];
	int saved = errno;

	if (!log_enabled(level)) {
		return;
	}
	if (vsnprintf(raw, sizeof(raw), fmt, ap) < 0) {
		(void)snprintf(raw, sizeof(raw), "(unprintable message)");
	}
	log_escape(safe, sizeof(safe), raw);
	if (log_sink_now == LOG_SINK_SYSLOG) {
		if (log_report_id[0] != '\0') {
			syslog(log_priority(level), "report_id=%s %s%s", log_report_id,
				log_tag(level), safe);
		} else {
			syslog(log_priority(level), "%s%s", log_tag(level), safe);
		}
	} else {
		(void)fprintf(stderr, "kscan: %s%s\n", log_tag(level), safe);
	}
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_reset(void)
{
	if (log_sink_now == LOG_SINK_SYSLOG) {
		closelog();
	}
	log_sink_now = LOG_SINK_STDERR;
	log_threshold = LOG_LEVEL_WARNING;
	log_report_id[0] = '\0';
}
