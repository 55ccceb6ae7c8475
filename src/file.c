#include "file.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* f_type of procfs (linux/magic.h). */
#define PROC_FS_MAGIC 0x9fa0

static const char *kind_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

/* Whether the running kernel is locked down at the confidentiality level,
 * which is what refuses /proc/kcore (LOCKDOWN_KCORE) even to root. */
static bool locked_down_for_kcore(void)
{
	char buf[128];
	int fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "[confidentiality]") != NULL;
}

/* An open refused on procfs (/proc/kcore): say what the kernel wants. */
static struct ptw_error *open_refused(const char *path, int errnum)
{
	struct statfs fs;
	if ((errnum == EACCES || errnum == EPERM) && statfs(path, &fs) == 0 &&
	    fs.f_type == PROC_FS_MAGIC) {
		if (errnum == EACCES)
			return ptw_error_errno(errnum, "open (the kernel's memory is readable by root only)");
		if (locked_down_for_kcore())
			return ptw_error_errno(errnum, "open (the kernel is locked down: "
						       "lockdown=confidentiality refuses /proc/kcore even to root)");
		return ptw_error_errno(errnum, "open (reading the kernel's memory needs CAP_SYS_RAWIO, "
					       "or the kernel is locked down)");
	}
	return ptw_error_errno(errnum, "open");
}

struct ptw_error *ptw_file_open_regular(const char *path, int *fd_ret, uint64_t *size_ret)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO without a writer returns at once (and
	 * is then refused) instead of waiting for one. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return open_refused(path, errno);
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return ptw_error_errno(e, "stat");
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ptw_error_create(PTW_E_BAD_DATA, "not a regular file (%s)", kind_name(st.st_mode));
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return ptw_error_errno(e, "fcntl");
	}
	*fd_ret = fd;
	*size_ret = (uint64_t)st.st_size;
	return NULL;
}
