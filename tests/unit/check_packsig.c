/* Unit tests for scanner/packsig: ownership rules, Ed25519 sign/verify, the gate. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signatures/packsig.h"
#include "check_util.h"

static const char pack[] = "schema: 1\nsignatures: []\n";

static void setup(void)
{
	cu_tmp_setup();
	cu_sh("cd '%s' && umask 077 && mkdir keys"
	   " && openssl genpkey -algorithm ed25519 -out priv.pem"
	   " 2>/dev/null && openssl pkey -in priv.pem -pubout -out keys/k.pem 2>/dev/null"
	   " && chmod 755 keys && chmod 644 keys/k.pem", cu_tmp);
}

START_TEST(owner_rules)
{
	struct stat st;
	struct kerr e;

	memset(&st, 0, sizeof(st));
	st.st_uid = geteuid();
	st.st_mode = S_IFREG | 0644;
	ck_assert_int_eq(packsig_check_owner("p", &st, &e), 0);
	st.st_uid = 0;
	ck_assert_int_eq(packsig_check_owner("p", &st, &e), 0);
	st.st_mode = S_IFREG | 0664;
	ck_assert_int_eq(packsig_check_owner("p", &st, &e), -1);
	ck_assert_str_eq(e.msg, "p: writable by group or others (mode 664): refused");
	st.st_mode = S_IFREG | 0646;
	ck_assert_int_eq(packsig_check_owner("p", &st, &e), -1);
	st.st_mode = S_IFREG | 0644;
	st.st_uid = 12345;
	ck_assert_int_eq(packsig_check_owner("p", &st, &e), geteuid() == 12345 ? 0 : -1);
}
END_TEST

static int gate(
	struct packsig *p, const char *name, const char *data, bool *verified, struct kerr *e)
{
	struct stat st;
	char path[512];

	cu_path(path, sizeof(path), cu_tmp, name);
	ck_assert_int_eq(stat(path, &st), 0);
	kerr_clear(e);
	return packsig_gate(p, path, &st, data, data != NULL ? strlen(data) : 0, verified, e);
}

static void write_sig(const char *name, const unsigned char *sig, size_t n)
{
	char path[512];

	cu_path(path, sizeof(path), cu_tmp, name);
	cu_write(path, sig, n, 0644);
}

START_TEST(sign_then_verify)
{
	unsigned char sig[PACKSIG_LEN];
	struct packsig *p = packsig_new(true);
	char path[512];
	bool verified;
	struct kerr e;

	cu_path(path, sizeof(path), cu_tmp, "keys");
	ck_assert_int_eq(packsig_add_keys_dir(p, path, false, &e), 1);
	cu_path(path, sizeof(path), cu_tmp, "priv.pem");
	ck_assert_int_eq(packsig_sign(path, pack, strlen(pack), sig, &e), 0);
	cu_sh("cd '%s' && printf 'schema: 1\\nsignatures: []\\n' > p.yaml", cu_tmp);
	write_sig("p.yaml.sig", sig, sizeof(sig));
	ck_assert_int_eq(gate(p, "p.yaml", pack, &verified, &e), 0);
	ck_assert(verified);
	/* one changed byte and it no longer verifies */
	ck_assert_int_eq(gate(p, "p.yaml", "schema: 1\nsignatures: [] \n", &verified, &e), -1);
	ck_assert(!verified);
	ck_assert_ptr_nonnull(strstr(e.msg, "does not verify"));
	/* a directory: owner and mode only */
	ck_assert_int_eq(gate(p, "keys", NULL, &verified, &e), 0);
	packsig_free(p);
}
END_TEST

START_TEST(unsigned_policy)
{
	struct packsig *lax = packsig_new(false), *strict = packsig_new(true);
	bool verified = true;
	struct kerr e;

	cu_sh("cd '%s' && printf 'x' > u.yaml", cu_tmp);
	ck_assert_int_eq(gate(lax, "u.yaml", "x", &verified, &e), 0);
	ck_assert(!verified);
	ck_assert_int_eq(gate(strict, "u.yaml", "x", &verified, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "unsigned"));
	packsig_free(lax);
	packsig_free(strict);
}
END_TEST

START_TEST(bad_keys)
{
	struct packsig *p = packsig_new(false);
	unsigned char sig[PACKSIG_LEN];
	char path[512];
	struct kerr e;

	/* an RSA key is not an Ed25519 key */
	cu_sh("cd '%s' && mkdir rsa"
	   " && openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 2>/dev/null"
	   " | openssl pkey -pubout -out rsa/r.pem 2>/dev/null", cu_tmp);
	cu_path(path, sizeof(path), cu_tmp, "rsa");
	ck_assert_int_eq(packsig_add_keys_dir(p, path, false, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an Ed25519 public key"));
	/* a missing directory: an error only when it was asked for */
	cu_path(path, sizeof(path), cu_tmp, "none");
	ck_assert_int_eq(packsig_add_keys_dir(p, path, true, &e), 0);
	ck_assert_int_eq(packsig_add_keys_dir(p, path, false, &e), -1);
	/* a public key cannot sign */
	cu_path(path, sizeof(path), cu_tmp, "keys/k.pem");
	cu_sh("cd '%s' && chmod 600 keys/k.pem", cu_tmp);
	ck_assert_int_eq(packsig_sign(path, "x", 1, sig, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an Ed25519 private key"));
	packsig_free(p);
}
END_TEST

static Suite *packsig_suite(void)
{
	Suite *s = suite_create("packsig");
	TCase *tc = tcase_create("packsig");

	tcase_add_checked_fixture(tc, setup, cu_tmp_teardown);
	tcase_add_test(tc, owner_rules);
	tcase_add_test(tc, sign_then_verify);
	tcase_add_test(tc, unsigned_policy);
	tcase_add_test(tc, bad_keys);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(packsig_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
