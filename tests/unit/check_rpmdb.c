/*
 * Unit tests for scanner/rpmdb: databases made at test time by the real rpmbuild and rpm,
 * read back through rpmdb_read() and compared with what `rpm -qa` says; corrupt, hostile
 * and unsupported databases; and the proof that reading changes nothing in the root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/kerr.h"
#include "scanner/sources/pkg.h"
#include "scanner/sources/rootfs.h"
#include "scanner/sources/rpmdb.h"
#include "base/xstd.h"
#include "check_util.h"

#define SYSIMAGE "/usr/lib/sysimage/rpm"
#define VARLIB "/var/lib/rpm"

/* The result of one rpmdb_read() on a root under <cu_tmp>. */
struct got {
	int rc;
	struct kerr err;
	struct pkg_list list;
	struct rpmdb_counts counts;
};

static void read_root(const char *name, struct got *g)
{
	char root[PATH_MAX];
	struct rootfs *r;

	cu_path(root, sizeof(root), cu_tmp, name);
	kerr_clear(&g->err);
	pkg_list_init(&g->list);
	r = rootfs_open(root, &g->err);
	ck_assert_msg(r != NULL, "%s", g->err.msg);
	g->rc = rpmdb_read(r, &g->list, &g->counts, &g->err);
	rootfs_close(r);
	pkg_list_sort(&g->list);
}

/* Builds a noarch rpm into <cu_tmp>/rpms with rpmbuild; @epoch < 0 means no Epoch tag. */
static void build_rpm(const char *name, int epoch, const char *version, const char *release)
{
	char dir[PATH_MAX], spec[PATH_MAX];
	FILE *f;

	cu_path(dir, sizeof(dir), cu_tmp, "rpmbuild");
	cu_sh("mkdir -p '%s/SPECS' '%s/../rpms'", dir, dir);
	cu_fmt(spec, sizeof(spec), "%s/SPECS/%s.spec", dir, name);
	f = fopen(spec, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "Name: %s\nVersion: %s\nRelease: %s\n", name, version, release);
	if (epoch >= 0) {
		fprintf(f, "Epoch: %d\n", epoch);
	}
	fprintf(f, "Summary: kscan test fixture\nLicense: MIT\nBuildArch: noarch\n"
		   "AutoReqProv: no\n%%description\nkscan test fixture\n%%install\n"
		   "mkdir -p %%{buildroot}/opt/%s\necho %s > %%{buildroot}/opt/%s/file\n"
		   "%%files\n/opt/%s/file\n", name, name, name, name);
	ck_assert_int_eq(fclose(f), 0);
	cu_sh("rpmbuild --quiet --define '_topdir %s' --define '_build_id_links none' -bb '%s' "
	   ">/dev/null 2>&1 && mv '%s'/RPMS/noarch/%s-*.rpm '%s/../rpms/%s.rpm'", dir, spec,
		dir, name, dir, name);
}

/* Built once per test case, in the parent: each test only installs them. */
static void setup_rpms(void)
{
	char tmp[PATH_MAX];

	cu_tmp_setup();
	build_rpm("foo", -1, "1.0", "1");
	build_rpm("bar", 2, "3.1", "4.el9");
	/* rpmdb's private copies go there, so the tests can see that none is left behind */
	cu_path(tmp, sizeof(tmp), cu_tmp, "tmp");
	cu_sh("mkdir '%s'", tmp);
	ck_assert_int_eq(setenv("TMPDIR", tmp, 1), 0);
}

/* Makes the root <cu_tmp>/<name> afresh and installs @pkgs (names, space-separated) at @dbpath. */
static void make_root(const char *name, const char *dbpath, const char *pkgs)
{
	char root[PATH_MAX];

	cu_path(root, sizeof(root), cu_tmp, name);
	cu_sh("rm -rf '%s' && mkdir -p '%s%s'", root, root, dbpath);
	cu_sh("rpm --root '%s' --dbpath '%s' --initdb", root, dbpath);
	cu_sh("cd '%s/rpms' && rpm --root '%s' --dbpath '%s' -i --nodeps --ignorearch "
	   "$(for p in %s; do echo \"$PWD/$p.rpm\"; done) 2>/dev/null", cu_tmp, root, dbpath, pkgs);
}

