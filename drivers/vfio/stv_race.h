/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spapr-tce-vfio: race points, for the debug lane's tests only.
 *
 * A race point is a place where KVM may act, without any lock we share,
 * on what we are in the middle of: a clear's table entry and view, or a
 * region REGISTER has just made.  Built with
 * STV_RACE_POINTS=1 (tools/testbed/build-module.sh does for the debug
 * kernel), a test can arm one point through debugfs; the next task to
 * reach it stops there until the test has made its guest's hcall and
 * releases it.  Without it, stv_race_point() is empty and nothing is
 * created.
 */
#ifndef STV_RACE_H
#define STV_RACE_H

struct dentry;

/**
 * enum stv_race_point - the places a test can stop a clear at
 * @STV_RACE_VIEW_READ: stv_clear_one() has read the view and not yet
 *	exchanged the entry
 * @STV_RACE_EXCHANGED: stv_clear_one() has taken the entry out of the
 *	table and accounted for it, and not yet zeroed its view
 * @STV_RACE_REGION_MADE: stv_register() has the region, which KVM can
 *	find already, and has not yet looked at its pages
 * @STV_RACE_NR: the number of points
 */
enum stv_race_point {
	STV_RACE_VIEW_READ,
	STV_RACE_EXCHANGED,
	STV_RACE_REGION_MADE,
	STV_RACE_NR,
};

#ifdef STV_RACE_POINTS
void stv_race_point(enum stv_race_point p);
void stv_race_init(struct dentry *dir);
#else
static inline void stv_race_point(enum stv_race_point p) { }
static inline void stv_race_init(struct dentry *dir) { }
#endif

#endif /* STV_RACE_H */
