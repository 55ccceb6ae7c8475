/* Fuzz harness: the VMCOREINFO parser (strict, and lenient: bad lines as
 * warnings, as dumps are opened) and its typed getters over the number
 * parser. */
#include <stdint.h>
#include <stdlib.h>

#include "vmcoreinfo.h"

static const char *const numbers[] = { "VA_BITS", "TCR_EL1_T1SZ", "PHYS_OFFSET", "kimage_voffset" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptw_vmcoreinfo vi = { 0 };
	struct ptw_warnings warnings = { 0 };
	struct ptw_error *err = ptw_vmcoreinfo_parse_lenient(&vi, (const char *)data, size, 0, &warnings);

	ptw_warnings_free(&warnings);
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
	err = ptw_vmcoreinfo_parse(&vi, (const char *)data, size, 0);
	if (!err) {
		int64_t n;
		uint64_t u;
		for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
			ptw_error_destroy(ptw_vmcoreinfo_number(&vi, numbers[i], &n));
		ptw_error_destroy(ptw_vmcoreinfo_symbol(&vi, "swapper_pg_dir", &u));
		ptw_error_destroy(ptw_vmcoreinfo_u64(&vi, "PAGESIZE", 10, &u));
		ptw_error_destroy(ptw_vmcoreinfo_u64(&vi, "KERNELOFFSET", 16, &u));
		ptw_error_destroy(ptw_vmcoreinfo_set(&vi, "NUMBER(VA_BITS)=52"));
	}
	ptw_error_destroy(err);
	ptw_vmcoreinfo_free(&vi);
	return 0;
}
