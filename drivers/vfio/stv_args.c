// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: argument checks of TCE_CREATE and REGISTER_MEMORY.
 *
 * Pure functions of their arguments, so that KUnit can test every branch
 * without a POWER machine.  Each returns 0 or a negative errno.  Those of
 * MAP_DMA and UNMAP_DMA are inline, in stv_args.h.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <kunit/visibility.h>

#include "stv.h"

/**
 * stv_check_window_args() - sanity of a TCE_CREATE request
 * @pgsizes: bitmap of IOMMU page sizes the platform supports
 * @max_levels: deepest table the platform supports
 * @page_shift: requested IOMMU page shift
 * @window_size: requested window size in bytes
 * @levels: requested number of table levels
 *
 * The platform's create_table() has the last word; this rejects what no
 * platform can do before any memory is charged or allocated.
 *
 * Return: 0, or -EINVAL.
 */
int stv_check_window_args(u64 pgsizes, u32 max_levels, u32 page_shift,
			  u64 window_size, u32 levels)
{
	if (page_shift >= 64 || !(pgsizes & (1ULL << page_shift)))
		return -EINVAL;
	if (!levels || levels > max_levels)
		return -EINVAL;
	if (window_size < (1ULL << page_shift))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(stv_check_window_args);

/**
 * stv_check_user_range() - a user memory range for preregistration
 * @vaddr: start address
 * @size: length in bytes
 * @align: required alignment of both, a power of two
 *
 * Return: 0, or -EINVAL if unaligned, empty or wrapping.
 */
int stv_check_user_range(u64 vaddr, u64 size, unsigned long align)
{
	u64 end;

	if ((vaddr | size) & (align - 1))
		return -EINVAL;
	if (!size || check_add_overflow(vaddr, size, &end))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(stv_check_user_range);
