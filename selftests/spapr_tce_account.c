// SPDX-License-Identifier: GPL-2.0
/*
 * Locked memory accounting (VmLck, i.e. mm->locked_vm) and RLIMIT_MEMLOCK.
 * Each test runs in its own process, so VmLck starts from that process's
 * baseline.
 */
#include "harness.h"
#include "process.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

#define KB(x) ((long)((x) / 1024))

struct acct_state {
	struct spapr_ctx c;
	struct dma_region r;
	long base;
};

static void acct_setup(struct __test_metadata *_metadata,
		       struct acct_state *self, int type)
{
	const char *step;
	int ret;

	ASSERT_EQ(0, dma_region_alloc(&self->r, 16 * host_page_size(), false));
	self->base = locked_vm_kb();
	ASSERT_LE(0, self->base);
	ret = ctx_open(&self->c, type, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	/* Attaching and setting the type locks nothing. */
	ASSERT_EQ(self->base, locked_vm_kb());
}

static void acct_teardown(struct acct_state *self)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

FIXTURE(acct_v1) {
	struct acct_state s;
};

FIXTURE_SETUP(acct_v1)
{
	acct_setup(_metadata, &self->s, SPAPR_V1);
}

FIXTURE_TEARDOWN(acct_v1)
{
	acct_teardown(&self->s);
}

FIXTURE(acct_v2) {
	struct acct_state s;
};

FIXTURE_SETUP(acct_v2)
{
	acct_setup(_metadata, &self->s, SPAPR_V2);
}

FIXTURE_TEARDOWN(acct_v2)
{
	acct_teardown(&self->s);
}

TEST_F(acct_v1, enable_accounts_whole_window)
{
	struct acct_state *s = &self->s;
	long win = KB(s->c.win32_size), table;

	ASSERT_EQ(0, vfio_enable(s->c.container));
	EXPECT_EQ(s->base + win, locked_vm_kb());
	/* The first MAP instantiates the default window's TCE table... */
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va, s->c.win32_start,
			      DEF_WIN_PAGE, MAP_RW));
	table = locked_vm_kb() - (s->base + win);
	TH_LOG("default window table: %ld KiB", table);
	EXPECT_LE(0, table);
	EXPECT_GE(win, table);
	/* ...further mappings add nothing... */
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va + DEF_WIN_PAGE,
			      s->c.win32_start + DEF_WIN_PAGE,
			      s->r.size - DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(s->base + win + table, locked_vm_kb());
	/* ...and DISABLE gives back the window, not the table. */
	ASSERT_EQ(0, vfio_disable(s->c.container));
	EXPECT_EQ(s->base + table, locked_vm_kb());
}

TEST_F(acct_v1, teardown_returns_to_baseline)
{
	struct acct_state *s = &self->s;

	ASSERT_EQ(0, vfio_enable(s->c.container));
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va,
			      s->c.win32_start, s->r.size, MAP_RW));
	ctx_close(&s->c);
	EXPECT_EQ(s->base, locked_vm_kb());
}

TEST_F(acct_v2, register_accounts_exactly)
{
	struct acct_state *s = &self->s;

	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	EXPECT_EQ(s->base + KB(s->r.size), locked_vm_kb());
	ASSERT_EQ(0, vfio_unregister(s->c.container, s->r.va, s->r.size));
	EXPECT_EQ(s->base, locked_vm_kb());
}

TEST_F(acct_v2, map_adds_only_the_table)
{
	struct acct_state *s = &self->s;
	long after_reg, after_first, table;

	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	after_reg = locked_vm_kb();
	/* The first MAP instantiates the default window's table. */
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va,
			      s->c.win32_start, DEF_WIN_PAGE, MAP_RW));
	after_first = locked_vm_kb();
	table = after_first - after_reg;
	TH_LOG("default window table: %ld KiB", table);
	EXPECT_LE(0, table);
	EXPECT_GE(KB(s->c.win32_size), table);
	/* Further mappings are covered by the registration. */
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va + DEF_WIN_PAGE,
			      s->c.win32_start + DEF_WIN_PAGE,
			      s->r.size - DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(after_first, locked_vm_kb());
	ASSERT_EQ(0, vfio_unmap(s->c.container, s->c.win32_start,
				s->r.size));
	EXPECT_EQ(after_first, locked_vm_kb());
}

