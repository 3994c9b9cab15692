// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_DMA and UNMAP_DMA in the default window, the same cases for both
 * IOMMU types (one fixture variant each): the argument checks and their
 * errnos, the window's bounds, and a refused MAP that leaves what was
 * mapped before it in place.  A v1 container is ENABLEd first; a v2
 * container registers its buffer first, and must be able to unregister
 * it when the test has unmapped everything.
 */
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>
#include "harness.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

#define MAPSZ sizeof(struct vfio_iommu_type1_dma_map)
#define UNMAPSZ sizeof(struct vfio_iommu_type1_dma_unmap)
#define PG DEF_WIN_PAGE

FIXTURE(map) {
	struct spapr_ctx c;
	struct dma_region r;	/* 4 host pages, ready to map */
	uint64_t va, iova;
};

FIXTURE_VARIANT(map) {
	int type;
	uint64_t far_iova;	/* far beyond any window */
};

FIXTURE_VARIANT_ADD(map, v1) { .type = SPAPR_V1, .far_iova = 1ULL << 60 };
FIXTURE_VARIANT_ADD(map, v2) { .type = SPAPR_V2, .far_iova = 1ULL << 62 };

FIXTURE_SETUP(map)
{
	const char *step;
	int ret = ctx_open(&self->c, variant->type, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * host_page_size(), false));
	self->va = (uintptr_t)self->r.va;
	self->iova = self->c.win32_start + 0x100000;
	if (variant->type == SPAPR_V1) {
		ASSERT_EQ(0, vfio_enable(self->c.container));
	} else {
		ASSERT_EQ(0, vfio_register(self->c.container, self->r.va,
					   self->r.size));
	}
}

FIXTURE_TEARDOWN(map)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

/* v2: with nothing left mapped, the buffer's region unregisters. */
#define EXPECT_REGION_FREE() do {					\
	if (variant->type == SPAPR_V2)					\
		EXPECT_EQ(0, vfio_unregister(self->c.container,	\
					     self->r.va, self->r.size)); \
} while (0)

TEST_F(map, get_info_short_argsz)
{
	struct vfio_iommu_spapr_tce_info info = {
		.argsz = offsetof(struct vfio_iommu_spapr_tce_info,
				  dma32_window_size),
	};

	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.container,
				      VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info));
}

TEST_F(map, map_unmap_ok)
{
	int c = self->c.container;

	EXPECT_EQ(0, vfio_map(c, self->r.va, self->iova, self->r.size, MAP_RW));
	EXPECT_EQ(0, vfio_unmap(c, self->iova, self->r.size));
	/* Unmapping what is not mapped is not an error. */
	EXPECT_EQ(0, vfio_unmap(c, self->iova, self->r.size));
	EXPECT_REGION_FREE();
}

