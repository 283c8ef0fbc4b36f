#include "report/deliver/deliver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

struct deliver {
	const struct deliver_opts *o;
	struct spool *spool;
	struct http_client *http;
	/* everything spooled was delivered: a new report may go now without overtaking one */
	bool flushed;
	/* the new report carries the journal: clear it once that report is delivered */
	bool carries_journal;
	struct deliver_result res;
};

void deliver_opts_init(struct deliver_opts *o)
{
	memset(o, 0, sizeof(*o));
	http_opts_init(&o->http);
	spool_opts_init(&o->spool);
	o->format = FMT_JSON;
	fmt_hec_opts_init(&o->hec);
}

static void deliver_say(struct deliver *d, bool problem, const char *fmt, ...) KS_PRINTF(3, 4);

static void deliver_say(struct deliver *d, bool problem, const char *fmt, ...)
{
	char msg[KS_ERR_MSG_MAX + 256];
	va_list ap;

	if (d->o->say == NULL) {
		return;
	}
	va_start(ap, fmt);
	/* a cut message still says what happened: the cap is KS_ERR_MSG_MAX plus context */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->o->say(d->o->say_arg, problem, msg);
}

/* Reads one spooled report and sends it. @return 1 sent, 0 moved aside, -1 stop here. */
static int deliver_one(struct deliver *d, const struct spool_entry *e, struct buf *data)
{
	struct spool_item it;
	struct http_result hr;
	struct kerr err;

	kerr_clear(&err);
	if (spool_load(d->spool, e, data, &it, &err) != 0) {
		if (err.code != KERR_CORRUPT) {
			deliver_say(d, true, "%s", err.msg);
			return -1;
		}
		deliver_say(d, true, "spool file %s/%s is unreadable (%s): moved aside as %s.bad",
			d->o->spool.dir, e->name, err.msg, e->name);
		if (spool_quarantine(d->spool, e, &err) != 0) {
			deliver_say(d, true, "%s", err.msg);
			return -1;
		}
		d->res.corrupt++;
		return 0;
	}
	if (http_post(d->http, it.id, fmt_content_type(it.format), it.body, it.len, &hr,
		    &err) != 0) {
		deliver_say(d, true, "%s", err.msg);
		return -1;
	}
	if (spool_remove(d->spool, e, &err) != 0) {
		/* delivered: a copy left behind is sent again and dropped by its Idempotency-Key */
		deliver_say(d, true, "%s", err.msg);
	}
	return 1;
}

/* Sends what is spooled, oldest first, until the first failure. */
static void deliver_flush(struct deliver *d)
{
	struct spool_entry *v;
	struct kerr err;
	struct buf data;
	size_t n, i;
	int rc = 1;

	kerr_clear(&err);
	if (spool_list(d->spool, &v, &n, &err) != 0) {
		deliver_say(d, true, "%s", err.msg);
		return;
	}
	buf_init(&data, KS_REPORT_MAX + KS_SPOOL_HEADER_MAX);
	for (i = 0; i < n && d->http != NULL && rc >= 0; i++) {
		rc = deliver_one(d, &v[i], &data);
		d->res.flushed += rc > 0;
	}
	d->flushed = d->http != NULL && rc >= 0;
	d->res.waiting = n - d->res.flushed - d->res.corrupt;
	if (d->res.flushed > 0) {
		deliver_say(d, false, "delivered %zu spooled report(s) to %s", d->res.flushed,
			d->o->http.url);
	}
	buf_free(&data);
	free(v);
}

struct deliver *deliver_begin(const struct deliver_opts *o)
{
	struct deliver *d = calloc(1, sizeof(*d));
	struct kerr err;

