// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: mapping and clearing the entries of a TCE table.
 *
 * The userspace view of a table (one big-endian value per entry, kept by
 * the platform next to the hardware table) records which entries are
 * mapped: we write it on every map and clear, and so do KVM's in-kernel
 * H_PUT_TCE handlers.  Clearing therefore only visits entries whose view
 * is non-zero, and skips whole unallocated levels of multi-level tables,
 * so it costs what is mapped, not the window size.  What a v1 entry
 * pinned is recorded apart, in the window's pin record (stv_pins.c).
 *
 * A MAP either installs every entry of its range or none: entries that
 * are in use make it fail with -EBUSY, and any failure unwinds what the
 * call itself installed.
 */
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/firmware.h>
#include <asm/mmu_context.h>

#include "stv.h"
#include "stv_race.h"

/* Pages pinned per pin_user_pages_fast() call: one page of pointers. */
#define STV_PIN_BATCH	(PAGE_SIZE / sizeof(struct page *))

/* Small maps (QEMU's userspace path maps page by page) use the stack. */
#define STV_PIN_SMALL	16

/*
 * What the userspace view holds for an entry v1 MAP pinned: this tag
 * plus the physical address of the pinned page, not a user address.
 * The pin itself is recorded in the window's &struct stv_pins only.
 *
 * KVM's in-kernel H_PUT_TCE/H_STUFF_TCE handlers read the view of any
 * table linked to a LIOBN, v1 or v2, and take the value to be a user
 * address inside a preregistered region whenever mm_iommu_lookup() finds
 * one for it; clearing the entry then drops a mapping count of that
 * region.  mm_iommu_lookup() checks only that the address lies inside a
 * region, so the tag must put the value outside every region: bit 63 is
 * above any user address (TASK_SIZE_USER64 is 4 PiB).  KVM finds no
 * region for a tagged entry, so its clear puts the entry back and leaves
 * it to the VMM (H_TOO_HARD).
 *
 * KVM's map does not look at the old value: it replaces a tagged view
 * with its own user address (and may have zeroed the TCE before, on an
 * H_PUT_TCE that failed).  That is why the view cannot be the record of
 * the pin.  Untagged view values, in any container, are user addresses
 * whose entry holds a mapping count on a preregistered region.
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
 * The entry at which the leaf of @tbl holding @entry ends: leaf levels
 * are it_level_size entries each, and a table of one level is one leaf.
 */
static inline unsigned long stv_leaf_end(struct iommu_table *tbl,
					 unsigned long entry)
{
	unsigned long idx = entry - tbl->it_offset;

	return tbl->it_offset + (tbl->it_indirect_levels ?
				 (idx | (tbl->it_level_size - 1)) + 1 :
				 tbl->it_size);
}

/*
 * A MAP's place in the userspace view: @pua is the view of the entry the
 * MAP asked for last, and the entries after it up to @stop lie in the same
 * leaf, their views one after the other.  Zeroed, it holds no leaf.
 */
struct stv_view_cursor {
	__be64 *pua;
	unsigned long stop;
};

/*
 * Move @cur to the leaf of the view holding @entry, allocating it if need
 * be, through the platform's useraddrptr walk.  Return: the view of
 * @entry, or NULL when there is no memory for the leaf.
 */
static __always_inline __be64 *stv_view_leaf(struct iommu_table *tbl,
					     struct stv_view_cursor *cur,
					     unsigned long entry)
{
	cur->pua = IOMMU_TABLE_USERSPACE_ENTRY(tbl, entry);
	cur->stop = cur->pua ? stv_leaf_end(tbl, entry) : 0;
	return cur->pua;
}

/*
 * The view of @entry, for a MAP that asks for its entries one after the
 * other, each once: @entry is the one after the entry asked for last, or
 * the first.  One walk per leaf, not one per entry (on powernv the walk
 * is most of what the view costs), and within a leaf the view is the next
 * doubleword.
 */
static inline __be64 *stv_view_for_map(struct iommu_table *tbl,
				       struct stv_view_cursor *cur,
				       unsigned long entry)
{
	if (entry < cur->stop)
		return ++cur->pua;
	return stv_view_leaf(tbl, cur, entry);
}

/* A MAP's refusal where a leaf of the view could not be allocated. */
static long stv_refuse_no_view(struct stv_container *c)
{
	return stv_refuse(c, "no memory for the table's userspace view",
			  -ENOMEM);
}

/*
 * Store @v into the view at @pua, big-endian, with one byte-reversed store
 * (stdbrx).  WRITE_ONCE() of cpu_to_be64() is a volatile store, which GCC
 * does not fuse with the byte swap: it swaps in registers first, ten
 * instructions on the POWER8 the kernels are built for, on every entry a
 * MAP makes.  The store stays one aligned doubleword store, as
 * WRITE_ONCE()'s: KVM's own view stores are byte-reversed stores too, and
 * our reads of the view rely on each being single-copy atomic.
 */
static __always_inline void stv_view_write(__be64 *pua, u64 v)
{
	asm volatile("stdbrx %1,%y0" : "=Z" (*pua) : "r" (v));
}

/*
 * Install *@hpa at @entry, whose view is @pua (not NULL), and record @view
 * there (the user address, or the tagged page of a v1 pin).  *@hpa is the
 * exchange's own argument, so it holds what the entry held before on
 * return: the caller's copy of the address is spent.  Fails with -EBUSY
 * when the entry is in use, so that a MAP never replaces a mapping it did
 * not make.  Inline: as a call it cost QEMU's page-by-page MAP about 45
 * instructions an ioctl.
 */
