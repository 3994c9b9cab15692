// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: DMA windows.
 *
 * A window is one platform iommu_table, created through the first
 * group's table_group->ops (so that it has the userspace view KVM needs)
 * and programmed into every attached group at the same slot.  Its table
 * memory is charged to the owner's locked_vm for as long as it exists.
 */
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <asm/firmware.h>

#include "stv.h"
#include "stv_trace.h"

/*
 * The platform's set_window() and unset_window() take and drop references
 * to the table (powernv does, pseries does not): count what they do to
 * @c->table_refs, so that any other holder shows.  The only other one is
 * KVM, for each guest TCE table it links the window to.
 */
static void stv_count_refs(struct stv_container *c, int num,
			   unsigned int before)
{
	c->table_refs[num] += kref_read(&c->tables[num]->it_kref) - before;
}

/**
 * stv_window_set() - program a group with one of the container's windows
 * @c: the container, locked
 * @tg: the group's table group
 * @num: the window's slot
 *
 * Return: 0, or what the platform's set_window() returned.
 */
long stv_window_set(struct stv_container *c, struct iommu_table_group *tg,
		    int num)
{
	unsigned int before = kref_read(&c->tables[num]->it_kref);
	long ret;

	lockdep_assert_held(&c->lock);
	ret = tg->ops->set_window(tg, num, c->tables[num]);
	stv_count_refs(c, num, before);
	return ret;
}

/**
 * stv_window_unset() - take one of the container's windows out of a group
 * @c: the container, locked
 * @tg: the group's table group
 * @num: the window's slot
 */
void stv_window_unset(struct stv_container *c, struct iommu_table_group *tg,
		      int num)
{
	unsigned int before = kref_read(&c->tables[num]->it_kref);

	lockdep_assert_held(&c->lock);
	tg->ops->unset_window(tg, num);
	stv_count_refs(c, num, before);
}

/* Free a window's table; no group is programmed with it any more. */
static void stv_free_table(struct stv_container *c, int num)
{
	stv_release_pins(c, num);
	iommu_tce_table_put(c->tables[num]);
	c->tables[num] = NULL;
	stv_mm_uncharge(c, c->table_pages[num]);
	c->table_pages[num] = 0;
	atomic_long_dec(&stv_stats.tables);
}

static void stv_unset_everywhere(struct stv_container *c, int num)
{
	struct stv_group *g;

	list_for_each_entry(g, &c->groups, node)
		stv_window_unset(c, g->table_group, num);
}

/*
 * Would the pseries platform be asked for a second dynamic window?  It
 * keeps one per PE (one DMA64 property per device node) and fails a
 * second, after allocating a table it then leaks (6.12); when the
 * hypervisor is the one refusing, it also marks the PE as unable to get
 * any dynamic window until reboot.  Slot 0 with the default window's
 * geometry asks for the default window; anything else for a dynamic one.
 */
static bool stv_second_lpar_ddw(struct stv_container *c,
				struct iommu_table_group *tg, int num,
				u32 page_shift, u64 window_size)
{
	struct iommu_table *tbl;
	int i;

	if (!firmware_has_feature(FW_FEATURE_LPAR))
		return false;
	if (num == 0 && page_shift == IOMMU_PAGE_SHIFT_4K &&
	    window_size <= tg->tce32_size)
		return false;
	for (i = 0; i < STV_MAX_WINDOWS; i++) {
		tbl = c->tables[i];
		if (tbl && ((u64)tbl->it_offset << tbl->it_page_shift) !=
			   tg->tce32_start)
			return true;
	}
	return false;
}

/*
 * Charge and create the table of window @num at @levels levels.  Where the
 * platform has no memory for that table (256 GiB of 4K pages at one level
 * is one block of 512 MiB, beyond any single allocation), try again at
 * each further level count it offers, whose blocks are smaller: the levels
 * are how the table is laid out, and nothing the caller sees of the window
 * depends on them.  Returns 0 with *@tbl and its charge in *@pages, or
 * the first attempt's error.
 */
static long stv_new_table(struct stv_container *c,
			  struct iommu_table_group *tg, int num,
			  u32 page_shift, u64 window_size, u32 levels,
			  struct iommu_table **tbl, unsigned long *pages)
{
	u32 asked = levels;
	unsigned long bytes;
	long ret, first = 0;

