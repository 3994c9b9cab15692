// SPDX-License-Identifier: GPL-2.0
/*
 * What an admin sees of a container: the module's tracepoints and its
 * dynamic-debug explanation of a refused ioctl.
 *
 * One v2 container does one of each operation and one refused MAP with
 * the vfio_spapr_tce events enabled through tracefs; every event must be
 * there, once, with the fields of the call that made it, and with the
 * same container number.  The refused MAP must also be explained in the
 * kernel log once dynamic debug is on for the module, and not before.
 * The in-tree backend has neither (selftests/expectations/divergences.txt).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

#define TRACEFS		"/sys/kernel/tracing"
#define EVENTS		TRACEFS "/events/vfio_spapr_tce"
#define DYNDBG		"/proc/dynamic_debug/control"
#define TRACE_MAX	(256 * 1024)
#define LOG_MAX		(1024 * 1024)
#define WIN_SHIFT	16
#define WIN_SIZE	(1ULL << 30)

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The whole of @path, NUL-terminated, in a malloc'ed buffer. */
static char *read_file(const char *path, size_t max)
{
	char *buf = calloc(1, max + 1);
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += n;
	close(fd);
	return buf;
}

/* Number of lines of @text that contain every one of the @n strings. */
static int lines_with(const char *text, int n, const char *const *want)
{
	const char *line = text, *end;
	int count = 0, i;

	for (; *line; line = *end ? end + 1 : end) {
		char *copy;

		end = strchrnul(line, '\n');
		copy = strndup(line, end - line);
		for (i = 0; i < n && strstr(copy, want[i]); i++)
			;
		if (i == n)
			count++;
		free(copy);
	}
	return count;
}

#define COUNT(text, ...) \
	lines_with(text, sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *), \
		   (const char *[]){ __VA_ARGS__ })

static bool have_events(void)
{
	struct stat st;

	if (stat(TRACEFS "/trace", &st))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	return !stat(EVENTS, &st);
}

FIXTURE(trace) {
	struct spapr_ctx c;
	struct dma_region r;
	int group_id;		/* N of the test group's /dev/vfio/N */
	char id[32];		/* "container=N " */
};

FIXTURE_SETUP(trace)
{
	const char *step;
	int ret;

	if (!have_events()) {
		if (driver_is_intree())
			SKIP(return, "the in-tree backend has no tracepoints");
		ASSERT_TRUE(false) TH_LOG("no %s: the module's tracepoints are missing",
					  EVENTS);
	}
	ASSERT_EQ(0, write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, write_file(EVENTS "/enable", "1"));
	ASSERT_EQ(0, write_file(TRACEFS "/tracing_on", "1"));
	ret = ctx_open(&self->c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * host_page_size(), false));
	self->group_id = atoi(strrchr(env_group(), '/') + 1);
}

FIXTURE_TEARDOWN(trace)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
	write_file(EVENTS "/enable", "0");
	write_file(DYNDBG, "module vfio_spapr_tce -p");
}

/* The trace so far, with the events turned off. */
static char *trace_text(struct __test_metadata *_metadata)
{
	char *t;

	EXPECT_EQ(0, write_file(EVENTS "/enable", "0"));
	t = read_file(TRACEFS "/trace", TRACE_MAX);
	if (!t)
		ASSERT_TRUE(false) TH_LOG("cannot read %s/trace", TRACEFS);
	return t;
}

/* "container=N " of the attach that ctx_open() made. */
static void container_id(struct __test_metadata *_metadata, const char *t,
			 char id[32])
{
	const char *p = strstr(t, "stv_attach: container=");
	unsigned int n;

	ASSERT_NE(NULL, p) TH_LOG("no stv_attach event:\n%s", t);
	ASSERT_EQ(1, sscanf(p, "stv_attach: container=%u", &n));
	snprintf(id, 32, "container=%u ", n);
}

