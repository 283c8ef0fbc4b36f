/*
 * Unit tests for scanner/sockets: /proc/net lines (IPv4 and IPv6, TCP LISTEN, bound and
 * connected UDP, malformed ones), the tables read from a tree laid out like /proc, the
 * descriptors of a process, and a real UDP socket found in the real /proc.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/probes/sockets.h"
#include "base/xstd.h"
#include "check_util.h"

#define TCP_HDR "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" \
	"   uid  timeout inode"
#define TCP_LISTEN_631 "   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 " \
	"00000000     0        0 17251 1 0000000000000000 100 0 0 10 0"
#define TCP_ESTAB "   1: 0100007F:A1B2 0100007F:0277 01 00000000:00000000 02:000A7D2B " \
	"00000000  1000        0 88001 2 0000000000000000 20 4 30 10 -1"
#define UDP_BOUND_15000 "  123: 00000000:3A98 00000000:0000 07 00000000:00000000 " \
	"00:00000000 00000000   998        0 4242 2 0000000000000000 0"
#define UDP_CONNECTED "  124: 0F02000A:8F1A 08080808:0035 01 00000000:00000000 " \
	"00:00000000 00000000     0        0 4243 2 0000000000000000 0"
#define TCP6_LISTEN_ANY "   0: 00000000000000000000000000000000:3A98 " \
	"00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000" \
	"     0        0 5151 1 0000000000000000 100 0 0 10 0"
#define TCP6_LISTEN_LO "   1: 00000000000000000000000001000000:1F90 " \
	"00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000" \
	"     0        0 5152 1 0000000000000000 100 0 0 10 0"

START_TEST(test_parse_v4)
{
	struct sockets_entry e;
	char addr[46];

	ck_assert_int_eq(sockets_parse_line(TCP_HDR, strlen(TCP_HDR), false, false, &e), 0);
	ck_assert_int_eq(sockets_parse_line(TCP_LISTEN_631, strlen(TCP_LISTEN_631), false, false,
		&e), 1);
	ck_assert_uint_eq(e.port, 631);
	ck_assert_uint_eq(e.state, 0x0a);
	ck_assert_uint_eq(e.inode, 17251);
	ck_assert_uint_eq(e.uid, 0);
	ck_assert(sockets_listening(&e));
	sockets_addr_str(&e, addr);
	ck_assert_str_eq(addr, "127.0.0.1");
	ck_assert_int_eq(sockets_parse_line(TCP_ESTAB, strlen(TCP_ESTAB), false, false, &e), 1);
	ck_assert_uint_eq(e.port, 0xa1b2);
	ck_assert_uint_eq(e.rem_port, 631);
	ck_assert_uint_eq(e.uid, 1000);
	ck_assert(!sockets_listening(&e));
	ck_assert_int_eq(sockets_parse_line(UDP_BOUND_15000, strlen(UDP_BOUND_15000), true, false,
		&e), 1);
	ck_assert_uint_eq(e.port, 15000);
	ck_assert(e.udp);
	ck_assert(sockets_listening(&e));
	ck_assert_uint_eq(e.uid, 998);
	sockets_addr_str(&e, addr);
	ck_assert_str_eq(addr, "0.0.0.0");
	ck_assert_int_eq(sockets_parse_line(UDP_CONNECTED, strlen(UDP_CONNECTED), true, false,
		&e), 1);
	ck_assert(!sockets_listening(&e));
	sockets_addr_str(&e, addr);
	ck_assert_str_eq(addr, "10.0.2.15");
}
END_TEST

START_TEST(test_parse_v6)
{
	struct sockets_entry e;
	char addr[46];

	ck_assert_int_eq(sockets_parse_line(TCP6_LISTEN_ANY, strlen(TCP6_LISTEN_ANY), false, true,
		&e), 1);
	ck_assert_uint_eq(e.port, 15000);
	ck_assert(e.v6);
	ck_assert(sockets_listening(&e));
	sockets_addr_str(&e, addr);
	ck_assert_str_eq(addr, "::");
	ck_assert_int_eq(sockets_parse_line(TCP6_LISTEN_LO, strlen(TCP6_LISTEN_LO), false, true,
		&e), 1);
	ck_assert_uint_eq(e.port, 8080);
	sockets_addr_str(&e, addr);
	ck_assert_str_eq(addr, "::1");
	/* an IPv4 line is not an IPv6 one */
	ck_assert_int_eq(sockets_parse_line(TCP_LISTEN_631, strlen(TCP_LISTEN_631), false, true,
		&e), -1);
}
END_TEST

static const char *const bad_lines[] = {
	"",
	"   0:",
	"   0: 0100007F:0277 00000000:0000 0A",
	"   0 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   x: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 0100007F0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 0100007G:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 0100007F:277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 0100007F:0277 00000000:0000 A 00000000:00000000 00:00000000 00000000 0 0 1",
	"   0: 0100007F:0277 00000000:0000 0A 0000000000000000 00:00000000 00000000 0 0 1",
	"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 1",
	"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1x",
	"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 -1",
	"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "
	"4294967296 0 1",
};