static __always_inline long stv_install(struct stv_container *c,
					struct iommu_table *tbl,
					unsigned long entry, __be64 *pua,
					unsigned long *hpa, unsigned long view,
					enum dma_data_direction dir)
{
	enum dma_data_direction old = dir;
	long ret;

	if (READ_ONCE(*pua))
		return stv_refuse(c, "IOVA already mapped (unmap it first)",
				  -EBUSY);
	/*
	 * The platform's exchange itself, not iommu_tce_xchg_no_kill(),
	 * whose only other work is to mark dirty the page the entry held
	 * when that was mapped for the device to write: an install that
	 * succeeds replaced an unused entry, and one that fails puts the
	 * entry back at once.  The wrapper's call, frame and stack guard
	 * cost every page of a MAP 55 to 56 instructions.
	 */
	ret = tbl->it_ops->xchg_no_kill(tbl, entry, hpa, &old);
	if (ret)
		return stv_refuse(c, "the platform refused the TCE",
				  stv_errno(ret));
	if (old != DMA_NONE) {
		/*
		 * KVM mapped it under our feet: put its entry back, through
		 * the wrapper, which marks our page dirty, as the device may
		 * have written it meanwhile.
		 */
		iommu_tce_xchg_no_kill(c->mm, tbl, entry, hpa, &old);
		return stv_refuse(c, "IOVA mapped by KVM meanwhile", -EBUSY);
	}
	stv_view_write(pua, view);
	return 0;
}

/* Drop one pin that v1 MAP took. */
static void stv_unpin(struct page *page)
{
	unpin_user_page(page);
	atomic_long_dec(&stv_stats.pinned_pages);
}

/*
 * Times stv_view_reread() reads the view again, waiting for KVM's write, when
 * the entry the exchange returned is not the one the view described.
 */
#define STV_VIEW_REREADS	64

/**
 * struct stv_region_hint - the region a clear found last
 * @last: the container's record of it, NULL before one was found
 * @looked_up: a lookup was made in this clear already
 */
struct stv_region_hint {
	struct stv_prereg *last;
	bool looked_up;
};

/*
 * The region that holds the @size bytes at user address @v.  A clear
 * looks up one region per entry, and consecutive entries mostly lie in
 * one region: @hint holds the container's record of the region this
 * clear found last, and an address inside it needs no lookup.  Regions of one
 * mm never overlap (mm_iommu_new() refuses that), so the hint's region
 * is the one the lookup would return.  The records cannot change during
 * a clear: UNREGISTER needs the container's lock, which the clear holds.
 * A region only another container registered (KVM may map through any
 * region of the mm) is looked up every time.  The record is looked for
 * from the second lookup of a clear on: a clear of one entry, QEMU's
 * page-by-page UNMAP, would only pay for it.
 */
static noinline struct mm_iommu_table_group_mem_t *
stv_region_lookup(struct stv_container *c, u64 v, u64 size,
		  struct stv_region_hint *hint)
{
	struct mm_iommu_table_group_mem_t *mem;
	struct stv_prereg *p;

	mem = mm_iommu_lookup(c->mm, v, size);
	if (!hint->looked_up) {
		hint->looked_up = true;
		return mem;
	}
	p = mem ? stv_registered_here(c, mem) : NULL;
	if (p)
		hint->last = p;
	return mem;
}

/* The hint's region answers inline; a lookup is a call. */
static __always_inline struct mm_iommu_table_group_mem_t *
stv_region_at(struct stv_container *c, u64 v, u64 size,
	      struct stv_region_hint *hint)
{
	struct stv_prereg *p = hint->last;

	if (p && v - p->ua < p->size && size <= p->size - (v - p->ua))
		return p->mem;
	return stv_region_lookup(c, v, size, hint);
}

/*
 * Does untagged view value @v, a user address that KVM or v2 MAP
 * translated through its preregistered region, describe a TCE of
 * address @hpa?  The region, whose mapping count the entry holds, is
 * returned in *@mem.  The two addresses are compared above the IOMMU
 * page's offset with a shift: building the mask costs more.
 */
static __always_inline bool
stv_region_says(struct stv_container *c, struct iommu_table *tbl, u64 v,
		unsigned long hpa, struct mm_iommu_table_group_mem_t **mem,
		struct stv_region_hint *hint)
{
	unsigned int shift = tbl->it_page_shift;
	unsigned long pa;

	*mem = stv_region_at(c, v, 1UL << shift, hint);
	if (!*mem || stv_region_ua_to_hpa(*mem, v, shift, &pa))
		return false;
	return !((pa ^ hpa) >> shift);
}

/*
 * Does view value @v describe a TCE of address @hpa?  A tagged value
 * holds the page v1 pinned; any other is a user address
 * (stv_region_says(), which returns its region in *@mem).
 */
static __always_inline bool
stv_view_says(struct stv_container *c, struct iommu_table *tbl, u64 v,
	      unsigned long hpa, struct mm_iommu_table_group_mem_t **mem,
	      struct stv_region_hint *hint)
{
	*mem = NULL;
	if (v & STV_UA_PINNED)
		return !((v ^ hpa) & IOMMU_PAGE_MASK(tbl) & ~STV_UA_PINNED);
	return stv_region_says(c, tbl, v, hpa, mem, hint);
}

