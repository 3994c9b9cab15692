/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a check in a forked child and get its verdict back through the
 * exit status: the child's function returns 0 for success or a small
 * positive "step" number naming the first check that went wrong.
 */
#ifndef SPAPR_CHILD_H
#define SPAPR_CHILD_H

/* Returns the child's exit status (0..255), or -1 if it was killed. */
int run_in_child(int (*fn)(void *arg), void *arg);

/* Send / receive one fd over a unix socket (SCM_RIGHTS). */
int send_fd(int sock, int fd);
int recv_fd(int sock);

#endif
