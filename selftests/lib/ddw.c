// SPDX-License-Identifier: GPL-2.0
#include "ddw.h"
#include "env.h"

bool ddw_has_64k(const struct spapr_ctx *c)
{
	return (c->info.flags & VFIO_IOMMU_SPAPR_INFO_DDW) &&
	       (c->info.ddw.pgsizes & (1ULL << DDW_SHIFT));
}

bool ddw_needs_hugetlb(void)
{
	return host_page_size() < (1UL << DDW_SHIFT);
}

uint32_t ddw_multilevel_levels(void)
{
	/* With a 64K kernel every level is at least one 64K page, so fewer
	 * levels cover the same window. */
	return host_page_size() >= (1UL << 16) ? 2 : 3;
}