/*
 * The view value that describes the live entry our exchange just took
 * out (@hpa), when the value read before the exchange did not, and in
 * *@mem the region whose mapping count that entry held (NULL for a v1
 * pin); 0 when no value is found to describe it.
 *
 * A guest's H_PUT_TCE replaced the entry between that read and our
 * exchange, so we took KVM's new entry; KVM writes its user address into
 * the view right after its own exchange: read the view again, a few
 * times, until it says the same.  The old entry is KVM's to account for.
 * If nothing matches, the count is kept: the region then stays
 * registered until the process goes (safe), instead of losing a count
 * that a live entry holds.
 */
static u64 stv_view_reread(struct stv_container *c, struct iommu_table *tbl,
			   __be64 *pua, unsigned long hpa,
			   struct mm_iommu_table_group_mem_t **mem,
			   struct stv_region_hint *hint)
{
	u64 view;
	int reread;

	for (reread = 0; reread < STV_VIEW_REREADS; reread++) {
		cpu_relax();
		view = be64_to_cpu(READ_ONCE(*pua));
		if (view && stv_view_says(c, tbl, view, hpa, mem, hint))
			return view;
	}
	*mem = NULL;
	return 0;
}

/*
 * Zero the view of an entry we cleared, unless KVM wrote it since we read
 * @was: a later H_PUT_TCE that found the entry empty then made a live
 * entry there, and its view must stay for a later clear to find.
 *
 * The compare cannot see a guest that mapped the very same user address
 * at the entry again after our exchange: its value equals @view.  So when
 * an untagged value was zeroed in a table KVM holds (more references than
 * @own, ours and the platform's), look at the table once more, after the
 * fully ordered compare-exchange: KVM takes its reference before any of
 * its hcalls can reach the table, and exchanges the TCE before it writes
 * the view, so a live entry here is one KVM made since our exchange, and
 * its address goes back into the view.  Tagged values (@pinned) are
 * ours alone; KVM never writes one.  @was is the value as stored
 * (big-endian), which the caller has already: swapping bytes costs nine
 * instructions an entry.
 */
static __always_inline void
stv_view_forget(struct iommu_table *tbl, unsigned long entry, __be64 *pua,
		__be64 was, bool pinned, unsigned int own)
{
	if (cmpxchg((__force u64 *)pua, (__force u64)was, 0) !=
	    (__force u64)was || pinned ||
	    kref_read(&tbl->it_kref) == own)
		return;
	if (tbl->it_ops->get && tbl->it_ops->get(tbl, entry))
		cmpxchg((__force u64 *)pua, 0, (__force u64)was);
}

/* Drop the counts of the region that @rel gathers, where nothing waits. */
static inline void stv_release_region(struct stv_release *rel)
{
	if (rel->region)
		stv_region_mapped_sub(rel->region, rel->region_counts);
	rel->region = NULL;
	rel->region_counts = 0;
}

/*
 * Invalidate the cleared entries, then release what they held.  The
 * counts of one region that follow each other in @rel->held go in one
 * atomic operation.
 */
static void stv_release_now(struct iommu_table *tbl, struct stv_release *rel)
{
	unsigned int i, j;
	unsigned long h;

	stv_release_region(rel);
	if (!rel->run.len)
		return;		/* nothing was cleared, so nothing is held */
	iommu_tce_kill(tbl, rel->run.start, rel->run.len);
	rel->run.len = 0;
	if (rel->n > 1 && !rel->nregions) {
		/* Pages only: one reference update per folio, not per page. */
		unpin_user_pages((struct page **)rel->held, rel->n);
		atomic_long_sub(rel->n, &stv_stats.pinned_pages);
		rel->n = 0;
	}
	for (i = 0; i < rel->n; i = j) {
		h = rel->held[i];
		j = i + 1;
		if (!(h & STV_HELD_REGION)) {
			stv_unpin((struct page *)h);
			continue;
		}
		while (j < rel->n && rel->held[j] == h)
			j++;
		stv_region_mapped_sub((void *)(h & ~STV_HELD_REGION), j - i);
	}
	rel->n = 0;
	rel->nregions = 0;
}

/*
 * Add a cleared @entry, and the pin or region count it held, to @rel.  A
 * full batch is invalidated and released first; a run of entries that
 * breaks is invalidated at once (one invalidation per contiguous run).
 * So whenever @rel holds anything, its run is not empty.  Where the
 * platform has no invalidation to make (pseries: the hypervisor's
 * H_PUT_TCE does it), a region's counts are gathered in @rel->region
 * instead, and dropped together when the entries move to another region
 * or the batch is released (one atomic operation a region rather than an
 * entry: 5 instructions an entry of a v2 clear of 256 MiB on pseries-p9,
 * icount); pages are still batched, for unpin_user_pages().
 */
static __always_inline void
stv_release_add(struct iommu_table *tbl, struct stv_release *rel,
		unsigned long entry, struct page *page,
		struct mm_iommu_table_group_mem_t *mem)
{
	if (mem && !tbl->it_ops->tce_kill) {
		if (mem != rel->region) {
			stv_release_region(rel);
			rel->region = mem;
		}
		rel->region_counts++;
		mem = NULL;
	}
	if ((page || mem) && rel->n + !!page + !!mem > STV_RELEASE_BATCH)
		stv_release_now(tbl, rel);
	if (!stv_run_extend(&rel->run, entry)) {
		iommu_tce_kill(tbl, rel->run.start, rel->run.len);
		rel->run.start = entry;
		rel->run.len = 1;
	}
	if (page)
		rel->held[rel->n++] = (unsigned long)page;
	if (mem) {
		rel->held[rel->n++] = (unsigned long)mem | STV_HELD_REGION;
		rel->nregions++;
	}
}

