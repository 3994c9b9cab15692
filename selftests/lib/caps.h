/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SPAPR_CAPS_H
#define SPAPR_CAPS_H

#include <stdint.h>

/*
 * Make this process subject to RLIMIT_MEMLOCK: drop CAP_IPC_LOCK from the
 * effective and permitted sets and set the limit to @bytes.  0 or -errno.
 */
int memlock_limit_enforce(uint64_t bytes);

#endif
