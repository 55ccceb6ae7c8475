/* Audits of a dump's page tables and translation configuration (`check`).
 * Each problem is one finding, with what it takes to find it again. */
#ifndef PTW_AUDIT_H
#define PTW_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "dump.h"
#include "error.h"
#include "walk.h"

struct ptw_finding {
	const char *kind; /* wx, user-kernel, reserved-bits, bad-block-level, outside-memory,
			     missing-tables, table-loop, table-alias, linear-map-mismatch,
			     config-conflict */
	bool has_va, has_pa, has_level, has_raw;
	uint64_t va;
	uint64_t end;     /* with has_va: end of the range the finding covers, 0 if one address */
	uint64_t pa;
	int level;
	uint64_t raw;
	char detail[200];
};

typedef void ptw_finding_fn(void *arg, const struct ptw_finding *f);

struct ptw_check_options {
	bool kernel; /* audit the kernel's table */
	bool user;   /* audit the user table `user_geom` */
	const struct ptw_geom *user_geom;
};

/** Run every audit; report each finding through fn. *count_ret counts them. */
struct ptw_error *ptw_check_run(struct ptw_dump *dump, struct ptw_walker *w,
				const struct ptw_check_options *opts, ptw_finding_fn *fn, void *arg,
				uint64_t *count_ret);

#endif
