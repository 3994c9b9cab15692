// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#include "kvm.h"

int kvm_tce_create(int vm, uint64_t liobn, uint32_t page_shift,
		   uint64_t offset, uint64_t size)
{
	struct kvm_create_spapr_tce_64 args = {
		.liobn = liobn,
		.page_shift = page_shift,
		.offset = offset,
		.size = size,
	};
	int ret = ioctl(vm, KVM_CREATE_SPAPR_TCE_64, &args);

	return ret < 0 ? -errno : ret;
}

int kvm_vfio_create(int vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	if (ioctl(vm, KVM_CREATE_DEVICE, &cd) < 0)
		return -errno;
	return (int)cd.fd;
}

static int set_attr(int dev, uint64_t attr, void *data)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = attr,
		.addr = (uintptr_t)data,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_vfio_add(int dev, int group)
{
	int32_t fd = group;

	return set_attr(dev, KVM_DEV_VFIO_FILE_ADD, &fd);
}

int kvm_vfio_del(int dev, int group)
{
	int32_t fd = group;

	return set_attr(dev, KVM_DEV_VFIO_FILE_DEL, &fd);
}

int kvm_vfio_set_spapr_tce(int dev, int group, int table)
{
	struct kvm_vfio_spapr_tce p = { .groupfd = group, .tablefd = table };

	return set_attr(dev, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &p);
}

int kvm_tce_link(int vm, int group, uint64_t liobn, uint32_t page_shift,
		 uint64_t start, uint64_t size, int *table, int *dev,
		 const char **step)
{
	int ret;

	*dev = -1;
	*step = "KVM_CREATE_SPAPR_TCE_64";
	*table = kvm_tce_create(vm, liobn, page_shift, start >> page_shift,
				size >> page_shift);
	if (*table < 0) {
		ret = *table;
		*table = -1;
		return ret;
	}
	*step = "KVM_CREATE_DEVICE(VFIO)";
	*dev = kvm_vfio_create(vm);
	if (*dev < 0) {
		ret = *dev;
		*dev = -1;
		return ret;
	}
	*step = "KVM_DEV_VFIO_FILE_ADD";
	ret = kvm_vfio_add(*dev, group);
	if (ret)
		return ret;
	*step = "KVM_DEV_VFIO_FILE_SET_SPAPR_TCE";
	return kvm_vfio_set_spapr_tce(*dev, group, *table);
}

void kvm_tce_unlink(int *table, int *dev)
{
	if (*dev >= 0)
		close(*dev);
	if (*table >= 0)
		close(*table);
	*dev = *table = -1;
}

#define KVM_VM_PPC_HV	1
#define MSR_SF_ME_LE	0x8000000000001001ULL
#define STEP_MAX_EXITS	64

/* Instruction encodings (PowerISA), as 32-bit words. */
#define SC1		0x44000022u			/* sc 1 */
#define LI(rt, v)	(0x38000000u | (rt) << 21 | ((v) & 0xffffu))
#define MR(ra, rs)	(0x7c000378u | (rs) << 21 | (ra) << 16 | (rs) << 11)
#define B(off)		(0x48000000u | ((uint32_t)(off) & 0x03fffffcu))

