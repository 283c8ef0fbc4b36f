#include "scanner/match/plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"

/* A step's command is a report string: targets go to the next step before it is longer. */
#define PLAN_CMD_MAX (KS_REPORT_STR_MAX - 1)

/* Characters no POSIX shell treats specially in a word. */
#define PLAN_SAFE "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"

/*
 * Directories a plan never deletes, whatever a signature's path says: a pack that names
 * /var/opt or /usr/bin as a remnant must not turn into "rm -rf /usr/bin". Paths with a
 * single component (/opt, /etc) are refused as well.
 */
static const char *const plan_protected[] = {
	"/etc/cron.d", "/etc/default", "/etc/init.d", "/etc/opt", "/etc/systemd",
	"/etc/systemd/system", "/lib/modules", "/lib/systemd", "/lib/systemd/system",
	"/usr/bin", "/usr/include", "/usr/lib", "/usr/lib/modules", "/usr/lib/systemd",
	"/usr/lib/systemd/system", "/usr/lib64", "/usr/libexec", "/usr/local",
	"/usr/local/bin", "/usr/local/lib", "/usr/local/sbin", "/usr/sbin", "/usr/share",
	"/var/cache", "/var/lib", "/var/log", "/var/opt", "/var/run", "/var/spool", "/var/tmp",
};

/* A list of strings, borrowed (from the evidence) or owned (made here). */
struct plan_vec {
	const char **v;
	size_t n;
	size_t cap;
	/* strings made here (pids, "FILE:LINE"), freed with the list */
	char **own;
	size_t nown;
};

/* One plan_build() call and the finding being planned. */
struct plan_ctx {
	const struct sig_set *s;
	const struct rootfs *r;
	struct kerr *err;
	struct report_finding *f;
	const struct sig *g;
	struct buf cmd;
	/* one target's part of the command */
	struct buf item;
};

/* Writes one target's part of a command into @b; @arg is the step's own. */
typedef void plan_fmt_fn(struct buf *b, const char *t, const void *arg);

void plan_shell_quote(struct buf *b, const char *s)
{
	if (s[0] != '\0' && strspn(s, PLAN_SAFE) == strlen(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			buf_adds(b, "'\\''");
		} else {
			buf_addc(b, *s);
		}
	}
	buf_addc(b, '\'');
}

static void plan_vec_free(struct plan_vec *v)
{
	while (v->nown > 0) {
		free(v->own[--v->nown]);
	}
	free(v->own);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static int plan_vec_add(struct plan_vec *v, const char *s)
{
	if (vec_reserve(&v->v, v->n, &v->cap, sizeof(*v->v), SIZE_MAX) != 0) {
		return -1;
	}
	v->v[v->n++] = s;
	return 0;
}

/* Adds a string made here: @v owns it from now on (and frees it on failure too). */
static int plan_vec_own(struct plan_vec *v, char *s)
{
	if (s == NULL) {
		return -1;
	}
	if (vec_reserve_implied(&v->own, v->nown, sizeof(*v->own), SIZE_MAX) != 0) {
		free(s);
		return -1;
	}
	v->own[v->nown++] = s;
	return plan_vec_add(v, s);
}

/* A byte's place in the path order: the end first, then "/", then every other byte. */
static int plan_path_rank(unsigned char c)
{
	return c == '\0' ? 0 : c == '/' ? 1 : c + 1;
}

/* Orders paths with "/" before any other byte, so a directory's contents follow it. */
static int plan_path_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a;
	const unsigned char *y = *(const unsigned char *const *)b;

	for (; *x != '\0' && *x == *y; x++, y++) {
	}
	if (*x == *y) {
		return 0;
	}
	return plan_path_rank(*x) - plan_path_rank(*y);
}

