// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic DMA windows: VFIO_IOMMU_SPAPR_TCE_CREATE / _REMOVE, and MAP/UNMAP
 * in a 64K-page window.
 */
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>
#include "harness.h"
#include "process.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

#define CREATESZ sizeof(struct vfio_iommu_spapr_tce_create)
#define WPG (1ULL << DDW_SHIFT)

FIXTURE(ddw) {
	struct spapr_ctx c;
};

FIXTURE_SETUP(ddw)
{
	const char *step;
	int ret = ctx_open(&self->c, SPAPR_V2, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (!ddw_has_64k(&self->c))
		SKIP(return, "no 64K pages in ddw.pgsizes (0x%llx)",
		     (unsigned long long)self->c.info.ddw.pgsizes);
}

FIXTURE_TEARDOWN(ddw)
{
	ctx_close(&self->c);
}

static int create_raw(int fd, uint32_t argsz, uint32_t flags, uint32_t shift,
		      uint64_t size, uint32_t levels)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = argsz, .flags = flags, .page_shift = shift,
		.window_size = size, .levels = levels,
	};

	return vfio_ioctl(fd, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);
}

TEST_F(ddw, create_remove)
{
	uint64_t start = 0, end32 = self->c.win32_start + self->c.win32_size;

	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	TH_LOG("64K x 1G window at 0x%llx", (unsigned long long)start);
	EXPECT_EQ(0, start % DDW_SIZE);
	EXPECT_LE(end32, start);
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
	EXPECT_EQ(-EINVAL, vfio_remove_window(self->c.container, start));
	/* The slot is free again. */
	EXPECT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
}

TEST_F(ddw, create_bad_argsz_flags)
{
	EXPECT_EQ(-EINVAL, create_raw(self->c.container,
		offsetof(struct vfio_iommu_spapr_tce_create, start_addr),
		0, DDW_SHIFT, DDW_SIZE, 1));
	EXPECT_EQ(-EINVAL, create_raw(self->c.container, CREATESZ, 1,
				      DDW_SHIFT, DDW_SIZE, 1));
}

TEST_F(ddw, create_unsupported_page_shift)
{
	uint32_t shift = 13;	/* 8K: no platform has it */

	ASSERT_FALSE(self->c.info.ddw.pgsizes & (1ULL << shift));
	EXPECT_EQ(-EINVAL, vfio_create_window(self->c.container, shift,
					      DDW_SIZE, 1, NULL));
}

TEST_F(ddw, create_too_many_levels)
{
	EXPECT_EQ(-EINVAL, vfio_create_window(self->c.container, DDW_SHIFT,
			DDW_SIZE, self->c.info.ddw.levels + 1, NULL));
}

TEST_F(ddw, create_zero_levels)
{
	if (machine_is_pseries())
		INTREE_BUG("levels=0 reaches the pseries platform, which treats it as 1");
	EXPECT_EQ(-EINVAL, vfio_create_window(self->c.container, DDW_SHIFT,
					      DDW_SIZE, 0, NULL));
}

TEST_F(ddw, create_size_not_power_of_two)
{
	EXPECT_EQ(-EINVAL, vfio_create_window(self->c.container, DDW_SHIFT,
					      DDW_SIZE + DDW_SIZE / 2, 1, NULL));
}

TEST_F(ddw, create_third_window_enospc)
{
	uint64_t start;

	ASSERT_EQ(2, self->c.info.ddw.max_dynamic_windows_supported);
	/* The default window takes one of the two slots. */
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	EXPECT_EQ(-ENOSPC, vfio_create_window(self->c.container, DDW_SHIFT,
					      DDW_SIZE, 1, NULL));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
}

/*
 * A TCE_CREATE whose result cannot be written back (its argument lies in
 * a read-only page) fails with EFAULT and leaves nothing behind: the
 * window it made is gone, so its slot takes a window again, and so is
 * the locked_vm its table was charged.
 */
TEST_F(ddw, create_unwritable_result_efault_leaves_no_window)
{
	size_t pg = getpagesize();
	struct vfio_iommu_spapr_tce_create *p;
	long before = locked_vm_kb();
	uint64_t start;

	INTREE_BUG("a failed TCE_CREATE keeps the default window it created "
		   "on its way, and its locked_vm charge (uapi.rst 10)");
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	*p = (struct vfio_iommu_spapr_tce_create){
		.argsz = CREATESZ, .page_shift = DDW_SHIFT,
		.window_size = DDW_SIZE, .levels = 1,
	};
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, vfio_ioctl(self->c.container,
				      VFIO_IOMMU_SPAPR_TCE_CREATE, p));
	EXPECT_EQ(before, locked_vm_kb());
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start)) TH_LOG("the failed window stayed");
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
	munmap(p, pg);
}

TEST_F(ddw, remove_missing_window_einval)
{
	uint64_t start;

	EXPECT_EQ(-EINVAL, vfio_remove_window(self->c.container, 1ULL << 40));
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	/* Anything inside the window names it; outside names nothing. */
	EXPECT_EQ(-EINVAL, vfio_remove_window(self->c.container,
					      start + DDW_SIZE));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start + WPG));
}

