/* Batch translation through the public API (include/ptwalk.h) against
 * libkdumpfile's addrxlat, in one process, on the same dump file and the
 * same addresses (bench/gen_addrs.py's list):
 *     api_xlat DUMP ADDRESSES [RUNS]
 * Both libraries get the addresses already parsed, in one array, so what
 * is timed is translation alone: ptwalk_translate_batch() over the whole
 * array, and addrxlat_fulladdr_conv() per address. Each figure is the best
 * of RUNS passes (default 5); before each ptwalk pass the space is flushed
 * (frame cache and translation cache empty), while libkdumpfile keeps
 * whatever it caches between passes. Every answer is compared: a PA must
 * match, and "no answer" must be no answer in both.
 * Times are wall time (CLOCK_MONOTONIC): on this VM the thread CPU clock
 * reads about a third of it, more than any core could do the work in.
 * Built without -DWITH_KDUMPFILE it times ptwalk alone. The environment
 * variable KDUMPFILE_ARCH (aarch64, x86_64) names the architecture for
 * libkdumpfile when the file does not (QEMU's kdumps). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
	for (int r = 0; r < runs; r++) {
		ptwalk_space_flush(s);
		double t = now();

		if ((err = ptwalk_translate_batch(s, va, n, pa, st, NULL)))
			fail("translate", err);
		t = now() - t;
		if (t < best)
			best = t;
	}
	for (size_t i = 0; i < n; i++)
		ok += st[i] == PTWALK_OK;
	printf("ptwalk_api: %zu addresses, %zu translated, best of %d: %.4f s, %.2fM translations/s (open %.1f ms)\n",
	       n, ok, runs, best, n / best / 1e6, t_open * 1e3);
#ifdef WITH_KDUMPFILE
	{
		kdump_ctx_t *ctx = kdump_new();
		int fd = open(argv[1], O_RDONLY);
		const char *arch = getenv("KDUMPFILE_ARCH");
		addrxlat_ctx_t *xctx;
		addrxlat_sys_t *xsys;
		double kbest = 1e9;
		size_t kok = 0, agree = 0, shown = 0;

		if (!ctx || fd < 0 || kdump_set_number_attr(ctx, KDUMP_ATTR_FILE_FD, fd) != KDUMP_OK ||
		    (arch && *arch && kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, arch) != KDUMP_OK) ||
		    kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK ||
		    kdump_get_addrxlat(ctx, &xctx, &xsys) != KDUMP_OK) {
			printf("libkdumpfile: failed to open: %s\n", ctx ? kdump_get_err(ctx) : "kdump_new");
			return 0;
		}
		uint64_t *kpa = malloc(n * sizeof(*kpa));

		for (int r = 0; r < runs; r++) {
			double t = now();

			kok = 0;
			for (size_t i = 0; i < n; i++) {
				addrxlat_fulladdr_t a = { .addr = va[i], .as = ADDRXLAT_KVADDR };

				if (addrxlat_fulladdr_conv(&a, ADDRXLAT_KPHYSADDR, xctx, xsys) == ADDRXLAT_OK) {
					kpa[i] = a.addr;
					kok++;
				} else {
					kpa[i] = PTWALK_PA_NONE;
				}
			}
			t = now() - t;
			if (t < kbest)
				kbest = t;
		}
		for (size_t i = 0; i < n; i++) {
			if (kpa[i] == pa[i])
				agree++;
			else if (shown++ < 5)
				printf("disagree: %" PRIx64 ": ptwalk %s %" PRIx64 ", libkdumpfile %" PRIx64 "\n", va[i],
				       ptwalk_status_name(st[i]), pa[i], kpa[i]);
		}
		printf("libkdumpfile: %zu addresses, %zu translated, best of %d: %.4f s, %.2fM translations/s\n",
		       n, kok, runs, kbest, n / kbest / 1e6);
		printf("ratio: %.1fx; answers: %zu/%zu agree\n", kbest / best, agree, n);
		addrxlat_sys_decref(xsys);
		addrxlat_ctx_decref(xctx);
		kdump_free(ctx);
		free(kpa);
	}
#endif
	ptwalk_space_close(s);
	ptwalk_dump_close(d);
	free(va);
	free(pa);
	free(st);
	return 0;
}
