#include "xlat_cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "number.h"
#include "task_cli.h"

/* need_xlat false: a dump whose translation cannot be set up is opened
 * all the same, for what needs none (physical reads). */
static struct ptw_error *open_xctx(const struct ptw_cli *cli, bool need_xlat, struct ptw_xctx *ret)
{
	struct ptw_xctx c = { .cli = cli };
	struct ptw_error *err = ptw_cli_open_dump(cli, &c.dump);

	if (err)
		return err;
	if (!c.dump->have_xlat && !need_xlat && !cli->have_pgd && !cli->have_pid) {
		*ret = c;
		return NULL;
	}
	if (!c.dump->have_xlat) {
		err = ptw_error_create(c.dump->xlat_error ? c.dump->xlat_error->code : PTW_E_BAD_DATA,
				       "cannot translate addresses: %s",
				       c.dump->xlat_error ? c.dump->xlat_error->message : "unknown configuration");
		ptw_dump_close(c.dump);
		return err;
	}
	c.x = &c.dump->xlat;
	c.ops = c.x->ops;
	if (!c.ops || !c.ops->decode) {
		ptw_dump_close(c.dump);
		return ptw_error_create(PTW_E_NOT_IMPLEMENTED, "no page-table decoder for %s",
					ptw_arch_name(c.dump->arch) ? ptw_arch_name(c.dump->arch) : "this arch");
	}
	err = ptw_walker_create(c.dump->src, c.ops->decode, &c.w);
	if (err) {
		ptw_dump_close(c.dump);
		return err;
	}
	if (c.ops->user_geom) {
		struct ptw_error *shape_err = c.ops->user_geom(c.x, 0, &c.user_shape);

		c.have_user_shape = shape_err == NULL;
		ptw_error_destroy(shape_err);
	}
	if (cli->have_pgd) {
		if (!c.ops->user_geom)
			err = ptw_error_create(PTW_E_NOT_IMPLEMENTED, "--pgd is not implemented for %s", c.ops->name);
		else
			err = c.ops->user_geom(c.x, cli->pgd, &c.user);
		if (err) {
			ptw_xctx_close(&c);
			return err;
		}
		c.have_user = true;
	}
	if (cli->have_pid) {
		err = ptw_cli_pid_geom(cli, c.dump, &c.user);
		if (err) {
			ptw_xctx_close(&c);
			return err;
		}
		c.have_user = true;
	}
	*ret = c;
	return NULL;
}

struct ptw_error *ptw_xctx_open(const struct ptw_cli *cli, struct ptw_xctx *ret)
{
	return open_xctx(cli, true, ret);
}

struct ptw_error *ptw_xctx_open_phys(const struct ptw_cli *cli, struct ptw_xctx *ret)
{
	return open_xctx(cli, false, ret);
}

void ptw_xctx_close(struct ptw_xctx *c)
{
	uint64_t first_pa;
	uint64_t changed = c->w ? ptw_walker_changed_frames(c->w, &first_pa) : 0;

	if (changed)
		ptw_cli_warn(c->cli,
			     "%" PRIu64 " table page(s) read differently when read again (the first at physical "
			     "0x%" PRIx64 "): the live kernel changed them during the walk, and what they map "
			     "is given as each read found it",
			     changed, first_pa);
	ptw_walker_destroy(c->w);
	c->w = NULL;
	ptw_dump_close(c->dump);
	c->dump = NULL;
}

/* Whether text could be SYMBOL, SYMBOL+OFF or SYMBOL-OFF: a C identifier
 * (with the '.' and '$' of compiler-made names such as foo.cold), then an
 * offset. Anything else is not looked up, so a mistyped number never costs
 * loading the symbols. */
static bool looks_like_symbol(const char *text, size_t len)
{
	if (!len || !(isalpha((unsigned char)text[0]) || text[0] == '_' || text[0] == '.'))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '$' && ch != '+' && ch != '-')
			return false;
	}
	return true;
}

struct ptw_error *ptw_cli_parse_addr(const struct ptw_xctx *c, const char *text, size_t len,
				     uint64_t *va_ret)
{
	const struct ptw_symtab *st;
	struct ptw_error *err;
	char name[PTW_SYMBOL_TEXT_MAX];

	if (ptw_parse_u64_n(text, len, va_ret))
		return NULL;
	if (!looks_like_symbol(text, len) || len >= sizeof(name))
		/* Quote at most 40 bytes of it: a batch line may be long. */
		return ptw_error_create(PTW_E_INVALID_ARGUMENT, "not an address: '%.*s%s'",
					(int)(len > 40 ? 40 : len), text, len > 40 ? "..." : "");
	/* A symbol: the dump's symbols are loaded now, the first time. */
	err = ptw_cli_symbols(c->cli, c->dump, &st);
	if (err)
		return err;
	memcpy(name, text, len);
	name[len] = '\0';
	return ptw_symtab_resolve(st, name, va_ret);
}

