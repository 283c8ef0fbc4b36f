#include "report/fmt/fmt.h"

#include <errno.h>
#include <string.h>

#include "report/fmt/fmt_cdx.h"
#include "report/fmt/fmt_ecs.h"
#include "report/fmt/fmt_hec.h"
#include "report/fmt/fmt_json.h"
#include "report/fmt/fmt_ocsf.h"
#include "report/fmt/fmt_text.h"
#include "base/xstd.h"

static const struct {
	const char *name;
	enum fmt_kind kind;
	const char *content_type;
} fmt_table[] = {
	{"json", FMT_JSON, "application/json"},
	{"text", FMT_TEXT, "text/plain; charset=utf-8"},
	{"ecs", FMT_ECS, "application/x-ndjson"},
	{"ecs-bulk", FMT_ECS_BULK, "application/x-ndjson"},
	{"splunk-hec", FMT_HEC, "application/json"},
	{"cyclonedx", FMT_CDX, "application/vnd.cyclonedx+json; version=" FMT_CDX_SPEC},
	{"ocsf", FMT_OCSF, "application/x-ndjson"},
};

int fmt_parse(const char *name, enum fmt_kind *out)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(fmt_table); i++) {
		if (strcmp(name, fmt_table[i].name) == 0) {
			*out = fmt_table[i].kind;
			return 0;
		}
	}
	return -1;
}

const char *fmt_name(enum fmt_kind k)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(fmt_table); i++) {
		if (fmt_table[i].kind == k) {
			return fmt_table[i].name;
		}
	}
	return "unknown";
}

const char *fmt_content_type(enum fmt_kind k)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(fmt_table); i++) {
		if (fmt_table[i].kind == k) {
			return fmt_table[i].content_type;
		}
	}
	return "application/octet-stream";
}

void fmt_opts_init(struct fmt_opts *o)
{
	memset(o, 0, sizeof(*o));
	fmt_hec_opts_init(&o->hec);
}

int fmt_write(enum fmt_kind k, const struct report *r, struct buf *out, const struct fmt_opts *o)
{
	switch (k) {
	case FMT_JSON:
		return fmt_json_write(r, out, o->pretty);
	case FMT_TEXT:
		return fmt_text_write(r, out, o->color);
	case FMT_ECS:
		return fmt_ecs_write(r, out, false, o->ecs_namespace);
	case FMT_ECS_BULK:
		return fmt_ecs_write(r, out, true, o->ecs_namespace);
	case FMT_HEC:
		return fmt_hec_write(r, out, &o->hec);
	case FMT_CDX:
		return fmt_cdx_write(r, out, o->pretty);
	case FMT_OCSF:
		return fmt_ocsf_write(r, out);
	default:
		errno = EINVAL;
		return -1;
	}
}
