/*
 * Fuzz target: every report writer. The input's NUL-separated parts become the host name,
 * package, path, link target, process and error strings of a detected report, which is
 * then written in each format. Whatever the bytes (file names are bytes), the JSON report
 * and every line of the ECS, _bulk and HEC bodies must be valid JSON, and the text report
 * must be valid UTF-8 with no control byte but the newline (nothing for a terminal to run).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt/fmt.h"
#include "report/report.h"
#include "base/buf.h"
#include "base/xstd.h"
#include "tests/fuzz/jsonv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PART_HOST, PART_NAME, PART_PATH, PART_TARGET, PART_VERSION, PART_ERROR, PART_COUNT };

static void check_lines(const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl != NULL ? (size_t)(nl - s) : n;

		if (!jsonv_valid(s, len)) {
			abort();
		}
		s += len + (nl != NULL);
		n -= len + (nl != NULL);
	}
}

static void check_text(const char *s, size_t n)
{
	size_t i;

	if (!xstd_utf8_valid(s, n)) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f) {
			abort();
		}
	}
}

static void write_all(const struct report *r)
{
	static const enum fmt_kind kinds[] = {FMT_JSON, FMT_TEXT, FMT_ECS, FMT_ECS_BULK, FMT_HEC,
		FMT_CDX, FMT_OCSF};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct fmt_opts o;
		struct buf b;

		fmt_opts_init(&o);
		o.pretty = i == 0;
		buf_init(&b, (size_t)64 << 20);
		if (fmt_write(kinds[i], r, &b, &o) == 0) {
			if (kinds[i] == FMT_JSON && !jsonv_valid(buf_str(&b), buf_len(&b))) {
				abort();
			} else if (kinds[i] == FMT_TEXT) {
				check_text(buf_str(&b), buf_len(&b));
			} else if (kinds[i] != FMT_JSON) {
				check_lines(buf_str(&b), buf_len(&b));
			}
		}
		buf_free(&b);
	}
}

static void add(struct report_finding *f, enum report_ev_kind kind, enum report_state st,
	const char *name, const char *path, const char *target, const char *version)
{
	struct report_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.state = st;
	ev.name = name;
	ev.path = path;
	ev.target = target;
	ev.version = version;
	ev.ftype = target != NULL ? "symlink" : NULL;
	ev.manager = kind == REPORT_EV_PACKAGE ? "dpkg" : NULL;
	(void)report_add_evidence(f, &ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	const char *part[PART_COUNT];
	struct report_finding *f;
	struct report_source *s;
	struct report *r;
	size_t i, at = 0;

	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i < PART_COUNT; i++) {
		part[i] = copy + at;
		at += strlen(copy + at);
		at += at < size;
	}
	r = report_new("0.1.0");
	if (r == NULL) {
		goto free_copy;
	}
	(void)report_set_str(&r->hostname, part[PART_HOST]);
	(void)report_set_str(&r->root, "/");
	(void)report_set_str(&r->mode, "quick");
	s = report_add_source(r, "dpkg", REPORT_SRC_FAILED);
	if (s != NULL) {
		(void)report_source_error(s, part[PART_ERROR]);
	}
	(void)report_add_error(r, "%s", part[PART_ERROR]);
	f = report_finding(r, "kaspersky.fuzz", "Kaspersky", part[PART_NAME], part[PART_ERROR]);
	if (f != NULL) {
		add(f, REPORT_EV_PACKAGE, REPORT_STATE_INSTALLED, part[PART_NAME], NULL, NULL,
			part[PART_VERSION]);
		add(f, REPORT_EV_PATH, REPORT_STATE_REMNANT, NULL, part[PART_PATH],
			part[PART_TARGET], NULL);
		add(f, REPORT_EV_PROCESS, REPORT_STATE_RUNNING, part[PART_NAME], part[PART_PATH],
			NULL, NULL);
	}
	if (report_finish(r) == 0) {
		write_all(r);
	}
	report_free(r);
free_copy:
	free(copy);
	return 0;
}
