// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the errno of a failed platform TCE exchange.
 *
 * iommu_tce_xchg_no_kill() returns what the platform's it_ops returned:
 * a negative errno on powernv (OPAL tables live in host memory), but a
 * PAPR hypervisor status on pseries, where every exchange is an
 * H_GET_TCE/H_PUT_TCE pair.  Those statuses overlap the errno range
 * (H_PARAMETER is -4, -EINTR; H_PERMISSION is -11, -EAGAIN), and passed
 * through they would tell userspace to retry for ever.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <asm/hvcall.h>
#include <kunit/visibility.h>

#include "stv.h"

/**
 * stv_xchg_errno() - errno for a failed TCE exchange
 * @ret: the non-zero return of iommu_tce_xchg_no_kill()
 * @hcall: the table is the hypervisor's (pseries): @ret is a PAPR status
 *
 * Return: -EINVAL for a refused parameter, -EPERM for a refused
 * permission, -ENOMEM for missing resources, -EBUSY for a busy
 * hypervisor, the errno itself on powernv, and -EIO for anything else.
 */
int stv_xchg_errno(long ret, bool hcall)
{
	if (!hcall)
		return (ret < 0 && ret >= -MAX_ERRNO) ? ret : -EIO;
	if (ret == H_BUSY || H_IS_LONG_BUSY(ret))
		return -EBUSY;
	switch (ret) {
	case H_PARAMETER:
		return -EINVAL;
	case H_PERMISSION:
	case H_AUTHORITY:
	case H_PRIVILEGE:
		return -EPERM;
	case H_NO_MEM:
	case H_RESOURCE:
		return -ENOMEM;
	default:
		return -EIO;
	}
}
EXPORT_SYMBOL_IF_KUNIT(stv_xchg_errno);
