/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel shows in debugfs: our module's counters, and the
 * fault injection that makes allocations fail on purpose.
 */
#ifndef SPAPR_DEBUGFS_H
#define SPAPR_DEBUGFS_H

#include <stdbool.h>

/*
 * The module-wide counters of vfio_spapr_tce (debugfs), to prove that
 * containers, tables, pins and mappings all went back.  The in-tree
 * driver has none.
 */
struct modstats {
	long containers;
	long tables;
	long pinned_pages;
	long orphan_regions;	/* regions kept past their container */
};

/* 0, or -errno when the counters are not there (in-tree, no debugfs). */
int modstats_read(struct modstats *s);
/* Non-zero when any counter differs. */
int modstats_differ(const struct modstats *a, const struct modstats *b);

/*
 * Fail the Nth allocation of the calling thread (fail-nth, with failslab
 * and fail_page_alloc made to count sleeping allocations too).  Needs a
 * kernel with CONFIG_FAULT_INJECTION(_DEBUG_FS), FAILSLAB and
 * FAIL_PAGE_ALLOC: the test bed's debug kernel.
 */
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
