/** Integrity of signature packs loaded from files: ownership, mode, Ed25519 signatures. */
#ifndef KSCAN_PACKSIG_H
#define KSCAN_PACKSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/kerr.h"

/*
 * Whoever can edit a pack can hide an install from kscan. So a pack file (and a directory
 * of packs, and a trusted key) must be owned by root or by the user running kscan and must
 * not be writable by group or others, the rule sudo applies to sudoers. A pack may also
 * carry a detached signature, PACK.sig: the raw 64-byte Ed25519 signature of the pack's
 * bytes, exactly what `openssl pkeyutl -sign -rawin -inkey KEY -in PACK` writes, so packs
 * can be signed and checked with standard tools too. A signature that is present but does
 * not verify against a trusted key is always refused; with require_signed, so is a pack
 * without one. The packs built into the binary need no signature.
 */

/** Ed25519 signatures are this long. */
#define PACKSIG_LEN 64

/** The trusted keys and the policy. */
struct packsig;

/** @return a policy with no keys, or NULL (ENOMEM). */
struct packsig *packsig_new(bool require_signed);

void packsig_free(struct packsig *p);

/**
 * Trusts every public key (PEM, *.pem) in @dir. A missing @dir is fine when @optional (the
 * default /etc/kscan/keys on a host that uses no signed packs).
 * @return the number of keys added, or -1 with @err set (a key file that is not owned
 *         or moded safely, or is not an Ed25519 public key, is an error: KERR_INPUT).
 */
int packsig_add_keys_dir(struct packsig *p, const char *dir, bool optional, struct kerr *err);

/**
 * Refuses @name (described by @st) unless it is owned by root or the effective user and
 * not writable by group or others. @return 0, or -1 with @err set (KERR_INPUT).
 */
int packsig_check_owner(const char *name, const struct stat *st, struct kerr *err);

/**
 * The check every pack file passes before it is parsed (a sig_gate, see sig.h): @name's
 * owner and mode, then NAME.sig if there is one. For a directory (@data NULL), the owner
 * and mode only.
 * @return 0 with *@verified set, or -1 with @err set (KERR_INPUT).
 */
int packsig_gate(void *ctx, const char *name, const struct stat *st, const char *data,
	size_t len, bool *verified, struct kerr *err);

/**
 * Reads the regular file @path (never through a symlink, never a FIFO or device) whole,
 * at most @max bytes, after the ownership rule of packsig_check_owner().
 * @return 0, or -1 with @err set.
 */
int packsig_read_file(const char *path, size_t max, struct buf *out, struct kerr *err);

/**
 * Signs @len bytes of @data with the Ed25519 private key in PEM file @keyfile (which must
 * be owned safely and readable by its owner only) into @sig.
 * @return 0, or -1 with @err set.
 */
int packsig_sign(const char *keyfile, const char *data, size_t len,
	unsigned char sig[PACKSIG_LEN], struct kerr *err);

#endif
