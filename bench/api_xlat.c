/* Batch translation through the public API (include/ptwalk.h) against
 * libkdumpfile's addrxlat, in one process, on the same dump file and the
 * same addresses (bench/gen_addrs.py's list):
 *     api_xlat DUMP ADDRESSES [RUNS]
 * Both libraries get the addresses already parsed, in one array, so what
 * is timed is translation alone: ptwalk_translate_batch() over the whole
 * array, and addrxlat_fulladdr_conv() per address. The passes alternate,
 * one of each per round, so that both libraries meet the same machine: on
 * a shared virtual machine the speed of a core changes by a third from
 * one second to the next. Each rate is the best of RUNS passes (default
 * 5); the ratio is that of the two best passes, and the median of the
 * rounds' ratios is shown beside it. Before each ptwalk pass the space is
 * flushed (frame cache and translation cache empty), while libkdumpfile
 * keeps whatever it caches between passes. Every answer is compared: a PA
 * must match, and "no answer" must be no answer in both.
 * Times are wall time (CLOCK_MONOTONIC): on this VM the thread CPU clock
 * reads about a third of it, more than any core could do the work in.
 * Built without -DWITH_KDUMPFILE it times ptwalk alone. The environment
 * variable KDUMPFILE_ARCH (aarch64, x86_64) names the architecture for
 * libkdumpfile when the file does not (QEMU's kdumps). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ptwalk.h"
#ifdef WITH_KDUMPFILE
#include <libkdumpfile/kdumpfile.h>
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t *read_addresses(const char *path, size_t *n_ret)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 1 << 20;
	uint64_t *a = malloc(cap * sizeof(*a));
	char line[128];

	if (!f || !a) {
		fprintf(stderr, "api_xlat: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		if (n == cap && !(a = realloc(a, (cap *= 2) * sizeof(*a)))) {
			fprintf(stderr, "api_xlat: out of memory\n");
			exit(1);
		}
		a[n++] = strtoull(line, NULL, 0);
	}
	fclose(f);
	*n_ret = n;
	return a;
}

static void fail(const char *what, struct ptwalk_error *err)
{
	fprintf(stderr, "api_xlat: %s: %s\n", what, ptwalk_error_message(err));
	exit(1);
}

/* One pass of ptwalk over every address, from an empty cache; its time. */
static double ptwalk_pass(struct ptwalk_space *s, const uint64_t *va, size_t n, uint64_t *pa, uint8_t *st)
{
	struct ptwalk_error *err;
	double t;

	ptwalk_space_flush(s);
	t = now();
	if ((err = ptwalk_translate_batch(s, va, n, pa, st, NULL)))
		fail("translate", err);
	return now() - t;
}

#ifdef WITH_KDUMPFILE
struct kdumpfile {
	kdump_ctx_t *ctx;
	addrxlat_ctx_t *xctx;
	addrxlat_sys_t *xsys;
};

static bool kdumpfile_open(const char *path, struct kdumpfile *k)
{
	int fd = open(path, O_RDONLY);
	const char *arch = getenv("KDUMPFILE_ARCH");

	k->ctx = kdump_new();
	if (!k->ctx || fd < 0 || kdump_set_number_attr(k->ctx, KDUMP_ATTR_FILE_FD, fd) != KDUMP_OK ||
	    (arch && *arch && kdump_set_string_attr(k->ctx, KDUMP_ATTR_ARCH_NAME, arch) != KDUMP_OK) ||
	    kdump_set_string_attr(k->ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK ||
	    kdump_get_addrxlat(k->ctx, &k->xctx, &k->xsys) != KDUMP_OK) {
		printf("libkdumpfile: failed to open: %s\n", k->ctx ? kdump_get_err(k->ctx) : "kdump_new");
		return false;
	}
	return true;
}

/* One pass of libkdumpfile over every address; its time, and into *ok_ret
 * how many it translated. */
static double kdumpfile_pass(const struct kdumpfile *k, const uint64_t *va, size_t n, uint64_t *kpa, size_t *ok_ret)
{
	double t = now();
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		addrxlat_fulladdr_t a = { .addr = va[i], .as = ADDRXLAT_KVADDR };

		if (addrxlat_fulladdr_conv(&a, ADDRXLAT_KPHYSADDR, k->xctx, k->xsys) == ADDRXLAT_OK) {
			kpa[i] = a.addr;
			ok++;
		} else {
			kpa[i] = PTWALK_PA_NONE;
		}
	}
	*ok_ret = ok;
	return now() - t;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}
