/* The kernel log from the printk buffer, described by VMCOREINFO alone.
 *
 * Lockless ring buffer (kernel/printk/printk_ringbuffer.[ch], 5.10+): a
 * descriptor ring (struct prb_desc: state_var = state << 62 | id, and the
 * text block's logical positions) beside an array of struct printk_info, and
 * a text data ring of 2^size_bits bytes holding blocks "unsigned long id;
 * char text[]". The live descriptors are the ids tail_id .. head_id; a
 * descriptor's slot is id mod 2^count_bits and its record's sequence number
 * is congruent to the slot. We walk ids from tail to head, as crash and
 * makedumpfile do, and show committed and finalized records.
 *
 * log_buf (before 5.10): records "struct printk_log; text; dict" laid end to
 * end in a byte buffer from log_first_idx to log_next_idx, a header of len 0
 * meaning "continue at offset 0". */
#include "printk.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmem.h"

/* The kernel's limits (kernel/printk/printk.c): log_buf_len is at most
 * LOG_BUF_LEN_MAX = 2^31, and the descriptor count is that over
 * 2^PRB_AVGBITS (2^5). Anything beyond is corrupt, and refusing it keeps every
 * loop here within what a real kernel can hold. */
#define MAX_DATA_BITS 31u
#define MAX_COUNT_BITS 26u
/* Struct sizes VMCOREINFO may state; the real ones are a few dozen bytes. */
#define MAX_STRUCT_SIZE 1024u
#define TEXT_MAX 65535u /* text_len is a u16 */
/* A ring this damaged is not a log any more: stop rather than spend minutes
 * reporting each of up to 2^26 unreadable descriptors. */
#define MAX_DAMAGED 4096u

/* state_var: the top two bits of an unsigned long are the state. */
#define DESC_STATE_SHIFT 62
#define DESC_ID_MASK (~(UINT64_C(3) << DESC_STATE_SHIFT))
enum desc_state { DESC_RESERVED = 0, DESC_COMMITTED = 1, DESC_FINALIZED = 2, DESC_REUSABLE = 3 };
/* Special text_blk_lpos values: bit 0 set means "no data block". */
#define FAILED_LPOS UINT64_C(0x1)
#define EMPTY_LINE_LPOS UINT64_C(0x3) /* NO_LPOS in 6.1: an empty line */

/* A cached piece of one kernel array, so that walking the descriptors, the
 * infos and the text costs a few large reads instead of three small reads per
 * record (each of which would switch pages and walk the tables again). */
#define WINDOW_SIZE (128u * 1024u)
struct window {
	uint64_t array_va, array_len; /* the array the window may cover */
	uint64_t va;                  /* start of the cached bytes */
	size_t len;                   /* 0: nothing cached */
	unsigned char *buf;
};

enum kind { KIND_LOCKLESS, KIND_LEGACY };

/* VMCOREINFO's layout of the lockless ring. */
struct prb_layout {
	uint64_t prb_sym;
	uint64_t rb_size, desc_ring_off, data_ring_off;
	uint64_t count_bits_off, descs_off, infos_off, head_id_off, tail_id_off;
	uint64_t counter_off; /* atomic_long_t.counter */
	uint64_t desc_size, state_var_off, text_blk_lpos_off, lpos_begin_off, lpos_next_off;
	uint64_t info_size, seq_off, ts_nsec_off, text_len_off, caller_id_off, dev_info_off;
	bool have_dev_info;
	uint64_t subsystem_off, subsystem_len, device_off, device_len;
	bool level_byte_known; /* facility and flags:5/level:3 follow text_len */
	uint64_t size_bits_off, data_off, head_lpos_off, tail_lpos_off;
};

/* VMCOREINFO's layout of log_buf. */
struct legacy_layout {
	uint64_t log_buf_sym, log_buf_len_sym, first_idx_sym, next_idx_sym;
	uint64_t hdr_size, ts_nsec_off, len_off, text_len_off, dict_len_off;
	bool have_caller;
	uint64_t caller_id_off;
	bool level_byte_known;
};

struct ptw_printk {
	enum kind kind;
	ptw_printk_read_fn *read;
	void *read_arg;
	char damage[320];
	uint64_t budget;                    /* visits left (ptw_printk_set_budget) */
	unsigned damaged;                   /* damaged records handed out */
	char *text;  /* TEXT_MAX + 1 */
	char *dict;  /* the record's dictionary */
	size_t dict_cap;
	unsigned char hdr[MAX_STRUCT_SIZE];

	/* lockless */
	struct prb_layout l;
	uint64_t count, count_mask;         /* descriptors */
	unsigned data_bits;                 /* text data ring: 2^data_bits bytes */
	uint64_t data_size, data_va;
	uint64_t head_lpos, tail_lpos;
	bool lpos_range_sane;               /* head - tail fits in the ring */
	uint64_t next_id, head_id;
	uint64_t ids_left;                  /* budget: descriptors still to visit */
	bool clamp_pending;                 /* report the clamped id range first */
	uint64_t clamp_tail, clamp_head;
	struct window descs, infos, data;

