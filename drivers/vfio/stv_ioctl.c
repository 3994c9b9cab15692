// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the container ioctls.
 *
 * Each handler copies and checks its argument before it changes any
 * state, in the order the in-tree driver does, so that the same bad
 * argument gets the same errno from both (Documentation/uapi.rst lists
 * the deliberate differences).  Every handler runs under the container
 * lock, MAP and UNMAP included, so that map, unmap and window removal
 * never interleave.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "stv.h"
#include "stv_trace.h"

static long stv_get_info(struct stv_container *c, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_info,
					  dma32_window_size);
	unsigned long ddwsz = offsetofend(struct vfio_iommu_spapr_tce_info,
					  ddw);
	struct vfio_iommu_spapr_tce_info info;
	struct iommu_table_group *tg;
	int ret;

	if (list_empty(&c->groups))
		return stv_refuse(c, "no group attached", -ENXIO);
	tg = stv_first_group(c)->table_group;

	ret = stv_copy_arg(&info, arg, minsz);
	if (ret)
		return stv_refuse_arg(c, ret);

	info.flags = 0;
	info.dma32_window_start = tg->tce32_start;
	info.dma32_window_size = tg->tce32_size;
	memset(&info.ddw, 0, sizeof(info.ddw));
	if (c->v2 && tg->max_dynamic_windows_supported) {
		info.flags |= VFIO_IOMMU_SPAPR_INFO_DDW;
		info.ddw.pgsizes = tg->pgsizes;
		info.ddw.max_dynamic_windows_supported =
			tg->max_dynamic_windows_supported;
		info.ddw.levels = tg->max_levels;
	}
	if (info.argsz >= ddwsz)
		minsz = ddwsz;
	if (copy_to_user((void __user *)arg, &info, minsz))
		return -EFAULT;
	return 0;
}

static long stv_map_checked(struct stv_container *c,
			    struct vfio_iommu_type1_dma_map *p,
			    unsigned long *entries)
{
	struct iommu_table *tbl = stv_table_at(c, p->iova);
	enum dma_data_direction dir;
	const char *why;
	long ret;

	/*
	 * With its last group gone no window is programmed anywhere, and on
	 * pseries the hypervisor has dropped the tables behind them: an
	 * entry made now could not even be cleared again.
	 */
	if (!tbl || list_empty(&c->groups))
		return stv_refuse(c, "no DMA window contains iova", -ENXIO);
	ret = stv_check_map(tbl->it_page_shift, tbl->it_offset, tbl->it_size,
			    p->vaddr, p->iova, p->size, p->flags, &dir, &why);
	if (ret)
		return stv_refuse(c, why, ret);

	if (c->v2)
		ret = stv_map_v2(c, tbl, p->iova >> tbl->it_page_shift,
				 p->vaddr, p->size >> tbl->it_page_shift, dir);
	else
		ret = stv_map_v1(c, tbl, p->iova >> tbl->it_page_shift,
				 p->vaddr, p->size >> tbl->it_page_shift, dir);
	iommu_flush_tce(tbl);
	if (!ret)
		*entries = p->size >> tbl->it_page_shift;
	return ret;
}

/*
 * What MAP and UNMAP check first, in the in-tree order: the container is
 * enabled, the argument is readable and long enough, no unknown flag;
 * then the default window is created if it is still due (*@was_pending
 * says whether it was).  It is due only from the first group's attach
 * until a MAP, UNMAP or TCE_CREATE creates it or a TCE_REMOVE of it
 * cancels it, so nearly every call finds it not due: that is asked here,
 * without a call.
 */
static __always_inline long
stv_dma_args(struct stv_container *c, unsigned long arg, void *p,
	     unsigned long minsz, u32 known_flags, bool *was_pending)
{
	long ret;

	if (!c->enabled)
		return stv_refuse(c, c->v2 ? "no memory preregistered yet" :
				  "container not enabled (VFIO_IOMMU_ENABLE)",
				  -EPERM);
	ret = stv_copy_arg_flags(p, arg, minsz, known_flags);
	if (ret)
		return stv_refuse_arg(c, ret);
	if (!c->def_window_pending) {
		*was_pending = false;
		return 0;
	}
	return stv_default_window_begin(c, was_pending);
}

