// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "env.h"
#include "kselftest.h"
#include "vfio.h"

long vfio_ioctl(int fd, unsigned long req, void *arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

long vfio_ioctl_val(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int vfio_open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int vfio_open_group_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vfio_open_group(void)
{
	return vfio_open_group_path(env_group());
}

int vfio_group_viable(int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	long ret = vfio_ioctl(group, VFIO_GROUP_GET_STATUS, &st);

	if (ret < 0)
		return ret;
	return !!(st.flags & VFIO_GROUP_FLAGS_VIABLE);
}

int vfio_group_set_container(int group, int container)
{
	return vfio_ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
}

int vfio_group_unset_container(int group)
{
	return vfio_ioctl_val(group, VFIO_GROUP_UNSET_CONTAINER, 0);
}

int vfio_check_extension(int container, unsigned long ext)
{
	return vfio_ioctl_val(container, VFIO_CHECK_EXTENSION, ext);
}

/*
 * Before 6.4 the in-tree backend serves one IOMMU type per platform: v1
 * where the table group has no ops (pseries), v2 where it has (powernv),
 * and refuses the other at SET_IOMMU with EPERM.
 */
static bool intree_refuses_type(int type)
{
	if (!driver_is_intree() || !kernel_before(6, 4))
		return false;
	return machine_is_pseries() ? type == SPAPR_V2 : type == SPAPR_V1;
}

int vfio_set_iommu(int container, unsigned long type)
{
	long ret = vfio_ioctl_val(container, VFIO_SET_IOMMU, type);

	if (ret == -EPERM && intree_refuses_type(type)) {
		/* The harness runs each test in a child: this skips it. */
		printf("#      SKIP      the in-tree backend of %s serves no %s on %s\n",
		       env_kernel(), type == SPAPR_V1 ? "v1" : "v2",
		       env_machine());
		fflush(stdout);
		_exit(KSFT_SKIP);
	}
	return ret;
}

int vfio_enable(int container)
{
	return vfio_ioctl_val(container, VFIO_IOMMU_ENABLE, 0);
}

int vfio_disable(int container)
{
	return vfio_ioctl_val(container, VFIO_IOMMU_DISABLE, 0);
}

int vfio_get_info(int container, struct vfio_iommu_spapr_tce_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return vfio_ioctl(container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, info);
}

int vfio_register(int container, const void *va, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r);
}

int vfio_unregister(int container, const void *va, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &r);
}

int vfio_map(int container, const void *va, uint64_t iova, uint64_t size,
	     uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)va,
		.iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

int vfio_unmap(int container, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
}

int vfio_create_window(int container, uint32_t page_shift, uint64_t size,
		       uint32_t levels, uint64_t *start)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .page_shift = page_shift,
		.window_size = size, .levels = levels,
		.start_addr = 0xdeadbeefULL,
	};
	long ret = vfio_ioctl(container, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);

	if (!ret && start)
		*start = c.start_addr;
	return ret;
}

int vfio_remove_window(int container, uint64_t start)
{
	struct vfio_iommu_spapr_tce_remove r = {
		.argsz = sizeof(r), .start_addr = start,
	};

	return vfio_ioctl(container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r);
}

int vfio_eeh_op(int container, uint32_t op)
{
	struct vfio_eeh_pe_op o = { .argsz = sizeof(o), .op = op };

	return vfio_ioctl(container, VFIO_EEH_PE_OP, &o);
}

int raw_map(int container, uint32_t argsz, uint32_t flags, uint64_t vaddr,
	    uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr,
		.iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

int raw_unmap(int container, uint32_t argsz, uint32_t flags, uint64_t iova,
	      uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = argsz, .flags = flags, .iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
}

int raw_register(int container, unsigned long req, uint32_t argsz,
		 uint32_t flags, uint64_t vaddr, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr, .size = size,
	};

	return vfio_ioctl(container, req, &r);
}

int ctx_open(struct spapr_ctx *c, int type, const char **step)
{
	return ctx_open_group(c, env_group(), type, step);
}

int ctx_open_group(struct spapr_ctx *c, const char *group, int type,
		   const char **step)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->container = c->group = -1;
	c->type = type;

	*step = "open /dev/vfio/vfio";
	ret = vfio_open_container();
	if (ret < 0)
		return ret;
	c->container = ret;

	*step = "open group";
	ret = vfio_open_group_path(group);
	if (ret < 0)
		return ret;
	c->group = ret;

	*step = "group viable";
	ret = vfio_group_viable(c->group);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EBUSY;

	*step = "VFIO_GROUP_SET_CONTAINER";
	ret = vfio_group_set_container(c->group, c->container);
	if (ret < 0 || !type)
		return ret;

	*step = "VFIO_SET_IOMMU";
	ret = vfio_set_iommu(c->container, type);
	if (ret < 0)
		return ret;

	*step = "VFIO_IOMMU_SPAPR_TCE_GET_INFO";
	ret = vfio_get_info(c->container, &c->info);
	if (ret < 0)
		return ret;
	c->win32_start = c->info.dma32_window_start;
	c->win32_size = c->info.dma32_window_size;
	*step = "done";
	return 0;
}

void ctx_close(struct spapr_ctx *c)
{
	if (c->group >= 0)
		close(c->group);
	if (c->container >= 0)
		close(c->container);
	c->group = c->container = -1;
}

bool ddw_has_64k(const struct spapr_ctx *c)
{
	return (c->info.flags & VFIO_IOMMU_SPAPR_INFO_DDW) &&
	       (c->info.ddw.pgsizes & (1ULL << DDW_SHIFT));
}

bool ddw_needs_hugetlb(void)
{
	return host_page_size() < (1UL << DDW_SHIFT);
}

uint32_t ddw_multilevel_levels(void)
{
	/* With a 64K kernel every level is at least one 64K page, so fewer
	 * levels cover the same window. */
	return host_page_size() >= (1UL << 16) ? 2 : 3;
}

bool eeh_platform_enabled(void)
{
	char line[128] = "";
	FILE *f = fopen("/proc/powerpc/eeh", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "EEH Subsystem is enabled") != NULL;
}