/* True if the directory for our private copies is empty again. */
static bool tmp_empty(void)
{
	return cu_sh_status("test -z \"$(ls -A '%s/tmp')\"", cu_tmp) == 0;
}

static void assert_pkg(const struct pkg *p, const char *name, const char *version,
	const char *source)
{
	ck_assert_str_eq(p->manager, "rpm");
	ck_assert_str_eq(p->name, name);
	ck_assert_str_eq(p->version, version);
	ck_assert_str_eq(p->arch, "noarch");
	ck_assert_str_eq(p->status, "installed");
	ck_assert_str_eq(p->abbrev, "");
	ck_assert_int_eq(p->state, PKG_INSTALLED);
	ck_assert_str_eq(p->source, source);
}

/* foo and bar, as installed in every ordinary fixture; @loc is where they were read. */
static void assert_foo_bar(const struct got *g, const char *loc)
{
	ck_assert_msg(g->rc == 1, "rc %d: %s", g->rc, g->err.msg);
	ck_assert_str_eq(g->counts.location, loc);
	ck_assert_str_eq(g->counts.backend, "sqlite");
	ck_assert_uint_eq(g->counts.packages, 2);
	ck_assert_uint_eq(g->list.n, 2);
	assert_pkg(&g->list.v[0], "bar", "2:3.1-4.el9", loc);
	assert_pkg(&g->list.v[1], "foo", "1.0-1", loc);
	ck_assert(tmp_empty());
}

/* The database in each of the two standard places. */
static const char *const db_dirs[] = { VARLIB, SYSIMAGE };

START_TEST(test_read_locations)
{
	struct got g;

	make_root("r", db_dirs[_i], "foo bar");
	read_root("r", &g);
	assert_foo_bar(&g, db_dirs[_i]);
	pkg_list_free(&g.list);
}
END_TEST

/* Fedora: var/lib/rpm is a relative symlink to the sysimage directory; read once. */
START_TEST(test_fedora_symlink)
{
	char root[PATH_MAX];
	struct got g;

	make_root("r", SYSIMAGE, "foo bar");
	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_sh("mkdir -p '%s/var/lib' && ln -s ../../usr/lib/sysimage/rpm '%s/var/lib/rpm'", root,
		root);
	read_root("r", &g);
	assert_foo_bar(&g, SYSIMAGE);
	pkg_list_free(&g.list);
}
END_TEST

