// SPDX-License-Identifier: GPL-2.0
/*
 * Two IOMMU groups in one container: each NVMe sits behind its own PHB
 * (powernv machines get a second one).  v2 programs every window into
 * every group, so both devices DMA through the same TCEs; v1 takes one
 * group only; and detaching one group must not take the mappings away
 * from the other.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "dma_region.h"
#include "env.h"
#include "nvme.h"
#include "rig.h"
#include "vfio.h"

#define Q_IOVA(i)	((i) * 0x100000ULL)		/* SQ, CQ at +4K */
#define D_IOVA(i)	(0x800000ULL + (i) * 0x100000ULL)

struct dev {
	int group;
	const char *bdf, *serial;
	struct dma_region q, d;
	struct nvme n;
	bool open;
};

FIXTURE(two) {
	int container;
	uint64_t win;
	struct dev dev[2];
};

static int open_group_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int dev_start(struct dev *v, int container, uint64_t win, int i)
{
	size_t pg = host_page_size();
	int ret;

	ret = dma_region_alloc(&v->q, 2 * (pg > 4096 ? pg : 4096), false);
	if (!ret)
		ret = dma_region_alloc(&v->d, pg, false);
	if (!ret)
		ret = vfio_register(container, v->q.va, v->q.size);
	if (!ret)
		ret = vfio_register(container, v->d.va, v->d.size);
	if (!ret)
		ret = vfio_map(container, v->q.va, win + Q_IOVA(i), v->q.size,
			       MAP_RW);
	if (!ret)
		ret = vfio_map(container, v->d.va, win + D_IOVA(i), v->d.size,
			       MAP_RW);
	if (!ret)
		ret = nvme_open_bdf(&v->n, v->group, v->bdf);
	if (ret)
		return ret;
	v->open = true;
	return nvme_enable(&v->n, (void *)v->q.va, win + Q_IOVA(i),
			   (void *)(v->q.va + 4096), win + Q_IOVA(i) + 4096);
}

/* Poison the data buffer, Identify into @iova; did the serial land? */
static bool identify_lands(struct __test_metadata *_metadata, struct dev *v,
			   uint64_t iova)
{
	char want[NVME_SN_LEN];
	uint16_t status;

	dma_region_poison(&v->d, POISON);
	EXPECT_EQ(0, nvme_identify(&v->n, iova, &status));
	nvme_serial_field(want, v->serial);
	__sync_synchronize();
	if (!memcmp((const void *)(v->d.va + NVME_SN_OFF), want, NVME_SN_LEN))
		return true;
	/* Not landed means not one byte changed: no stray DMA elsewhere. */
	EXPECT_EQ(0, dma_region_diff(&v->d, 0, v->d.size, POISON));
	return false;
}

FIXTURE_SETUP(two)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	int i;

	self->container = -1;
	self->dev[0].group = self->dev[1].group = -1;
	if (!*env_group2())
		SKIP(return, "%s has one NVMe only", env_machine());
	self->dev[0].bdf = env_bdf();
	self->dev[0].serial = env_serial();
	self->dev[1].bdf = env_bdf2();
	self->dev[1].serial = env_serial2();

	self->container = vfio_open_container();
	ASSERT_LE(0, self->container);
	self->dev[0].group = open_group_path(env_group());
	self->dev[1].group = open_group_path(env_group2());
	ASSERT_LE(0, self->dev[0].group);
	ASSERT_LE(0, self->dev[1].group);
	/* The second group joins a container that already has its IOMMU. */
	ASSERT_EQ(0, vfio_group_set_container(self->dev[0].group,
					      self->container));
	ASSERT_EQ(0, vfio_set_iommu(self->container, SPAPR_V2));
	ASSERT_EQ(0, vfio_group_set_container(self->dev[1].group,
					      self->container));
	ASSERT_EQ(0, vfio_get_info(self->container, &info));
	self->win = info.dma32_window_start;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, dev_start(&self->dev[i], self->container,
				       self->win, i)) TH_LOG("device %d", i);
	}
}

