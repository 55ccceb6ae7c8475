#include "xlat_cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "task_cli.h"

struct ptw_error *ptw_xctx_open(const struct ptw_cli *cli, struct ptw_xctx *ret)
{
	struct ptw_xctx c = { .cli = cli };
	struct ptw_error *err = ptw_cli_open_dump(cli, &c.dump);

	if (err)
		return err;
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
