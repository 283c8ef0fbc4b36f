/*
 * Runs a libFuzzer target over files without libFuzzer: every file named on the command
 * line, or every file in a named directory. The normal build links each fuzz target with
 * this driver and runs it over the seed corpus and saved crashes as a regression test;
 * -Dfuzzing=true links the same target with clang's libFuzzer instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xstd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small by construction; a bigger one is a mistake in the tree. */
#define DRIVER_FILE_MAX ((size_t)16 << 20)

static int driver_run_file(int dirfd, const char *name)
{
	struct buf b;
	int fd, rc;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		fprintf(stderr, "driver: %s: %s\n", name, strerror(errno));
		return -1;
	}
	buf_init(&b, DRIVER_FILE_MAX);
	rc = xstd_read_fd(fd, DRIVER_FILE_MAX, &b);
	xstd_close_quietly(fd);
	if (rc != 0) {
		fprintf(stderr, "driver: %s: %s\n", name, strerror(errno));
		buf_free(&b);
		return -1;
	}
	(void)LLVMFuzzerTestOneInput((const uint8_t *)buf_str(&b), buf_len(&b));
	buf_free(&b);
	return 0;
}

static int driver_run_dir(const char *path, size_t *count)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0) {
			continue;
		}
		if (driver_run_file(dirfd(d), de->d_name) != 0) {
			rc = -1;
		}
		(*count)++;
	}
	(void)closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc |= driver_run_dir(argv[i], &count);
		} else {
			rc |= driver_run_file(AT_FDCWD, argv[i]);
			count++;
		}
	}
	printf("%zu inputs run\n", count);
	return rc == 0 && count > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
