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

#include "base/xstd.h"

/*
 * Landlock's ABI is fixed by the kernel; headers older than Linux 5.13 (Debian 11's, RHEL
 * 8's) lack it, and a binary built there must still use Landlock on a newer kernel.
 */
#if defined(__has_include)
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#define SANDBOX_HAVE_LANDLOCK_H 1
#endif
#endif
#ifndef SANDBOX_HAVE_LANDLOCK_H
struct landlock_ruleset_attr {
	uint64_t handled_access_fs;
};

enum landlock_rule_type {
	LANDLOCK_RULE_PATH_BENEATH = 1,
};

struct landlock_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#endif
/* The system call numbers are the same on every architecture since Linux 5.13. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

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