static long stv_unmap_checked(struct stv_container *c,
			      struct vfio_iommu_type1_dma_unmap *p,
			      unsigned long *entries)
{
	struct iommu_table *tbl = stv_table_at(c, p->iova);
	long ret;

	if (!tbl)
		return stv_refuse(c, "no DMA window contains iova", -ENXIO);
	ret = stv_check_range(tbl->it_page_shift, tbl->it_offset,
			      tbl->it_size, p->iova, p->size);
	if (ret)
		return stv_refuse(c, STV_WHY_RANGE, ret);

	ret = stv_clear(c, tbl, p->iova >> tbl->it_page_shift,
			p->size >> tbl->it_page_shift);
	iommu_flush_tce(tbl);
	if (!ret)
		*entries = p->size >> tbl->it_page_shift;
	return ret;
}

/*
 * MAP_DMA and UNMAP_DMA.  A call that fails leaves no trace, not even the
 * default window it may have created on its way; the one exception is an
 * UNMAP whose platform exchange fails part-way, which has cleared the
 * other entries of its range (stv_clear()) and reports the failure.
 */
static long stv_dma_ioctl(struct stv_container *c, unsigned int cmd,
			  unsigned long arg)
{
	union {
		struct vfio_iommu_type1_dma_map map;
		struct vfio_iommu_type1_dma_unmap unmap;
	} p = { };
	unsigned long entries = 0;
	bool pending = false;
	long ret;

	if (cmd == VFIO_IOMMU_MAP_DMA) {
		ret = stv_dma_args(c, arg, &p.map, offsetofend(typeof(p.map), size),
				   VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				   &pending);
		if (!ret)
			ret = stv_map_checked(c, &p.map, &entries);
		trace_stv_map(c->id, p.map.iova, p.map.size, p.map.flags,
			      entries, ret);
	} else {
		ret = stv_dma_args(c, arg, &p.unmap,
				   offsetofend(typeof(p.unmap), size), 0,
				   &pending);
		if (!ret)
			ret = stv_unmap_checked(c, &p.unmap, &entries);
		trace_stv_unmap(c->id, p.unmap.iova, p.unmap.size,
				p.unmap.flags, entries, ret);
	}
	if (ret)
		stv_default_window_abort(c, pending);
	return ret;
}

static long stv_prereg_ioctl(struct stv_container *c, unsigned int cmd,
			     unsigned long arg)
{
	struct vfio_iommu_spapr_register_memory p;
	long ret;

	if (cmd == VFIO_IOMMU_SPAPR_REGISTER_MEMORY) {
		ret = stv_mm_bind(c);
		if (ret)
			return ret;
	} else if (!c->mm) {
		return stv_refuse(c, "nothing registered yet", -EPERM);
	}
	ret = stv_copy_arg_flags(&p, arg, offsetofend(typeof(p), size), 0);
	if (ret)
		return stv_refuse_arg(c, ret);
	ret = stv_check_user_range(p.vaddr, p.size, PAGE_SIZE);
	if (ret)
		return stv_refuse(c, "vaddr or size not page-aligned, size 0, or the range wraps",
				  ret);
	if (cmd == VFIO_IOMMU_SPAPR_REGISTER_MEMORY) {
		ret = stv_register(c, p.vaddr, p.size);
		trace_stv_register(c->id, p.vaddr, p.size, ret);
	} else {
		ret = stv_unregister(c, p.vaddr, p.size);
		trace_stv_unregister(c->id, p.vaddr, p.size, ret);
	}
	return ret;
}