#endif

int main(int argc, char **argv)
{
	struct ptwalk_dump *d;
	struct ptwalk_space *s;
	struct ptwalk_error *err;
	size_t n, ok = 0;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	double best = 1e9;

	if (argc < 3) {
		fprintf(stderr, "usage: api_xlat DUMP ADDRESSES [RUNS]\n");
		return 2;
	}
	if (runs < 1)
		runs = 1;
	uint64_t *va = read_addresses(argv[2], &n);
	uint64_t *pa = malloc(n * sizeof(*pa));
	uint8_t *st = malloc(n);

	if (!pa || !st)
		return 1;
	double t0 = now();
	if ((err = ptwalk_dump_open(argv[1], NULL, &d)))
		fail(argv[1], err);
	if ((err = ptwalk_space_kernel(d, &s)))
		fail(argv[1], err);
	double t_open = now() - t0;
#ifdef WITH_KDUMPFILE
	struct kdumpfile k;
	bool have_k = kdumpfile_open(argv[1], &k);
	uint64_t *kpa = malloc(n * sizeof(*kpa));
	double *ratios = malloc(runs * sizeof(*ratios));
	double kbest = 1e9;
	size_t kok = 0;

	if (!kpa || !ratios)
		return 1;
#endif
	for (int r = 0; r < runs; r++) {
		double t = ptwalk_pass(s, va, n, pa, st);

		if (t < best)
			best = t;
#ifdef WITH_KDUMPFILE
		if (have_k) {
			double kt = kdumpfile_pass(&k, va, n, kpa, &kok);

			if (kt < kbest)
				kbest = kt;
			ratios[r] = kt / t;
		}
#endif
	}
	for (size_t i = 0; i < n; i++)
		ok += st[i] == PTWALK_OK;
	printf("ptwalk_api: %zu addresses, %zu translated, best of %d: %.4f s, %.2fM translations/s (open %.1f ms)\n",
	       n, ok, runs, best, n / best / 1e6, t_open * 1e3);
#ifdef WITH_KDUMPFILE
	if (have_k) {
		size_t agree = 0, shown = 0;

		for (size_t i = 0; i < n; i++) {
			if (kpa[i] == pa[i])
				agree++;
			else if (shown++ < 5)
				printf("disagree: %" PRIx64 ": ptwalk %s %" PRIx64 ", libkdumpfile %" PRIx64 "\n", va[i],
				       ptwalk_status_name(st[i]), pa[i], kpa[i]);
		}
		qsort(ratios, runs, sizeof(*ratios), by_value);
		printf("libkdumpfile: %zu addresses, %zu translated, best of %d: %.4f s, %.2fM translations/s\n",
		       n, kok, runs, kbest, n / kbest / 1e6);
		printf("ratio: %.1fx (median of the rounds: %.1fx); answers: %zu/%zu agree\n", kbest / best,
		       runs % 2 ? ratios[runs / 2] : (ratios[runs / 2 - 1] + ratios[runs / 2]) / 2, agree, n);
		addrxlat_sys_decref(k.xsys);
		addrxlat_ctx_decref(k.xctx);
		kdump_free(k.ctx);
	}
	free(kpa);
	free(ratios);
#endif
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
	free(va);
	free(pa);
	free(st);
	return 0;
}
