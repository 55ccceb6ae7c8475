/* Types from a vmlinux's DWARF, through libdw (elfutils). A type handle is
 * the DIE's offset in .debug_info. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "types.h"
#include "types_impl.h"

/* typedef -> const -> typedef ...: a longer chain is a loop in bad DWARF. */
#define MAX_MODIFIER_CHAIN 64
/* Names looked up are remembered, found or not: a few dozen per run. */
#define NAME_CACHE 256
/* Members of one struct listed before giving up (task_struct has ~250). */
#define MAX_MEMBERS 65536

struct name_entry {
	char *name;
	bool found;
	Dwarf_Off off;
};

struct dwarf_types {
	int fd;
	Dwarf *dw;
	struct name_entry cache[NAME_CACHE];
	unsigned ncache;
};

static struct ptw_error *libdw_error(const char *what)
{
	return ptw_error_create(PTW_E_BAD_DATA, "%s: %s", what, dwarf_errmsg(-1));
}

static bool die_at(struct dwarf_types *d, ptw_type_id id, Dwarf_Die *ret)
{
	return dwarf_offdie(d->dw, (Dwarf_Off)id, ret) != NULL;
}

/* The DIE an attribute (DW_AT_type) refers to; false when absent (void). */
static bool type_of(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute attr;

	return dwarf_attr(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, ret);
}

static bool is_qualifier(int tag)
{
	return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type ||
	       tag == DW_TAG_atomic_type;
}

/* Search the top-level DIEs of every unit for a complete struct, union or
 * typedef called name. Bounded by the size of .debug_info. */
static struct ptw_error *search(struct dwarf_types *d, const char *name, bool *found, Dwarf_Off *off)
{
	Dwarf_Off cu_off = 0, next;
	size_t hdr;

