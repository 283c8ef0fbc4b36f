#include "signatures/packsig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"

struct packsig {
	EVP_PKEY *keys[KS_PACKSIG_KEYS_MAX];
	size_t nkeys;
	bool require_signed;
};

struct packsig *packsig_new(bool require_signed)
{
	struct packsig *p = calloc(1, sizeof(*p));

	if (p != NULL) {
		p->require_signed = require_signed;
	}
	return p;
}

void packsig_free(struct packsig *p)
{
	size_t i;

	if (p == NULL) {
		return;
	}
	for (i = 0; i < p->nkeys; i++) {
		EVP_PKEY_free(p->keys[i]);
	}
	free(p);
}

int packsig_check_owner(const char *name, const struct stat *st, struct kerr *err)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		return kerr_set(err, KERR_INPUT,
			"%s: owned by uid %u, not by root or the user running kscan: refused", name,
			(unsigned)st->st_uid);
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		return kerr_set(err, KERR_INPUT,
			"%s: writable by group or others (mode %03o): refused", name,
			(unsigned)(st->st_mode & 0777));
	}
	return 0;
}

/*
 * Reads the small regular file @path whole, after the ownership check. @return 0, 1 if it
 * does not exist (and @missing_ok), or -1 with @err set.
 */
static int packsig_read_small(
	const char *path, bool missing_ok, size_t max, struct buf *out, struct kerr *err)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok) {
			return 1;
		}
		return kerr_sys(err, KERR_INPUT, errno, "%s", path);
	}
	if (fstat(fd, &st) != 0) {
		rc = kerr_sys(err, KERR_IO, errno, "%s", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = kerr_set(err, KERR_INPUT, "%s: not a regular file", path);
	} else if (packsig_check_owner(path, &st, err) != 0) {
		rc = -1;
	} else if (xstd_read_fd(fd, max, out) != 0) {
		rc = kerr_sys(err, KERR_INPUT, errno, "%s", path);
	} else {
		rc = 0;
	}
	xstd_close_quietly(fd);
	return rc;
}

int packsig_read_file(const char *path, size_t max, struct buf *out, struct kerr *err)
{
	return packsig_read_small(path, false, max, out, err);
}

static EVP_PKEY *packsig_parse_pub(const struct buf *pem)
{
	BIO *bio = BIO_new_mem_buf(buf_str(pem), (int)buf_len(pem));
	EVP_PKEY *k;

	if (bio == NULL) {
		return NULL;
	}
	k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (k != NULL && EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

static int packsig_add_key(struct packsig *p, const char *path, struct kerr *err)
{
	struct buf pem;
	EVP_PKEY *k;
	int rc = -1;

	if (p->nkeys == KS_PACKSIG_KEYS_MAX) {
		return kerr_set(err, KERR_LIMIT, "%s: more than %u trusted keys", path,
			KS_PACKSIG_KEYS_MAX);
	}
	buf_init(&pem, KS_SMALL_FILE_MAX);
	if (packsig_read_small(path, false, KS_SMALL_FILE_MAX, &pem, err) != 0) {
		goto free_pem;
	}
	k = packsig_parse_pub(&pem);
	if (k == NULL) {
		kerr_set(err, KERR_INPUT, "%s: not an Ed25519 public key in PEM form", path);
		goto free_pem;
	}
	p->keys[p->nkeys++] = k;
	rc = 0;

free_pem:
	buf_free(&pem);
	return rc;
}

static bool packsig_is_pem(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 4 && strcmp(n + len - 4, ".pem") == 0;
}

int packsig_add_keys_dir(struct packsig *p, const char *dir, bool optional, struct kerr *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int added = 0, n;
	DIR *d = opendir(dir);

	if (d == NULL) {
		if (errno == ENOENT && optional) {
			return 0;
		}
		return kerr_sys(err, KERR_INPUT, errno, "trusted keys %s", dir);
	}
	if (fstat(dirfd(d), &st) != 0) {
		(void)closedir(d);
		return kerr_sys(err, KERR_IO, errno, "%s", dir);
	}
	if (packsig_check_owner(dir, &st, err) != 0) {
		(void)closedir(d);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!packsig_is_pem(de->d_name)) {
			continue;
		}
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) || packsig_add_key(p, path, err) != 0) {
			(void)closedir(d);
			return n < 0 || (size_t)n >= sizeof(path)
				? kerr_set(err, KERR_LIMIT, "%s/%s: path too long", dir, de->d_name)
				: -1;
		}
		added++;
	}
	(void)closedir(d);
	return added;
}

