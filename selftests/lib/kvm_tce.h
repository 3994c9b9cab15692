/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's in-kernel sPAPR TCE tables (one per LIOBN) and the KVM-VFIO
 * device that links a VFIO group's hardware window to such a table, so
 * that the guest's TCE hcalls update the hardware in the kernel.
 */
#ifndef SPAPR_KVM_TCE_H
#define SPAPR_KVM_TCE_H

#include <stdint.h>

/* PAPR TCE hcalls. */
#define H_GET_TCE		0x1c
#define H_PUT_TCE		0x20
#define H_PUT_TCE_INDIRECT	0x13c
#define H_STUFF_TCE		0x138

/* TCE permission bits. */
#define TCE_READ	1ULL
#define TCE_WRITE	2ULL

/*
 * KVM_CREATE_SPAPR_TCE_64 on @vm: a table for @liobn covering IOMMU pages
 * [@offset, @offset + @size) of 1 << @page_shift bytes.  The table fd or
 * -errno.
 */
int kvm_tce_create(int vm, uint64_t liobn, uint32_t page_shift,
		   uint64_t offset, uint64_t size);

/* KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO): the device fd or -errno. */
int kvm_vfio_create(int vm);
/* KVM_DEV_VFIO_FILE_ADD of a VFIO group fd.  0 or -errno. */
int kvm_vfio_add(int dev, int group);
/* KVM_DEV_VFIO_FILE_DEL: KVM lets go of the group and its LIOBN links. */
int kvm_vfio_del(int dev, int group);
/* KVM_DEV_VFIO_FILE_SET_SPAPR_TCE {group, table}.  0 or -errno. */
int kvm_vfio_set_spapr_tce(int dev, int group, int table);

#endif