TEST_F(ddw, remove_bad_argsz_flags)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = 8 };

	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.container,
				      VFIO_IOMMU_SPAPR_TCE_REMOVE, &r));
	r.argsz = sizeof(r);
	r.flags = 1;
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.container,
				      VFIO_IOMMU_SPAPR_TCE_REMOVE, &r));
}

TEST_F(ddw, replace_default_window)
{
	uint64_t start;

	/* Drop the (pending) default window, then two dynamic ones fit on
	 * platforms that allow two; pseries allows only one 64-bit window. */
	ASSERT_EQ(0, vfio_remove_window(self->c.container, self->c.win32_start));
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
}

/*
 * pseries keeps one dynamic window per PE.  A second one is refused
 * before it reaches the platform, which would leak a table and, when the
 * hypervisor is the one refusing, never make a dynamic window for the PE
 * again until reboot.  Both ways there: over the default window's free
 * slot, and beside a dynamic window made in that slot.  The PE still
 * gets its window afterwards, and nothing stays charged.
 */
TEST_F(ddw, pseries_second_dynamic_window_enospc)
{
	long before = locked_vm_kb();
	uint64_t start;

	if (!machine_is_pseries())
		SKIP(return, "powernv makes two dynamic windows");
	INTREE_BUG("asks the pseries platform for a second dynamic window: "
		   "it leaks a table and may refuse dynamic windows until "
		   "reboot (uapi.rst 19)");
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	ASSERT_EQ(0, vfio_remove_window(self->c.container, self->c.win32_start));
	EXPECT_EQ(-ENOSPC, vfio_create_window(self->c.container, DDW_SHIFT,
					      DDW_SIZE, 1, NULL));
	ASSERT_EQ(0, vfio_remove_window(self->c.container, start));

	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	EXPECT_EQ(-ENOSPC, vfio_create_window(self->c.container, DDW_SHIFT,
					      DDW_SIZE, 1, NULL));
	ASSERT_EQ(0, vfio_remove_window(self->c.container, start));

	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
	EXPECT_EQ(before, locked_vm_kb());
}

TEST_F(ddw, multilevel_window)
{
	uint32_t levels = ddw_multilevel_levels();
	uint64_t start;

	if (self->c.info.ddw.levels < levels)
		SKIP(return, "platform supports %u level(s)", self->c.info.ddw.levels);
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, 1ULL << 36,
					levels, &start));
	EXPECT_EQ(0, start % (1ULL << 36));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
}

/* Mapping in a 64K window needs memory backed by >= 64K pages. */
FIXTURE(ddw_map) {
	struct spapr_ctx c;
	struct dma_region r;
	uint64_t start;
};

FIXTURE_SETUP(ddw_map)
{
	const char *step;
	int ret = ctx_open(&self->c, SPAPR_V2, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (!ddw_has_64k(&self->c))
		SKIP(return, "no 64K pages in ddw.pgsizes");
	ret = dma_region_alloc(&self->r, 4 * WPG, ddw_needs_hugetlb());
	if (ret == -EOPNOTSUPP)
		SKIP(return, "4K kernel and hugetlb unavailable");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, DDW_SIZE,
					1, &self->start));
}

FIXTURE_TEARDOWN(ddw_map)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

TEST_F(ddw_map, map_unmap)
{
	EXPECT_EQ(0, vfio_map(self->c.container, self->r.va, self->start,
			      4 * WPG, MAP_RW));
	EXPECT_EQ(0, vfio_map(self->c.container, self->r.va,
			      self->start + DDW_SIZE - WPG, WPG, MAP_RW));
	EXPECT_EQ(0, vfio_unmap(self->c.container, self->start, 4 * WPG));
	EXPECT_EQ(0, vfio_unmap(self->c.container, self->start + DDW_SIZE - WPG,
				WPG));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
}

TEST_F(ddw_map, map_needs_64k_alignment)
{
	EXPECT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va + 4096,
				    self->start, WPG, MAP_RW));
	EXPECT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va, self->start,
				    4096, MAP_RW));
	EXPECT_EQ(-EINVAL, vfio_unmap(self->c.container, self->start, 4096));
}

TEST_F(ddw_map, map_outside_both_windows_enxio)
{
	EXPECT_EQ(-ENXIO, vfio_map(self->c.container, self->r.va,
				   self->start + DDW_SIZE, WPG, MAP_RW));
}

TEST_F(ddw_map, remove_window_with_mappings)
{
	ASSERT_EQ(0, vfio_map(self->c.container, self->r.va, self->start,
			      4 * WPG, MAP_RW));
	EXPECT_EQ(0, vfio_remove_window(self->c.container, self->start));
	/* Removal cleared the mappings, so the memory can go. */
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-ENXIO, vfio_map(self->c.container, self->r.va, self->start,
				   WPG, MAP_RW));
}

/*
 * A multi-level window with entries far apart: in its first leaf, in a
 * leaf of another upper-level subtree, and in its last leaf, with nothing
 * allocated between them.  One UNMAP of the whole window must find every
 * entry (clearing skips unallocated levels), and so must removing it:
 * the same IOVAs map again, and the region then unregisters.
 */
