/* Opening an input file: only regular files are read. A FIFO would block
 * open() or read() forever, a directory or a device has no size to bound
 * the reads by. */
#ifndef PTW_FILE_H
#define PTW_FILE_H

#include <stdint.h>

#include "error.h"

/** Open path read-only, refusing anything but a regular file before any
 * byte is read (BAD_DATA "not a regular file (a FIFO)", and the like).
 * /proc/kcore is a regular file (of a size it claims, terabytes: nothing
 * reads or maps it whole), and passes; refused by the kernel, its open says
 * why (root only, CAP_SYS_RAWIO, lockdown). *fd_ret is blocking. */
struct ptw_error *ptw_file_open_regular(const char *path, int *fd_ret, uint64_t *size_ret);

#endif
