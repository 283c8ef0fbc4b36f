/*
 * Growable arrays. The array pointer is passed as void * and copied with memcpy: C has no
 * generic pointer-to-pointer, and a cast of struct x ** to void ** would be undefined
 * behaviour on access.
 */
#include "base/vec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* the first capacity: small lists stay in one small block */
#define VEC_FIRST 8u

static int vec_resize(void *vp, size_t ncap, size_t size)
{
	void *v;
	void *p;

	/* checked here, not left to reallocarray: sanitizers abort on its overflow */
	if (size != 0 && ncap > SIZE_MAX / size) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(&v, vp, sizeof(v));
	p = reallocarray(v, ncap, size);
	if (p == NULL) {
		return -1;
	}
	memcpy(vp, &p, sizeof(p));
	return 0;
}

/* The capacity after @cap: doubled, at least VEC_FIRST, at most @max. */
static size_t vec_next(size_t cap, size_t max)
{
	size_t ncap = VEC_FIRST;

	if (cap >= VEC_FIRST) {
		ncap = cap > max / 2 ? max : cap * 2;
	}
	return ncap > max ? max : ncap;
}

int vec_reserve(void *vp, size_t n, size_t *cap, size_t size, size_t max)
{
	size_t ncap;

	if (n < *cap) {
		return 0;
	}
	if (n >= max) {
		errno = E2BIG;
		return -1;
	}
	ncap = vec_next(*cap, max);
	if (vec_resize(vp, ncap, size) != 0) {
		return -1;
	}
	*cap = ncap;
	return 0;
}

int vec_reserve_implied(void *vp, size_t n, size_t size, size_t max)
{
	if (n >= max) {
		errno = E2BIG;
		return -1;
	}
	/* the implied capacity of n elements is full at 0, 8, 16, 32...: grow only there */
	if (n != 0 && (n < VEC_FIRST || (n & (n - 1)) != 0)) {
		return 0;
	}
	return vec_resize(vp, vec_next(n, max), size);
}