	/* legacy */
	struct legacy_layout g;
	uint64_t buf_va, buf_len, idx, next_idx;
	uint64_t steps_left;
	bool wrapped_last;                  /* the previous step was a wrap marker */
	bool legacy_done;
};

/* --------------------------------------------------------------- helpers */

static uint64_t get_le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static struct ptw_error *need_u64(const struct ptw_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	if (!ptw_vmcoreinfo_has(vi, key))
		return ptw_error_create(PTW_E_BAD_DATA, "the kernel log: VMCOREINFO has no %s", key);
	return ptw_error_prepend(ptw_vmcoreinfo_u64(vi, key, 10, ret), "the kernel log: ");
}

static struct ptw_error *need_symbol(const struct ptw_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	if (!ptw_vmcoreinfo_try_symbol(vi, name, ret))
		return ptw_error_create(PTW_E_BAD_DATA, "the kernel log: VMCOREINFO has no usable SYMBOL(%s)", name);
	return NULL;
}

/* Fetch the keys of a table; the first missing one is the error. */
struct key_slot {
	const char *key;
	uint64_t *dst;
};

static struct ptw_error *need_all(const struct ptw_vmcoreinfo *vi, const struct key_slot *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ptw_error *err = need_u64(vi, k[i].key, k[i].dst);
		if (err)
			return err;
	}
	return NULL;
}

/* offset + width within size, without overflow. */
static bool fits(uint64_t off, uint64_t width, uint64_t size)
{
	return off <= size && width <= size - off;
}

static struct ptw_error *bad_field(const char *what, uint64_t off, uint64_t width, uint64_t size)
{
	return ptw_error_create(PTW_E_BAD_DATA,
				"the kernel log: VMCOREINFO places %s at offset %" PRIu64 " (%" PRIu64
				" bytes) beyond its struct of %" PRIu64 " bytes",
				what, off, width, size);
}

static void set_damage(struct ptw_printk *pk, struct ptw_printk_record *rec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_damage(struct ptw_printk *pk, struct ptw_printk_record *rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pk->damage, sizeof(pk->damage), fmt, ap);
	va_end(ap);
	rec->damage = pk->damage;
	rec->text = "";
	rec->text_len = 0;
	rec->dict = "";
	rec->dict_len = 0;
}

/* Read [va, va + len) of the window's array, from the cached piece when it
 * holds it, else by refilling the piece from va. A failed refill falls back
 * to reading just the bytes asked for, whose error then names the page. */
static struct ptw_error *window_read(struct ptw_printk *pk, struct window *w, uint64_t va, void *out,
				     size_t len)
{
	if (w->len && va >= w->va && va - w->va <= w->len && len <= w->len - (va - w->va)) {
		memcpy(out, w->buf + (va - w->va), len);
		return NULL;
	}
	if (len <= WINDOW_SIZE && va >= w->array_va && va - w->array_va < w->array_len) {
		uint64_t start = va & ~UINT64_C(4095);
		uint64_t end;

		if (start < w->array_va)
			start = w->array_va;
		end = w->array_va + w->array_len;
		if (end - start > WINDOW_SIZE)
			end = start + WINDOW_SIZE;
		if (len <= end - va) {
			w->len = 0;
			struct ptw_error *err = pk->read(pk->read_arg, start, w->buf, (size_t)(end - start));
			if (!err) {
				w->va = start;
				w->len = (size_t)(end - start);
				memcpy(out, w->buf + (va - start), len);
				return NULL;
			}
			ptw_error_destroy(err);
		}
	}
	return pk->read(pk->read_arg, va, out, len);
}

static struct ptw_error *window_init(struct window *w, uint64_t va, uint64_t len)
{
	w->array_va = va;
	/* An array stated to run past the top of the address space ends there. */
	w->array_len = len > UINT64_MAX - va ? UINT64_MAX - va : len;
	w->len = 0;
	w->buf = malloc(WINDOW_SIZE);
	return w->buf ? NULL : &ptw_enomem;
}

/* Append "KEY=VALUE\0" to the record's dictionary; value is at most n bytes,
 * cut at its first NUL. */
static void dict_add(struct ptw_printk *pk, size_t *len, const char *key, const char *value, size_t n)
{
	size_t klen = strlen(key), vlen = strnlen(value, n);

	if (!vlen || *len + klen + 1 + vlen + 1 > pk->dict_cap)
		return;
	memcpy(pk->dict + *len, key, klen);
	pk->dict[*len + klen] = '=';
	memcpy(pk->dict + *len + klen + 1, value, vlen);
	pk->dict[*len + klen + 1 + vlen] = '\0';
	*len += klen + 1 + vlen + 1;
}

/* ------------------------------------------------------- lockless: open */

