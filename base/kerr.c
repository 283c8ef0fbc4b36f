#include "base/kerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void kerr_clear(struct kerr *e)
{
	e->code = KERR_OK;
	e->sys_errno = 0;
	e->msg[0] = '\0';
}

static void kerr_vset(struct kerr *e, enum kerr_code code, const char *fmt, va_list ap)
	KS_PRINTF(3, 0);

static void kerr_vset(struct kerr *e, enum kerr_code code, const char *fmt, va_list ap)
{
	e->code = code;
	e->sys_errno = 0;
	/* truncation is acceptable here: the cap is documented in limits.h */
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int kerr_set(struct kerr *e, enum kerr_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL) {
		return -1;
	}
	va_start(ap, fmt);
	kerr_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int kerr_sys(struct kerr *e, enum kerr_code code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (e == NULL) {
		return -1;
	}
	va_start(ap, fmt);
	kerr_vset(e, code, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	(void)snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	e->sys_errno = errnum;
	return -1;
}

void kerr_prefix(struct kerr *e, const char *fmt, ...)
{
	char old[KS_ERR_MSG_MAX];
	va_list ap;
	size_t len;
	int n;

	if (e == NULL) {
		return;
	}
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(e->msg)) {
		return;
	}
	/* the old message is cut to what fits after the prefix (the cap is documented) */
	len = strnlen(old, sizeof(old) - 1);
	if (len > sizeof(e->msg) - 1 - (size_t)n) {
		len = sizeof(e->msg) - 1 - (size_t)n;
	}
	memcpy(e->msg + n, old, len);
	e->msg[(size_t)n + len] = '\0';
}

const char *kerr_code_name(enum kerr_code code)
{
	switch (code) {
	case KERR_OK:
		return "ok";
	case KERR_NOMEM:
		return "nomem";
	case KERR_IO:
		return "io";
	case KERR_INPUT:
		return "input";
	case KERR_USAGE:
		return "usage";
	case KERR_LIMIT:
		return "limit";
	case KERR_CORRUPT:
		return "corrupt";
	case KERR_UNSUPPORTED:
		return "unsupported";
	case KERR_INTERNAL:
		return "internal";
	default:
		return "unknown";
	}
}
