// SPDX-License-Identifier: GPL-2.0
/*
 * Real DMA from the NVMe controller (Identify Controller) through the TCE
 * windows: every test proves where the bytes landed (the serial in the
 * mapped buffer) and that nothing landed where nothing is mapped (the
 * poisoned buffer unchanged byte for byte).
 */
#include "harness.h"
#include "vfio.h"
#include "env.h"
#include "rig.h"
#include "uffd_swap.h"

/* Identify into @iova must land at @r + @off, and nowhere else in @r. */
static void lands(struct __test_metadata *_metadata, struct rig *g,
		  struct dma_region *r, size_t off, uint64_t iova)
{
	uint16_t status = 0xffff;

	ASSERT_EQ(0, rig_identify(g, r, iova, &status));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(rig_serial_at(r, off)) TH_LOG("serial not at +0x%zx", off);
	ASSERT_EQ(0, dma_region_diff(r, 0, off, POISON));
	ASSERT_EQ(0, dma_region_diff(r, off + NVME_ID_BYTES,
				     r->size - off - NVME_ID_BYTES, POISON));
}

/* Identify into @iova must not change one byte of @r. */
static void blocked(struct __test_metadata *_metadata, struct rig *g,
		    struct dma_region *r, uint64_t iova)
{
	uint16_t status;

	ASSERT_EQ(0, rig_identify(g, r, iova, &status));
	ASSERT_EQ(0, dma_region_diff(r, 0, r->size, POISON));
}

FIXTURE(dma) {
	struct rig g;
	struct dma_region d1, d2;
	uint64_t x;		/* an IOVA in the default window */
};

FIXTURE_VARIANT(dma) {
	int type;
};

FIXTURE_VARIANT_ADD(dma, v1) { .type = SPAPR_V1 };
FIXTURE_VARIANT_ADD(dma, v2) { .type = SPAPR_V2 };

FIXTURE_SETUP(dma)
{
	const char *step;
	int ret;

	ASSERT_NE(0, strlen(env_serial())) TH_LOG("SPAPR_SERIAL is not set");
	ret = ctx_open(&self->g.c, variant->type, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (variant->type == SPAPR_V1)
		ASSERT_EQ(0, vfio_enable(self->g.c.container));
	ret = rig_start(&self->g, self->g.c.win32_start + 0x100000,
			DEF_WIN_PAGE, false, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	self->x = self->g.c.win32_start + 0x200000;
	ASSERT_EQ(0, dma_region_alloc(&self->d1, NVME_ID_BYTES, false));
	ASSERT_EQ(0, dma_region_alloc(&self->d2, NVME_ID_BYTES, false));
	if (variant->type == SPAPR_V2) {
		ASSERT_EQ(0, vfio_register(self->g.c.container, self->d1.va,
					   self->d1.size));
		ASSERT_EQ(0, vfio_register(self->g.c.container, self->d2.va,
					   self->d2.size));
	}
}

FIXTURE_TEARDOWN(dma)
{
	rig_stop(&self->g);
	dma_region_free(&self->d1);
	dma_region_free(&self->d2);
}

static int map(FIXTURE_DATA(dma) *self, struct dma_region *r, uint64_t iova,
	       uint32_t flags)
{
	return vfio_map(self->g.c.container, r->va, iova, NVME_ID_BYTES, flags);
}

TEST_F_TIMEOUT(dma, lands_unmap_blocks_remap_lands, 120)
{
	ASSERT_EQ(0, map(self, &self->d1, self->x, MAP_RW));
	lands(_metadata, &self->g, &self->d1, 0, self->x);
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, self->x, NVME_ID_BYTES));
	blocked(_metadata, &self->g, &self->d1, self->x);
	ASSERT_EQ(0, map(self, &self->d1, self->x, MAP_RW));
	lands(_metadata, &self->g, &self->d1, 0, self->x);
}

TEST_F_TIMEOUT(dma, never_mapped_iova_blocked, 120)
{
	/* d1 is mapped next door; the target IOVA never was. */
	ASSERT_EQ(0, map(self, &self->d1, self->x + NVME_ID_BYTES, MAP_RW));
	blocked(_metadata, &self->g, &self->d1, self->x);
	lands(_metadata, &self->g, &self->d1, 0, self->x + NVME_ID_BYTES);
}

/*
 * A MAP over a live mapping is refused, and the device keeps writing to
 * the page that was mapped first (the in-tree driver redirects it).
 */
TEST_F_TIMEOUT(dma, map_over_mapping_refused_dma_unchanged, 120)
{
	INTREE_BUG("MAP silently replaces a mapped entry");
	ASSERT_EQ(0, map(self, &self->d1, self->x, MAP_RW));
	lands(_metadata, &self->g, &self->d1, 0, self->x);
	ASSERT_EQ(-EBUSY, map(self, &self->d2, self->x, MAP_RW));
	dma_region_poison(&self->d2, POISON);
	lands(_metadata, &self->g, &self->d1, 0, self->x);
	EXPECT_EQ(0, dma_region_diff(&self->d2, 0, self->d2.size, POISON));
}