static int plan_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts @v and drops repeated strings. */
static void plan_vec_uniq(struct plan_vec *v, int (*cmp)(const void *, const void *))
{
	size_t i, kept = 0;

	if (v->n > 1) {
		xstd_qsort(v->v, v->n, sizeof(*v->v), cmp);
	}
	for (i = 0; i < v->n; i++) {
		if (kept == 0 || strcmp(v->v[kept - 1], v->v[i]) != 0) {
			v->v[kept++] = v->v[i];
		}
	}
	v->n = kept;
}

static int plan_nomem(struct plan_ctx *c)
{
	return kerr_set(c->err, KERR_NOMEM, "out of memory");
}

/* Adds one step with @n targets of @t and the command in c->cmd (none if @manual). */
static int plan_step(struct plan_ctx *c, const char *action, const char *description,
	bool manual, const char *const *t, size_t n)
{
	if (buf_error(&c->cmd) != 0) {
		return kerr_sys(c->err, buf_error(&c->cmd) == ENOMEM ? KERR_NOMEM : KERR_LIMIT,
			buf_error(&c->cmd), "removal plan of %s", c->f->signature);
	}
	if (report_add_step(c->f, action, description, manual ? NULL : buf_str(&c->cmd), t, n) !=
	    0) {
		return kerr_sys(c->err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT, errno,
			"removal plan of %s", c->f->signature);
	}
	return 0;
}

/* " T": a target appended to a command ("apt-get purge" T...). */
static void plan_fmt_word(struct buf *b, const char *t, const void *arg)
{
	(void)arg;
	buf_addc(b, ' ');
	plan_shell_quote(b, t);
}

/* "CMD T": a command of its own per target ("userdel T"). */
static void plan_fmt_each(struct buf *b, const char *t, const void *arg)
{
	buf_adds(b, arg);
	buf_addc(b, ' ');
	plan_shell_quote(b, t);
}

/* "service T stop; update-rc.d -f T remove" (or chkconfig --del T, or nothing). */
static void plan_fmt_sysv(struct buf *b, const char *t, const void *arg)
{
	const char *tool = arg;

	buf_adds(b, "service ");
	plan_shell_quote(b, t);
	buf_adds(b, " stop");
	if (tool != NULL) {
		buf_addf(b, "; %s ", tool);
		plan_shell_quote(b, t);
		buf_adds(b, strcmp(tool, "update-rc.d -f") == 0 ? " remove" : "");
	}
}

/*
 * Steps of @action for the targets @v: "@prefix" then each target as @fmt writes it,
 * joined by @sep. A step takes at most KS_PLAN_TARGETS_MAX targets and PLAN_CMD_MAX bytes
 * of command; the rest go to the next step.
 */
static int plan_chunks(struct plan_ctx *c, const char *action, const char *description,
	const char *prefix, const char *sep, plan_fmt_fn *fmt, const void *arg,
	const struct plan_vec *v)
{
	size_t i = 0, m;

	while (i < v->n) {
		buf_reset(&c->cmd);
		buf_adds(&c->cmd, prefix);
		for (m = 0; i + m < v->n && m < KS_PLAN_TARGETS_MAX; m++) {
			buf_reset(&c->item);
			buf_adds(&c->item, m > 0 ? sep : "");
			fmt(&c->item, v->v[i + m], arg);
			if (m > 0 && buf_len(&c->cmd) + buf_len(&c->item) > PLAN_CMD_MAX) {
				break;
			}
			buf_add(&c->cmd, buf_str(&c->item), buf_len(&c->item));
		}
		if (buf_error(&c->item) != 0) {
			return kerr_sys(c->err, KERR_NOMEM, buf_error(&c->item),
				"removal plan of %s", c->f->signature);
		}
		if (plan_step(c, action, description, false, v->v + i, m) != 0) {
			return -1;
		}
		i += m;
	}
	return 0;
}