void ptw_xres_name(const struct ptw_xctx *c, struct ptw_xres *res)
{
	struct ptw_symbol s;
	uint64_t off;

	res->symbol = NULL;
	if (c->cli->brief || !res->g || res->g != &c->x->kernel ||
	    !ptw_cli_name_address(c->cli, c->dump, res->va, &s, &off))
		return;
	ptw_cli_symbol_text(&s, off, res->symbol_text, sizeof(res->symbol_text));
	res->symbol = res->symbol_text;
}

struct ptw_error *ptw_xctx_translate(struct ptw_xctx *c, uint64_t va, struct ptw_xres *ret)
{
	uint64_t u = c->ops->untag ? c->ops->untag(va) : va;
	bool upper = c->ops->is_upper ? c->ops->is_upper(u) : (u >> 63) != 0;

	ret->input = va;
	ret->symbol = NULL;
	ret->va = u;
	ret->tagged = u != va;
	ret->page_tried = false;
	ret->page = NULL;
	ret->page_layout = NULL;
	ret->g = upper ? &c->x->kernel : (c->have_user ? &c->user : NULL);
	if (!ret->g && c->have_user_shape && c->user_shape.va_bits < 64 && u >> c->user_shape.va_bits) {
		/* as the walker says it, with or without a user table */
		memset(&ret->r, 0, sizeof(ret->r));
		ret->g = &c->user_shape;
		ret->r.status = PTW_WALK_NON_CANONICAL;
		ret->r.va = u;
		ret->r.range_start = UINT64_C(1) << c->user_shape.va_bits;
		ret->r.range_end = -(UINT64_C(1) << c->user_shape.va_bits);
		return NULL;
	}
	if (!ret->g) {
		memset(&ret->r, 0, sizeof(ret->r));
		/* the answer holds for the whole user half (or this page) */
		if (c->have_user_shape && c->user_shape.va_bits < 64) {
			ret->r.range_end = UINT64_C(1) << c->user_shape.va_bits;
		} else {
			ret->r.range_start = u & ~UINT64_C(0xfff);
			ret->r.range_end = ret->r.range_start + 0x1000;
		}
		ret->r.status = PTW_WALK_NOT_MAPPED;
		ret->r.va = u;
		ret->r.reason = "a user address: give the user table with --pgd or --pid";
		return NULL;
	}
	return ptw_walk(c->w, ret->g, u, &ret->r);
}

const char *ptw_xres_status_name(const struct ptw_xres *res)
{
	return res->g ? ptw_walk_status_name(res->r.status) : "no-user-table";
}

bool ptw_xctx_table_va(const struct ptw_xctx *c, uint64_t pa, uint64_t *va_ret)
{
	const struct ptw_xlat *x = c->x;
	bool hl = false, hk = false;
	uint64_t lin = 0, kimg = 0;

	/* The kernel's root lives in the image: show it as swapper_pg_dir does. */
	if (x->have_kimage_voffset && x->swapper_pg_dir &&
	    pa - (x->swapper_pg_dir - x->kimage_voffset) < (uint64_t)x->granule) {
		*va_ret = pa + x->kimage_voffset;
		return true;
	}
	if (c->ops->ptov)
		c->ops->ptov(x, pa, &hl, &lin, &hk, &kimg);
	if (hl) {
		*va_ret = lin;
		return true;
	}
	return false;
}

void ptw_xctx_flags_text(const struct ptw_xctx *c, const struct ptw_xres *res, char *buf, size_t len)
{
	struct ptw_attrs a;
	size_t n = 0;

	buf[0] = 0;
	if (!c->ops->attrs)
		return;
	c->ops->attrs(res->g, res->r.idx, res->r.raw, &a);
	for (unsigned i = 0; i < a.n && n < len; i++) {
		const struct ptw_attr *t = &a.a[i];
		int k = 0;
		const char *sep = n ? " " : "";

		if (t->type == PTW_ATTR_BOOL) {
			if (t->label)
				k = snprintf(buf + n, len - n, "%s%s=%u", sep, t->label, (unsigned)t->u);
			else if (t->u)
				k = snprintf(buf + n, len - n, "%s%s", sep, t->name);
		} else if (t->type == PTW_ATTR_UINT) {
			k = snprintf(buf + n, len - n, "%s%s=%" PRIu64, sep, t->label ? t->label : t->name, t->u);
		} else if (t->label && !*t->label) {
			k = snprintf(buf + n, len - n, "%s%s", sep, t->s);
		} else {
			k = snprintf(buf + n, len - n, "%s%s=%s", sep, t->label ? t->label : t->name, t->s);
		}
		if (k > 0)
			n += (size_t)k;
	}
}