/*
 * Take @entry out of the table, with the platform's own exchange op, and
 * return in @hpa and @dir what it held.  The exported wrapper around the
 * op, iommu_tce_xchg_no_kill(), would also mark the page dirty; its
 * call, frame and stack guard cost every cleared entry 33 to 35
 * instructions, and the page is marked here by stv_mark_dirty(), once
 * the view has said what the entry held.  The wrapper's text is checked
 * per kernel (tools/compat/check-layouts.sh).
 */
static __always_inline long stv_take_out(struct iommu_table *tbl,
					 unsigned long entry,
					 unsigned long *hpa,
					 enum dma_data_direction *dir)
{
	*hpa = 0;
	*dir = DMA_NONE;
	return tbl->it_ops->xchg_no_kill(tbl, entry, hpa, dir);
}

/*
 * *@p in stored (big-endian) byte order, with one byte-reversed load.
 * Where the value is needed in CPU order too, GCC loads it once and
 * swaps it with a sequence of nine instructions instead.
 */
static __always_inline __be64 stv_load_be64(const unsigned long *p)
{
	__be64 v;

	asm("ldbrx %0,0,%1" : "=r" (v) : "r" (p), "m" (*p));
	return v;
}

/*
 * As iommu_tce_xchg_no_kill() does, mark dirty the page a cleared entry
 * held when it was mapped for the device to write, unless it is device
 * memory, which has no page to mark.  The wrapper tells device memory
 * with mm_iommu_is_devmem(), a walk of every region of the mm.  @is_page
 * skips the walk where the view already said what the entry held: a v1
 * pin (pin_user_pages() pins only memory that has pages) or a region
 * this container made (&stv_prereg.made_here).  That saves a clear of
 * 256 MiB 18 to 24 instructions an entry with one region, and DPDK's
 * release of 4,096 one-page regions about 29,000 a region (icount).
 * Called while the entry's pin or region count is still held.
 */
static __always_inline void stv_mark_dirty(struct mm_struct *mm,
					   struct iommu_table *tbl,
					   unsigned long hpa,
					   enum dma_data_direction dir,
					   bool is_page)
{
	unsigned long size;

	if (dir != DMA_FROM_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	if (is_page || !mm_iommu_is_devmem(mm, hpa, tbl->it_page_shift, &size))
		SetPageDirty(pfn_to_page(hpa >> PAGE_SHIFT));
}

/*
 * The rest of a clear once the exchange took the entry out and the view
 * value that describes what it held is known: @was, as stored (0 when
 * none does), @pinned when it is tagged (a v1 pin), and @mem its region.
 * Marks the page dirty, zeroes the view unless KVM wrote it since, and
 * queues the pin or region count on @rel, released after the
 * invalidation.
 */
static __always_inline void
stv_clear_finish(struct stv_container *c, struct iommu_table *tbl, int num,
		 unsigned long entry, __be64 *pua, struct stv_release *rel,
		 struct stv_region_hint *hint, unsigned long hpa,
		 enum dma_data_direction dir, __be64 was, bool pinned,
		 struct mm_iommu_table_group_mem_t *mem)
{
	struct stv_pins *pins = &c->pins[num];
	struct page *page;

	if (dir != DMA_NONE)
		stv_mark_dirty(c->mm, tbl, hpa, dir,
			       pinned ||
			       (mem && hint->last && hint->last->mem == mem &&
				hint->last->made_here));
	stv_race_point(STV_RACE_EXCHANGED);
	if (was)
		stv_view_forget(tbl, entry, pua, was, pinned,
				c->table_refs[num]);
	/* v2 records no pins: skip the lookup. */
	page = pins->count ? stv_pins_swap(pins, entry - tbl->it_offset, NULL) :
			     NULL;
	stv_release_add(tbl, rel, entry, page, mem);
}

/*
 * stv_clear_one()'s rare case, out of line: the view read before the
 * exchange does not describe what it took out (stv_view_reread()).
 */
static noinline void
stv_clear_raced(struct stv_container *c, struct iommu_table *tbl, int num,
		unsigned long entry, __be64 *pua, struct stv_release *rel,
		struct stv_region_hint *hint, unsigned long hpa,
		enum dma_data_direction dir)
{
	struct mm_iommu_table_group_mem_t *mem = NULL;
	u64 view = stv_view_reread(c, tbl, pua, hpa, &mem, hint);

	stv_clear_finish(c, tbl, num, entry, pua, rel, hint, hpa, dir,
			 cpu_to_be64(view), view & STV_UA_PINNED, mem);
}

/*
 * Clear one entry and queue what it held on @rel; 0 or the exchange's
 * errno.  @hint carries the last region found from entry to entry
 * (stv_region_at()).  What to release is decided from what the exchange
 * returned, since KVM may have mapped over the entry since its view was
 * read; and the view is zeroed only if it still holds the value
 * accounted for (Documentation/design.rst, "Interleavings with KVM").
 * The pin is released only after the exchange took the entry out of the
 * table, and after its invalidation.  The common case, the view read
 * before the exchange describing what it took out, runs straight
 * through, with the view's compare, stv_view_forget() and the hint's
 * check inline; the raced case is a call.  With both cases in one loop, a
 * cleared entry cost 22 instructions more for v1 and 13 more for v2
 * (icount, 2026-12-01).
 *
 * A v1 pin's view is compared as stored, with @pin_mask, the table's
 * page mask less the tag, in stored byte order: the address the
 * exchange returned is what is swapped, and it is read from memory,
 * where POWER swaps as it loads (stv_load_be64()).  Swapping the view
 * costs a sequence of nine instructions, which only v2's values, user
 * addresses to look up, still need.
 */
static long stv_clear_one(struct stv_container *c, struct iommu_table *tbl,
			  int num, unsigned long entry, __be64 *pua,
			  struct stv_release *rel, struct stv_region_hint *hint,
			  __be64 pin_mask)
{
	struct mm_iommu_table_group_mem_t *mem = NULL;
	__be64 was = READ_ONCE(*pua);
	enum dma_data_direction dir;
	unsigned long hpa;
	long ret;
	u64 view;

	stv_race_point(STV_RACE_VIEW_READ);
	ret = stv_take_out(tbl, entry, &hpa, &dir);
	if (ret)
		return stv_errno(ret);
	if (was & cpu_to_be64(STV_UA_PINNED)) {
		if (dir != DMA_NONE &&
		    unlikely((was ^ stv_load_be64(&hpa)) & pin_mask))
			goto raced;
		stv_clear_finish(c, tbl, num, entry, pua, rel, hint, hpa, dir,
				 was, true, NULL);
		return 0;
	}
	view = be64_to_cpu(was);
	if (dir != DMA_NONE &&
	    unlikely(!view || !stv_region_says(c, tbl, view, hpa, &mem, hint)))
		goto raced;
	stv_clear_finish(c, tbl, num, entry, pua, rel, hint, hpa, dir, was,
			 false, mem);
	return 0;

raced:
	stv_clear_raced(c, tbl, num, entry, pua, rel, hint, hpa, dir);
	return 0;
}

/*
 * Release the pins of a range whose view is empty: KVM mapped over the
 * v1 entry and cleared its own mapping again, so the table no longer
 * holds the page (see stv_pins.c).  An entry whose view is still set is
 * one the platform refused to clear; its pin stays.
 */
static void stv_release_orphans(struct iommu_table *tbl, struct stv_pins *pins,
				unsigned long entry, unsigned long end)
{
	unsigned long idx = entry - tbl->it_offset, stop = end - tbl->it_offset;
	unsigned long seen = 0;
	__be64 *pua;

	for (idx = stv_pins_next(pins, idx, stop); idx < stop;
	     idx = stv_pins_next(pins, idx + 1, stop)) {
		pua = IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, idx + tbl->it_offset);
		if (!pua || !READ_ONCE(*pua))
			stv_unpin(stv_pins_swap(pins, idx, NULL));
		if (!(++seen % STV_SCAN_CHUNK))
			cond_resched();
	}
}

