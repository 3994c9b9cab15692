/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM for the sPAPR TCE tests: the in-kernel TCE tables with the
 * KVM-VFIO device, and a minimal VMM whose guest makes hcalls.
 */
#ifndef SPAPR_KVM_H
#define SPAPR_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "dma_region.h"

/*
 * KVM's in-kernel sPAPR TCE tables (one per LIOBN) and the KVM-VFIO
 * device that links a VFIO group's hardware window to such a table, so
 * that the guest's TCE hcalls update the hardware in the kernel.
 */
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

/*
 * A KVM table for @liobn over the window of @size bytes at bus address
 * @start, of IOMMU pages of 1 << @page_shift bytes, and @group added to
 * a new KVM-VFIO device and linked to it: the guest's TCE hcalls on
 * @liobn then reach the group's table in the kernel.  0 or -errno, *step
 * naming the failing step; *table and *dev hold what was made (-1 where
 * nothing was), for kvm_tce_unlink().
 */
int kvm_tce_link(int vm, int group, uint64_t liobn, uint32_t page_shift,
		 uint64_t start, uint64_t size, int *table, int *dev,
		 const char **step);
/* Close the KVM-VFIO device (KVM lets go of the group), then the table. */
void kvm_tce_unlink(int *table, int *dev);

/*
 * A minimal KVM VMM (kvm-hv, no QEMU): one vcpu in real mode whose guest
 * program is an "hcall server".  The guest makes, one step at a time, the
 * hcall the VMM hands it and reports the result back with one exit-marker
 * hcall, so each step costs exactly one marker exit; any other exit is
 * counted (an hcall the kernel forwarded to userspace is a "fallback").
 *
 * Guest loop (little-endian, real mode, MSR = SF|ME|LE):
 *
 *   top: mr r5,r4 ; mr r4,r3 ; li r3,MARKER ; sc 1   report r3,r4; get next
 *        mr r3,r4 ; mr r4,r5 ; mr r5,r6 ; mr r6,r7 ; mr r7,r8
 *        sc 1                                      the hcall of the step
 *        b top
 *
 * The marker's answer (KVM writes run->papr_hcall.args[0..] into r4..)
 * carries the next hcall number and its arguments.  Only r3..r8 are used,
 * and nothing is kept across an hcall that PAPR calls volatile (CTR
 * included: bare-metal kvm-hv clobbers it).
 */
/* PAPR hcall return codes. */
#define H_SUCCESS	0
#define H_HARDWARE	(-1)
#define H_PARAMETER	(-4)
#define H_TOO_HARD	9999

#define VMM_MARKER	0x6f00	/* the guest's report/next-step hcall */
#define VMM_TRAP	0x6ffe	/* the guest took an interrupt */

#define VMM_PROG	0x10000	/* guest physical address of the loop */
#define VMM_PROG_END	0x11000	/* guest RAM below this belongs to the VMM */

/* The guest's own f14 and v20 (both doublewords), set by vmm_open(). */
#define VMM_GUEST_F14	0x6666000000000014ULL
#define VMM_GUEST_V20	0x7777000000000020ULL

/* What one step did. */
struct vmm_step {
	int64_t ret;		/* guest r3 after the hcall */
	uint64_t r4;		/* guest r4 after the hcall */
	unsigned int exits;	/* KVM_RUN returns, the marker included */
	unsigned int fallbacks;	/* forwarded hcalls other than the marker */
	uint64_t fb_nr;		/* the last forwarded hcall ... */
	uint64_t fb_args[4];	/* ... and its first arguments */
};

struct vmm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	long run_size;
	struct dma_region ram;	/* guest physical 0 .. ram.size */
	int64_t fallback_ret;	/* what the VMM answers a forwarded hcall */
	/* when set, answers forwarded hcalls instead (args: r4 .. r12) */
	int64_t (*forward)(struct vmm *m, uint64_t nr, const uint64_t *args);
	void *forward_data;	/* for @forward */
	/* totals since vmm_open(), the priming run included */
	unsigned long exits, markers, fallbacks, others;
	/* KVM_RUNs that changed the VMM's own f14 / v20 (a kernel bug) */
	unsigned long fp_clobbered, vr_clobbered;
	/* the first such run (1-based, 0: none), its hcall, what came back */
	unsigned long clobber_run;
	uint64_t clobber_nr, clobber_f14, clobber_v20;
	/* the last unexpected stop: exit reason, and where a trap happened */
	uint32_t bad_reason;
	uint64_t trap_srr0, trap_srr1;
	/* a vcpu added by vmm_add_vcpu(): its VM and RAM are another's */
	bool secondary;
};

/*
 * /dev/kvm, KVM_CREATE_VM(KVM_VM_PPC_HV), @ram_size bytes of guest RAM at
 * guest physical 0, one vcpu with KVM_CAP_PPC_PAPR, the guest loop, and a
 * first run up to the guest's first marker.  0 or -errno; *step names the
 * failing step.
 */
int vmm_open(struct vmm *m, size_t ram_size, const char **step);
/* The same with shared guest RAM (dma_region_alloc_shared()). */
int vmm_open_shared(struct vmm *m, size_t ram_size, const char **step);
/*
 * The same with guest RAM that is one hugetlb page, then @small bytes of
 * small pages (dma_region_alloc_huge_then_small()); -EOPNOTSUPP without
 * hugetlb.
 */
int vmm_open_huge_then_small(struct vmm *m, size_t small, const char **step);
/*
 * Another vcpu (@id) of @m's VM, running the same guest loop, as @v: a
 * struct of its own so that a thread can drive it with vmm_hcall().  It
 * shares @m's VM and RAM; vmm_close(@v) closes only the vcpu, and must
 * come before vmm_close(@m).
 */
int vmm_add_vcpu(struct vmm *m, struct vmm *v, unsigned long id,
		 const char **step);
void vmm_close(struct vmm *m);

/* The guest's f14 and v20 as KVM holds them (KVM_GET_ONE_REG). */
int vmm_guest_fp(struct vmm *m, uint64_t *f14, uint64_t v20[2]);

/* KVM_CAP_PPC_ENABLE_HCALL: handle @nr in the kernel (or forward it). */
int vmm_enable_hcall(struct vmm *m, uint64_t nr, bool in_kernel);

/*
 * One step: the guest makes hcall @nr(a1..a4).  0 once the guest reported
 * back (result in *s), -ETIME after too many exits, -EFAULT when the guest
 * trapped (m->trap_srr0/1), -EIO on another exit (m->bad_reason), or
 * KVM_RUN's -errno.
 */
int vmm_hcall(struct vmm *m, struct vmm_step *s, uint64_t nr, uint64_t a1,
	      uint64_t a2, uint64_t a3, uint64_t a4);

#endif