static struct ptw_error *lockless_layout(const struct ptw_vmcoreinfo *vi, struct prb_layout *l)
{
	struct ptw_error *err = need_symbol(vi, "prb", &l->prb_sym);
	const struct key_slot keys[] = {
		{ "SIZE(printk_ringbuffer)", &l->rb_size },
		{ "OFFSET(printk_ringbuffer.desc_ring)", &l->desc_ring_off },
		{ "OFFSET(printk_ringbuffer.text_data_ring)", &l->data_ring_off },
		{ "OFFSET(prb_desc_ring.count_bits)", &l->count_bits_off },
		{ "OFFSET(prb_desc_ring.descs)", &l->descs_off },
		{ "OFFSET(prb_desc_ring.infos)", &l->infos_off },
		{ "OFFSET(prb_desc_ring.head_id)", &l->head_id_off },
		{ "OFFSET(prb_desc_ring.tail_id)", &l->tail_id_off },
		{ "SIZE(prb_desc)", &l->desc_size },
		{ "OFFSET(prb_desc.state_var)", &l->state_var_off },
		{ "OFFSET(prb_desc.text_blk_lpos)", &l->text_blk_lpos_off },
		{ "OFFSET(prb_data_blk_lpos.begin)", &l->lpos_begin_off },
		{ "OFFSET(prb_data_blk_lpos.next)", &l->lpos_next_off },
		{ "SIZE(printk_info)", &l->info_size },
		{ "OFFSET(printk_info.seq)", &l->seq_off },
		{ "OFFSET(printk_info.ts_nsec)", &l->ts_nsec_off },
		{ "OFFSET(printk_info.text_len)", &l->text_len_off },
		{ "OFFSET(printk_info.caller_id)", &l->caller_id_off },
		{ "OFFSET(prb_data_ring.size_bits)", &l->size_bits_off },
		{ "OFFSET(prb_data_ring.data)", &l->data_off },
		{ "OFFSET(prb_data_ring.head_lpos)", &l->head_lpos_off },
		{ "OFFSET(prb_data_ring.tail_lpos)", &l->tail_lpos_off },
	};

	if (err)
		return err;
	err = need_all(vi, keys, sizeof(keys) / sizeof(keys[0]));
	if (err)
		return err;
	/* atomic_long_t.counter is 0 on every kernel; the entry came with 5.10. */
	l->counter_off = 0;
	if (ptw_vmcoreinfo_has(vi, "OFFSET(atomic_long_t.counter)")) {
		err = need_u64(vi, "OFFSET(atomic_long_t.counter)", &l->counter_off);
		if (err)
			return err;
	}
	/* The device dictionary: all four entries, or none. */
	l->have_dev_info = ptw_vmcoreinfo_has(vi, "OFFSET(printk_info.dev_info)");
	if (l->have_dev_info) {
		uint64_t dev_info_off;
		const struct key_slot dev[] = {
			{ "OFFSET(printk_info.dev_info)", &dev_info_off },
			{ "OFFSET(dev_printk_info.subsystem)", &l->subsystem_off },
			{ "LENGTH(printk_info_subsystem)", &l->subsystem_len },
			{ "OFFSET(dev_printk_info.device)", &l->device_off },
			{ "LENGTH(printk_info_device)", &l->device_len },
		};
		err = need_all(vi, dev, sizeof(dev) / sizeof(dev[0]));
		if (err)
			return err;
		l->dev_info_off = dev_info_off;
	}

	/* Every offset and size is a small number in a real kernel; capping
	 * each keeps the sums below from wrapping. */
	const uint64_t parts[] = {
		l->rb_size, l->desc_ring_off, l->data_ring_off, l->count_bits_off, l->descs_off, l->infos_off,
		l->head_id_off, l->tail_id_off, l->counter_off, l->desc_size, l->state_var_off,
		l->text_blk_lpos_off, l->lpos_begin_off, l->lpos_next_off, l->info_size, l->seq_off,
		l->ts_nsec_off, l->text_len_off, l->caller_id_off, l->size_bits_off, l->data_off,
		l->head_lpos_off, l->tail_lpos_off, l->dev_info_off, l->subsystem_off, l->subsystem_len,
		l->device_off, l->device_len,
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i] > MAX_STRUCT_SIZE)
			return ptw_error_create(PTW_E_BAD_DATA,
						"the kernel log: VMCOREINFO gives an implausible ring buffer layout "
						"(a size or offset of %" PRIu64 " bytes)", parts[i]);
	if (l->desc_size == 0 || l->info_size == 0)
		return ptw_error_create(PTW_E_BAD_DATA,
					"the kernel log: VMCOREINFO gives a zero SIZE(prb_desc) or SIZE(printk_info)");
	/* Every field read below must lie inside the struct it belongs to. */
	const struct {
		const char *what;
		uint64_t off, width, size;
	} f[] = {
		{ "prb_desc_ring.count_bits", l->desc_ring_off + l->count_bits_off, 4, l->rb_size },
		{ "prb_desc_ring.descs", l->desc_ring_off + l->descs_off, 8, l->rb_size },
		{ "prb_desc_ring.infos", l->desc_ring_off + l->infos_off, 8, l->rb_size },
		{ "prb_desc_ring.head_id", l->desc_ring_off + l->head_id_off + l->counter_off, 8, l->rb_size },
		{ "prb_desc_ring.tail_id", l->desc_ring_off + l->tail_id_off + l->counter_off, 8, l->rb_size },
		{ "prb_data_ring.size_bits", l->data_ring_off + l->size_bits_off, 4, l->rb_size },
		{ "prb_data_ring.data", l->data_ring_off + l->data_off, 8, l->rb_size },
		{ "prb_data_ring.head_lpos", l->data_ring_off + l->head_lpos_off + l->counter_off, 8, l->rb_size },
		{ "prb_data_ring.tail_lpos", l->data_ring_off + l->tail_lpos_off + l->counter_off, 8, l->rb_size },
		{ "prb_desc.state_var", l->state_var_off + l->counter_off, 8, l->desc_size },
		{ "prb_data_blk_lpos.begin", l->text_blk_lpos_off + l->lpos_begin_off, 8, l->desc_size },
		{ "prb_data_blk_lpos.next", l->text_blk_lpos_off + l->lpos_next_off, 8, l->desc_size },
		{ "printk_info.seq", l->seq_off, 8, l->info_size },
		{ "printk_info.ts_nsec", l->ts_nsec_off, 8, l->info_size },
		{ "printk_info.text_len", l->text_len_off, 2, l->info_size },
		{ "printk_info.caller_id", l->caller_id_off, 4, l->info_size },
		{ "dev_printk_info.subsystem", l->dev_info_off + l->subsystem_off, l->subsystem_len, l->info_size },
		{ "dev_printk_info.device", l->dev_info_off + l->device_off, l->device_len, l->info_size },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!fits(f[i].off, f[i].width, f[i].size))
			return bad_field(f[i].what, f[i].off, f[i].width, f[i].size);
	/* struct printk_info { u64 seq; u64 ts_nsec; u16 text_len; u8 facility;
	 * u8 flags:5; u8 level:3; u32 caller_id; ... } has not changed since
	 * 5.10, and VMCOREINFO names neither facility nor the bit-fields: they
	 * are the two bytes after text_len exactly when caller_id follows
	 * text_len by 4 bytes. On both little-endian targets GCC allocates
	 * flags in bits 0-4 and level in bits 5-7. */
	l->level_byte_known = l->caller_id_off == l->text_len_off + 4;
	return NULL;
}

