// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: errnos of failed TCE exchanges (drivers/vfio/stv_errno.c).
 */
#include <kunit/test.h>
#include <asm/hvcall.h>

#include "stv.h"

static void stv_errno_hcall_statuses(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_PARAMETER, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_PERMISSION, true), -EPERM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_AUTHORITY, true), -EPERM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_PRIVILEGE, true), -EPERM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_NO_MEM, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_RESOURCE, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_BUSY, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_LONG_BUSY_ORDER_1_MSEC, true),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_HARDWARE, true), -EIO);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(H_TOO_HARD, true), -EIO);
}

/* The values that an errno pass-through would have turned into retries. */
static void stv_errno_hcall_never_retry(struct kunit *test)
{
	long st;

	for (st = -1; st >= -80; st--) {
		int e = stv_xchg_errno(st, true);

		KUNIT_EXPECT_NE(test, e, -EINTR);
		KUNIT_EXPECT_NE(test, e, -EAGAIN);
		KUNIT_EXPECT_LT(test, e, 0);
	}
}

static void stv_errno_opal_passes_errnos(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(-ENOMEM, false), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(-EINVAL, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(1, false), -EIO);
	KUNIT_EXPECT_EQ(test, stv_xchg_errno(-MAX_ERRNO - 1, false), -EIO);
}

static struct kunit_case stv_errno_cases[] = {
	KUNIT_CASE(stv_errno_hcall_statuses),
	KUNIT_CASE(stv_errno_hcall_never_retry),
	KUNIT_CASE(stv_errno_opal_passes_errnos),
	{}
};

static struct kunit_suite stv_errno_suite = {
	.name = "vfio_spapr_tce_errno",
	.test_cases = stv_errno_cases,
};

kunit_test_suite(stv_errno_suite);
