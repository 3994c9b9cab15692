/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers over the VFIO container/group ioctls used by the sPAPR TCE
 * IOMMU.  Every wrapper returns 0 (or a non-negative ioctl result) on
 * success and -errno on failure, so tests can assert exact errnos.
 */
#ifndef SPAPR_VFIO_H
#define SPAPR_VFIO_H

#include <stdint.h>
#include <linux/vfio.h>

#define SPAPR_V1 VFIO_SPAPR_TCE_IOMMU
#define SPAPR_V2 VFIO_SPAPR_TCE_v2_IOMMU
#define MAP_RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ioctl() returning -errno instead of -1. */
long vfio_ioctl(int fd, unsigned long req, void *arg);
long vfio_ioctl_val(int fd, unsigned long req, unsigned long arg);

int vfio_open_container(void);
int vfio_open_group(void);			/* SPAPR_GROUP */
int vfio_open_group_path(const char *path);
int vfio_group_viable(int group);
int vfio_group_set_container(int group, int container);
int vfio_group_unset_container(int group);
int vfio_check_extension(int container, unsigned long ext);
int vfio_set_iommu(int container, unsigned long type);
int vfio_enable(int container);
int vfio_disable(int container);
int vfio_get_info(int container, struct vfio_iommu_spapr_tce_info *info);
int vfio_register(int container, const void *va, uint64_t size);
int vfio_unregister(int container, const void *va, uint64_t size);
int vfio_map(int container, const void *va, uint64_t iova, uint64_t size,
	     uint32_t flags);
int vfio_unmap(int container, uint64_t iova, uint64_t size);
int vfio_create_window(int container, uint32_t page_shift, uint64_t size,
		       uint32_t levels, uint64_t *start);
int vfio_remove_window(int container, uint64_t start);
int vfio_eeh_op(int container, uint32_t op);

#endif
