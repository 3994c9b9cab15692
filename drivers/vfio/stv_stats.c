// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: module-wide counters.
 *
 * Shown in /sys/kernel/debug/vfio_spapr_tce/stats so that tests can prove
 * that every container, table, pin and mapping was returned.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "stv.h"
#include "stv_race.h"

struct stv_stats stv_stats;
static struct dentry *stv_debugfs;
static struct dentry *stv_containers;

/**
 * stv_stats_containers_dir() - where the per-container views go
 *
 * Return: the directory, or an error pointer that debugfs calls accept.
 */
struct dentry *stv_stats_containers_dir(void)
{
	return stv_containers;
}

static int stv_stats_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "containers %ld\n",
		   atomic_long_read(&stv_stats.containers));
	seq_printf(m, "tables %ld\n", atomic_long_read(&stv_stats.tables));
	seq_printf(m, "pinned_pages %ld\n",
		   atomic_long_read(&stv_stats.pinned_pages));
	seq_printf(m, "orphan_regions %ld\n",
		   atomic_long_read(&stv_stats.orphan_regions));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stv_stats);

/**
 * stv_stats_init() - create the debugfs view of the counters
 *
 * Return: 0; a missing debugfs is not an error.
 */
int stv_stats_init(void)
{
	stv_debugfs = debugfs_create_dir("vfio_spapr_tce", NULL);
	debugfs_create_file("stats", 0444, stv_debugfs, NULL,
			    &stv_stats_fops);
	stv_containers = debugfs_create_dir("containers", stv_debugfs);
	stv_race_init(stv_debugfs);
	return 0;
}

/**
 * stv_stats_exit() - remove the debugfs view
 */
void stv_stats_exit(void)
{
	debugfs_remove_recursive(stv_debugfs);
}
