/* Unit tests for scanner/log: levels, the stderr form, escaping of control bytes, parsing. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

/* Runs @fn with stderr sent to a temporary file; @return what it wrote (static). */
static const char *capture(void (*fn)(void))
{
	static char out[8192];
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fileno(tmp), STDERR_FILENO), STDERR_FILENO);
	fn();
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void emit_all_levels(void)
{
	log_msg(LOG_LEVEL_ERROR, "e%d", 1);
	log_msg(LOG_LEVEL_WARNING, "w%d", 2);
	log_msg(LOG_LEVEL_NOTICE, "n%d", 3);
	log_msg(LOG_LEVEL_INFO, "i%d", 4);
	log_msg(LOG_LEVEL_DEBUG, "d%d", 5);
}

START_TEST(test_default_threshold)
{
	log_reset();
	ck_assert_str_eq(capture(emit_all_levels), "kscan: e1\nkscan: warning: w2\n");
}
END_TEST

START_TEST(test_quiet_and_verbose)
{
	log_setup(LOG_SINK_STDERR, LOG_LEVEL_ERROR);
	ck_assert_str_eq(capture(emit_all_levels), "kscan: e1\n");
	log_setup(LOG_SINK_STDERR, LOG_LEVEL_INFO);
	ck_assert_str_eq(capture(emit_all_levels),
		"kscan: e1\nkscan: warning: w2\nkscan: n3\nkscan: i4\n");
	log_setup(LOG_SINK_STDERR, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(log_enabled(LOG_LEVEL_DEBUG), 1);
	log_reset();
	ck_assert_int_eq(log_enabled(LOG_LEVEL_NOTICE), 0);
	ck_assert_int_eq(log_enabled(LOG_LEVEL_WARNING), 1);
}
END_TEST

static void emit_hostile(void)
{
	/* a file name chosen by an attacker must not start a forged second line */
	log_msg(LOG_LEVEL_ERROR, "%s", "/opt/a\nkscan: clean\x7f\x1b[0m");
}

START_TEST(test_escape)
{
	log_reset();
	ck_assert_str_eq(capture(emit_hostile),
		"kscan: /opt/a\\x0akscan: clean\\x7f\\x1b[0m\n");
}
END_TEST

static void emit_long(void)
{
	char *big = malloc(20000);

	ck_assert_ptr_nonnull(big);
	memset(big, '\n', 19999);
	big[19999] = '\0';
	log_msg(LOG_LEVEL_ERROR, "%s", big);
	free(big);
}

START_TEST(test_long_is_cut)
{
	const char *out;
	size_t n;

	log_reset();
	out = capture(emit_long);
	n = strlen(out);
	/* "kscan: " + whole \x0a escapes within KS_LOG_MSG_MAX - 1 + "\n": never half an escape */
	ck_assert_uint_eq((n - 8) % 4, 0);
	ck_assert_uint_le(n - 8, 4095);
	ck_assert_uint_ge(n - 8, 4092);
	ck_assert_int_eq(out[n - 1], '\n');
}
END_TEST

START_TEST(test_errno_kept)
{
	log_reset();
	errno = ENOENT;
	log_msg(LOG_LEVEL_DEBUG, "not shown");
	log_msg(LOG_LEVEL_INFO, "not shown either");
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_sink_parse)
{
	enum log_sink s = LOG_SINK_STDERR;

	ck_assert_int_eq(log_sink_parse("syslog", &s), 0);
	ck_assert_int_eq(s, LOG_SINK_SYSLOG);
	ck_assert_int_eq(log_sink_parse("stderr", &s), 0);
	ck_assert_int_eq(s, LOG_SINK_STDERR);
	errno = 0;
	ck_assert_int_eq(log_sink_parse("journal", &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(log_sink_parse("", &s), -1);
	ck_assert_int_eq(log_sink_parse(NULL, &s), -1);
	ck_assert_int_eq(s, LOG_SINK_STDERR);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_default_threshold);
	tcase_add_test(tc, test_quiet_and_verbose);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_long_is_cut);
	tcase_add_test(tc, test_errno_kept);
	tcase_add_test(tc, test_sink_parse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
