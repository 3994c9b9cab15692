// SPDX-License-Identifier: GPL-2.0
/*
 * Container and group level behaviour around the sPAPR TCE backend:
 * CHECK_EXTENSION, SET_IOMMU, group attach/detach state machine.
 */
#include <fcntl.h>
#include "harness.h"
#include "vfio.h"
#include "env.h"
#include "debugfs.h"
#include "nvme.h"

#define BOGUS_EXT 0x7777

/* A container and the group, attached, no IOMMU type yet. */
FIXTURE(attached) {
	struct spapr_ctx c;
};

FIXTURE_SETUP(attached)
{
	const char *step;
	int ret = ctx_open(&self->c, 0, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

FIXTURE_TEARDOWN(attached)
{
	ctx_close(&self->c);
}

TEST(api_version)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(VFIO_API_VERSION, vfio_ioctl_val(fd, VFIO_GET_API_VERSION, 0));
	close(fd);
}

TEST(check_extension_empty_container)
{
	int fd = vfio_open_container();

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, vfio_check_extension(fd, SPAPR_V1));
	EXPECT_EQ(1, vfio_check_extension(fd, SPAPR_V2));
	EXPECT_EQ(0, vfio_check_extension(fd, BOGUS_EXT));
	close(fd);
}

TEST(check_extension_eeh_matches_platform)
{
	int fd = vfio_open_container();

	ASSERT_LE(0, fd);
	EXPECT_EQ(eeh_platform_enabled() ? 1 : 0,
		  vfio_check_extension(fd, VFIO_EEH));
	close(fd);
}

TEST_F(attached, check_extension_after_set_iommu)
{
	ASSERT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V2));
	EXPECT_EQ(1, vfio_check_extension(self->c.container, SPAPR_V1));
	EXPECT_EQ(1, vfio_check_extension(self->c.container, SPAPR_V2));
	EXPECT_EQ(0, vfio_check_extension(self->c.container, BOGUS_EXT));
	EXPECT_EQ(eeh_platform_enabled() ? 1 : 0,
		  vfio_check_extension(self->c.container, VFIO_EEH));
}

TEST(set_iommu_without_group)
{
	int fd = vfio_open_container();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vfio_set_iommu(fd, SPAPR_V2));
	EXPECT_EQ(-EINVAL, vfio_set_iommu(fd, SPAPR_V1));
	close(fd);
}

TEST_F(attached, set_iommu_bogus_type)
{
	EXPECT_EQ(-ENODEV, vfio_set_iommu(self->c.container, BOGUS_EXT));
	/* The failure leaves the container settable. */
	EXPECT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V2));
}

TEST_F(attached, set_iommu_twice)
{
	ASSERT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V1));
	EXPECT_EQ(-EINVAL, vfio_set_iommu(self->c.container, SPAPR_V1));
	EXPECT_EQ(-EINVAL, vfio_set_iommu(self->c.container, SPAPR_V2));
}

TEST_F(attached, iommu_ioctls_before_set_iommu)
{
	struct vfio_iommu_spapr_tce_info info;
	char buf[4096] __attribute__((aligned(4096)));

	EXPECT_EQ(-EINVAL, vfio_get_info(self->c.container, &info));
	EXPECT_EQ(-EINVAL, vfio_enable(self->c.container));
	EXPECT_EQ(-EINVAL, vfio_map(self->c.container, buf, 0, 4096, MAP_RW));
	EXPECT_EQ(-EINVAL, vfio_register(self->c.container, buf, 4096));
}

TEST_F(attached, device_fd_needs_iommu)
{
	const char *bdf = env_bdf();
	struct nvme n;

	ASSERT_NE(0, strlen(bdf));
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->c.group, VFIO_GROUP_GET_DEVICE_FD,
				      (void *)bdf));
	ASSERT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V2));
	ASSERT_EQ(0, nvme_open(&n, self->c.group));
	close(n.dev);
}

