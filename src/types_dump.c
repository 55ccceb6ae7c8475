#include "types_dump.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "large_buf.h"
#include "sym.h"
#include "vmem.h"

/* How far past _stext the image is searched. Debian's x86-64 6.1 image is
 * 52 MiB from _stext to _end (bss included); arm64's about 36 MiB. */
#define MAX_IMAGE_SPAN (128u << 20)

/* The kallsyms tables VMCOREINFO names (6.0+) sit in .rodata, which the
 * .BTF section follows (RO_DATA in include/asm-generic/vmlinux.lds.h), so
 * a search that starts at the last of them skips most of the image. */
static const char *const rodata_markers[] = {
	"kallsyms_token_index", "kallsyms_token_table", "kallsyms_names",
	"kallsyms_markers", "kallsyms_num_syms", "kallsyms_relative_base",
	"kallsyms_offsets", "kallsyms_seqs_of_names",
};

struct ptw_error *ptw_btf_dump_ranges(const struct ptw_dump *dump, struct ptw_btf_ranges *ret)
{
	uint64_t stext, end, hint = 0;
	struct ptw_btf_ranges r = { 0 };

	if (!dump->have_xlat || !dump->xlat.have_stext)
		return ptw_error_create(PTW_E_NOT_PRESENT,
					"the kernel image cannot be searched for BTF: VMCOREINFO has no SYMBOL(_stext)");
	stext = dump->xlat.stext;
	end = stext > UINT64_MAX - MAX_IMAGE_SPAN ? UINT64_MAX : stext + MAX_IMAGE_SPAN;
	for (size_t i = 0; i < sizeof(rodata_markers) / sizeof(rodata_markers[0]); i++) {
		uint64_t va;

		if (ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, rodata_markers[i], &va) && va > stext && va < end &&
		    va > hint)
			hint = va;
	}
	if (hint) {
		r.start[r.n] = hint;
		r.end[r.n++] = end;
		r.start[r.n] = stext;
		r.end[r.n++] = hint;
	} else {
		r.start[r.n] = stext;
		r.end[r.n++] = end;
	}
	*ret = r;
	return NULL;
}

static bool is_rodata_marker(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(rodata_markers) / sizeof(rodata_markers[0]); i++)
		if (strlen(rodata_markers[i]) == len && memcmp(rodata_markers[i], name, len) == 0)
			return true;
	return false;
}

/* The lowest symbol VMCOREINFO names in (above, end) other than the
 * kallsyms tables: a variable (.data, .bss) or a page-table directory
 * (arm64's swapper_pg_dir), which the linker places after the read-only
 * data that .BTF ends (RO_DATA). On Debian's 6.1 .BTF ends 8 KiB below
 * swapper_pg_dir on arm64 and 1.1 MiB below it on x86-64 (the gap the
 * kernel frees). A bound that is not above the BTF costs only time: the
 * downward search then finds nothing, or reads the blob's rest. */
static bool data_bound(const struct ptw_dump *dump, uint64_t above, uint64_t end, uint64_t *ret)
{
	const struct ptw_vmcoreinfo *vi = &dump->vmcoreinfo;
	bool found = false;
	char name[64];

	for (size_t i = 0; i < vi->count; i++) {
		const char *key = vi->entries[i].key;
		size_t len = strlen(key);
		uint64_t va;

		if (len < 9 || memcmp(key, "SYMBOL(", 7) != 0 || key[len - 1] != ')' || len - 8 >= sizeof(name))
			continue;
		if (is_rodata_marker(key + 7, len - 8))
			continue;
		memcpy(name, key + 7, len - 8);
		name[len - 8] = '\0';
		if (ptw_vmcoreinfo_try_symbol(vi, name, &va) && va > above && va < end && (!found || va < *ret)) {
			*ret = va;
			found = true;
		}
	}
	return found;
}

static struct ptw_error *vmem_reader(void *arg, uint64_t addr, void *buf, size_t len)
{
	return ptw_vmem_read(arg, addr, buf, len);
}

/* __start_BTF and __stop_BTF, when the symbols have them (kallsyms with
 * KALLSYMS_ALL, System.map, vmlinux): the section exactly, no search. */
enum btf_symbols { BTF_SYMBOLS_UNKNOWN, BTF_SYMBOLS_FOUND, BTF_SYMBOLS_NONE };

