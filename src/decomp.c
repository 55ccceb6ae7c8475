/* Page codecs of the kdump-compressed format, each held to the exact-size
 * contract of decomp.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decomp.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include <lzo/lzo1x.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef HAVE_SNAPPY
#include <dlfcn.h>
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

#ifdef HAVE_SNAPPY
/* snappy-c.h's snappy_uncompressed_length and snappy_uncompress. */
typedef snappy_status snappy_length_fn(const char *in, size_t in_len, size_t *result);
typedef snappy_status snappy_uncompress_fn(const char *in, size_t in_len, char *out, size_t *out_len);
#endif

struct ptw_decomp {
#ifdef HAVE_LIBDEFLATE
	/* Whole-buffer inflate, about twice zlib's speed (a kdump page is one
	 * whole zlib stream); allocated once, it keeps no state between pages. */
	struct libdeflate_decompressor *deflate;
#else
	/* Reset, not re-created, between pages: inflateInit allocates a 32 KiB window. */
	z_stream zlib;
	bool zlib_ready;
#endif
	/* lzo_init() checked once: it costs ~1800 instructions, 10% of a 4 KiB page. */
	bool lzo_checked;
#ifdef HAVE_ZSTD
	ZSTD_DCtx *zstd;
#endif
#ifdef HAVE_SNAPPY
	/* libsnappy, opened on the first snappy page (configure.ac says why). */
	void *snappy;
	snappy_length_fn *snappy_length;
	snappy_uncompress_fn *snappy_uncompress;
#endif
};

static const char *const codec_names[PTW_CODEC_NUM] = {
	[PTW_CODEC_ZLIB] = "zlib",
	[PTW_CODEC_LZO] = "lzo",
	[PTW_CODEC_SNAPPY] = "snappy",
	[PTW_CODEC_ZSTD] = "zstd",
};

const char *ptw_codec_name(enum ptw_codec codec)
{
	if ((unsigned)codec >= PTW_CODEC_NUM)
		return "unknown codec";
	return codec_names[codec];
}

bool ptw_codec_available(enum ptw_codec codec)
{
	switch (codec) {
	case PTW_CODEC_ZLIB:
	case PTW_CODEC_LZO:
		return true;
	case PTW_CODEC_SNAPPY:
#ifdef HAVE_SNAPPY
		return true;
#else
		return false;
#endif
	case PTW_CODEC_ZSTD:
#ifdef HAVE_ZSTD
		return true;
#else
		return false;
#endif
	default:
		return false;
	}
}

struct ptw_error *ptw_decomp_create(struct ptw_decomp **ret)
{
	struct ptw_decomp *decomp = calloc(1, sizeof(*decomp));
	if (!decomp)
		return &ptw_enomem;
	*ret = decomp;
	return NULL;
}

void ptw_decomp_destroy(struct ptw_decomp *decomp)
{
	if (!decomp)
		return;
#ifdef HAVE_LIBDEFLATE
	libdeflate_free_decompressor(decomp->deflate);
#else
	if (decomp->zlib_ready)
		inflateEnd(&decomp->zlib);
#endif
#ifdef HAVE_ZSTD
	ZSTD_freeDCtx(decomp->zstd);
#endif
#ifdef HAVE_SNAPPY
	if (decomp->snappy)
		dlclose(decomp->snappy);
#endif
	free(decomp);
}

static struct ptw_error *size_mismatch(enum ptw_codec codec, const char *how, size_t got,
				       size_t want)
{
	return ptw_error_create(PTW_E_BAD_DATA, "%s data expands to %s%zu bytes, not the block size %zu",
				ptw_codec_name(codec), how, got, want);
}

#ifdef HAVE_LIBDEFLATE
/* The zlib stream's Adler-32 is checked (libdeflate's is vectorised: about
 * 1% of the time); the _ex form reports both counts, so the block-size
 * contract and the trailing-bytes check hold as with zlib. */
