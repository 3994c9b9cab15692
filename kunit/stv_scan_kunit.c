// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: userspace-view scanning and invalidation runs of spapr-tce-vfio
 * (drivers/vfio/stv_scan.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/cpu_has_feature.h>

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

/*
 * Long views, for the vector loop (stv_scan_vmx.S): more than its 512
 * steps of 32 with preemption off, also after the scalar loop's first
 * 256 entries, and a tail of fewer than 32.  From kmalloc(), which
 * aligns an allocation this large to a page.
 */
#define LONG_N	(256 + 512 * 32 + 200 + 7)

/*
 * The positions a long test puts a used entry at: each one near the
 * start (every place in a step, the scalar loop's end), near the end of
 * a vector round from 0 or from 256, and near the end; every 61st
 * between, to keep the test short under KASAN.
 */
static unsigned long stv_long_next(unsigned long pos)
{
	if (pos < 1100 || pos - (512 * 32 - 100) < 200 ||
	    pos - (256 + 512 * 32 - 100) < 200 || pos + 300 >= LONG_N)
		return pos + 1;
	return pos + 61;
}

static __be64 *stv_long_view(struct kunit *test)
{
	__be64 *v = kunit_kzalloc(test, LONG_N * sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_TRUE(test, IS_ALIGNED((unsigned long)v, 16));
	return v;
}

static void stv_skip_vmx_or_skip(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_ALTIVEC) || !cpu_has_feature(CPU_FTR_ALTIVEC))
		kunit_skip(test, "no vector unit");
}

/*
 * The vector loop stops at the step of the used entry, wherever in the
 * step's sixteen loads the entry lies, with its first, its last or a
 * middle byte set; it runs to the last whole step of an empty view, past
 * its first round.
 */
static void stv_skip_vmx_stops_at_step(struct kunit *test)
{
	static const u64 values[] = { 1, 1ULL << 63, 0x100 };
	__be64 *v = stv_long_view(test);
	unsigned long pos, k, want, whole = LONG_N / 32 * 32;

	stv_skip_vmx_or_skip(test);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v, 0, LONG_N), whole);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v, 64, LONG_N), whole);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v, 32, 32 + 64), 32UL + 64);
	/* Fewer than 32 left: nothing to do. */
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v, whole, LONG_N), whole);
	/* Asserted, so that a broken loop reports its first position only. */
	for (pos = 0; pos < LONG_N; pos = stv_long_next(pos)) {
		want = min(pos / 32 * 32, whole);
		for (k = 0; k < ARRAY_SIZE(values); k++) {
			v[pos] = cpu_to_be64(values[k]);
			KUNIT_ASSERT_EQ_MSG(test, stv_skip_empty_vmx(v, 0, LONG_N),
					    want, "entry %lu = %#llx", pos,
					    values[k]);
		}
		/* Starting at the next step, it is not seen. */
		if (pos < whole)
			KUNIT_ASSERT_EQ_MSG(test,
					    stv_skip_empty_vmx(v, want + 32, LONG_N),
					    whole, "entry %lu", pos);
		v[pos] = 0;
	}
}

/* Not 16-byte aligned at the start: left to the scalar loop. */
static void stv_skip_vmx_refuses_misaligned(struct kunit *test)
{
	__be64 *v = stv_long_view(test);

	stv_skip_vmx_or_skip(test);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v, 1, LONG_N), 1UL);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v + 1, 0, LONG_N - 1), 0UL);
	KUNIT_EXPECT_EQ(test, stv_skip_empty_vmx(v + 1, 1, LONG_N - 1),
			(LONG_N - 2) / 32 * 32 + 1);
}

/*
 * The whole scan over a long view, aligned and not: every used entry is
 * found from the start and from a little before it (where the scalar
 * loop takes it all), and nothing is found past it.
 */
static void stv_scan_long_each_position(struct kunit *test)
{
	__be64 *base = stv_long_view(test);
	unsigned long pos, shift, n;
	__be64 *v;

	for (shift = 0; shift < 2; shift++) {
		v = base + shift;
		n = LONG_N - shift;
		KUNIT_EXPECT_EQ(test, stv_next_used(v, 0, n), n);
		for (pos = 0; pos < n; pos = stv_long_next(pos)) {
			v[pos] = cpu_to_be64(0x7fff0000ULL + (pos << 12));
			KUNIT_ASSERT_EQ_MSG(test, stv_next_used(v, 0, n), pos,
					    "shift %lu", shift);
			KUNIT_ASSERT_EQ_MSG(test, stv_next_used(v, pos / 2, n),
					    pos, "shift %lu", shift);
			KUNIT_ASSERT_EQ_MSG(test,
					    stv_next_used(v, pos - pos % 97, n),
					    pos, "shift %lu", shift);
			KUNIT_ASSERT_EQ_MSG(test, stv_next_used(v, pos + 1, n),
					    n, "entry %lu, shift %lu", pos, shift);
			v[pos] = 0;
		}
	}
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
	KUNIT_CASE(stv_skip_vmx_stops_at_step),
	KUNIT_CASE(stv_skip_vmx_refuses_misaligned),
	KUNIT_CASE(stv_scan_long_each_position),
	KUNIT_CASE(stv_run_grows_and_breaks),
	{}
};

static struct kunit_suite stv_scan_suite = {
	.name = "vfio_spapr_tce_scan",
	.test_cases = stv_scan_cases,
};

kunit_test_suite(stv_scan_suite);
