// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: mapping and clearing the entries of a TCE table.
 *
 * The userspace view of a table (one big-endian user address per entry,
 * kept by the platform next to the hardware table) is the record of what
 * is mapped: we write it on every map and clear, and so do KVM's
 * in-kernel H_PUT_TCE handlers.  Clearing therefore only visits entries
 * whose user address is non-zero, and skips whole unallocated levels of
 * multi-level tables, so it costs what is mapped, not the window size.
 *
 * A MAP either installs every entry of its range or none: entries that
 * are in use make it fail with -EBUSY, and any failure unwinds what the
 * call itself installed.
 */
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/firmware.h>
#include <asm/mmu_context.h>

#include "stv.h"

/* Pages pinned per pin_user_pages_fast() call: one page of pointers. */
#define STV_PIN_BATCH	(PAGE_SIZE / sizeof(struct page *))

/* Small maps (QEMU's userspace path maps page by page) use the stack. */
#define STV_PIN_SMALL	16

/*
 * What the userspace view holds for an entry v1 MAP pinned: this tag
 * plus the physical address of the pinned page, not a user address.
 *
 * KVM's in-kernel H_PUT_TCE/H_STUFF_TCE handlers read the view of any
 * table linked to a LIOBN, v1 or v2, and take the value to be a user
 * address inside a preregistered region whenever mm_iommu_lookup() finds
 * one for it; clearing the entry then drops a mapping count of that
 * region.  mm_iommu_lookup() checks only that the address lies inside a
 * region, so the tag must put the value outside every region: bit 63 is
 * above any user address (TASK_SIZE_USER64 is 4 PiB).  KVM finds no
 * region for a tagged entry and leaves it to the VMM (H_TOO_HARD).
 *
 * Only this file writes tagged values, so a tagged view entry means the
 * pin is still ours, whatever KVM did to the TCE itself (its H_PUT_TCE
 * error path can zero the TCE but never the view): clearing the view
 * releases the pin, from the view's own record of the page.  Untagged
 * entries (v2 MAP, or KVM's handlers, in any container) hold a mapping
 * count on a preregistered region instead.
 */
#define STV_UA_PINNED	BIT_ULL(63)

/* Entries scanned between two cond_resched() calls. */
#define STV_SCAN_CHUNK	4096UL

static long stv_errno(long ret)
{
	/* On pseries (an LPAR) exchanges return PAPR hcall statuses. */
	return stv_xchg_errno(ret, firmware_has_feature(FW_FEATURE_LPAR));
}

/*
 * Install @hpa at @entry and record @view in the userspace view (the user
 * address, or the tagged page of a v1 pin).  Fails with
 * -EBUSY when the entry is in use, so that a MAP never replaces a
 * mapping it did not make.
 */
static long stv_install(struct stv_container *c, struct iommu_table *tbl,
			unsigned long entry, unsigned long hpa,
			unsigned long view, enum dma_data_direction dir)
{
	__be64 *pua = IOMMU_TABLE_USERSPACE_ENTRY(tbl, entry);
	enum dma_data_direction old = dir;
	unsigned long val = hpa;
	long ret;

	if (!pua)
		return -ENOMEM;
	if (READ_ONCE(*pua))
		return -EBUSY;
	ret = iommu_tce_xchg_no_kill(c->mm, tbl, entry, &val, &old);
	if (ret)
		return stv_errno(ret);
	if (old != DMA_NONE) {
		/* KVM mapped it under our feet: put its entry back. */
		iommu_tce_xchg_no_kill(c->mm, tbl, entry, &val, &old);
		return -EBUSY;
	}
	WRITE_ONCE(*pua, cpu_to_be64(view));
	return 0;
}

/* Drop the pin of a v1 entry whose view held @tagged. */
static void stv_unpin_entry(unsigned long tagged)
{
	unpin_user_page(pfn_to_page((tagged & ~STV_UA_PINNED) >> PAGE_SHIFT));
	atomic_long_dec(&stv_stats.pinned_pages);
}

/* Drop the mapping count an entry of user address @ua held on its region. */
static void stv_region_unmap(struct stv_container *c, struct iommu_table *tbl,
			     unsigned long ua)
{
	struct mm_iommu_table_group_mem_t *mem;

	mem = mm_iommu_lookup(c->mm, ua, 1UL << tbl->it_page_shift);
	if (mem)
		mm_iommu_mapped_dec(mem);
}

