// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: attaching and detaching IOMMU groups.
 *
 * The VFIO core has already claimed DMA ownership of the group; from 6.4
 * the platform's take_ownership ran then, before 6.4 we run it here
 * (stv_compat.h).  We program the container's windows into the group on
 * attach and unprogram them on detach.  Mappings live
 * in the container's tables, shared by all groups: they are cleared when
 * the last group leaves, not when any group does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/lockdep.h>
#include <linux/slab.h>

#include "stv.h"
#include "stv_trace.h"

/**
 * stv_first_group() - the group whose platform properties the container
 * reports and creates tables with
 * @c: a container with at least one group
 *
 * Return: the first attached group.
 */
struct stv_group *stv_first_group(struct stv_container *c)
{
	lockdep_assert_held(&c->lock);
	return list_first_entry(&c->groups, struct stv_group, node);
}

static struct stv_group *stv_find_group(struct stv_container *c,
					struct iommu_group *grp)
{
	struct stv_group *g;

	list_for_each_entry(g, &c->groups, node)
		if (g->grp == grp)
			return g;
	return NULL;
}

static int stv_check_compatible(struct stv_container *c,
				struct iommu_group *grp,
				struct iommu_table_group *tg)
{
	struct stv_group *g;

	if (c->v2 && !tg->max_dynamic_windows_supported)
		return stv_refuse(c, "v2 needs dynamic windows, which this platform lacks",
				  -EINVAL);
	if (!c->v2 && !list_empty(&c->groups))
		return stv_refuse(c, "a v1 container takes one group only",
				  -EBUSY);
	if (stv_find_group(c, grp))
		return stv_refuse(c, "group already attached", -EBUSY);
	/* Windows are shared, so every group must use the same table code. */
	list_for_each_entry(g, &c->groups, node)
		if (g->table_group->ops->create_table != tg->ops->create_table)
			return stv_refuse(c, "group on a different kind of PHB",
					  -EPERM);
	return 0;
}

static long stv_program_group(struct stv_container *c,
			      struct iommu_table_group *tg)
{
	long ret;
	int i;

	for (i = 0; i < STV_MAX_WINDOWS; i++) {
		if (!c->tables[i])
			continue;
		ret = stv_window_set(c, tg, i);
		if (ret)
			goto err_unset;
	}
	return 0;

err_unset:
	while (--i >= 0)
		if (c->tables[i])
			stv_window_unset(c, tg, i);
	return ret;
}

/**
 * stv_attach_group() - &vfio_iommu_driver_ops.attach_group
 * @data: the container
 * @grp: the group to attach
 * @type: the kind of group; only IOMMU-backed groups are accepted
 *
 * Return: 0; -EINVAL for emulated groups or a v2 container on a platform
 * without dynamic windows; -EBUSY for a second group on v1 or a group
 * already attached; -EPERM for a group with different table code, or
 * when the container is bound to another process's memory; -ENODEV for a
 * group without a TCE table group, or whose table group has no ops for a
 * backend (pseries on 6.1); -ENOMEM.
 */
int stv_attach_group(void *data, struct iommu_group *grp,
		     enum vfio_group_type type)
{
	struct stv_container *c = data;
	struct iommu_table_group *tg;
	struct stv_group *g;
	int ret;

	if (type == VFIO_EMULATED_IOMMU) {
		trace_stv_attach(c->id, iommu_group_id(grp), -EINVAL);
		return -EINVAL;
	}

	mutex_lock(&c->lock);
	c->refused_by = NULL;
	/*
	 * A bound container maps its owner's memory: a process that was
	 * passed the container fd must not add a device that can reach it.
	 */
	if (c->mm && c->mm != current->mm) {
		ret = stv_refuse(c, "container bound to another process",
				 -EPERM);
		goto out_unlock;
	}
	tg = iommu_group_get_iommudata(grp);
	if (!tg) {
		ret = stv_refuse(c, "group without a TCE table group", -ENODEV);
		goto out_unlock;
	}
	if (!tg->ops || !stv_can_take_table_group(tg)) {
		ret = stv_refuse(c, "no table-group ops for a backend (pseries on 6.1)",
				 -ENODEV);
		goto out_unlock;
	}
	ret = stv_check_compatible(c, grp, tg);
	if (ret)
		goto out_unlock;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	stv_take_table_group(tg);
	ret = stv_program_group(c, tg);
	if (ret)
		goto err_give_back;

	stv_default_window_arm(c);
	g->grp = grp;
	g->table_group = tg;
	list_add_tail(&g->node, &c->groups);
	trace_stv_attach(c->id, iommu_group_id(grp), 0);
	mutex_unlock(&c->lock);
	return 0;

err_give_back:
	stv_give_back_table_group(tg);
	kfree(g);
out_unlock:
	trace_stv_attach(c->id, iommu_group_id(grp), ret);
	pr_debug_ratelimited("container %u: attaching group %d: %s (%d)\n",
			     c->id, iommu_group_id(grp),
			     c->refused_by ?: "refused", ret);
	mutex_unlock(&c->lock);
	return ret;
}

/**
 * stv_detach_group() - &vfio_iommu_driver_ops.detach_group
 * @data: the container
 * @grp: the group to detach
 *
 * Unprograms the container's windows from @grp.  When it was the last
 * group, every mapping is cleared (in proportion to what is mapped); the
 * tables themselves live until TCE_REMOVE or the container's release.
 */
void stv_detach_group(void *data, struct iommu_group *grp)
{
	struct stv_container *c = data;
	struct stv_group *g;
	int i;

	mutex_lock(&c->lock);
	g = stv_find_group(c, grp);
	if (WARN_ON_ONCE(!g))
		goto out_unlock;

	trace_stv_detach(c->id, iommu_group_id(grp), 0);
	list_del(&g->node);
	for (i = 0; i < STV_MAX_WINDOWS; i++) {
		if (!c->tables[i])
			continue;
		if (list_empty(&c->groups))
			stv_clear(c, c->tables[i], c->tables[i]->it_offset,
				  c->tables[i]->it_size);
		if (g->table_group->ops->unset_window)
			stv_window_unset(c, g->table_group, i);
	}
	stv_give_back_table_group(g->table_group);
	kfree(g);
out_unlock:
	mutex_unlock(&c->lock);
}