/* Our records as "name\tversion\tarch\n" lines in byte order, as `LC_ALL=C sort` gives. */
static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void our_lines(const struct got *g, struct buf *out)
{
	char **lines = calloc(g->list.n + 1, sizeof(*lines));
	size_t i;

	ck_assert_ptr_nonnull(lines);
	for (i = 0; i < g->list.n; i++) {
		const struct pkg *p = &g->list.v[i];

		ck_assert_int_ne(asprintf(&lines[i], "%s\t%s\t%s\n", p->name, p->version,
				 p->arch[0] != '\0' ? p->arch : "(none)"), -1);
	}
	qsort(lines, g->list.n, sizeof(*lines), line_cmp);
	for (i = 0; i < g->list.n; i++) {
		buf_adds(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
	ck_assert_int_eq(buf_error(out), 0);
}

/* What the real rpm lists, in the same form. */
static void rpm_lines(const char *name, const char *dbpath, struct buf *out)
{
	char cmd[PATH_MAX * 2], root[PATH_MAX];
	FILE *p;

	cu_path(root, sizeof(root), cu_tmp, name);
	cu_fmt(cmd, sizeof(cmd), "rpm --root '%s' --dbpath '%s' -qa --qf "
		"'%%{NAME}\\t%%|EPOCH?{%%{EPOCH}:}|%%{VERSION}-%%{RELEASE}\\t%%{ARCH}\\n' "
		"2>/dev/null | LC_ALL=C sort", root, dbpath);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(xstd_read_fd(fileno(p), 1 << 20, out), 0);
	ck_assert_int_eq(pclose(p), 0);
}

/* Compares with `rpm -qa`; run on a copy, since rpm itself writes -shm in place. */
static void assert_same_as_rpm(const struct got *g, const char *name, const char *dbpath)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct buf ours, theirs;

	cu_path(from, sizeof(from), cu_tmp, name);
	cu_path(to, sizeof(to), cu_tmp, "rpm-qa-copy");
	cu_sh("rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
	buf_init(&ours, 1 << 20);
	buf_init(&theirs, 1 << 20);
	our_lines(g, &ours);
	rpm_lines("rpm-qa-copy", dbpath, &theirs);
	ck_assert_uint_gt(buf_len(&theirs), 0);
	ck_assert_str_eq(buf_str(&ours), buf_str(&theirs));
	buf_free(&ours);
	buf_free(&theirs);
}

START_TEST(test_same_as_rpm_qa)
{
	struct got g;

	make_root("r", db_dirs[_i], "foo bar");
	read_root("r", &g);
	ck_assert_int_eq(g.rc, 1);
	assert_same_as_rpm(&g, "r", db_dirs[_i]);
	pkg_list_free(&g.list);
}
END_TEST

/* gpg-pubkey headers have no arch: rpm prints "(none)", we keep "". */
START_TEST(test_gpg_pubkey)
{
	char root[PATH_MAX], home[PATH_MAX];
	struct got g;
	size_t i, keys = 0;

	/* a missing gpg fails rather than skips: packaging/setup-debian.sh installs it */
	ck_assert_msg(cu_sh_status("command -v gpg >/dev/null") == 0,
		"gpg is missing: run packaging/setup-debian.sh");
	make_root("r", VARLIB, "foo");
	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_path(home, sizeof(home), cu_tmp, "gnupg");
	cu_sh("mkdir -p -m 700 '%s' && gpg --batch --quiet --homedir '%s' --passphrase '' "
	   "--quick-gen-key 'kscan test <t@kscan.invalid>' rsa2048 sign never 2>/dev/null && "
	   "gpg --batch --homedir '%s' --export --armor > '%s/key.asc' && "
	   "rpm --root '%s' --dbpath " VARLIB " --import '%s/key.asc'", home, home, home, home,
		root, home);
	read_root("r", &g);
	ck_assert_msg(g.rc == 1, "%s", g.err.msg);
	for (i = 0; i < g.list.n; i++) {
		if (strcmp(g.list.v[i].name, "gpg-pubkey") == 0) {
			keys++;
			ck_assert_str_eq(g.list.v[i].arch, "");
			ck_assert_uint_eq(strlen(g.list.v[i].version), 17);
		}
	}
	ck_assert_uint_eq(keys, 1);
	ck_assert_uint_eq(g.list.n, 2);
	assert_same_as_rpm(&g, "r", VARLIB);
	pkg_list_free(&g.list);
}
END_TEST

/* No database: nothing, an empty directory, a file where the directory should be. */
static const char *const absent_setups[] = {
	"true",
	"mkdir -p var/lib/rpm usr/lib/sysimage/rpm",
	"mkdir -p var/lib && touch var/lib/rpm",
	"mkdir -p var/lib/rpm && touch var/lib/rpm/Name var/lib/rpm/.rpm.lock",
};

START_TEST(test_absent)
{
	char root[PATH_MAX];
	struct got g;

	cu_path(root, sizeof(root), cu_tmp, "absent");
	cu_sh("rm -rf '%s' && mkdir -p '%s' && cd '%s' && %s", root, root, root, absent_setups[_i]);
	read_root("absent", &g);
	ck_assert_msg(g.rc == 0, "rc %d: %s", g.rc, g.err.msg);
	ck_assert_uint_eq(g.list.n, 0);
	ck_assert_str_eq(g.counts.location, "");
	ck_assert_str_eq(g.counts.backend, "");
	ck_assert_uint_eq(g.counts.packages, 0);
}
END_TEST

/* Ways to break rpmdb.sqlite, run in the database directory. */
static const char *const corruptions[] = {
	"head -c 65536 /dev/urandom > rpmdb.sqlite",
	"truncate -s 50000 rpmdb.sqlite",
	": > rpmdb.sqlite",
	/* a valid sqlite file with no Packages table */
	("rm -f rpmdb.sqlite* && python3 -c 'import sqlite3; "
	 "c = sqlite3.connect(\"rpmdb.sqlite\"); c.execute(\"create table t (x)\"); c.commit()'"),
};

/* Runs rpmdb_read() with stderr captured; @return what sqlite or we printed there. */
static void read_root_quiet(const char *name, struct got *g, struct buf *printed)
{
	char path[PATH_MAX], *got;
	int saved, fd;
	size_t len;

	cu_path(path, sizeof(path), cu_tmp, "stderr.txt");
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert(saved >= 0 && fd >= 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	read_root(name, g);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	close(fd);
	got = cu_read(path, &len);
	buf_add(printed, got, len);
	free(got);
}

START_TEST(test_corrupt)
{
	char dir[PATH_MAX];
	struct buf printed;
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	cu_sh("cd '%s' && %s", dir, corruptions[_i]);
	buf_init(&printed, 1 << 20);
	read_root_quiet("r", &g, &printed);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err.code, KERR_CORRUPT);
	ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " (sqlite)") != NULL, "%s",
		g.err.msg);
	/* the words name the location; no private copy exists any more (the old librpm reader) */
	ck_assert_msg(strstr(g.err.msg, "kscan-rpmdb") == NULL, "%s", g.err.msg);
	ck_assert_str_eq(g.counts.location, VARLIB);
	ck_assert_str_eq(buf_str(&printed), "");
	ck_assert(tmp_empty());
	buf_free(&printed);
	pkg_list_free(&g.list);
}
END_TEST

