#include "scanner/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "base/xstd.h"

/* Older kernel headers lack the later rights; the values are fixed by the kernel ABI. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Every right that changes the filesystem, as of Landlock ABI 1. */
#define SANDBOX_WRITE_ABI1 \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | \
		LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
		LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The write rights this kernel knows: newer ABIs add renames across dirs and truncation. */
static uint64_t sandbox_write_rights(int abi)
{
	uint64_t r = SANDBOX_WRITE_ABI1;

	if (abi >= 2) {
		r |= LANDLOCK_ACCESS_FS_REFER;
	}
	if (abi >= 3) {
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	}
	return r;
}

static int sandbox_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -1 : (int)abi;
}

static int sandbox_allow(int ruleset, const char *dir, uint64_t rights, struct kerr *err)
{
	struct landlock_path_beneath_attr pb;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "sandbox: writable directory %s", dir);
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = rights;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
		kerr_sys(err, KERR_INTERNAL, errno, "sandbox: landlock rule for %s", dir);
		xstd_close_quietly(fd);
		return -1;
	}
	xstd_close_quietly(fd);
	return 0;
}

static int sandbox_landlock(
	int abi, const char *const *writable, size_t n, const char *rmdir_in, struct kerr *err)
{
	struct landlock_ruleset_attr attr;
	uint64_t rights = sandbox_write_rights(abi);
	size_t i;
	int rs;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = rights;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0) {
		return kerr_sys(err, KERR_INTERNAL, errno, "sandbox: landlock ruleset");
	}
	for (i = 0; i < n; i++) {
		if (sandbox_allow(rs, writable[i], rights, err) != 0) {
			goto close_ruleset;
		}
	}
	if (rmdir_in != NULL &&
		sandbox_allow(rs, rmdir_in, LANDLOCK_ACCESS_FS_REMOVE_DIR, err) != 0) {
		goto close_ruleset;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		kerr_sys(err, KERR_INTERNAL, errno, "sandbox: landlock restrict");
		goto close_ruleset;
	}
	xstd_close_quietly(rs);
	return 0;

close_ruleset:
	xstd_close_quietly(rs);
	return -1;
}

int sandbox_restrict(const char *const *writable, size_t n, const char *rmdir_in,
	struct sandbox_status *st, struct kerr *err)
{
	int abi;

	memset(st, 0, sizeof(*st));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		return kerr_sys(err, KERR_INTERNAL, errno, "sandbox: PR_SET_NO_NEW_PRIVS");
	}
	st->no_new_privs = true;
	abi = sandbox_abi();
	if (abi < 1) {
		(void)snprintf(st->why, sizeof(st->why), "landlock unavailable: %s",
			errno == EOPNOTSUPP ? "disabled at boot" : strerror(errno));
		return 0;
	}
	if (sandbox_landlock(abi, writable, n, rmdir_in, err) != 0) {
		return -1;
	}
	st->landlock_abi = abi;
	return 0;
}

int sandbox_std_fds(void)
{
	int fd;

	/* all three open, the usual case: no /dev/null needed (an empty root has none) */
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			break;
		}
	}
	if (fd > STDERR_FILENO) {
		return 0;
	}
	for (;;) {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			return -1;
		}
		if (fd > STDERR_FILENO) {
			return close(fd);
		}
		/* it landed on 0, 1 or 2: keep it there (and inheritable, like a std fd) */
		if (fcntl(fd, F_SETFD, 0) != 0) {
			return -1;
		}
	}
}
