/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private VFIO core declarations that an IOMMU backend needs.
 *
 * The VFIO core keeps struct vfio_iommu_driver_ops, enum vfio_group_type
 * and the registration prototypes in drivers/vfio/vfio.h, which the
 * kernel headers packages do not ship.  They are declared here, and only
 * here, exactly as they appear in that file.
 *
 * Checked against: Linux 6.12.95 (Debian 6.12.95-1~bpo12+1),
 * drivers/vfio/vfio.h.  The layout is private to the kernel and may
 * change in any release, so drivers/vfio/Kbuild refuses any other kernel
 * version; re-check this file against the new vfio.h before extending
 * the list there.
 */
#ifndef STV_COMPAT_H
#define STV_COMPAT_H

#include <linux/types.h>

struct iommu_group;
struct iommu_domain;
struct module;
struct page;
struct vfio_device;

/* Mirror of enum vfio_group_type: the kind of group being attached. */
enum vfio_group_type {
	VFIO_IOMMU,
	VFIO_EMULATED_IOMMU,
	VFIO_NO_IOMMU,
};

/* Mirror of struct vfio_iommu_driver_ops: member order and types matter. */
struct vfio_iommu_driver_ops {
	char *name;
	struct module *owner;
	void *(*open)(unsigned long arg);
	void (*release)(void *iommu_data);
	long (*ioctl)(void *iommu_data, unsigned int cmd, unsigned long arg);
	int (*attach_group)(void *iommu_data, struct iommu_group *group,
			    enum vfio_group_type type);
	void (*detach_group)(void *iommu_data, struct iommu_group *group);
	int (*pin_pages)(void *iommu_data, struct iommu_group *group,
			 dma_addr_t user_iova, int npage, int prot,
			 struct page **pages);
	void (*unpin_pages)(void *iommu_data, dma_addr_t user_iova, int npage);
	void (*register_device)(void *iommu_data, struct vfio_device *vdev);
	void (*unregister_device)(void *iommu_data, struct vfio_device *vdev);
	int (*dma_rw)(void *iommu_data, dma_addr_t user_iova, void *data,
		      size_t count, bool write);
	struct iommu_domain *(*group_iommu_domain)(void *iommu_data,
						   struct iommu_group *group);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

#endif /* STV_COMPAT_H */