/*
 * Python, run in the database directory: changes made by hand with sqlite. The damage is
 * one letter of the name, inside the immutable region its digest covers (a byte outside
 * it, in the tags rpm adds at install, is not covered: rpm -qa itself reads that header).
 */
static const char py_damage_header[] =
	"import sqlite3, struct\n"
	"c = sqlite3.connect('rpmdb.sqlite')\n"
	"b = bytearray(c.execute('select blob from Packages where hnum = 1').fetchone()[0])\n"
	"il = struct.unpack('>I', b[:4])[0]\n"
	"ents = [struct.unpack('>IIII', b[8 + 16 * i:24 + 16 * i]) for i in range(il)]\n"
	"off = [e[2] for e in ents if e[0] == 1000][0]\n"
	"b[8 + 16 * il + off] ^= 0x20\n"
	"c.execute('update Packages set blob = ? where hnum = 1', (bytes(b),))\n"
	"c.commit()\n";

/* A committed delete left in the WAL: os._exit() skips the checkpoint at close. */
static const char py_wal_delete[] =
	"import os, sqlite3\n"
	"c = sqlite3.connect('rpmdb.sqlite', isolation_level=None)\n"
	"c.execute('pragma wal_autocheckpoint = 0')\n"
	"c.execute(\"delete from Packages where hnum = 2\")\n"
	"os._exit(0)\n";

/* Runs @script with python3 in directory @dir. */
static void python_in(const char *dir, const char *script)
{
	char path[PATH_MAX];

	cu_write_at(cu_tmp, "script.py", script, 0600);
	cu_path(path, sizeof(path), cu_tmp, "script.py");
	cu_sh("cd '%s' && python3 '%s'", dir, path);
}

/* A damaged header (its digest no longer matches) fails the read: it could hide a product. */
START_TEST(test_damaged_header)
{
	char dir[PATH_MAX];
	struct buf printed;
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	python_in(dir, py_damage_header);
	buf_init(&printed, 1 << 20);
	read_root_quiet("r", &g, &printed);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err.code, KERR_CORRUPT);
	ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " (sqlite): ") != NULL, "%s",
		g.err.msg);
	ck_assert_str_eq(buf_str(&printed), "");
	ck_assert(tmp_empty());
	buf_free(&printed);
	pkg_list_free(&g.list);
}
END_TEST

/* A transaction cut short in rollback mode: the hot journal is left non-empty. */
static const char py_hot_journal[] =
	"import os, sqlite3\n"
	"c = sqlite3.connect('rpmdb.sqlite', isolation_level=None)\n"
	"c.execute('pragma journal_mode = delete')\n"
	"c.execute('pragma cache_size = 1')\n"
	"c.execute('begin')\n"
	"c.execute(\"delete from Packages where hnum = 2\")\n"
	"os._exit(0)\n";

/*
 * Transactions committed to the WAL but not checkpointed, or a hot journal: the database
 * file alone is not the installed state, and the immutable read cannot replay them without
 * writing. The read fails with the reason (the source is failed, the verdict incomplete);
 * the old librpm reader replayed the WAL on a private copy, which the native one never makes.
 */
static const char *const side_scripts[] = { py_wal_delete, py_hot_journal };
static const char *const side_files[] = { "rpmdb.sqlite-wal", "rpmdb.sqlite-journal" };

