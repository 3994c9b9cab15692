/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-aligned anonymous (optionally hugetlb-backed) memory for DMA, with
 * a poison pattern to prove that a device did, or did not, write to it.
 */
#ifndef SPAPR_DMA_REGION_H
#define SPAPR_DMA_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dma_region {
	uint8_t *va;
	size_t size;
	bool huge;
};

/*
 * Allocate @size bytes (rounded up to the page or huge page size), touched
 * so the pages exist.  Returns 0 or -errno (-EOPNOTSUPP: no hugetlb).
 */
int dma_region_alloc(struct dma_region *r, size_t size, bool huge);
/*
 * The same, not hugetlb, but shared anonymous memory (shmem), which
 * mremap() with an old size of 0 can map a second time at another address.
 */
int dma_region_alloc_shared(struct dma_region *r, size_t size);
/*
 * One hugetlb page, then @small bytes of small pages right after it, as
 * one range (r->va at the hugetlb page, r->size both).  Registered as one
 * region, the platform's record of its page size counts the small pages
 * at the hugetlb size (uapi.rst, deliberate difference 25).  0 or -errno
 * (-EOPNOTSUPP: no hugetlb).
 */
int dma_region_alloc_huge_then_small(struct dma_region *r, size_t small);
void dma_region_free(struct dma_region *r);

void dma_region_poison(struct dma_region *r, uint8_t pattern);
/* Number of bytes in [off, off+len) that differ from @pattern. */
size_t dma_region_diff(const struct dma_region *r, size_t off, size_t len,
		       uint8_t pattern);

/*
 * The default hugetlb page size, making sure at least @count free pages
 * exist (grows vm.nr_hugepages if needed).  0 when hugetlb is unusable.
 */
size_t hugetlb_prepare(unsigned int count);
/* The default hugetlb page size, 0 if unknown. */
size_t hugetlb_page_size(void);

#endif
