/* Harnesses hand the library a file path, as the CLI does: this keeps one
 * scratch file per process and rewrites it for each input. */
#ifndef PTW_FUZZ_FILE_H
#define PTW_FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline const char *ptw_fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/ptw-fuzz-%d", (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			abort();
		unlink(path); /* gone when the process ends; reopened by path below */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	return path;
}

#endif
