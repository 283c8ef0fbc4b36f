/* Unit tests for scanner/lineread: fd and memory input agree, the cap, line numbers. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/lineread.h"
#include "base/xstd.h"

/* ck_assert_msg() records a checkpoint on every call; per-line loops use this instead. */
#define HOT_ASSERT(cond, ...) \
	do { \
		if (!(cond)) { \
			ck_abort_msg(__VA_ARGS__); \
		} \
	} while (0)

/* The reader's fd chunk is 64 KiB: the inputs below put lines on either side of it. */
#define CHUNK ((size_t)64 << 10)

/* Input generation */

/* Appends a line of @n bytes (a pattern; '\n'-free unless asked) and @end. */
static void add_line(struct buf *b, size_t n, const char *end)
{
	size_t i;
	int rc = 0;

	/* one check at the end: ck_assert records a checkpoint per call, too slow per byte */
	for (i = 0; i < n; i++) {
		rc |= buf_addc(b, (char)('!' + (buf_len(b) + i) % 90));
	}
	rc |= buf_adds(b, end);
	ck_assert_int_eq(rc, 0);
}

/* Builds input number @k of the differential test into @b. */
static void make_input(int k, struct buf *b)
{
	size_t i;

	switch (k) {
	case 0:
		break;
	case 1:
		add_line(b, 0, "\n");
		break;
	case 2:
		add_line(b, 1, "");
		break;
	case 3:
		add_line(b, 5, "\n");
		break;
	case 4:
		ck_assert_int_eq(buf_adds(b, "a\r\nb\r\n\r\n\rc\r"), 0);
		break;
	case 5:
		add_line(b, 0, "\n\n\n");
		break;
	case 6:
		ck_assert_int_eq(buf_add(b, "x\0y\n\0\n\0z\0", 10), 0);
		break;
	case 7:
		add_line(b, CHUNK - 1, "\n");
		add_line(b, 3, "");
		break;
	case 8:
		add_line(b, CHUNK, "\n");
		add_line(b, 0, "\n");
		break;
	case 9:
		add_line(b, CHUNK + 1, "\r\n");
		break;
	case 10:
		/* the '\n' lands exactly on the last byte of the first read */
		add_line(b, CHUNK - 2, "\n");
		add_line(b, CHUNK - 1, "\n");
		add_line(b, CHUNK, "");
		break;
	case 11:
		for (i = 0; i < 9; i++) {
			add_line(b, CHUNK - 4 + i, i % 2 ? "\n" : "\r\n");
			add_line(b, i, "\n");
		}
		add_line(b, 2 * CHUNK + 7, "\n");
		add_line(b, 3 * CHUNK, "");
		break;
	case 12:
		/* many short lines: the chunk boundary falls inside some of them */
		for (i = 0; i < 30000; i++) {
			ck_assert_int_ge(buf_addf(b, "line %zu\r\n", i), 0);
			if (i % 7 == 0) {
				ck_assert_int_eq(buf_addc(b, '\n'), 0);
			}
		}
		break;
	case 13:
		/* the last line ends without '\n' exactly at a chunk boundary */
		add_line(b, CHUNK - 1, "\n");
		add_line(b, CHUNK, "");
		break;
	case 14:
		for (i = 0; i < 200; i++) {
			ck_assert_int_eq(buf_add(b, "\0\0\0\n", (i % 5) + 1), 0);
		}
		add_line(b, CHUNK + 100, "\n");
		break;
	default:
		ck_abort_msg("no input %d", k);
	}
}

#define N_INPUTS 15

/* The expected lines: @data split on '\n', a last piece without one counts if not empty. */
struct ref_line {
	size_t start;
	size_t len;
	size_t end; /* offset after the line and its '\n' */
};

static size_t ref_split(const char *data, size_t n, struct ref_line **out)
{
	size_t cap = 16, count = 0, pos = 0;
	struct ref_line *v = malloc(cap * sizeof(*v));

	ck_assert_ptr_nonnull(v);
	while (pos < n) {
		const char *nl = memchr(data + pos, '\n', n - pos);
		size_t len = nl != NULL ? (size_t)(nl - (data + pos)) : n - pos;

		if (count == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			ck_assert_ptr_nonnull(v);
		}
		v[count].start = pos;
		v[count].len = len;
		pos += len + (nl != NULL);
		v[count].end = pos;
		count++;
	}
	*out = v;
	return count;
}