	*found = false;
	while (dwarf_nextcu(d->dw, cu_off, &next, &hdr, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;

		if (dwarf_offdie(d->dw, cu_off + hdr, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				int tag = dwarf_tag(&child);
				const char *n;

				if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_typedef)
					continue;
				n = dwarf_diename(&child);
				if (!n || strcmp(n, name) != 0 || dwarf_hasattr(&child, DW_AT_declaration))
					continue;
				*found = true;
				*off = dwarf_dieoffset(&child);
				return NULL;
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		cu_off = next;
	}
	return NULL;
}

static struct ptw_error *dw_find(void *impl, const char *name, ptw_type_id *ret)
{
	struct dwarf_types *d = impl;
	struct name_entry *e = NULL;
	struct ptw_error *err;

	for (unsigned i = 0; i < d->ncache; i++)
		if (strcmp(d->cache[i].name, name) == 0)
			e = &d->cache[i];
	if (!e) {
		bool found;
		Dwarf_Off off = 0;
		char *copy;

		err = search(d, name, &found, &off);
		if (err)
			return err;
		if (d->ncache == NAME_CACHE) {
			free(d->cache[0].name);
			memmove(d->cache, d->cache + 1, (NAME_CACHE - 1) * sizeof(d->cache[0]));
			d->ncache--;
		}
		copy = strdup(name);
		if (!copy)
			return &ptw_enomem;
		e = &d->cache[d->ncache++];
		*e = (struct name_entry){ .name = copy, .found = found, .off = off };
	}
	if (!e->found)
		return ptw_error_create(PTW_E_NOT_PRESENT, "no type '%s' in the DWARF", name);
	*ret = e->off;
	return NULL;
}

static struct ptw_error *skip_modifiers(struct dwarf_types *d, Dwarf_Die *die, bool keep_typedefs,
					bool *is_void)
{
	*is_void = false;
	for (unsigned n = 0; n < MAX_MODIFIER_CHAIN; n++) {
		int tag = dwarf_tag(die);

		if (!(is_qualifier(tag) || (!keep_typedefs && tag == DW_TAG_typedef)))
			return NULL;
		if (!type_of(die, die)) {
			*is_void = true;
			return NULL;
		}
	}
	return ptw_error_create(PTW_E_BAD_DATA, "DWARF typedef/qualifier chain longer than %d at DIE 0x%llx",
				MAX_MODIFIER_CHAIN, (unsigned long long)dwarf_dieoffset(die));
}

static uint64_t address_size(Dwarf_Die *die)
{
	Dwarf_Die cu;
	uint8_t asize = 8;

	if (dwarf_diecu(die, &cu, &asize, NULL))
		return asize;
	return 8;
}

static struct ptw_error *dw_describe(void *impl, ptw_type_id id, struct ptw_type_info *ret)
{
	struct dwarf_types *d = impl;
	struct ptw_type_info info = { .name = "" };
	Dwarf_Die die, t;
	Dwarf_Word size;
	Dwarf_Attribute attr;
	bool is_void;
	struct ptw_error *err;

	if (!die_at(d, id, &die))
		return ptw_error_create(PTW_E_BAD_DATA, "no DWARF DIE at 0x%llx", (unsigned long long)id);
	err = skip_modifiers(d, &die, false, &is_void);
	if (err)
		return err;
	if (is_void) {
		info.kind = PTW_TYPE_VOID;
		*ret = info;
		return NULL;
	}
	info.id = dwarf_dieoffset(&die);
	info.name = dwarf_diename(&die) ? dwarf_diename(&die) : "";
	switch (dwarf_tag(&die)) {
	case DW_TAG_base_type: {
		Dwarf_Word enc = 0;

		if (dwarf_attr(&die, DW_AT_encoding, &attr))
			dwarf_formudata(&attr, &enc);
		info.kind = enc == DW_ATE_float ? PTW_TYPE_FLOAT : PTW_TYPE_INT;
		info.is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		break;
	}
	case DW_TAG_enumeration_type:
		info.kind = PTW_TYPE_ENUM;
		if (type_of(&die, &t)) {
			Dwarf_Word enc = 0;
			bool v;

			if (!skip_modifiers(d, &t, false, &v) && !v && dwarf_attr(&t, DW_AT_encoding, &attr))
				dwarf_formudata(&attr, &enc);
			info.is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		}
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
		info.kind = PTW_TYPE_POINTER;
		info.target = type_of(&die, &t) ? dwarf_dieoffset(&t) : 0;
		info.size = address_size(&die);
		break;
	case DW_TAG_array_type: {
		Dwarf_Die sub;
		uint64_t n = 1;
		bool any = false;

		info.kind = PTW_TYPE_ARRAY;
		info.target = type_of(&die, &t) ? dwarf_dieoffset(&t) : 0;
		/* int a[2][3]: one array DIE, two subranges; its elements are
		 * counted as the product, of the element type. */
		if (dwarf_child(&die, &sub) == 0) {
			unsigned dims = 0;

			do {
				Dwarf_Word v;

				if (dwarf_tag(&sub) != DW_TAG_subrange_type || ++dims > 8)
					continue;
				any = true;
				if (dwarf_attr(&sub, DW_AT_count, &attr) && dwarf_formudata(&attr, &v) == 0)
					n = v && n > UINT64_MAX / v ? 0 : n * v;
				else if (dwarf_attr(&sub, DW_AT_upper_bound, &attr) && dwarf_formudata(&attr, &v) == 0)
					n = v + 1 && n > UINT64_MAX / (v + 1) ? 0 : n * (v + 1);
				else
					n = 0; /* flexible */
			} while (dwarf_siblingof(&sub, &sub) == 0);
		}
		info.nelems = any ? n : 0;
		break;
	}
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		info.kind = PTW_TYPE_STRUCT;
		break;
	case DW_TAG_union_type:
		info.kind = PTW_TYPE_UNION;
		break;
	case DW_TAG_subroutine_type:
		info.kind = PTW_TYPE_FUNCTION;
		break;
	default:
		info.kind = PTW_TYPE_OTHER;
		break;
	}
	/* Flexible arrays (unsigned long cpu_bitmap[]) and declarations
	 * have no size; the others must. */
	if (info.kind != PTW_TYPE_POINTER && info.kind != PTW_TYPE_FUNCTION && info.kind != PTW_TYPE_OTHER &&
	    !(info.kind == PTW_TYPE_ARRAY && info.nelems == 0) && !dwarf_hasattr(&die, DW_AT_declaration)) {
		if (dwarf_aggregate_size(&die, &size) != 0)
			return libdw_error("the size of a DWARF type");
		info.size = size;
	}
	*ret = info;
	return NULL;
}

static const char *dw_declared_name(void *impl, ptw_type_id id)
{
	struct dwarf_types *d = impl;
	Dwarf_Die die;
	bool is_void;
	struct ptw_error *err;
	const char *name;

	if (!die_at(d, id, &die))
		return "";
	err = skip_modifiers(d, &die, true, &is_void);
	if (err) {
		ptw_error_destroy(err); /* describe() reports it */
		return "";
	}
	if (is_void)
		return "void";
	if (dwarf_tag(&die) == DW_TAG_pointer_type || dwarf_tag(&die) == DW_TAG_array_type)
		return "";
	name = dwarf_diename(&die);
	return name ? name : "";
}

/* Where a member starts, in bits from the start of its struct. */
static bool member_bits(Dwarf_Die *m, uint64_t *bit_offset_ret, unsigned *bit_size_ret)
{
	Dwarf_Attribute attr;
	Dwarf_Word loc = 0, bits = 0, v;

	if (dwarf_attr(m, DW_AT_data_member_location, &attr) && dwarf_formudata(&attr, &loc) != 0)
		return false; /* a location expression: not used for C structs */
	if (dwarf_attr(m, DW_AT_bit_size, &attr) && dwarf_formudata(&attr, &bits) == 0 && bits) {
		*bit_size_ret = (unsigned)bits;
		if (dwarf_attr(m, DW_AT_data_bit_offset, &attr) && dwarf_formudata(&attr, &v) == 0) {
			/* DWARF 4+: bits from the start of the struct */
			*bit_offset_ret = v;
			return true;
		}
		/* DWARF 2/3: DW_AT_bit_offset counts from the most significant
		 * bit of the storage unit (DW_AT_byte_size bytes); on a
		 * little-endian machine the member starts that far from its top. */
		Dwarf_Word unit = 0, from_top = 0;

		if (dwarf_attr(m, DW_AT_byte_size, &attr))
			dwarf_formudata(&attr, &unit);
		if (dwarf_attr(m, DW_AT_bit_offset, &attr))
			dwarf_formudata(&attr, &from_top);
		if (unit * 8 < from_top + bits)
			return false;
		*bit_offset_ret = loc * 8 + unit * 8 - from_top - bits;
		return true;
	}
	*bit_size_ret = 0;
	*bit_offset_ret = loc * 8;
	return true;
}

static struct ptw_error *dw_members(void *impl, ptw_type_id id, ptw_types_member_fn *fn, void *arg)
{
	struct dwarf_types *d = impl;
	Dwarf_Die die, m, t;
	unsigned n = 0;

	if (!die_at(d, id, &die) ||
	    (dwarf_tag(&die) != DW_TAG_structure_type && dwarf_tag(&die) != DW_TAG_union_type &&
	     dwarf_tag(&die) != DW_TAG_class_type))
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "DWARF DIE 0x%llx is not a struct or union",
					(unsigned long long)id);
	if (dwarf_child(&die, &m) != 0)
		return NULL;
	do {
		struct ptw_types_raw_member rm = { .name = "" };

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (++n > MAX_MEMBERS)
			return ptw_error_create(PTW_E_BAD_DATA, "DWARF DIE 0x%llx: more than %u members",
						(unsigned long long)id, MAX_MEMBERS);
		if (!member_bits(&m, &rm.bit_offset, &rm.bit_size))
			return ptw_error_create(PTW_E_BAD_DATA, "DWARF member DIE 0x%llx: location not understood",
						(unsigned long long)dwarf_dieoffset(&m));
		rm.name = dwarf_diename(&m) ? dwarf_diename(&m) : "";
		rm.type = type_of(&m, &t) ? dwarf_dieoffset(&t) : 0;
		if (!fn(&rm, arg))
			break;
	} while (dwarf_siblingof(&m, &m) == 0);
	return NULL;
}

static void dw_destroy(void *impl)
{
	struct dwarf_types *d = impl;

	for (unsigned i = 0; i < d->ncache; i++)
		free(d->cache[i].name);
	dwarf_end(d->dw);
	close(d->fd);
	free(d);
}

static const struct ptw_types_ops dwarf_ops = {
	.source = "dwarf",
	.find = dw_find,
	.describe = dw_describe,
	.declared_name = dw_declared_name,
	.members = dw_members,
	.destroy = dw_destroy,
};

struct ptw_error *ptw_types_dwarf_probe(const char *path)
{
	Elf *elf;
	size_t shstrndx;
	bool found = false;
	uint64_t size;
	int fd;
	/* A FIFO or a device given as -k is refused, not waited on. */
	struct ptw_error *err = ptw_file_open_regular(path, &fd, &size);

