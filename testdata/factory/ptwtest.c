/* ptwtest: guest test program for ptwalk's sample vmcores (testdata/).
 *
 * Usage: ptwtest spin|sleep [ready]   ("ready": list every task of the system
 *                                     and print PTWREADY after the line)
 *        ptwtest threads N            (N extra threads that sleep in futex
 *                                     wait; creates /ptwthreads.ready when
 *                                     they all run)
 *
 * Maps three anonymous regions, fills them with a pattern that encodes the
 * virtual address, prints one parseable line on stdout (the console) and its
 * own /proc/self/maps, then busy-spins in user mode ("spin") or sleeps
 * ("sleep", "threads") forever.  Nothing here forks or execs.
 *
 *   region A: 64 KiB, every page touched
 *   region B: 2 MiB, 2 MiB aligned, MADV_HUGEPAGE, every page touched
 *   region C: 4 pages, MADV_NOHUGEPAGE, page index 2 never touched (must be unmapped)
 *
 * Pattern: the u64 at virtual address v (8-byte aligned) holds
 *          v ^ 0x5054574b5054574b   ("PTWK" twice)
 *
 * Output line (one line, fields separated by single spaces):
 *   PTWTEST pid=<dec> mode=<spin|sleep|threads> cpu=<dec> pagesize=<dec>
 *           A=<hex>:<size> B=<hex>:<size> C=<hex>:<size> untouched=<hex>
 *           [threads=<dec>]
 * then one line per line of /proc/self/maps and an end line:
 *   PTWMAPS <pid> <line of /proc/self/maps>
 *   PTWMAPSEND <pid> lines=<dec>
 * With "ready", after those: the console loglevel is set to 1 (no kernel
 * message interleaves with what follows), then one line per task
 * (/proc/PID/task/TID/stat: TID, PID as tgid, field 4 as ppid, comm):
 *   PTWTASK <tid> <tgid> <ppid> <comm>
 *   PTWTASKEND n=<dec>
 *   PTWREADY
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PATTERN 0x5054574b5054574bULL

static void fill(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 8) {
		uint64_t *w = (uint64_t *)(p + off);
		*w = (uint64_t)(uintptr_t)w ^ PATTERN;
	}
}

static char *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* whole small file (procfs) into buf, NUL-terminated; length or -1 */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == size - 1)
			break;
	}
	close(fd);
	buf[n] = 0;
	return (ssize_t)n;
}

static void print_maps(void)
{
	static char buf[1 << 20];
	int pid = (int)getpid(), lines = 0;
	if (slurp("/proc/self/maps", buf, sizeof buf) < 0)
		return;
	for (char *l = buf, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!nl)
			nl = l + strlen(l) - 1;
		printf("PTWMAPS %d %.*s\n", pid, (int)(nl - l + (*nl != '\n')), l);
		lines++;
	}
	printf("PTWMAPSEND %d lines=%d\n", pid, lines);
	fflush(stdout);
}

static int isnum(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* every task of the system, threads included, from /proc/PID/task/TID/stat */
static void print_tasks(void)
{
	char path[600], buf[1024];
	int n = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (!isnum(e->d_name))
			continue;
		snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
		DIR *t = opendir(path);
		if (!t)
			continue;
		for (struct dirent *f; (f = readdir(t));) {
			if (!isnum(f->d_name))
				continue;
			snprintf(path, sizeof path, "/proc/%s/task/%s/stat", e->d_name, f->d_name);
			if (slurp(path, buf, sizeof buf) <= 0)
				continue;
			/* "tid (comm) state ppid ...": comm may hold ')' and blanks */
			char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
			if (!lp || !rp || rp < lp)
				continue;
			char state;
			int ppid;
			if (sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
				continue;
			printf("PTWTASK %s %s %d %.*s\n", f->d_name, e->d_name, ppid,
			       (int)(rp - lp - 1), lp + 1);
			n++;
		}
		closedir(t);
	}
	closedir(d);
	printf("PTWTASKEND n=%d\n", n);
	fflush(stdout);
}

static int futex_word;

static void *sleeper(void *arg)
{
	char name[16];
	snprintf(name, sizeof name, "ptwthr%d", (int)(intptr_t)arg);
	prctl(PR_SET_NAME, name);
	for (;;)
		syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	int sleep_mode = argc > 1 && strcmp(argv[1], "sleep") == 0;
	int threads_mode = argc > 2 && strcmp(argv[1], "threads") == 0;
	int spin = !sleep_mode && !threads_mode;
	int nthreads = threads_mode ? atoi(argv[2]) : 0;
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	size_t alen = 64 * 1024, blen = 2u << 20, clen = 4 * ps;
	const size_t huge = 2u << 20;

	char *a = map(alen);
	fill(a, alen);

	char *braw = map(blen + huge);
	char *b = (char *)(((uintptr_t)braw + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(b, blen, MADV_HUGEPAGE);
	fill(b, blen);

	char *c = map(clen);
	/* no THP of any size here, else page 2 would come with its neighbours */
	madvise(c, clen, MADV_NOHUGEPAGE);
	fill(c, 2 * ps);			/* pages 0, 1 */
	fill(c + 3 * ps, ps);			/* page 3; page 2 never touched */

	if (threads_mode) {
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 65536);
		for (int i = 0; i < nthreads; i++) {
			pthread_t th;
			int err = pthread_create(&th, &at, sleeper, (void *)(intptr_t)i);
			if (err) {
				fprintf(stderr, "PTWERR pthread_create %d: %s\n", i, strerror(err));
				nthreads = i;
				break;
			}
		}
	}

	printf("PTWTEST pid=%d mode=%s cpu=%d pagesize=%zu A=%p:%zu B=%p:%zu "
	       "C=%p:%zu untouched=%p", (int)getpid(),
	       spin ? "spin" : threads_mode ? "threads" : "sleep",
	       sched_getcpu(), ps, (void *)a, alen, (void *)b, blen,
	       (void *)c, clen, (void *)(c + 2 * ps));
	if (threads_mode)
		printf(" threads=%d", nthreads);
	printf("\n");
	fflush(stdout);
	int ready = argc > 2 && strcmp(argv[2], "ready") == 0;
	/* PID 1 ("ready") prints its maps after the task listing, whose
	 * opendir/closedir move the heap's end */
	if (!ready)
		print_maps();

	if (threads_mode) {
		int fd = open("/ptwthreads.ready", O_CREAT | O_WRONLY, 0644);
		if (fd >= 0)
			close(fd);
	}
	if (ready) {
		/* no kernel message may cut into the listing */
		int fd = open("/proc/sys/kernel/printk", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1\n", 2) < 0)
				perror("printk");
			close(fd);
		}
		print_tasks();
		print_maps();
		printf("PTWREADY\n");
		fflush(stdout);
	}
	if (spin)
		for (;;)
			__asm__ volatile("" ::: "memory");
	for (;;)
		pause();
	return 0;
}
