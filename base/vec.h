/**
 * Growable arrays: the one place that decides how an array of plain elements grows.
 *
 * kscan keeps its lists as a pointer, a count and (usually) a capacity in the owner's own
 * struct, so the element type stays visible to the compiler. These functions only make
 * room: the caller stores the element and increments its count.
 */
#ifndef KSCAN_VEC_H
#define KSCAN_VEC_H

#include <stddef.h>

/**
 * Makes room for element @n of *@vp (an array of @size-byte elements with capacity *@cap):
 * nothing to do while @n < *@cap, else the capacity doubles (from 8), never past @max.
 * @vp is the address of the array pointer (e.g. &list->v).
 * @return 0, or -1 with errno ENOMEM or E2BIG (@n >= @max); *@vp and *@cap are then
 * untouched, so the caller's list stays valid and is freed as usual.
 */
int vec_reserve(void *vp, size_t n, size_t *cap, size_t size, size_t max);

/**
 * vec_reserve() for arrays that keep no capacity: the capacity is implied by @n (8, then
 * each power of two), so the array is reallocated only when @n reaches one of those.
 */
int vec_reserve_implied(void *vp, size_t n, size_t size, size_t max);

#endif
