// SPDX-License-Identifier: GPL-2.0
/*
 * A container is bound to the mm of the process that first made it hold
 * memory (v1 ENABLE, v2 REGISTER_MEMORY/TCE_CREATE/TCE_REMOVE); any other
 * process gets EPERM for everything but CHECK_EXTENSION, and cannot
 * attach a group of its own to it either.
 */
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"
#include "process.h"
#include "vfio.h"
#include "dma_region.h"
#include "env.h"

FIXTURE(owner) {
	struct spapr_ctx c;
	struct dma_region r;
};

FIXTURE_VARIANT(owner) {
	int type;
};

FIXTURE_VARIANT_ADD(owner, v1) { .type = SPAPR_V1 };
FIXTURE_VARIANT_ADD(owner, v2) { .type = SPAPR_V2 };

FIXTURE_SETUP(owner)
{
	const char *step;
	int ret = ctx_open(&self->c, variant->type, &step);

	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&self->r, 4 * DEF_WIN_PAGE, false));
}

FIXTURE_TEARDOWN(owner)
{
	ctx_close(&self->c);
	dma_region_free(&self->r);
}

/* Bind the container to this process. */
static int bind_here(FIXTURE_DATA(owner) *self)
{
	if (self->c.type == SPAPR_V1)
		return vfio_enable(self->c.container);
	return vfio_register(self->c.container, self->r.va, self->r.size);
}

struct foreign {
	int container;
	int type;
	void *va;
	uint64_t size;		/* of the memory at va */
	uint64_t iova;
};

/* Everything a foreign process might try; 0 if all were refused. */
static int foreign_checks(void *arg)
{
	struct foreign *f = arg;
	struct vfio_iommu_spapr_tce_info info;
	int c = f->container;

	if (vfio_check_extension(c, f->type) != 1)
		return 1;
	if (vfio_get_info(c, &info) != -EPERM)
		return 2;
	if (vfio_map(c, f->va, f->iova, DEF_WIN_PAGE, MAP_RW) != -EPERM)
		return 3;
	if (vfio_unmap(c, f->iova, DEF_WIN_PAGE) != -EPERM)
		return 4;
	if (vfio_eeh_op(c, VFIO_EEH_PE_GET_STATE) != -EPERM)
		return 5;
	if (f->type == SPAPR_V1) {
		if (vfio_enable(c) != -EPERM)
			return 6;
		if (vfio_disable(c) != -EPERM)
			return 7;
	} else {
		if (vfio_register(c, f->va, DEF_WIN_PAGE) != -EPERM)
			return 8;
		if (vfio_unregister(c, f->va, DEF_WIN_PAGE) != -EPERM)
			return 9;
		if (vfio_create_window(c, 16, 1ULL << 30, 1, NULL) != -EPERM)
			return 10;
		if (vfio_remove_window(c, 0) != -EPERM)
			return 11;
	}
	return 0;
}

TEST_F(owner, forked_child_eperm)
{
	struct foreign f = {
		.container = self->c.container, .type = variant->type,
		.va = self->r.va, .iova = self->c.win32_start,
	};

	ASSERT_EQ(0, bind_here(self));
	EXPECT_EQ(0, run_in_child(foreign_checks, &f));
	/* The owner is unaffected. */
	EXPECT_EQ(0, vfio_map(self->c.container, self->r.va,
			      self->c.win32_start, DEF_WIN_PAGE, MAP_RW));
}

static int recv_and_check(void *arg)
{
	struct foreign *f = arg;

	f->container = recv_fd(f->container);
	if (f->container < 0)
		return 100;
	return foreign_checks(f);
}

TEST_F(owner, fd_passed_over_scm_rights_eperm)
{
	int sv[2], status;
	struct foreign f = {
		.type = variant->type, .va = self->r.va,
		.iova = self->c.win32_start,
	};
	pid_t pid;

	ASSERT_EQ(0, bind_here(self));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	/* The receiver has no inherited copy of the container fd. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->c.container);
		close(self->c.group);
		f.container = sv[1];
		_exit(recv_and_check(&f));
	}
	ASSERT_EQ(0, send_fd(sv[0], self->c.container));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
	close(sv[1]);
}

static int unbound_peek(void *arg)
{
	struct foreign *f = arg;
	struct vfio_iommu_spapr_tce_info info;

	return vfio_get_info(f->container, &info) ? 1 : 0;
}

static int child_binds(void *arg)
{
	struct foreign *f = arg;

	if (f->type == SPAPR_V1)
		return vfio_enable(f->container) ? 1 : 0;
	return vfio_register(f->container, f->va, f->size) ? 1 : 0;
}

TEST_F(owner, first_user_binds_container)
{
	struct vfio_iommu_spapr_tce_info info;
	struct foreign f = {
		.container = self->c.container, .type = variant->type,
		.va = self->r.va, .size = self->r.size,
	};

	/* Unbound: another process may look... */
	EXPECT_EQ(0, run_in_child(unbound_peek, &f));
	/* ...and bind it to itself, even if it then goes away. */
	ASSERT_EQ(0, run_in_child(child_binds, &f));
	EXPECT_EQ(-EPERM, vfio_get_info(self->c.container, &info));
	EXPECT_EQ(-EPERM, bind_here(self));
}

/*
 * The receiver of a passed container fd adds its own group: its device
 * could then DMA into the owner's mappings.  Refused once the container
 * is bound (the second group is on powernv).
 */
static int foreign_adds_group(void *arg)
{
	struct foreign *f = arg;
	int g = vfio_open_group_path(env_group2()), ret;

	if (g < 0)
		return 100;
	ret = vfio_group_set_container(g, f->container);
	if (!ret)
		vfio_group_unset_container(g);
	close(g);
	return ret == -EPERM ? 0 : 1;
}

TEST_F(owner, foreign_process_cannot_add_group_eperm)
{
	struct foreign f = {
		.container = self->c.container, .type = variant->type,
	};

	if (!*env_group2())
		SKIP(return, "%s has one NVMe only; two groups are needed",
		     env_machine());
	INTREE_BUG("lets another process attach its group to a container "
		   "bound to the owner's memory");
	ASSERT_EQ(0, bind_here(self));
	EXPECT_EQ(0, run_in_child(foreign_adds_group, &f));
	/* The owner is unaffected. */
	EXPECT_EQ(0, vfio_map(self->c.container, self->r.va,
			      self->c.win32_start, DEF_WIN_PAGE, MAP_RW));
}

SPAPR_HARNESS_MAIN
