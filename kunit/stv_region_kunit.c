// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the inline region helpers of stv_compat.h against the platform's
 * exported functions whose work they do.  Each case builds regions with
 * the module's mirror of struct mm_iommu_table_group_mem_t and asks both:
 * a field out of place in the mirror, or a helper that decides otherwise
 * than the platform, gives a different answer.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/mmu_context.h>

#include "stv.h"

#define STV_TEST_REGION_PAGES	8
#define STV_TEST_UA		0x7fff00000000UL
#define STV_TEST_HPA_UNSET	0x5a5a5a5a5a5a5a5aUL

/* Both answers for one address and IOMMU page size must be the same. */
static void stv_region_expect_same(struct kunit *test,
				   struct mm_iommu_table_group_mem_t *mem,
				   unsigned long ua, unsigned int shift)
{
	unsigned long theirs = STV_TEST_HPA_UNSET, ours = STV_TEST_HPA_UNSET;
	long want = mm_iommu_ua_to_hpa(mem, ua, shift, &theirs);
	long got = stv_region_ua_to_hpa(mem, ua, shift, &ours);

	KUNIT_EXPECT_EQ_MSG(test, got, want, "ua %#lx shift %u", ua, shift);
	KUNIT_EXPECT_EQ_MSG(test, ours, theirs, "ua %#lx shift %u", ua, shift);
}

/* The user addresses worth asking about in a region of @size bytes. */
static void stv_region_probe(struct kunit *test,
			     struct mm_iommu_table_group_mem_t *mem,
			     unsigned long size)
{
	static const unsigned int shifts[] = { 12, 16, 21, 24, 30 };
	const unsigned long ua = mem->ua;
	unsigned long off, i;

	for (i = 0; i < ARRAY_SIZE(shifts); i++) {
		for (off = 0; off < size; off += PAGE_SIZE) {
			stv_region_expect_same(test, mem, ua + off, shifts[i]);
			stv_region_expect_same(test, mem, ua + off + 8, shifts[i]);
			stv_region_expect_same(test, mem,
					       ua + off + PAGE_SIZE - 1,
					       shifts[i]);
		}
		stv_region_expect_same(test, mem, ua + size, shifts[i]);
		stv_region_expect_same(test, mem, ua - 1, shifts[i]);
		stv_region_expect_same(test, mem, ua - PAGE_SIZE, shifts[i]);
		stv_region_expect_same(test, mem, 0, shifts[i]);
		stv_region_expect_same(test, mem, ULONG_MAX, shifts[i]);
	}
}

/* Pinned pages, some marked dirty, as mm_iommu_new() records them. */
static void stv_region_pages_translate_alike(struct kunit *test)
{
	struct mm_iommu_table_group_mem_t mem = {
		.ua = STV_TEST_UA,
		.entries = STV_TEST_REGION_PAGES,
		.pageshift = PAGE_SHIFT,
	};
	unsigned long i, hpa = 0;

	mem.hpas = kunit_kcalloc(test, STV_TEST_REGION_PAGES,
				 sizeof(*mem.hpas), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem.hpas);
	for (i = 0; i < STV_TEST_REGION_PAGES; i++)
		mem.hpas[i] = ((0x40000UL + 7 * i) << PAGE_SHIFT) | (i & 1);
	/* Page 3 is marked dirty: its address, flag masked, plus offset. */
	KUNIT_EXPECT_EQ(test, 0L,
			stv_region_ua_to_hpa(&mem, STV_TEST_UA + 3 * PAGE_SIZE + 8,
					     PAGE_SHIFT, &hpa));
	KUNIT_EXPECT_EQ(test, hpa, ((0x40000UL + 21) << PAGE_SHIFT) + 8);
	stv_region_probe(test, &mem, STV_TEST_REGION_PAGES * PAGE_SIZE);
	/* A region of huge pages accepts larger IOMMU pages. */
	mem.pageshift = 24;
	stv_region_probe(test, &mem, STV_TEST_REGION_PAGES * PAGE_SIZE);
}

/* Device memory, as mm_iommu_newdev() records it: no page array. */
static void stv_region_device_memory_translates_alike(struct kunit *test)
{
	struct mm_iommu_table_group_mem_t mem = {
		.ua = STV_TEST_UA,
		.entries = STV_TEST_REGION_PAGES,
		.pageshift = 21,
		.dev_hpa = 0x2000000000UL,
	};
	unsigned long hpa = 0;

	/* Contiguous: the base plus the offset into the region. */
	KUNIT_EXPECT_EQ(test, 0L,
			stv_region_ua_to_hpa(&mem, STV_TEST_UA + 5 * PAGE_SIZE + 8,
					     12, &hpa));
	KUNIT_EXPECT_EQ(test, hpa, 0x2000000000UL + 5 * PAGE_SIZE + 8);
	stv_region_probe(test, &mem, STV_TEST_REGION_PAGES * PAGE_SIZE);
}

/* A count taken, from each value that matters, both ways. */
static void stv_region_counts_taken_alike(struct kunit *test)
{
	static const s64 counts[] = { 0, 1, 2, 3, 1000 };
	struct mm_iommu_table_group_mem_t theirs = {}, ours = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		atomic64_set(&theirs.mapped, counts[i]);
		atomic64_set(&ours.mapped, counts[i]);
		KUNIT_EXPECT_EQ_MSG(test, stv_region_mapped_inc(&ours),
				    mm_iommu_mapped_inc(&theirs),
				    "inc from %lld", counts[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&ours.mapped),
				    atomic64_read(&theirs.mapped),
				    "inc from %lld", counts[i]);
	}
}

/*
 * @n counts dropped at once leave what @n of the platform's drops leave
 * (1 of them: the map's undo path).
 */
static void stv_region_counts_dropped_together(struct kunit *test)
{
	static const s64 counts[] = { -2, 0, 1, 2, 3, 6, 1000 };
	static const s64 drops[] = { 1, 2, 5, 512 };
	struct mm_iommu_table_group_mem_t theirs = {}, ours = {};
	unsigned int i, j;
	s64 k;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		for (j = 0; j < ARRAY_SIZE(drops); j++) {
			atomic64_set(&theirs.mapped, counts[i]);
			atomic64_set(&ours.mapped, counts[i]);
			for (k = 0; k < drops[j]; k++)
				mm_iommu_mapped_dec(&theirs);
			stv_region_mapped_sub(&ours, drops[j]);
			KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&ours.mapped),
					    atomic64_read(&theirs.mapped),
					    "%lld less from %lld", drops[j],
					    counts[i]);
		}
	}
}

static struct kunit_case stv_region_cases[] = {
	KUNIT_CASE(stv_region_pages_translate_alike),
	KUNIT_CASE(stv_region_device_memory_translates_alike),
	KUNIT_CASE(stv_region_counts_taken_alike),
	KUNIT_CASE(stv_region_counts_dropped_together),
	{}
};

static struct kunit_suite stv_region_suite = {
	.name = "vfio_spapr_tce_region",
	.test_cases = stv_region_cases,
};

kunit_test_suite(stv_region_suite);
