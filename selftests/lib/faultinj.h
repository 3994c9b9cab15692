/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fail the Nth allocation of the calling thread (fail-nth, with failslab
 * and fail_page_alloc made to count sleeping allocations too).  Needs a
 * kernel with CONFIG_FAULT_INJECTION(_DEBUG_FS), FAILSLAB and
 * FAIL_PAGE_ALLOC: the test bed's debug kernel.
 */
#ifndef SPAPR_FAULTINJ_H
#define SPAPR_FAULTINJ_H

#include <stdbool.h>

/* Configure failslab/fail_page_alloc; false when the kernel can't inject. */
bool faultinj_setup(void);
/* Make the Nth allocation from now on, in this thread, fail. */
int faultinj_arm(unsigned int n);
/*
 * Stop injecting.  Returns true when the Nth allocation was reached (a
 * failure was injected), false when the operation made fewer than N.
 */
bool faultinj_disarm(void);

#endif
