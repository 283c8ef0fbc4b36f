#include "scanner/match/probematch.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/probes/accounts.h"
#include "scanner/probes/cron.h"
#include "scanner/probes/kmods.h"
#include "base/limits.h"
#include "scanner/match/match.h"
#include "scanner/probes/procs.h"
#include "scanner/probes/services.h"
#include "scanner/probes/sockets.h"
#include "base/vec.h"
#include "base/xstd.h"

/* What the kernel appends to /proc/<pid>/exe when the file was removed. */
#define PROBES_DELETED " (deleted)"

/* A process a signature matched, kept to find its sockets. */
struct probes_proc {
	uint32_t pid;
	size_t sig;
	/* of the entry that matched the process: its sockets inherit it */
	enum report_confidence conf;
	char *name;
	char *exe;
};

/* One probes_run() call. */
struct probes_ctx {
	struct match_ctx m;
	/* the live /proc, or -1 (not live, or it could not be opened: procs_err says why) */
	int procfd;
	struct kerr procs_err;
	int64_t btime_s;
	struct probes_proc *procs;
	size_t nprocs;
	/* processes matched but not kept past KS_PROCS_MATCHED_MAX */
	size_t procs_dropped;
	/* evidence added by the probe running now */
	size_t matched;
	/* processes that exited between the walk and reading their details */
	size_t gone;
	/* the cron job being matched */
	const struct cron_job *job;
};

/* Does @path have a "." or ".." component? Such a path can point anywhere. */
static bool probes_dots(const char *path)
{
	size_t n;

	for (; *path != '\0'; path += n) {
		while (*path == '/') {
			path++;
		}
		n = strcspn(path, "/");
		if ((n == 1 && path[0] == '.') || (n == 2 && path[0] == '.' && path[1] == '.')) {
			return true;
		}
	}
	return false;
}

bool probematch_path_under(const char *pattern, const char *path)
{
	char pc[NAME_MAX + 1], sc[NAME_MAX + 1];
	size_t pl, sl;

	/* ".." could climb out of the product's tree: such a path proves nothing */
	if (pattern[0] != '/' || path[0] != '/' || probes_dots(path)) {
		return false;
	}
	for (;;) {
		while (*pattern == '/') {
			pattern++;
		}
		while (*path == '/') {
			path++;
		}
		if (*pattern == '\0') {
			return true;
		}
		pl = strcspn(pattern, "/");
		sl = strcspn(path, "/");
		if (*path == '\0' || pl > NAME_MAX || sl > NAME_MAX) {
			return false;
		}
		memcpy(pc, pattern, pl);
		pc[pl] = '\0';
		memcpy(sc, path, sl);
		sc[sl] = '\0';
		if (xstd_has_glob(pc) ? fnmatch(pc, sc, FNM_PERIOD) != 0 : strcmp(pc, sc) != 0) {
			return false;
		}
		pattern += pl;
		path += sl;
	}
}

/* The confidence of name @i of @l (a list of @g that keeps one per name). */
static enum report_confidence probes_conf(const struct sig *g, const struct sig_names *l,
	size_t i)
{
	return match_confidence(l->conf != NULL ? l->conf[i] : g->confidence);
}

static int probes_nomem(struct probes_ctx *c)
{
	return kerr_set(c->m.err, KERR_NOMEM, "out of memory");
}

/* Adds @ev to the finding of @g. @return 0, or -1 with the error set. */
static int probes_add(struct probes_ctx *c, const struct sig *g, const struct report_evidence *ev)
{
	if (match_add(&c->m, g, ev) != 0) {
		return -1;
	}
	c->matched++;
	return 0;
}

/*
 * Records a probe's outcome as a source: @state 1 read, 0 nothing there (absent); @e
 * holds the first problem when @errors > 0, which makes the source failed.
 * @return the source, or NULL with the error set.
 */