START_TEST(test_parse_bad)
{
	struct sockets_entry e;

	errno = 0;
	ck_assert_msg(sockets_parse_line(bad_lines[_i], strlen(bad_lines[_i]), false, false, &e) ==
		-1, "accepted: %s", bad_lines[_i]);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static bool want_15000(void *ctx, bool udp, uint16_t port)
{
	(void)ctx;
	return port == 15000 && udp;
}

static int open_dir(void)
{
	int fd = open(cu_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_read_tables)
{
	struct sockets_list l = {NULL, 0, 0};
	struct sockets_counts c;
	struct kerr e;
	int fd;

	/* no IPv6 tables: this kernel has no IPv6, which is not a problem */
	cu_sh("mkdir '%s/net' && printf '%%s\\n' '" TCP_HDR "' '" TCP_LISTEN_631 "' "
		"'" TCP_ESTAB "' > '%s/net/tcp' && printf '%%s\\n' '" TCP_HDR "' "
		"'" UDP_BOUND_15000 "' '"
		UDP_CONNECTED "' > '%s/net/udp'", cu_tmp, cu_tmp, cu_tmp);
	fd = open_dir();
	kerr_clear(&e);
	ck_assert_int_eq(sockets_read(fd, want_15000, NULL, &l, &c, &e), 0);
	ck_assert_uint_eq(c.tables, 2);
	ck_assert_uint_eq(c.listening, 2);
	ck_assert_uint_eq(c.kept, 1);
	ck_assert_uint_eq(c.errors, 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].inode, 4242);
	ck_assert_uint_eq(l.v[0].port, 15000);
	sockets_list_free(&l);
	/* a line that cannot be parsed is an error: a socket may hide behind it */
	cu_sh("printf '%%s\\n' 'garbage' >> '%s/net/udp'", cu_tmp);
	kerr_clear(&e);
	ck_assert_int_eq(sockets_read(fd, want_15000, NULL, &l, &c, &e), 0);
	ck_assert_uint_eq(c.errors, 1);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(e.msg, "/proc/net/udp:4: Invalid argument");
	sockets_list_free(&l);
	close(fd);
}
END_TEST

START_TEST(test_pid_inodes)
{
	uint64_t *inodes;
	size_t n;
	int fd;

	cu_sh("mkdir -p '%s/42/fd' && ln -s 'socket:[4242]' '%s/42/fd/3' && ln -s /dev/null "
		"'%s/42/fd/4' && ln -s 'socket:[17]' '%s/42/fd/5' && "
		"ln -s 'pipe:[99]' '%s/42/fd/6' "
		"&& ln -s 'socket:[x]' '%s/42/fd/7'",
		cu_tmp, cu_tmp, cu_tmp, cu_tmp, cu_tmp, cu_tmp);
	fd = open_dir();
	ck_assert_int_eq(sockets_pid_inodes(fd, 42, &inodes, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(inodes[0], 17);
	ck_assert_uint_eq(inodes[1], 4242);
	free(inodes);
	errno = 0;
	ck_assert_int_eq(sockets_pid_inodes(fd, 43, &inodes, &n), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(inodes);
	close(fd);
}
END_TEST

struct want_port {
	uint16_t port;
};

static bool want_port(void *ctx, bool udp, uint16_t port)
{
	const struct want_port *w = ctx;

	return udp && port == w->port;
}

/* A real bound UDP socket of this process, found through the real /proc. */
START_TEST(test_live_udp)
{
	struct sockets_list l = {NULL, 0, 0};
	struct sockets_counts c;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct want_port w;
	struct stat st;
	uint64_t *inodes;
	struct kerr e;
	size_t n, i;
	bool held = false;
	int s, fd;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	ck_assert_int_eq(fstat(s, &st), 0);
	w.port = ntohs(a.sin_port);
	fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	kerr_clear(&e);
	ck_assert_int_eq(sockets_read(fd, want_port, &w, &l, &c, &e), 0);
	ck_assert_uint_eq(c.errors, 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].inode, (uint64_t)st.st_ino);
	ck_assert_uint_eq(l.v[0].port, w.port);
	ck_assert_int_eq(sockets_pid_inodes(fd, (uint32_t)getpid(), &inodes, &n), 0);
	for (i = 0; i < n; i++) {
		held = held || inodes[i] == (uint64_t)st.st_ino;
	}
	ck_assert(held);
	free(inodes);
	sockets_list_free(&l);
	close(fd);
	close(s);
}
END_TEST

static Suite *sockets_suite(void)
{
	Suite *s = suite_create("sockets");
	TCase *parse = tcase_create("parse");
	TCase *files = tcase_create("files");
	TCase *live = tcase_create("live");

	tcase_add_test(parse, test_parse_v4);
	tcase_add_test(parse, test_parse_v6);
	tcase_add_loop_test(parse, test_parse_bad, 0, (int)XSTD_COUNTOF(bad_lines));
	suite_add_tcase(s, parse);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_read_tables);
	tcase_add_test(files, test_pid_inodes);
	suite_add_tcase(s, files);
	tcase_add_test(live, test_live_udp);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sockets_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
