/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spapr-tce-vfio: the argument checks of MAP_DMA and UNMAP_DMA.
 *
 * Pure functions of their arguments, so that KUnit can test every branch
 * without a POWER machine.  They are inline because QEMU's userspace TCE
 * path makes one MAP or UNMAP per guest page: as calls they cost about 15
 * instructions an ioctl (Documentation/design.rst, "What an ioctl
 * costs").  The checks of the other ioctls are in stv_args.c.
 */
#ifndef STV_ARGS_H
#define STV_ARGS_H

#include <linux/dma-direction.h>
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/types.h>
#include <linux/vfio.h>

/* Why stv_check_range() refuses. */
#define STV_WHY_RANGE \
	"iova or size not aligned to the window's IOMMU page, or the range leaves the window"

/**
 * stv_dir_from_flags() - DMA direction from MAP_DMA flags
 * @flags: VFIO_DMA_MAP_FLAG_READ and/or VFIO_DMA_MAP_FLAG_WRITE
 * @dir: the direction, as the device sees it
 *
 * READ means the device may read the memory (DMA_TO_DEVICE), WRITE that
 * it may write it (DMA_FROM_DEVICE).
 *
 * Return: 0, or -EINVAL for unknown flags or no access at all.
 */
static inline int stv_dir_from_flags(u32 flags, enum dma_data_direction *dir)
{
	const u32 rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;

	if (flags & ~rw)
		return -EINVAL;
	switch (flags) {
	case VFIO_DMA_MAP_FLAG_READ:
		*dir = DMA_TO_DEVICE;
		return 0;
	case VFIO_DMA_MAP_FLAG_WRITE:
		*dir = DMA_FROM_DEVICE;
		return 0;
	case VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE:
		*dir = DMA_BIDIRECTIONAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * stv_check_range() - is [iova, iova + len) inside a window?
 * @page_shift: IOMMU page shift of the window
 * @offset: first entry of the window
 * @size: number of entries of the window
 * @iova: start of the range, in bytes
 * @len: length of the range, in bytes
 *
 * Unlike the platform's iommu_tce_check_ioba(), which looks at the first
 * page only, the whole range is checked, with overflow detection.
 *
 * Return: 0, or -EINVAL if unaligned, overflowing or out of the window.
 */
static inline int stv_check_range(unsigned int page_shift,
				  unsigned long offset, unsigned long size,
				  u64 iova, u64 len)
{
	u64 mask = (1ULL << page_shift) - 1;
	u64 last, first_entry, end_entry;

	if ((iova & mask) || (len & mask))
		return -EINVAL;
	if (check_add_overflow(iova, len, &last))
		return -EINVAL;
	first_entry = iova >> page_shift;
	end_entry = last >> page_shift;
	if (first_entry < offset || end_entry > (u64)offset + size)
		return -EINVAL;
	return 0;
}

/**
 * stv_check_map() - a MAP_DMA request against the window it falls in
 * @page_shift: IOMMU page shift of the window
 * @offset: first entry of the window
 * @size: number of entries of the window
 * @vaddr: user address of the memory to map
 * @iova: bus address to map it at
 * @len: length in bytes
 * @flags: the MAP_DMA flags
 * @dir: set to the DMA direction the flags give
 * @why: set to what was wrong, on failure
 *
 * Every check of MAP that needs no lookup: they all fail with the same
 * errno, so their order is not visible.
 *
 * Return: 0, or -EINVAL for flags that give no direction, a user address
 * not aligned to the window's page, a user range that wraps, or an IOVA
 * range that stv_check_range() refuses.
 */
static inline int stv_check_map(unsigned int page_shift, unsigned long offset,
				unsigned long size, u64 vaddr, u64 iova,
				u64 len, u32 flags,
				enum dma_data_direction *dir,
				const char **why)
{
	u64 end;

	if (stv_dir_from_flags(flags, dir))
		*why = "flags: unknown, or neither READ nor WRITE";
	else if (vaddr & ((1ULL << page_shift) - 1))
		*why = "vaddr not aligned to the window's IOMMU page";
	else if (check_add_overflow(vaddr, len, &end))
		*why = "vaddr + size wraps";
	else if (stv_check_range(page_shift, offset, size, iova, len))
		*why = STV_WHY_RANGE;
	else
		return 0;
	return -EINVAL;
}

#endif /* STV_ARGS_H */