static enum btf_symbols btf_symbols(struct ptw_dump *dump, uint64_t *start_ret, uint64_t *stop_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err = ptw_dump_symbols(dump, &st);

	if (err) {
		/* Symbols are a shortcut here; the search does without. */
		ptw_error_destroy(err);
		return BTF_SYMBOLS_UNKNOWN;
	}
	if (ptw_symtab_lookup_name(st, "__start_BTF", start_ret, NULL) &&
	    ptw_symtab_lookup_name(st, "__stop_BTF", stop_ret, NULL))
		return BTF_SYMBOLS_FOUND;
	/* A table with data symbols names the linker's section bounds too
	 * (kallsyms with KALLSYMS_ALL lists __start_BTF as 'R'): without them
	 * the kernel has no .BTF, and a search of its image would be wasted. */
	return ptw_symtab_has_data_symbols(st) ? BTF_SYMBOLS_NONE : BTF_SYMBOLS_UNKNOWN;
}

static struct ptw_error *no_btf_symbols(void)
{
	return ptw_error_create(PTW_E_NOT_PRESENT,
				"no BTF: the kernel's symbols (data symbols included) have no __start_BTF, "
				"so it was built without CONFIG_DEBUG_INFO_BTF");
}

/* __start_BTF and __stop_BTF looked up in the dump's kallsyms without
 * decoding it: FOUND; NONE when the table has data symbols but no
 * __start_BTF (the kernel has no BTF); UNKNOWN otherwise (no data
 * symbols, or a layout the lookup does not know). */
static enum btf_symbols kallsyms_btf_bounds(struct ptw_dump *dump, uint64_t *start_ret, uint64_t *stop_ret)
{
	bool found_start = false, found_stop = false;
	struct ptw_kallsyms_probe probe;
	struct ptw_error *err = ptw_kallsyms_probe(dump, &probe);

	/* Without data symbols (Debian's arm64) the bisection would only
	 * conclude, after as many reads, that __start_BTF is not there. */
	if (err || !probe.data_symbols) {
		ptw_error_destroy(err);
		return BTF_SYMBOLS_UNKNOWN;
	}
	err = ptw_kallsyms_lookup_name(dump, "__start_BTF", &found_start, start_ret);
	if (!err && !found_start)
		return BTF_SYMBOLS_NONE;
	if (!err)
		err = ptw_kallsyms_lookup_name(dump, "__stop_BTF", &found_stop, stop_ret);
	ptw_error_destroy(err);
	return found_start && found_stop ? BTF_SYMBOLS_FOUND : BTF_SYMBOLS_UNKNOWN;
}

static struct ptw_error *from_symbols(struct ptw_vmem *vm, bool parse, uint64_t start, uint64_t stop,
				      struct ptw_types **ret, struct ptw_btf_found *found_ret)
{
	unsigned char hdr[PTW_BTF_HEADER_SIZE];
	uint64_t total;
	struct ptw_error *err;

	if (stop <= start || stop - start > PTW_BTF_MAX_SIZE)
		return ptw_error_create(PTW_E_BAD_DATA, "__start_BTF 0x%" PRIx64 " and __stop_BTF 0x%" PRIx64
					" do not bound a BTF section", start, stop);
	err = ptw_vmem_read(vm, start, hdr, sizeof(hdr));
	if (err)
		return ptw_error_prepend(err, "BTF at __start_BTF 0x%" PRIx64 ": ", start);
	if (!ptw_btf_header_ok(hdr, sizeof(hdr), &total) || total > stop - start)
		return ptw_error_create(PTW_E_BAD_DATA, "no BTF header at __start_BTF 0x%" PRIx64, start);
	found_ret->addr = start;
	found_ret->size = total;
	found_ret->candidates = 1;
	if (!parse)
		return NULL;

	unsigned char *blob = ptw_large_buf_alloc(total);
	char origin[96];

	if (!blob)
		return &ptw_enomem;
	snprintf(origin, sizeof(origin), "the dump at __start_BTF 0x%" PRIx64 " (%" PRIu64 " bytes)", start, total);
	err = ptw_vmem_read(vm, start, blob, total);
	if (err)
		err = ptw_error_prepend(err, "BTF at __start_BTF 0x%" PRIx64 ": ", start);
	else
		err = ptw_types_btf_new(blob, total, origin, ret);
	free(blob);
	return err;
}

/* How far past the kallsyms tables the image is searched before the
 * symbols are asked: .BTF follows them within .rodata (Debian 6.1: 1.6 MiB
 * on x86-64, 1.9 MiB on arm64), so this span almost always finds it, for
 * far less than decoding every kallsyms name would cost. */
#define NEAR_SPAN (8u << 20)

/* Search [start, end) of the image; NOT_PRESENT or BAD_DATA when nothing
 * was accepted there, any other error is fatal. */
