#include "scanner/deep/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/limits.h"
#include "base/xstd.h"

struct hash {
	EVP_MD_CTX *ctx;
	unsigned char *buf;
	/* cleared after the first EPERM: O_NOATIME needs ownership or CAP_FOWNER */
	bool noatime;
	int64_t deadline_ms;
};

/* Reads between two looks at the clock: 64 x 256 KiB, a few milliseconds of hashing. */
#define HASH_CLOCK_EVERY 64u

struct hash *hash_new(void)
{
	struct hash *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		return NULL;
	}
	h->noatime = true;
	h->buf = malloc(KS_HASH_BUF);
	if (h->buf == NULL) {
		goto free_hash;
	}
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL) {
		errno = ENOMEM;
		goto free_buf;
	}
	return h;

free_buf:
	free(h->buf);
free_hash:
	free(h);
	return NULL;
}

void hash_set_deadline(struct hash *h, int64_t deadline_ms)
{
	h->deadline_ms = deadline_ms;
}

void hash_free(struct hash *h)
{
	if (h == NULL) {
		return;
	}
	EVP_MD_CTX_free(h->ctx);
	free(h->buf);
	free(h);
}

/* read() that retries on EINTR. */
static ssize_t hash_read(int fd, void *p, size_t n)
{
	ssize_t r;

	do {
		r = read(fd, p, n);
	} while (r < 0 && errno == EINTR);
	return r;
}

int hash_fd(struct hash *h, int fd, uint64_t size, unsigned char out[32], uint64_t *bytes)
{
	unsigned int len = 0, reads = 0;
	uint64_t total = 0;
	ssize_t r;

	*bytes = 0;
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		errno = EPROTO;
		return -1;
	}
	/* one byte past the size is enough to see that the file grew: read no further */
	while (total <= size) {
		uint64_t want = size - total + 1;

		r = hash_read(fd, h->buf, want < KS_HASH_BUF ? (size_t)want : KS_HASH_BUF);
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			break;
		}
		total += (uint64_t)r;
		*bytes = total;
		if (total > size) {
			return HASH_CHANGED;
		}
		if (EVP_DigestUpdate(h->ctx, h->buf, (size_t)r) != 1) {
			errno = EPROTO;
			return -1;
		}
		if (h->deadline_ms > 0 && ++reads % HASH_CLOCK_EVERY == 0 &&
		    xstd_mono_ms() >= h->deadline_ms) {
			return HASH_TIMEOUT;
		}
	}
	if (total != size) {
		return HASH_CHANGED;
	}
	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != 32) {
		errno = EPROTO;
		return -1;
	}
	return HASH_OK;
}

/* Opens @name for reading without following, blocking, or taking a terminal. */
static int hash_open(struct hash *h, int dirfd, const char *name)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;

	if (h->noatime) {
		fd = openat(dirfd, name, flags | O_NOATIME);
		if (fd >= 0 || errno != EPERM) {
			return fd;
		}
		/* not the owner and no CAP_FOWNER: atime it is, for this and later files */
		h->noatime = false;
	}
	return openat(dirfd, name, flags);
}

int hash_file_at(struct hash *h, int dirfd, const char *name, uint64_t size,
	unsigned char out[32], uint64_t *bytes)
{
	struct stat st;
	int fd, rc;

	*bytes = 0;
	fd = hash_open(h, dirfd, name);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESTALE) {
			return HASH_VANISHED;
		}
		/* a symlink (ELOOP) or a socket (ENXIO) took the regular file's place */
		return errno == ELOOP || errno == ENXIO ? HASH_CHANGED : -1;
	}
	if (fstat(fd, &st) != 0) {
		rc = -1;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode) || (size != UINT64_MAX && (uint64_t)st.st_size != size)) {
		rc = HASH_CHANGED;
		goto close_fd;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = hash_fd(h, fd, (uint64_t)st.st_size, out, bytes);
	/* advice only: a failure changes nothing about the result */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

close_fd:
	xstd_close_quietly(fd);
	return rc;
}

int hash_mem(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}