static struct report_source *probes_source(struct probes_ctx *c, const char *name, int state,
	size_t errors, const struct kerr *e, const char *location)
{
	enum report_src_status st = errors > 0 ? REPORT_SRC_FAILED :
		state > 0 ? REPORT_SRC_OK : REPORT_SRC_ABSENT;
	struct report_source *src = report_add_source(c->m.rep, name, st);

	if (src == NULL || (errors > 0 && report_source_error(src, e->msg) != 0) ||
	    (location != NULL && st != REPORT_SRC_ABSENT &&
		    report_source_location(src, location) != 0)) {
		probes_nomem(c);
		return NULL;
	}
	return src;
}

/* ---- Processes ---- */

/* Root sees every process's executable (short of a security module); others do not. */
static bool probes_root(void)
{
	return geteuid() == 0;
}

/*
 * The signature's process name @p goes by, or NULL. The kernel keeps 15 bytes of a name,
 * so a longer signature name matches a cut name when argv[0] or the executable's file
 * name says the rest.
 */
static const char *probes_proc_name(const struct sig *g, const struct procs_info *p,
	const char *exe, enum report_confidence *conf)
{
	const char *base = exe != NULL ? strrchr(exe, '/') : NULL;
	size_t i;

	base = base != NULL ? base + 1 : NULL;
	for (i = 0; i < g->processes.n; i++) {
		const char *n = g->processes.v[i];

		*conf = probes_conf(g, &g->processes, i);
		if (strcmp(n, p->comm) == 0) {
			return n;
		}
		if (strlen(p->comm) == PROCS_COMM_MAX && strlen(n) > PROCS_COMM_MAX &&
		    strncmp(n, p->comm, PROCS_COMM_MAX) == 0 &&
		    ((p->argv0 != NULL && strcmp(p->argv0, n) == 0) ||
			    (base != NULL && strcmp(base, n) == 0))) {
			return n;
		}
	}
	return NULL;
}

/* The signature path that covers the executable @exe, or NULL. */
static const char *probes_proc_path(const struct sig *g, const char *exe,
	enum report_confidence *conf)
{
	size_t i;

	for (i = 0; exe != NULL && i < g->npaths; i++) {
		if (probematch_path_under(g->paths[i].path, exe)) {
			*conf = match_confidence(g->paths[i].confidence);
			return g->paths[i].path;
		}
	}
	return NULL;
}

/* Keeps a matched process of a signature with ports, for the socket join. */
static int probes_keep_proc(struct probes_ctx *c, size_t sig, uint32_t pid, const char *name,
	const char *exe, enum report_confidence conf)
{
	struct probes_proc *v;

	if (c->nprocs >= KS_PROCS_MATCHED_MAX) {
		c->procs_dropped++;
		return 0;
	}
	if (vec_reserve_implied(&c->procs, c->nprocs, sizeof(*c->procs),
		    KS_PROCS_MATCHED_MAX) != 0) {
		return probes_nomem(c);
	}
	v = &c->procs[c->nprocs];
	v->pid = pid;
	v->sig = sig;
	v->conf = conf;
	v->name = strdup(name);
	v->exe = exe != NULL ? strdup(exe) : NULL;
	if (v->name == NULL || (exe != NULL && v->exe == NULL)) {
		free(v->name);
		free(v->exe);
		return probes_nomem(c);
	}
	c->nprocs++;
	return 0;
}

/* Evidence for process @p of signature @sig, @name as matched and @pattern that matched. */
static int probes_proc_ev(struct probes_ctx *c, size_t sig, const struct procs_info *p,
	const struct procs_detail *d, const char *name, const char *pattern,
	enum report_confidence conf)
{
	const struct sig *g = sig_set_get(c->m.sigs, sig);
	struct report_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_PROCESS;
	ev.state = REPORT_STATE_RUNNING;
	ev.confidence = conf;
	ev.name = name;
	ev.path = p->exe;
	ev.pattern = pattern;
	ev.pid = p->pid;
	ev.uid = d->uid;
	ev.has_uid = true;
	ev.started_ms = d->started_ms;
	ev.has_started = d->started_ms >= 0;
	if (probes_add(c, g, &ev) != 0) {
		return -1;
	}
	/* only a signature with ports needs the process again, to find its sockets */
	return g->nports > 0 ? probes_keep_proc(c, sig, p->pid, name, p->exe, conf) : 0;
}

