// SPDX-License-Identifier: GPL-2.0
/*
 * v2 memory preregistration: REGISTER_MEMORY / UNREGISTER_MEMORY.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "harness.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"
#include "process.h"

#define REGSZ sizeof(struct vfio_iommu_spapr_register_memory)
#define REG VFIO_IOMMU_SPAPR_REGISTER_MEMORY
#define UNREG VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY

FIXTURE(prereg) {
	struct spapr_ctx c;
	struct dma_region r;	/* 4 host pages */
	uint64_t va, pg;
};

FIXTURE_SETUP(prereg)
{
	const char *step;
	int ret = ctx_open(&self->c, SPAPR_V2, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	self->pg = host_page_size();
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * self->pg, false));
	self->va = (uintptr_t)self->r.va;
}

FIXTURE_TEARDOWN(prereg)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

TEST_F(prereg, register_unregister)
{
	EXPECT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
	/* And again: nothing was left behind. */
	EXPECT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
}

TEST_F(prereg, register_bad_args)
{
	int c = self->c.container;

	EXPECT_EQ(-EINVAL, raw_register(c, REG, REGSZ - 1, 0, self->va, self->pg));
	EXPECT_EQ(-EINVAL, raw_register(c, REG, REGSZ, 1, self->va, self->pg));
	EXPECT_EQ(-EINVAL, raw_register(c, REG, REGSZ, 0, self->va + 8, self->pg));
	EXPECT_EQ(-EINVAL, raw_register(c, REG, REGSZ, 0, self->va, self->pg + 8));
	/* vaddr + size wraps around */
	EXPECT_EQ(-EINVAL, raw_register(c, REG, REGSZ, 0, self->va,
					-self->va & ~(self->pg - 1)));
	/* Nothing got registered by any of the above. */
	EXPECT_EQ(-ENOENT, raw_register(c, UNREG, REGSZ, 0, self->va, self->pg));
}

TEST_F(prereg, register_zero_size_einval)
{
	INTREE_BUG("vzalloc(0) WARNs, then ENOMEM");
	EXPECT_EQ(-EINVAL, vfio_register(self->c.container, self->r.va, 0));
}

TEST_F(prereg, register_twice_ebusy)
{
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-EBUSY, vfio_register(self->c.container, self->r.va, self->r.size));
	/* Still registered exactly once. */
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-ENOENT, vfio_unregister(self->c.container, self->r.va, self->r.size));
}

TEST_F(prereg, register_overlap_einval)
{
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, 2 * self->pg));
	EXPECT_EQ(-EINVAL, vfio_register(self->c.container, self->r.va + self->pg,
					 2 * self->pg));
	EXPECT_EQ(-EINVAL, vfio_register(self->c.container, self->r.va,
					 4 * self->pg));
	/* Adjacent is fine. */
	EXPECT_EQ(0, vfio_register(self->c.container, self->r.va + 2 * self->pg,
				   2 * self->pg));
}

TEST_F(prereg, register_unbacked_efault)
{
	void *hole = mmap(NULL, 4 * self->pg, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	EXPECT_EQ(-EFAULT, vfio_register(self->c.container, hole, 4 * self->pg));
	munmap(hole, 4 * self->pg);
}

TEST_F(prereg, register_readonly_efault)
{
	void *ro = mmap(NULL, self->pg, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, vfio_register(self->c.container, ro, self->pg));
	munmap(ro, self->pg);
}

TEST_F(prereg, unregister_before_any_registration_eperm)
{
	/* The container has no mm bound yet. */
	EXPECT_EQ(-EPERM, vfio_unregister(self->c.container, self->r.va, self->pg));
}

TEST_F(prereg, unregister_unknown_enoent)
{
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, 2 * self->pg));
	EXPECT_EQ(-ENOENT, vfio_unregister(self->c.container,
					   self->r.va + 2 * self->pg, self->pg));
	/* Must match exactly: a sub-range or a different size is unknown. */
	EXPECT_EQ(-ENOENT, vfio_unregister(self->c.container, self->r.va, self->pg));
	EXPECT_EQ(-ENOENT, vfio_unregister(self->c.container, self->r.va + self->pg,
					   self->pg));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, 2 * self->pg));
}