/* @return 1 if @sig is a valid signature of @data by a trusted key, 0 if not, -1 on error. */
static int packsig_verify(
	const struct packsig *p, const unsigned char *sig, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < p->nkeys; i++) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		int ok;

		if (ctx == NULL) {
			return -1;
		}
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, p->keys[i]) == 1 &&
			EVP_DigestVerify(ctx, sig, PACKSIG_LEN, (const unsigned char *)data, len) ==
				1;
		EVP_MD_CTX_free(ctx);
		if (ok) {
			return 1;
		}
	}
	return 0;
}

int packsig_gate(void *ctx, const char *name, const struct stat *st, const char *data, size_t len,
	bool *verified, struct kerr *err)
{
	const struct packsig *p = ctx;
	char sigpath[PATH_MAX];
	struct buf sig;
	int n, rc;

	*verified = false;
	if (packsig_check_owner(name, st, err) != 0) {
		return -1;
	}
	if (data == NULL) {
		return 0;
	}
	n = snprintf(sigpath, sizeof(sigpath), "%s.sig", name);
	if (n < 0 || (size_t)n >= sizeof(sigpath)) {
		return kerr_set(err, KERR_LIMIT, "%s: path too long", name);
	}
	buf_init(&sig, PACKSIG_LEN + 1);
	rc = packsig_read_small(sigpath, true, PACKSIG_LEN + 1, &sig, err);
	if (rc == 1) {
		rc = p->require_signed ? kerr_set(err, KERR_INPUT,
						 "%s: unsigned (no %s), and signed packs are "
						 "required",
						 name, sigpath)
				       : 0;
	} else if (rc == 0 && buf_len(&sig) != PACKSIG_LEN) {
		rc = kerr_set(err, KERR_INPUT, "%s: not an Ed25519 signature (%zu bytes, not %d)",
			sigpath, buf_len(&sig), PACKSIG_LEN);
	} else if (rc == 0) {
		rc = packsig_verify(p, (const unsigned char *)buf_str(&sig), data, len);
		if (rc == 1) {
			*verified = true;
			rc = 0;
		} else {
			rc = kerr_set(err, KERR_INPUT,
				"%s: the signature does not verify against any of the %zu trusted "
				"key(s): refused",
				name, p->nkeys);
		}
	}
	buf_free(&sig);
	return rc;
}

static EVP_PKEY *packsig_load_private(const char *keyfile, struct kerr *err)
{
	struct stat st;
	EVP_PKEY *k = NULL;
	struct buf pem;
	BIO *bio;

	buf_init(&pem, KS_SMALL_FILE_MAX);
	if (packsig_read_small(keyfile, false, KS_SMALL_FILE_MAX, &pem, err) != 0) {
		goto free_pem;
	}
	/* a signing key others can read is a key others can sign with */
	if (stat(keyfile, &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
		kerr_set(err, KERR_INPUT, "%s: readable by group or others: refused", keyfile);
		goto free_pem;
	}
	bio = BIO_new_mem_buf(buf_str(&pem), (int)buf_len(&pem));
	if (bio != NULL) {
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (k == NULL || EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		k = NULL;
		kerr_set(err, KERR_INPUT, "%s: not an Ed25519 private key in PEM form", keyfile);
	}

free_pem:
	buf_free(&pem);
	return k;
}

int packsig_sign(const char *keyfile, const char *data, size_t len, unsigned char sig[PACKSIG_LEN],
	struct kerr *err)
{
	EVP_PKEY *k = packsig_load_private(keyfile, err);
	size_t siglen = PACKSIG_LEN;
	EVP_MD_CTX *ctx;
	int rc = -1;

	if (k == NULL) {
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		goto free_key;
	}
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
		EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)data, len) != 1 ||
		siglen != PACKSIG_LEN) {
		kerr_set(err, KERR_INTERNAL, "%s: signing failed", keyfile);
		goto free_ctx;
	}
	rc = 0;

free_ctx:
	EVP_MD_CTX_free(ctx);
free_key:
	EVP_PKEY_free(k);
	return rc;
}
