/* Numbers as people and scripts write them: one strict parser for every
 * number ptwalk reads from its user (arguments, option values, stdin
 * batches), and the kernel's own spellings of VMCOREINFO values. */
#ifndef PTW_NUMBER_H
#define PTW_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The n bytes at s as a number: decimal digits, or 0x / 0X and hex digits
 * (either case). A leading 0 does not mean octal ("010" is ten). Nothing
 * else is accepted: no sign, no blanks, no suffix, nothing beyond 64 bits.
 * Leading zeros are allowed in both forms. False (and *ret untouched) when
 * the text is not such a number. Fast: this parses batches of a million
 * addresses, a call per line. */
bool ptw_parse_u64_n(const char *s, size_t n, uint64_t *ret);
/** As ptw_parse_u64_n, for a NUL-terminated string (NULL is not a number). */
bool ptw_parse_u64(const char *s, uint64_t *ret);
/** Exactly n hex digits (no 0x), as the kernel prints %lx; at most 64 bits. */
bool ptw_parse_hex_digits_n(const char *s, size_t n, uint64_t *ret);
/** Exactly n decimal digits; at most 64 bits. */
bool ptw_parse_decimal_n(const char *s, size_t n, uint64_t *ret);

#endif