TEST_F(ddw_map, multilevel_far_entries_all_cleared)
{
	uint32_t levels = ddw_multilevel_levels();
	uint64_t size = 1ULL << 36, start, iova[3];
	int i;

	INTREE_BUG("UNREGISTER of a mapped region returns 0 and leaks it "
		   "(uapi.rst 3; destroy_context() WARNs at exit)");
	if (self->c.info.ddw.levels < levels)
		SKIP(return, "platform supports %u level(s)",
		     self->c.info.ddw.levels);
	/* The fixture's one-level window takes the dynamic window slot. */
	ASSERT_EQ(0, vfio_remove_window(self->c.container, self->start));
	ASSERT_EQ(0, vfio_create_window(self->c.container, DDW_SHIFT, size,
					levels, &start));
	iova[0] = start;
	iova[1] = start + size / 2 + 7 * WPG;
	iova[2] = start + size - WPG;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vfio_map(self->c.container, self->r.va + i * WPG,
				      iova[i], WPG, MAP_RW));
	}
	EXPECT_EQ(-EBUSY, vfio_unregister(self->c.container, self->r.va,
					  self->r.size));

	ASSERT_EQ(0, vfio_unmap(self->c.container, start, size));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vfio_map(self->c.container, self->r.va + i * WPG,
				      iova[i], WPG, MAP_RW))
			TH_LOG("IOVA %d still mapped after the UNMAP", i);
	}

	ASSERT_EQ(0, vfio_remove_window(self->c.container, start));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va,
				     self->r.size))
		TH_LOG("an entry of the removed window still counts the region");
}

TEST(map_small_pages_in_64k_window_einval)
{
	struct spapr_ctx c;
	struct dma_region r;
	const char *step;
	uint64_t start;
	int ret;

	if (!ddw_needs_hugetlb())
		SKIP(return, "base pages are already >= 64K");
	ret = ctx_open(&c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (!ddw_has_64k(&c))
		SKIP(return, "no 64K pages in ddw.pgsizes");
	ASSERT_EQ(0, dma_region_alloc(&r, 4 * WPG, false));
	ASSERT_EQ(0, vfio_register(c.container, r.va, r.size));
	ASSERT_EQ(0, vfio_create_window(c.container, DDW_SHIFT, DDW_SIZE, 1, &start));
	EXPECT_EQ(-EINVAL, vfio_map(c.container, r.va, start, WPG, MAP_RW));
	ctx_close(&c);
	dma_region_free(&r);
}

/*
 * A region whose first page is a hugetlb page and whose rest is small
 * pages.  The platform's record of the region's page size keeps the
 * hugetlb size past the small pages, so it accepts a 64K IOMMU page over
 * them, and KVM's in-kernel H_PUT_TCE, which asks nothing else, would
 * map one (uapi.rst, deliberate difference 25).  Ours refuses the
 * REGISTER with EINVAL and charges nothing; each part on its own
 * registers, and a 64K page maps in the hugetlb part only.
 */
TEST(register_small_pages_after_a_huge_page_einval)
{
	size_t small = 4 * WPG, huge;
	struct spapr_ctx c;
	struct dma_region r;
	const char *step;
	uint64_t start;
	long before;
	int ret;

	if (!ddw_needs_hugetlb())
		SKIP(return, "base pages are already >= 64K");
	INTREE_BUG("registers a region whose record accepts 64K IOMMU pages over its 4K pages (uapi.rst 25)");
	ret = dma_region_alloc_huge_then_small(&r, small);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "hugetlb unavailable");
	ASSERT_EQ(0, ret);
	huge = r.size - small;
	ret = ctx_open(&c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (!ddw_has_64k(&c)) {
		ctx_close(&c);
		dma_region_free(&r);
		SKIP(return, "no 64K pages in ddw.pgsizes");
	}
	/* The window's table is charged to locked_vm too: first. */
	ASSERT_EQ(0, vfio_create_window(c.container, DDW_SHIFT, DDW_SIZE, 1,
					&start));
	before = locked_vm_kb();
	EXPECT_EQ(-EINVAL, vfio_register(c.container, r.va, r.size));
	EXPECT_EQ(before, locked_vm_kb());
	ASSERT_EQ(0, vfio_register(c.container, r.va, huge));
	ASSERT_EQ(0, vfio_register(c.container, r.va + huge, small));
	EXPECT_EQ(0, vfio_map(c.container, r.va + huge - WPG, start, WPG,
			      MAP_RW));
	EXPECT_EQ(-EINVAL, vfio_map(c.container, r.va + huge, start + WPG,
				    WPG, MAP_RW));
	EXPECT_EQ(0, vfio_unmap(c.container, start, WPG));
	EXPECT_EQ(0, vfio_unregister(c.container, r.va, huge));
	EXPECT_EQ(0, vfio_unregister(c.container, r.va + huge, small));
	EXPECT_EQ(before, locked_vm_kb());

	ctx_close(&c);
	dma_region_free(&r);
}

SPAPR_HARNESS_MAIN