START_TEST(test_wal_frames)
{
	char dir[PATH_MAX];
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	python_in(dir, side_scripts[_i]);
	cu_sh("test -s '%s/%s'", dir, side_files[_i]);
	read_root("r", &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err.code, KERR_IO);
	ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " (sqlite): ") != NULL, "%s",
		g.err.msg);
	ck_assert_msg(strstr(g.err.msg, side_files[_i]) != NULL, "%s", g.err.msg);
	ck_assert_msg(strstr(g.err.msg, "transaction in progress or cut short") != NULL, "%s",
		g.err.msg);
	ck_assert_uint_eq(g.list.n, 0);
	ck_assert_str_eq(g.counts.location, VARLIB);
	/* and the file is still there: we replayed and checkpointed nothing */
	cu_sh("test -s '%s/%s'", dir, side_files[_i]);
	pkg_list_free(&g.list);
}
END_TEST

/*
 * Holds a lock on .rpm.lock as rpm does (rpmlock.c: fcntl, exclusive for a transaction,
 * shared to read) until killed; "locked" appears once it holds it.
 */
static const char py_lock[] =
	"import fcntl, os, sys, time\n"
	"f = open('.rpm.lock', 'r+')\n"
	"fcntl.lockf(f, fcntl.LOCK_EX if sys.argv[1] == 'ex' else fcntl.LOCK_SH)\n"
	"open('../../../../locked', 'w').close()\n"
	"time.sleep(60)\n";

/* rpm running a transaction (a writer's lock) fails the read; a reader's lock does not. */
START_TEST(test_locked)
{
	char dir[PATH_MAX], script[PATH_MAX];
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	cu_write_at(cu_tmp, "lock.py", py_lock, 0600);
	cu_path(script, sizeof(script), cu_tmp, "lock.py");
	cu_sh("rm -f '%s/locked' && cd '%s' && (python3 '%s' %s >/dev/null 2>&1 & echo $! > "
	   "'%s/lock.pid') && for i in $(seq 100); do test -e '%s/locked' && break; "
	   "sleep 0.1; done && test -e '%s/locked'", cu_tmp, dir, script, _i == 0 ? "ex" : "sh",
		cu_tmp, cu_tmp, cu_tmp);
	read_root("r", &g);
	cu_sh("kill $(cat '%s/lock.pid')", cu_tmp);
	if (_i == 0) {
		ck_assert_int_eq(g.rc, -1);
		ck_assert_int_eq(g.err.code, KERR_IO);
		ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " is locked by process ") !=
				NULL, "%s", g.err.msg);
		ck_assert_uint_eq(g.list.n, 0);
	} else {
		assert_foo_bar(&g, VARLIB);
	}
	pkg_list_free(&g.list);
}
END_TEST

/* A snapshot of a whole tree: each entry's path, type, size, times and SHA-256. */
static struct buf snap;
static const char *snap_base;

static void snap_sha256(const char *path, char hex[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t len;
	char *data = cu_read(path, &len);

	ck_assert_int_eq(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL), 1);
	ck_assert_uint_eq(mdlen, 32);
	xstd_hex(md, 32, hex);
	free(data);
}

static int snap_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char hex[65] = "-";

	(void)type;
	(void)ftw;
	if (S_ISREG(st->st_mode)) {
		snap_sha256(path, hex);
	}
	buf_addf(&snap, "%s mode=%o size=%jd mtime=%jd.%09ld ctime=%jd.%09ld sha256=%s\n",
		path + strlen(snap_base), (unsigned)st->st_mode, (intmax_t)st->st_size,
		(intmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec,
		st->st_ctim.tv_nsec, hex);
	return 0;
}