/* Queue @entry for invalidation, invalidating the previous run if needed. */
static void stv_kill_add(struct iommu_table *tbl, struct stv_run *run,
			 unsigned long entry)
{
	if (stv_run_extend(run, entry))
		return;
	iommu_tce_kill(tbl, run->start, run->len);
	run->start = entry;
	run->len = 1;
}

/* Clear one entry and release what it held; 0 or the exchange's errno. */
static long stv_clear_one(struct stv_container *c, struct iommu_table *tbl,
			  unsigned long entry, __be64 *pua)
{
	unsigned long view = be64_to_cpu(READ_ONCE(*pua));
	enum dma_data_direction dir = DMA_NONE;
	unsigned long hpa = 0;
	long ret;

	ret = iommu_tce_xchg_no_kill(c->mm, tbl, entry, &hpa, &dir);
	if (ret)
		return stv_errno(ret);
	WRITE_ONCE(*pua, 0);
	if (view & STV_UA_PINNED)
		stv_unpin_entry(view);
	else if (dir != DMA_NONE)
		stv_region_unmap(c, tbl, view);
	return 0;
}

/**
 * stv_clear() - unmap every used entry of a range
 * @c: the container owning @tbl
 * @tbl: the table
 * @entry: first entry (absolute, including the window's offset)
 * @npages: number of entries
 *
 * Entries mapped by KVM are cleared too.  The caller has checked that the
 * range lies in the window.  An entry the platform refuses to clear keeps
 * its mapping, its pin or region count and its view, so that a later
 * clear can still release it; the others are cleared regardless.
 *
 * Return: 0, or the errno of the first entry that could not be cleared.
 */
long stv_clear(struct stv_container *c, struct iommu_table *tbl,
	       unsigned long entry, unsigned long npages)
{
	unsigned long end = entry + npages;
	struct stv_run run = { 0, 0 };
	long ret = 0, err;

	lockdep_assert_held(&c->lock);

	while (entry < end) {
		unsigned long stop = min(end, entry + STV_SCAN_CHUNK);
		unsigned long n, i;
		__be64 *pua;

		if (tbl->it_indirect_levels) {
			/* Leaf levels are it_level_size entries each. */
			unsigned long idx = entry - tbl->it_offset;
			unsigned long leaf_end = (idx | (tbl->it_level_size - 1)) + 1;

			stop = min(stop, leaf_end + tbl->it_offset);
		}
		pua = IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, entry);
		if (pua) {
			n = stop - entry;
			for (i = stv_next_used(pua, 0, n); i < n;
			     i = stv_next_used(pua, i + 1, n)) {
				err = stv_clear_one(c, tbl, entry + i, pua + i);
				if (!err)
					stv_kill_add(tbl, &run, entry + i);
				else if (!ret)
					ret = err;
			}
		}
		entry = stop;
		cond_resched();
	}
	if (run.len)
		iommu_tce_kill(tbl, run.start, run.len);
	return ret;
}

/*
 * Pin the system pages behind @n IOMMU pages starting at @ua, one pin per
 * entry: pages[i] backs entry i.  IOMMU pages of the system page size are
 * pinned with one call; other sizes one entry at a time.
 */
static long stv_pin(unsigned long ua, unsigned long n, unsigned int shift,
		    enum dma_data_direction dir, struct page **pages)
{
	unsigned int gup = dir == DMA_TO_DEVICE ? 0 : FOLL_WRITE;
	unsigned long i;
	int got;

	if (shift == PAGE_SHIFT) {
		got = pin_user_pages_fast(ua, n, gup, pages);
		if (got == n)
			return 0;
		if (got > 0)
			unpin_user_pages(pages, got);
		return -EFAULT;
	}
	for (i = 0; i < n; i++) {
		got = pin_user_pages_fast((ua + (i << shift)) & PAGE_MASK, 1,
					  gup, &pages[i]);
		if (got != 1) {
			unpin_user_pages(pages, i);
			return -EFAULT;
		}
	}
	return 0;
}

/* Does one IOMMU page at @hpa lie inside one physically contiguous page? */
static bool stv_contained(struct mm_struct *mm, unsigned long hpa,
			  unsigned int shift)
{
	unsigned long size = 0;
	struct page *page;

	if (mm_iommu_is_devmem(mm, hpa, shift, &size))
		return size == (1UL << shift);
	if (shift <= PAGE_SHIFT)
		return true;
	page = pfn_to_page(hpa >> PAGE_SHIFT);
	return page_shift(compound_head(page)) >= shift &&
	       !(hpa & ((1UL << shift) - 1));
}