/**
 * stv_release_pins() - unpin every page a window's record still holds
 * @c: the container
 * @num: the window's slot, programmed into no group any more
 *
 * With no group programmed, the hardware cannot reach the table, so even
 * the pins of entries the platform refused to clear can go.  Frees the
 * record.
 */
void stv_release_pins(struct stv_container *c, int num)
{
	struct stv_pins *pins = &c->pins[num];
	unsigned long idx, size = c->tables[num]->it_size;

	lockdep_assert_held(&c->lock);

	/*
	 * The record counts its pins, and a clear of the window mostly left
	 * none.  Walking only when the count is not 0, and counting only the
	 * chunks that hold something in stv_pins_destroy(), took 16 to 17
	 * instructions per mapped entry off a v1 teardown (icount,
	 * 2026-12-02).  stv_pins_destroy() still finds a pin the count
	 * missed.
	 */
	for (idx = pins->count ? stv_pins_next(pins, 0, size) : size;
	     idx < size; idx = stv_pins_next(pins, idx + 1, size))
		stv_unpin(stv_pins_swap(pins, idx, NULL));
	WARN_ON_ONCE(stv_pins_destroy(pins));
}

/*
 * The first entry from @entry on, before @end, whose leaf of the view is
 * allocated; @end when there is none.  For multi-level tables only, the
 * only ones with unallocated leaves (powernv allocates levels as entries
 * are first written, ours and KVM's alike; stv_view_block() asks first);
 * a missing upper-level word skips every entry below it at once
 * (stv_view_level_below() has the shape).
 */
static unsigned long stv_view_next_leaf(struct iommu_table *tbl,
					unsigned long entry, unsigned long end)
{
	unsigned long idx = entry - tbl->it_offset, last = end - tbl->it_offset;
	unsigned long slots = tbl->it_level_size - 1;
	unsigned int shift = ilog2(tbl->it_level_size), level, at = 0;
	__be64 *words, word;

	if (!tbl->it_userspace)
		return end;
	while (idx < last) {
		words = tbl->it_userspace;
		for (level = tbl->it_indirect_levels; level; level--) {
			at = level * shift;
			word = READ_ONCE(words[(idx >> at) & slots]);
			if (!word)
				break;
			words = stv_view_level_below(word);
		}
		if (!level)
			return idx + tbl->it_offset;
		idx = ((idx >> at) + 1) << at;
	}
	return end;
}

/*
 * The view of the entries from *@entry on that lie in one allocated leaf
 * of the table and one scan chunk, ending before @end.  *@entry first
 * moves past leaves that are not allocated (stv_view_next_leaf()), and
 * *@stop is set to where the block ends.  NULL when nothing is allocated
 * before @end (then *@entry and *@stop are @end), or when the view is
 * missing: nothing is mapped there.
 */
