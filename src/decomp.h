/* Page codecs of the kdump-compressed format.
 *
 * Every codec here works to one contract: a compressed page must expand to
 * exactly the size the caller asks for. makedumpfile compresses whole blocks,
 * so any other length means the descriptor or the data is corrupt, and the
 * caller must not be handed a half-filled page as if it were memory. */
#ifndef PTW_DECOMP_H
#define PTW_DECOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum ptw_codec {
	PTW_CODEC_ZLIB,
	PTW_CODEC_LZO,
	PTW_CODEC_SNAPPY,
	PTW_CODEC_ZSTD,
	PTW_CODEC_NUM
};

/* Reusable decoder state (zlib stream, zstd context), so that decoding many
 * pages does not allocate per page. Owned by one reader; not thread-safe. */
struct ptw_decomp;

/** Allocate decoder state. @return NULL or NOMEM. */
struct ptw_error *ptw_decomp_create(struct ptw_decomp **ret);
void ptw_decomp_destroy(struct ptw_decomp *decomp);

/** "zlib", "lzo", "snappy", "zstd". */
const char *ptw_codec_name(enum ptw_codec codec);

/** Whether this build can decode the codec (snappy and zstd are optional). */
bool ptw_codec_available(enum ptw_codec codec);

/**
 * Decode in[0, in_len) into out, which must end up holding exactly out_len bytes.
 *
 * @param decomp state from ptw_decomp_create(), or NULL to use a throwaway one.
 * @return NULL on success; BAD_DATA when the data is corrupt or expands to
 * another size than out_len (the message says which); NOT_IMPLEMENTED when
 * the codec is not built in. Errors carry no file offset: the caller knows it.
 * On error out's contents are unspecified.
 */
struct ptw_error *ptw_decomp_page(struct ptw_decomp *decomp, enum ptw_codec codec,
				  const void *in, size_t in_len, void *out, size_t out_len);

#endif