TEST(group_open_is_exclusive)
{
	int g1 = vfio_open_group(), g2;

	ASSERT_LE(0, g1);
	g2 = vfio_open_group();
	EXPECT_EQ(-EBUSY, g2);
	if (g2 >= 0)
		close(g2);
	close(g1);
	/* Once closed it can be opened again. */
	g2 = vfio_open_group();
	EXPECT_LE(0, g2);
	close(g2);
}

TEST_F(attached, group_status_flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	ASSERT_EQ(0, vfio_ioctl(self->c.group, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  st.flags);
	ASSERT_EQ(0, vfio_group_unset_container(self->c.group));
	ASSERT_EQ(0, vfio_ioctl(self->c.group, VFIO_GROUP_GET_STATUS, &st));
	EXPECT_EQ(VFIO_GROUP_FLAGS_VIABLE, st.flags);
}

TEST_F(attached, set_container_twice)
{
	EXPECT_EQ(-EINVAL, vfio_group_set_container(self->c.group,
						    self->c.container));
}

TEST_F(attached, unset_container_twice)
{
	EXPECT_EQ(0, vfio_group_unset_container(self->c.group));
	EXPECT_EQ(-EINVAL, vfio_group_unset_container(self->c.group));
}

TEST_F(attached, set_container_not_a_container)
{
	int null = open("/dev/null", O_RDWR);

	ASSERT_LE(0, null);
	ASSERT_EQ(0, vfio_group_unset_container(self->c.group));
	/* The VFIO core's errno: 6.1's vfio_group_ioctl_set_container()
	 * answered EINVAL, later kernels EBADFD. */
	EXPECT_EQ(kernel_before(6, 2) ? -EINVAL : -EBADFD,
		  vfio_group_set_container(self->c.group, null));
	EXPECT_EQ(-EBADF, vfio_group_set_container(self->c.group, 12345));
	close(null);
}

TEST_F(attached, unset_container_with_device_open)
{
	struct nvme n;

	ASSERT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V2));
	ASSERT_EQ(0, nvme_open(&n, self->c.group));
	EXPECT_EQ(-EBUSY, vfio_group_unset_container(self->c.group));
	close(n.dev);
	EXPECT_EQ(0, vfio_group_unset_container(self->c.group));
}

TEST_F(attached, unset_deprivileges_container)
{
	ASSERT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V2));
	ASSERT_EQ(0, vfio_group_unset_container(self->c.group));
	/* No group: the IOMMU is gone, and cannot be set again. */
	EXPECT_EQ(-EINVAL, vfio_set_iommu(self->c.container, SPAPR_V2));
	EXPECT_EQ(-EINVAL, vfio_enable(self->c.container));
	/* Re-attached, the container starts over and takes any type. */
	ASSERT_EQ(0, vfio_group_set_container(self->c.group, self->c.container));
	EXPECT_EQ(0, vfio_set_iommu(self->c.container, SPAPR_V1));
	EXPECT_EQ(0, vfio_enable(self->c.container));
}

/*
 * The container is served by the backend the runner loaded: ours counts
 * its open containers in debugfs, the in-tree one has no such file.  Run
 * with both modules loaded (ours last, coexist=1), this proves that the
 * VFIO core hands new containers to ours.
 */
TEST(served_by_loaded_driver)
{
	struct spapr_ctx c;
	struct modstats before, during;
	const char *step;
	int ret, have = modstats_read(&before);

	if (driver_is_intree()) {
		EXPECT_EQ(-ENOENT, have) TH_LOG("vfio_spapr_tce is loaded");
		return;
	}
	ASSERT_EQ(0, have);
	ret = ctx_open(&c, SPAPR_V2, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, modstats_read(&during));
	EXPECT_EQ(before.containers + 1, during.containers);
	ctx_close(&c);
	ASSERT_EQ(0, modstats_read(&during));
	EXPECT_EQ(before.containers, during.containers);
}

SPAPR_HARNESS_MAIN
