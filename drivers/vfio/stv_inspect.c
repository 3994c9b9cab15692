// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the per-container debugfs view.
 *
 * /sys/kernel/debug/vfio_spapr_tce/containers/<id>/state shows, read-only,
 * what one container holds: its owner and address space, type, groups,
 * windows (with their used entries and charged table memory),
 * preregistered regions (with the entries of this container that map
 * them) and the locked_vm pages it charged itself (v1 ENABLE and table
 * memory; preregistered memory is charged by the platform's mm_iommu
 * code).  <id> is the number the tracepoints and the debug log use.  The
 * format is for people and tests, not an ABI
 * (Documentation/admin-guide.rst).
 *
 * The directory goes before the container is torn down: removing it
 * waits for readers, which take the container lock, so it is removed
 * without that lock held.
 */
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/seq_file.h>
#include <linux/string_helpers.h>

#include "stv.h"

static void stv_inspect_windows(struct seq_file *m, struct stv_container *c)
{
	struct iommu_table *tbl;
	int num;

	for (num = 0; num < STV_MAX_WINDOWS; num++) {
		tbl = c->tables[num];
		if (!tbl)
			continue;
		seq_printf(m, "window %d start 0x%llx size 0x%llx page_shift %lu levels %lu entries_used %lu table_bytes %lu\n",
			   num, (u64)tbl->it_offset << tbl->it_page_shift,
			   (u64)tbl->it_size << tbl->it_page_shift,
			   tbl->it_page_shift, tbl->it_indirect_levels + 1,
			   stv_count_window(c, num),
			   c->table_pages[num] << PAGE_SHIFT);
	}
}

static int stv_inspect_show(struct seq_file *m, void *unused)
{
	struct stv_container *c = m->private;
	unsigned long charged;
	struct stv_prereg *p;
	struct stv_group *g;
	int num;

	mutex_lock(&c->lock);
	seq_printf(m, "container %u\n", c->id);
	seq_printf(m, "owner_pid %d\n", c->owner);
	/* The address space, hashed as %p is: which containers share one. */
	seq_printf(m, "mm %p\n", c->mm);
	seq_printf(m, "type %s\n", c->v2 ? "v2" : "v1");
	seq_printf(m, "enabled %s\n", str_yes_no(c->enabled));
	seq_puts(m, "groups");
	list_for_each_entry(g, &c->groups, node)
		seq_printf(m, " %d", iommu_group_id(g->grp));
	seq_putc(m, '\n');
	stv_inspect_windows(m, c);
	list_for_each_entry(p, &c->preregs, node)
		seq_printf(m, "region ua 0x%llx size 0x%llx entries_mapping_it %lu\n",
			   p->ua, p->size,
			   stv_count_user_range(c, p->ua, p->size, ULONG_MAX));
	charged = c->enable_pages;
	for (num = 0; num < STV_MAX_WINDOWS; num++)
		charged += c->table_pages[num];
	seq_printf(m, "locked_vm_pages %lu\n", charged);
	mutex_unlock(&c->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stv_inspect);

/**
 * stv_inspect_add() - create a new container's debugfs view
 * @c: the container, not yet visible to anyone else
 *
 * A missing debugfs is not an error: the container works without it.
 */
void stv_inspect_add(struct stv_container *c)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", c->id);
	c->debugfs = debugfs_create_dir(name, stv_stats_containers_dir());
	debugfs_create_file("state", 0400, c->debugfs, c, &stv_inspect_fops);
}

/**
 * stv_inspect_remove() - remove a container's debugfs view
 * @c: the container, not locked by the caller
 *
 * Returns once no reader is left in the view.
 */
void stv_inspect_remove(struct stv_container *c)
{
	debugfs_remove_recursive(c->debugfs);
	c->debugfs = NULL;
}