TEST_F(prereg, unregister_bad_args)
{
	int c = self->c.container;

	ASSERT_EQ(0, vfio_register(c, self->r.va, self->r.size));
	EXPECT_EQ(-EINVAL, raw_register(c, UNREG, REGSZ - 1, 0, self->va, self->r.size));
	EXPECT_EQ(-EINVAL, raw_register(c, UNREG, REGSZ, 1, self->va, self->r.size));
	EXPECT_EQ(-EINVAL, raw_register(c, UNREG, REGSZ, 0, self->va + 8, self->r.size));
	EXPECT_EQ(-EINVAL, raw_register(c, UNREG, REGSZ, 0, self->va, self->r.size - 8));
	EXPECT_EQ(0, vfio_unregister(c, self->r.va, self->r.size));
}

TEST_F(prereg, unregister_while_mapped_ebusy)
{
	uint64_t iova = self->c.win32_start + 0x100000;

	INTREE_BUG("returns 0 and leaks the region (destroy_context WARN)");
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ASSERT_EQ(0, vfio_map(self->c.container, self->r.va, iova,
			      DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(-EBUSY, vfio_unregister(self->c.container, self->r.va,
					  self->r.size));
	ASSERT_EQ(0, vfio_unmap(self->c.container, iova, DEF_WIN_PAGE));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
}

TEST_F(prereg, map_after_unregister_einval)
{
	uint64_t iova = self->c.win32_start + 0x100000;

	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ASSERT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va, iova,
				    DEF_WIN_PAGE, MAP_RW));
}

TEST_F(prereg, munmap_registered_then_unregister)
{
	struct dma_region m;
	uint8_t *va;
	size_t sz;

	ASSERT_EQ(0, dma_region_alloc(&m, 2 * self->pg, false));
	va = m.va;
	sz = m.size;
	ASSERT_EQ(0, vfio_register(self->c.container, va, sz));
	/* The pages stay pinned; the registration is by address. */
	ASSERT_EQ(0, munmap(va, sz));
	m.va = NULL;
	EXPECT_EQ(0, vfio_unregister(self->c.container, va, sz));
}

/*
 * Two v2 containers of one process (the second group is on powernv):
 * memory that only the first registered cannot be mapped by the second.
 * Regions are per process, so the in-tree driver maps it, and releasing
 * the first container then fails to drop its region: it stays pinned.
 */
TEST_F(prereg, map_region_of_other_container_einval)
{
	struct spapr_ctx c2;
	struct dma_region own;
	const char *step;
	int ret;

	if (!*env_group2())
		SKIP(return, "%s has one NVMe only; two groups are needed",
		     env_machine());
	INTREE_BUG("maps a region another container registered; the region "
		   "then outlives that container's release");
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ret = ctx_open_group(&c2, env_group2(), SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	/* The second container has memory of its own registered. */
	ASSERT_EQ(0, dma_region_alloc(&own, self->pg, false));
	ASSERT_EQ(0, vfio_register(c2.container, own.va, own.size));
	ASSERT_EQ(0, vfio_map(c2.container, own.va, c2.win32_start + 16 * self->pg,
			      own.size, MAP_RW));

	EXPECT_EQ(-EINVAL, vfio_map(c2.container, self->r.va, c2.win32_start,
				    self->pg, MAP_RW));
	/* Still refused part-way through a range. */
	EXPECT_EQ(-EINVAL, vfio_map(c2.container, self->r.va, c2.win32_start,
				    self->r.size, MAP_RW));
	/* Registered by both, it is shared and maps. */
	ASSERT_EQ(0, vfio_register(c2.container, self->r.va, self->r.size));
	EXPECT_EQ(0, vfio_map(c2.container, self->r.va, c2.win32_start,
			      self->pg, MAP_RW));
	/* The first container can let go; the second still holds it. */
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va,
				     self->r.size));
	EXPECT_EQ(-EBUSY, vfio_unregister(c2.container, self->r.va, self->r.size));
	EXPECT_EQ(0, vfio_unmap(c2.container, c2.win32_start, self->pg));
	EXPECT_EQ(0, vfio_unregister(c2.container, self->r.va, self->r.size));
	ctx_close(&c2);
	dma_region_free(&own);
}

