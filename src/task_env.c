#include "task_env.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "sym.h"
#include "types.h"

/* A kernel symbol's address: the dump's symbols (which include VMCOREINFO's
 * SYMBOL() lines, and --set ones, once loaded), else VMCOREINFO directly: a
 * name kallsyms lacks comes from VMCOREINFO, as the loaded table (VMCOREINFO's
 * SYMBOL() lines merged) would give it. */
static bool lookup(struct ptw_dump *dump, const char *name, uint64_t *ret, const char **source_ret)
{
	uint64_t v;

	if (ptw_dump_symbol_address(dump, name, &v)) {
		*ret = v;
		*source_ret = "symbols";
		return true;
	}
	if (ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, name, &v)) {
		*ret = v;
		*source_ret = "vmcoreinfo";
		return true;
	}
	return false;
}

#define SEARCH_SPAN (UINT64_C(32) << 20)
#define MAX_LIST (UINT64_C(1) << 22)

/* Whether the tasks list through a candidate init_task leads back to it,
 * every element carrying a comm. */
static bool leads_back(const struct ptw_kmem *mem, const struct ptw_task_layout *L, uint64_t task)
{
	uint64_t head = task + L->task_tasks, cur;
	struct ptw_error *err = ptw_kmem_u64(mem, head, &cur);
	uint32_t pid;

	if (err || (err = ptw_kmem_u32(mem, task + L->task_pid, &pid)) || pid != 0) {
		ptw_error_destroy(err);
		return false;
	}
	for (uint64_t n = 0; cur != head; n++) {
		unsigned char comm[PTW_TASK_COMM_LEN];

		if (n > MAX_LIST || !(cur >> 63) ||
		    (err = ptw_kmem_read(mem, cur - L->task_tasks + L->task_comm, comm, sizeof(comm))) ||
		    !ptw_task_comm_ok(comm) || (err = ptw_kmem_u64(mem, cur, &cur))) {
			ptw_error_destroy(err);
			return false;
		}
	}
	return true;
}

/* Without an init_task symbol (Debian's kallsyms has text symbols only):
 * the idle task's comm, "swapper/0", searched for in the kernel's data
 * around the data symbols VMCOREINFO names, accepted where the tasks list
 * leads back to the task it belongs to. */
static struct ptw_error *search_init_task(struct ptw_dump *dump, const struct ptw_kmem *mem,
					  const struct ptw_task_layout *L, uint64_t *ret)
{
	static const char *const anchors[] = { "init_uts_ns", "node_online_map", "prb", "clear_seq",
						"printk_rb_static", "mem_map", "contig_page_data" };
	static const char needle[] = "swapper/0";
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned char *buf;

	for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		uint64_t v;

		if (ptw_vmcoreinfo_try_symbol(&dump->vmcoreinfo, anchors[i], &v) && (v >> 63)) {
			if (dump->xlat.have_stext && v < dump->xlat.stext)
				continue;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	if (lo == UINT64_MAX)
		return ptw_error_create(PTW_E_BAD_DATA,
					"cannot list tasks: no init_task symbol, and VMCOREINFO names no kernel data to search for it");
	buf = malloc(4096 + sizeof(needle));
	if (!buf)
		return &ptw_enomem;
	/* Outward from the data the anchors name: first their own span, then
	 * growing margins on both sides, so the usual case reads little. */
	uint64_t floor = dump->xlat.have_stext ? dump->xlat.stext & ~UINT64_C(4095) : 0;
	uint64_t done_lo = lo & ~UINT64_C(4095), done_hi = done_lo;
	uint64_t want_hi = (hi + 4096) & ~UINT64_C(4095);

	for (uint64_t margin = 0; margin <= SEARCH_SPAN; margin = margin ? margin * 2 : UINT64_C(1) << 20) {
		uint64_t a = done_lo - floor > margin ? (lo & ~UINT64_C(4095)) - margin : floor;
		uint64_t b = want_hi + margin;

		if (a < floor)
			a = floor;
		/* [a, done_lo) then [done_hi, b) */
		for (int side = 0; side < 2; side++) {
			uint64_t from = side ? done_hi : a, to = side ? b : done_lo;

			for (uint64_t va = from; va < to; va += 4096) {
				struct ptw_error *err = ptw_kmem_read(mem, va, buf, 4096 + sizeof(needle));

				if (err) {
					ptw_error_destroy(err);
					continue;
				}
				for (size_t o = 0; o < 4096; o++) {
					if (buf[o] != 's' || memcmp(buf + o, needle, sizeof(needle)) != 0)
						continue;
					uint64_t task = va + o - L->task_comm;

					if (leads_back(mem, L, task)) {
						free(buf);
						*ret = task;
						return NULL;
					}
				}
			}
		}
		done_lo = a;
		done_hi = b > done_hi ? b : done_hi;
	}
	lo = done_lo;
	hi = done_hi;
	free(buf);
	return ptw_error_create(PTW_E_BAD_DATA,
				"cannot list tasks: no init_task symbol, and no task named \"swapper/0\" whose task list leads back to it in the kernel's data [0x%" PRIx64 ", 0x%" PRIx64 ")",
				lo, hi);
}

struct ptw_error *ptw_task_env_create(struct ptw_dump *dump, const struct ptw_kmem *mem,
				      struct ptw_task_env *ret)
{
	struct ptw_task_env env;
	struct ptw_task_anchors a = { 0 };
	struct ptw_types *types = NULL;
	const char *src = NULL, *src2 = NULL;
	bool have_init;
	struct ptw_error *err, *types_err;

	memset(&env, 0, sizeof(env));
	have_init = lookup(dump, "init_task", &env.init_task, &src);
	types_err = ptw_dump_types(dump, &types);
	/* A --btf file was asked for: not inferring around it unsaid. */
	if (types_err && dump->btf_path)
		return types_err;
	if (!types_err) {
		err = ptw_task_layout_from_types(types, &env.layout);
		if (err)
			return err;
		if (!have_init) {
			err = search_init_task(dump, mem, &env.layout, &env.init_task);
			if (err)
				return err;
			src = "search";
		}
		env.init_task_source = src;
		*ret = env;
		return NULL;
	}
	if (!have_init) {
		err = ptw_error_create(PTW_E_BAD_DATA,
				       "cannot list tasks: the address of init_task is not known (no such symbol) and there are no types to find it with (%s)",
				       types_err->message);
		ptw_error_destroy(types_err);
		return err;
	}
	ptw_error_destroy(types_err);
	env.init_task_source = src;
	a.init_task = env.init_task;
	lookup(dump, "init_mm", &a.init_mm, &src2);
	a.kernel_root_pa = dump->xlat.kernel.root_pa;
	a.kernel_root_va = dump->xlat.swapper_pg_dir;
	a.granule = dump->xlat.granule;
	err = ptw_task_layout_infer(mem, &a, &env.layout);
	if (err)
		return err;
	*ret = env;
	return NULL;
}
