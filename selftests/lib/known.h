/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known bugs of the in-tree backend (drivers/vfio/vfio_iommu_spapr_tce.c,
 * 6.12).  Tests that assert the correct behaviour skip on that driver,
 * with the reason, when running them would only crash/WARN the kernel or
 * repeat a known divergence; they still run, and can fail, on ours.
 */
#ifndef SPAPR_KNOWN_H
#define SPAPR_KNOWN_H

#include "env.h"

#define INTREE_BUG(why) do { \
	if (driver_is_intree()) \
		SKIP(return, "in-tree bug: " why); \
} while (0)

#endif
