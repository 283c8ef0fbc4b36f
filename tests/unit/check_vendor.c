/* Unit tests for scanner/match/vendor (the vendor rule: who made a package). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/match/vendor.h"

START_TEST(names_kaspersky)
{
	ck_assert(vendor_is_kaspersky("AO Kaspersky Lab <support@kaspersky.com>"));
	ck_assert(vendor_is_kaspersky("AO Kaspersky Lab"));
	ck_assert(vendor_is_kaspersky("Kaspersky Lab"));
	ck_assert(vendor_is_kaspersky("Kaspersky Lab ZAO"));
	ck_assert(vendor_is_kaspersky("Kaspersky Lab ZAO, Moscow"));
	ck_assert(vendor_is_kaspersky("Kaspersky Lab Ltd."));
	ck_assert(vendor_is_kaspersky("  kaspersky lab<x@y>"));
	ck_assert(vendor_is_kaspersky("Kaspersky (https://www.kaspersky.com)"));
	ck_assert(vendor_is_kaspersky("Kaspersky"));
}
END_TEST

START_TEST(anchored)
{
	/* a description, a person, a word that only starts like the name */
	ck_assert(!vendor_is_kaspersky("ClamAV Team <pkg-clamav-devel@lists.alioth.debian.org>"));
	ck_assert(!vendor_is_kaspersky("Debian Kaspersky Helpers <a@b>"));
	ck_assert(!vendor_is_kaspersky("Signatures compatible with Kaspersky Lab products"));
	ck_assert(!vendor_is_kaspersky("Kasperskyfan <x@y>"));
	ck_assert(!vendor_is_kaspersky("Kaspersky Lab fan club <x@y>"));
	ck_assert(!vendor_is_kaspersky("Kaspersky-tools maintainers <x@y>"));
	ck_assert(!vendor_is_kaspersky(""));
	ck_assert(!vendor_is_kaspersky(NULL));
}
END_TEST

START_TEST(any_vendor_field)
{
	char empty[] = "", kl[] = "Kaspersky Lab", other[] = "Fedora Project";
	struct pkg p;

	memset(&p, 0, sizeof(p));
	p.maintainer = empty;
	p.vendor = other;
	p.packager = empty;
	ck_assert(!vendor_pkg_is_kaspersky(&p));
	p.packager = kl;
	ck_assert(vendor_pkg_is_kaspersky(&p));
	p.packager = empty;
	p.vendor = kl;
	ck_assert(vendor_pkg_is_kaspersky(&p));
	p.vendor = empty;
	p.maintainer = kl;
	ck_assert(vendor_pkg_is_kaspersky(&p));
	/* the summary is not a vendor field */
	p.maintainer = empty;
	p.summary = kl;
	ck_assert(!vendor_pkg_is_kaspersky(&p));
}
END_TEST

static Suite *vendor_suite(void)
{
	Suite *s = suite_create("vendor");
	TCase *tc = tcase_create("rule");

	tcase_add_test(tc, names_kaspersky);
	tcase_add_test(tc, anchored);
	tcase_add_test(tc, any_vendor_field);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vendor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
