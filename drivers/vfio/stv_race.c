// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: race points (stv_race.h), built for the debug lane.
 *
 * /sys/kernel/debug/vfio_spapr_tce/race takes the name of a point
 * ("view_read", "exchanged", "region_made") to arm it, or "release";
 * reading it gives "idle", "armed <point>" or "parked <point>".  One
 * point is armed at a time, and one task stops there: the first to reach
 * it, which disarms it.  A task that nobody releases goes on by itself
 * after STV_RACE_TIMEOUT, so a test that dies cannot hang the container.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "stv_race.h"

#define STV_RACE_TIMEOUT	(10 * HZ)

static const char * const stv_race_names[STV_RACE_NR] = {
	[STV_RACE_VIEW_READ] = "view_read",
	[STV_RACE_EXCHANGED] = "exchanged",
	[STV_RACE_REGION_MADE] = "region_made",
};

/* The armed point and the point a task is stopped at; STV_RACE_NR: none. */
static atomic_t stv_race_armed = ATOMIC_INIT(STV_RACE_NR);
static atomic_t stv_race_parked = ATOMIC_INIT(STV_RACE_NR);
static DECLARE_COMPLETION(stv_race_go);

/**
 * stv_race_point() - stop here if a test armed @p
 * @p: the point reached
 *
 * Context: process context; may sleep, with the container lock held.
 */
void stv_race_point(enum stv_race_point p)
{
	if (atomic_read(&stv_race_armed) != p ||
	    atomic_cmpxchg(&stv_race_armed, p, STV_RACE_NR) != p)
		return;
	atomic_set(&stv_race_parked, p);
	if (!wait_for_completion_timeout(&stv_race_go, STV_RACE_TIMEOUT))
		pr_warn("race point %s not released in %d s; going on\n",
			stv_race_names[p], STV_RACE_TIMEOUT / HZ);
	atomic_set(&stv_race_parked, STV_RACE_NR);
}

static int stv_race_show(struct seq_file *m, void *unused)
{
	int parked = atomic_read(&stv_race_parked);
	int armed = atomic_read(&stv_race_armed);

	if (parked < STV_RACE_NR)
		seq_printf(m, "parked %s\n", stv_race_names[parked]);
	else if (armed < STV_RACE_NR)
		seq_printf(m, "armed %s\n", stv_race_names[armed]);
	else
		seq_puts(m, "idle\n");
	return 0;
}

static int stv_race_open(struct inode *inode, struct file *file)
{
	return single_open(file, stv_race_show, NULL);
}

static ssize_t stv_race_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[16];
	int p;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (!strcmp(strim(buf), "release")) {
		atomic_set(&stv_race_armed, STV_RACE_NR);
		complete(&stv_race_go);
		return len;
	}
	p = match_string(stv_race_names, STV_RACE_NR, strim(buf));
	if (p < 0)
		return -EINVAL;
	reinit_completion(&stv_race_go);
	atomic_set(&stv_race_armed, p);
	return len;
}

static const struct file_operations stv_race_fops = {
	.owner		= THIS_MODULE,
	.open		= stv_race_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.write		= stv_race_write,
	.release	= single_release,
};

/**
 * stv_race_init() - create the control file
 * @dir: the module's debugfs directory (removed with it)
 */
void stv_race_init(struct dentry *dir)
{
	debugfs_create_file("race", 0600, dir, NULL, &stv_race_fops);
}