static struct ptw_error *lockless_open(struct ptw_printk *pk, const struct ptw_vmcoreinfo *vi)
{
	struct prb_layout *l = &pk->l;
	struct ptw_error *err = lockless_layout(vi, l);
	unsigned char ptr[8];
	uint64_t rb;

	if (err)
		return err;
	err = pk->read(pk->read_arg, l->prb_sym, ptr, 8);
	if (err)
		return ptw_error_prepend(err, "the kernel log: reading prb at 0x%" PRIx64, l->prb_sym);
	rb = get_le(ptr, 8);
	err = pk->read(pk->read_arg, rb, pk->hdr, (size_t)l->rb_size);
	if (err)
		return ptw_error_prepend(err, "the kernel log: reading the ring buffer at 0x%" PRIx64, rb);

	const unsigned char *dr = pk->hdr + l->desc_ring_off, *tr = pk->hdr + l->data_ring_off;
	uint64_t count_bits = get_le(dr + l->count_bits_off, 4);
	uint64_t size_bits = get_le(tr + l->size_bits_off, 4);

	if (count_bits > MAX_COUNT_BITS)
		return ptw_error_address(PTW_E_BAD_DATA, rb,
					 "the kernel log: ring buffer at 0x%" PRIx64 " claims 2^%" PRIu64
					 " descriptors (the kernel allows at most 2^%u)",
					 rb, count_bits, MAX_COUNT_BITS);
	if (size_bits > MAX_DATA_BITS || size_bits < 4)
		return ptw_error_address(PTW_E_BAD_DATA, rb,
					 "the kernel log: ring buffer at 0x%" PRIx64 " claims a text ring of 2^%" PRIu64
					 " bytes (the kernel uses 2^4 to 2^%u)",
					 rb, size_bits, MAX_DATA_BITS);
	pk->count = UINT64_C(1) << count_bits;
	pk->count_mask = pk->count - 1;
	pk->data_bits = (unsigned)size_bits;
	pk->data_size = UINT64_C(1) << size_bits;
	pk->data_va = get_le(tr + l->data_off, 8);
	pk->head_lpos = get_le(tr + l->head_lpos_off + l->counter_off, 8);
	pk->tail_lpos = get_le(tr + l->tail_lpos_off + l->counter_off, 8);
	pk->lpos_range_sane = pk->head_lpos - pk->tail_lpos <= pk->data_size;

	uint64_t descs_va = get_le(dr + l->descs_off, 8), infos_va = get_le(dr + l->infos_off, 8);
	uint64_t head = get_le(dr + l->head_id_off + l->counter_off, 8) & DESC_ID_MASK;
	uint64_t tail = get_le(dr + l->tail_id_off + l->counter_off, 8) & DESC_ID_MASK;
	uint64_t span = ((head - tail) & DESC_ID_MASK) + 1;

	if (span > pk->count) {
		/* The kernel keeps head - tail below the descriptor count; more is
		 * a corrupt header. Show what the last count descriptors hold. */
		pk->clamp_pending = true;
		pk->clamp_tail = tail;
		pk->clamp_head = head;
		tail = (head - (pk->count - 1)) & DESC_ID_MASK;
		span = pk->count;
	}
	pk->next_id = tail;
	pk->head_id = head;
	pk->ids_left = span;

