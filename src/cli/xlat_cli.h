/* Shared by the translation commands (vtop, ptov, read, layout): the opened
 * dump with its walker, VA -> tree selection, and record printers. */
#ifndef PTW_XLAT_CLI_H
#define PTW_XLAT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "format.h"
#include "json.h"
#include "page.h"
#include "walk.h"

/* Room for "SYMBOL+0xOFF" text (KSYM_NAME_LEN is 512). */
#define PTW_SYMBOL_TEXT_MAX 560

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

/* One answered address. */
struct ptw_xres {
	uint64_t input;              /* as given */
	uint64_t va;                 /* untagged */
	bool tagged;
	const struct ptw_geom *g;    /* NULL: a user address and no user table */
	struct ptw_walk_result r;
	/* vtop: struct page of the frame (page_tried: looked up; page NULL:
	 * its address could not be worked out). */
	bool page_tried;
	const struct ptw_page *page;
	const struct ptw_page_layout *page_layout;
	/* The kernel-image symbol the address lies in ("start_kernel+0x10"),
	 * set by ptw_xres_name; NULL when none or not asked. */
	const char *symbol;
	char symbol_text[PTW_SYMBOL_TEXT_MAX];
};

/** Open the dump, require its translation, build the walker and the --pgd tree. */
struct ptw_error *ptw_xctx_open(const struct ptw_cli *cli, struct ptw_xctx *ret);
/** As ptw_xctx_open, but a dump whose translation cannot be set up is still
 * opened, for physical reads: then x, ops and w are NULL (unless --pgd is
 * given, which needs the translation). */
struct ptw_error *ptw_xctx_open_phys(const struct ptw_cli *cli, struct ptw_xctx *ret);
void ptw_xctx_close(struct ptw_xctx *c);
/** The one reader of a virtual ADDRESS given by the user (arguments and `-`
 * batches of every command that takes one): the len bytes at text, decimal
 * or 0x hex (ptw_parse_u64_n). An error (INVALID_ARGUMENT, naming the text)
 * when it is not an address. c is open: later forms (SYMBOL, SYMBOL+OFF)
 * resolve against its dump. */
struct ptw_error *ptw_cli_parse_addr(const struct ptw_xctx *c, const char *text, size_t len,
				     uint64_t *va_ret);
/** Name res's address (res->symbol) when it lies in the kernel image and
 * the output is not --brief: the symbols are loaded for such an address only. */
void ptw_xres_name(const struct ptw_xctx *c, struct ptw_xres *res);
/** Untag, pick the tree by the half the VA is in, walk. */
struct ptw_error *ptw_xctx_translate(struct ptw_xctx *c, uint64_t va, struct ptw_xres *ret);
/** Whether a result answers the address (status ok). */
static inline bool ptw_xres_ok(const struct ptw_xres *res)
{
	return res->g && res->r.status == PTW_WALK_OK;
}
/** The result's status as vtop names it: a walk status ("ok", "not-mapped",
 * ...), or "no-user-table" for a user address when no user table was given. */
const char *ptw_xres_status_name(const struct ptw_xres *res);
/** A kernel VA through which a table at pa can be seen (for crash-style output). */
bool ptw_xctx_table_va(const struct ptw_xctx *c, uint64_t pa, uint64_t *va_ret);
/** Text of the leaf attributes, e.g. "valid af sh=inner attr=0 rw pxn uxn nG=0 cont=0". */
void ptw_xctx_flags_text(const struct ptw_xctx *c, const struct ptw_xres *res, char *buf, size_t len);
/** A leaf's decoded attributes as a JSON object. */
void ptw_attrs_json(struct ptw_json *j, const struct ptw_attrs *a);
/** struct page as a JSON object (vtop's "page"). */
void ptw_page_json(struct ptw_json *j, const struct ptw_page_layout *l, const struct ptw_page *p);
/** Print a result as one JSON Lines record. */
void ptw_xctx_json(const struct ptw_xctx *c, struct ptw_json *j, const struct ptw_xres *res);

#endif