void ptw_attrs_json(struct ptw_json *j, const struct ptw_attrs *a)
{
	ptw_json_begin_object(j);
	for (unsigned i = 0; i < a->n; i++) {
		const struct ptw_attr *t = &a->a[i];

		if (t->type == PTW_ATTR_BOOL)
			ptw_json_field_bool(j, t->name, t->u != 0);
		else if (t->type == PTW_ATTR_UINT)
			ptw_json_field_u64(j, t->name, t->u);
		else
			ptw_json_field_string(j, t->name, t->s);
	}
	ptw_json_end_object(j);
}

void ptw_xctx_json(const struct ptw_xctx *c, struct ptw_json *j, const struct ptw_xres *res)
{
	const struct ptw_walk_result *r = &res->r;

	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "va", res->input);
	ptw_json_field_string(j, "status", ptw_xres_status_name(res));
	if (res->g && (r->status == PTW_WALK_OK || r->have_pa)) {
		ptw_json_field_hex(j, "pa", r->pa);
		ptw_json_field_u64(j, "page_size", r->page_size);
	}
	if (res->g && r->status != PTW_WALK_NON_CANONICAL) {
		ptw_json_field_i64(j, "level", r->level);
		if (r->status != PTW_WALK_OK && r->nsteps) {
			const struct ptw_walk_step *s = &r->step[r->nsteps - 1];

			if (r->status != PTW_WALK_NOT_IN_DUMP || r->have_pa) {
				ptw_json_field_u64(j, "index", s->index);
				ptw_json_field_hex(j, "raw", s->raw);
			}
		}
		ptw_json_field_hex(j, "table_base", r->table_base);
		ptw_json_key(j, "walk");
		ptw_json_begin_array(j);
		for (unsigned i = 0; i < r->nsteps; i++) {
			ptw_json_begin_object(j);
			ptw_json_field_i64(j, "level", r->step[i].level);
			ptw_json_field_u64(j, "index", r->step[i].index);
			ptw_json_field_hex(j, "entry_pa", r->step[i].entry_pa);
			ptw_json_field_hex(j, "raw", r->step[i].raw);
			ptw_json_end_object(j);
		}
		ptw_json_end_array(j);
	}
	if (r->status == PTW_WALK_NOT_IN_DUMP)
		ptw_json_field_hex(j, "missing_pa", r->missing_pa);
	if (r->reason)
		ptw_json_field_string(j, "reason", r->reason);
	if (res->g && r->have_pa && c->ops->attrs) {
		struct ptw_attrs a;

		c->ops->attrs(res->g, r->idx, r->raw, &a);
		ptw_json_field_bool(j, "block", r->leaf_is_block);
		if (r->cont_size)
			ptw_json_field_u64(j, "cont_size", r->cont_size);
		ptw_json_key(j, "attrs");
		ptw_attrs_json(j, &a);
	}
	if (res->page_tried) {
		ptw_json_key(j, "page");
		if (res->page)
			ptw_page_json(j, res->page_layout, res->page);
		else
			ptw_json_null(j);
	}
	if (res->tagged)
		ptw_json_field_hex(j, "untagged_va", res->va);
	if (res->symbol)
		ptw_json_field_string(j, "symbol", res->symbol);
	ptw_json_end_object(j);
	ptw_json_newline(j);
}

void ptw_page_json(struct ptw_json *j, const struct ptw_page_layout *l, const struct ptw_page *p)
{
	const char *names[PTW_PAGE_MAX_FLAGS];
	unsigned n;

	ptw_json_begin_object(j);
	ptw_json_field_hex(j, "address", p->address);
	ptw_json_field_u64(j, "pfn", p->pfn);
	ptw_json_field_string(j, "status", p->have_contents ? "ok" : p->missing);
	if (!p->have_contents) {
		ptw_json_end_object(j);
		return;
	}
	ptw_json_field_hex(j, "flags", p->flags);
	ptw_json_key(j, "flag_names");
	ptw_json_begin_array(j);
	n = ptw_page_flag_names(l, p->flags, names, PTW_PAGE_MAX_FLAGS);
	for (unsigned i = 0; i < n; i++)
		ptw_json_string(j, names[i]);
	ptw_json_end_array(j);
	ptw_json_field_i64(j, "refcount", p->refcount);
	ptw_json_key(j, "mapcount");
	p->type ? ptw_json_null(j) : ptw_json_i64(j, p->mapcount);
	ptw_json_field_string(j, "type", p->type);
	ptw_json_field_hex(j, "mapping", p->mapping);
	ptw_json_end_object(j);
}
