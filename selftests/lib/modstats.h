/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module-wide counters of vfio_spapr_tce (debugfs), to prove that
 * containers, tables, pins and mappings all went back.  The in-tree
 * driver has none.
 */
#ifndef SPAPR_MODSTATS_H
#define SPAPR_MODSTATS_H

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

#endif