	for (; levels <= tg->max_levels; levels++) {
		bytes = tg->ops->get_table_size(page_shift, window_size, levels);
		if (!bytes)
			break;
		*pages = DIV_ROUND_UP(bytes, PAGE_SIZE);
		ret = stv_mm_charge(c, *pages);
		if (ret)
			return first ? first : ret;
		ret = tg->ops->create_table(tg, num, page_shift, window_size,
					    levels, tbl);
		if (!ret) {
			if (levels != asked)
				pr_debug("window of 0x%llx bytes: %u levels asked, %u fit\n",
					 window_size, asked, levels);
			return 0;
		}
		stv_mm_uncharge(c, *pages);
		if (!first)
			first = stv_refuse(c, "the platform could not create the table",
					   ret);
		if (ret != -ENOMEM)
			return first;
	}
	if (first)
		return first;
	return stv_refuse(c, "the platform has no table of this geometry (try more levels)",
			  -EINVAL);
}

/* stv_create_window() without its tracepoint. */
static long stv_make_window(struct stv_container *c, u32 page_shift,
			    u64 window_size, u32 levels, u64 *start)
{
	struct iommu_table_group *tg;
	struct iommu_table *tbl = NULL;
	struct stv_group *g;
	unsigned long pages;
	long ret;
	int num;

	lockdep_assert_held(&c->lock);

	for (num = 0; num < STV_MAX_WINDOWS && c->tables[num]; num++)
		;
	if (num == STV_MAX_WINDOWS)
		return stv_refuse(c, "every window slot is in use (remove a window first)",
				  -ENOSPC);

	tg = stv_first_group(c)->table_group;
	ret = stv_check_window_args(tg->pgsizes, tg->max_levels, page_shift,
				    window_size, levels);
	if (ret)
		return stv_refuse(c, "page size, levels or window size not offered",
				  ret);
	if (!tg->ops->set_window || !tg->ops->unset_window ||
	    !tg->ops->get_table_size || !tg->ops->create_table)
		return stv_refuse(c, "the platform cannot create windows",
				  -EPERM);
	if (stv_second_lpar_ddw(c, tg, num, page_shift, window_size))
		return stv_refuse(c, "pseries: a dynamic window exists already",
				  -ENOSPC);

	ret = stv_new_table(c, tg, num, page_shift, window_size, levels,
			    &tbl, &pages);
	if (ret)
		return ret;
	if (WARN_ON_ONCE(!tbl->it_ops->free || !tbl->it_ops->useraddrptr)) {
		ret = -EPERM;
		goto err_put;
	}
	c->tables[num] = tbl;
	c->table_pages[num] = pages;
	/* A new table: KVM cannot have found it yet. */
	c->table_refs[num] = kref_read(&tbl->it_kref);
	atomic_long_inc(&stv_stats.tables);

	list_for_each_entry(g, &c->groups, node) {
		ret = stv_window_set(c, g->table_group, num);
		if (ret)
			goto err_unset;
	}
	*start = (u64)tbl->it_offset << tbl->it_page_shift;
	return num;

err_unset:
	stv_unset_everywhere(c, num);
	stv_free_table(c, num);
	return ret;
err_put:
	iommu_tce_table_put(tbl);
	stv_mm_uncharge(c, pages);
	return ret;
}

/**
 * stv_create_window() - create a window and program it into every group
 * @c: the container, with at least one group and bound to an mm
 * @page_shift: IOMMU page shift
 * @window_size: size in bytes
 * @levels: table levels asked for; more where the platform has no memory
 *	for a table of so few (stv_new_table())
 * @start: where the platform placed the window
 *
 * Return: the window's slot; -ENOSPC when every slot is used (on pseries:
 * when a dynamic window exists already), -EINVAL for a geometry the
 * platform cannot do, -EPERM when it cannot create windows at all,
 * -ENOMEM when RLIMIT_MEMLOCK or memory runs out, or the platform's error.
 */
long stv_create_window(struct stv_container *c, u32 page_shift,
		       u64 window_size, u32 levels, u64 *start)
{
	long ret = stv_make_window(c, page_shift, window_size, levels, start);

	if (ret < 0)
		trace_stv_window_create(c->id, page_shift, window_size, levels,
					0, ret);
	else
		trace_stv_window_create(c->id, page_shift, window_size, levels,
					*start, 0);
	return ret;
}