static long kioctl(int fd, unsigned long req, void *arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

/*
 * Interrupts are delivered big-endian (kvm-hv's intr_msr lacks LE until
 * the guest sets LPCR[ILE]), so the vector stubs are stored byte-swapped:
 * every 16 bytes "li r3,VMM_TRAP; sc 1; b .-8", so that any interrupt
 * becomes a VMM_TRAP exit instead of a silent loop inside the guest.
 */
static void write_vectors(struct vmm *m)
{
	uint32_t *w = (uint32_t *)m->ram.va;
	size_t i;

	for (i = 0; i < VMM_PROG / 4; i += 4) {
		w[i] = __builtin_bswap32(LI(3, VMM_TRAP));
		w[i + 1] = __builtin_bswap32(SC1);
		w[i + 2] = __builtin_bswap32(B(-8));
		w[i + 3] = __builtin_bswap32(0x60000000u);	/* nop */
	}
}

static void write_loop(struct vmm *m)
{
	static const uint32_t prog[] = {
		MR(5, 4), MR(4, 3), LI(3, VMM_MARKER), SC1,
		MR(3, 4), MR(4, 5), MR(5, 6), MR(6, 7), MR(7, 8),
		SC1,
		B(-40),
	};

	memcpy(m->ram.va + VMM_PROG, prog, sizeof(prog));
	__sync_synchronize();
}

/*
 * KVM_RUN as a bare "sc", with a pattern in the non-volatile f14 and v20
 * that the kernel must hand back unchanged, as after any syscall.  Counts
 * the runs that came back with either changed: on this bed, now and then
 * one KVM_RUN returns with the guest's f14/v20 (VMM_GUEST_*) in them.
 */
static long kvm_run_probed(struct vmm *m)
{
	static const uint64_t fpat = 0x5a5aa5a5c3c33c3cULL;
	static const uint64_t vpat[2] __attribute__((aligned(16))) = {
		0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	uint64_t vout[2] __attribute__((aligned(16))) = { 0, 0 };
	uint64_t fout = 0;
	register long r0 __asm__("r0") = __NR_ioctl;
	register long r3 __asm__("r3") = m->vcpu;
	register long r4 __asm__("r4") = KVM_RUN;
	register long r5 __asm__("r5") = 0;
	long cr;

	__asm__ __volatile__(
		"lfd 14,0(%[pf])\n\t"
		"lvx 20,0,%[pv]\n\t"
		"sc\n\t"
		"mfcr %[cr]\n\t"
		"stfd 14,0(%[fo])\n\t"
		"stvx 20,0,%[vo]\n\t"
		: "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), [cr] "=&r"(cr)
		: [pf] "b"(&fpat), [pv] "b"(vpat), [fo] "b"(&fout),
		  [vo] "b"(vout)
		: "r6", "r7", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr",
		  "xer", "memory",
		  /* all non-volatile FP/VMX: the compiler saves and restores
		   * them around KVM_RUN, so a leak cannot hurt the VMM */
		  "fr14", "fr15", "fr16", "fr17", "fr18", "fr19", "fr20",
		  "fr21", "fr22", "fr23", "fr24", "fr25", "fr26", "fr27",
		  "fr28", "fr29", "fr30", "fr31",
		  "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
		  "v28", "v29", "v30", "v31");
	if (fout != fpat)
		m->fp_clobbered++;
	if (vout[0] != vpat[0] || vout[1] != vpat[1])
		m->vr_clobbered++;
	if ((fout != fpat || vout[0] != vpat[0] || vout[1] != vpat[1]) &&
	    !m->clobber_run) {
		m->clobber_run = m->exits + 1;
		m->clobber_nr = m->run->papr_hcall.nr;
		m->clobber_f14 = fout;
		m->clobber_v20 = vout[0];
	}
	/* cr0.SO (bit 3 of the CR's top nibble) flags an error in r3. */
	return (cr & 0x10000000) ? -r3 : r3;
}

static int trap_regs(struct vmm *m)
{
	struct kvm_regs regs;

	if (kioctl(m->vcpu, KVM_GET_REGS, &regs) == 0) {
		m->trap_srr0 = regs.srr0;
		m->trap_srr1 = regs.srr1;
	}
	return -EFAULT;
}

/* Run until the guest's marker; the marker's answer is already set up. */
static int run_to_marker(struct vmm *m, struct vmm_step *s)
{
	struct kvm_run *run = m->run;
	long ret;

	memset(s, 0, sizeof(*s));
	for (;;) {
		if (s->exits >= STEP_MAX_EXITS)
			return -ETIME;
		ret = kvm_run_probed(m);
		s->exits++;
		m->exits++;
		if (ret == -EINTR) {
			m->others++;
			continue;
		}
		if (ret < 0)
			return ret;
		if (run->exit_reason != KVM_EXIT_PAPR_HCALL) {
			m->others++;
			m->bad_reason = run->exit_reason;
			return -EIO;
		}
		if (run->papr_hcall.nr == VMM_MARKER) {
			m->markers++;
			s->ret = (int64_t)run->papr_hcall.args[0];
			s->r4 = run->papr_hcall.args[1];
			return 0;
		}
		if (run->papr_hcall.nr == VMM_TRAP) {
			m->others++;
			return trap_regs(m);
		}
		/* Forwarded: answer it, leave r4.. as the guest had them. */
		m->fallbacks++;
		s->fallbacks++;
		s->fb_nr = run->papr_hcall.nr;
		memcpy(s->fb_args, run->papr_hcall.args, sizeof(s->fb_args));
		run->papr_hcall.ret = (uint64_t)(m->forward ?
			m->forward(m, run->papr_hcall.nr, run->papr_hcall.args) :
			m->fallback_ret);
	}
}

static const uint64_t guest_f14 = VMM_GUEST_F14;
static const uint64_t guest_v20[2] __attribute__((aligned(16))) = {
	VMM_GUEST_V20, VMM_GUEST_V20 };

static long set_one_reg(int vcpu, uint64_t id, const void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return kioctl(vcpu, KVM_SET_ONE_REG, &r);
}

/*
 * Vcpu @id of @m's VM: the PAPR capability, its kvm_run, the guest loop's
 * registers, and a first run up to its first marker.
 */
static int vcpu_start(struct vmm *m, unsigned long id, const char **step)
{
	struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };
	struct kvm_regs regs;
	struct vmm_step s;
	void *run;
	int ret;

	*step = "KVM_CREATE_VCPU";
	ret = kioctl(m->vm, KVM_CREATE_VCPU, (void *)id);
	if (ret < 0)
		return ret;
	m->vcpu = ret;

	*step = "KVM_ENABLE_CAP(vcpu, KVM_CAP_PPC_PAPR)";
	ret = kioctl(m->vcpu, KVM_ENABLE_CAP, &papr);
	if (ret < 0)
		return ret;

	*step = "mmap kvm_run";
	ret = kioctl(m->kvm, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret < 0)
		return ret;
	run = mmap(NULL, ret, PROT_READ | PROT_WRITE, MAP_SHARED, m->vcpu, 0);
	if (run == MAP_FAILED)
		return -errno;
	m->run = run;
	m->run_size = ret;

	*step = "KVM_SET_REGS";
	ret = kioctl(m->vcpu, KVM_GET_REGS, &regs);
	if (ret < 0)
		return ret;
	regs.pc = VMM_PROG;
	regs.msr = MSR_SF_ME_LE;
	ret = kioctl(m->vcpu, KVM_SET_REGS, &regs);
	if (ret < 0)
		return ret;

	/*
	 * The guest never enables FP, but give its f14 and v20 values of
	 * its own, so that they are recognisable should they ever reach the
	 * VMM's registers (see kvm_run_probed()).
	 */
	*step = "KVM_SET_ONE_REG(FPR14, VR20)";
	ret = set_one_reg(m->vcpu, KVM_REG_PPC_FPR(14), &guest_f14);
	if (ret < 0)
		return ret;
	ret = set_one_reg(m->vcpu, KVM_REG_PPC_VR(20), guest_v20);
	if (ret < 0)
		return ret;

	*step = "first run to the marker";
	ret = run_to_marker(m, &s);
	if (ret)
		return ret;
	if (s.exits != 1 || s.fallbacks)
		return -EPROTO;
	*step = "done";
	return 0;
}

/* How vmm_open_ram() allocates guest RAM. */
enum vmm_ram {
	VMM_RAM_PRIVATE,	/* dma_region_alloc() */
	VMM_RAM_SHARED,		/* dma_region_alloc_shared() */
	VMM_RAM_HUGE_THEN_SMALL	/* dma_region_alloc_huge_then_small() */
};

static int vmm_open_ram(struct vmm *m, size_t ram_size, enum vmm_ram kind,
			const char **step)
{
	struct kvm_userspace_memory_region slot = { 0 };
	int ret;

	memset(m, 0, sizeof(*m));
	m->kvm = m->vm = m->vcpu = -1;
	m->fallback_ret = H_HARDWARE;

	*step = "open /dev/kvm";
	m->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (m->kvm < 0)
		return -errno;

	*step = "KVM_CREATE_VM(KVM_VM_PPC_HV)";
	ret = kioctl(m->kvm, KVM_CREATE_VM, (void *)KVM_VM_PPC_HV);
	if (ret < 0)
		return ret;
	m->vm = ret;

	*step = "guest RAM";
	if (kind == VMM_RAM_SHARED)
		ret = dma_region_alloc_shared(&m->ram, ram_size);
	else if (kind == VMM_RAM_HUGE_THEN_SMALL)
		ret = dma_region_alloc_huge_then_small(&m->ram, ram_size);
	else
		ret = dma_region_alloc(&m->ram, ram_size, false);
	if (ret)
		return ret;
	write_vectors(m);
	write_loop(m);

	*step = "KVM_SET_USER_MEMORY_REGION";
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = m->ram.size;
	slot.userspace_addr = (uintptr_t)m->ram.va;
	ret = kioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &slot);
	if (ret < 0)
		return ret;

	return vcpu_start(m, 0, step);
}