FIXTURE_TEARDOWN(two)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (self->dev[i].open)
			nvme_close(&self->dev[i].n);
		if (self->dev[i].group >= 0)
			close(self->dev[i].group);
	}
	if (self->container >= 0)
		close(self->container);
	for (i = 0; i < 2; i++) {
		dma_region_free(&self->dev[i].q);
		dma_region_free(&self->dev[i].d);
	}
}

TEST_F_TIMEOUT(two, both_devices_dma_through_shared_window, 120)
{
	struct dev *d0 = &self->dev[0];
	char *snap = malloc(d0->d.size);

	ASSERT_NE(NULL, snap);
	EXPECT_TRUE(identify_lands(_metadata, d0, self->win + D_IOVA(0)));
	memcpy(snap, (const void *)d0->d.va, d0->d.size);
	/* Device 1 writes to its own IOVA, never into device 0's buffer. */
	EXPECT_TRUE(identify_lands(_metadata, &self->dev[1],
				   self->win + D_IOVA(1)));
	EXPECT_EQ(0, memcmp(snap, (const void *)d0->d.va, d0->d.size));
	free(snap);
}

TEST_F_TIMEOUT(two, unmap_blocks_both_devices, 120)
{
	ASSERT_EQ(0, vfio_unmap(self->container, self->win + D_IOVA(1),
				self->dev[1].d.size));
	EXPECT_FALSE(identify_lands(_metadata, &self->dev[1],
				    self->win + D_IOVA(1)));
	EXPECT_TRUE(identify_lands(_metadata, &self->dev[0],
				   self->win + D_IOVA(0)));
	/* Device 0 through device 1's unmapped IOVA: blocked as well. */
	dma_region_poison(&self->dev[1].d, POISON);
	EXPECT_FALSE(identify_lands(_metadata, &self->dev[0],
				    self->win + D_IOVA(1)));
	EXPECT_EQ(0, dma_region_diff(&self->dev[1].d, 0, self->dev[1].d.size,
				     POISON));
}

/*
 * Detaching one group leaves the shared windows, and their mappings, to
 * the other.  The in-tree driver clears the shared tables on any detach.
 */
TEST_F_TIMEOUT(two, detach_one_group_keeps_other_mapped, 120)
{
	INTREE_BUG("detaching one group clears the tables the others use");
	nvme_close(&self->dev[1].n);
	self->dev[1].open = false;
	ASSERT_EQ(0, vfio_group_unset_container(self->dev[1].group));
	EXPECT_TRUE(identify_lands(_metadata, &self->dev[0],
				   self->win + D_IOVA(0)));
	/* And the group can come back and see the same mappings. */
	ASSERT_EQ(0, vfio_group_set_container(self->dev[1].group,
					      self->container));
	ASSERT_EQ(0, nvme_open_bdf(&self->dev[1].n, self->dev[1].group,
				   self->dev[1].bdf));
	self->dev[1].open = true;
	ASSERT_EQ(0, nvme_enable(&self->dev[1].n, (void *)self->dev[1].q.va,
				 self->win + Q_IOVA(1),
				 (void *)(self->dev[1].q.va + 4096),
				 self->win + Q_IOVA(1) + 4096));
	EXPECT_TRUE(identify_lands(_metadata, &self->dev[1],
				   self->win + D_IOVA(1)));
}

/* v1 containers take one group: the second is refused with EBUSY. */
TEST(v1_second_group_ebusy)
{
	int c, g1, g2;

	if (!*env_group2())
		SKIP(return, "%s has one NVMe only", env_machine());
	c = vfio_open_container();
	g1 = open_group_path(env_group());
	g2 = open_group_path(env_group2());
	ASSERT_LE(0, c);
	ASSERT_LE(0, g1);
	ASSERT_LE(0, g2);
	ASSERT_EQ(0, vfio_group_set_container(g1, c));
	ASSERT_EQ(0, vfio_set_iommu(c, SPAPR_V1));
	EXPECT_EQ(-EBUSY, vfio_group_set_container(g2, c));
	close(g2);
	close(g1);
	close(c);
}

SPAPR_HARNESS_MAIN
