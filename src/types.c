/* Member paths over a types backend: one implementation of "a.b[3].c" and
 * of anonymous members, whatever the types came from. */
#include "types.h"

#include <stdlib.h>
#include <string.h>

#include "types_impl.h"

struct ptw_types {
	const struct ptw_types_ops *ops;
	void *impl;
	char *origin;
};

/* Anonymous structs and unions nest a few deep in real kernels (struct page
 * has unions of structs of unions); more than this is a corrupt or hostile
 * type graph, and the search stops. */
#define MAX_ANON_DEPTH 16
/* Longest path element we look up (kernel member names are short). */
#define MAX_NAME 128
/* Path elements: more than any kernel member path needs. */
#define MAX_PATH_ELEMENTS 32

struct ptw_error *ptw_types_create(const struct ptw_types_ops *ops, void *impl, const char *origin,
				   struct ptw_types **ret)
{
	struct ptw_types *t = calloc(1, sizeof(*t));

	if (!t || !(origin && (t->origin = strdup(origin)))) {
		free(t);
		ops->destroy(impl);
		return &ptw_enomem;
	}
	t->ops = ops;
	t->impl = impl;
	*ret = t;
	return NULL;
}

void ptw_types_destroy(struct ptw_types *t)
{
	if (!t)
		return;
	t->ops->destroy(t->impl);
	free(t->origin);
	free(t);
}

const char *ptw_types_source(const struct ptw_types *t)
{
	return t->ops->source;
}

const char *ptw_types_origin(const struct ptw_types *t)
{
	return t->origin;
}

struct ptw_error *ptw_types_find(const struct ptw_types *t, const char *name, ptw_type_id *ret)
{
	return t->ops->find(t->impl, name, ret);
}

struct ptw_error *ptw_types_describe(const struct ptw_types *t, ptw_type_id id,
				     struct ptw_type_info *ret)
{
	return t->ops->describe(t->impl, id, ret);
}

struct ptw_error *ptw_types_struct_size(const struct ptw_types *t, const char *name,
					uint64_t *size_ret)
{
	ptw_type_id id;
	struct ptw_type_info info;
	struct ptw_error *err = ptw_types_find(t, name, &id);

	if (err)
		return err;
	err = ptw_types_describe(t, id, &info);
	if (err)
		return err;
	*size_ret = info.size;
	return NULL;
}

/* A search for one member name inside a struct/union, descending into
 * anonymous members. */
struct member_search {
	const struct ptw_types *t;
	const char *name;
	size_t name_len;
	unsigned depth;
	bool found;
	uint64_t bit_offset;    /* from the start of the type searched first */
	unsigned bit_size;
	ptw_type_id type;
	struct ptw_error *err;
};

static struct ptw_error *search_members(struct member_search *s, ptw_type_id id, uint64_t base_bits);

/* One level of the search: the type being listed starts base_bits into
 * the type searched first. */
struct member_visit {
	struct member_search *s;
	uint64_t base_bits;
};

static bool visit_member(const struct ptw_types_raw_member *m, void *arg)
{
	struct member_visit *v = arg;
	struct member_search *s = v->s;
	uint64_t base_bits = v->base_bits;

	if (m->name[0]) {
		if (strlen(m->name) == s->name_len && memcmp(m->name, s->name, s->name_len) == 0) {
			s->found = true;
			s->bit_offset = base_bits + m->bit_offset;
			s->bit_size = m->bit_size;
			s->type = m->type;
			return false;
		}
		return true;
	}
	/* Anonymous: C names its members as the enclosing type's. */
	struct ptw_type_info info;
	struct ptw_error *err = s->t->ops->describe(s->t->impl, m->type, &info);

	if (err) {
		s->err = err;
		return false;
	}
	if (info.kind != PTW_TYPE_STRUCT && info.kind != PTW_TYPE_UNION)
		return true;
	if (s->depth >= MAX_ANON_DEPTH) {
		s->err = ptw_error_create(PTW_E_BAD_DATA, "anonymous members nested more than %d deep",
					  MAX_ANON_DEPTH);
		return false;
	}
	s->depth++;
	err = search_members(s, info.id, base_bits + m->bit_offset);
	s->depth--;
	if (err) {
		s->err = err;
		return false;
	}
	return !s->found;
}