TEST_F_TIMEOUT(dma, unmap_neighbour_keeps_mapping, 120)
{
	ASSERT_EQ(0, map(self, &self->d1, self->x, MAP_RW));
	ASSERT_EQ(0, map(self, &self->d2, self->x + NVME_ID_BYTES, MAP_RW));
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, self->x + NVME_ID_BYTES,
				NVME_ID_BYTES));
	lands(_metadata, &self->g, &self->d1, 0, self->x);
	blocked(_metadata, &self->g, &self->d2, self->x + NVME_ID_BYTES);
}

TEST_F_TIMEOUT(dma, device_readonly_mapping_blocks_write, 120)
{
	ASSERT_EQ(0, map(self, &self->d1, self->x, VFIO_DMA_MAP_FLAG_READ));
	blocked(_metadata, &self->g, &self->d1, self->x);
}

TEST_F_TIMEOUT(dma, device_writeonly_mapping_lands, 120)
{
	ASSERT_EQ(0, map(self, &self->d1, self->x, VFIO_DMA_MAP_FLAG_WRITE));
	lands(_metadata, &self->g, &self->d1, 0, self->x);
}

TEST_F_TIMEOUT(dma, one_unmap_covers_several_mappings, 120)
{
	ASSERT_EQ(0, map(self, &self->d1, self->x, MAP_RW));
	ASSERT_EQ(0, map(self, &self->d2, self->x + NVME_ID_BYTES, MAP_RW));
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, self->x, 2 * NVME_ID_BYTES));
	blocked(_metadata, &self->g, &self->d1, self->x);
	blocked(_metadata, &self->g, &self->d2, self->x + NVME_ID_BYTES);
}

/*
 * One MAP of a range that starts and ends inside a system page and covers
 * whole ones between (a 64K kernel's v1 MAP pins those a round per 4K
 * page they hold, and the ends a page at a time): every 4K IOVA of it
 * reaches its own 4K of the buffer, and the IOVAs either side of it none.
 */
TEST_F_TIMEOUT(dma, every_page_of_an_unaligned_range_lands, 300)
{
	size_t hp = host_page_size(), off = 3 * NVME_ID_BYTES;
	size_t len = 3 * hp - NVME_ID_BYTES, i;
	struct dma_region r;

	ASSERT_EQ(0, dma_region_alloc(&r, 4 * hp + 4 * NVME_ID_BYTES, false));
	if (variant->type == SPAPR_V2)
		ASSERT_EQ(0, vfio_register(self->g.c.container, r.va, r.size));
	ASSERT_EQ(0, vfio_map(self->g.c.container, r.va + off, self->x, len,
			      MAP_RW));
	for (i = 0; i < len; i += NVME_ID_BYTES) {
		dma_region_poison(&r, POISON);
		lands(_metadata, &self->g, &r, off + i, self->x + i);
	}
	dma_region_poison(&r, POISON);
	blocked(_metadata, &self->g, &r, self->x - NVME_ID_BYTES);
	blocked(_metadata, &self->g, &r, self->x + len);
	dma_region_free(&r);
}

/*
 * A v1 MAP on a 64K kernel pins each whole system page once per 4K IOMMU
 * page in it, in rounds, and every round must find the pages the first
 * one did.  Here a second thread drops a page the first round pinned (it
 * does so while the MAP waits on the next page's fault), so the second
 * round finds a fresh page there: the MAP must notice, pin the range again
 * entry by entry, and hold one pin per entry on the pages the process now
 * has.  The device's writes through the dropped page's IOVAs then land in
 * the fresh page, and every pin goes at UNMAP.
 */
