/** Delivery to the collector: what is spooled first, oldest first, then the new report. */
#ifndef KSCAN_DELIVER_H
#define KSCAN_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "report/fmt/fmt.h"
#include "report/deliver/http.h"
#include "report/report.h"
#include "report/deliver/spool.h"
#include "base/kerr.h"

/*
 * One session per run, under the spool's lock:
 *
 *   deliver_begin()    open the spool and the connection, send what is spooled, oldest
 *                      first, stopping at the first failure (order is kept: a newer report
 *                      never overtakes an older one)
 *   deliver_attach()   give the new report what the spool has to say (delivery member)
 *   deliver_report()   send the new report, or spool it if anything failed
 *   deliver_end()
 *
 * Nothing is lost silently: a report is removed from the spool only after a 2xx, a report
 * that cannot be spooled is an error, and whatever the spool drops or moves aside is said
 * in the next delivered report.
 */

/** Where and how to deliver. */
struct deliver_opts {
	struct http_opts http;
	struct spool_opts spool;
	/** The format new reports are sent (and spooled) in; never FMT_TEXT. */
	enum fmt_kind format;
	/** Splunk HEC's envelope settings, when format is FMT_HEC. */
	struct fmt_hec_opts hec;
	/** ECS's data_stream.namespace, NULL: "default". */
	const char *ecs_namespace;
	/** Tells a person what happened; @problem is false for plain progress. May be NULL. */
	void (*say)(void *arg, bool problem, const char *msg);
	void *say_arg;
};

/** Sets @o to the defaults of http_opts_init(), spool_opts_init() and the json format. */
void deliver_opts_init(struct deliver_opts *o);

/** Where the session's report ended up. */
enum deliver_fate {
	/** No report was given (kscan send). */
	DELIVER_NONE = 0,
	/** The collector has it. */
	DELIVER_SENT,
	/** It waits in the spool. */
	DELIVER_SPOOLED,
	/** Neither delivered nor spooled: the session's errors say why. */
	DELIVER_LOST,
};

/** What a session did. */
struct deliver_result {
	enum deliver_fate fate;
	/** Spooled reports delivered by this session. */
	size_t flushed;
	/** Reports left in the spool at the end (0 when the spool is unusable). */
	size_t waiting;
	/** Spool files moved aside, reports dropped from the full spool. */
	size_t corrupt;
	size_t dropped;
	/** Untrusted spool entries moved to quarantine/ (never sent). */
	size_t quarantined;
	/** The spool could not be used at all. */
	bool no_spool;
};

struct deliver;

/**
 * Opens the session and flushes the spool. Problems (collector down, unsafe credential
 * file, unusable spool) are not failures of this call: they are said through @o->say and
 * decide what deliver_report() does. @o must outlive the session.
 * @return the session, or NULL when out of memory.
 */
struct deliver *deliver_begin(const struct deliver_opts *o);

/** True when the session has its spool (open and locked): its directory exists. */
bool deliver_spool_ok(const struct deliver *d);

/**
 * Puts the spool's journal (dropped reports, files moved aside) into @rep->delivery, or an
 * error into @rep when the journal could not be read. Call before writing @rep anywhere.
 * @return 0, or -1 when out of memory.
 */
int deliver_attach(struct deliver *d, struct report *rep);

/**
 * Sends @rep in the configured format if the spool was flushed, else (or if sending fails)
 * adds it to the spool. Clears the journal once a report carrying it is delivered.
 * @return 0 if the report was sent or spooled, -1 if it is lost (said through say()).
 */
int deliver_report(struct deliver *d, const struct report *rep);

/** Ends the session (unlocks the spool) and fills @res. */
void deliver_end(struct deliver *d, struct deliver_result *res);

#endif
