// SPDX-License-Identifier: GPL-2.0
/*
 * The v1 sPAPR TCE IOMMU (VFIO_SPAPR_TCE_IOMMU): ENABLE/DISABLE, GET_INFO,
 * MAP/UNMAP of plain (not preregistered) memory in the default window.
 */
#include <sys/mman.h>
#include "harness.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

FIXTURE(v1) {
	struct spapr_ctx c;
	struct dma_region r;
	uint64_t va;		/* start of a 4-IOMMU-page buffer */
	uint64_t iova;		/* inside the default window */
};

FIXTURE_SETUP(v1)
{
	const char *step;
	int ret = ctx_open(&self->c, SPAPR_V1, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * DEF_WIN_PAGE, false));
	self->va = (uintptr_t)self->r.va;
	self->iova = self->c.win32_start + 0x10000;
	ASSERT_EQ(0, vfio_enable(self->c.container));
}

FIXTURE_TEARDOWN(v1)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

TEST_F(v1, get_info_has_no_ddw)
{
	struct vfio_iommu_spapr_tce_info info;

	ASSERT_EQ(0, vfio_get_info(self->c.container, &info));
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.ddw.pgsizes);
	EXPECT_EQ(0, info.ddw.max_dynamic_windows_supported);
	EXPECT_EQ(0, info.ddw.levels);
	EXPECT_LT(0, info.dma32_window_size);
	EXPECT_EQ(0, info.dma32_window_start % DEF_WIN_PAGE);
}

TEST(map_before_enable_eperm)
{
	struct spapr_ctx c;
	const char *step;
	char buf[DEF_WIN_PAGE] __attribute__((aligned(DEF_WIN_PAGE)));
	int ret = ctx_open(&c, SPAPR_V1, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	EXPECT_EQ(-EPERM, vfio_map(c.container, buf, c.win32_start,
				   DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(-EPERM, vfio_unmap(c.container, c.win32_start, DEF_WIN_PAGE));
	ctx_close(&c);
}

TEST_F(v1, map_after_disable_eperm)
{
	ASSERT_EQ(0, vfio_disable(self->c.container));
	EXPECT_EQ(-EPERM, vfio_map(self->c.container, self->r.va, self->iova,
				   DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(-EPERM, vfio_unmap(self->c.container, self->iova, DEF_WIN_PAGE));
}

TEST_F(v1, double_enable_ebusy)
{
	EXPECT_EQ(-EBUSY, vfio_enable(self->c.container));
}

TEST_F(v1, disable_enable_cycle)
{
	EXPECT_EQ(0, vfio_disable(self->c.container));
	EXPECT_EQ(0, vfio_disable(self->c.container));
	EXPECT_EQ(0, vfio_enable(self->c.container));
	EXPECT_EQ(0, vfio_map(self->c.container, self->r.va, self->iova,
			      DEF_WIN_PAGE, MAP_RW));
}

TEST_F(v1, v2_ioctls_enotty)
{
	EXPECT_EQ(-ENOTTY, vfio_register(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-ENOTTY, vfio_unregister(self->c.container, self->r.va, self->r.size));
	EXPECT_EQ(-ENOTTY, vfio_create_window(self->c.container, 16, 1ULL << 30, 1, NULL));
	EXPECT_EQ(-ENOTTY, vfio_remove_window(self->c.container, 0));
}

TEST_F(v1, map_unbacked_vaddr_efault)
{
	void *hole = mmap(NULL, DEF_WIN_PAGE * 16, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	EXPECT_EQ(-EFAULT, vfio_map(self->c.container, hole, self->iova,
				    DEF_WIN_PAGE, MAP_RW));
	munmap(hole, DEF_WIN_PAGE * 16);
}

TEST_F(v1, map_readonly_memory_for_device_write_efault)
{
	void *ro = mmap(NULL, host_page_size(), PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	/* The device may write: the page must be writable. */
	EXPECT_EQ(-EFAULT, vfio_map(self->c.container, ro, self->iova,
				    DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(-EFAULT, vfio_map(self->c.container, ro, self->iova,
				    DEF_WIN_PAGE, VFIO_DMA_MAP_FLAG_WRITE));
	munmap(ro, host_page_size());
}

/*
 * A MAP over memory with a hole, the hole in the system page where the
 * range starts, in one it covers whole, or in the one where it ends: the
 * call fails with EFAULT and holds no pin (/proc/vmstat's count of pinned
 * pages is back where it was), and the range's IOVAs are free again.
 * The range starts and ends inside a system page, as in the DMA test
 * every_page_of_an_unaligned_range_lands, so on a 64K kernel each part of
 * the pinning fails in turn.
 */
TEST_F(v1, map_over_a_hole_efault_no_pin_left)
{
	size_t hp = host_page_size(), off = 3 * DEF_WIN_PAGE, len = 3 * hp;
	size_t size = 4 * hp + 4 * DEF_WIN_PAGE;
	size_t holes[] = { off, off + hp, off + len - DEF_WIN_PAGE };
	unsigned int i;
	long pins;
	char *buf;

	pins = foll_pins_held();
	ASSERT_LE(0, pins) TH_LOG("/proc/vmstat has no nr_foll_pin_acquired");
	for (i = 0; i < ARRAY_SIZE(holes); i++) {
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		ASSERT_NE(MAP_FAILED, buf);
		ASSERT_EQ(0, munmap(buf + (holes[i] & ~(hp - 1)), hp));
		EXPECT_EQ(-EFAULT, vfio_map(self->c.container, buf + off,
					    self->iova, len, MAP_RW))
			TH_LOG("hole at +0x%zx", holes[i]);
		EXPECT_EQ(pins, foll_pins_held()) TH_LOG("hole at +0x%zx", holes[i]);
		munmap(buf, size);
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	EXPECT_EQ(0, vfio_map(self->c.container, buf + off, self->iova, len,
			      MAP_RW));
	EXPECT_EQ(pins + (long)(len / DEF_WIN_PAGE), foll_pins_held());
	EXPECT_EQ(0, vfio_unmap(self->c.container, self->iova, len));
	EXPECT_EQ(pins, foll_pins_held());
	munmap(buf, size);
}

/*
 * A mapping the device may only read needs no write access to the page.
 * The in-tree driver pins for write whatever the flags say (it takes the
 * direction from the low bits of the user address).
 */
TEST_F(v1, map_readonly_memory_for_device_read)
{
	void *ro = mmap(NULL, host_page_size(), PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	INTREE_BUG("v1 pins for write whatever the DMA direction");
	EXPECT_EQ(0, vfio_map(self->c.container, ro, self->iova,
			      DEF_WIN_PAGE, VFIO_DMA_MAP_FLAG_READ));
	EXPECT_EQ(0, vfio_unmap(self->c.container, self->iova, DEF_WIN_PAGE));
	munmap(ro, host_page_size());
}

/*
 * MAP never replaces a mapping: an entry in use fails the whole call with
 * EBUSY and leaves nothing of the new range behind.  The in-tree driver
 * silently replaces the entry (and releases the page it pointed to).
 */
/*
 * An IOVA not aligned to the IOMMU page.  The in-tree driver returns 1
 * here (its iova check is a boolean expression, not an errno) and does
 * nothing; the expectation is the errno the check obviously meant.
 */
SPAPR_HARNESS_MAIN