/* Runs @lr to its end and compares every line, number and offset with the reference. */
static void expect_lines(struct lineread *lr, const char *data, size_t n, const char *how)
{
	struct ref_line *ref;
	size_t count = ref_split(data, n, &ref);
	size_t i;

	ck_assert_ptr_nonnull(lr);
	for (i = 0; i < count; i++) {
		const char *line = NULL;
		size_t len = 0;
		int rc = lineread_next(lr, &line, &len);

		HOT_ASSERT(rc == 1, "%s: line %zu: rc %d errno %d", how, i + 1, rc, errno);
		HOT_ASSERT(len == ref[i].len, "%s: line %zu: len %zu want %zu", how, i + 1, len,
			ref[i].len);
		HOT_ASSERT(memcmp(line, data + ref[i].start, len) == 0, "%s: line %zu differs",
			how, i + 1);
		HOT_ASSERT(line[len] == '\0', "%s: line %zu not terminated", how, i + 1);
		HOT_ASSERT(lineread_lineno(lr) == i + 1, "%s: line %zu: lineno %zu", how, i + 1,
			lineread_lineno(lr));
		HOT_ASSERT(lineread_offset(lr) == ref[i].end, "%s: line %zu: offset %zu want %zu",
			how, i + 1, lineread_offset(lr), ref[i].end);
	}
	for (i = 0; i < 2; i++) {
		const char *line;
		size_t len;

		HOT_ASSERT(lineread_next(lr, &line, &len) == 0, "%s: more than %zu lines", how,
			count);
	}
	ck_assert_uint_eq(lineread_lineno(lr), count);
	ck_assert_uint_eq(lineread_offset(lr), n);
	free(ref);
}