static struct ptw_error *search_members(struct member_search *s, ptw_type_id id, uint64_t base_bits)
{
	struct member_visit v = { .s = s, .base_bits = base_bits };
	struct ptw_error *err = s->t->ops->members(s->t->impl, id, visit_member, &v);

	if (err)
		return err;
	return s->err;
}

struct ptw_error *ptw_types_member(const struct ptw_types *t, const char *name, const char *path,
				   struct ptw_member *ret)
{
	ptw_type_id id;
	struct ptw_type_info cur;
	struct ptw_error *err = ptw_types_find(t, name, &id);
	uint64_t bits = 0;
	unsigned bit_size = 0;
	const char *declared = "";
	const char *p = path;

	if (err)
		return err;
	err = ptw_types_describe(t, id, &cur);
	if (err)
		return err;
	declared = cur.name;
	for (unsigned n = 0; *p; n++) {
		size_t len = strcspn(p, ".[");
		struct member_search s = { .t = t, .name = p, .name_len = len };

		if (n >= MAX_PATH_ELEMENTS || len == 0 || len > MAX_NAME)
			return ptw_error_create(PTW_E_INVALID_ARGUMENT, "bad member path '%s'", path);
		if (cur.kind != PTW_TYPE_STRUCT && cur.kind != PTW_TYPE_UNION)
			return ptw_error_create(PTW_E_INVALID_ARGUMENT,
						"%s: '%.*s' is looked up in a type that is not a struct or union",
						path, (int)len, p);
		err = search_members(&s, cur.id, 0);
		if (err)
			return err;
		if (!s.found)
			return ptw_error_create(PTW_E_NOT_PRESENT, "%s %s has no member '%.*s'",
						cur.kind == PTW_TYPE_UNION ? "union" : "struct",
						cur.name[0] ? cur.name : "(anonymous)", (int)len, p);
		bits += s.bit_offset;
		bit_size = s.bit_size;
		declared = t->ops->declared_name(t->impl, s.type);
		err = ptw_types_describe(t, s.type, &cur);
		if (err)
			return err;
		p += len;
		/* Indexes: "[N]", possibly several. */
		while (*p == '[') {
			char *end;
			unsigned long long idx = strtoull(p + 1, &end, 10);
			struct ptw_type_info elem;

			if (end == p + 1 || *end != ']')
				return ptw_error_create(PTW_E_INVALID_ARGUMENT, "bad index in member path '%s'", path);
			if (cur.kind != PTW_TYPE_ARRAY)
				return ptw_error_create(PTW_E_INVALID_ARGUMENT, "%s: indexing a member that is not an array",
							path);
			if (cur.nelems && idx >= cur.nelems)
				return ptw_error_create(PTW_E_INVALID_ARGUMENT, "%s: index %llu past the %llu elements",
							path, idx, (unsigned long long)cur.nelems);
			declared = t->ops->declared_name(t->impl, cur.target);
			err = ptw_types_describe(t, cur.target, &elem);
			if (err)
				return err;
			if (elem.size && idx > (UINT64_MAX / 8) / elem.size)
				return ptw_error_create(PTW_E_OVERFLOW, "%s: index too large", path);
			bits += idx * elem.size * 8;
			bit_size = 0;
			cur = elem;
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return ptw_error_create(PTW_E_INVALID_ARGUMENT, "bad member path '%s'", path);
	}
	ret->offset = bits / 8;
	ret->bit_offset = (unsigned)(bits % 8);
	ret->bit_size = bit_size;
	ret->size = cur.size;
	ret->type_name = declared ? declared : "";
	ret->type = cur;
	return NULL;
}

struct ptw_error *ptw_types_member_offset(const struct ptw_types *t, const char *name,
					  const char *path, uint64_t *offset_ret)
{
	struct ptw_member m;
	struct ptw_error *err = ptw_types_member(t, name, path, &m);

	if (err)
		return err;
	*offset_ret = m.offset;
	return NULL;
}

struct ptw_error *ptw_types_member_size(const struct ptw_types *t, const char *name,
					const char *path, uint64_t *size_ret)
{
	struct ptw_member m;
	struct ptw_error *err = ptw_types_member(t, name, path, &m);

	if (err)
		return err;
	*size_ret = m.size;
	return NULL;
}