int vmm_open(struct vmm *m, size_t ram_size, const char **step)
{
	return vmm_open_ram(m, ram_size, VMM_RAM_PRIVATE, step);
}

int vmm_open_shared(struct vmm *m, size_t ram_size, const char **step)
{
	return vmm_open_ram(m, ram_size, VMM_RAM_SHARED, step);
}

int vmm_open_huge_then_small(struct vmm *m, size_t small, const char **step)
{
	return vmm_open_ram(m, small, VMM_RAM_HUGE_THEN_SMALL, step);
}

int vmm_add_vcpu(struct vmm *m, struct vmm *v, unsigned long id,
		 const char **step)
{
	memset(v, 0, sizeof(*v));
	v->kvm = m->kvm;
	v->vm = m->vm;
	v->vcpu = -1;
	v->ram = m->ram;
	v->fallback_ret = m->fallback_ret;
	v->secondary = true;
	return vcpu_start(v, id, step);
}

int vmm_guest_fp(struct vmm *m, uint64_t *f14, uint64_t v20[2])
{
	uint64_t v[2] __attribute__((aligned(16)));
	struct kvm_one_reg r = { .id = KVM_REG_PPC_FPR(14),
				 .addr = (uintptr_t)f14 };
	long ret = kioctl(m->vcpu, KVM_GET_ONE_REG, &r);

	if (ret < 0)
		return (int)ret;
	r.id = KVM_REG_PPC_VR(20);
	r.addr = (uintptr_t)v;
	ret = kioctl(m->vcpu, KVM_GET_ONE_REG, &r);
	v20[0] = v[0];
	v20[1] = v[1];
	return (int)ret;
}

