/* The dead kernel's types: sizes of structs, offsets of members, what type
 * a member has. One small interface over BTF (libbpf) and DWARF (libdw), so
 * that the code reading kernel objects (tasks, mm, VMAs, struct page) never
 * knows where a layout came from.
 *
 * Member paths name members separated by dots, each optionally indexed:
 * "tasks.next", "thread_info.cpu", "comm[3]". Members of anonymous structs
 * and unions are found as if they were members of the enclosing type, as C
 * lets them be named. A path does not follow pointers.
 *
 * A struct or member the kernel does not have is NOT_PRESENT, so callers can
 * try one spelling after another ("__state", then "state"). */
#ifndef PTW_TYPES_H
#define PTW_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct ptw_types;

/** Kinds of type, after typedefs and qualifiers are looked through. */
enum ptw_type_kind {
	PTW_TYPE_OTHER,
	PTW_TYPE_VOID,
	PTW_TYPE_INT,     /* includes char and _Bool */
	PTW_TYPE_FLOAT,
	PTW_TYPE_ENUM,
	PTW_TYPE_POINTER,
	PTW_TYPE_ARRAY,
	PTW_TYPE_STRUCT,
	PTW_TYPE_UNION,
	PTW_TYPE_FUNCTION,
};

/** A type handle: meaningful only to the ptw_types it came from. */
typedef uint64_t ptw_type_id;

/** One type, typedefs and qualifiers looked through. */
struct ptw_type_info {
	enum ptw_type_kind kind;
	uint64_t size;        /* bytes; 0 for void, functions, incomplete types */
	const char *name;     /* "list_head", "int", "" when anonymous; owned by the types */
	bool is_signed;       /* INT, ENUM */
	ptw_type_id target;   /* POINTER: the pointee; ARRAY: the element */
	uint64_t nelems;      /* ARRAY: element count (0 for a flexible array) */
	ptw_type_id id;       /* this type, typedefs and qualifiers looked through */
};

/** A member reached by a path. */
struct ptw_member {
	uint64_t offset;        /* bytes from the start of the outer type */
	unsigned bit_offset;    /* bitfields: first bit within the byte at offset */
	unsigned bit_size;      /* bitfields: width in bits; 0 for ordinary members */
	uint64_t size;          /* bytes (bitfields: of the underlying type) */
	const char *type_name;  /* as declared: "pid_t", "list_head", "" when anonymous */
	struct ptw_type_info type; /* the member's type with typedefs looked through */
};

/** "btf" or "dwarf". */
const char *ptw_types_source(const struct ptw_types *t);
/** Where the types were read from, for messages and `info`:
 * "the dump at 0xffff... (4831546 bytes)", "FILE". */
const char *ptw_types_origin(const struct ptw_types *t);

/** The struct, union or typedef of one called name. NOT_PRESENT if none. */
struct ptw_error *ptw_types_find(const struct ptw_types *t, const char *name, ptw_type_id *ret);
/** Describe a type (typedefs and qualifiers looked through). */
struct ptw_error *ptw_types_describe(const struct ptw_types *t, ptw_type_id id,
				     struct ptw_type_info *ret);
/** sizeof(struct name) (or union, or typedef). NOT_PRESENT if no such type. */
struct ptw_error *ptw_types_struct_size(const struct ptw_types *t, const char *name,
					uint64_t *size_ret);
/** The member at `path` inside type `name`. NOT_PRESENT if either is missing. */
struct ptw_error *ptw_types_member(const struct ptw_types *t, const char *name, const char *path,
				   struct ptw_member *ret);
/** offsetof(name, path) in bytes. */
struct ptw_error *ptw_types_member_offset(const struct ptw_types *t, const char *name,
					  const char *path, uint64_t *offset_ret);
/** sizeof(((name *)0)->path). */
struct ptw_error *ptw_types_member_size(const struct ptw_types *t, const char *name,
					const char *path, uint64_t *size_ret);
void ptw_types_destroy(struct ptw_types *t);

/* Backends. */

/** BTF from raw bytes (the kernel's .BTF section, /sys/kernel/btf/vmlinux),
 * parsed by libbpf; `origin` is kept for messages. BAD_DATA if libbpf
 * refuses it or it does not describe struct task_struct. */
struct ptw_error *ptw_types_btf_new(const void *data, size_t len, const char *origin,
				    struct ptw_types **ret);
/** BTF from a raw BTF file. */
struct ptw_error *ptw_types_btf_open(const char *path, struct ptw_types **ret);
/** Whether path starts like raw kernel BTF (its header only). */
struct ptw_error *ptw_types_btf_probe(const char *path);
/** DWARF of a vmlinux ELF file, through libdw. NOT_PRESENT if it has no DWARF. */
struct ptw_error *ptw_types_dwarf_open(const char *path, struct ptw_types **ret);
/** Whether path is an ELF file with DWARF (.debug_info), without reading it. */
struct ptw_error *ptw_types_dwarf_probe(const char *path);

#endif