static char *snapshot(const char *root)
{
	char *s;

	buf_init(&snap, 1 << 20);
	snap_base = root;
	ck_assert_int_eq(nftw(root, snap_entry, 16, FTW_PHYS), 0);
	ck_assert_int_eq(buf_error(&snap), 0);
	s = buf_take(&snap, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* States of the database directory the read-only proof runs on. */
static const char *const ro_states[] = {
	/* as rpm leaves it: .rpm.lock, rpmdb.sqlite-shm and an empty -wal */
	"test -e .rpm.lock && test -e rpmdb.sqlite-shm && test -e rpmdb.sqlite-wal",
	"rm .rpm.lock rpmdb.sqlite-shm rpmdb.sqlite-wal",
	"rm .rpm.lock rpmdb.sqlite-shm",
	"rm rpmdb.sqlite-wal",
	/* uncheckpointed frames in the WAL: refused (test_wal_frames), still nothing written */
	"python3 ../../../../script.py",
};

START_TEST(test_read_only)
{
	char root[PATH_MAX], dir[PATH_MAX];
	char *before, *after;
	struct got g;
	int i;

	make_root("r", VARLIB, "foo bar");
	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	if (_i == 4) {
		python_in(dir, py_wal_delete);
	} else {
		cu_sh("cd '%s' && %s", dir, ro_states[_i]);
	}
	before = snapshot(root);
	/* timestamps have a resolution: give a write the chance to show */
	usleep(20000);
	for (i = 0; i < 2; i++) {
		read_root("r", &g);
		ck_assert_msg(g.rc == (_i == 4 ? -1 : 1), "%s", g.err.msg);
		ck_assert_uint_eq(g.list.n, (_i == 4 ? 0 : 2));
		pkg_list_free(&g.list);
	}
	after = snapshot(root);
	ck_assert_str_eq(after, before);
	ck_assert(tmp_empty());
	free(before);
	free(after);
}
END_TEST

/* A database directory that is a symlink out of the root reads nothing from outside. */
static const char *const outside_links[] = {
	"ln -s '%s/outside/var/lib/rpm' var/lib/rpm",
	"ln -s ../../../outside/var/lib/rpm var/lib/rpm",
	"ln -s ../../../../../outside/var/lib/rpm usr/lib/sysimage/rpm",
};

START_TEST(test_outside_symlink)
{
	char root[PATH_MAX];
	struct got g;

	make_root("outside", VARLIB, "foo bar");
	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_sh("rm -rf '%s' && mkdir -p '%s/var/lib' '%s/usr/lib/sysimage'", root, root, root);
	cu_sh("cd '%s' && %s", root, outside_links[_i]);
	/* the link text of the first case names the scratch directory */
	if (_i == 0) {
		cu_sh("cd '%s' && rm var/lib/rpm && ln -s '%s/outside/var/lib/rpm' var/lib/rpm",
			root, cu_tmp);
	}
	read_root("r", &g);
	ck_assert_msg(g.rc == 0, "rc %d: %s", g.rc, g.err.msg);
	ck_assert_uint_eq(g.list.n, 0);
	ck_assert_str_eq(g.counts.location, "");
}
END_TEST

/* Database files that are not regular files are refused, not followed or opened. */
static const char *const bad_files[] = {
	"rm rpmdb.sqlite && ln -s \"$OUT\"/rpmdb.sqlite rpmdb.sqlite",
	"rm rpmdb.sqlite-wal && ln -s /etc/passwd rpmdb.sqlite-wal",
	"rm rpmdb.sqlite && mkfifo rpmdb.sqlite",
	"rm rpmdb.sqlite-wal && mkfifo rpmdb.sqlite-wal",
};

START_TEST(test_refused_files)
{
	char dir[PATH_MAX], out[PATH_MAX];
	struct got g;

	make_root("outside", VARLIB, "foo bar");
	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	cu_path(out, sizeof(out), cu_tmp, "outside" VARLIB);
	cu_sh("cd '%s' && OUT='%s' && %s", dir, out, bad_files[_i]);
	read_root("r", &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err.code, KERR_CORRUPT);
	/* the database itself (cases 0, 2) or its -wal (1, 3), which the sqlite backend checks */
	ck_assert_msg(strstr(g.err.msg, _i % 2 == 0 ? "rpm database " VARLIB "/rpmdb.sqlite" :
				"rpm database " VARLIB " (sqlite): rpmdb.sqlite-wal") != NULL, "%s",
		g.err.msg);
	ck_assert_msg(strstr(g.err.msg, ": refused") != NULL, "%s", g.err.msg);
	ck_assert_uint_eq(g.list.n, 0);
	ck_assert_str_eq(g.counts.location, VARLIB);
	ck_assert(tmp_empty());
}
END_TEST

/* ndb: random bytes in Packages.db are corrupt to the native reader. */
START_TEST(test_ndb)
{
	char root[PATH_MAX];
	struct got g;

	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_sh("rm -rf '%s' && mkdir -p '%s" VARLIB "' && head -c 8192 /dev/urandom > '%s" VARLIB
	   "/Packages.db'", root, root, root);
	read_root("r", &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_str_eq(g.counts.backend, "ndb");
	ck_assert_str_eq(g.counts.location, VARLIB);
	ck_assert_int_eq(g.err.code, KERR_CORRUPT);
	ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " (ndb): ") != NULL, "%s",
		g.err.msg);
	ck_assert(tmp_empty());
}
END_TEST

/*
 * Writes a Berkeley DB hash "Packages" file, the format of rpm before 4.16 (RHEL 7 and 8,
 * SLES 12), from the headers of an sqlite rpmdb: rpm here cannot write one any more. One
 * bucket page holds the keys (header numbers) and each header lies in a chain of overflow
 * pages: the layout librpm's bdb_ro reads.
 */
static const char py_bdb[] =
	"import sqlite3, struct, sys\n"
	"rows = sqlite3.connect('file:rpmdb.sqlite?immutable=1', uri=True).execute(\n"
	"    'select hnum, blob from Packages order by hnum').fetchall()\n"
	"PS = 4096\n"
	"def hdr(pgno, typ, nxt, n, hf):\n"
	"    return struct.pack('<QIIIHHBB', 0, pgno, 0, nxt, n, hf, 0, typ)\n"
	"pages, items = [b'', b''], []\n"
	"for hnum, blob in rows:\n"
	"    first = len(pages)\n"
	"    chunks = [blob[i:i + PS - 26] for i in range(0, len(blob), PS - 26)]\n"
	"    for j, c in enumerate(chunks):\n"
	"        nxt = first + j + 1 if j + 1 < len(chunks) else 0\n"
	"        pages.append((hdr(first + j, 7, nxt, 0, len(c)) + c).ljust(PS, b'\\0'))\n"
	"    items.append((b'\\x01' + struct.pack('<I', hnum),\n"
	"                  struct.pack('<B3xII', 3, first, len(blob))))\n"
	"page, off, inp = bytearray(PS), PS, []\n"
	"for k, v in items:\n"
	"    off -= len(k); page[off:off + len(k)] = k; inp.append(off)\n"
	"    off -= len(v); page[off:off + len(v)] = v; inp.append(off)\n"
	"assert 26 + 2 * len(inp) <= off\n"
	"page[0:26] = hdr(1, 13, 0, len(inp), off)\n"
	"for i, o in enumerate(inp):\n"
	"    struct.pack_into('<H', page, 26 + 2 * i, o)\n"
	"pages[1] = bytes(page)\n"
	"meta = bytearray(PS)\n"
	"struct.pack_into('<QIIII', meta, 0, 0, 0, 0x00061561, 9, PS)\n"
	"struct.pack_into('<I', meta, 32, len(pages) - 1)\n"
	"struct.pack_into('<I', meta, 96, 1)\n"
	"pages[0] = bytes(meta)\n"
	"open('Packages', 'wb').write(b''.join(pages))\n";

START_TEST(test_bdb)
{
	char dir[PATH_MAX];
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	python_in(dir, py_bdb);
	cu_sh("cd '%s' && rm -f rpmdb.sqlite rpmdb.sqlite-shm rpmdb.sqlite-wal", dir);
	read_root("r", &g);
	ck_assert_msg(g.rc == 1, "%s", g.err.msg);
	ck_assert_str_eq(g.counts.backend, "bdb");
	ck_assert_uint_eq(g.list.n, 2);
	assert_pkg(&g.list.v[0], "bar", "2:3.1-4.el9", VARLIB);
	assert_pkg(&g.list.v[1], "foo", "1.0-1", VARLIB);
	assert_same_as_rpm(&g, "r", VARLIB);
	ck_assert(tmp_empty());
	pkg_list_free(&g.list);
}
END_TEST

/* A Packages file that is not Berkeley DB, or a bdb file cut short. */
static const char *const bdb_corruptions[] = {
	"head -c 8192 /dev/urandom > Packages",
	"truncate -s 6000 Packages",
};

START_TEST(test_bdb_corrupt)
{
	char dir[PATH_MAX];
	struct buf printed;
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	python_in(dir, py_bdb);
	cu_sh("cd '%s' && rm -f rpmdb.sqlite* && %s", dir, bdb_corruptions[_i]);
	buf_init(&printed, 1 << 20);
	read_root_quiet("r", &g, &printed);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err.code, KERR_CORRUPT);
	ck_assert_msg(strstr(g.err.msg, "rpm database " VARLIB " (bdb): ") != NULL, "%s",
		g.err.msg);
	ck_assert_str_eq(buf_str(&printed), "");
	buf_free(&printed);
	pkg_list_free(&g.list);
}
END_TEST

