// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "dma_region.h"
#include "env.h"

static long meminfo_value(const char *key)
{
	char line[256];
	long v = -1;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			if (sscanf(line + klen + 1, "%ld", &v) != 1)
				v = -1;
			break;
		}
	}
	fclose(f);
	return v;
}

size_t hugetlb_page_size(void)
{
	long kb = meminfo_value("Hugepagesize");

	return kb > 0 ? (size_t)kb * 1024 : 0;
}

size_t hugetlb_prepare(unsigned int count)
{
	long kb = meminfo_value("Hugepagesize");
	long total = meminfo_value("HugePages_Total");
	long nfree = meminfo_value("HugePages_Free");
	FILE *f;

	if (kb <= 0 || total < 0 || nfree < 0)
		return 0;
	if (nfree < (long)count) {
		f = fopen("/proc/sys/vm/nr_hugepages", "w");
		if (!f)
			return 0;
		fprintf(f, "%ld\n", total + (long)count - nfree);
		fclose(f);
		if (meminfo_value("HugePages_Free") < (long)count)
			return 0;
	}
	return (size_t)kb * 1024;
}

static int region_map(struct dma_region *r, size_t size, bool huge,
		      int flags)
{
	size_t unit = host_page_size();
	void *va;

	memset(r, 0, sizeof(*r));
	if (huge) {
		unit = hugetlb_page_size();
		if (!unit || !hugetlb_prepare((size + unit - 1) / unit))
			return -EOPNOTSUPP;
		flags |= MAP_HUGETLB;
	}
	size = (size + unit - 1) / unit * unit;
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (va == MAP_FAILED)
		return huge ? -EOPNOTSUPP : -errno;
	memset(va, 0, size);
	r->va = va;
	r->size = size;
	r->huge = huge;
	return 0;
}

int dma_region_alloc(struct dma_region *r, size_t size, bool huge)
{
	return region_map(r, size, huge, MAP_PRIVATE | MAP_ANONYMOUS);
}

int dma_region_alloc_shared(struct dma_region *r, size_t size)
{
	return region_map(r, size, false, MAP_SHARED | MAP_ANONYMOUS);
}

int dma_region_alloc_huge_then_small(struct dma_region *r, size_t small)
{
	size_t huge = hugetlb_prepare(1), span;
	uint8_t *resv, *base, *end;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (!huge)
		return -EOPNOTSUPP;
	small = (small + host_page_size() - 1) / host_page_size() *
		host_page_size();
	/* Room to align the hugetlb page, then the two mappings in it. */
	span = 2 * huge + small;
	resv = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (resv == MAP_FAILED)
		return -errno;
	base = (uint8_t *)(((uintptr_t)resv + huge - 1) & ~(uintptr_t)(huge - 1));
	end = base + huge + small;
	if (mmap(base, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED, -1, 0) != base)
		ret = -EOPNOTSUPP;
	else if (mmap(base + huge, small, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		      MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base + huge)
		ret = -errno;
	if (ret) {
		munmap(resv, span);
		return ret;
	}
	/* Give back the reservation around the two. */
	if (base > resv)
		munmap(resv, base - resv);
	if (resv + span > end)
		munmap(end, resv + span - end);
	memset(base, 0, huge + small);
	r->va = base;
	r->size = huge + small;
	return 0;
}

void dma_region_free(struct dma_region *r)
{
	if (r->va)
		munmap(r->va, r->size);
	r->va = NULL;
	r->size = 0;
}

void dma_region_poison(struct dma_region *r, uint8_t pattern)
{
	memset(r->va, pattern, r->size);
	__sync_synchronize();
}

size_t dma_region_diff(const struct dma_region *r, size_t off, size_t len,
		       uint8_t pattern)
{
	const volatile uint8_t *p = r->va + off;
	size_t i, n = 0;

	__sync_synchronize();
	for (i = 0; i < len && off + i < r->size; i++)
		if (p[i] != pattern)
			n++;
	return n;
}
