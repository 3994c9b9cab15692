// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: binding a container to an address space, and charging
 * what it pins to that address space's locked_vm.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "stv.h"

/**
 * stv_mm_bind() - bind the container to the caller's address space
 * @c: the container
 *
 * The first process that needs the container's memory accounting owns
 * it from then on; any other process is refused.
 *
 * Return: 0, -EPERM for a foreign process, -ESRCH for a kernel thread.
 */
int stv_mm_bind(struct stv_container *c)
{
	lockdep_assert_held(&c->lock);

	if (c->mm)
		return c->mm == current->mm ? 0 :
		       stv_refuse(c, "container bound to another process",
				  -EPERM);
	if (!current->mm)
		return stv_refuse(c, "no address space (kernel thread)",
				  -ESRCH);
	mmgrab(current->mm);
	c->mm = current->mm;
	return 0;
}

/**
 * stv_mm_charge() - charge pages to the owner's locked_vm
 * @c: a container bound to an address space
 * @pages: number of system pages
 *
 * Return: 0, or -ENOMEM when RLIMIT_MEMLOCK would be exceeded by a
 * process without CAP_IPC_LOCK.
 */
int stv_mm_charge(struct stv_container *c, unsigned long pages)
{
	lockdep_assert_held(&c->lock);

	if (!pages)
		return 0;
	if (account_locked_vm(c->mm, pages, true))
		return stv_refuse(c, "RLIMIT_MEMLOCK too low for the locked memory this needs",
				  -ENOMEM);
	return 0;
}

/**
 * stv_mm_uncharge() - return pages charged by stv_mm_charge()
 * @c: the container
 * @pages: number of system pages
 */
void stv_mm_uncharge(struct stv_container *c, unsigned long pages)
{
	lockdep_assert_held(&c->lock);

	if (pages && c->mm)
		account_locked_vm(c->mm, pages, false);
}