	if ((err = window_init(&pk->descs, descs_va, pk->count * l->desc_size)) ||
	    (err = window_init(&pk->infos, infos_va, pk->count * l->info_size)) ||
	    (err = window_init(&pk->data, pk->data_va, pk->data_size)))
		return err;
	return NULL;
}

/* ------------------------------------------------------- lockless: next */

/* Read descriptor id into rec; false when it holds no record to show. */
static bool lockless_record(struct ptw_printk *pk, uint64_t id, struct ptw_printk_record *rec)
{
	const struct prb_layout *l = &pk->l;
	uint64_t slot = id & pk->count_mask;
	unsigned char desc[MAX_STRUCT_SIZE], info[MAX_STRUCT_SIZE], idbuf[8];
	struct ptw_error *err;

	err = window_read(pk, &pk->descs, pk->descs.array_va + slot * l->desc_size, desc, (size_t)l->desc_size);
	if (err) {
		set_damage(pk, rec, "descriptor %" PRIu64 " (slot %" PRIu64 "): %s", id, slot, err->message);
		ptw_error_destroy(err);
		return true;
	}
	uint64_t sv = get_le(desc + l->state_var_off + l->counter_off, 8);
	uint64_t sv_id = sv & DESC_ID_MASK;
	unsigned state = (unsigned)(sv >> DESC_STATE_SHIFT);

	if (sv_id != id) {
		/* desc_reserve() moves head_id before it stamps the slot with the
		 * new id: a slot still holding the id one wrap back is a record
		 * being reserved when the machine stopped. */
		if (((id - sv_id) & DESC_ID_MASK) == pk->count)
			return false;
		set_damage(pk, rec, "descriptor %" PRIu64 " (slot %" PRIu64 "): the slot holds id %" PRIu64
			   " (state_var 0x%" PRIx64 ")", id, slot, sv_id, sv);
		return true;
	}
	if (state != DESC_COMMITTED && state != DESC_FINALIZED)
		return false; /* being written, or its data already given back */

	err = window_read(pk, &pk->infos, pk->infos.array_va + slot * l->info_size, info, (size_t)l->info_size);
	if (err) {
		set_damage(pk, rec, "descriptor %" PRIu64 " (slot %" PRIu64 "): %s", id, slot, err->message);
		ptw_error_destroy(err);
		return true;
	}
	uint64_t seq = get_le(info + l->seq_off, 8);
	uint64_t begin = get_le(desc + l->text_blk_lpos_off + l->lpos_begin_off, 8);
	uint64_t next = get_le(desc + l->text_blk_lpos_off + l->lpos_next_off, 8);
	unsigned text_len = (unsigned)get_le(info + l->text_len_off, 2);

	rec->have_seq = true;
	rec->seq = seq;
	if ((seq & pk->count_mask) != slot) {
		set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): a sequence number that slot %" PRIu64
			   " of %" PRIu64 " cannot hold", seq, id, slot, pk->count);
		return true;
	}

	/* The text block, validated as the kernel's get_data() does. */
	uint64_t data_index, data_size;

	if ((begin & 1) && (next & 1)) {
		if (begin == FAILED_LPOS && next == FAILED_LPOS)
			return false; /* the kernel lost this record's text: it skips it too */
		if (begin != EMPTY_LINE_LPOS || next != EMPTY_LINE_LPOS) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): text block [0x%" PRIx64
				   ", 0x%" PRIx64 ") is neither data nor a known data-less mark", seq, id, begin, next);
			return true;
		}
		data_index = 0;
		data_size = 0;
	} else {
		unsigned bits = pk->data_bits;

		if ((begin >> bits) == (next >> bits) && begin < next) {
			data_index = begin & (pk->data_size - 1);
			data_size = next - begin;
		} else if (((begin + pk->data_size) >> bits) == (next >> bits)) {
			data_index = 0; /* wrapped: the text starts again at offset 0 */
			data_size = next & (pk->data_size - 1);
		} else {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): text block [0x%" PRIx64
				   ", 0x%" PRIx64 ") does not fit the text ring of 0x%" PRIx64 " bytes",
				   seq, id, begin, next, pk->data_size);
			return true;
		}
		if ((begin & 7) || (next & 7) || data_size < 8) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): text block [0x%" PRIx64
				   ", 0x%" PRIx64 ") is misaligned or too short", seq, id, begin, next);
			return true;
		}
		/* Blocks the kernel still holds lie between the ring's tail and
		 * head: data_push_tail() retires a block's descriptor before
		 * moving the tail past it, data_alloc() moves the head first. */
		if (pk->lpos_range_sane &&
		    (begin - pk->tail_lpos > pk->head_lpos - pk->tail_lpos ||
		     next - pk->tail_lpos > pk->head_lpos - pk->tail_lpos)) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): text block [0x%" PRIx64
				   ", 0x%" PRIx64 ") lies outside the text ring's live range [0x%" PRIx64 ", 0x%" PRIx64 ")",
				   seq, id, begin, next, pk->tail_lpos, pk->head_lpos);
			return true;
		}
		data_size -= 8;
		if (text_len > data_size) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): text_len %u exceeds its block of %"
				   PRIu64 " bytes", seq, id, text_len, data_size);
			return true;
		}
		err = window_read(pk, &pk->data, pk->data_va + data_index, idbuf, 8);
		if (!err && text_len)
			err = window_read(pk, &pk->data, pk->data_va + data_index + 8, pk->text, text_len);
		if (err) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): %s", seq, id, err->message);
			ptw_error_destroy(err);
			return true;
		}
		uint64_t blk_id = get_le(idbuf, 8);
		if (blk_id != id) {
			set_damage(pk, rec, "record seq %" PRIu64 " (descriptor %" PRIu64 "): its text block at ring offset 0x%"
				   PRIx64 " belongs to descriptor %" PRIu64, seq, id, data_index, blk_id);
			return true;
		}
	}
	if (data_size == 0)
		text_len = 0;

	rec->damage = NULL;
	rec->ts_nsec = get_le(info + l->ts_nsec_off, 8);
	if (l->level_byte_known) {
		unsigned b = info[l->text_len_off + 3];
		rec->facility = info[l->text_len_off + 2];
		rec->flags = b & 0x1f;
		rec->level = (int)(b >> 5);
	} else {
		rec->facility = -1;
		rec->flags = 0;
		rec->level = -1;
	}
	rec->have_caller = true;
	rec->caller_id = (uint32_t)get_le(info + l->caller_id_off, 4);
	rec->text = pk->text;
	rec->text_len = text_len;
	size_t dlen = 0;
	if (l->have_dev_info) {
		dict_add(pk, &dlen, "SUBSYSTEM", (const char *)info + l->dev_info_off + l->subsystem_off,
			 (size_t)l->subsystem_len);
		dict_add(pk, &dlen, "DEVICE", (const char *)info + l->dev_info_off + l->device_off,
			 (size_t)l->device_len);
	}
	rec->dict = pk->dict;
	rec->dict_len = dlen;
	return true;
}

