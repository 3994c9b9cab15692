/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private VFIO core declarations that an IOMMU backend needs.
 *
 * The VFIO core keeps struct vfio_iommu_driver_ops, enum vfio_group_type
 * and the registration prototypes in drivers/vfio/vfio.h, which the
 * kernel headers packages do not ship.  They are declared here, and only
 * here, one block per layout the kernels we support have used, each
 * token for token as the kernel declares it (comments and spacing
 * aside), so that a machine can compare them.
 *
 * The build picks the block: stv_compat.sh compares each block with the
 * kernel's own vfio.h when the tree has it, and otherwise looks up the
 * CRC of vfio_register_iommu_driver in stv_layouts.tsv, the record of
 * which kernel builds were verified against their source
 * (tools/compat/check-layouts.sh).  A kernel that neither check proves is
 * refused before anything is compiled; see Documentation/design.rst,
 * "The compat layer".
 *
 * Layout 1: Linux 6.12 to 7.2 (checked: 6.12.95, 6.12.107, 7.2.13).
 * Layout 2: Linux 6.1 (checked: 6.1.176), with ->notify and its enum.
 *
 * Below the layouts, the differences between kernels in the interfaces
 * the module calls, one helper each; then the platform's private shapes
 * the module relies on: powernv's multi-level table, and the
 * preregistered region with the helpers that read and count it.
 */
#ifndef STV_COMPAT_H
#define STV_COMPAT_H

#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <asm/iommu.h>
#include <asm/page.h>
#include <asm/tce.h>

struct iommu_group;
struct iommu_domain;
struct module;
struct page;
struct vfio_device;

#ifndef STV_VFIO_OPS_LAYOUT
#error "STV_VFIO_OPS_LAYOUT is set by drivers/vfio/Kbuild (stv_compat.sh)"
#endif

#if STV_VFIO_OPS_LAYOUT == 1
enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

