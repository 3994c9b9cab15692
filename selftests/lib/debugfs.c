// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfs.h"

#define STATS_PATH "/sys/kernel/debug/vfio_spapr_tce/stats"

int modstats_read(struct modstats *s)
{
	char name[32];
	long val;
	int seen = 0;
	FILE *f = fopen(STATS_PATH, "r");

	if (!f)
		return -errno;
	memset(s, 0, sizeof(*s));
	while (fscanf(f, "%31s %ld", name, &val) == 2) {
		seen++;
		if (!strcmp(name, "containers"))
			s->containers = val;
		else if (!strcmp(name, "tables"))
			s->tables = val;
		else if (!strcmp(name, "pinned_pages"))
			s->pinned_pages = val;
		else if (!strcmp(name, "orphan_regions"))
			s->orphan_regions = val;
		else
			seen--;
	}
	fclose(f);
	return seen == 4 ? 0 : -EPROTO;
}

int modstats_differ(const struct modstats *a, const struct modstats *b)
{
	return a->containers != b->containers || a->tables != b->tables ||
	       a->pinned_pages != b->pinned_pages ||
	       a->orphan_regions != b->orphan_regions;
}

#define DBG "/sys/kernel/debug/"

/*
 * The fail-nth file stays open: opening it allocates a struct file, which
 * would itself count as an allocation once armed.
 */
static int nth_fd = -1;

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

bool faultinj_setup(void)
{
	static const char *const knobs[][2] = {
		{ DBG "failslab/ignore-gfp-wait", "N" },
		{ DBG "failslab/verbose", "0" },
		{ DBG "fail_page_alloc/ignore-gfp-wait", "N" },
		{ DBG "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DBG "fail_page_alloc/min-order", "0" },
		{ DBG "fail_page_alloc/verbose", "0" },
	};
	unsigned int i;

	if (nth_fd < 0)
		nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		return false;
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (write_str(knobs[i][0], knobs[i][1]))
			return false;
	return true;
}


int faultinj_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (nth_fd < 0)
		return -EBADF;
	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

bool faultinj_disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	/* Left at 0 once the Nth allocation was failed. */
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		return false;
	return n > 0 && atoi(buf) == 0;
}