static int probes_proc(void *ctx, const struct procs_info *p)
{
	struct probes_ctx *c = ctx;
	char exe[PATH_MAX];
	const char *name, *pattern, *bare = NULL;
	enum report_confidence conf = REPORT_CONF_HIGH;
	struct procs_detail d;
	bool have_detail = false;
	size_t i, len;

	if (p->exe != NULL) {
		/* a deleted binary still runs: match the path it had */
		len = strlen(p->exe);
		if (len > strlen(PROBES_DELETED) && len < sizeof(exe) &&
		    strcmp(p->exe + len - strlen(PROBES_DELETED), PROBES_DELETED) == 0) {
			len -= strlen(PROBES_DELETED);
		}
		memcpy(exe, p->exe, len);
		exe[len] = '\0';
		bare = exe;
	}
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		name = probes_proc_name(g, p, bare, &conf);
		pattern = name != NULL ? name : probes_proc_path(g, bare, &conf);
		if (pattern == NULL) {
			continue;
		}
		if (!have_detail) {
			if (procs_detail(c->procfd, p->pid, p->comm, c->btime_s, &d) != 0) {
				/* it exited, or the pid is another process now: nothing runs */
				c->gone++;
				return 0;
			}
			have_detail = true;
		}
		if (probes_proc_ev(c, i, p, &d, name != NULL ? name : p->comm, pattern,
			    conf) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Says in the report's errors which processes even root could not read. */
static int probes_unreadable_as_root(struct probes_ctx *c, const struct procs_counts *n)
{
	return report_add_error(c->m.rep, "processes: the executable of %zu process(es) could "
		"not be read even as root (first: pid %" PRIu32 ": %s); they were matched by name "
		"only", n->unreadable, n->first_pid, strerror(n->first_errno));
}

static int probes_processes(struct probes_ctx *c)
{
	struct procs_sink sink = {probes_proc, c};
	struct procs_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	memset(&n, 0, sizeof(n));
	kerr_clear(&e);
	c->matched = 0;
	if (c->procfd < 0) {
		return probes_source(c, "processes", 0, 1, &c->procs_err, "/proc") != NULL ? 0 : -1;
	}
	if (procs_btime(c->procfd, &c->btime_s) != 0) {
		c->btime_s = -1;
	}
	rc = procs_scan(c->procfd, &sink, &n, &e);
	if (rc != 0 && c->m.err->code != KERR_OK) {
		return -1;
	}
	/*
	 * Without root every other user's process hides its executable: a blind spot, so the
	 * source fails. As root only a security module can refuse, for a few processes; those
	 * were still matched by name, and the report says which.
	 */
	if (rc == 0 && n.unreadable > 0 && !probes_root()) {
		kerr_sys(&e, KERR_IO, n.first_errno, "cannot read %zu process(es) (first: pid %"
			PRIu32 "); kscan must run as root to see every process", n.unreadable,
			n.first_pid);
		rc = -1;
	} else if (rc == 0 && n.unreadable > 0 && probes_unreadable_as_root(c, &n) != 0) {
		return probes_nomem(c);
	}
	src = probes_source(c, "processes", 1, rc != 0, &e, "/proc");
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "processes", n.processes);
	report_source_count(src, "matched", c->matched);
	report_source_count(src, "vanished", n.vanished + c->gone);
	report_source_count(src, "kernel_threads", n.kernel_threads);
	report_source_count(src, "unreadable", n.unreadable);
	return 0;
}

/* ---- Sockets ---- */

static bool probes_port_of(const struct sig *g, bool udp, uint16_t port)
{
	size_t i;

	for (i = 0; i < g->nports; i++) {
		if (g->ports[i].port == port && (g->ports[i].proto == SIG_PROTO_UDP) == udp) {
			return true;
		}
	}
	return false;
}

static bool probes_want_port(void *ctx, bool udp, uint16_t port)
{
	struct probes_ctx *c = ctx;
	size_t i;

	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		if (probes_port_of(sig_set_get(c->m.sigs, i), udp, port)) {
			return true;
		}
	}
	return false;
}

