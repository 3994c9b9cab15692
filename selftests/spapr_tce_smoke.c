// SPDX-License-Identifier: GPL-2.0
/*
 * Proof of life: v2 container, preregistered memory, NVMe Identify DMA into
 * the default window; UNMAP blocks it byte-for-byte; a remap lets it land.
 */
#include "harness.h"
#include "env.h"
#include "rig.h"

FIXTURE(smoke) {
	struct rig g;
	struct dma_region d;
	uint64_t d_iova;
};

FIXTURE_SETUP(smoke)
{
	const char *step;
	int ret;

	memset(&self->g, 0, sizeof(self->g));
	memset(&self->d, 0, sizeof(self->d));
	ASSERT_NE(0, strlen(env_serial())) TH_LOG("SPAPR_SERIAL is not set");

	ret = ctx_open(&self->g.c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_LE(0x400000, self->g.c.win32_size);

	ret = rig_start(&self->g, self->g.c.win32_start + 0x100000,
			DEF_WIN_PAGE, false, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));

	self->d_iova = self->g.c.win32_start + 0x200000;
	ret = rig_buf(&self->g, &self->d, NVME_ID_BYTES, false, self->d_iova,
		      NVME_ID_BYTES, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(smoke)
{
	rig_stop(&self->g);
	dma_region_free(&self->d);
}

TEST_F_TIMEOUT(smoke, identify_lands_unmap_blocks_remap_lands, 120)
{
	uint16_t status = 0xffff;

	TH_LOG("%s/%s: window 0x%llx+0x%llx", env_machine(), env_driver(),
	       (unsigned long long)self->g.c.win32_start,
	       (unsigned long long)self->g.c.win32_size);

	/* 1. Mapped: the serial lands in the buffer. */
	ASSERT_EQ(0, rig_identify(&self->g, &self->d, self->d_iova, &status));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(rig_serial_at(&self->d, 0));

	/* 2. Unmapped: not one byte of the poisoned buffer changes. */
	ASSERT_EQ(0, vfio_unmap(self->g.c.container, self->d_iova, NVME_ID_BYTES));
	ASSERT_EQ(0, rig_identify(&self->g, &self->d, self->d_iova, &status));
	ASSERT_EQ(0, dma_region_diff(&self->d, 0, self->d.size, POISON));

	/* 3. Remapped: it lands again. */
	ASSERT_EQ(0, vfio_map(self->g.c.container, self->d.va, self->d_iova,
			      NVME_ID_BYTES, MAP_RW));
	ASSERT_EQ(0, rig_identify(&self->g, &self->d, self->d_iova, &status));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(rig_serial_at(&self->d, 0));
}

SPAPR_HARNESS_MAIN
