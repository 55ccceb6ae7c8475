/* What a types backend (types_btf.c, types_dwarf.c) implements; types.c
 * walks member paths and anonymous members on top of it. Private to types*.c. */
#ifndef PTW_TYPES_IMPL_H
#define PTW_TYPES_IMPL_H

#include "types.h"

/* One direct member of a struct or union, as the backend lists them. */
struct ptw_types_raw_member {
	const char *name;       /* "" for an anonymous struct/union member */
	uint64_t bit_offset;    /* from the start of the containing type */
	unsigned bit_size;      /* 0 unless a bitfield */
	ptw_type_id type;       /* as declared (typedefs not looked through) */
};

/* Return false to stop. */
typedef bool ptw_types_member_fn(const struct ptw_types_raw_member *m, void *arg);

struct ptw_types_ops {
	const char *source; /* "btf", "dwarf" */
	/** A struct, union or typedef called name; NOT_PRESENT if none. */
	struct ptw_error *(*find)(void *impl, const char *name, ptw_type_id *ret);
	/** Look through typedefs and qualifiers and describe. */
	struct ptw_error *(*describe)(void *impl, ptw_type_id id, struct ptw_type_info *ret);
	/** The name a type is declared with, before typedefs are looked through. */
	const char *(*declared_name)(void *impl, ptw_type_id id);
	/** Call fn for each direct member of struct/union id, in order. */
	struct ptw_error *(*members)(void *impl, ptw_type_id id, ptw_types_member_fn *fn, void *arg);
	void (*destroy)(void *impl);
};

/** Wrap a backend; takes ownership of impl (destroyed on failure too). */
struct ptw_error *ptw_types_create(const struct ptw_types_ops *ops, void *impl, const char *origin,
				   struct ptw_types **ret);

#endif
