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
 */
#ifndef STV_COMPAT_H
#define STV_COMPAT_H

#include <linux/types.h>

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

#endif /* STV_COMPAT_H */