/* Two distinct databases (an image bootstrapped with another %_dbpath): both are read. */
START_TEST(test_two_databases)
{
	char root[PATH_MAX];
	struct got g;

	make_root("r", SYSIMAGE, "foo");
	cu_path(root, sizeof(root), cu_tmp, "r");
	cu_sh("mkdir -p '%s" VARLIB "' && rpm --root '%s' --dbpath " VARLIB " --initdb",
		root, root);
	cu_sh("rpm --root '%s' --dbpath " VARLIB " -i --nodeps '%s/rpms/bar.rpm' 2>/dev/null", root,
		cu_tmp);
	read_root("r", &g);
	ck_assert_msg(g.rc == 1, "%s", g.err.msg);
	ck_assert_str_eq(g.counts.location, SYSIMAGE ":" VARLIB);
	ck_assert_str_eq(g.counts.backend, "sqlite:sqlite");
	ck_assert_uint_eq(g.counts.packages, 2);
	ck_assert_uint_eq(g.list.n, 2);
	assert_pkg(&g.list.v[0], "bar", "2:3.1-4.el9", VARLIB);
	assert_pkg(&g.list.v[1], "foo", "1.0-1", SYSIMAGE);
	pkg_list_free(&g.list);
}
END_TEST

/* A stale Packages beside rpmdb.sqlite (an old conversion): sqlite wins, as in librpm. */
START_TEST(test_prefers_sqlite)
{
	char dir[PATH_MAX];
	struct got g;

	make_root("r", VARLIB, "foo bar");
	cu_path(dir, sizeof(dir), cu_tmp, "r" VARLIB);
	cu_sh("head -c 8192 /dev/urandom > '%s/Packages'", dir);
	read_root("r", &g);
	assert_foo_bar(&g, VARLIB);
	pkg_list_free(&g.list);
}
END_TEST

