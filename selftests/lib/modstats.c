// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modstats.h"

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
