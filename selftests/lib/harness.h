/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest harness (from $(KSRC)/tools/testing/selftests).
 * Its TEST/FIXTURE macros define functions whose parameters a given test
 * may not use, and its ASSERT_EQ(0, size_t) compares int literals with
 * unsigned values, and its setjmp-based TEST_F wrapper trips -Wclobbered
 * on its own locals; keep -Wextra quiet about exactly those three.
 */
#ifndef SPAPR_HARNESS_H
#define SPAPR_HARNESS_H

#include <stdio.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#include "env.h"

/*
 * Known bugs of the in-tree backend (drivers/vfio/vfio_iommu_spapr_tce.c,
 * 6.12).  Tests that assert the correct behaviour skip on that driver,
 * with the reason, when running them would only crash/WARN the kernel or
 * repeat a known divergence; they still run, and can fail, on ours.
 */
#define INTREE_BUG(why) do { \
	if (driver_is_intree()) \
		SKIP(return, "in-tree bug: " why); \
} while (0)

/*
 * main(): the device comes first, as in the kernel's VFIO selftests (a
 * PCI address as the last argument, or VFIO_SELFTESTS_BDF); without one
 * the whole program skips, except to list its tests (-l) or show help.
 */
#define SPAPR_HARNESS_MAIN							\
int main(int argc, char **argv)						\
{									\
	int i, listing = 0;						\
									\
	env_take_bdf(&argc, argv);					\
	for (i = 1; i < argc; i++)					\
		listing |= !strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"); \
	if (!*env_bdf() && !listing) {					\
		printf("1..0 # SKIP no device: give its PCI address as the last argument or in VFIO_SELFTESTS_BDF\n"); \
		return KSFT_SKIP;					\
	}								\
	return test_harness_run(argc, argv);				\
}

#endif