static long stv_enable(struct stv_container *c)
{
	struct iommu_table_group *tg;
	unsigned long pages;
	long ret;

	if (c->enabled)
		return stv_refuse(c, "already enabled", -EBUSY);
	if (list_empty(&c->groups))
		return stv_refuse(c, "no group attached", -ENODEV);
	tg = stv_first_group(c)->table_group;
	if (!tg->tce32_size)
		return stv_refuse(c, "the platform has no 32-bit window", -EPERM);
	ret = stv_mm_bind(c);
	if (ret)
		return ret;
	/*
	 * Mapping is not accounted page by page: the worst case, a fully
	 * mapped 32-bit window, is charged once here.
	 */
	pages = tg->tce32_size >> PAGE_SHIFT;
	ret = stv_mm_charge(c, pages);
	trace_stv_enable(c->id, pages, ret);
	if (ret)
		return ret;
	c->enable_pages = pages;
	c->enabled = true;
	return 0;
}

/**
 * stv_disable() - VFIO_IOMMU_DISABLE, also run on release
 * @c: the container
 *
 * Mappings stay in place, as with the in-tree driver; only the ENABLE
 * charge is returned.
 */
static void stv_disable(struct stv_container *c)
{
	if (!c->enabled)
		return;
	if (c->enable_pages)
		trace_stv_disable(c->id, c->enable_pages, 0);
	c->enabled = false;
	stv_mm_uncharge(c, c->enable_pages);
	c->enable_pages = 0;
}

static long stv_tce_create_ioctl(struct stv_container *c, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_spapr_tce_create,
					  start_addr);
	struct vfio_iommu_spapr_tce_create p;
	bool pending = false;
	long ret;
	int num;

	ret = stv_mm_bind(c);
	if (ret)
		return ret;
	if (list_empty(&c->groups))
		return stv_refuse(c, "no group attached", -ENXIO);
	ret = stv_copy_arg_flags(&p, arg, minsz, 0);
	if (ret)
		return stv_refuse_arg(c, ret);
	ret = stv_default_window_begin(c, &pending);
	if (ret)
		return ret;
	num = stv_create_window(c, p.page_shift, p.window_size, p.levels,
				&p.start_addr);
	if (num < 0) {
		ret = num;
	} else if (copy_to_user((void __user *)arg, &p, minsz)) {
		stv_remove_window(c, num);
		ret = stv_refuse(c, "start_addr could not be written back",
				 -EFAULT);
	}
	if (ret)
		stv_default_window_abort(c, pending);
	return ret;
}

static long stv_tce_remove_ioctl(struct stv_container *c, unsigned long arg)
{
	struct vfio_iommu_spapr_tce_remove p;
	long ret;
	int num;

	ret = stv_mm_bind(c);
	if (ret)
		return ret;
	if (list_empty(&c->groups))
		return stv_refuse(c, "no group attached", -ENXIO);
	ret = stv_copy_arg_flags(&p, arg, offsetofend(typeof(p), start_addr), 0);
	if (ret)
		return stv_refuse_arg(c, ret);
	if (!p.start_addr && stv_default_window_cancel(c))
		return 0;
	num = stv_find_window(c, p.start_addr);
	/* No window starts there: EINVAL, as upstream. */
	if (num < 0)
		return stv_refuse(c, "no window starts at start_addr", -EINVAL);
	return stv_remove_window(c, num);
}

static long stv_ioctl_locked(struct stv_container *c, unsigned int cmd,
			     unsigned long arg)
{
	lockdep_assert_held(&c->lock);

	switch (cmd) {
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		return stv_get_info(c, arg);
	case VFIO_IOMMU_MAP_DMA:
	case VFIO_IOMMU_UNMAP_DMA:
		return stv_dma_ioctl(c, cmd, arg);
	case VFIO_EEH_PE_OP:
		return stv_eeh_pe_op(c, arg);
	}
	if (c->v2) {
		switch (cmd) {
		case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
		case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
			return stv_prereg_ioctl(c, cmd, arg);
		case VFIO_IOMMU_SPAPR_TCE_CREATE:
			return stv_tce_create_ioctl(c, arg);
		case VFIO_IOMMU_SPAPR_TCE_REMOVE:
			return stv_tce_remove_ioctl(c, arg);
		}
	} else {
		switch (cmd) {
		case VFIO_IOMMU_ENABLE:
			return stv_enable(c);
		case VFIO_IOMMU_DISABLE:
			stv_disable(c);
			return 0;
		}
	}
	return -ENOTTY;
}

