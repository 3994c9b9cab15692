// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the tracepoints of stv_trace.h, defined once, and the
 * report of a refused ioctl.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/printk.h>
#include <linux/vfio.h>

#include "stv.h"

#define CREATE_TRACE_POINTS
#include "stv_trace.h"

static const char *stv_ioctl_name(unsigned int cmd)
{
	switch (cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return "GET_INFO";
	case VFIO_IOMMU_MAP_DMA:
		return "MAP_DMA";
	case VFIO_IOMMU_UNMAP_DMA:
		return "UNMAP_DMA";
	case VFIO_EEH_PE_OP:
		return "EEH_PE_OP";
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
		return "REGISTER_MEMORY";
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		return "UNREGISTER_MEMORY";
	case VFIO_IOMMU_SPAPR_TCE_CREATE:
		return "TCE_CREATE";
	case VFIO_IOMMU_SPAPR_TCE_REMOVE:
		return "TCE_REMOVE";
	case VFIO_IOMMU_ENABLE:
		return "ENABLE";
	case VFIO_IOMMU_DISABLE:
		return "DISABLE";
	default:
		return "unknown";
	}
}

/**
 * stv_report_refusal() - say why an ioctl failed
 * @c: the container, locked
 * @cmd: the ioctl
 * @ret: its negative errno
 *
 * Emits the refuse tracepoint and a debug line (dynamic debug, off by
 * default, rate-limited) naming the check that refused the call, when
 * one was named with stv_refuse().
 */
void stv_report_refusal(struct stv_container *c, unsigned int cmd, long ret)
{
	const char *check = c->refused_by ?: "";

	lockdep_assert_held(&c->lock);

	trace_stv_refuse(c->id, stv_ioctl_name(cmd), check, ret);
	pr_debug_ratelimited("container %u: %s: %s (%ld)\n", c->id,
			     stv_ioctl_name(cmd), *check ? check : "refused",
			     ret);
}
