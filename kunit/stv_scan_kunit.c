// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: userspace-view scanning and invalidation runs of spapr-tce-vfio
 * (drivers/vfio/stv_scan.c).
 */
#include <kunit/test.h>

#include "stv.h"

#define N 77	/* two steps of 32, one of 8, and a tail of 5 */

static void stv_scan_empty(struct kunit *test)
{
	__be64 v[N] = { 0 };

	KUNIT_EXPECT_EQ(test, stv_next_used(v, 0, N), (unsigned long)N);
	KUNIT_EXPECT_EQ(test, stv_next_used(v, 5, N), (unsigned long)N);
	KUNIT_EXPECT_EQ(test, stv_next_used(v, N, N), (unsigned long)N);
}

/* Every position is found, from every start at or before it. */
static void stv_scan_each_position(struct kunit *test)
{
	__be64 v[N] = { 0 };
	unsigned long pos, from;

	for (pos = 0; pos < N; pos++) {
		v[pos] = cpu_to_be64(0x7fff0000ULL + (pos << 12));
		for (from = 0; from <= pos; from++)
			KUNIT_EXPECT_EQ(test, stv_next_used(v, from, N), pos);
		KUNIT_EXPECT_EQ(test, stv_next_used(v, pos + 1, N), (unsigned long)N);
		v[pos] = 0;
	}
}

static void stv_scan_walks_all(struct kunit *test)
{
	static const unsigned long used[] = { 3, 8, 9, 16, 31, 36, 63, 64, 70, 76 };
	__be64 v[N] = { 0 };
	unsigned long i, k = 0;

	for (i = 0; i < ARRAY_SIZE(used); i++)
		v[used[i]] = cpu_to_be64(1ULL << 40);
	for (i = stv_next_used(v, 0, N); i < N; i = stv_next_used(v, i + 1, N)) {
		KUNIT_ASSERT_LT(test, k, ARRAY_SIZE(used));
		KUNIT_EXPECT_EQ(test, i, used[k]);
		k++;
	}
	KUNIT_EXPECT_EQ(test, k, ARRAY_SIZE(used));
}

static void stv_run_grows_and_breaks(struct kunit *test)
{
	struct stv_run run = { 0, 0 };

	KUNIT_EXPECT_TRUE(test, stv_run_extend(&run, 100));
	KUNIT_EXPECT_TRUE(test, stv_run_extend(&run, 101));
	KUNIT_EXPECT_TRUE(test, stv_run_extend(&run, 102));
	KUNIT_EXPECT_EQ(test, run.start, 100UL);
	KUNIT_EXPECT_EQ(test, run.len, 3UL);
	/* A gap, or going backwards, ends the run and leaves it intact. */
	KUNIT_EXPECT_FALSE(test, stv_run_extend(&run, 104));
	KUNIT_EXPECT_FALSE(test, stv_run_extend(&run, 99));
	KUNIT_EXPECT_EQ(test, run.start, 100UL);
	KUNIT_EXPECT_EQ(test, run.len, 3UL);
}

static struct kunit_case stv_scan_cases[] = {
	KUNIT_CASE(stv_scan_empty),
	KUNIT_CASE(stv_scan_each_position),
	KUNIT_CASE(stv_scan_walks_all),
	KUNIT_CASE(stv_run_grows_and_breaks),
	{}
};

static struct kunit_suite stv_scan_suite = {
	.name = "vfio_spapr_tce_scan",
	.test_cases = stv_scan_cases,
};

kunit_test_suite(stv_scan_suite);
