// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_EEH_PE_OP through the sPAPR TCE container.  Where the platform has
 * EEH (powernv) the PE is reachable; where it does not (pseries under
 * QEMU), every op fails the same way.
 */
#include <stddef.h>
#include "harness.h"
#include "vfio.h"

FIXTURE(eeh) {
	struct spapr_ctx c;
};

FIXTURE_VARIANT(eeh) {
	int type;
};

FIXTURE_VARIANT_ADD(eeh, v1) { .type = SPAPR_V1 };
FIXTURE_VARIANT_ADD(eeh, v2) { .type = SPAPR_V2 };

FIXTURE_SETUP(eeh)
{
	const char *step;
	int ret = ctx_open(&self->c, variant->type, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(eeh)
{
	ctx_close(&self->c);
}

static int eeh_raw(int fd, uint32_t argsz, uint32_t flags, uint32_t op)
{
	struct vfio_eeh_pe_op o = { .argsz = argsz, .flags = flags, .op = op };

	return vfio_ioctl(fd, VFIO_EEH_PE_OP, &o);
}

#define NEED_EEH() do { \
	if (!eeh_platform_enabled()) \
		SKIP(return, "EEH is disabled on this platform (extension 0)"); \
} while (0)

TEST_F(eeh, extension_matches_platform)
{
	EXPECT_EQ(eeh_platform_enabled() ? 1 : 0,
		  vfio_check_extension(self->c.container, VFIO_EEH));
}

TEST_F(eeh, no_eeh_every_op_enodev)
{
	static const uint32_t ops[] = {
		VFIO_EEH_PE_DISABLE, VFIO_EEH_PE_ENABLE,
		VFIO_EEH_PE_UNFREEZE_IO, VFIO_EEH_PE_UNFREEZE_DMA,
		VFIO_EEH_PE_GET_STATE, VFIO_EEH_PE_CONFIGURE, 99,
	};
	unsigned int i;

	if (eeh_platform_enabled())
		SKIP(return, "EEH is enabled on this platform");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		EXPECT_EQ(-ENODEV, vfio_eeh_op(self->c.container, ops[i]))
			TH_LOG("op %u", ops[i]);
	}
}

TEST_F(eeh, get_state_normal)
{
	NEED_EEH();
	EXPECT_EQ(VFIO_EEH_PE_STATE_NORMAL,
		  vfio_eeh_op(self->c.container, VFIO_EEH_PE_GET_STATE));
}

TEST_F(eeh, enable_and_unfreeze)
{
	NEED_EEH();
	EXPECT_EQ(0, vfio_eeh_op(self->c.container, VFIO_EEH_PE_ENABLE));
	EXPECT_EQ(0, vfio_eeh_op(self->c.container, VFIO_EEH_PE_UNFREEZE_IO));
	EXPECT_EQ(0, vfio_eeh_op(self->c.container, VFIO_EEH_PE_UNFREEZE_DMA));
	EXPECT_EQ(VFIO_EEH_PE_STATE_NORMAL,
		  vfio_eeh_op(self->c.container, VFIO_EEH_PE_GET_STATE));
}

TEST_F(eeh, bad_argsz_flags_op)
{
	NEED_EEH();
	EXPECT_EQ(-EINVAL, eeh_raw(self->c.container,
				   offsetof(struct vfio_eeh_pe_op, op), 0,
				   VFIO_EEH_PE_GET_STATE));
	EXPECT_EQ(-EINVAL, eeh_raw(self->c.container,
				   sizeof(struct vfio_eeh_pe_op), 1,
				   VFIO_EEH_PE_GET_STATE));
	EXPECT_EQ(-EINVAL, eeh_raw(self->c.container,
				   sizeof(struct vfio_eeh_pe_op), 0, 99));
}

TEST_F(eeh, inject_err_checks)
{
	struct vfio_eeh_pe_op o = {
		.argsz = offsetof(struct vfio_eeh_pe_op, err.mask),
		.op = VFIO_EEH_PE_INJECT_ERR,
	};

	NEED_EEH();
	/* Too short for the error description. */
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.container, VFIO_EEH_PE_OP, &o));
	/* An error function out of range is refused before injection. */
	o.argsz = sizeof(o);
	o.err.type = 0;
	o.err.func = 99;
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.container, VFIO_EEH_PE_OP, &o));
}

TEST(eeh_op_without_iommu_einval)
{
	struct spapr_ctx c;
	const char *step;
	int ret = ctx_open(&c, 0, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	EXPECT_EQ(-EINVAL, vfio_eeh_op(c.container, VFIO_EEH_PE_GET_STATE));
	ctx_close(&c);
}

SPAPR_HARNESS_MAIN