TEST_F_TIMEOUT(dma, page_replaced_between_pin_rounds_lands_in_the_new_one,
	       300)
{
	size_t hp = host_page_size(), len = 4 * hp, i;
	struct dma_region r;
	struct uffd_swap s;
	long pins;
	int ret;

	if (variant->type != SPAPR_V1)
		SKIP(return, "v2 maps preregistered memory: its MAP pins nothing");
	if (hp == DEF_WIN_PAGE)
		SKIP(return, "4K kernel: a v1 MAP pins each page once, in one call");
	if (driver_is_intree())
		SKIP(return, "the in-tree driver pins entry by entry and keeps the page it pinned first (uapi.rst, deliberate difference 24)");
	pins = foll_pins_held();
	ASSERT_LE(0, pins) TH_LOG("/proc/vmstat has no nr_foll_pin_acquired");
	/* Page 1's first fault drops page 0, which the first round has pinned. */
	ret = uffd_swap_start(&s, 4, 1, 0, POISON);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no userfaultfd for this process");
	ASSERT_EQ(0, ret) TH_LOG("uffd_swap_start: %s", strerror(-ret));
	ret = vfio_map(self->g.c.container, s.va, self->x, len, MAP_RW);
	uffd_swap_stop(&s);
	ASSERT_EQ(0, ret) TH_LOG("MAP: %s", strerror(-ret));
	ASSERT_EQ(0, s.error) TH_LOG("fault thread: %s", strerror(s.error));
	/* The MAP met page 0 twice: before it was dropped, and after. */
	ASSERT_TRUE(s.swapped);
	ASSERT_EQ(2, s.faults[0]);
	EXPECT_EQ(pins + (long)(len / DEF_WIN_PAGE), foll_pins_held());
	r = (struct dma_region){ .va = s.va, .size = len };
	for (i = 0; i < hp; i += DEF_WIN_PAGE)
		lands(_metadata, &self->g, &r, i, self->x + i);
	for (i = hp; i < len; i += hp)
		lands(_metadata, &self->g, &r, i + hp - DEF_WIN_PAGE,
		      self->x + i + hp - DEF_WIN_PAGE);
	EXPECT_EQ(0, vfio_unmap(self->g.c.container, self->x, len));
	EXPECT_EQ(pins, foll_pins_held());
	uffd_swap_free(&s);
}

/* Data through a dynamic window, queues in the default one. */
FIXTURE(dma_ddw) {
	struct rig g;
	struct dma_region d;	/* >= 4 IOMMU pages, registered */
	uint64_t start;		/* of the dynamic window */
	uint64_t pg;		/* its IOMMU page size */
};

FIXTURE_VARIANT(dma_ddw) {
	uint32_t shift;
};

/* 64K pages: the usual choice; needs hugetlb on a 4K kernel. */
FIXTURE_VARIANT_ADD(dma_ddw, pg64k) { .shift = 16 };
/* 4K pages: the same high base with any memory. */
FIXTURE_VARIANT_ADD(dma_ddw, pg4k) { .shift = 12 };

FIXTURE_SETUP(dma_ddw)
{
	const char *step;
	int ret;

	ASSERT_NE(0, strlen(env_serial())) TH_LOG("SPAPR_SERIAL is not set");
	ret = ctx_open(&self->g.c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	self->pg = 1ULL << variant->shift;
	if (!(self->g.c.info.ddw.pgsizes & self->pg))
		SKIP(return, "page size 0x%llx not in ddw.pgsizes",
		     (unsigned long long)self->pg);
	ret = dma_region_alloc(&self->d, 4 * self->pg,
			       host_page_size() < self->pg);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "4K kernel and hugetlb unavailable (needed for 64K TCEs)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vfio_register(self->g.c.container, self->d.va, self->d.size));
	ret = rig_start(&self->g, self->g.c.win32_start + 0x100000,
			DEF_WIN_PAGE, false, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, vfio_create_window(self->g.c.container, variant->shift,
					DDW_SIZE, 1, &self->start));
	TH_LOG("dynamic window at 0x%llx", (unsigned long long)self->start);
}

FIXTURE_TEARDOWN(dma_ddw)
{
	rig_stop(&self->g);
	dma_region_free(&self->d);
}

TEST_F_TIMEOUT(dma_ddw, lands_at_high_base_unmap_blocks, 120)
{
	uint64_t iova = self->start + 3 * self->pg;

	/* Map the region's second 64K page; write at its start. */
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va + self->pg, iova, self->pg,
			      MAP_RW));
	lands(_metadata, &self->g, &self->d, self->pg, iova);
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, iova, self->pg));
	blocked(_metadata, &self->g, &self->d, iova);
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va + self->pg, iova, self->pg,
			      MAP_RW));
	lands(_metadata, &self->g, &self->d, self->pg, iova);
}

TEST_F_TIMEOUT(dma_ddw, offset_within_64k_page, 120)
{
	/* A 4K-aligned IOVA inside a 64K TCE reaches the same offset. */
	if (self->pg == 4096)
		SKIP(return, "needs IOMMU pages larger than 4K");
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, self->start, self->pg,
			      MAP_RW));
	lands(_metadata, &self->g, &self->d, 5 * 4096, self->start + 5 * 4096);
}