TEST_F(map, map_bad_args)
{
	int c = self->c.container;

	EXPECT_EQ(-EINVAL, raw_map(c, MAPSZ - 1, MAP_RW, self->va, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_map(c, MAPSZ, MAP_RW | 4, self->va, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_map(c, MAPSZ, 0, self->va, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_map(c, MAPSZ, MAP_RW, self->va + 8, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_map(c, MAPSZ, MAP_RW, self->va, self->iova, PG + 8));
}

TEST_F(map, unmap_bad_args)
{
	int c = self->c.container;

	EXPECT_EQ(-EINVAL, raw_unmap(c, UNMAPSZ - 1, 0, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_unmap(c, UNMAPSZ, 1, self->iova, PG));
	EXPECT_EQ(-EINVAL, raw_unmap(c, UNMAPSZ, 0, self->iova, PG + 8));
}

TEST_F(map, map_outside_window_enxio)
{
	uint64_t end = self->c.win32_start + self->c.win32_size;
	int c = self->c.container;

	EXPECT_EQ(-ENXIO, vfio_map(c, self->r.va, end, PG, MAP_RW));
	EXPECT_EQ(-ENXIO, vfio_map(c, self->r.va, variant->far_iova, PG,
				   MAP_RW));
	EXPECT_EQ(-ENXIO, vfio_unmap(c, end, PG));
}

TEST_F(map, map_unaligned_iova_einval)
{
	INTREE_BUG("returns 1 (boolean from iommu_tce_*_param_check)");
	EXPECT_EQ(-EINVAL, raw_map(self->c.container, MAPSZ, MAP_RW, self->va,
				   self->iova + 8, PG));
}

TEST_F(map, unmap_unaligned_iova_einval)
{
	INTREE_BUG("returns 1 (boolean from iommu_tce_*_param_check)");
	EXPECT_EQ(-EINVAL, raw_unmap(self->c.container, UNMAPSZ, 0,
				     self->iova + 8, PG));
}

TEST_F(map, map_over_mapped_entry_ebusy_atomic)
{
	int c = self->c.container;

	INTREE_BUG("MAP silently replaces a mapped entry");
	ASSERT_EQ(0, vfio_map(c, self->r.va + PG, self->iova + PG, PG, MAP_RW));
	/* Pages 0..3 overlap the mapped page 1. */
	EXPECT_EQ(-EBUSY, vfio_map(c, self->r.va, self->iova, 4 * PG, MAP_RW));
	/* Page 0 was unwound, page 1 still holds its mapping. */
	EXPECT_EQ(0, vfio_map(c, self->r.va, self->iova, PG, MAP_RW));
	EXPECT_EQ(-EBUSY, vfio_map(c, self->r.va, self->iova + PG, PG, MAP_RW));
	EXPECT_EQ(0, vfio_unmap(c, self->iova, 4 * PG));
	EXPECT_EQ(0, vfio_map(c, self->r.va, self->iova, 4 * PG, MAP_RW));
	EXPECT_EQ(0, vfio_unmap(c, self->iova, 4 * PG));
	EXPECT_REGION_FREE();
}

/*
 * PG_dirty of the page at @va, from /proc/kpageflags through the page's
 * frame in /proc/self/pagemap (both need root); -1 where either cannot
 * be read or the page is not present.
 */
static int page_dirty(const void *va)
{
	uint64_t ent = 0, flags = 0;
	int fd, got;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	got = pread(fd, &ent, sizeof(ent),
		    (uintptr_t)va / host_page_size() * sizeof(ent));
	close(fd);
	if (got != sizeof(ent) || !(ent >> 63) || !(ent & ((1ULL << 55) - 1)))
		return -1;
	fd = open("/proc/kpageflags", O_RDONLY);
	if (fd < 0)
		return -1;
	got = pread(fd, &flags, sizeof(flags),
		    (ent & ((1ULL << 55) - 1)) * sizeof(flags));
	close(fd);
	if (got != sizeof(flags))
		return -1;
	return (flags >> 4) & 1;	/* KPF_DIRTY */
}

/*
 * UNMAP marks dirty each page the device could write, and only those, so
 * that the kernel does not drop what a device wrote: pages mapped for
 * reading and writing, for writing only, and for reading only.
 */
TEST_F(map, unmap_marks_device_writable_pages_dirty)
{
	static const uint32_t flags[3] = {
		MAP_RW, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_MAP_FLAG_READ,
	};
	static const int dirty[3] = { 1, 1, 0 };
	size_t hp = host_page_size();
	int c = self->c.container, i;

	for (i = 0; i < 3; i++) {
		if (page_dirty(self->r.va + i * hp))
			SKIP(return, "page %d: PG_dirty unreadable or set before the MAP (%d)",
			     i, page_dirty(self->r.va + i * hp));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vfio_map(c, self->r.va + i * hp,
				      self->iova + i * hp, hp, flags[i]));
	}
	EXPECT_EQ(0, vfio_unmap(c, self->iova, 3 * hp));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(dirty[i], page_dirty(self->r.va + i * hp))
			TH_LOG("page %d, mapped with flags %u", i, flags[i]);
	}
	EXPECT_REGION_FREE();
}

SPAPR_HARNESS_MAIN
