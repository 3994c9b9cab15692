/* SPDX-License-Identifier: GPL-2.0 */
/* Choosing dynamic DMA window parameters the platform accepts. */
#ifndef SPAPR_DDW_H
#define SPAPR_DDW_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"

#define DDW_SHIFT	16		/* 64K IOMMU pages */
#define DDW_SIZE	(1ULL << 30)	/* 1 GiB window */

/* Does GET_INFO say this container can have a 64K-page dynamic window? */
bool ddw_has_64k(const struct spapr_ctx *c);

/*
 * Does memory backing a 64K-IOMMU-page mapping need hugetlb here?  True
 * on a kernel whose base page is smaller than the IOMMU page.
 */
bool ddw_needs_hugetlb(void);

/* Levels for a large multi-level window this kernel accepts (powernv). */
uint32_t ddw_multilevel_levels(void);

#endif
