// SPDX-License-Identifier: GPL-2.0
/*
 * The per-container debugfs view (vfio_spapr_tce/containers/<id>/state),
 * read during live mappings and checked against what the test mapped:
 * type, group, both windows with their used entries, the preregistered
 * region with the entries that map it, and the locked_vm pages the
 * container charged, which with the region's make up the process's
 * VmLck.  The view goes with the container.  The in-tree backend has no
 * such view (selftests/expectations/divergences.txt).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"
#include "process.h"

#define VIEWS		"/sys/kernel/debug/vfio_spapr_tce/containers"
#define STATE_MAX	8192
#define WIN_SHIFT	16
#define WIN_SIZE	(1ULL << 30)

FIXTURE(inspect) {
	struct spapr_ctx c;
	struct dma_region r;	/* 4 host pages */
	char path[512];		/* this process's container's state file */
};

/* The state file of the container this process opened, or "". */
static void find_view(char *path, size_t len)
{
	char want[32], buf[STATE_MAX];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	*path = 0;
	snprintf(want, sizeof(want), "owner_pid %d\n", getpid());
	dir = opendir(VIEWS);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), VIEWS "/%s/state", d->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		if (fread(buf, 1, sizeof(buf) - 1, f) > 0 && strstr(buf, want))
			snprintf(path, len, VIEWS "/%s/state", d->d_name);
		fclose(f);
		if (*path)
			break;
	}
	closedir(dir);
}

static void read_view(struct __test_metadata *_metadata, const char *path,
		      char *buf)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ASSERT_NE(NULL, f) TH_LOG("cannot open %s", path);
	n = fread(buf, 1, STATE_MAX - 1, f);
	fclose(f);
	buf[n] = 0;
}

FIXTURE_SETUP(inspect)
{
	const char *step;
	int ret;

	if (driver_is_intree())
		SKIP(return, "the in-tree backend has no per-container view");
	ret = ctx_open(&self->c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * host_page_size(), false));
	find_view(self->path, sizeof(self->path));
	ASSERT_NE(0, self->path[0]) TH_LOG("no view with owner_pid %d in %s",
					   getpid(), VIEWS);
}

FIXTURE_TEARDOWN(inspect)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

TEST_F(inspect, view_matches_live_mappings_and_goes_with_the_container)
{
	uint64_t va = (uintptr_t)self->r.va, size = self->r.size;
	uint64_t iova = self->c.win32_start + 0x10000, start = 0;
	long page_kb = host_page_size() >> 10, lck_pages;
	char buf[STATE_MAX], want[160], *p;
	unsigned long charged;
	int gid = atoi(strrchr(env_group(), '/') + 1);

	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, size));
	ASSERT_EQ(0, vfio_map(self->c.container, self->r.va, iova, 3 * 4096,
			      MAP_RW));
	ASSERT_EQ(0, vfio_create_window(self->c.container, WIN_SHIFT, WIN_SIZE,
					1, &start));
	read_view(_metadata, self->path, buf);

	EXPECT_NE(NULL, strstr(buf, "type v2\n")) TH_LOG("%s", buf);
	/* Bound to this process's address space (printed hashed). */
	EXPECT_NE(NULL, strstr(buf, "\nmm ")) TH_LOG("%s", buf);
	EXPECT_EQ(NULL, strstr(buf, "\nmm (null)")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "enabled yes\n")) TH_LOG("%s", buf);
	snprintf(want, sizeof(want), "groups %d\n", gid);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
	snprintf(want, sizeof(want),
		 "window 0 start 0x%llx size 0x%llx page_shift 12 levels 1 entries_used 3 ",
		 (unsigned long long)self->c.win32_start,
		 (unsigned long long)self->c.win32_size);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("want %s in:\n%s", want, buf);
	snprintf(want, sizeof(want),
		 "window 1 start 0x%llx size 0x%llx page_shift 16 levels 1 entries_used 0 ",
		 (unsigned long long)start, WIN_SIZE);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("want %s in:\n%s", want, buf);
	snprintf(want, sizeof(want),
		 "region ua 0x%llx size 0x%llx entries_mapping_it 3\n",
		 (unsigned long long)va, (unsigned long long)size);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("want %s in:\n%s", want, buf);

	/* VmLck: the region (charged by the platform) plus our pages. */
	p = strstr(buf, "locked_vm_pages ");
	ASSERT_NE(NULL, p) TH_LOG("%s", buf);
	ASSERT_EQ(1, sscanf(p, "locked_vm_pages %lu", &charged));
	EXPECT_LT(0UL, charged);
	lck_pages = locked_vm_kb() / page_kb;
	EXPECT_EQ(lck_pages, (long)(charged + size / host_page_size()));

	/* One entry unmapped: both counts follow. */
	ASSERT_EQ(0, vfio_unmap(self->c.container, iova, 4096));
	read_view(_metadata, self->path, buf);
	EXPECT_NE(NULL, strstr(buf, "entries_used 2 ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "entries_mapping_it 2\n")) TH_LOG("%s", buf);

	ctx_close(&self->c);
	EXPECT_NE(0, access(self->path, F_OK))
		TH_LOG("%s outlived its container", self->path);
}

/*
 * 256 GiB of 4K pages at one level is a table of 512 MiB, beyond any one
 * allocation the platform makes (the largest block is 16 or 32 MiB on
 * Debian's kernels): the window is created at the fewest levels that fit,
 * two, and the view says so.  Removed, it leaves locked_vm as it was.
 */
TEST_F(inspect, window_too_big_for_its_levels_gets_more)
{
	uint64_t start = 0, size = 1ULL << 38;
	char buf[STATE_MAX], want[160];
	long before;

	if (self->c.info.ddw.levels < 2)
		SKIP(return, "platform supports %u level(s)", self->c.info.ddw.levels);
	if (!(self->c.info.ddw.pgsizes & 4096))
		SKIP(return, "no 4K pages in ddw.pgsizes");
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	/* The first window made also makes the pending default one. */
	ASSERT_EQ(0, vfio_create_window(self->c.container, 12, 1ULL << 30, 1,
					&start));
	ASSERT_EQ(0, vfio_remove_window(self->c.container, start));
	before = locked_vm_kb();
	ASSERT_EQ(0, vfio_create_window(self->c.container, 12, size, 1, &start));
	read_view(_metadata, self->path, buf);
	snprintf(want, sizeof(want),
		 "start 0x%llx size 0x%llx page_shift 12 levels 2 ",
		 (unsigned long long)start, (unsigned long long)size);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("want %s in:\n%s", want, buf);
	EXPECT_EQ(0, vfio_remove_window(self->c.container, start));
	EXPECT_EQ(before, locked_vm_kb());
}

SPAPR_HARNESS_MAIN
