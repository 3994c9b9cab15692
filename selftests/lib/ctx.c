// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "env.h"

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