/* Evidence for the socket @e that the matched process @p holds. */
static int probes_socket_ev(struct probes_ctx *c, const struct probes_proc *p,
	const struct sockets_entry *e)
{
	const struct sig *g = sig_set_get(c->m.sigs, p->sig);
	char addr[46], pattern[16], source[32];
	struct report_evidence ev;

	sockets_addr_str(e, addr);
	(void)snprintf(pattern, sizeof(pattern), "%s/%u", e->udp ? "udp" : "tcp",
		(unsigned)e->port);
	(void)snprintf(source, sizeof(source), "/proc/net/%s%s", e->udp ? "udp" : "tcp",
		e->v6 ? "6" : "");
	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_SOCKET;
	ev.state = REPORT_STATE_RUNNING;
	ev.confidence = p->conf;
	ev.name = p->name;
	ev.path = p->exe;
	ev.pattern = pattern;
	ev.pid = p->pid;
	ev.proto = e->udp ? "udp" : "tcp";
	ev.address = addr;
	ev.port = e->port;
	ev.source = source;
	return probes_add(c, g, &ev);
}

static int probes_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The sockets of one matched process that are on a port of its signature. */
static int probes_proc_sockets(struct probes_ctx *c, const struct probes_proc *p,
	const struct sockets_list *l, size_t *unreadable, struct kerr *e)
{
	const struct sig *g = sig_set_get(c->m.sigs, p->sig);
	uint64_t *inodes, *hit;
	size_t n, i;
	int rc = 0;

	if (g->nports == 0) {
		return 0;
	}
	if (sockets_pid_inodes(c->procfd, p->pid, &inodes, &n) != 0) {
		if (errno == ENOMEM) {
			return probes_nomem(c);
		}
		if (errno != ENOENT && errno != ESRCH && (*unreadable)++ == 0) {
			kerr_sys(e, KERR_IO, errno, "/proc/%" PRIu32 "/fd", p->pid);
		}
		return 0;
	}
	for (i = 0; i < l->n && rc == 0; i++) {
		hit = n > 0 ? bsearch(&l->v[i].inode, inodes, n, sizeof(*inodes),
				      probes_u64_cmp) : NULL;
		if (hit != NULL && probes_port_of(g, l->v[i].udp, l->v[i].port)) {
			rc = probes_socket_ev(c, p, &l->v[i]);
		}
	}
	free(inodes);
	return rc;
}

static int probes_sockets(struct probes_ctx *c)
{
	struct sockets_list l = {NULL, 0, 0};
	struct sockets_counts n;
	struct report_source *src;
	size_t i, unreadable = 0;
	struct kerr e;
	int rc = 0;

	memset(&n, 0, sizeof(n));
	kerr_clear(&e);
	c->matched = 0;
	if (c->procfd < 0) {
		src = probes_source(c, "sockets", 0, 1, &c->procs_err, "/proc/net");
		return src != NULL ? 0 : -1;
	}
	if (sockets_read(c->procfd, probes_want_port, c, &l, &n, &e) != 0) {
		sockets_list_free(&l);
		*c->m.err = e;
		return -1;
	}
	for (i = 0; i < c->nprocs && rc == 0; i++) {
		rc = probes_proc_sockets(c, &c->procs[i], &l, &unreadable, &e);
	}
	sockets_list_free(&l);
	if (rc != 0) {
		return -1;
	}
	/* processes not kept for the join may hold a port: their sockets were not looked at */
	if (c->procs_dropped > 0 && n.errors + unreadable == 0) {
		kerr_set(&e, KERR_LIMIT, "more than %u matched processes: the sockets of %zu were "
			"not read", KS_PROCS_MATCHED_MAX, c->procs_dropped);
	}
	src = probes_source(c, "sockets", n.tables > 0, n.errors + unreadable + c->procs_dropped,
		&e, "/proc/net");
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "tables", n.tables);
	report_source_count(src, "listening", n.listening);
	report_source_count(src, "on_signature_ports", n.kept);
	report_source_count(src, "matched", c->matched);
	report_source_count(src, "unreadable", unreadable);
	return 0;
}

/* ---- Services ---- */

