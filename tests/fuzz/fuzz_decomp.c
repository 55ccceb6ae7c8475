/* Fuzz harness: each page codec under the exact-output-size contract.
 * Input: [codec][block size selector] then the compressed bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "decomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[65536];
	static const size_t block_sizes[] = { 4096, 16384, 65536 };
	if (size < 2)
		return 0;
	enum ptw_codec codec = (enum ptw_codec)(data[0] % PTW_CODEC_NUM);
	size_t out_len = block_sizes[data[1] % 3];
	struct ptw_decomp *d = NULL;
	if (ptw_decomp_create(&d))
		return 0;
	ptw_error_destroy(ptw_decomp_page(d, codec, data + 2, size - 2, out, out_len));
	ptw_decomp_destroy(d);
	return 0;
}
