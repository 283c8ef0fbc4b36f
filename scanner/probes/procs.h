/** The live host's processes from /proc: name, executable, owner and start time. */
#ifndef KSCAN_PROCS_H
#define KSCAN_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"

/*
 * Only the live host has processes: a mounted image has none, so scan.c runs this probe
 * only when the root is the host's own "/". Processes come and go while they are read; a
 * process that exits half-way is skipped and counted, never an error. Reading another
 * user's /proc/<pid>/exe needs root (ptrace access): without it the executable is missing
 * and the count says so, because a product could then hide behind another name.
 *
 * The walk takes a directory descriptor, not a path, so the unit tests run it on a tree
 * laid out like /proc (with plain files and symlinks).
 */

/* The kernel keeps 15 bytes of a process name (TASK_COMM_LEN 16). */
#define PROCS_COMM_MAX 15
/*
 * What comm and stat may show: a workqueue worker's name gets its queue's appended
 * ("kworker/0:0H-events_highpri"), in the kernel's 64-byte buffer.
 */
#define PROCS_NAME_MAX 63

/** One process. Strings are valid only during the callback. */
struct procs_info {
	uint32_t pid;
	/**
	 * /proc/<pid>/comm without its newline: PROCS_COMM_MAX bytes at most, but for kernel
	 * workers (PROCS_NAME_MAX).
	 */
	const char *comm;
	/**
	 * The target of /proc/<pid>/exe, "PATH (deleted)" if the file was removed since it
	 * started, or NULL (see exe_errno).
	 */
	const char *exe;
	/** Why exe is NULL: EACCES without root (or where a security module says no). */
	int exe_errno;
	/** A kernel thread: it has no executable, only a name. */
	bool kernel_thread;
	/**
	 * The last component of argv[0] (from /proc/<pid>/cmdline), read only when comm is
	 * PROCS_COMM_MAX bytes long and so may be a cut name; else NULL.
	 */
	const char *argv0;
};

/** Called for every process; a non-zero return stops the walk with that value. */
struct procs_sink {
	int (*proc)(void *ctx, const struct procs_info *p);
	void *ctx;
};

/** What the walk saw, for the report's coverage. */
struct procs_counts {
	/** Processes read (directories /proc/<pid> with a name). */
	size_t processes;
	/** Processes that exited while being read, and zombies: skipped. */
	size_t vanished;
	/** Kernel threads: no executable, only a name. */
	size_t kernel_threads;
	/**
	 * Processes whose name or executable could not be read for another reason than an
	 * exit (EACCES on another user's exe without root): the probe is then incomplete.
	 */
	size_t unreadable;
	/** The first of those: its pid and errno, for the message. */
	uint32_t first_pid;
	int first_errno;
};

/** What /proc/<pid>/stat says that the probe uses. */
struct procs_stat {
	char comm[PROCS_NAME_MAX + 1];
	/** "R", "S", "Z" (zombie)... */
	char state;
	/** The kernel's PF_* flags (field 9). */
	uint64_t flags;
	/** Field 22: clock ticks from boot to the start. */
	uint64_t start_ticks;
};

/** A matched process's owner and start, checked to be the same process (see below). */
struct procs_detail {
	/** The real user id (first field of "Uid:" in /proc/<pid>/status). */
	uint32_t uid;
	/** When it started, ms since the epoch (boot time plus field 22 of stat). */
	int64_t started_ms;
};

/**
 * Opens @path (the live host's "/proc") and checks that it is procfs: a directory that
 * merely looks like /proc would let anyone feed the probe.
 * @return a directory descriptor (caller closes), or -1 with @err set.
 */
int procs_open(const char *path, struct kerr *err);

/**
 * Reads every /proc/<pid> of @procfd in turn and hands it to @sink.
 * @return 0, or -1 with @err set (the directory could not be read, more than
 *         KS_PROCS_MAX entries, out of memory, or the sink's non-zero return).
 */
int procs_scan(int procfd, const struct procs_sink *sink, struct procs_counts *c,
	struct kerr *err);

/**
 * Reads the owner and start time of @pid, and checks that its name is still @comm (a pid
 * reused since the walk is another process). @btime_s is the boot time (procs_btime()).
 * @return 0, or -1 with errno (ESRCH: it exited or is another process now; EINVAL: the
 *         kernel's files could not be parsed).
 */
int procs_detail(int procfd, uint32_t pid, const char *comm, int64_t btime_s,
	struct procs_detail *d);

/** Reads the boot time ("btime" of /proc/stat), in seconds. @return 0 or -1 with errno. */
int procs_btime(int procfd, int64_t *btime_s);

/**
 * Parses /proc/<pid>/stat: the name between the first "(" and the last ")" (a name may
 * hold ")" and spaces), the state, the flags and the start time.
 * @return 0, or -1 with errno EINVAL.
 */
int procs_parse_stat(const char *s, size_t n, struct procs_stat *out);

/** Parses the real uid from /proc/<pid>/status text. @return 0, or -1 with errno EINVAL. */
int procs_parse_status_uid(const char *s, size_t n, uint32_t *uid);

/** Parses "btime N" from /proc/stat text. @return 0, or -1 with errno EINVAL. */
int procs_parse_btime(const char *s, size_t n, int64_t *btime_s);

#endif