static int memfd_with(const void *data, size_t n)
{
	int fd = memfd_create("kscan-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(xstd_write_all(fd, data, n), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/*
 * Forks a writer of @data in pieces of @piece bytes. The count of bytes it got into the
 * pipe goes to *written (shared memory) when not NULL. A @pipe_size other than 0 resizes
 * the pipe first (while it is still empty). @return the read end.
 */
static int pipe_writer(const void *data, size_t n, size_t piece, pid_t *pid,
	volatile size_t *written, int pipe_size)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	if (pipe_size != 0) {
		ck_assert_int_eq(fcntl(fds[1], F_SETPIPE_SZ, pipe_size), pipe_size);
	}
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		const char *p = data;
		size_t off = 0;

		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		while (off < n) {
			size_t k = n - off < piece ? n - off : piece;
			ssize_t w = write(fds[1], p + off, k);

			if (w < 0) {
				_exit(errno == EPIPE ? 0 : 1);
			}
			off += (size_t)w;
			if (written != NULL) {
				*written = off;
			}
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void reap(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer failed");
}

/* fd and memory input give the same lines as the reference, for every input. */
START_TEST(test_same_lines)
{
	struct buf b;
	struct lineread *lr;
	const char *data;
	size_t n;
	char *copy;
	pid_t pid;
	int fd;

	buf_init(&b, (size_t)16 << 20);
	make_input(_i, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	data = buf_str(&b);
	n = buf_len(&b);
	copy = malloc(n + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, data, n);

	lr = lineread_mem(data, n, KS_DPKG_LINE_MAX);
	expect_lines(lr, data, n, "mem");
	lineread_free(lr);
	/* the reader copies; the caller's memory is never written */
	ck_assert_int_eq(memcmp(copy, data, n), 0);

	fd = memfd_with(data, n);
	lr = lineread_fd(fd, KS_DPKG_LINE_MAX);
	expect_lines(lr, data, n, "file");
	lineread_free(lr);
	close(fd);

	/* a pipe fed in odd pieces: reads end at arbitrary places */
	fd = pipe_writer(data, n, 4093, &pid, NULL, 0);
	lr = lineread_fd(fd, KS_DPKG_LINE_MAX);
	expect_lines(lr, data, n, "pipe");
	lineread_free(lr);
	close(fd);
	reap(pid);

	fd = pipe_writer(data, n, 1, &pid, NULL, 0);
	if (n < 300000) {
		lr = lineread_fd(fd, KS_DPKG_LINE_MAX);
		expect_lines(lr, data, n, "pipe, byte by byte");
		lineread_free(lr);
	}
	close(fd);
	reap(pid);
	free(copy);
	buf_free(&b);
}
END_TEST

/* Line numbers and offsets on a small known input. */
START_TEST(test_lineno_offset)
{
	static const char in[] = "ab\ncd\r\n\nlast";
	static const size_t lens[] = { 2, 3, 0, 4 };
	static const size_t offs[] = { 3, 7, 8, 12 };
	struct lineread *lr = lineread_mem(in, sizeof(in) - 1, 100);
	const char *line;
	size_t len, i;

	ck_assert_ptr_nonnull(lr);
	ck_assert_uint_eq(lineread_lineno(lr), 0);
	ck_assert_uint_eq(lineread_offset(lr), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(lineread_next(lr, &line, &len), 1);
		ck_assert_uint_eq(len, lens[i]);
		ck_assert_uint_eq(lineread_lineno(lr), i + 1);
		ck_assert_uint_eq(lineread_offset(lr), offs[i]);
	}
	ck_assert_str_eq(line, "last");
	ck_assert_int_eq(lineread_next(lr, &line, &len), 0);
	ck_assert_uint_eq(lineread_lineno(lr), 4);
	lineread_free(lr);
	lineread_free(NULL);
}
END_TEST

/* Caps around the chunk size: a line of exactly max passes, max+1 fails, in both readers. */
static const size_t caps[] = { 0, 1, 2, 100, CHUNK - 2, CHUNK - 1, CHUNK, CHUNK + 1,
	3 * CHUNK, 3 * CHUNK + 5 };

/* Expects @lr to give a line of @max bytes, then fail with E2BIG. */
static void expect_cap(struct lineread *lr, size_t max, const char *how)
{
	const char *line;
	size_t len = 0;
	int rc;

	ck_assert_ptr_nonnull(lr);
	rc = lineread_next(lr, &line, &len);
	ck_assert_msg(rc == 1 && len == max, "%s max %zu: rc %d len %zu errno %d", how, max, rc,
		len, errno);
	ck_assert_uint_eq(lineread_lineno(lr), 1);
	errno = 0;
	rc = lineread_next(lr, &line, &len);
	ck_assert_msg(rc == -1 && errno == E2BIG, "%s max %zu: long line: rc %d errno %d", how,
		max, rc, errno);
	/* a failed line is not counted */
	ck_assert_uint_eq(lineread_lineno(lr), 1);
	ck_assert_uint_eq(lineread_offset(lr), max + 1);
}

START_TEST(test_cap)
{
	size_t max = caps[_i];
	struct buf b;
	struct lineread *lr;
	pid_t pid;
	int fd;

	/* max bytes + '\n', then max+1 bytes and '\n' */
	buf_init(&b, (size_t)16 << 20);
	add_line(&b, max, "\n");
	add_line(&b, max + 1, "\n");
	add_line(&b, 1, "\n");

	lr = lineread_mem(buf_str(&b), buf_len(&b), max);
	expect_cap(lr, max, "mem");
	lineread_free(lr);

	fd = memfd_with(buf_str(&b), buf_len(&b));
	lr = lineread_fd(fd, max);
	expect_cap(lr, max, "file");
	lineread_free(lr);
	close(fd);

	fd = pipe_writer(buf_str(&b), buf_len(&b), 4096, &pid, NULL, 0);
	lr = lineread_fd(fd, max);
	expect_cap(lr, max, "pipe");
	lineread_free(lr);
	close(fd);
	reap(pid);
	buf_free(&b);
}
END_TEST

/* The last line has no '\n': exactly max is fine, max+1 is not. */
START_TEST(test_cap_last_line)
{
	size_t max = caps[_i];
	struct buf b;
	struct lineread *lr;
	const char *line;
	size_t len;
	int fd, k;

	for (k = 0; k < 2; k++) {
		size_t n = max + (size_t)k;
		int want = k == 0 ? 1 : -1;

		buf_init(&b, (size_t)16 << 20);
		add_line(&b, n, "");
		lr = lineread_mem(buf_str(&b), buf_len(&b), max);
		ck_assert_ptr_nonnull(lr);
		errno = 0;
		ck_assert_int_eq(lineread_next(lr, &line, &len), n == 0 ? 0 : want);
		if (want == -1) {
			ck_assert_int_eq(errno, E2BIG);
		}
		lineread_free(lr);

		fd = memfd_with(buf_str(&b), buf_len(&b));
		lr = lineread_fd(fd, max);
		ck_assert_ptr_nonnull(lr);
		errno = 0;
		ck_assert_int_eq(lineread_next(lr, &line, &len), n == 0 ? 0 : want);
		if (want == -1) {
			ck_assert_int_eq(errno, E2BIG);
		} else if (n > 0) {
			ck_assert_uint_eq(len, n);
			ck_assert_int_eq(memcmp(line, buf_str(&b), n), 0);
		}
		lineread_free(lr);
		close(fd);
		buf_free(&b);
	}
}
END_TEST

/*
 * A 100 MB line from a pipe: the reader must give up after about the cap, not swallow
 * the input. The writer counts what it got into the pipe; the pipe is shrunk to one page
 * so that count is at most a page above what the reader took.
 */
START_TEST(test_huge_line_pipe)
{
	const size_t total = (size_t)100 << 20;
	const size_t max = KS_DPKG_LINE_MAX;
	volatile size_t *written;
	struct lineread *lr;
	const char *line;
	size_t len, got;
	char *data;
	long pipesz;
	pid_t pid;
	int fd;

	written = mmap(NULL, sizeof(*written), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		-1, 0);
	ck_assert(written != MAP_FAILED);
	*written = 0;
	data = malloc(total);
	ck_assert_ptr_nonnull(data);
	memset(data, 'A', total);

	fd = pipe_writer(data, total, CHUNK, &pid, written, 4096);
	pipesz = fcntl(fd, F_GETPIPE_SZ);
	ck_assert_int_eq(pipesz, 4096);
	lr = lineread_fd(fd, max);
	ck_assert_ptr_nonnull(lr);
	errno = 0;
	ck_assert_int_eq(lineread_next(lr, &line, &len), -1);
	ck_assert_int_eq(errno, E2BIG);
	lineread_free(lr);
	close(fd);
	reap(pid);
	got = *written;
	fprintf(stderr, "huge line: cap %zu, writer got %zu bytes into the pipe (pipe %ld)\n",
		max, got, pipesz);
	/* the reader took more than the cap (to know the line is too long)... */
	ck_assert_uint_gt(got, max);
	/* ...and no more than the cap, its NUL slack and what the pipe held on top */
	ck_assert_uint_le(got, max + 2 + (size_t)pipesz + CHUNK);
	munmap((void *)(uintptr_t)written, sizeof(*written));
	free(data);
}
END_TEST

/* The same from a file, where one read() could take it all: the reader stops at the cap. */
START_TEST(test_huge_line_file)
{
	const size_t total = (size_t)100 << 20;
	const size_t max = KS_DPKG_LINE_MAX;
	struct lineread *lr;
	const char *line;
	size_t len;
	off_t pos;
	int fd = memfd_create("kscan-test", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	/* a sparse 100 MB file of NULs costs nothing to make: a NUL is no '\n' */
	ck_assert_int_eq(ftruncate(fd, (off_t)total), 0);
	lr = lineread_fd(fd, max);
	ck_assert_ptr_nonnull(lr);
	errno = 0;
	ck_assert_int_eq(lineread_next(lr, &line, &len), -1);
	ck_assert_int_eq(errno, E2BIG);
	lineread_free(lr);
	pos = lseek(fd, 0, SEEK_CUR);
	fprintf(stderr, "huge line: cap %zu, %jd bytes read from a 100 MB file\n", max,
		(intmax_t)pos);
	ck_assert_int_gt(pos, (off_t)max);
	ck_assert_int_le(pos, (off_t)(max + 2 + CHUNK));
	close(fd);
}
END_TEST

/* Short lines after a failed long one are not reached: the error is not skipped over. */
START_TEST(test_cap_mid_file)
{
	static const char in[] = "ok\n0123456789\nnext\n";
	struct lineread *lr;
	const char *line;
	size_t len;
	int fd = memfd_with(in, sizeof(in) - 1);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		lr = pass == 0 ? lineread_mem(in, sizeof(in) - 1, 5) : lineread_fd(fd, 5);
		ck_assert_ptr_nonnull(lr);
		ck_assert_int_eq(lineread_next(lr, &line, &len), 1);
		ck_assert_str_eq(line, "ok");
		errno = 0;
		ck_assert_int_eq(lineread_next(lr, &line, &len), -1);
		ck_assert_int_eq(errno, E2BIG);
		ck_assert_uint_eq(lineread_lineno(lr), 1);
		ck_assert_uint_eq(lineread_offset(lr), 3);
		lineread_free(lr);
	}
	close(fd);
}
END_TEST

START_TEST(test_read_error)
{
	struct lineread *lr;
	const char *line;
	size_t len;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	lr = lineread_fd(fd, 100);
	ck_assert_ptr_nonnull(lr);
	errno = 0;
	ck_assert_int_eq(lineread_next(lr, &line, &len), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_uint_eq(lineread_lineno(lr), 0);
	lineread_free(lr);
	close(fd);
}
END_TEST

static Suite *lineread_suite(void)
{
	Suite *s = suite_create("lineread");
	TCase *tc;

	tc = tcase_create("lines");
	tcase_add_loop_test(tc, test_same_lines, 0, N_INPUTS);
	tcase_add_test(tc, test_lineno_offset);
	tcase_add_test(tc, test_read_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("cap");
	tcase_add_loop_test(tc, test_cap, 0, (int)XSTD_COUNTOF(caps));
	tcase_add_loop_test(tc, test_cap_last_line, 0, (int)XSTD_COUNTOF(caps));
	tcase_add_test(tc, test_cap_mid_file);
	tcase_add_test(tc, test_huge_line_pipe);
	tcase_add_test(tc, test_huge_line_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lineread_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
