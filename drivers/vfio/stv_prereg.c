// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: memory preregistration (v2).
 *
 * Regions live in the platform's per-mm list (mm_iommu), where KVM's
 * in-kernel handlers find them too; the platform pins them long-term and
 * charges them to locked_vm.  A container records the regions it
 * registered, holding one reference on each, and drops them on release.
 * The records are listed in order and hashed by region: MAP asks, for
 * every call, whether this container registered the region it found.
 */
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/mmu_context.h>

#include "stv.h"
#include "stv_race.h"

/* Forget a region that left the container, and free its record. */
static void stv_prereg_free(struct stv_prereg *p)
{
	list_del(&p->node);
	hash_del(&p->hnode);
	kfree(p);
}

/* Record @mem, registered at @vaddr for @size bytes, as this container's. */
static void stv_prereg_add(struct stv_container *c, struct stv_prereg *p,
			   struct mm_iommu_table_group_mem_t *mem, u64 vaddr,
			   u64 size)
{
	p->mem = mem;
	p->ua = vaddr;
	p->size = size;
	list_add(&p->node, &c->preregs);
	hash_add(c->prereg_of, &p->hnode, (unsigned long)mem);
	c->enabled = true;
}

/* The largest IOMMU page size the KVM and VFIO code may ask a region for. */
#define STV_REGION_SHIFT_MAX	40

/*
 * Is every page of @mem, the region at @ua of @entries system pages, at
 * least as large as the largest IOMMU page the platform accepts in it?
 *
 * mm_iommu_ua_to_hpa() accepts an IOMMU page size up to mem->pageshift,
 * which mm_iommu_do_alloc() lowers to each page's size as it pins them;
 * but its page size is not reset per page, so the small pages after a
 * hugetlb page count at the hugetlb size (iommu_api.c, lines 150 to 157
 * in 6.1.176, 6.12 and 7.2.13).  Our MAP also asks each page's own size
 * (stv_contained()); KVM's in-kernel H_PUT_TCE and H_PUT_TCE_INDIRECT do
 * not (kvmppc_tce_validate(), kvmppc_tce_iommu_do_map()), so a guest can
 * map a 64K IOMMU page over a 4K page there (or 2M over 64K), and the
 * device reach the host memory after it (the selftests' kvm_huge shows
 * it).  A region whose record overstates its pages is refused.
 *
 * Only a region that accepts more than a system page at its start is
 * walked, one page (of whatever size) per step.
 */
static bool stv_region_pages_fit(struct mm_struct *mm,
				 struct mm_iommu_table_group_mem_t *mem,
				 unsigned long ua, unsigned long entries)
{
	unsigned long end = ua + (entries << PAGE_SHIFT), va = ua, hpa;
	unsigned int accepted = PAGE_SHIFT, shift;
	unsigned long steps = 0, devsize;
	struct page *page;

	while (accepted < STV_REGION_SHIFT_MAX &&
	       !mm_iommu_ua_to_hpa(mem, ua, accepted + 1, &hpa))
		accepted++;
	if (accepted == PAGE_SHIFT)
		return true;
	/* Device memory: mem->pageshift is its alignment, and true. */
	if (mm_iommu_is_devmem(mm, hpa, PAGE_SHIFT, &devsize))
		return true;
	while (va < end) {
		if (mm_iommu_ua_to_hpa(mem, va, PAGE_SHIFT, &hpa))
			return false;
		page = pfn_to_page(hpa >> PAGE_SHIFT);
		shift = PageHuge(page) ? page_shift(compound_head(page)) :
					 PAGE_SHIFT;
		if (shift < accepted)
			return false;
		va = (va | ((1UL << shift) - 1)) + 1;
		if (!(++steps % 4096))
			cond_resched();
	}
	return true;
}

/**
 * stv_register() - VFIO_IOMMU_SPAPR_REGISTER_MEMORY
 * @c: the container, bound to the caller's mm
 * @vaddr: start of the region, page aligned (checked by the caller with
 *	stv_check_user_range())
 * @size: length, page aligned, not zero
 *
 * Registering exactly a region that another container of the same mm
 * registered shares it.  The container counts as enabled afterwards.
 *
 * Return: 0; -EINVAL for a range overlapping another region, or one
 * whose pages are smaller than the platform's record of them says
 * (stv_region_pages_fit()); -EBUSY when this container registered the
 * region already; -ENOMEM over RLIMIT_MEMLOCK; -EFAULT when the memory
 * cannot be pinned.
 */
