/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * spapr-tce-vfio: what the module adds to the upstream VFIO UAPI.
 *
 * The module implements the upstream container ioctls of
 * <linux/vfio.h> for VFIO_SPAPR_TCE_IOMMU and VFIO_SPAPR_TCE_v2_IOMMU
 * and adds no ioctl of its own: unmodified VMMs work against it.  This
 * header versions the few things it does add (see
 * Documentation/uapi.rst), all of them outside the ioctl ABI.
 */
#ifndef _UAPI_LINUX_VFIO_SPAPR_TCE_H
#define _UAPI_LINUX_VFIO_SPAPR_TCE_H

/* Version of this header; bumped when anything below changes. */
#define VFIO_SPAPR_TCE_API_VERSION	1

/* Name of the module, as in /sys/module and lsmod. */
#define VFIO_SPAPR_TCE_MODULE_NAME	"vfio_spapr_tce"

/*
 * Module-wide counters, one "name value" line each, in debugfs (for
 * tests and diagnosis, not a stable interface for applications):
 *   containers      containers open
 *   tables          TCE tables (windows) held by containers
 *   pinned_pages    pages pinned by v1 MAP_DMA
 */
#define VFIO_SPAPR_TCE_DEBUGFS_STATS	"vfio_spapr_tce/stats"

#endif /* _UAPI_LINUX_VFIO_SPAPR_TCE_H */
