/*
 * Shared scaffolding for the Check unit tests: scratch directories, fixture files, shell
 * one-liners, reading files back, opening a root. Every helper asserts with ck_assert, so a
 * failed set-up step fails the test where it happened instead of returning an error the
 * test would have to check.
 *
 * Fixture pattern (one scratch directory per test, removed afterwards):
 *	tcase_add_checked_fixture(tc, cu_tmp_setup, cu_tmp_teardown);
 *	... cu_sh("mkdir -p '%s/etc'", cu_tmp); cu_write_at(cu_tmp, "etc/x", "text", 0644);
 */
#ifndef KSCAN_CHECK_UTIL_H
#define KSCAN_CHECK_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/kerr.h"

struct rootfs;
struct sig_set;

/* Scratch directory of the running test, set by cu_tmp_setup (empty outside it). */
extern char cu_tmp[PATH_MAX];

/* Fixture pair: makes cu_tmp ($TMPDIR or /tmp, named after the test program); removes it. */
void cu_tmp_setup(void);
void cu_tmp_teardown(void);

/* A further scratch directory "<$TMPDIR or /tmp>/kscan-<tag>.XXXXXX" into @out. */
void cu_mkdtemp(char *out, size_t size, const char *tag);
/* Removes @dir and everything below it without following symlinks, however deep and whatever
 * the modes; a missing @dir is fine, one left behind fails the test. */
void cu_rmtree(const char *dir);

/* snprintf that fails the test when the result does not fit. */
void cu_fmt(char *out, size_t size, const char *fmt, ...) KS_PRINTF(3, 4);
/* "@dir/@rel" into @out. */
void cu_path(char *out, size_t size, const char *dir, const char *rel);

/* Runs a shell command (fixture building only) and asserts it exits 0. */
void cu_sh(const char *fmt, ...) KS_PRINTF(1, 2);
/* Runs a shell command; its exit status, or -1 when it did not exit normally (or did not
 * fit). Asserts nothing, so main() may use it to probe for a tool. */
int cu_sh_status(const char *fmt, ...) KS_PRINTF(1, 2);

/* mkdir -p @path (each missing component with @mode). */
void cu_mkdirs(const char *path, mode_t mode);
/* Creates or truncates @path (parents made 0755) with @len bytes of @data, then sets @mode
 * exactly (umask aside). An existing symlink at @path is refused, not followed. */
void cu_write(const char *path, const void *data, size_t len, mode_t mode);
/* cu_write of the string @text to "@dir/@rel". */
void cu_write_at(const char *dir, const char *rel, const char *text, mode_t mode);
/* The whole file, NUL-terminated, length in @len if not NULL; the caller frees. */
char *cu_read(const char *path, size_t *len);

/* The lines of @s sorted, each ending in '\n', so readdir() order does not matter. Frees
 * nothing; the caller frees the result. */
char *cu_sorted_lines(const char *s);

/* rootfs_open(@dir) that fails the test with the kerr message on error. */
struct rootfs *cu_open_root(const char *dir);

/* A finished signature set of the one pack @yaml; a rejected pack fails the test. */
struct sig_set *cu_load_pack(const char *yaml);

/*
 * Checks an "invalid collector URL \"U\": REASON" message against the one expected, REASON
 * aside: it is libcurl's wording (curl_url_strerror() from 7.80, kscan's own before), and
 * each curl release words it its own way. Any other message must be equal.
 */
void cu_assert_url_msg(const char *have, const char *want);

#endif