static struct ptw_error *lockless_next(struct ptw_printk *pk, struct ptw_printk_record *rec, bool *done_ret)
{
	if (pk->clamp_pending) {
		pk->clamp_pending = false;
		rec->have_seq = false;
		set_damage(pk, rec, "descriptor ring: tail id %" PRIu64 " and head id %" PRIu64
			   " are more than its %" PRIu64 " descriptors apart; reading the last %" PRIu64,
			   pk->clamp_tail, pk->clamp_head, pk->count, pk->count);
		*done_ret = false;
		return NULL;
	}
	while (pk->ids_left) {
		uint64_t id = pk->next_id;

		if (!pk->budget) {
			pk->ids_left = 0;
			rec->have_seq = false;
			set_damage(pk, rec, "stopped at descriptor %" PRIu64 ": the caller's budget of descriptors is spent", id);
			*done_ret = false;
			return NULL;
		}
		pk->budget--;
		pk->next_id = (id + 1) & DESC_ID_MASK;
		pk->ids_left--;
		memset(rec, 0, sizeof(*rec));
		if (lockless_record(pk, id, rec)) {
			if (rec->damage && ++pk->damaged > MAX_DAMAGED) {
				pk->ids_left = 0;
				return ptw_error_create(PTW_E_BAD_DATA,
							"the kernel log: more than %u damaged records, the last at descriptor %" PRIu64
							": the ring is corrupt", MAX_DAMAGED, id);
			}
			*done_ret = false;
			return NULL;
		}
	}
	*done_ret = true;
	return NULL;
}

/* --------------------------------------------------------- log_buf: open */

static struct ptw_error *legacy_open(struct ptw_printk *pk, const struct ptw_vmcoreinfo *vi)
{
	struct legacy_layout *g = &pk->g;
	struct ptw_error *err;
	const struct key_slot keys[] = {
		{ "SIZE(printk_log)", &g->hdr_size },
		{ "OFFSET(printk_log.ts_nsec)", &g->ts_nsec_off },
		{ "OFFSET(printk_log.len)", &g->len_off },
		{ "OFFSET(printk_log.text_len)", &g->text_len_off },
		{ "OFFSET(printk_log.dict_len)", &g->dict_len_off },
	};
	unsigned char b[8];

	if ((err = need_symbol(vi, "log_buf", &g->log_buf_sym)) ||
	    (err = need_symbol(vi, "log_buf_len", &g->log_buf_len_sym)) ||
	    (err = need_symbol(vi, "log_first_idx", &g->first_idx_sym)) ||
	    (err = need_symbol(vi, "log_next_idx", &g->next_idx_sym)) ||
	    (err = need_all(vi, keys, sizeof(keys) / sizeof(keys[0]))))
		return err;
	g->have_caller = ptw_vmcoreinfo_has(vi, "OFFSET(printk_log.caller_id)");
	if (g->have_caller && (err = need_u64(vi, "OFFSET(printk_log.caller_id)", &g->caller_id_off)))
		return err;
	if (g->hdr_size == 0 || g->hdr_size > MAX_STRUCT_SIZE)
		return ptw_error_create(PTW_E_BAD_DATA, "the kernel log: VMCOREINFO gives SIZE(printk_log)=%" PRIu64,
					g->hdr_size);
	if (!fits(g->ts_nsec_off, 8, g->hdr_size) || !fits(g->len_off, 2, g->hdr_size) ||
	    !fits(g->text_len_off, 2, g->hdr_size) || !fits(g->dict_len_off, 2, g->hdr_size) ||
	    (g->have_caller && !fits(g->caller_id_off, 4, g->hdr_size)))
		return bad_field("a printk_log field", 0, 0, g->hdr_size);
	/* struct printk_log { u64 ts_nsec; u16 len; u16 text_len; u16 dict_len;
	 * u8 facility; u8 flags:5; u8 level:3; ... } (3.5 .. 5.9): facility and
	 * the bit-fields are the two bytes after dict_len, which VMCOREINFO
	 * places right after text_len, right after len. */
	g->level_byte_known = g->text_len_off == g->len_off + 2 && g->dict_len_off == g->text_len_off + 2 &&
			      fits(g->dict_len_off + 2, 2, g->hdr_size);

