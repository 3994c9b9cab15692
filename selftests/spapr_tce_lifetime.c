// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown with live state: closing fds in either order, UNSET_CONTAINER,
 * a process exiting or being killed with mappings and windows in place.
 * Afterwards the group must be reusable and nothing left accounted.
 */
#include <signal.h>
#include "harness.h"
#include "process.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"
#include "debugfs.h"
#include "nvme.h"

/* Give a container everything it can hold: memory, mappings, a window. */
static int populate(struct spapr_ctx *c, struct dma_region *r)
{
	uint64_t start;
	int ret;

	if (c->type == SPAPR_V1) {
		ret = vfio_enable(c->container);
		return ret ? ret : vfio_map(c->container, r->va, c->win32_start,
					    r->size, MAP_RW);
	}
	ret = vfio_register(c->container, r->va, r->size);
	if (!ret)
		ret = vfio_map(c->container, r->va, c->win32_start, r->size, MAP_RW);
	if (!ret && ddw_has_64k(c))
		ret = vfio_create_window(c->container, DDW_SHIFT, DDW_SIZE, 1,
					 &start);
	return ret;
}

/* A fresh container of @type can take the group and be populated. */
static int reuse(int type)
{
	struct spapr_ctx c;
	struct dma_region r;
	const char *step;
	int ret = dma_region_alloc(&r, 4 * host_page_size(), false);

	if (ret)
		return ret;
	ret = ctx_open(&c, type, &step);
	if (!ret)
		ret = populate(&c, &r);
	ctx_close(&c);
	dma_region_free(&r);
	return ret;
}

FIXTURE(life) {
	struct spapr_ctx c;
	struct dma_region r;
	long base;
};

FIXTURE_VARIANT(life) {
	int type;
};

FIXTURE_VARIANT_ADD(life, v1) { .type = SPAPR_V1 };
FIXTURE_VARIANT_ADD(life, v2) { .type = SPAPR_V2 };

FIXTURE_SETUP(life)
{
	const char *step;
	int ret;

	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * host_page_size(), false));
	self->base = locked_vm_kb();
	ret = ctx_open(&self->c, variant->type, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(life)
{
	struct modstats st;

	ctx_close(&self->c);
	dma_region_free(&self->r);
	/* Our module's own counters: nothing it held is left (ours only). */
	if (!modstats_read(&st)) {
		EXPECT_EQ(0, st.containers);
		EXPECT_EQ(0, st.tables);
		EXPECT_EQ(0, st.pinned_pages);
	}
}

TEST_F(life, close_container_first)
{
	ASSERT_EQ(0, populate(&self->c, &self->r));
	close(self->c.container);
	self->c.container = -1;
	/* The group still holds the container; its state lives on. */
	EXPECT_LT(self->base, locked_vm_kb());
	close(self->c.group);
	self->c.group = -1;
	EXPECT_EQ(self->base, locked_vm_kb());
	EXPECT_EQ(0, reuse(variant->type));
	EXPECT_EQ(self->base, locked_vm_kb());
}

TEST_F(life, close_group_first)
{
	ASSERT_EQ(0, populate(&self->c, &self->r));
	close(self->c.group);
	self->c.group = -1;
	/* The last group left: the container dropped its IOMMU state. */
	EXPECT_EQ(self->base, locked_vm_kb());
	EXPECT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va,
				    self->c.win32_start, DEF_WIN_PAGE, MAP_RW));
	close(self->c.container);
	self->c.container = -1;
	EXPECT_EQ(0, reuse(variant->type));
}

TEST_F(life, unset_container_with_mappings)
{
	ASSERT_EQ(0, populate(&self->c, &self->r));
	ASSERT_EQ(0, vfio_group_unset_container(self->c.group));
	EXPECT_EQ(self->base, locked_vm_kb());
	/* Same container, same group, start over. */
	ASSERT_EQ(0, vfio_group_set_container(self->c.group, self->c.container));
	ASSERT_EQ(0, vfio_set_iommu(self->c.container, variant->type));
	EXPECT_EQ(0, populate(&self->c, &self->r));
}

TEST_F(life, device_fd_keeps_group_open)
{
	struct nvme n;
	int g;

	ASSERT_EQ(0, populate(&self->c, &self->r));
	ASSERT_EQ(0, nvme_open(&n, self->c.group));
	close(self->c.group);
	self->c.group = -1;
	/* The device fd holds the group file: state stays, reopen is busy. */
	EXPECT_LT(self->base, locked_vm_kb());
	g = vfio_open_group();
	EXPECT_EQ(-EBUSY, g);
	if (g >= 0)
		close(g);
	close(n.dev);
	EXPECT_EQ(self->base, locked_vm_kb());
	close(self->c.container);
	self->c.container = -1;
	EXPECT_EQ(0, reuse(variant->type));
}

struct owner_args {
	int type;
	bool kill;
};

static int owner_dies(void *arg)
{
	struct owner_args *a = arg;
	struct spapr_ctx c;
	struct dma_region r;
	const char *step;
	struct nvme n;

	if (dma_region_alloc(&r, 4 * host_page_size(), false))
		return 1;
	if (ctx_open(&c, a->type, &step))
		return 2;
	if (populate(&c, &r))
		return 3;
	if (nvme_open(&n, c.group))
		return 4;
	if (a->kill)
		raise(SIGKILL);
	return 0;	/* exit with everything open */
}

TEST_F(life, process_exit_with_live_state)
{
	struct owner_args a = { .type = variant->type, .kill = false };

	ctx_close(&self->c);
	ASSERT_EQ(0, run_in_child(owner_dies, &a));
	EXPECT_EQ(0, reuse(variant->type));
	EXPECT_EQ(self->base, locked_vm_kb());
}

TEST_F(life, process_killed_with_live_state)
{
	struct owner_args a = { .type = variant->type, .kill = true };

	ctx_close(&self->c);
	ASSERT_EQ(-1, run_in_child(owner_dies, &a));
	/* Also with the other type: nothing of the old one lingers. */
	EXPECT_EQ(0, reuse(variant->type == SPAPR_V1 ? SPAPR_V2 : SPAPR_V1));
	EXPECT_EQ(0, reuse(variant->type));
}

TEST_F_TIMEOUT(life, repeated_open_close_is_stable, 180)
{
	int i;

	ctx_close(&self->c);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, reuse(variant->type)) TH_LOG("round %d", i);
		ASSERT_EQ(self->base, locked_vm_kb()) TH_LOG("round %d", i);
	}
}

SPAPR_HARNESS_MAIN