/*
 * Take the container's lock for an ioctl.  It is nearly always free, and
 * mutex_trylock() takes a free one without mutex_lock()'s voluntary
 * preemption point, which on Debian's 6.12 cost QEMU's page-by-page MAP
 * and UNMAP about 40 instructions an ioctl (Documentation/design.rst,
 * "What an ioctl costs"); the system call reschedules on its way out
 * anyway.  The core passes ioctls through holding none of its locks, so
 * lockdep loses no lock order by the trylock; __might_sleep() keeps the
 * debug kernel's check that the caller may sleep.
 */
static __always_inline void stv_ioctl_lock(struct stv_container *c)
{
	__might_sleep(__FILE__, __LINE__);
	if (!mutex_trylock(&c->lock))
		mutex_lock(&c->lock);
}

/**
 * stv_ioctl() - &vfio_iommu_driver_ops.ioctl
 * @data: the container
 * @cmd: the ioctl number
 * @arg: its user argument
 *
 * Return: as documented per ioctl in Documentation/uapi.rst; -EPERM for
 * any process other than the one the container is bound to; -ENOTTY for
 * ioctls this container type does not have; -EINVAL once the container
 * has been released (its last group detached while this call came in).
 */
long stv_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct stv_container *c = data;
	long ret;

	if (cmd == VFIO_CHECK_EXTENSION) {
		switch (arg) {
		case VFIO_SPAPR_TCE_IOMMU:
		case VFIO_SPAPR_TCE_v2_IOMMU:
			return 1;
		case VFIO_EEH:
			return stv_eeh_supported();
		default:
			return 0;
		}
	}

	if (!stv_container_tryget(c))
		return -EINVAL;
	stv_ioctl_lock(c);
	c->refused_by = NULL;
	if (c->released)
		ret = stv_refuse(c, "container already released", -EINVAL);
	else if (c->mm && c->mm != current->mm)
		ret = stv_refuse(c, "caller is not the process the container is bound to",
				 -EPERM);
	else
		ret = stv_ioctl_locked(c, cmd, arg);
	if (ret < 0)
		stv_report_refusal(c, cmd, ret);
	mutex_unlock(&c->lock);
	stv_container_put(c);
	return ret;
}

/**
 * stv_release_container() - undo everything a container did
 * @c: the container; ioctls that still come in find it released
 */
void stv_release_container(struct stv_container *c)
{
	unsigned int tries, left;

	mutex_lock(&c->lock);
	c->released = true;
	/*
	 * The tables may hold entries made since the last group went: ours
	 * (a MAP between ->detach_group and ->release) and KVM's, which
	 * keeps writing a table it holds for as long as its LIOBN is linked.
	 * Clear them, then drop the regions.  KVM can map one of our regions
	 * again between the two, which keeps it busy: clear and try again.
	 * Once a region is dropped KVM can no longer map it (its mapped count
	 * is zero, mm_iommu_mapped_inc() fails).
	 */
	for (tries = 1; ; tries++) {
		stv_clear_windows(c);
		left = stv_unregister_all(c);
		if (!left || tries == STV_RELEASE_TRIES)
			break;
		mutex_unlock(&c->lock);
		cond_resched();
		mutex_lock(&c->lock);
	}
	if (left) {
		pr_info("%u preregistered region(s) still mapped by KVM at release; they are dropped once it unmaps them (unlink the group from its LIOBN before releasing the container)\n",
			left);
		left = stv_orphan_remaining(c);
		if (left)
			pr_warn("%u preregistered region(s) stay pinned until reboot: no memory to keep them\n",
				left);
	}
	stv_free_windows(c);
	stv_disable(c);
	mutex_unlock(&c->lock);
}