	if ((err = pk->read(pk->read_arg, g->log_buf_sym, b, 8)))
		return ptw_error_prepend(err, "the kernel log: reading log_buf");
	pk->buf_va = get_le(b, 8);
	if ((err = pk->read(pk->read_arg, g->log_buf_len_sym, b, 4)))
		return ptw_error_prepend(err, "the kernel log: reading log_buf_len");
	pk->buf_len = get_le(b, 4);
	if ((err = pk->read(pk->read_arg, g->first_idx_sym, b, 4)))
		return ptw_error_prepend(err, "the kernel log: reading log_first_idx");
	pk->idx = get_le(b, 4);
	if ((err = pk->read(pk->read_arg, g->next_idx_sym, b, 4)))
		return ptw_error_prepend(err, "the kernel log: reading log_next_idx");
	pk->next_idx = get_le(b, 4);
	if (pk->buf_len == 0 || pk->buf_len > (UINT64_C(1) << MAX_DATA_BITS) || pk->idx > pk->buf_len ||
	    pk->next_idx > pk->buf_len)
		return ptw_error_create(PTW_E_BAD_DATA,
					"the kernel log: log_buf_len %" PRIu64 ", log_first_idx %" PRIu64
					" and log_next_idx %" PRIu64 " do not describe a buffer",
					pk->buf_len, pk->idx, pk->next_idx);
	/* Each record takes at least a header, each wrap marker too, and there
	 * is at most one wrap: this many steps cover any real buffer. */
	pk->steps_left = pk->buf_len / g->hdr_size + 2;
	return window_init(&pk->data, pk->buf_va, pk->buf_len);
}

/* Split log_buf's dict ("KEY=VALUE\0KEY=VALUE", no trailing NUL) into the
 * record's NUL-ended strings. */
static size_t legacy_dict(struct ptw_printk *pk, const char *raw, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && raw[e])
			e++;
		if (e > i && len + (e - i) + 1 <= pk->dict_cap / 2) {
			memcpy(pk->dict + len, raw + i, e - i);
			pk->dict[len + (e - i)] = '\0';
			len += e - i + 1;
		}
		i = e + 1;
	}
	return len;
}

static struct ptw_error *legacy_next(struct ptw_printk *pk, struct ptw_printk_record *rec, bool *done_ret)
{
	const struct legacy_layout *g = &pk->g;
	struct ptw_error *err;