static struct ptw_error *decode_zlib(struct ptw_decomp *decomp, const void *in, size_t in_len,
				     void *out, size_t out_len)
{
	size_t consumed = 0, produced = 0;

	if (!decomp->deflate) {
		decomp->deflate = libdeflate_alloc_decompressor();
		if (!decomp->deflate)
			return &ptw_enomem;
	}
	switch (libdeflate_zlib_decompress_ex(decomp->deflate, in, in_len, out, out_len, &consumed,
					      &produced)) {
	case LIBDEFLATE_SUCCESS:
		if (produced != out_len)
			return size_mismatch(PTW_CODEC_ZLIB, "", produced, out_len);
		/* The descriptor's size is exact: leftovers mean it is wrong. */
		if (consumed != in_len)
			return ptw_error_create(PTW_E_BAD_DATA, "zlib data has %zu trailing bytes",
						in_len - consumed);
		return NULL;
	case LIBDEFLATE_INSUFFICIENT_SPACE:
		return size_mismatch(PTW_CODEC_ZLIB, "more than ", out_len, out_len);
	default:
		/* Cut short, a bad code or a wrong checksum: libdeflate does not
		 * tell them apart. */
		return ptw_error_create(PTW_E_BAD_DATA, "zlib data is corrupt or cut short");
	}
}
#else
/* inflate() rather than uncompress(): it tells "more output than the block"
 * (avail_out == 0 but no stream end) from "input cut short" (avail_in == 0). */
static struct ptw_error *decode_zlib(struct ptw_decomp *decomp, const void *in, size_t in_len,
				     void *out, size_t out_len)
{
	if (in_len > UINT_MAX || out_len > UINT_MAX)
		return ptw_error_create(PTW_E_BAD_DATA, "zlib block of %zu bytes is too large", in_len);
	z_stream *zs = &decomp->zlib;
	if (!decomp->zlib_ready) {
		*zs = (z_stream){0};
		if (inflateInit(zs) != Z_OK)
			return &ptw_enomem;
		decomp->zlib_ready = true;
	} else if (inflateReset(zs) != Z_OK) {
		return ptw_error_create(PTW_E_BAD_DATA, "zlib: cannot reset the decoder");
	}
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = (uInt)in_len;
	zs->next_out = out;
	zs->avail_out = (uInt)out_len;
	int rc = inflate(zs, Z_FINISH);
	size_t produced = out_len - zs->avail_out;
	switch (rc) {
	case Z_STREAM_END:
		if (produced != out_len)
			return size_mismatch(PTW_CODEC_ZLIB, "", produced, out_len);
		/* The descriptor's size is exact: leftovers mean it is wrong. */
		if (zs->avail_in)
			return ptw_error_create(PTW_E_BAD_DATA, "zlib data has %u trailing bytes",
						zs->avail_in);
		return NULL;
	case Z_BUF_ERROR:
		if (zs->avail_out == 0)
			return size_mismatch(PTW_CODEC_ZLIB, "more than ", out_len, out_len);
		return ptw_error_create(PTW_E_BAD_DATA,
					"zlib data ends early, after %zu of %zu bytes", produced, out_len);
	case Z_MEM_ERROR:
		return &ptw_enomem;
	default:
		return ptw_error_create(PTW_E_BAD_DATA, "zlib data is corrupt: %s",
					zs->msg ? zs->msg : "inflate failed");
	}
}
#endif

static struct ptw_error *decode_lzo(struct ptw_decomp *decomp, const void *in, size_t in_len,
				    void *out, size_t out_len)
{
	/* lzo_init() only checks that the library matches its header; it keeps no state. */
	if (!decomp || !decomp->lzo_checked) {
		if (lzo_init() != LZO_E_OK)
			return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "lzo library does not match its header");
		if (decomp)
			decomp->lzo_checked = true;
	}
	lzo_uint produced = out_len;
	int rc = lzo1x_decompress_safe(in, in_len, out, &produced, NULL);
	switch (rc) {
	case LZO_E_OK:
		if (produced != out_len)
			return size_mismatch(PTW_CODEC_LZO, "", produced, out_len);
		return NULL;
	case LZO_E_OUTPUT_OVERRUN:
		return size_mismatch(PTW_CODEC_LZO, "more than ", out_len, out_len);
	case LZO_E_INPUT_OVERRUN:
		return ptw_error_create(PTW_E_BAD_DATA, "lzo data ends early");
	case LZO_E_INPUT_NOT_CONSUMED:
		return ptw_error_create(PTW_E_BAD_DATA, "lzo data has trailing bytes");
	default:
		return ptw_error_create(PTW_E_BAD_DATA, "lzo data is corrupt (error %d)", rc);
	}
}