TEST_F_TIMEOUT(dma_ddw, two_windows_live, 120)
{
	struct dma_region lo;
	uint64_t lo_iova = self->g.c.win32_start + 0x200000;
	uint64_t hi_iova = self->start + DDW_SIZE - self->pg;	/* last TCE */

	ASSERT_EQ(0, dma_region_alloc(&lo, NVME_ID_BYTES, false));
	ASSERT_EQ(0, vfio_register(self->g.c.container, lo.va, lo.size));
	ASSERT_EQ(0, vfio_map(self->g.c.container, lo.va, lo_iova,
			      NVME_ID_BYTES, MAP_RW));
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va + 2 * self->pg,
			      hi_iova, self->pg, MAP_RW));

	dma_region_poison(&self->d, POISON);
	lands(_metadata, &self->g, &lo, 0, lo_iova);
	EXPECT_EQ(0, dma_region_diff(&self->d, 0, self->d.size, POISON));

	dma_region_poison(&lo, POISON);
	lands(_metadata, &self->g, &self->d, 2 * self->pg, hi_iova);
	EXPECT_EQ(0, dma_region_diff(&lo, 0, lo.size, POISON));
	dma_region_free(&lo);
}

TEST_F_TIMEOUT(dma_ddw, removed_window_blocks, 120)
{
	uint64_t iova = self->start;

	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, iova, self->pg, MAP_RW));
	lands(_metadata, &self->g, &self->d, 0, iova);
	ASSERT_EQ(0, vfio_remove_window(self->g.c.container, self->start));
	blocked(_metadata, &self->g, &self->d, iova);
}

TEST_F_TIMEOUT(dma_ddw, multilevel_window, 180)
{
	uint32_t levels = ddw_multilevel_levels();
	uint64_t start, size = 1ULL << 36, iova;

	if (self->g.c.info.ddw.levels < levels)
		SKIP(return, "platform supports %u level(s)", self->g.c.info.ddw.levels);
	ASSERT_EQ(0, vfio_remove_window(self->g.c.container, self->start));
	ASSERT_EQ(0, vfio_create_window(self->g.c.container, variant->shift,
					size, levels, &start));
	/* Deep inside, so upper levels have to be allocated on demand. */
	iova = start + size / 2 + 7 * self->pg;
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, iova, self->pg, MAP_RW));
	lands(_metadata, &self->g, &self->d, 0, iova);
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, iova, self->pg));
	blocked(_metadata, &self->g, &self->d, iova);
}

/*
 * One MAP across the middle of a multi-level window, where a leaf of the
 * table (and of every level above) ends: each IOVA reaches its own page,
 * and after one UNMAP none does, and the region is free to go.  The MAP
 * walks to the second leaf's view afresh; writing on past the first
 * leaf's end would leave the UNMAP blind to the second leaf's entries.
 */
TEST_F_TIMEOUT(dma_ddw, multilevel_map_across_a_leaf, 180)
{
	uint32_t levels = ddw_multilevel_levels();
	uint64_t start, size = 1ULL << 36, iova;
	unsigned int i;

	if (self->g.c.info.ddw.levels < levels)
		SKIP(return, "platform supports %u level(s)", self->g.c.info.ddw.levels);
	ASSERT_EQ(0, vfio_remove_window(self->g.c.container, self->start));
	ASSERT_EQ(0, vfio_create_window(self->g.c.container, variant->shift,
					size, levels, &start));
	/* Every leaf holds a power of two entries: size / 2 ends one. */
	iova = start + size / 2 - 2 * self->pg;
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, iova,
			      4 * self->pg, MAP_RW));
	for (i = 0; i < 4; i++) {
		dma_region_poison(&self->d, POISON);
		lands(_metadata, &self->g, &self->d, i * self->pg,
		      iova + i * self->pg);
	}
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, iova, 4 * self->pg));
	for (i = 0; i < 4; i++)
		blocked(_metadata, &self->g, &self->d, iova + i * self->pg);
	EXPECT_EQ(0, vfio_unregister(self->g.c.container, self->d.va,
				     self->d.size));
}

/*
 * A window too big for a table at one level (256 GiB: 512 MiB of table
 * with 4K pages, 32 MiB with 64K ones, past the platform's largest block
 * on most kernels).  Ours creates it at the fewest levels that fit; the
 * in-tree driver fails with ENOMEM.  DMA through its far end lands, and
 * stops once unmapped.
 */
TEST_F_TIMEOUT(dma_ddw, window_too_big_for_one_level_lands, 180)
{
	uint64_t start, size = 1ULL << 38, iova;

	if (self->g.c.info.ddw.levels < 2)
		SKIP(return, "platform supports %u level(s)", self->g.c.info.ddw.levels);
	INTREE_BUG("TCE_CREATE fails with ENOMEM where more levels fit");
	ASSERT_EQ(0, vfio_remove_window(self->g.c.container, self->start));
	ASSERT_EQ(0, vfio_create_window(self->g.c.container, variant->shift,
					size, 1, &start));
	iova = start + size - self->pg;
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, iova, self->pg,
			      MAP_RW));
	lands(_metadata, &self->g, &self->d, 0, iova);
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, iova, self->pg));
	blocked(_metadata, &self->g, &self->d, iova);
}

SPAPR_HARNESS_MAIN