static inline __be64 *stv_view_block(struct iommu_table *tbl,
				     unsigned long *entry, unsigned long end,
				     unsigned long *stop)
{
	/* One level is one leaf: no call for the page-sized UNMAP's block. */
	if (tbl->it_indirect_levels)
		*entry = stv_view_next_leaf(tbl, *entry, end);
	*stop = min(end, *entry + STV_SCAN_CHUNK);
	if (*entry >= end)
		return NULL;
	/* One level is one leaf, which the block cannot leave. */
	if (tbl->it_indirect_levels)
		*stop = min(*stop, stv_leaf_end(tbl, *entry));
	return IOMMU_TABLE_USERSPACE_ENTRY_RO(tbl, *entry);
}

/*
 * Entries of @tbl whose view holds a user address in [@ua, @ua + @size)
 * (any address when @size is 0), up to @max.  v1 entries hold no user
 * address (their view value is tagged) and count only when @size is 0.
 */
static unsigned long stv_count_view(struct iommu_table *tbl, u64 ua, u64 size,
				    unsigned long max)
{
	unsigned long entry, end, stop, n, i, found = 0;
	__be64 *pua;
	u64 v;

	end = tbl->it_offset + tbl->it_size;
	for (entry = tbl->it_offset; entry < end && found < max; entry = stop) {
		pua = stv_view_block(tbl, &entry, end, &stop);
		n = stop - entry;
		for (i = pua ? stv_next_used(pua, 0, n) : n; i < n && found < max;
		     i = stv_next_used(pua, i + 1, n)) {
			v = be64_to_cpu(READ_ONCE(pua[i]));
			if (!size || (!(v & STV_UA_PINNED) && v - ua < size))
				found++;
		}
		cond_resched();
	}
	return found;
}

/**
 * stv_count_user_range() - entries of the container mapping user memory
 * @c: the container
 * @ua: start of the range
 * @size: its length; 0 counts every used entry, v1 ones included
 * @max: stop counting there
 *
 * Every used entry of every window is looked at, whoever made it: entries
 * KVM made in our tables hold the region too.
 *
 * Return: the number of entries, at most @max.
 */
unsigned long stv_count_user_range(struct stv_container *c, u64 ua, u64 size,
				   unsigned long max)
{
	unsigned long found = 0;
	int num;

	lockdep_assert_held(&c->lock);

	for (num = 0; num < STV_MAX_WINDOWS && found < max; num++)
		if (c->tables[num])
			found += stv_count_view(c->tables[num], ua, size,
						max - found);
	return found;
}

/**
 * stv_count_window() - used entries of one window, whoever made them
 * @c: the container
 * @num: the window's slot, which holds a table
 *
 * Return: the number of entries whose view is set.
 */
unsigned long stv_count_window(struct stv_container *c, int num)
{
	lockdep_assert_held(&c->lock);

	return stv_count_view(c->tables[num], 0, 0, ULONG_MAX);
}

/**
 * stv_maps_user_range() - does an entry of the container map user memory
 * in a range?
 * @c: the container
 * @ua: start of the range
 * @size: its length, not 0
 *
 * Return: true when some entry's user address lies in [@ua, @ua + @size).
 */
bool stv_maps_user_range(struct stv_container *c, u64 ua, u64 size)
{
	return stv_count_user_range(c, ua, size, 1);
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
 * clear can still release it; the others are cleared regardless.  What
 * cleared entries held is released after they are invalidated
 * (&struct stv_release).
 *
 * Return: 0, or the errno of the first entry that could not be cleared.
 */
long stv_clear(struct stv_container *c, struct iommu_table *tbl,
	       unsigned long entry, unsigned long npages)
{
	unsigned long start = entry, end = entry + npages, stop, n, i;
	unsigned long scanned = 0;
	int num = stv_window_num(c, tbl);
	struct stv_pins *pins = &c->pins[num];
	struct stv_release *rel = &c->release;
	struct stv_region_hint hint = { NULL, false };
	__be64 pin_mask = cpu_to_be64(IOMMU_PAGE_MASK(tbl) & ~STV_UA_PINNED);
	long ret = 0, err;
	__be64 *pua;

	lockdep_assert_held(&c->lock);

	for (; entry < end; entry = stop) {
		pua = stv_view_block(tbl, &entry, end, &stop);
		n = stop - entry;
		for (i = pua ? stv_next_used(pua, 0, n) : n; i < n;
		     i = stv_next_used(pua, i + 1, n)) {
			err = stv_clear_one(c, tbl, num, entry + i, pua + i,
					    rel, &hint, pin_mask);
			if (err && !ret)
				ret = err;
		}
		/*
		 * Every STV_SCAN_CHUNK entries scanned, between blocks only:
		 * a page-sized UNMAP never waits here, nor does each small
		 * unallocated leaf of a multi-level table.
		 */
		scanned += n;
		if (stop < end && scanned >= STV_SCAN_CHUNK) {
			cond_resched();
			scanned = 0;
		}
	}
	stv_release_now(tbl, rel);
	if (pins->count)
		stv_release_orphans(tbl, pins, start, end);
	stv_orphans_retry();
	return ret;
}

/* Pin the system page behind each of @n IOMMU pages from @ua, a call each. */
static long stv_pin_each(unsigned long ua, unsigned long n, unsigned int shift,
			 unsigned int gup, struct page **pages)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (pin_user_pages_fast((ua + (i << shift)) & PAGE_MASK, 1, gup,
					&pages[i]) != 1) {
			unpin_user_pages(pages, i);
			return -EFAULT;
		}
	}
	return 0;
}