	if (d == NULL) {
		return NULL;
	}
	d->o = o;
	kerr_clear(&err);
	d->http = http_client_new(&o->http, &err);
	if (d->http == NULL) {
		deliver_say(d, true, "cannot deliver: %s", err.msg);
	}
	kerr_clear(&err);
	if (spool_open(&o->spool, &d->spool, &err) != 0) {
		deliver_say(d, true, "the spool cannot be used: %s", err.msg);
		d->res.no_spool = true;
		/* nothing spooled can be sent, nor overtaken */
		d->flushed = d->http != NULL;
		return d;
	}
	d->res.quarantined = spool_quarantined(d->spool);
	if (d->res.quarantined > 0) {
		deliver_say(d, true, "%zu untrusted spool entr%s moved to %s/quarantine/ and not "
			"sent; the next delivered report counts them", d->res.quarantined,
			d->res.quarantined == 1 ? "y was" : "ies were", o->spool.dir);
	}
	deliver_flush(d);
	return d;
}

bool deliver_spool_ok(const struct deliver *d)
{
	return d->spool != NULL;
}

int deliver_attach(struct deliver *d, struct report *rep)
{
	struct kerr err;

	if (d->spool == NULL) {
		return 0;
	}
	kerr_clear(&err);
	report_delivery_free(&rep->delivery);
	if (spool_journal_load(d->spool, &rep->delivery, &err) != 0) {
		if (err.code == KERR_NOMEM) {
			return -1;
		}
		deliver_say(d, true, "%s", err.msg);
		/* what the journal said is lost: the collector must know that much */
		return report_add_error(rep, "delivery: %s", err.msg);
	}
	d->carries_journal = report_delivery_any(&rep->delivery);
	return 0;
}

/* Adds the report to the spool. @return 0, or -1 if it could not be kept. */
static int deliver_spool(struct deliver *d, const struct report *rep, const struct buf *body)
{
	size_t dropped = 0;
	struct kerr err;

	kerr_clear(&err);
	if (d->spool == NULL) {
		deliver_say(d, true, "report %s was not delivered and cannot be spooled: it is "
			"lost", rep->report_id);
		d->res.fate = DELIVER_LOST;
		return -1;
	}
	if (spool_add(d->spool, rep->report_id, rep->finished_ms, d->o->format, buf_str(body),
		    buf_len(body), &dropped, &err) != 0) {
		deliver_say(d, true, "report %s was not delivered and cannot be spooled: %s",
			rep->report_id, err.msg);
		d->res.fate = DELIVER_LOST;
		return -1;
	}
	if (dropped > 0) {
		deliver_say(d, true, "the spool is full: dropped the %zu oldest report(s); the "
			"next delivered report lists them", dropped);
	}
	d->res.dropped += dropped;
	d->res.waiting = d->res.waiting + 1 - dropped;
	d->res.fate = DELIVER_SPOOLED;
	deliver_say(d, true, "report %s is in the spool %s (%zu waiting)", rep->report_id,
		d->o->spool.dir, d->res.waiting);
	return 0;
}

int deliver_report(struct deliver *d, const struct report *rep)
{
	struct http_result hr;
	struct fmt_opts fo;
	struct kerr err;
	struct buf body;
	int rc;

	fmt_opts_init(&fo);
	fo.hec = d->o->hec;
	fo.ecs_namespace = d->o->ecs_namespace;
	buf_init(&body, KS_REPORT_MAX);
	if (fmt_write(d->o->format, rep, &body, &fo) != 0) {
		deliver_say(d, true, "cannot format report %s for the collector", rep->report_id);
		d->res.fate = DELIVER_LOST;
		buf_free(&body);
		return -1;
	}
	kerr_clear(&err);
	if (d->flushed && http_post(d->http, rep->report_id, fmt_content_type(d->o->format),
				  buf_str(&body), buf_len(&body), &hr, &err) == 0) {
		d->res.fate = DELIVER_SENT;
		deliver_say(d, false, "delivered report %s to %s", rep->report_id, d->o->http.url);
		if (d->carries_journal && spool_journal_clear(d->spool, &err) != 0) {
			deliver_say(d, true, "%s", err.msg);
		}
		buf_free(&body);
		return 0;
	}
	if (d->flushed) {
		deliver_say(d, true, "%s", err.msg);
	}
	rc = deliver_spool(d, rep, &body);
	buf_free(&body);
	return rc;
}

void deliver_end(struct deliver *d, struct deliver_result *res)
{
	if (d == NULL) {
		return;
	}
	*res = d->res;
	spool_close(d->spool);
	http_client_free(d->http);
	free(d);
}
