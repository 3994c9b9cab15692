// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: preregistered regions whose container is gone.
 *
 * A container's release drops the reference it holds on each region it
 * registered, but the platform refuses while any TCE still maps the
 * region.  Once our own tables are cleared, such a TCE is KVM's: a guest
 * whose LIOBN is linked to another container's group (or still to this
 * container's freed table) mapped the region in the kernel, since KVM
 * finds regions by address in the whole process.  Such a region cannot
 * stay with the container, which is about to be freed, nor be forgotten,
 * which would leave it pinned and charged until reboot.  It becomes an
 * orphan: this file keeps the reference, with the address space, and
 * drops it as soon as the region is no longer mapped.
 *
 * That is tried again whenever one of our clears drops a mapping count
 * (stv_orphans_retry()), and once a second otherwise, for mappings that
 * KVM itself clears.
 *
 * Lock order: a container's lock, then stv_orphans_lock, then the
 * platform's mm_iommu lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/mmu_context.h>

#include "stv.h"

#define STV_ORPHAN_RETRY	HZ

/**
 * struct stv_orphan - a region reference whose container is gone
 * @node: link in stv_orphans
 * @mm: the region's address space, grabbed for as long as the reference
 * @mem: the region
 */
struct stv_orphan {
	struct list_head node;
	struct mm_struct *mm;
	struct mm_iommu_table_group_mem_t *mem;
};

static LIST_HEAD(stv_orphans);
static DEFINE_MUTEX(stv_orphans_lock);	/* protects stv_orphans */

static void stv_orphans_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(stv_orphans_work, stv_orphans_work_fn);

/**
 * stv_orphan_region() - keep a region reference past its container
 * @mm: the container's address space
 * @mem: the region; the caller's reference passes to the orphan list
 *
 * Return: 0, or -ENOMEM (the reference then stays with the caller).
 */
long stv_orphan_region(struct mm_struct *mm,
		       struct mm_iommu_table_group_mem_t *mem)
{
	struct stv_orphan *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	mmgrab(mm);
	o->mm = mm;
	o->mem = mem;
	mutex_lock(&stv_orphans_lock);
	list_add_tail(&o->node, &stv_orphans);
	atomic_long_inc(&stv_stats.orphan_regions);
	mutex_unlock(&stv_orphans_lock);
	schedule_delayed_work(&stv_orphans_work, STV_ORPHAN_RETRY);
	return 0;
}

/**
 * stv_orphans_drop() - drop every orphan the platform lets go
 *
 * The slow path of stv_orphans_retry(), taken when there are orphans.
 *
 * Return: true when some are left.
 */
bool stv_orphans_drop(void)
{
	struct stv_orphan *o, *tmp;
	bool left;

	mutex_lock(&stv_orphans_lock);
	list_for_each_entry_safe(o, tmp, &stv_orphans, node) {
		if (mm_iommu_put(o->mm, o->mem))
			continue;
		list_del(&o->node);
		atomic_long_dec(&stv_stats.orphan_regions);
		mmdrop(o->mm);
		kfree(o);
	}
	left = !list_empty(&stv_orphans);
	mutex_unlock(&stv_orphans_lock);
	return left;
}

static void stv_orphans_work_fn(struct work_struct *work)
{
	if (stv_orphans_drop())
		schedule_delayed_work(&stv_orphans_work, STV_ORPHAN_RETRY);
}

/**
 * stv_orphans_exit() - last try at module exit
 *
 * A region still mapped then stays pinned, with its address space
 * grabbed, until reboot; that is said in the log.
 */
void stv_orphans_exit(void)
{
	cancel_delayed_work_sync(&stv_orphans_work);
	if (stv_orphans_drop())
		pr_warn("%ld preregistered region(s) still mapped by KVM at unload: they stay pinned until reboot\n",
			atomic_long_read(&stv_stats.orphan_regions));
}