#ifdef HAVE_SNAPPY
static struct ptw_error *open_snappy(struct ptw_decomp *decomp)
{
	void *lib = dlopen(SNAPPY_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!lib) {
		why = dlerror();
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "page is snappy-compressed: %s cannot be loaded (%s)",
					SNAPPY_SONAME, why ? why : "no reason given");
	}
	decomp->snappy_length = (snappy_length_fn *)dlsym(lib, "snappy_uncompressed_length");
	decomp->snappy_uncompress = (snappy_uncompress_fn *)dlsym(lib, "snappy_uncompress");
	if (!decomp->snappy_length || !decomp->snappy_uncompress) {
		dlclose(lib);
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED,
					"page is snappy-compressed: %s lacks snappy_uncompress", SNAPPY_SONAME);
	}
	decomp->snappy = lib;
	return NULL;
}
#endif

static struct ptw_error *decode_snappy(struct ptw_decomp *decomp, const void *in, size_t in_len, void *out,
				       size_t out_len)
{
#ifdef HAVE_SNAPPY
	size_t told;

	if (!decomp->snappy) {
		struct ptw_error *err = open_snappy(decomp);

		if (err)
			return err;
	}
	/* The stream states its length up front: check it before decoding. */
	if (decomp->snappy_length(in, in_len, &told) != SNAPPY_OK)
		return ptw_error_create(PTW_E_BAD_DATA, "snappy data is corrupt: no length header");
	if (told != out_len)
		return size_mismatch(PTW_CODEC_SNAPPY, "", told, out_len);
	size_t produced = out_len;
	if (decomp->snappy_uncompress(in, in_len, out, &produced) != SNAPPY_OK)
		return ptw_error_create(PTW_E_BAD_DATA, "snappy data is corrupt");
	if (produced != out_len)
		return size_mismatch(PTW_CODEC_SNAPPY, "", produced, out_len);
	return NULL;
#else
	(void)decomp, (void)in, (void)in_len, (void)out, (void)out_len;
	return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "page is snappy-compressed: snappy support not built in");
#endif
}

static struct ptw_error *decode_zstd(struct ptw_decomp *decomp, const void *in, size_t in_len,
				     void *out, size_t out_len)
{
#ifdef HAVE_ZSTD
	unsigned long long told = ZSTD_getFrameContentSize(in, in_len);
	if (told == ZSTD_CONTENTSIZE_ERROR)
		return ptw_error_create(PTW_E_BAD_DATA, "zstd data is corrupt: no frame header");
	if (told != ZSTD_CONTENTSIZE_UNKNOWN && told != out_len)
		return ptw_error_create(PTW_E_BAD_DATA,
					"zstd data expands to %llu bytes, not the block size %zu",
					told, out_len);
	if (!decomp->zstd) {
		decomp->zstd = ZSTD_createDCtx();
		if (!decomp->zstd)
			return &ptw_enomem;
	}
	size_t produced = ZSTD_decompressDCtx(decomp->zstd, out, out_len, in, in_len);
	if (ZSTD_isError(produced)) {
		if (ZSTD_getErrorCode(produced) == ZSTD_error_dstSize_tooSmall)
			return size_mismatch(PTW_CODEC_ZSTD, "more than ", out_len, out_len);
		return ptw_error_create(PTW_E_BAD_DATA, "zstd data is corrupt: %s",
					ZSTD_getErrorName(produced));
	}
	if (produced != out_len)
		return size_mismatch(PTW_CODEC_ZSTD, "", produced, out_len);
	return NULL;
#else
	(void)decomp, (void)in, (void)in_len, (void)out, (void)out_len;
	return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "page is zstd-compressed: zstd support not built in");
#endif
}

struct ptw_error *ptw_decomp_page(struct ptw_decomp *decomp, enum ptw_codec codec,
				  const void *in, size_t in_len, void *out, size_t out_len)
{
	struct ptw_decomp *owned = NULL;
	struct ptw_error *err;
	if (!decomp && (codec == PTW_CODEC_ZLIB || codec == PTW_CODEC_ZSTD || codec == PTW_CODEC_SNAPPY)) {
		err = ptw_decomp_create(&owned);
		if (err)
			return err;
		decomp = owned;
	}
	switch (codec) {
	case PTW_CODEC_ZLIB:
		err = decode_zlib(decomp, in, in_len, out, out_len);
		break;
	case PTW_CODEC_LZO:
		err = decode_lzo(decomp, in, in_len, out, out_len);
		break;
	case PTW_CODEC_SNAPPY:
		err = decode_snappy(decomp, in, in_len, out, out_len);
		break;
	case PTW_CODEC_ZSTD:
		err = decode_zstd(decomp, in, in_len, out, out_len);
		break;
	default:
		err = ptw_error_create(PTW_E_NOT_IMPLEMENTED, "unknown codec %d", (int)codec);
		break;
	}
	ptw_decomp_destroy(owned);
	return err;
}
