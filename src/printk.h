/* The kernel log of the dead kernel, read from its printk buffer with no
 * symbols or types beyond what VMCOREINFO states: the lockless ring buffer of
 * Linux 5.10+ (SYMBOL(prb), OFFSET(prb_desc_ring.*), OFFSET(printk_info.*),
 * ...) and the older variable-length log_buf (SYMBOL(log_buf),
 * SIZE(printk_log), OFFSET(printk_log.*), ...).
 *
 * An iterator hands out one record per call, oldest first. A record that
 * cannot be read (a corrupt descriptor, text outside the data ring, a page
 * missing from the dump) comes back as a damaged record naming what is
 * wrong, so that the caller can warn and go on; only a buffer that cannot be
 * found or read at all is an error. Records the kernel itself no longer
 * holds (overwritten, lost, still being written) are skipped silently. Every
 * loop is bounded by the sizes VMCOREINFO and the buffer's header state. */
#ifndef PTW_PRINTK_H
#define PTW_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "vmcoreinfo.h"

struct ptw_vmem;
struct ptw_printk;

/* The kernel's record flags (kernel/printk/internal.h, 5.10+; the same
 * values in struct printk_log before). */
#define PTW_PRINTK_LOG_NEWLINE 2u /* the text ended with a newline */
#define PTW_PRINTK_LOG_CONT 8u    /* a fragment of a continuation line */

/* Bit 31 of a caller id: a CPU number, not a task id (printk_caller_id()). */
#define PTW_PRINTK_CALLER_CPU 0x80000000u

struct ptw_printk_record {
	bool have_seq;      /* the lockless ring numbers records; log_buf does not */
	uint64_t seq;
	uint64_t ts_nsec;
	int level;          /* 0 (emerg) .. 7 (debug); -1 when the layout hides it */
	int facility;       /* syslog facility (0 kernel, 1 user...); -1 when hidden */
	unsigned flags;     /* PTW_PRINTK_LOG_*; 0 when hidden */
	bool have_caller;   /* caller_id recorded (5.10+ always; log_buf with CONFIG_PRINTK_CALLER) */
	uint32_t caller_id; /* task id, or CPU number | PTW_PRINTK_CALLER_CPU */
	/* The text, without the trailing newline the kernel strips; lines are
	 * separated by '\n'. Not NUL-terminated. Valid until the next call. */
	const char *text;
	size_t text_len;
	/* The dictionary as "KEY=VALUE" strings, each ended by a NUL
	 * (SUBSYSTEM= and DEVICE= from dev_printk_info; log_buf's dict as
	 * stored). Valid until the next call. */
	const char *dict;
	size_t dict_len;
	/* Non-NULL for a record that could not be read: what is wrong, naming
	 * its sequence number (or log_buf offset) and descriptor. The other
	 * fields are then unset except have_seq/seq. Valid until the next call. */
	const char *damage;
};

/** Reads len bytes of the dead kernel's memory at virtual address va. */
typedef struct ptw_error *ptw_printk_read_fn(void *arg, uint64_t va, void *buf, size_t len);

/** Find the log buffer VMCOREINFO describes (the lockless ring when both are
 * described) and read it through vm. BAD_DATA names the missing or
 * impossible VMCOREINFO entry or header field; a read failure of the buffer's
 * header is passed on with its address. vm and vi must outlive the iterator. */
struct ptw_error *ptw_printk_open(struct ptw_vmem *vm, const struct ptw_vmcoreinfo *vi,
				  struct ptw_printk **ret);
/** The same over any reader of kernel memory (the fuzz harness uses a flat
 * buffer). */
struct ptw_error *ptw_printk_open_reader(const struct ptw_vmcoreinfo *vi, ptw_printk_read_fn *read,
					 void *arg, struct ptw_printk **ret);

/** The next record, oldest first; *done_ret true (and rec unset) after the
 * last. Damaged records are records with rec->damage set; after 4096 of them
 * the ring is taken to be corrupt and BAD_DATA ends the iteration. */
struct ptw_error *ptw_printk_next(struct ptw_printk *pk, struct ptw_printk_record *rec, bool *done_ret);

/** Visit at most steps descriptors (log_buf: records) from now on, in all;
 * reaching the limit ends the iteration with one damaged record saying so.
 * Without it the limit is what the buffer's header states (at most 2^26
 * descriptors, 2^31 bytes of log_buf), which a caller that must answer fast
 * (a fuzzer, an interactive tool) may want to cut. */
void ptw_printk_set_budget(struct ptw_printk *pk, uint64_t steps);

/** "lockless ring buffer" or "log_buf". */
const char *ptw_printk_kind(const struct ptw_printk *pk);

void ptw_printk_destroy(struct ptw_printk *pk);

#endif
