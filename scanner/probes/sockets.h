/** Listening sockets of the live host (/proc/net) and the processes that own them. */
#ifndef KSCAN_SOCKETS_H
#define KSCAN_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"

/*
 * /proc/net/{tcp,tcp6,udp,udp6} list the sockets of kscan's network namespace, each with
 * its inode; /proc/<pid>/fd/N -> "socket:[INODE]" says which process holds one. A port is
 * evidence only together with a process of the product (probes.c): any program may listen
 * on 15000. So only the sockets on a port some signature names are kept, and only the
 * descriptors of matched processes are read.
 */

/** One socket line. */
struct sockets_entry {
	bool udp;
	bool v6;
	/** Local address, network byte order: 4 bytes for IPv4, 16 for IPv6. */
	unsigned char addr[16];
	uint16_t port;
	uint16_t rem_port;
	/** The kernel's state number: 0x0A is TCP LISTEN, 0x07 an unconnected UDP socket. */
	unsigned state;
	uint32_t uid;
	uint64_t inode;
};

/** A growable list of entries (plain data: read v[0..n) directly). */
struct sockets_list {
	struct sockets_entry *v;
	size_t n;
	size_t cap;
};

/** What was read, for the report's coverage. */
struct sockets_counts {
	/** Tables read (of tcp, tcp6, udp, udp6; the IPv6 ones are absent without IPv6). */
	size_t tables;
	/** Listening sockets seen (TCP LISTEN, bound UDP). */
	size_t listening;
	/** Of those, kept because a signature names their port. */
	size_t kept;
	/** Tables that could not be read, and lines that could not be parsed. */
	size_t errors;
};

/** Which listening sockets to keep: @udp, @port. */
typedef bool sockets_want_fn(void *ctx, bool udp, uint16_t port);

/**
 * Parses one line of a /proc/net table (@v6 for tcp6/udp6) into @out.
 * @return 1 for a socket, 0 for the header line, -1 with errno EINVAL if malformed.
 */
int sockets_parse_line(const char *line, size_t n, bool udp, bool v6,
	struct sockets_entry *out);

/** True if @e listens: TCP in LISTEN, or UDP bound and not connected. */
bool sockets_listening(const struct sockets_entry *e);

/** Writes @e's local address as text (inet_ntop) into @out (46 bytes). */
void sockets_addr_str(const struct sockets_entry *e, char out[46]);

/**
 * Reads the four tables below @procfd ("net/tcp"...) and appends to @out every listening
 * socket that @want keeps. A table that is missing is skipped; one that cannot be read or
 * parsed is counted in @c->errors and described in @err (the first one).
 * @return 0, or -1 on a fatal error (out of memory, KS_SOCKETS_MAX reached) with @err set.
 */
int sockets_read(int procfd, sockets_want_fn *want, void *ctx, struct sockets_list *out,
	struct sockets_counts *c, struct kerr *err);

/**
 * The socket inodes among the open descriptors of @pid ("<pid>/fd" of @procfd), sorted,
 * in *@inodes (caller frees; NULL when none).
 * @return 0, or -1 with errno (ESRCH if the process exited, EACCES without root).
 */
int sockets_pid_inodes(int procfd, uint32_t pid, uint64_t **inodes, size_t *n);

void sockets_list_free(struct sockets_list *l);

#endif