TEST_F(trace, every_operation_one_event_with_its_fields)
{
	uint64_t va = (uintptr_t)self->r.va, size = self->r.size;
	uint64_t iova = self->c.win32_start + 0x10000, start = 0;
	char reg[96], map[128], win[128], rm[64], grp[32];
	const char *id = self->id;
	char *t;

	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, size));
	ASSERT_EQ(0, vfio_map(self->c.container, self->r.va, iova, 4096,
			      MAP_RW));
	ASSERT_EQ(0, vfio_unmap(self->c.container, iova, 4096));
	ASSERT_EQ(0, vfio_create_window(self->c.container, WIN_SHIFT, WIN_SIZE,
					1, &start));
	ASSERT_EQ(0, vfio_remove_window(self->c.container, start));
	/* Refused: the user address is not on a 4K boundary. */
	ASSERT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va + 8, iova,
				    4096, MAP_RW));
	ASSERT_EQ(0, vfio_unregister(self->c.container, self->r.va, size));
	t = trace_text(_metadata);
	container_id(_metadata, t, self->id);

	snprintf(grp, sizeof(grp), "group=%d ret=0", self->group_id);
	EXPECT_EQ(1, COUNT(t, "stv_attach: ", id, grp)) TH_LOG("%s", t);
	snprintf(reg, sizeof(reg), "ua=0x%llx size=0x%llx ret=0",
		 (unsigned long long)va, (unsigned long long)size);
	EXPECT_EQ(1, COUNT(t, "stv_register: ", id, reg)) TH_LOG("%s", t);
	EXPECT_EQ(1, COUNT(t, "stv_unregister: ", id, reg)) TH_LOG("%s", t);
	snprintf(map, sizeof(map),
		 "iova=0x%llx size=0x1000 flags=0x3 entries=1 ret=0",
		 (unsigned long long)iova);
	EXPECT_EQ(1, COUNT(t, "stv_map: ", id, map)) TH_LOG("%s", t);
	snprintf(map, sizeof(map), "iova=0x%llx size=0x1000 flags=0x0 entries=1 ret=0",
		 (unsigned long long)iova);
	EXPECT_EQ(1, COUNT(t, "stv_unmap: ", id, map)) TH_LOG("%s", t);
	/* The default window, made by the first MAP, and the 64K one. */
	snprintf(win, sizeof(win), "page_shift=12 size=0x%llx levels=1 start=0x%llx ret=0",
		 (unsigned long long)self->c.win32_size,
		 (unsigned long long)self->c.win32_start);
	EXPECT_EQ(1, COUNT(t, "stv_window_create: ", id, win)) TH_LOG("%s", t);
	snprintf(win, sizeof(win), "page_shift=16 size=0x%llx levels=1 start=0x%llx ret=0",
		 WIN_SIZE, (unsigned long long)start);
	EXPECT_EQ(1, COUNT(t, "stv_window_create: ", id, win)) TH_LOG("%s", t);
	snprintf(rm, sizeof(rm), "start=0x%llx ret=0", (unsigned long long)start);
	EXPECT_EQ(1, COUNT(t, "stv_window_remove: ", id, rm)) TH_LOG("%s", t);
	EXPECT_EQ(1, COUNT(t, "stv_map: ", id, "entries=0 ret=-22"));
	EXPECT_EQ(1, COUNT(t, "stv_refuse: ", id, "op=MAP_DMA",
			   "check=\"vaddr not aligned to the window's IOMMU page\"",
			   "ret=-22")) TH_LOG("%s", t);
	/* Exactly those refusals, map and unmap events: no more. */
	EXPECT_EQ(1, COUNT(t, "stv_refuse: ")) TH_LOG("%s", t);
	EXPECT_EQ(2, COUNT(t, "stv_map: ")) TH_LOG("%s", t);
	EXPECT_EQ(1, COUNT(t, "stv_unmap: ")) TH_LOG("%s", t);
	free(t);
}

TEST_F(trace, detach_traced_when_the_group_goes)
{
	char grp[32];
	char *t;

	close(self->c.group);
	self->c.group = -1;
	t = trace_text(_metadata);
	container_id(_metadata, t, self->id);
	snprintf(grp, sizeof(grp), "group=%d", self->group_id);
	EXPECT_EQ(1, COUNT(t, "stv_detach: ", self->id, grp)) TH_LOG("%s", t);
	free(t);
}

/* Kernel log lines of the module that name @what. */
static int log_lines(const char *what)
{
	char *buf = calloc(1, LOG_MAX);
	int n, count;

	if (!buf)
		return -1;
	n = klogctl(3, buf, LOG_MAX - 1);	/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	count = COUNT(buf, "vfio_spapr_tce: ", what);
	free(buf);
	return count;
}

TEST_F(trace, refusal_explained_by_dynamic_debug_only_when_asked)
{
	const char *why = "MAP_DMA: vaddr not aligned to the window's IOMMU page (-22)";
	uint64_t iova = self->c.win32_start;
	int before = log_lines(why);

	if (access(DYNDBG, W_OK))
		SKIP(return, "kernel without CONFIG_DYNAMIC_DEBUG (%s)", DYNDBG);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, vfio_register(self->c.container, self->r.va, self->r.size));
	ASSERT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va + 8, iova,
				    4096, MAP_RW));
	EXPECT_EQ(before, log_lines(why)) TH_LOG("logged without dynamic debug");

	ASSERT_EQ(0, write_file(DYNDBG, "module vfio_spapr_tce +p"));
	ASSERT_EQ(-EINVAL, vfio_map(self->c.container, self->r.va + 8, iova,
				    4096, MAP_RW));
	EXPECT_EQ(before + 1, log_lines(why));
	ASSERT_EQ(0, write_file(DYNDBG, "module vfio_spapr_tce -p"));
	EXPECT_EQ(0, vfio_unregister(self->c.container, self->r.va,
				     self->r.size));
}

SPAPR_HARNESS_MAIN