/* Does the signature service @s name the unit or script @name? */
static bool probes_service_is(const char *s, const char *name, bool sysv)
{
	char tmpl[NAME_MAX + 1];
	size_t n = strlen(name);

	if (strcmp(s, name) == 0) {
		return true;
	}
	/* the SysV script of kesl.service is /etc/init.d/kesl */
	if (sysv) {
		return strncmp(s, name, n) == 0 && strcmp(s + n, ".service") == 0;
	}
	/* an orphan link names an instance (x@tty1.service) of the template x@.service */
	return services_template(name, tmpl, sizeof(tmpl)) && strcmp(s, tmpl) == 0;
}

static bool probes_want_service(void *ctx, const char *name, bool sysv)
{
	struct probes_ctx *c = ctx;
	size_t i, j;

	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		for (j = 0; j < g->services.n; j++) {
			if (probes_service_is(g->services.v[j], name, sysv)) {
				return true;
			}
		}
	}
	return false;
}

static int probes_unit(void *ctx, const struct services_unit *u)
{
	struct probes_ctx *c = ctx;
	struct report_evidence ev;
	size_t i, j;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_SERVICE;
	/* a unit masked or only linked to cannot start: what is left of an install */
	ev.state = u->orphan || u->masked ? REPORT_STATE_REMNANT : REPORT_STATE_INSTALLED;
	ev.name = u->name;
	ev.path = u->path;
	ev.manager = u->sysv ? "sysv" : "systemd";
	ev.ftype = u->target != NULL ? "symlink" : NULL;
	ev.target = u->target;
	ev.enabled = u->enabled;
	ev.has_enabled = true;
	ev.source = u->enabled_by;
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		for (j = 0; j < g->services.n; j++) {
			if (!probes_service_is(g->services.v[j], u->name, u->sysv)) {
				continue;
			}
			ev.pattern = g->services.v[j];
			ev.confidence = probes_conf(g, &g->services, j);
			if (probes_add(c, g, &ev) != 0) {
				return -1;
			}
			break;
		}
	}
	return 0;
}

static int probes_services(struct probes_ctx *c)
{
	struct services_sink sink = {probes_want_service, probes_unit, c};
	struct services_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	kerr_clear(&e);
	c->matched = 0;
	rc = services_scan(c->m.root, &sink, &n, &e);
	if (rc < 0) {
		if (c->m.err->code == KERR_OK) {
			*c->m.err = e;
		}
		return -1;
	}
	src = probes_source(c, "services", rc, n.errors, &e, NULL);
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "directories", n.dirs);
	report_source_count(src, "entries", n.entries);
	report_source_count(src, "links", n.links);
	report_source_count(src, "matched", c->matched);
	return 0;
}

/* ---- Kernel modules ---- */

/* The signature module equal to @name once both are spelled as the kernel does, or -1. */
static long probes_kmod_index(const struct sig *g, const char *name)
{
	char a[KMODS_NAME_MAX + 1], b[KMODS_NAME_MAX + 1];
	size_t i, n = strlen(name);

	if (n > KMODS_NAME_MAX) {
		return -1;
	}
	memcpy(a, name, n + 1);
	kmods_normalize(a);
	for (i = 0; i < g->kernel_modules.n; i++) {
		size_t k = strlen(g->kernel_modules.v[i]);

		if (k > KMODS_NAME_MAX) {
			continue;
		}
		memcpy(b, g->kernel_modules.v[i], k + 1);
		kmods_normalize(b);
		if (strcmp(a, b) == 0) {
			return (long)i;
		}
	}
	return -1;
}

static int probes_kmod_loaded(void *ctx, const char *name)
{
	struct probes_ctx *c = ctx;
	struct report_evidence ev;
	size_t i;
	long k;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_KERNEL_MODULE;
	ev.state = REPORT_STATE_RUNNING;
	ev.name = name;
	ev.source = "/proc/modules";
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		k = probes_kmod_index(g, name);
		if (k < 0) {
			continue;
		}
		ev.pattern = g->kernel_modules.v[k];
		ev.confidence = probes_conf(g, &g->kernel_modules, (size_t)k);
		if (probes_add(c, g, &ev) != 0) {
			return -1;
		}
	}
	return 0;
}

