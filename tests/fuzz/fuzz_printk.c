/* Fuzz harness: the printk buffer reader (src/printk.c) over a flat memory
 * image. Input: a 16-byte header, then the kernel memory at MEM_BASE (where
 * tests/cli/log_synth.py puts its rings: prb at +0, the ring at +0x100,
 * descriptors, infos and text after; log_buf's pointer at +0x10000).
 * Header byte 0 picks the buffer (bit 0: log_buf, else the lockless ring)
 * and whether VMCOREINFO's layout numbers come from header bytes 1-15 (bit 1)
 * instead of the 6.1 x86-64 layout, so that both the layout checks and the
 * record decoding see hostile values; byte 5 bit 0 gives log_buf's records
 * a caller_id (CONFIG_PRINTK_CALLER's 20-byte struct printk_log). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "printk.h"
#include "vmcoreinfo.h"

#define MEM_BASE UINT64_C(0xffff888000100000)
/* The reader's own loops are bounded by the ring sizes (up to 2^26
 * descriptors); its budget keeps one input from taking the fuzzer's time. */
#define BUDGET 2048

struct mem {
	const uint8_t *data;
	size_t size;
};

static struct ptw_error *read_mem(void *arg, uint64_t va, void *buf, size_t len)
{
	const struct mem *m = arg;

	if (va < MEM_BASE || va - MEM_BASE > m->size || len > m->size - (va - MEM_BASE))
		return ptw_error_address(PTW_E_FAULT, va, "virtual address 0x%llx is not mapped",
					 (unsigned long long)va);
	memcpy(buf, m->data + (va - MEM_BASE), len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[16] = { 0 };
	char text[4096];
	int n;

	memcpy(h, data, size < 16 ? size : 16);
	struct mem m = { size > 16 ? data + 16 : data, size > 16 ? size - 16 : 0 };
	bool legacy = h[0] & 1, perturb = h[0] & 2;

	if (!legacy)
		n = snprintf(text, sizeof(text),
			     "SYMBOL(prb)=ffff888000100000\n"
			     "SIZE(printk_ringbuffer)=%u\nOFFSET(printk_ringbuffer.desc_ring)=0\n"
			     "OFFSET(printk_ringbuffer.text_data_ring)=%u\n"
			     "OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=8\n"
			     "OFFSET(prb_desc_ring.infos)=16\nOFFSET(prb_desc_ring.head_id)=24\n"
			     "OFFSET(prb_desc_ring.tail_id)=32\nSIZE(prb_desc)=%u\nOFFSET(prb_desc.state_var)=0\n"
			     "OFFSET(prb_desc.text_blk_lpos)=%u\nOFFSET(prb_data_blk_lpos.begin)=0\n"
			     "OFFSET(prb_data_blk_lpos.next)=8\nSIZE(printk_info)=%u\nOFFSET(printk_info.seq)=0\n"
			     "OFFSET(printk_info.ts_nsec)=8\nOFFSET(printk_info.text_len)=%u\n"
			     "OFFSET(printk_info.caller_id)=%u\nOFFSET(printk_info.dev_info)=%u\n"
			     "OFFSET(dev_printk_info.subsystem)=0\nLENGTH(printk_info_subsystem)=%u\n"
			     "OFFSET(dev_printk_info.device)=16\nLENGTH(printk_info_device)=%u\n"
			     "OFFSET(prb_data_ring.size_bits)=0\nOFFSET(prb_data_ring.data)=8\n"
			     "OFFSET(prb_data_ring.head_lpos)=16\nOFFSET(prb_data_ring.tail_lpos)=24\n"
			     "OFFSET(atomic_long_t.counter)=%u\n",
			     perturb ? h[1] : 88, perturb ? h[2] : 48, perturb ? h[3] : 24, perturb ? h[4] : 8,
			     perturb ? h[5] : 88, perturb ? h[6] : 16, perturb ? h[7] : 20, perturb ? h[8] : 24,
			     perturb ? h[9] : 16, perturb ? h[10] : 48, perturb ? h[11] & 7 : 0);
	else
		n = snprintf(text, sizeof(text),
			     "SYMBOL(log_buf)=ffff888000110000\nSYMBOL(log_buf_len)=ffff888000110010\n"
			     "SYMBOL(log_first_idx)=ffff888000110020\nSYMBOL(log_next_idx)=ffff888000110030\n"
			     "SIZE(printk_log)=%u\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=%u\n"
			     "OFFSET(printk_log.text_len)=%u\nOFFSET(printk_log.dict_len)=%u\n%s",
			     perturb ? h[1] : h[5] & 1 ? 20 : 16, perturb ? h[2] : 8, perturb ? h[3] : 10,
			     perturb ? h[4] : 12, h[5] & 1 ? "OFFSET(printk_log.caller_id)=16\n" : "");
	if (n < 0 || (size_t)n >= sizeof(text))
		return 0;

	struct ptw_vmcoreinfo vi = { 0 };
	struct ptw_error *err = ptw_vmcoreinfo_parse(&vi, text, (size_t)n, 0);
	struct ptw_printk *pk = NULL;

	if (!err)
		err = ptw_printk_open_reader(&vi, read_mem, &m, &pk);
	if (!err)
		ptw_printk_set_budget(pk, BUDGET);
	for (unsigned i = 0; !err && i < BUDGET + 4; i++) {
		struct ptw_printk_record rec;
		bool done;

		err = ptw_printk_next(pk, &rec, &done);
		if (err || done)
			break;
		/* touch what a caller touches */
		volatile size_t sum = rec.text_len + rec.dict_len;
		for (size_t k = 0; k < rec.text_len; k++)
			sum += (unsigned char)rec.text[k];
		for (size_t k = 0; k < rec.dict_len; k++)
			sum += (unsigned char)rec.dict[k];
		if (rec.damage)
			sum += strlen(rec.damage);
		(void)sum;
	}
	ptw_error_destroy(err);
	ptw_printk_destroy(pk);
	ptw_vmcoreinfo_free(&vi);
	return 0;
}