void vmm_close(struct vmm *m)
{
	if (m->run)
		munmap(m->run, m->run_size);
	m->run = NULL;
	if (m->vcpu >= 0)
		close(m->vcpu);
	m->vcpu = -1;
	if (m->secondary)
		return;
	if (m->vm >= 0)
		close(m->vm);
	if (m->kvm >= 0)
		close(m->kvm);
	m->vcpu = m->vm = m->kvm = -1;
	dma_region_free(&m->ram);
}

int vmm_enable_hcall(struct vmm *m, uint64_t nr, bool in_kernel)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PPC_ENABLE_HCALL,
		.args = { nr, in_kernel ? 1 : 0 },
	};

	return (int)kioctl(m->vm, KVM_ENABLE_CAP, &cap);
}

int vmm_hcall(struct vmm *m, struct vmm_step *s, uint64_t nr, uint64_t a1,
	      uint64_t a2, uint64_t a3, uint64_t a4)
{
	struct kvm_run *run = m->run;

	/* The answer to the pending marker: r3 = 0, r4.. = nr, a1.. */
	memset(run->papr_hcall.args, 0, sizeof(run->papr_hcall.args));
	run->papr_hcall.ret = H_SUCCESS;
	run->papr_hcall.args[0] = nr;
	run->papr_hcall.args[1] = a1;
	run->papr_hcall.args[2] = a2;
	run->papr_hcall.args[3] = a3;
	run->papr_hcall.args[4] = a4;
	return run_to_marker(m, s);
}
