/* Shared by the commands not yet on the public API (layout, maps): the
 * opened dump with its walker, and the attributes' JSON. vtop, read and
 * ptov answer through include/ptwalk.h (src/cli/api_cli.h). */
#ifndef PTW_XLAT_CLI_H
#define PTW_XLAT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "format.h"
#include "json.h"
#include "walk.h"

struct ptw_xctx {
	const struct ptw_cli *cli;
	struct ptw_dump *dump;
	const struct ptw_xlat *x;
	const struct ptw_arch_ops *ops;
	struct ptw_walker *w;
	bool have_user;
	struct ptw_geom user;
	/* The shape of the user half (its VA size) even without a user table:
	 * a lower-half address outside it is non-canonical, table or not. */
	bool have_user_shape;
	struct ptw_geom user_shape;
};

/** Open the dump, require its translation, build the walker and the --pgd tree. */
struct ptw_error *ptw_xctx_open(const struct ptw_cli *cli, struct ptw_xctx *ret);
void ptw_xctx_close(struct ptw_xctx *c);
/** A leaf's decoded attributes as a JSON object. */
void ptw_attrs_json(struct ptw_json *j, const struct ptw_attrs *a);

#endif