TEST_F(acct_v2, window_accounts_its_table)
{
	struct acct_state *s = &self->s;
	long before, with;
	uint64_t start;

	if (!ddw_has_64k(&s->c))
		SKIP(return, "no 64K pages in ddw.pgsizes");
	/* Instantiate the default window first, to measure only the DDW. */
	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va,
			      s->c.win32_start, DEF_WIN_PAGE, MAP_RW));
	before = locked_vm_kb();
	ASSERT_EQ(0, vfio_create_window(s->c.container, DDW_SHIFT, DDW_SIZE,
					1, &start));
	with = locked_vm_kb();
	TH_LOG("64K x 1G window table: %ld KiB", with - before);
	/* At least 8 bytes per TCE. */
	EXPECT_LE(before + KB((DDW_SIZE >> DDW_SHIFT) * 8), with);
	ASSERT_EQ(0, vfio_remove_window(s->c.container, start));
	EXPECT_EQ(before, locked_vm_kb());
}

TEST_F(acct_v2, teardown_returns_to_baseline)
{
	struct acct_state *s = &self->s;
	uint64_t start;

	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va,
			      s->c.win32_start, s->r.size, MAP_RW));
	if (ddw_has_64k(&s->c))
		ASSERT_EQ(0, vfio_create_window(s->c.container, DDW_SHIFT,
						DDW_SIZE, 1, &start));
	EXPECT_LT(s->base, locked_vm_kb());
	ctx_close(&s->c);
	EXPECT_EQ(s->base, locked_vm_kb());
}

TEST_F(acct_v2, failed_create_does_not_leak)
{
	struct acct_state *s = &self->s;
	long before;

	if (driver_is_intree() && machine_is_pseries())
		SKIP(return, "in-tree bug: pseries TCE_CREATE failures keep the table's locked_vm");
	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	ASSERT_EQ(0, vfio_map(s->c.container, s->r.va,
			      s->c.win32_start, DEF_WIN_PAGE, MAP_RW));
	before = locked_vm_kb();
	EXPECT_EQ(-EINVAL, vfio_create_window(s->c.container, DDW_SHIFT,
			DDW_SIZE, s->c.info.ddw.levels + 1, NULL));
	EXPECT_EQ(-EINVAL, vfio_create_window(s->c.container, DDW_SHIFT,
			3 * DDW_SIZE, 1, NULL));
	EXPECT_EQ(before, locked_vm_kb());
}

TEST_F(acct_v1, rlimit_enforced_on_enable)
{
	struct acct_state *s = &self->s;

	ASSERT_EQ(0, memlock_limit_enforce(64 * 1024));
	/* The whole default window is far above 64K. */
	EXPECT_EQ(-ENOMEM, vfio_enable(s->c.container));
	EXPECT_EQ(-EPERM, vfio_map(s->c.container, s->r.va, s->c.win32_start,
				   DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(s->base, locked_vm_kb());
}

TEST_F(acct_v2, rlimit_enforced_on_register)
{
	struct acct_state *s = &self->s;
	struct dma_region big;

	ASSERT_EQ(0, dma_region_alloc(&big, 256 * 1024, false));
	ASSERT_EQ(0, memlock_limit_enforce(64 * 1024));
	EXPECT_EQ(-ENOMEM, vfio_register(s->c.container, big.va, big.size));
	EXPECT_EQ(s->base, locked_vm_kb());
	dma_region_free(&big);
}

TEST_F(acct_v2, rlimit_allows_within_limit)
{
	struct acct_state *s = &self->s;

	ASSERT_EQ(0, memlock_limit_enforce(s->base * 1024 + 2 * s->r.size));
	EXPECT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	EXPECT_EQ(s->base + KB(s->r.size), locked_vm_kb());
}

TEST_F(acct_v2, rlimit_covers_window_tables)
{
	struct acct_state *s = &self->s;

	ASSERT_EQ(0, vfio_register(s->c.container, s->r.va, s->r.size));
	/* Room for the registration, none for any TCE table. */
	ASSERT_EQ(0, memlock_limit_enforce(locked_vm_kb() * 1024));
	EXPECT_EQ(-ENOMEM, vfio_map(s->c.container, s->r.va,
				    s->c.win32_start, DEF_WIN_PAGE, MAP_RW));
	EXPECT_EQ(s->base + KB(s->r.size), locked_vm_kb());
}

SPAPR_HARNESS_MAIN