static int probes_kmod_file(void *ctx, const char *name, const char *path, const char *release)
{
	struct probes_ctx *c = ctx;
	struct report_evidence ev;
	enum sig_role role;
	size_t i;
	long k;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_KERNEL_MODULE;
	ev.name = name;
	ev.path = path;
	ev.version = release;
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		k = probes_kmod_index(g, name);
		if (k < 0) {
			continue;
		}
		role = g->kernel_module_roles != NULL ? g->kernel_module_roles[k] :
			SIG_ROLE_INSTALL;
		ev.state = match_role_state(role);
		ev.role = sig_role_name(role);
		ev.pattern = g->kernel_modules.v[k];
		ev.confidence = probes_conf(g, &g->kernel_modules, (size_t)k);
		if (probes_add(c, g, &ev) != 0) {
			return -1;
		}
	}
	return 0;
}

static int probes_kmods(struct probes_ctx *c)
{
	struct kmods_sink sink = {probes_kmod_loaded, probes_kmod_file, c};
	struct kmods_counts n;
	struct report_source *src;
	struct kerr e;
	int loaded = 0, files;

	memset(&n, 0, sizeof(n));
	kerr_clear(&e);
	c->matched = 0;
	if (c->procfd >= 0) {
		loaded = kmods_read_loaded(c->procfd, &sink, &n, &e);
	} else if (c->m.rep->live) {
		/* live, but /proc could not be opened: the loaded modules are unknown */
		e = c->procs_err;
		n.errors++;
	}
	files = loaded < 0 ? -1 : kmods_scan_files(c->m.root, &sink, &n, &e);
	if (loaded < 0 || files < 0) {
		if (c->m.err->code == KERR_OK) {
			*c->m.err = e;
		}
		return -1;
	}
	src = probes_source(c, "kernel_modules", loaded > 0 || files > 0, n.errors, &e,
		"/lib/modules");
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "loaded", n.loaded);
	report_source_count(src, "kernels", n.kernels);
	report_source_count(src, "files", n.files);
	report_source_count(src, "matched", c->matched);
	return 0;
}

/* ---- Accounts ---- */

static int probes_account(void *ctx, const struct accounts_entry *a)
{
	struct probes_ctx *c = ctx;
	struct report_evidence ev;
	size_t i, j;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_ACCOUNT;
	ev.state = REPORT_STATE_REMNANT;
	ev.name = a->name;
	ev.account = a->kind == ACCOUNTS_USER ? "user" : "group";
	ev.uid = a->id;
	ev.has_uid = a->kind == ACCOUNTS_USER;
	ev.gid = a->id;
	ev.has_gid = a->kind == ACCOUNTS_GROUP;
	ev.source = a->file;
	ev.line = a->line;
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		for (j = 0; j < g->accounts.n; j++) {
			if (strcmp(g->accounts.v[j], a->name) == 0) {
				ev.confidence = probes_conf(g, &g->accounts, j);
				if (probes_add(c, g, &ev) != 0) {
					return -1;
				}
				break;
			}
		}
	}
	return 0;
}

static int probes_accounts(struct probes_ctx *c)
{
	struct accounts_sink sink = {probes_account, c};
	struct accounts_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	kerr_clear(&e);
	c->matched = 0;
	rc = accounts_read(c->m.root, &sink, &n, &e);
	if (rc < 0) {
		if (c->m.err->code == KERR_OK) {
			*c->m.err = e;
		}
		return -1;
	}
	src = probes_source(c, "accounts", rc, n.errors, &e, NULL);
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "users", n.users);
	report_source_count(src, "groups", n.groups);
	report_source_count(src, "malformed", n.malformed);
	report_source_count(src, "matched", c->matched);
	return 0;
}

/* ---- Cron ---- */

/* The command as evidence keeps it: cut at KS_CRON_COMMAND_SHOWN, on a character boundary. */
static void probes_command(const char *cmd, char *out, size_t n)
{
	size_t len = strlen(cmd);

	if (len < n) {
		memcpy(out, cmd, len + 1);
		return;
	}
	len = n - 4;
	while (len > 0 && ((unsigned char)cmd[len] & 0xc0) == 0x80) {
		len--;
	}
	memcpy(out, cmd, len);
	memcpy(out + len, "...", 4);
}