/*
 * Pin @np whole system pages from @ua (page aligned) @per times each, a
 * call per round, and lay the pins out entry by entry: pages[p * @per + r]
 * is page p.  Round r first lands in pages[r * @np + p], so every round must
 * have found the pages the first did; where the memory changed between two
 * rounds the pins are dropped and 1 returned, for stv_pin_each() to redo.
 */
static long stv_pin_rounds(unsigned long ua, unsigned long np,
			   unsigned long per, unsigned int gup,
			   struct page **pages)
{
	unsigned long p, r;
	struct page *page;
	int got;

	for (r = 0; r < per; r++) {
		got = pin_user_pages_fast(ua, np, gup, pages + r * np);
		if (got != np) {
			if (got > 0)
				unpin_user_pages(pages + r * np, got);
			unpin_user_pages(pages, r * np);
			return -EFAULT;
		}
	}
	for (r = 1; r < per; r++) {
		for (p = 0; p < np; p++) {
			if (pages[r * np + p] != pages[p]) {
				unpin_user_pages(pages, np * per);
				return 1;
			}
		}
	}
	/* From the last page down: page p is read before any slot above it. */
	for (p = np; p-- > 0;) {
		page = pages[p];
		for (r = 0; r < per; r++)
			pages[p * per + r] = page;
	}
	return 0;
}

/*
 * Pin the system pages behind @n IOMMU pages starting at @ua, one pin per
 * entry: pages[i] backs entry i.  IOMMU pages of the system page size are
 * pinned with one call.  Smaller ones (4K IOMMU pages on a 64K kernel) need
 * a pin each of the same system page: the system pages the range covers
 * whole take a call per IOMMU page they hold, and only the entries at the
 * range's two ends take a call each (all of them, in a range too short to
 * cover a system page).  Larger ones, one entry at a time.
 */
static long stv_pin(unsigned long ua, unsigned long n, unsigned int shift,
		    enum dma_data_direction dir, struct page **pages)
{
	unsigned int gup = dir == DMA_TO_DEVICE ? 0 : FOLL_WRITE;
	unsigned long per, head, np, whole;
	long ret;
	int got;

	if (shift == PAGE_SHIFT) {
		got = pin_user_pages_fast(ua, n, gup, pages);
		if (got == n)
			return 0;
		if (got > 0)
			unpin_user_pages(pages, got);
		return -EFAULT;
	}
	if (shift > PAGE_SHIFT || n < 1UL << (PAGE_SHIFT - shift))
		return stv_pin_each(ua, n, shift, gup, pages);

	per = 1UL << (PAGE_SHIFT - shift);
	head = min(n, ((PAGE_SIZE - offset_in_page(ua)) & ~PAGE_MASK) >> shift);
	np = (n - head) / per;
	whole = np * per;
	ret = stv_pin_each(ua, head, shift, gup, pages);
	if (ret)
		return ret;
	ret = np ? stv_pin_rounds(ua + (head << shift), np, per, gup,
				  pages + head) : 0;
	if (ret > 0)
		ret = stv_pin_each(ua + (head << shift), whole, shift, gup,
				   pages + head);
	if (ret)
		goto unpin_head;
	ret = stv_pin_each(ua + ((head + whole) << shift), n - head - whole,
			   shift, gup, pages + head + whole);
	if (ret)
		goto unpin_whole;
	return 0;

unpin_whole:
	unpin_user_pages(pages + head, whole);
unpin_head:
	unpin_user_pages(pages, head);
	return ret;
}

/*
 * Does one IOMMU page at @hpa lie inside the memory a MAP holds: one
 * physically contiguous page, or one region of device memory?
 *
 * One no larger than a system page always does, and costs no question to
 * the platform.  Its user address is aligned to its size (stv_args.h), so
 * it lies inside one system page, which v1 pinned, or which v2's region
 * holds pinned.  A region of device memory has no system pages, but
 * stv_region_ua_to_hpa(), which gave v2 @hpa, accepts a page size only up to
 * the region's mem->pageshift, the alignment of its base and size: the
 * IOMMU page lies inside the region.  The in-tree driver asks
 * mm_iommu_is_devmem() for every page, a walk of all the mm's regions
 * that for such a page could only refuse memory the MAP holds.
 *
 * A larger one needs the page's own size.  For v2, stv_region_ua_to_hpa()'s
 * check is not enough: mm_iommu_do_alloc() does not lower mem->pageshift
 * for a system page that follows a hugetlb page in the region (it keeps
 * the last hugetlb size), so a region can accept a 64K IOMMU page over
 * 4K pages.  Device memory is known to the platform only as a region
 * (mm_iommu_newdev()): @regions false says the mm had none when the MAP
 * began, and spares the walk.  Inline: as a call, with the stack guard
 * its @size needs, it cost every page of a v2 MAP about 30 instructions.
 */