static Suite *rpmdb_suite(void)
{
	Suite *s = suite_create("rpmdb");
	TCase *tc = tcase_create("librpm");

	tcase_add_unchecked_fixture(tc, setup_rpms, cu_tmp_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_read_locations, 0, (int)XSTD_COUNTOF(db_dirs));
	tcase_add_test(tc, test_fedora_symlink);
	tcase_add_loop_test(tc, test_same_as_rpm_qa, 0, (int)XSTD_COUNTOF(db_dirs));
	tcase_add_test(tc, test_gpg_pubkey);
	tcase_add_loop_test(tc, test_absent, 0, (int)XSTD_COUNTOF(absent_setups));
	tcase_add_loop_test(tc, test_corrupt, 0, (int)XSTD_COUNTOF(corruptions));
	tcase_add_test(tc, test_damaged_header);
	tcase_add_loop_test(tc, test_wal_frames, 0, (int)XSTD_COUNTOF(side_scripts));
	tcase_add_loop_test(tc, test_locked, 0, 2);
	tcase_add_loop_test(tc, test_read_only, 0, (int)XSTD_COUNTOF(ro_states));
	tcase_add_loop_test(tc, test_outside_symlink, 0, (int)XSTD_COUNTOF(outside_links));
	tcase_add_loop_test(tc, test_refused_files, 0, (int)XSTD_COUNTOF(bad_files));
	tcase_add_test(tc, test_ndb);
	tcase_add_test(tc, test_bdb);
	tcase_add_loop_test(tc, test_bdb_corrupt, 0, (int)XSTD_COUNTOF(bdb_corruptions));
	tcase_add_test(tc, test_two_databases);
	tcase_add_test(tc, test_prefers_sqlite);
	suite_add_tcase(s, tc);
	return s;
}

/* rpm, rpmbuild and python3 build the fixtures. */
static bool have_tools(void)
{
	return cu_sh_status("command -v rpm >/dev/null && command -v rpmbuild >/dev/null && "
		  "command -v python3 >/dev/null") == 0;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!have_tools()) {
		fprintf(stderr, "rpm, rpmbuild or python3 missing: skipped\n");
		return 77;
	}
	sr = srunner_create(rpmdb_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
