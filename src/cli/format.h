/* ptwalk's own text conventions, in one place, for every command (the
 * contract's "Output conventions"; /work/notes/spec-cli-output.md):
 *
 * - Text on stdout: hex in lower case, without 0x and without leading zeros,
 *   as crash prints it (vtop, ptov, rd, sym); columns of addresses are
 *   padded with spaces to 16 characters (PTW_COL_HEX, left aligned;
 *   PTW_RCOL_HEX, right aligned as crash's rd), never with zeros.
 * - Messages on stderr: hex with 0x (PTW_MSG_HEX), since a bare "10" in a
 *   sentence could be decimal.
 * - Sizes in text: binary units B, KB, MB, GB, TB, PB, EB (powers of 1024),
 *   exact when the size is a whole number of the unit ("64KB", "128TB"),
 *   else one decimal after a tilde ("~88.8TB"): ptw_size_text. Counts are
 *   decimal. JSON keeps bytes as numbers and addresses as "0x..." strings.
 * - `maps` text is the kernel's ptdump format (0x + 16 digits, "3648K") and
 *   keeps it, so that it diffs against kernel_page_tables. */
#ifndef PTW_CLI_FORMAT_H
#define PTW_CLI_FORMAT_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#define PTW_HEX "%" PRIx64        /* a value in text output */
#define PTW_COL_HEX "%-16" PRIx64 /* an address column, left aligned */
#define PTW_RCOL_HEX "%16" PRIx64 /* an address column, right aligned */
#define PTW_MSG_HEX "0x%" PRIx64  /* a value in a message on stderr */

/* Room for ptw_size_text's longest answer ("~1023.9EB") and its NUL. */
#define PTW_SIZE_TEXT_MAX 16

/** Human size: "4KB", "2MB", "128TB", "~6.5MB". */
void ptw_size_text(uint64_t size, char *buf, size_t len);

#endif