	memset(rec, 0, sizeof(*rec));
	while (!pk->legacy_done && pk->idx != pk->next_idx && pk->steps_left) {
		uint64_t at = pk->idx;

		if (!pk->budget) {
			pk->legacy_done = true;
			set_damage(pk, rec, "stopped at log_buf offset 0x%" PRIx64 ": the caller's budget of records is spent", at);
			*done_ret = false;
			return NULL;
		}
		pk->budget--;
		pk->steps_left--;
		/* No room for a header before the end: the kernel wrapped. */
		if (at + g->hdr_size > pk->buf_len) {
			pk->idx = 0;
			if (pk->wrapped_last)
				break;
			pk->wrapped_last = true;
			continue;
		}
		err = window_read(pk, &pk->data, pk->buf_va + at, pk->hdr, (size_t)g->hdr_size);
		if (err) {
			set_damage(pk, rec, "log_buf offset 0x%" PRIx64 ": %s; the records after it are lost", at, err->message);
			ptw_error_destroy(err);
			pk->legacy_done = true;
			*done_ret = false;
			return NULL;
		}
		uint64_t len = get_le(pk->hdr + g->len_off, 2);
		uint64_t text_len = get_le(pk->hdr + g->text_len_off, 2);
		uint64_t dict_len = get_le(pk->hdr + g->dict_len_off, 2);

		if (len == 0) { /* the end-of-buffer marker */
			pk->idx = 0;
			if (pk->wrapped_last)
				break;
			pk->wrapped_last = true;
			continue;
		}
		pk->wrapped_last = false;
		if (len < g->hdr_size + text_len + dict_len || at + len > pk->buf_len) {
			set_damage(pk, rec, "log_buf offset 0x%" PRIx64 ": a record of %" PRIu64 " bytes (text %" PRIu64
				   ", dict %" PRIu64 ") does not fit its header of %" PRIu64 " or the buffer of %" PRIu64
				   " bytes; the records after it are lost",
				   at, len, text_len, dict_len, g->hdr_size, pk->buf_len);
			pk->legacy_done = true;
			*done_ret = false;
			return NULL;
		}
		pk->idx = at + len;
		err = window_read(pk, &pk->data, pk->buf_va + at + g->hdr_size, pk->text, (size_t)text_len);
		if (!err && dict_len)
			err = window_read(pk, &pk->data, pk->buf_va + at + g->hdr_size + text_len, pk->dict + pk->dict_cap / 2,
					  (size_t)dict_len);
		if (err) {
			set_damage(pk, rec, "log_buf offset 0x%" PRIx64 ": %s", at, err->message);
			ptw_error_destroy(err);
			*done_ret = false;
			return NULL;
		}
		rec->damage = NULL;
		rec->have_seq = false;
		rec->ts_nsec = get_le(pk->hdr + g->ts_nsec_off, 8);
		if (g->level_byte_known) {
			unsigned b = pk->hdr[g->dict_len_off + 3];
			rec->facility = pk->hdr[g->dict_len_off + 2];
			rec->flags = b & 0x1f;
			rec->level = (int)(b >> 5);
		} else {
			rec->facility = rec->level = -1;
		}
		rec->have_caller = g->have_caller;
		if (g->have_caller)
			rec->caller_id = (uint32_t)get_le(pk->hdr + g->caller_id_off, 4);
		rec->text = pk->text;
		rec->text_len = (size_t)text_len;
		/* The raw dict sits in the upper half of the buffer; its split
		 * form is never longer, and is written from the start. */
		rec->dict_len = legacy_dict(pk, pk->dict + pk->dict_cap / 2, (size_t)dict_len);
		rec->dict = pk->dict;
		*done_ret = false;
		return NULL;
	}
	if (!pk->legacy_done && pk->idx != pk->next_idx && !pk->steps_left) {
		pk->legacy_done = true;
		set_damage(pk, rec, "log_buf: the records from log_first_idx never reach log_next_idx 0x%" PRIx64,
			   pk->next_idx);
		*done_ret = false;
		return NULL;
	}
	if (!pk->legacy_done && pk->idx != pk->next_idx) {
		pk->legacy_done = true;
		set_damage(pk, rec, "log_buf: two end-of-buffer marks in a row before log_next_idx 0x%" PRIx64,
			   pk->next_idx);
		*done_ret = false;
		return NULL;
	}
	pk->legacy_done = true;
	*done_ret = true;
	return NULL;
}

/* ----------------------------------------------------------------- public */

struct ptw_error *ptw_printk_open_reader(const struct ptw_vmcoreinfo *vi, ptw_printk_read_fn *read,
					 void *arg, struct ptw_printk **ret)
{
	struct ptw_printk *pk = calloc(1, sizeof(*pk));
	struct ptw_error *err;

	if (!pk)
		return &ptw_enomem;
	pk->read = read;
	pk->read_arg = arg;
	pk->budget = UINT64_MAX;
	/* The dict holds up to two u16-sized dictionaries (raw and split). */
	pk->dict_cap = 2 * (TEXT_MAX + 1);
	pk->text = malloc(TEXT_MAX + 1);
	pk->dict = malloc(pk->dict_cap);
	if (!pk->text || !pk->dict) {
		ptw_printk_destroy(pk);
		return &ptw_enomem;
	}
	if (ptw_vmcoreinfo_has(vi, "SYMBOL(prb)")) {
		pk->kind = KIND_LOCKLESS;
		err = lockless_open(pk, vi);
	} else if (ptw_vmcoreinfo_has(vi, "SYMBOL(log_buf)")) {
		pk->kind = KIND_LEGACY;
		err = legacy_open(pk, vi);
	} else {
		err = ptw_error_create(PTW_E_BAD_DATA,
				       "the kernel log: VMCOREINFO names no printk buffer (neither SYMBOL(prb) nor SYMBOL(log_buf))");
	}
	if (err) {
		ptw_printk_destroy(pk);
		return err;
	}
	*ret = pk;
	return NULL;
}

static struct ptw_error *read_vmem(void *arg, uint64_t va, void *buf, size_t len)
{
	return ptw_vmem_read(arg, va, buf, len);
}

struct ptw_error *ptw_printk_open(struct ptw_vmem *vm, const struct ptw_vmcoreinfo *vi, struct ptw_printk **ret)
{
	return ptw_printk_open_reader(vi, read_vmem, vm, ret);
}

struct ptw_error *ptw_printk_next(struct ptw_printk *pk, struct ptw_printk_record *rec, bool *done_ret)
{
	return pk->kind == KIND_LOCKLESS ? lockless_next(pk, rec, done_ret) : legacy_next(pk, rec, done_ret);
}

void ptw_printk_set_budget(struct ptw_printk *pk, uint64_t steps)
{
	pk->budget = steps;
}

const char *ptw_printk_kind(const struct ptw_printk *pk)
{
	return pk->kind == KIND_LOCKLESS ? "lockless ring buffer" : "log_buf";
}

void ptw_printk_destroy(struct ptw_printk *pk)
{
	if (!pk)
		return;
	free(pk->descs.buf);
	free(pk->infos.buf);
	free(pk->data.buf);
	free(pk->text);
	free(pk->dict);
	free(pk);
}