/**
 * stv_remove_window() - unmap, unprogram and free one window
 * @c: the container
 * @num: the window's slot
 *
 * Return: 0, or -EPERM when a group cannot unset windows.
 */
long stv_remove_window(struct stv_container *c, int num)
{
	struct iommu_table *tbl = c->tables[num];
	struct stv_group *g;

	lockdep_assert_held(&c->lock);

	list_for_each_entry(g, &c->groups, node)
		if (!g->table_group->ops || !g->table_group->ops->unset_window)
			return stv_refuse(c, "a group's platform cannot remove windows",
					  -EPERM);

	trace_stv_window_remove(c->id,
				(u64)tbl->it_offset << tbl->it_page_shift, 0);
	stv_clear(c, tbl, tbl->it_offset, tbl->it_size);
	stv_unset_everywhere(c, num);
	stv_free_table(c, num);
	return 0;
}

/*
 * The default window.  Attaching the first group arms it: it is created
 * lazily, on the first operation that needs a window, so that userspace
 * can remove it (TCE_REMOVE at 0) before it ever exists.  An operation
 * that may create it brackets itself with stv_default_window_begin() and,
 * when it fails, stv_default_window_abort(), so that a failed call leaves
 * no trace, not even the window (and its charged table memory).  Only
 * this file reads or writes the pending state.
 */

/**
 * stv_default_window_arm() - the first group came: a default window is due
 * @c: the container, whose group list is still empty
 */
void stv_default_window_arm(struct stv_container *c)
{
	lockdep_assert_held(&c->lock);

	if (list_empty(&c->groups) && !c->tables[0])
		c->def_window_pending = true;
}

/**
 * stv_default_window_begin() - create the default window if it is due
 * @c: the container
 * @was_pending: set to whether it was due, for stv_default_window_abort()
 *
 * Return: 0, -ENODEV without a group, or an error of stv_create_window().
 */
long stv_default_window_begin(struct stv_container *c, bool *was_pending)
{
	struct iommu_table_group *tg;
	u64 start = 0;
	long ret;

	lockdep_assert_held(&c->lock);

	*was_pending = c->def_window_pending;
	if (!c->def_window_pending)
		return 0;
	if (list_empty(&c->groups))
		return -ENODEV;
	tg = stv_first_group(c)->table_group;
	ret = stv_create_window(c, IOMMU_PAGE_SHIFT_4K, tg->tce32_size, 1,
				&start);
	if (ret < 0)
		return ret;
	WARN_ON_ONCE(start != tg->tce32_start);
	c->def_window_pending = false;
	return 0;
}

/**
 * stv_default_window_abort() - the operation failed: make the default
 * window due again if it created it
 * @c: the container
 * @was_pending: what stv_default_window_begin() set
 */
void stv_default_window_abort(struct stv_container *c, bool was_pending)
{
	int num;

	lockdep_assert_held(&c->lock);

	if (!was_pending || c->def_window_pending)
		return;
	num = stv_find_window(c, stv_first_group(c)->table_group->tce32_start);
	if (num >= 0 && !stv_remove_window(c, num))
		c->def_window_pending = true;
}

/**
 * stv_default_window_cancel() - TCE_REMOVE of a default window not made yet
 * @c: the container
 *
 * Return: true when the window was due and now will not be created.
 */
bool stv_default_window_cancel(struct stv_container *c)
{
	lockdep_assert_held(&c->lock);

	if (!c->def_window_pending)
		return false;
	c->def_window_pending = false;
	return true;
}

/**
 * stv_clear_windows() - clear every entry of every window
 * @c: the container
 *
 * Whoever made an entry, this container or KVM, what it held is released
 * from the userspace view (stv_clear()).
 */
void stv_clear_windows(struct stv_container *c)
{
	struct iommu_table *tbl;
	int i;

	lockdep_assert_held(&c->lock);

	for (i = 0; i < STV_MAX_WINDOWS; i++) {
		tbl = c->tables[i];
		if (tbl)
			stv_clear(c, tbl, tbl->it_offset, tbl->it_size);
	}
}

/**
 * stv_free_windows() - free every window of a container with no groups
 * @c: the container, being released
 */
void stv_free_windows(struct stv_container *c)
{
	int i;

	lockdep_assert_held(&c->lock);

	for (i = 0; i < STV_MAX_WINDOWS; i++)
		if (c->tables[i])
			stv_free_table(c, i);
}