struct vfio_iommu_driver_ops {
	char		*name;
	struct module	*owner;
	void		*(*open)(unsigned long arg);
	void		(*release)(void *iommu_data);
	long		(*ioctl)(void *iommu_data, unsigned int cmd,
				 unsigned long arg);
	int		(*attach_group)(void *iommu_data,
					struct iommu_group *group,
					enum vfio_group_type);
	void		(*detach_group)(void *iommu_data,
					struct iommu_group *group);
	int		(*pin_pages)(void *iommu_data,
				     struct iommu_group *group,
				     dma_addr_t user_iova,
				     int npage, int prot,
				     struct page **pages);
	void		(*unpin_pages)(void *iommu_data,
				       dma_addr_t user_iova, int npage);
	void		(*register_device)(void *iommu_data,
					   struct vfio_device *vdev);
	void		(*unregister_device)(void *iommu_data,
					     struct vfio_device *vdev);
	int		(*dma_rw)(void *iommu_data, dma_addr_t user_iova,
				  void *data, size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);
#endif /* STV_VFIO_OPS_LAYOUT == 1 */

#if STV_VFIO_OPS_LAYOUT == 2
enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

enum vfio_iommu_notify_type {
	VFIO_IOMMU_CONTAINER_CLOSE = 0,
};

struct vfio_iommu_driver_ops {
	char		*name;
	struct module	*owner;
	void		*(*open)(unsigned long arg);
	void		(*release)(void *iommu_data);
	long		(*ioctl)(void *iommu_data, unsigned int cmd,
				 unsigned long arg);
	int		(*attach_group)(void *iommu_data,
					struct iommu_group *group,
					enum vfio_group_type);
	void		(*detach_group)(void *iommu_data,
					struct iommu_group *group);
	int		(*pin_pages)(void *iommu_data,
				     struct iommu_group *group,
				     dma_addr_t user_iova,
				     int npage, int prot,
				     struct page **pages);
	void		(*unpin_pages)(void *iommu_data,
				       dma_addr_t user_iova, int npage);
	void		(*register_device)(void *iommu_data,
					   struct vfio_device *vdev);
	void		(*unregister_device)(void *iommu_data,
					     struct vfio_device *vdev);
	int		(*dma_rw)(void *iommu_data, dma_addr_t user_iova,
				  void *data, size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
	void		(*notify)(void *iommu_data,
				  enum vfio_iommu_notify_type event);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);
#endif /* STV_VFIO_OPS_LAYOUT == 2 */

/*
 * Who takes a table group from the platform's own DMA.  From 6.4 the
 * IOMMU core does, when VFIO claims the group, through the blocking
 * domain of the platform's IOMMU ops, and gives it back when VFIO lets
 * go.  Before 6.4 the backend does, in ->attach_group and
 * ->detach_group, with the one-argument ops of that time (on 6.1 the
 * blocking domain of drivers/iommu/spapr_tce_iommu_ops.c does nothing).
 * stv_compat.mk defines STV_BACKEND_OWNS_TABLE_GROUP for those kernels.
 */
#ifdef STV_BACKEND_OWNS_TABLE_GROUP
static inline bool stv_can_take_table_group(struct iommu_table_group *tg)
{
	return tg->ops->take_ownership && tg->ops->release_ownership;
}

static inline void stv_take_table_group(struct iommu_table_group *tg)
{
	tg->ops->take_ownership(tg);
}

static inline void stv_give_back_table_group(struct iommu_table_group *tg)
{
	tg->ops->release_ownership(tg);
}
#else
static inline bool stv_can_take_table_group(struct iommu_table_group *tg)
{
	return true;
}

static inline void stv_take_table_group(struct iommu_table_group *tg)
{
}

static inline void stv_give_back_table_group(struct iommu_table_group *tg)
{
}
#endif

/*
 * A string field of a tracepoint: before 6.10 __assign_str() also names
 * its source (STV_ASSIGN_STR_NAMES_SOURCE, from stv_compat.mk); later
 * kernels take the source from __string(), and @src is only checked to
 * be an expression (sizeof does not evaluate it).
 */
#ifdef STV_ASSIGN_STR_NAMES_SOURCE
#define stv_assign_str(field, src) __assign_str(field, src)
#else
#define stv_assign_str(field, src) \
	do { (void)sizeof(src); __assign_str(field); } while (0)
#endif

/*
 * The shape of a multi-level table and of its userspace view on powernv,
 * as the platform's pnv_tce() (static in
 * arch/powerpc/platforms/powernv/pci-ioda-tce.c) walks them: each of the
 * it_indirect_levels upper levels is an array of it_level_size
 * big-endian words, the top one at it_userspace for the view; a word is
 * 0 where the level below is not allocated, else that level's physical
 * address with TCE_PCI_READ and TCE_PCI_WRITE set.  A word at level L
 * (it_indirect_levels at the top, 1 above the leaves) covers
 * it_level_size^L entries.  tools/compat/check-layouts.sh holds every
 * supported kernel's pnv_tce() to the one this was read from.
 */
static inline __be64 *stv_view_level_below(__be64 word)
{
	return __va(be64_to_cpu(word) & ~(TCE_PCI_READ | TCE_PCI_WRITE));
}

/*
 * A region of user memory preregistered with mm_iommu_new(), which
 * arch/powerpc/mm/book3s64/iommu_api.c declares for itself and every
 * other file sees only as a name.  The module reads a region's
 * translation and changes its mapping count inline, as the exported
 * mm_iommu_ua_to_hpa(), mm_iommu_mapped_inc() and mm_iommu_mapped_dec()
 * do: that took 35 to 38 instructions off every cleared v2 entry and
 * every page of a v2 MAP (icount; Documentation/design.rst,
 * "Performance").  Token for token as the kernel declares it, the
 * #define inside the structure aside, so that a machine can compare:
 * stv_compat.sh refuses a full tree whose iommu_api.c differs, and
 * tools/compat/check-layouts.sh holds every kernel of
 * tools/testbed/kernels.tsv to it, and to the text of the three
 * functions the helpers below do the work of.
 */
#define MM_IOMMU_TABLE_GROUP_PAGE_MASK	~(SZ_4K - 1)

struct mm_iommu_table_group_mem_t {
	struct list_head next;
	struct rcu_head rcu;
	unsigned long used;
	atomic64_t mapped;
	unsigned int pageshift;
	u64 ua;
	u64 entries;
	union {
		struct page **hpages;
		phys_addr_t *hpas;
	};
	u64 dev_hpa;
};

/**
 * stv_region_ua_to_hpa() - host address of user address @ua in a region
 * @mem: the region
 * @ua: a user address
 * @pageshift: the IOMMU page size that is to map it
 * @hpa: set to the host address, only on success
 *
 * The work of mm_iommu_ua_to_hpa(), inline.  A device-memory region
 * (mm_iommu_newdev()) has no page array: its memory is contiguous.
 *
 * Return: 0, or -EFAULT when @ua lies outside the region or the region's
 * pages are smaller than 1 << @pageshift.
 */
static __always_inline long
stv_region_ua_to_hpa(struct mm_iommu_table_group_mem_t *mem, unsigned long ua,
		     unsigned int pageshift, unsigned long *hpa)
{
	unsigned long off = ua - mem->ua;

	if ((off >> PAGE_SHIFT) >= mem->entries || pageshift > mem->pageshift)
		return -EFAULT;
	if (!mem->hpas)
		*hpa = mem->dev_hpa + off;
	else
		*hpa = (mem->hpas[off >> PAGE_SHIFT] &
			MM_IOMMU_TABLE_GROUP_PAGE_MASK) | (ua & ~PAGE_MASK);
	return 0;
}

/**
 * stv_region_mapped_inc() - count one more entry mapping a region
 * @mem: the region
 *
 * The work of mm_iommu_mapped_inc(), inline.  The count is 1 for the
 * registration itself and 0 once the last mm_iommu_put() has begun
 * unregistering the region.
 *
 * Return: 0, or -ENXIO when the region is being unregistered.
 */
static __always_inline long
stv_region_mapped_inc(struct mm_iommu_table_group_mem_t *mem)
{
	return atomic64_inc_not_zero(&mem->mapped) ? 0 : -ENXIO;
}

/**
 * stv_region_mapped_sub() - count @n entries fewer mapping a region
 * @mem: the region
 * @n: how many
 *
 * The work of @n calls of mm_iommu_mapped_dec() in a row, in one atomic
 * operation: a count above 1 goes down to no less than 1 (the
 * registration's own), a count of 1 stays, and one below 1 (which a
 * region that entries map cannot have) goes down by @n.
 */
static inline void
stv_region_mapped_sub(struct mm_iommu_table_group_mem_t *mem, s64 n)
{
	s64 old = atomic64_read(&mem->mapped), new;

	do {
		if (old > 1)
			new = max_t(s64, old - n, 1);
		else
			new = old == 1 ? 1 : old - n;
	} while (!atomic64_try_cmpxchg(&mem->mapped, &old, new));
}

#endif /* STV_COMPAT_H */
