/** A strict RFC 8259 validator for the fuzz targets: kscan writes JSON but never reads it. */
#ifndef KSCAN_TESTS_JSONV_H
#define KSCAN_TESTS_JSONV_H

#include <stdbool.h>
#include <stddef.h>

/** True if @s[0..@n) is exactly one JSON value (surrounding whitespace allowed), UTF-8. */
bool jsonv_valid(const char *s, size_t n);

#endif
