/** SHA-256 of files the sweep meets: opened safely, read once, kept out of the page cache. */
#ifndef KSCAN_HASH_H
#define KSCAN_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each worker thread owns one hasher (an EVP context and a read buffer), so hashing takes
 * no lock. Files are opened O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, with
 * O_NOATIME where the kernel allows it (the owner, or CAP_FOWNER): a nightly sweep must not
 * touch atimes, follow a link someone swapped in, block on a FIFO or take a terminal.
 * After hashing, posix_fadvise(DONTNEED) drops the file's pages, so the sweep does not
 * evict the host's working set.
 */
struct hash;

/** What hash_file_at() found. */
enum hash_result {
	/** Hashed: a regular file of exactly the expected size. */
	HASH_OK = 0,
	/** Gone between the directory read and the open (ENOENT, ESTALE). */
	HASH_VANISHED = 1,
	/** No longer what was listed: not a regular file now, or its size changed. */
	HASH_CHANGED = 2,
	/** Not finished: the deadline (hash_set_deadline()) passed while reading. */
	HASH_TIMEOUT = 3,
};

/** A hasher. @return it, or NULL with errno (ENOMEM, or EIO if OpenSSL fails). */
struct hash *hash_new(void);

void hash_free(struct hash *h);

/**
 * Makes reads stop once xstd_mono_ms() passes @deadline_ms (0: never), so one huge file
 * cannot overrun a sweep's --max-duration.
 */
void hash_set_deadline(struct hash *h, int64_t deadline_ms);

/**
 * Hashes the regular file @name in the directory @dirfd, if its size is @size (pass
 * UINT64_MAX to accept any size). @bytes gets the bytes read (also when the file changed).
 * @return a hash_result, or -1 with errno (EACCES, EIO, ELOOP for a symlink swapped in...;
 *         EPROTO if OpenSSL fails).
 */
int hash_file_at(struct hash *h, int dirfd, const char *name, uint64_t size,
	unsigned char out[32], uint64_t *bytes);

/**
 * Hashes the rest of the open file @fd, which must hold exactly @size bytes.
 * @return HASH_OK, HASH_CHANGED if it held more or fewer, HASH_TIMEOUT, or -1 with errno.
 */
int hash_fd(struct hash *h, int fd, uint64_t size, unsigned char out[32], uint64_t *bytes);

/** sha256 of @p[0..n), for tests and small data. @return 0, or -1 (EPROTO). */
int hash_mem(const void *p, size_t n, unsigned char out[32]);

#endif