/* Does @path exist in the scanned root (as a file or a link)? */
static bool plan_exists(const struct plan_ctx *c, const char *path)
{
	struct stat st;

	return rootfs_lstat(c->r, path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
}

/* The names of evidence of @kind (and @manager, if given) that proves an install. */
static int plan_names(struct plan_ctx *c, enum report_ev_kind kind, const char *manager,
	bool running_only, struct plan_vec *v)
{
	size_t i;

	for (i = 0; i < c->f->nev; i++) {
		const struct report_evidence *e = &c->f->ev[i];

		if (e->kind != kind || e->name == NULL ||
		    (manager != NULL && (e->manager == NULL || strcmp(e->manager, manager) != 0)) ||
		    (running_only && e->state != REPORT_STATE_RUNNING) ||
		    (kind == REPORT_EV_SERVICE && e->state != REPORT_STATE_INSTALLED)) {
			continue;
		}
		if (plan_vec_add(v, e->name) != 0) {
			return plan_nomem(c);
		}
	}
	plan_vec_uniq(v, plan_str_cmp);
	return 0;
}

static int plan_services(struct plan_ctx *c)
{
	struct plan_vec v;
	const char *tool;
	int rc;

	memset(&v, 0, sizeof(v));
	rc = plan_names(c, REPORT_EV_SERVICE, "systemd", false, &v);
	if (rc == 0) {
		rc = plan_chunks(c, "disable_services", "Stop the product's systemd units and "
			"keep them from starting at boot", "systemctl disable --now", "",
			plan_fmt_word, NULL, &v);
	}
	plan_vec_free(&v);
	if (rc != 0) {
		return -1;
	}
	rc = plan_names(c, REPORT_EV_SERVICE, "sysv", false, &v);
	/* the tool that removes rc?.d links is the one the scanned system has */
	tool = plan_exists(c, "/usr/sbin/update-rc.d") ? "update-rc.d -f" :
		plan_exists(c, "/sbin/chkconfig") || plan_exists(c, "/usr/sbin/chkconfig") ?
		"chkconfig --del" : NULL;
	if (rc == 0) {
		rc = plan_chunks(c, "disable_init_scripts", tool != NULL ?
			"Stop the product's SysV init scripts and remove their rc?.d links" :
			"Stop the product's SysV init scripts, then delete their S links in "
			"/etc/rc?.d", "", "; ", plan_fmt_sysv, tool, &v);
	}
	plan_vec_free(&v);
	return rc;
}

static int plan_uninstallers(struct plan_ctx *c)
{
	size_t i, k;

	for (i = 0; c->g != NULL && i < c->g->nuninstall; i++) {
		const struct sig_uninstall *u = &c->g->uninstall[i];
		const char *t = u->path;

		/* only an uninstaller that is on this system can be run */
		if (!plan_exists(c, u->path)) {
			continue;
		}
		buf_reset(&c->cmd);
		plan_shell_quote(&c->cmd, u->path);
		for (k = 0; k < u->args.n; k++) {
			buf_addc(&c->cmd, ' ');
			plan_shell_quote(&c->cmd, u->args.v[k]);
		}
		if (plan_step(c, "run_uninstaller", "Run the vendor's uninstaller", false, &t, 1) !=
		    0) {
			return -1;
		}
	}
	return 0;
}

static int plan_packages(struct plan_ctx *c)
{
	struct plan_vec v;
	const char *cmd;
	int rc;

	memset(&v, 0, sizeof(v));
	rc = plan_names(c, REPORT_EV_PACKAGE, "dpkg", false, &v);
	cmd = plan_exists(c, "/usr/bin/apt-get") ? "apt-get purge" : "dpkg --purge";
	if (rc == 0) {
		rc = plan_chunks(c, "remove_packages", "Remove the product's packages with their "
			"configuration files", cmd, "", plan_fmt_word, NULL, &v);
	}
	plan_vec_free(&v);
	if (rc != 0) {
		return -1;
	}
	rc = plan_names(c, REPORT_EV_PACKAGE, "rpm", false, &v);
	cmd = plan_exists(c, "/usr/bin/dnf") ? "dnf remove" :
		plan_exists(c, "/usr/bin/yum") ? "yum remove" : "rpm -e";
	if (rc == 0) {
		rc = plan_chunks(c, "remove_packages", "Remove the product's packages", cmd, "",
			plan_fmt_word, NULL, &v);
	}
	plan_vec_free(&v);
	return rc;
}

static int plan_processes(struct plan_ctx *c)
{
	char pid[16];
	struct plan_vec v;
	size_t i;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < c->f->nev && rc == 0; i++) {
		const struct report_evidence *e = &c->f->ev[i];

		if (e->kind == REPORT_EV_PROCESS && e->pid != 0) {
			(void)snprintf(pid, sizeof(pid), "%" PRIu32, e->pid);
			rc = plan_vec_own(&v, strdup(pid)) != 0 ? plan_nomem(c) : 0;
		}
	}
	plan_vec_uniq(&v, plan_str_cmp);
	if (rc == 0) {
		rc = plan_chunks(c, "stop_processes", "Stop what still runs after the steps above "
			"(process ids seen by this scan: check them again first)", "kill", "",
			plan_fmt_word, NULL, &v);
	}
	plan_vec_free(&v);
	return rc;
}

