#include "number.h"

#include <endian.h>
#include <string.h>

/* Each hex digit's value plus one; 0 for bytes that are not hex digits. */
static const unsigned char hex_digit_value_plus_one[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* The 8 hex digits at s (either case) as a number, or false if any byte is
 * not one: all eight are tested and converted at once in a 64-bit word. A
 * byte c < 0x80 is >= lo when c + 0x80 - lo sets bit 7, and <= hi when
 * c + 0x7f - hi leaves it clear; c | 0x20 folds 'A'-'F' onto 'a'-'f'. */
static bool parse_8_hex_digits(const char *s, uint32_t *ret)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), top = ones * 0x80;
	uint64_t x, folded, digit, letter, v;

	memcpy(&x, s, 8);
	x = le64toh(x); /* byte 0: the first, most significant digit */
	if (x & top)
		return false;
	folded = x | ones * 0x20;
	digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x7f - '9')) & top;
	letter = (folded + ones * (0x80 - 'a')) & ~(folded + ones * (0x7f - 'f')) & top;
	if ((digit | letter) != top)
		return false;
	v = (x & ones * 0x0f) + (letter >> 7) * 9;
	/* Pack: pairs of digits into bytes, bytes into 16-bit units, units
	 * into the 32-bit value; the earlier digit is the higher each time. */
	v = (v << 4 | v >> 8) & UINT64_C(0x00ff00ff00ff00ff);
	v = (v << 8 | v >> 16) & UINT64_C(0x0000ffff0000ffff);
	*ret = (uint32_t)(v << 16 | v >> 32);
	return true;
}

/* Leading zeros change no value; dropping them leaves at most the digits
 * that matter, so the length alone says whether 64 bits can hold them. */
static size_t skip_zeros(const char **s, size_t n)
{
	while (n > 1 && **s == '0') {
		(*s)++;
		n--;
	}
	return n;
}

bool ptw_parse_hex_digits_n(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	if (s[0] == '0')
		n = skip_zeros(&s, n);
	if (n > 16)
		return false;
	/* The digits beyond a multiple of 8 first, then 8 at a time: a full
	 * 64-bit address is two words. Bounded: at most 16 digits. */
	for (i = 0; i < n % 8; i++) {
		unsigned d = hex_digit_value_plus_one[(unsigned char)s[i]];

		if (!d)
			return false;
		v = v << 4 | (d - 1);
	}
	for (; i < n; i += 8) {
		uint32_t eight;

		if (!parse_8_hex_digits(s + i, &eight))
			return false;
		v = v << 32 | eight;
	}
	*ret = v;
	return true;
}

bool ptw_parse_decimal_n(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	n = skip_zeros(&s, n);
	if (n > 20) /* UINT64_MAX has 20 digits */
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

bool ptw_parse_u64_n(const char *s, size_t n, uint64_t *ret)
{
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return ptw_parse_hex_digits_n(s + 2, n - 2, ret);
	return ptw_parse_decimal_n(s, n, ret);
}

bool ptw_parse_u64(const char *s, uint64_t *ret)
{
	return s && ptw_parse_u64_n(s, strlen(s), ret);
}
