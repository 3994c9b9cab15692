// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the lifetime of a container object.
 *
 * The VFIO core calls ->ioctl without any lock that orders it against
 * ->release: it reads container->iommu_data and calls us, while detaching
 * the last group from another thread releases that same data.  So an
 * ioctl can arrive on, or still be running on, a container that ->release
 * has already torn down.  Two things keep that safe:
 *
 *  - every ioctl holds a reference (@users) from its first instruction in
 *    the module to its return, and ->release only drops the initial one;
 *    the memory goes when the last reference does;
 *  - the memory is freed only after a grace period that a thread still
 *    between the core's read of iommu_data and our reference cannot end:
 *    an RCU-tasks grace period where the kernel has one (it waits for
 *    every task to switch voluntarily, which that short path never
 *    does), else a normal RCU grace period, which suffices on kernels
 *    without preemptible RCU (nothing in that path can schedule).
 *
 * Once released, a container answers every ioctl with -EINVAL, as the
 * core itself does once it has dropped the backend.
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "stv.h"

#if IS_ENABLED(CONFIG_TASKS_RCU)
#define stv_call_rcu	call_rcu_tasks
#define stv_rcu_barrier	rcu_barrier_tasks
#elif !IS_ENABLED(CONFIG_PREEMPT_RCU)
#define stv_call_rcu	call_rcu
#define stv_rcu_barrier	rcu_barrier
#else
#error "preemptible RCU without TASKS_RCU: no grace period covers the core's ioctl path"
#endif

/**
 * stv_container_new() - a container with its initial reference
 * @v2: true for VFIO_SPAPR_TCE_v2_IOMMU
 *
 * Return: the container, or NULL when out of memory.
 */
struct stv_container *stv_container_new(bool v2)
{
	static atomic_t next_id = ATOMIC_INIT(0);
	struct stv_container *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	refcount_set(&c->users, 1);
	mutex_init(&c->lock);
	INIT_LIST_HEAD(&c->groups);
	INIT_LIST_HEAD(&c->preregs);
	hash_init(c->prereg_of);
	c->v2 = v2;
	c->id = atomic_inc_return(&next_id);
	c->owner = task_tgid_nr(current);
	atomic_long_inc(&stv_stats.containers);
	return c;
}

static void stv_container_free(struct rcu_head *head)
{
	kfree(container_of(head, struct stv_container, rcu));
}

/**
 * stv_container_free_last() - the last reference went: free the container
 * @c: the container, released (stv_release_container()) before
 *
 * The slow path of stv_container_put().
 */
void stv_container_free_last(struct stv_container *c)
{
	WARN_ON_ONCE(!c->released);
	if (c->mm)
		mmdrop(c->mm);
	mutex_destroy(&c->lock);
	atomic_long_dec(&stv_stats.containers);
	stv_call_rcu(&c->rcu, stv_container_free);
}

/**
 * stv_container_barrier() - wait for every deferred free; for module exit
 */
void stv_container_barrier(void)
{
	stv_rcu_barrier();
}
