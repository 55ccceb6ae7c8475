#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

struct ptw_error *ptw_file_open_regular(const char *path, int *fd_ret, uint64_t *size_ret)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO without a writer returns at once (and
	 * is then refused) instead of waiting for one. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return ptw_error_errno(errno, "open");
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
