/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFIO container and group ioctls of the sPAPR TCE IOMMU, a
 * ready-made container context, and dynamic-window parameters.
 */
#ifndef SPAPR_VFIO_H
#define SPAPR_VFIO_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/vfio.h>

/*
 * Thin wrappers over the VFIO container/group ioctls used by the sPAPR TCE
 * IOMMU.  Every wrapper returns 0 (or a non-negative ioctl result) on
 * success and -errno on failure, so tests can assert exact errnos.
 */
#define SPAPR_V1 VFIO_SPAPR_TCE_IOMMU
#define SPAPR_V2 VFIO_SPAPR_TCE_v2_IOMMU
#define MAP_RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ioctl() returning -errno instead of -1. */
long vfio_ioctl(int fd, unsigned long req, void *arg);
long vfio_ioctl_val(int fd, unsigned long req, unsigned long arg);

int vfio_open_container(void);
int vfio_open_group(void);			/* the device's group */
int vfio_open_group_path(const char *path);
int vfio_group_viable(int group);
int vfio_group_set_container(int group, int container);
int vfio_group_unset_container(int group);
int vfio_check_extension(int container, unsigned long ext);
/* SET_IOMMU; skips the test where the in-tree driver of a kernel before
 * 6.4 serves no such type on this platform (EPERM). */
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

/*
 * Raw-argument variants of MAP/UNMAP for error-path tests: every field,
 * argsz and flags included, under the caller's control.
 */
int raw_map(int container, uint32_t argsz, uint32_t flags, uint64_t vaddr,
	    uint64_t iova, uint64_t size);
int raw_unmap(int container, uint32_t argsz, uint32_t flags, uint64_t iova,
	      uint64_t size);
int raw_register(int container, unsigned long req, uint32_t argsz,
		 uint32_t flags, uint64_t vaddr, uint64_t size);

/*
 * A container with the test group attached and an sPAPR IOMMU type set:
 * the common starting point of most tests.
 */
struct spapr_ctx {
	int container;
	int group;
	int type;
	struct vfio_iommu_spapr_tce_info info;
	uint64_t win32_start, win32_size;	/* default window */
};

/*
 * Open a container and the group, attach, SET_IOMMU(type) and GET_INFO.
 * type 0 stops after SET_CONTAINER.  Returns 0 or -errno; *step names the
 * step that failed.
 */
int ctx_open(struct spapr_ctx *c, int type, const char **step);
/* The same with the group at @group (a /dev/vfio/N path). */
int ctx_open_group(struct spapr_ctx *c, const char *group, int type,
		   const char **step);
/* Close whatever ctx_open() left open (safe on a zeroed/failed ctx). */
void ctx_close(struct spapr_ctx *c);

/* Size of the IOMMU page of the default (32-bit) window. */
#define DEF_WIN_PAGE 4096ULL

/* Choosing dynamic DMA window parameters the platform accepts. */
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

/* Is EEH enabled in the kernel (as /proc/powerpc/eeh says)? */
bool eeh_platform_enabled(void);

#endif