long stv_register(struct stv_container *c, u64 vaddr, u64 size)
{
	struct mm_iommu_table_group_mem_t *mem;
	unsigned long entries = size >> PAGE_SHIFT;
	struct stv_prereg *p;
	long ret;

	lockdep_assert_held(&c->lock);

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;

	mem = mm_iommu_get(c->mm, vaddr, entries);
	if (mem) {
		if (stv_registered_here(c, mem)) {
			ret = stv_refuse(c, "region already registered by this container",
					 -EBUSY);
			goto err_put;
		}
	} else {
		ret = mm_iommu_new(c->mm, vaddr, entries, &mem);
		if (ret) {
			stv_refuse(c, "overlap, memlock limit or pinning",
				   ret);
			goto err_free;
		}
		p->made_here = true;
	}
	stv_race_point(STV_RACE_REGION_MADE);
	if (!stv_region_pages_fit(c->mm, mem, vaddr, entries)) {
		ret = stv_refuse(c, "pages smaller than the region's first hugetlb page",
				 -EINVAL);
		goto err_let_go;
	}
	stv_prereg_add(c, p, mem, vaddr, size);
	return 0;

err_let_go:
	/*
	 * KVM finds the region from the moment mm_iommu_new() made it, and
	 * may map it before the refusal (design.rst, "Interleavings with
	 * KVM"): then the put fails, and the region goes to the orphans,
	 * dropped once nothing maps it.  Without the memory for that, this
	 * container keeps it until release.
	 */
	if (mm_iommu_put(c->mm, mem) && stv_orphan_region(c->mm, mem)) {
		stv_prereg_add(c, p, mem, vaddr, size);
		return ret;
	}
	goto err_free;
err_put:
	mm_iommu_put(c->mm, mem);
err_free:
	kfree(p);
	return ret;
}

/**
 * stv_unregister() - VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY
 * @c: the container
 * @vaddr: start of a region registered by this container (checked as for
 *	stv_register())
 * @size: its exact length
 *
 * A region two containers registered stays registered for the other
 * one; it must not leave this one while this one's entries still map it,
 * or the other's UNREGISTER (or release) could never drop it.
 *
 * Return: 0; -ENOENT when this container did not register exactly this
 * region; -EBUSY while any of it is mapped, through this container's
 * tables or, once no other container holds the region, through any.
 */
long stv_unregister(struct stv_container *c, u64 vaddr, u64 size)
{
	struct mm_iommu_table_group_mem_t *mem;
	struct stv_prereg *p;
	long ret;

	lockdep_assert_held(&c->lock);

	mem = mm_iommu_get(c->mm, vaddr, size >> PAGE_SHIFT);
	if (!mem)
		return stv_refuse(c, "no region registered with this vaddr and size",
				  -ENOENT);
	p = stv_registered_here(c, mem);
	/* Drop the lookup's reference first, so that the put of ours below
	 * is the one that sees whether the region is still mapped.
	 */
	mm_iommu_put(c->mm, mem);
	if (!p)
		return stv_refuse(c, "region not registered by this container",
				  -ENOENT);
	if (stv_maps_user_range(c, vaddr, size))
		return stv_refuse(c, "region still mapped by this container's windows",
				  -EBUSY);
	ret = mm_iommu_put(c->mm, mem);
	if (ret)
		return stv_refuse(c, "region still mapped (by KVM or another container)",
				  ret);
	stv_prereg_free(p);
	return 0;
}

/*
 * Let go of every region of a container being released, each through
 * @let_go (0 when the region left the container); the number left.
 */
static unsigned int stv_let_go_all(struct stv_container *c,
				   long (*let_go)(struct mm_struct *mm,
						  struct mm_iommu_table_group_mem_t *mem))
{
	struct stv_prereg *p, *tmp;
	unsigned int left = 0;

	lockdep_assert_held(&c->lock);

	list_for_each_entry_safe(p, tmp, &c->preregs, node) {
		if (let_go(c->mm, p->mem)) {
			left++;
			continue;
		}
		stv_prereg_free(p);
	}
	return left;
}

/**
 * stv_orphan_remaining() - pass the regions still mapped to the orphans
 * @c: the container being released, once stv_unregister_all() gave up
 *
 * Return: the number of regions that could not be passed (no memory);
 * their references stay held, and the regions pinned, until reboot.
 */
unsigned int stv_orphan_remaining(struct stv_container *c)
{
	return stv_let_go_all(c, stv_orphan_region);
}

/**
 * stv_unregister_all() - drop every region of a container being released
 * @c: the container, its tables just cleared
 *
 * A region that still has mappings stays on the list: KVM may have mapped
 * it into one of our tables after they were cleared (stv_release_container()
 * clears them again and retries), or into another container's table.
 *
 * Return: the number of regions left.
 */
unsigned int stv_unregister_all(struct stv_container *c)
{
	return stv_let_go_all(c, mm_iommu_put);
}
