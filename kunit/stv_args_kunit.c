// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: argument checks of spapr-tce-vfio (drivers/vfio/stv_args.h and
 * stv_args.c).
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "stv.h"

static void stv_dir_valid(struct kunit *test)
{
	enum dma_data_direction dir = DMA_NONE;

	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(VFIO_DMA_MAP_FLAG_READ, &dir), 0);
	KUNIT_EXPECT_EQ(test, dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(VFIO_DMA_MAP_FLAG_WRITE, &dir), 0);
	KUNIT_EXPECT_EQ(test, dir, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(VFIO_DMA_MAP_FLAG_READ |
						 VFIO_DMA_MAP_FLAG_WRITE, &dir), 0);
	KUNIT_EXPECT_EQ(test, dir, DMA_BIDIRECTIONAL);
}

static void stv_dir_invalid(struct kunit *test)
{
	enum dma_data_direction dir = DMA_NONE;

	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(0, &dir), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(BIT(2), &dir), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_dir_from_flags(VFIO_DMA_MAP_FLAG_READ | BIT(31),
						 &dir), -EINVAL);
	/* A failed call leaves the output alone. */
	KUNIT_EXPECT_EQ(test, dir, DMA_NONE);
}

/* A 4K-page window of 0x1000 entries starting at entry 0x100. */
#define W_SHIFT		12
#define W_OFF		0x100UL
#define W_SIZE		0x1000UL
#define W_START		(W_OFF << W_SHIFT)
#define W_END		((W_OFF + W_SIZE) << W_SHIFT)

static void stv_range_inside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_START, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_START,
					      W_END - W_START), 0);
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_END - SZ_4K,
					      SZ_4K), 0);
	/* An empty range at the very end is still inside. */
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_END, 0), 0);
}

static void stv_range_outside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_START - SZ_4K,
					      SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_END, SZ_4K),
			-EINVAL);
	/* Starts inside, ends one page past the end. */
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_END - SZ_4K,
					      2 * SZ_4K), -EINVAL);
}

static void stv_range_alignment_and_overflow(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_START + 1,
					      SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, W_OFF, W_SIZE, W_START,
					      SZ_4K + 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_range(W_SHIFT, 0, ULONG_MAX >> W_SHIFT,
					      U64_MAX & ~0xfffULL, SZ_8K), -EINVAL);
	/* 64K pages: 4K alignment is not enough. */
	KUNIT_EXPECT_EQ(test, stv_check_range(16, 0, 16, SZ_4K, SZ_64K), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_range(16, 0, 16, SZ_64K, SZ_64K), 0);
}

static void stv_map_request(struct kunit *test)
{
	const u32 rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	enum dma_data_direction dir = DMA_NONE;
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, stv_check_map(W_SHIFT, W_OFF, W_SIZE, SZ_1M,
					    W_START, SZ_8K, rw, &dir, &why), 0);
	KUNIT_EXPECT_EQ(test, dir, DMA_BIDIRECTIONAL);
	/* No access asked for. */
	KUNIT_EXPECT_EQ(test, stv_check_map(W_SHIFT, W_OFF, W_SIZE, SZ_1M,
					    W_START, SZ_8K, 0, &dir, &why), -EINVAL);
	/* The user address off the window's page. */
	KUNIT_EXPECT_EQ(test, stv_check_map(W_SHIFT, W_OFF, W_SIZE, SZ_1M + 8,
					    W_START, SZ_8K, rw, &dir, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_map(16, 0, 16, SZ_4K, 0, SZ_64K, rw,
					    &dir, &why), -EINVAL);
	/* The user range wraps. */
	KUNIT_EXPECT_EQ(test, stv_check_map(W_SHIFT, W_OFF, W_SIZE,
					    U64_MAX & ~0xfffULL, W_START, SZ_8K,
					    rw, &dir, &why), -EINVAL);
	/* The IOVA range leaves the window. */
	KUNIT_EXPECT_EQ(test, stv_check_map(W_SHIFT, W_OFF, W_SIZE, SZ_1M,
					    W_END - SZ_4K, SZ_8K, rw, &dir, &why),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, why, STV_WHY_RANGE);
}

static void stv_window_args(struct kunit *test)
{
	const u64 pgsizes = SZ_4K | SZ_64K | SZ_16M;

	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 16, SZ_1G, 1), 0);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 24, SZ_1G, 5), 0);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 21, SZ_1G, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 64, SZ_1G, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 16, SZ_1G, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 1, 16, SZ_1G, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 24, SZ_4K, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_window_args(pgsizes, 5, 16, 0, 1), -EINVAL);
}

static void stv_user_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_check_user_range(SZ_64K, SZ_64K, SZ_64K), 0);
	/* 68K: 4K aligned, not 64K aligned. */
	KUNIT_EXPECT_EQ(test, stv_check_user_range(17 * SZ_4K, SZ_64K, SZ_64K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_user_range(SZ_64K, SZ_4K, SZ_64K), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_user_range(SZ_64K, 0, SZ_64K), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_check_user_range(U64_MAX - SZ_64K + 1, 2 * SZ_64K,
						   SZ_64K), -EINVAL);
}

static struct kunit_case stv_args_cases[] = {
	KUNIT_CASE(stv_dir_valid),
	KUNIT_CASE(stv_dir_invalid),
	KUNIT_CASE(stv_range_inside),
	KUNIT_CASE(stv_range_outside),
	KUNIT_CASE(stv_range_alignment_and_overflow),
	KUNIT_CASE(stv_map_request),
	KUNIT_CASE(stv_window_args),
	KUNIT_CASE(stv_user_range),
	{}
};

static struct kunit_suite stv_args_suite = {
	.name = "vfio_spapr_tce_args",
	.test_cases = stv_args_cases,
};

kunit_test_suite(stv_args_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for spapr-tce-vfio");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
