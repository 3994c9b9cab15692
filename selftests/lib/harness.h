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

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#endif