static struct ptw_error *search_range(const struct ptw_btf_reader *reader, bool parse, uint64_t start,
				      uint64_t end, struct ptw_types **ret, struct ptw_btf_found *found_ret)
{
	return parse ? ptw_btf_search(reader, start, end, ret, found_ret)
		     : ptw_btf_scan(reader, start, end, found_ret);
}

/* Keep the most telling reason: a refused candidate over "none". */
static void keep_reason(struct ptw_error **first, struct ptw_error *err)
{
	if (!*first || ((*first)->code == PTW_E_NOT_PRESENT && err->code == PTW_E_BAD_DATA)) {
		ptw_error_destroy(*first);
		*first = err;
	} else {
		ptw_error_destroy(err);
	}
}

/* Search the dump's image; with `parse` false only for a header. The
 * symbols' __start_BTF is used when the symbols are at hand (loaded
 * already, or a -k/-m file); the dump's kallsyms are decoded for it only
 * when the search just past the kallsyms tables found nothing: decoding
 * 100,000 names costs more than searching the 2 MiB that usually lie
 * between those tables and .BTF. */
static struct ptw_error *from_dump(struct ptw_dump *dump, bool parse, struct ptw_types **ret,
				   struct ptw_btf_found *found_ret)
{
	struct ptw_btf_ranges ranges;
	struct ptw_vmem *vm;
	struct ptw_error *err = NULL;
	struct ptw_error *first = NULL;
	uint64_t start_btf, stop_btf, start[3], end[3];
	unsigned n = 0, near = 0;
	bool symbols_at_hand = dump->symbols_tried || dump->vmlinux_path || dump->system_map_path;
	bool searched = false; /* err is the search's finding */

	if (!dump->have_xlat)
		return ptw_error_create(PTW_E_NOT_PRESENT, "no BTF: kernel memory cannot be read (%s)",
					dump->xlat_error ? dump->xlat_error->message : "no translation");
	err = ptw_vmem_create(dump, &vm);
	if (err)
		return ptw_error_prepend(err, "looking for BTF in the kernel image: ");
	err = ptw_btf_dump_ranges(dump, &ranges);
	if (err) {
		/* No image to search: the symbols may still say where. */
		first = err;
		err = NULL;
		ranges.n = 0;
	}
	/* With a hint (two ranges), its first NEAR_SPAN bytes go first. */
	if (ranges.n == 2 && !symbols_at_hand && ranges.end[0] - ranges.start[0] > NEAR_SPAN) {
		start[n] = ranges.start[0];
		end[n++] = ranges.start[0] + NEAR_SPAN;
		near = 1;
		start[n] = ranges.start[0] + NEAR_SPAN;
		end[n++] = ranges.end[0];
	} else if (ranges.n) {
		start[n] = ranges.start[0];
		end[n++] = ranges.end[0];
		near = ranges.n == 2 && !symbols_at_hand ? 1 : 0;
	}
	for (unsigned i = 1; i < ranges.n; i++) {
		start[n] = ranges.start[i];
		end[n++] = ranges.end[i];
	}

	struct ptw_btf_reader reader = {
		.read = vmem_reader,
		.arg = vm,
		.page_size = dump->xlat.granule ? dump->xlat.granule : 4096,
	};
	uint64_t bound = 0;

	/* Without symbols at hand, the first try is down from the data
	 * that follows .BTF: it reads the BTF once and little else, where
	 * kallsyms costs a probe (and on Debian's arm64, without data
	 * symbols, the search up from the kallsyms tables reads 1.9 MiB
	 * before the BTF). `info` (no parse) only wants the header, which
	 * the upward search reaches first. */
	if (parse && !symbols_at_hand && ranges.n == 2 && data_bound(dump, ranges.start[0], ranges.end[0], &bound)) {
		err = ptw_btf_search_below(&reader, ranges.start[0], bound, ret, found_ret);
		if (!err || (err->code != PTW_E_NOT_PRESENT && err->code != PTW_E_BAD_DATA)) {
			ptw_error_destroy(first);
			ptw_vmem_destroy(vm);
			return err;
		}
		keep_reason(&first, err);
		err = NULL;
	}

	/* Without symbols at hand, kallsyms answers __start_BTF by name for
	 * a few dozen pages (kernels with KALLSYMS_ALL, as Debian's x86-64):
	 * no search at all. Anything else (no such name, an unknown layout)
	 * leaves it to the search. */
	switch (symbols_at_hand ? BTF_SYMBOLS_UNKNOWN : kallsyms_btf_bounds(dump, &start_btf, &stop_btf)) {
	case BTF_SYMBOLS_FOUND:
		err = from_symbols(vm, parse, start_btf, stop_btf, ret, found_ret);
		if (!err || (err->code != PTW_E_BAD_DATA && err->code != PTW_E_NOT_PRESENT)) {
			ptw_error_destroy(first);
			ptw_vmem_destroy(vm);
			return err;
		}
		ptw_error_destroy(err);
		err = NULL;
		break;
	case BTF_SYMBOLS_NONE:
		ptw_error_destroy(first);
		ptw_vmem_destroy(vm);
		return no_btf_symbols();
	case BTF_SYMBOLS_UNKNOWN:
		break;
	}

