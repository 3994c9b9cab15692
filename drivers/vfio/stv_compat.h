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
 * the module calls, one helper each.
 */
#ifndef STV_COMPAT_H
#define STV_COMPAT_H

#include <linux/types.h>
#include <asm/iommu.h>
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

#endif /* STV_COMPAT_H */