/*
 * A region two v2 containers registered, which the first one maps: the
 * first one's UNREGISTER is EBUSY until its own mapping is gone, although
 * the second one still holds the region.  (Let go with the mapping in
 * place, the region could never be dropped: the second container's
 * UNREGISTER and release would find it mapped for good.)  Both then
 * unregister, and the region's charge to VmLck is gone.
 */
TEST_F(prereg, shared_region_unregister_while_mapped_here_ebusy)
{
	struct spapr_ctx c2;
	const char *step;
	long before;
	int ret;

	if (!*env_group2())
		SKIP(return, "%s has one NVMe only; two groups are needed",
		     env_machine());
	INTREE_BUG("UNREGISTER of a mapped region returns 0 (uapi.rst 3)");
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ret = ctx_open_group(&c2, env_group2(), SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, vfio_register(c2.container, self->r.va, self->r.size));
	ASSERT_EQ(0, vfio_map(self->c.container, self->r.va,
			      self->c.win32_start, self->pg, MAP_RW));
	/* The region (charged once) and the window the MAP made. */
	before = locked_vm_kb();

	EXPECT_EQ(-EBUSY, vfio_unregister(self->c.container, self->r.va,
					  self->r.size));
	/* The second container maps nothing of it and lets go at once. */
	EXPECT_EQ(0, vfio_unregister(c2.container, self->r.va, self->r.size));
	ASSERT_EQ(0, vfio_register(c2.container, self->r.va, self->r.size));

	EXPECT_EQ(0, vfio_unmap(self->c.container, self->c.win32_start,
				self->pg));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va,
				     self->r.size));
	EXPECT_EQ(0, vfio_unregister(c2.container, self->r.va, self->r.size));
	ctx_close(&c2);
	EXPECT_EQ(before - (long)(self->r.size >> 10), locked_vm_kb());
}

/*
 * Memory at user address 0 (possible once vm.mmap_min_addr is 0): the
 * userspace view records a mapping by its user address, and 0 means
 * "unused" there, so such a mapping could never be cleared.  Refused.
 */
TEST_F(prereg, map_user_address_zero_einval)
{
	const char *knob = "/proc/sys/vm/mmap_min_addr";
	char old[32] = "";
	void *p = MAP_FAILED;
	FILE *f;

	INTREE_BUG("maps it, and no clear ever finds the entry again");
	f = fopen(knob, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(old, sizeof(old), f));
	fclose(f);
	f = fopen(knob, "w");
	ASSERT_NE(NULL, f);
	fputs("0\n", f);
	ASSERT_EQ(0, fclose(f));
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 0, self->pg);
		EXPECT_EQ(0, vfio_register(self->c.container, p, self->pg));
		EXPECT_EQ(-EINVAL, vfio_map(self->c.container, p,
					    self->c.win32_start, self->pg,
					    MAP_RW));
		EXPECT_EQ(0, vfio_unregister(self->c.container, p, self->pg));
		munmap(p, self->pg);
	}
	f = fopen(knob, "w");
	ASSERT_NE(NULL, f);
	fputs(old, f);
	fclose(f);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap at 0: %s", strerror(errno));
}

SPAPR_HARNESS_MAIN
