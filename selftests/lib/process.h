/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This process and its children: forked checks, passing fds, and
 * the locked-memory accounting the backend charges to us.
 */
#ifndef SPAPR_PROCESS_H
#define SPAPR_PROCESS_H

#include <stdint.h>

/*
 * Run a check in a forked child and get its verdict back through the
 * exit status: the child's function returns 0 for success or a small
 * positive "step" number naming the first check that went wrong.
 */
/* Returns the child's exit status (0..255), or -1 if it was killed. */
int run_in_child(int (*fn)(void *arg), void *arg);

/* Send / receive one fd over a unix socket (SCM_RIGHTS). */
int send_fd(int sock, int fd);
int recv_fd(int sock);

/* VmLck of the calling process, in KiB, from /proc/self/status; -1 on error. */
long locked_vm_kb(void);

/*
 * Make this process subject to RLIMIT_MEMLOCK: drop CAP_IPC_LOCK from the
 * effective and permitted sets and set the limit to @bytes.  0 or -errno.
 */
int memlock_limit_enforce(uint64_t bytes);

#endif