static int probes_cron_path(void *ctx, const char *path)
{
	struct probes_ctx *c = ctx;
	char command[KS_CRON_COMMAND_SHOWN + 1];
	struct report_evidence ev;
	struct stat st;
	size_t i, j;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_CRON;
	ev.path = c->job->file;
	ev.line = c->job->line;
	ev.user = c->job->user;
	probes_command(c->job->command, command, sizeof(command));
	ev.command = command;
	for (i = 0; i < sig_set_count(c->m.sigs); i++) {
		const struct sig *g = sig_set_get(c->m.sigs, i);

		for (j = 0; j < g->npaths; j++) {
			if (!probematch_path_under(g->paths[j].path, path)) {
				continue;
			}
			/* a job whose program is gone is what an uninstall left behind */
			ev.state = rootfs_lstat(c->m.root, path, &st) == 0 ?
				match_role_state(g->paths[j].role) : REPORT_STATE_REMNANT;
			ev.role = sig_role_name(g->paths[j].role);
			ev.confidence = match_confidence(g->paths[j].confidence);
			ev.pattern = g->paths[j].path;
			if (probes_add(c, g, &ev) != 0) {
				return -1;
			}
			break;
		}
	}
	return 0;
}

static int probes_cron_job(void *ctx, const struct cron_job *j)
{
	struct probes_ctx *c = ctx;

	c->job = j;
	return cron_command_paths(j->command, strlen(j->command), probes_cron_path, c);
}

static int probes_cron(struct probes_ctx *c)
{
	struct cron_sink sink = {probes_cron_job, c};
	struct cron_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	kerr_clear(&e);
	c->matched = 0;
	rc = cron_scan(c->m.root, &sink, &n, &e);
	if (rc < 0) {
		if (c->m.err->code == KERR_OK) {
			*c->m.err = e;
		}
		return -1;
	}
	src = probes_source(c, "cron", rc, n.errors, &e, NULL);
	if (src == NULL) {
		return -1;
	}
	report_source_count(src, "files", n.files);
	report_source_count(src, "jobs", n.jobs);
	report_source_count(src, "malformed", n.malformed);
	report_source_count(src, "matched", c->matched);
	return 0;
}

static void probes_free(struct probes_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nprocs; i++) {
		free(c->procs[i].name);
		free(c->procs[i].exe);
	}
	free(c->procs);
	if (c->procfd >= 0) {
		xstd_close_quietly(c->procfd);
	}
}

struct probes {
	struct probes_ctx c;
};

struct probes *probematch_new(const struct match_ctx *m)
{
	struct probes *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		kerr_set(m->err, KERR_NOMEM, "out of memory");
		return NULL;
	}
	p->c.m = *m;
	p->c.procfd = -1;
	kerr_clear(&p->c.procs_err);
	m->rep->live = rootfs_is_host(m->root);
	if (m->rep->live) {
		p->c.procfd = procs_open("/proc", &p->c.procs_err);
	} else {
		kerr_set(&p->c.procs_err, KERR_OK, "not the live host");
	}
	return p;
}

int probematch_live(struct probes *p)
{
	struct probes_ctx *c = &p->c;
	int rc;

	rc = c->m.rep->live ? probes_processes(c)
			  : probes_source(c, "processes", 0, 0, NULL, NULL) != NULL ? 0 : -1;
	if (rc == 0) {
		rc = c->m.rep->live ? probes_sockets(c)
				  : probes_source(c, "sockets", 0, 0, NULL, NULL) != NULL ? 0 : -1;
	}
	return rc;
}

int probematch_files(struct probes *p)
{
	struct probes_ctx *c = &p->c;
	int rc = probes_services(c);

	if (rc == 0) {
		rc = probes_kmods(c);
	}
	if (rc == 0) {
		rc = probes_accounts(c);
	}
	if (rc == 0) {
		rc = probes_cron(c);
	}
	return rc;
}

void probematch_destroy(struct probes *p)
{
	if (p == NULL) {
		return;
	}
	probes_free(&p->c);
	free(p);
}
