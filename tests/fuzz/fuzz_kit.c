/* Fuzz target: a file read as a kit (magic, .deb control, .rpm header, tar, zip, makeself). */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/xstd.h"
#include "scanner/deep/kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_kit_member(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kit_meta m;
	enum kit_format f = kit_magic(data, size);
	/* kit_read() takes a file: the input as one, in memory */
	int fd = f != KIT_NONE ? memfd_create("fuzz-kit", MFD_CLOEXEC) : -1;

	if (fd < 0) {
		return 0;
	}
	if (xstd_write_all(fd, data, size) == 0 && lseek(fd, 0, SEEK_SET) == 0 &&
	    kit_read(fd, f, &m, fuzz_kit_member, NULL) >= 0) {
		kit_meta_free(&m);
	}
	xstd_close_quietly(fd);
	return 0;
}