	if (err)
		return ptw_error_prepend(err, "%s: ", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		err = ptw_error_create(PTW_E_BAD_DATA, "%s: not an ELF file (%s)", path, elf_errmsg(-1));
	} else {
		/* Bounded by the section count the header states. */
		for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn && !found; scn = elf_nextscn(elf, scn)) {
			GElf_Shdr shdr;
			const char *name;

			if (gelf_getshdr(scn, &shdr) && (name = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
			    strcmp(name, ".debug_info") == 0 && shdr.sh_type != SHT_NOBITS && shdr.sh_size)
				found = true;
		}
		if (!found)
			err = ptw_error_create(PTW_E_NOT_PRESENT, "%s has no DWARF (.debug_info)", path);
	}
	elf_end(elf);
	close(fd);
	return err;
}

struct ptw_error *ptw_types_dwarf_open(const char *path, struct ptw_types **ret)
{
	struct dwarf_types *d;
	struct ptw_error *err = ptw_types_dwarf_probe(path);
	ptw_type_id id;

	if (err)
		return err;
	d = calloc(1, sizeof(*d));
	if (!d)
		return &ptw_enomem;
	{
		uint64_t size;

		err = ptw_file_open_regular(path, &d->fd, &size);
		if (err) {
			free(d);
			return ptw_error_prepend(err, "%s: ", path);
		}
	}
	d->dw = dwarf_begin(d->fd, DWARF_C_READ);
	if (!d->dw) {
		err = ptw_error_create(PTW_E_BAD_DATA, "%s: libdw cannot read its DWARF: %s", path, dwarf_errmsg(-1));
		close(d->fd);
		free(d);
		return err;
	}
	/* The kernel's, if it describes struct task_struct (as for BTF). */
	err = dw_find(d, "task_struct", &id);
	if (err) {
		dw_destroy(d);
		ptw_error_destroy(err);
		return ptw_error_create(PTW_E_BAD_DATA, "%s: its DWARF does not describe struct task_struct", path);
	}
	return ptw_types_create(&dwarf_ops, d, path, ret);
}