static int plan_modules(struct plan_ctx *c)
{
	struct plan_vec v;
	int rc;

	memset(&v, 0, sizeof(v));
	rc = plan_names(c, REPORT_EV_KERNEL_MODULE, NULL, true, &v);
	if (rc == 0) {
		rc = plan_chunks(c, "unload_modules", "Unload the product's kernel modules",
			"modprobe -r", "", plan_fmt_word, NULL, &v);
	}
	plan_vec_free(&v);
	return rc;
}

static int plan_cron(struct plan_ctx *c)
{
	struct plan_vec v;
	size_t i, m;
	char *t;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < c->f->nev && rc == 0; i++) {
		const struct report_evidence *e = &c->f->ev[i];

		if (e->kind != REPORT_EV_CRON || e->path == NULL) {
			continue;
		}
		t = NULL;
		if (asprintf(&t, "%s:%" PRIu64, e->path, e->line) < 0) {
			t = NULL;
		}
		rc = plan_vec_own(&v, t) != 0 ? plan_nomem(c) : 0;
	}
	plan_vec_uniq(&v, plan_str_cmp);
	for (i = 0; i < v.n && rc == 0; i += m) {
		m = v.n - i < KS_PLAN_TARGETS_MAX ? v.n - i : KS_PLAN_TARGETS_MAX;
		rc = plan_step(c, "remove_cron_jobs", "Delete these crontab lines (a spool crontab "
			"with crontab -e -u USER)", true, v.v + i, m);
	}
	plan_vec_free(&v);
	return rc;
}

static int plan_accounts(struct plan_ctx *c)
{
	struct plan_vec users, groups;
	size_t i;
	int rc = 0;

	memset(&users, 0, sizeof(users));
	memset(&groups, 0, sizeof(groups));
	for (i = 0; i < c->f->nev && rc == 0; i++) {
		const struct report_evidence *e = &c->f->ev[i];

		if (e->kind == REPORT_EV_ACCOUNT && e->name != NULL && e->account != NULL) {
			rc = plan_vec_add(strcmp(e->account, "user") == 0 ? &users : &groups,
				e->name) != 0 ? plan_nomem(c) : 0;
		}
	}
	plan_vec_uniq(&users, plan_str_cmp);
	plan_vec_uniq(&groups, plan_str_cmp);
	/* users first: a group cannot be deleted while it is a user's primary group */
	if (rc == 0) {
		rc = plan_chunks(c, "delete_accounts", "Delete the users the product created, if "
			"nothing else uses them", "", "; ", plan_fmt_each, "userdel", &users);
	}
	if (rc == 0) {
		rc = plan_chunks(c, "delete_accounts", "Delete the groups the product created, if "
			"nothing else uses them", "", "; ", plan_fmt_each, "groupdel", &groups);
	}
	plan_vec_free(&users);
	plan_vec_free(&groups);
	return rc;
}

