// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the record of v1 pins of spapr-tce-vfio (drivers/vfio/stv_pins.c,
 * and stv_pins_swap() in stv.h).
 * The record stores page pointers and never dereferences them, so these
 * tests use made-up ones.
 */
#include <kunit/test.h>
#include <linux/mm.h>

#include "stv.h"

#define PER	STV_PINS_PER_CHUNK
#define SIZE	(5 * PER + 3)	/* a window whose last chunk is partial */

static struct page *fake(unsigned long i)
{
	return (struct page *)(0x10000UL + i * 64);
}

static void stv_pins_empty(struct kunit *test)
{
	struct stv_pins p = { 0 };

	KUNIT_EXPECT_EQ(test, stv_pins_next(&p, 0, SIZE), SIZE);
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, 7, NULL), NULL);
	KUNIT_EXPECT_EQ(test, stv_pins_reserve(&p, SIZE, 9, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, p.dir, NULL);
	KUNIT_EXPECT_EQ(test, stv_pins_destroy(&p), 0UL);
}

/* Pins in several chunks are found in order; unreserved chunks skip. */
static void stv_pins_record_and_walk(struct kunit *test)
{
	const unsigned long at[] = { 0, 1, PER - 1, 3 * PER, SIZE - 1 };
	struct stv_pins p = { 0 };
	unsigned long i, k = 0;

	KUNIT_ASSERT_EQ(test, stv_pins_reserve(&p, SIZE, 0, PER + 1), 0);
	KUNIT_ASSERT_EQ(test, stv_pins_reserve(&p, SIZE, 3 * PER, 1), 0);
	KUNIT_ASSERT_EQ(test, stv_pins_reserve(&p, SIZE, SIZE - 1, 1), 0);
	KUNIT_EXPECT_EQ(test, p.nchunks, 6UL);
	KUNIT_EXPECT_PTR_EQ(test, p.dir[2], NULL);
	KUNIT_EXPECT_PTR_NE(test, p.dir[1], NULL);

	for (i = 0; i < ARRAY_SIZE(at); i++)
		KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, at[i], fake(i)),
				    NULL);
	KUNIT_EXPECT_EQ(test, p.count, ARRAY_SIZE(at));

	for (i = stv_pins_next(&p, 0, SIZE); i < SIZE;
	     i = stv_pins_next(&p, i + 1, SIZE)) {
		KUNIT_ASSERT_LT(test, k, ARRAY_SIZE(at));
		KUNIT_EXPECT_EQ(test, i, at[k]);
		k++;
	}
	KUNIT_EXPECT_EQ(test, k, ARRAY_SIZE(at));
	/* A range that ends before a pin does not find it. */
	KUNIT_EXPECT_EQ(test, stv_pins_next(&p, 2, 3 * PER), PER - 1);
	KUNIT_EXPECT_EQ(test, stv_pins_next(&p, PER, 3 * PER), 3 * PER);

	/* Taking a pin returns it once. */
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, 3 * PER, NULL), fake(3));
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, 3 * PER, NULL), NULL);
	KUNIT_EXPECT_EQ(test, p.count, ARRAY_SIZE(at) - 1);

	/* Replacing one returns the old page and keeps the count. */
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, 1, fake(9)), fake(1));
	KUNIT_EXPECT_EQ(test, p.count, ARRAY_SIZE(at) - 1);

	/* Destroying reports what was still recorded. */
	KUNIT_EXPECT_EQ(test, stv_pins_destroy(&p), ARRAY_SIZE(at) - 1);
	KUNIT_EXPECT_PTR_EQ(test, p.dir, NULL);
	KUNIT_EXPECT_EQ(test, p.count, 0UL);
}

/* A reservation past the window is refused, not written out of bounds. */
static void stv_pins_reserve_bounds(struct kunit *test)
{
	struct stv_pins p = { 0 };

	KUNIT_EXPECT_EQ(test, stv_pins_reserve(&p, SIZE, SIZE - 1, 1), 0);
	KUNIT_EXPECT_EQ(test, stv_pins_reserve(&p, SIZE, SIZE, PER), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_pins_destroy(&p), 0UL);
}

/*
 * A range inside a reserved chunk allocates nothing (stv_pins_reserve()
 * answers it inline); one that runs on into the next chunk still
 * reserves that chunk.
 */
static void stv_pins_reserve_within_and_across(struct kunit *test)
{
	struct stv_pins p = { 0 };
	struct page **first;

	KUNIT_ASSERT_EQ(test, stv_pins_reserve(&p, SIZE, PER, 1), 0);
	first = p.dir[1];
	KUNIT_ASSERT_PTR_NE(test, first, NULL);

	KUNIT_EXPECT_EQ(test, stv_pins_reserve(&p, SIZE, PER + 5, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, p.dir[1], first);
	KUNIT_EXPECT_PTR_EQ(test, p.dir[2], NULL);

	KUNIT_EXPECT_EQ(test, stv_pins_reserve(&p, SIZE, 2 * PER - 1, 2), 0);
	KUNIT_EXPECT_PTR_EQ(test, p.dir[1], first);
	KUNIT_EXPECT_PTR_NE(test, p.dir[2], NULL);
	KUNIT_EXPECT_PTR_EQ(test, p.dir[3], NULL);

	/* The slots of a chunk follow each other; none where none is kept. */
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_slot(&p, PER + 7), first + 7);
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_slot(&p, 2 * PER), p.dir[2]);
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_slot(&p, 3 * PER), NULL);
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_slot(&p, SIZE + PER), NULL);

	/* A pin recorded in the second chunk lands where it is looked for. */
	KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, 2 * PER, fake(1)), NULL);
	KUNIT_EXPECT_EQ(test, stv_pins_next(&p, 0, SIZE), 2 * PER);
	KUNIT_EXPECT_EQ(test, stv_pins_destroy(&p), 1UL);
}

/*
 * A pin left alone in its chunk is found by stv_pins_destroy()'s look
 * at whole chunks wherever it sits: first or last slot of a step of 16,
 * first or last of the chunk.  The count says nothing: it was taken
 * back to 0, as by a bug that forgot the pin.
 */
static void stv_pins_destroy_finds_a_lone_pin(struct kunit *test)
{
	const unsigned long at[] = { 0, 15, 16, PER / 2 + 3, PER - 16, PER - 1 };
	struct stv_pins p = { 0 };
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(at); k++) {
		KUNIT_ASSERT_EQ(test, stv_pins_reserve(&p, SIZE, PER + at[k], 1), 0);
		KUNIT_EXPECT_PTR_EQ(test, stv_pins_swap(&p, PER + at[k], fake(1)),
				    NULL);
		p.count = 0;
		KUNIT_EXPECT_EQ_MSG(test, stv_pins_destroy(&p), 1UL,
				    "pin at slot %lu of its chunk", at[k]);
	}
}

static struct kunit_case stv_pins_cases[] = {
	KUNIT_CASE(stv_pins_empty),
	KUNIT_CASE(stv_pins_record_and_walk),
	KUNIT_CASE(stv_pins_reserve_bounds),
	KUNIT_CASE(stv_pins_reserve_within_and_across),
	KUNIT_CASE(stv_pins_destroy_finds_a_lone_pin),
	{}
};

static struct kunit_suite stv_pins_suite = {
	.name = "vfio_spapr_tce_pins",
	.test_cases = stv_pins_cases,
};

kunit_test_suite(stv_pins_suite);