/**
 * stv_map_v1() - pin user memory and map it (v1 containers)
 * @c: the container, enabled
 * @tbl: the window's table
 * @entry: first entry
 * @ua: user address of the first IOMMU page
 * @npages: number of IOMMU pages
 * @dir: DMA direction
 *
 * Return: 0 with every entry mapped, or a negative errno with none.
 */
long stv_map_v1(struct stv_container *c, struct iommu_table *tbl,
		unsigned long entry, unsigned long ua, unsigned long npages,
		enum dma_data_direction dir)
{
	unsigned int shift = tbl->it_page_shift;
	struct page *small[STV_PIN_SMALL], **pages = small;
	unsigned long done = 0, i = 0, n, batch = STV_PIN_SMALL;
	long ret = 0;

	lockdep_assert_held(&c->lock);

	if (npages > STV_PIN_SMALL) {
		pages = (struct page **)__get_free_page(GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
		batch = STV_PIN_BATCH;
	}

	while (done < npages) {
		unsigned long base = ua + (done << shift);

		n = min(npages - done, batch);
		ret = stv_pin(base, n, shift, dir, pages);
		if (ret)
			break;
		atomic_long_add(n, &stv_stats.pinned_pages);
		for (i = 0; i < n; i++) {
			unsigned long cur = base + (i << shift);
			unsigned long hpa = page_to_phys(pages[i]) +
					    (cur & ~PAGE_MASK);

			if (!stv_contained(c->mm, hpa, shift)) {
				ret = -EPERM;
				break;
			}
			ret = stv_install(c, tbl, entry + done + i, hpa,
					  hpa | STV_UA_PINNED, dir);
			if (ret)
				break;
		}
		if (ret) {
			unpin_user_pages(pages + i, n - i);
			atomic_long_sub(n - i, &stv_stats.pinned_pages);
			done += i;
			break;
		}
		done += n;
		cond_resched();
	}
	if (pages != small)
		free_page((unsigned long)pages);

	if (ret)
		stv_clear(c, tbl, entry, done);
	else
		iommu_tce_kill(tbl, entry, npages);
	return ret;
}

/**
 * stv_map_v2() - map preregistered user memory (v2 containers)
 * @c: the container
 * @tbl: the window's table
 * @entry: first entry
 * @ua: user address of the first IOMMU page
 * @npages: number of IOMMU pages
 * @dir: DMA direction
 *
 * The preregistered region is looked up once for the whole range, and
 * again only where the range leaves it.  Only regions this container
 * registered count (stv_registered_here()).
 *
 * Return: 0 with every entry mapped, or a negative errno with none:
 * -EINVAL where the memory is not in a region this container registered,
 * or starts at user address 0;
 * -EBUSY also when the region is being unregistered concurrently.
 */
long stv_map_v2(struct stv_container *c, struct iommu_table *tbl,
		unsigned long entry, unsigned long ua, unsigned long npages,
		enum dma_data_direction dir)
{
	unsigned int shift = tbl->it_page_shift;
	struct mm_iommu_table_group_mem_t *mem;
	unsigned long i;
	long ret = 0;

	lockdep_assert_held(&c->lock);

	/*
	 * The view records an entry by its user address, and 0 reads as an
	 * unused entry that no clear would ever visit.
	 */
	if (!ua)
		return -EINVAL;
	mem = mm_iommu_lookup(c->mm, ua, npages << shift);
	if (mem && !stv_registered_here(c, mem))
		mem = NULL;
	for (i = 0; i < npages; i++) {
		unsigned long cur = ua + (i << shift), hpa;

		if (!mem || mm_iommu_ua_to_hpa(mem, cur, shift, &hpa)) {
			mem = mm_iommu_lookup(c->mm, cur, 1UL << shift);
			if (!mem || !stv_registered_here(c, mem) ||
			    mm_iommu_ua_to_hpa(mem, cur, shift, &hpa)) {
				ret = -EINVAL;
				break;
			}
		}
		if (!stv_contained(c->mm, hpa, shift)) {
			ret = -EPERM;
			break;
		}
		if (mm_iommu_mapped_inc(mem)) {
			ret = -EBUSY;
			break;
		}
		ret = stv_install(c, tbl, entry + i, hpa, cur, dir);
		if (ret) {
			mm_iommu_mapped_dec(mem);
			break;
		}
		if (!(i & (STV_SCAN_CHUNK - 1)))
			cond_resched();
	}

	if (ret)
		stv_clear(c, tbl, entry, i);
	else
		iommu_tce_kill(tbl, entry, npages);
	return ret;
}