static bool plan_is_protected(const char *path)
{
	size_t i;

	/* one component: /opt, /etc, /var... */
	if (strchr(path + 1, '/') == NULL) {
		return true;
	}
	for (i = 0; i < XSTD_COUNTOF(plan_protected); i++) {
		if (strcmp(path, plan_protected[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* Is @path inside the directory @dir (and not @dir itself)? */
static bool plan_below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	return strncmp(dir, path, n) == 0 && path[n] == '/';
}

/* The paths of the evidence, each deleted once: what lies inside a deleted directory goes. */
static int plan_paths(struct plan_ctx *c)
{
	struct plan_vec v, skipped;
	struct buf desc;
	size_t i, kept = 0;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	memset(&skipped, 0, sizeof(skipped));
	for (i = 0; i < c->f->nev && rc == 0; i++) {
		const struct report_evidence *e = &c->f->ev[i];

		if (e->path == NULL || e->path[0] != '/' || e->kind == REPORT_EV_PROCESS ||
		    e->kind == REPORT_EV_SOCKET || e->kind == REPORT_EV_CRON) {
			continue;
		}
		rc = plan_vec_add(plan_is_protected(e->path) ? &skipped : &v, e->path) != 0 ?
			plan_nomem(c) : 0;
	}
	plan_vec_uniq(&v, plan_path_cmp);
	plan_vec_uniq(&skipped, plan_str_cmp);
	for (i = 0; i < v.n; i++) {
		if (kept == 0 || !plan_below(v.v[kept - 1], v.v[i])) {
			v.v[kept++] = v.v[i];
		}
	}
	v.n = kept;
	buf_init(&desc, KS_REPORT_STR_MAX);
	buf_adds(&desc, "Delete what the product left on disk");
	for (i = 0; i < skipped.n; i++) {
		buf_adds(&desc, i == 0 ? " (not deleted, too broad to remove whole: " : ", ");
		buf_adds(&desc, skipped.v[i]);
	}
	buf_adds(&desc, skipped.n > 0 ? ")" : "");
	if (rc == 0 && buf_error(&desc) != 0) {
		buf_reset(&desc);
		buf_adds(&desc, "Delete what the product left on disk (some paths were too broad)");
	}
	if (rc == 0) {
		rc = plan_chunks(c, "delete_paths", buf_str(&desc), "rm -rf --", "", plan_fmt_word,
			NULL, &v);
	}
	buf_free(&desc);
	plan_vec_free(&v);
	plan_vec_free(&skipped);
	return rc;
}

static const struct sig *plan_sig(const struct sig_set *s, const char *id)
{
	size_t i;

	for (i = 0; i < sig_set_count(s); i++) {
		if (strcmp(sig_set_get(s, i)->id, id) == 0) {
			return sig_set_get(s, i);
		}
	}
	return NULL;
}

static int plan_finding(struct plan_ctx *c)
{
	if (plan_services(c) != 0 || plan_uninstallers(c) != 0 || plan_packages(c) != 0 ||
	    plan_processes(c) != 0 || plan_modules(c) != 0 || plan_cron(c) != 0 ||
	    plan_accounts(c) != 0 || plan_paths(c) != 0) {
		return -1;
	}
	return 0;
}

int plan_build(struct report *rep, const struct sig_set *s, const struct rootfs *r,
	struct kerr *err)
{
	struct plan_ctx c;
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.r = r;
	c.err = err;
	buf_init(&c.cmd, PLAN_CMD_MAX);
	buf_init(&c.item, PLAN_CMD_MAX);
	for (i = 0; i < rep->nfindings && rc == 0; i++) {
		c.f = rep->findings[i];
		c.g = plan_sig(s, c.f->signature);
		rc = plan_finding(&c);
	}
	buf_free(&c.cmd);
	buf_free(&c.item);
	return rc;
}