	for (unsigned i = 0; i <= n; i++) {
		if (i == near) {
			/* The symbols, before the (long) rest of the search. */
			enum btf_symbols s = btf_symbols(dump, &start_btf, &stop_btf);

			if (s == BTF_SYMBOLS_FOUND) {
				ptw_error_destroy(first);
				first = NULL;
				err = from_symbols(vm, parse, start_btf, stop_btf, ret, found_ret);
				break;
			}
			if (s == BTF_SYMBOLS_NONE) {
				ptw_error_destroy(first);
				first = NULL;
				err = no_btf_symbols();
				break;
			}
		}
		if (i == n) {
			err = first;
			first = NULL;
			searched = n > 0;
			break;
		}
		err = search_range(&reader, parse, start[i], end[i], ret, found_ret);
		if (!err)
			break;
		if (err->code != PTW_E_NOT_PRESENT && err->code != PTW_E_BAD_DATA)
			break; /* out of memory */
		keep_reason(&first, err);
		err = NULL;
	}
	ptw_error_destroy(first);
	ptw_vmem_destroy(vm);
	if (err && searched && err->code == PTW_E_NOT_PRESENT) {
		ptw_error_destroy(err);
		err = ptw_error_create(PTW_E_NOT_PRESENT,
				       "no BTF found in the kernel image (0x%" PRIx64 "-0x%" PRIx64
				       " searched): the kernel was built without CONFIG_DEBUG_INFO_BTF, or its "
				       "image is not in the dump",
				       dump->xlat.stext, dump->xlat.stext + MAX_IMAGE_SPAN);
	}
	return err;
}

static struct ptw_error *choose(struct ptw_dump *dump, const struct ptw_types_sources *src, bool parse,
				struct ptw_types **ret, struct ptw_types_choice *choice_ret)
{
	struct ptw_types_choice c = { 0 };
	struct ptw_error *err;
	struct ptw_types *t = NULL;

	if (src && src->vmlinux) {
		const struct ptw_symtab *st;

		/* The symbol side compares -k's build ID with the dump's and
		 * refuses another build; its types would be as wrong. */
		err = ptw_dump_symbols(dump, &st);
		if (err)
			return err;
		err = parse ? ptw_types_dwarf_open(src->vmlinux, &t) : ptw_types_dwarf_probe(src->vmlinux);
		if (!err) {
			c.source = "dwarf";
			c.from = "vmlinux";
			goto done;
		}
		if (err->code != PTW_E_NOT_PRESENT)
			return err;
		/* -k is also a symbol source: without DWARF it is still of use. */
		c.skipped = err->message;
		err->message = NULL;
		ptw_error_destroy(err);
	}
	if (src && src->btf_path) {
		err = parse ? ptw_types_btf_open(src->btf_path, &t) : ptw_types_btf_probe(src->btf_path);
		if (err) {
			ptw_types_choice_free(&c);
			return err;
		}
		c.source = "btf";
		c.from = "file";
		goto done;
	}
	struct ptw_btf_found where;

	err = from_dump(dump, parse, &t, &where);
	if (err) {
		if (c.skipped)
			err = ptw_error_prepend(err, "-k %s has no DWARF; ", src->vmlinux);
		ptw_types_choice_free(&c);
		return err;
	}
	c.source = "btf";
	c.from = "dump";
	c.have_address = true;
	c.address = where.addr;
	c.size = where.size;
done:
	if (parse)
		*ret = t;
	*choice_ret = c;
	return NULL;
}

struct ptw_error *ptw_types_load(struct ptw_dump *dump, const struct ptw_types_sources *src,
				 struct ptw_types **ret, struct ptw_types_choice *choice_ret)
{
	return choose(dump, src, true, ret, choice_ret);
}

struct ptw_error *ptw_types_probe(struct ptw_dump *dump, const struct ptw_types_sources *src,
				  struct ptw_types_choice *choice_ret)
{
	return choose(dump, src, false, NULL, choice_ret);
}

void ptw_types_choice_free(struct ptw_types_choice *c)
{
	free(c->skipped);
	c->skipped = NULL;
}