static __always_inline bool stv_contained(struct mm_struct *mm,
					  unsigned long hpa, unsigned int shift,
					  bool regions)
{
	struct page *page;

	if (likely(shift <= PAGE_SHIFT))
		return true;
	if (regions) {
		/* Set by mm_iommu_is_devmem() whenever it returns true. */
		unsigned long size __uninitialized;

		if (mm_iommu_is_devmem(mm, hpa, shift, &size))
			return size == (1UL << shift);
	}
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
	/*
	 * Not zeroed, though the kernel is built to zero stack variables:
	 * that was a call to memset() for 128 bytes on every v1 MAP, QEMU's
	 * page-sized ones included, and stv_pin() fills every slot that is
	 * read.
	 */
	struct page *small[STV_PIN_SMALL] __uninitialized, **pages = small, *old;
	struct page **slot = NULL;
	__be64 *pua;
	unsigned long done = 0, i = 0, n, batch = STV_PIN_SMALL, idx;
	struct stv_pins *pins = &c->pins[stv_window_num(c, tbl)];
	bool regions = mm_iommu_preregistered(c->mm);
	struct stv_view_cursor view = { };
	long ret;

	lockdep_assert_held(&c->lock);

	ret = stv_pins_reserve(pins, tbl->it_size, entry - tbl->it_offset,
			       npages);
	if (ret)
		return ret;
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
		if (ret) {
			stv_refuse(c, "user memory could not be pinned", ret);
			break;
		}
		atomic_long_add(n, &stv_stats.pinned_pages);
		for (i = 0; i < n; i++) {
			unsigned long cur = base + (i << shift);
			unsigned long hpa = page_to_phys(pages[i]) +
					    (cur & ~PAGE_MASK);

			if (!stv_contained(c->mm, hpa, shift, regions)) {
				ret = stv_refuse(c, "IOMMU page larger than the memory's page",
						 -EPERM);
				break;
			}
			pua = stv_view_for_map(tbl, &view, entry + done + i);
			if (!pua) {
				ret = stv_refuse_no_view(c);
				break;
			}
			ret = stv_install(c, tbl, entry + done + i, pua, &hpa,
					  hpa | STV_UA_PINNED, dir);
			if (ret)
				break;
			/*
			 * Record the pin, as stv_pins_swap() would, finding
			 * the slot once per chunk.  An older pin of this entry
			 * is one KVM mapped over and cleared again: the table
			 * no longer holds it.
			 */
			idx = entry + done + i - tbl->it_offset;
			if (!slot || !(idx % STV_PINS_PER_CHUNK))
				slot = stv_pins_slot(pins, idx);
			if (WARN_ON_ONCE(!slot))
				continue;
			old = *slot;
			*slot++ = pages[i];
			if (old)
				stv_unpin(old);
			else
				pins->count++;
		}
		if (ret) {
			unpin_user_pages(pages + i, n - i);
			atomic_long_sub(n - i, &stv_stats.pinned_pages);
			done += i;
			break;
		}
		done += n;
		if (done < npages)
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

/*
 * The region this container registered that holds the IOMMU page of
 * 1 << @shift bytes at @ua, with the page's host address in @hpa.  Where
 * there is none: NULL, the refusal named for -EINVAL (stv_refuse()).  A
 * v2 MAP asks where its range leaves the region it had.
 */
static struct mm_iommu_table_group_mem_t *
stv_region_of(struct stv_container *c, unsigned long ua, unsigned int shift,
	      unsigned long *hpa)
{
	struct mm_iommu_table_group_mem_t *mem;

	mem = mm_iommu_lookup(c->mm, ua, 1UL << shift);
	if (!mem || !stv_registered_here(c, mem) ||
	    stv_region_ua_to_hpa(mem, ua, shift, hpa)) {
		stv_refuse(c, "memory not preregistered by this container",
			   -EINVAL);
		return NULL;
	}
	return mem;
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
	unsigned long e = entry, last = entry + npages, cur = ua, end;
	const unsigned long step = 1UL << shift;
	long ret;

	lockdep_assert_held(&c->lock);

	/*
	 * The view records an entry by its user address, and 0 reads as an
	 * unused entry that no clear would ever visit.
	 */
	if (!ua)
		return stv_refuse(c, "user address 0", -EINVAL);
	mem = mm_iommu_lookup(c->mm, ua, npages << shift);
	if (mem && !stv_registered_here(c, mem))
		mem = NULL;
	while (e < last) {
		/*
		 * Up to the end of the view's leaf, or STV_SCAN_CHUNK pages,
		 * whichever is first: within, the views of the entries lie
		 * one after the other, and nothing asks whether it is time
		 * to reschedule.
		 */
		__be64 *pua = IOMMU_TABLE_USERSPACE_ENTRY(tbl, e);

		if (!pua) {
			ret = stv_refuse_no_view(c);
			goto undo;
		}
		end = min3(last, e + STV_SCAN_CHUNK, stv_leaf_end(tbl, e));
		for (; e < end; e++, cur += step, pua++) {
			/* Set by stv_region_ua_to_hpa() before any use. */
			unsigned long hpa __uninitialized;

			if (!mem || stv_region_ua_to_hpa(mem, cur, shift, &hpa)) {
				mem = stv_region_of(c, cur, shift, &hpa);
				if (!mem) {
					ret = -EINVAL;
					goto undo;
				}
			}
			if (!stv_contained(c->mm, hpa, shift, true)) {
				ret = stv_refuse(c, "IOMMU page larger than the memory's page",
						 -EPERM);
				goto undo;
			}
			if (stv_region_mapped_inc(mem)) {
				ret = stv_refuse(c, "region being unregistered",
						 -EBUSY);
				goto undo;
			}
			ret = stv_install(c, tbl, e, pua, &hpa, cur, dir);
			if (ret) {
				stv_region_mapped_sub(mem, 1);
				goto undo;
			}
		}
		if (e < last)
			cond_resched();
	}
	iommu_tce_kill(tbl, entry, npages);
	return 0;

undo:
	stv_clear(c, tbl, entry, e - entry);
	return ret;
}
