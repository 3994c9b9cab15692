/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spapr-tce-vfio: internal objects of the VFIO sPAPR TCE IOMMU backend.
 *
 * Objects and lifetimes
 * ---------------------
 * struct stv_container   one per VFIO container fd that selected one of
 *                        our IOMMU types; created by ->open, torn down by
 *                        ->release (container fd closed, or its last
 *                        group detached), freed once no ioctl holds it
 *                        any more (stv_container.c).
 * struct stv_group       one per attached IOMMU group; created by
 *                        ->attach_group, destroyed by ->detach_group.
 * struct stv_orphan      a region reference kept past its container's
 *                        release while KVM still maps the region;
 *                        dropped once nothing does (stv_orphans.c).
 * struct stv_prereg      one per region this container preregistered
 *                        (v2); holds one mm_iommu reference.
 * container->tables[n]   platform iommu_table per DMA window, created
 *                        through table_group->ops and programmed into
 *                        every attached group.  KVM may hold extra
 *                        references on them; we drop ours on removal.
 *
 * Locking
 * -------
 * Lock order, outermost first:
 *
 *   vfio core container->group_lock (held around ->open/->release
 *                                    and ->attach_group/->detach_group;
 *                                    the core passes ->ioctl through
 *                                    without it)
 *     stv_container.lock
 *       stv_orphans_lock (stv_orphans.c; also taken alone by its work)
 *       mm_iommu mem_list_mutex (inside mm_iommu_new/get/put)
 *         mmap_lock (inside pin_user_pages_fast)
 *           platform table locks (inside iommu_tce_xchg_no_kill)
 *
 * stv_container.lock protects every field of the container and of the
 * objects hanging off it, and serialises all of our table updates.
 * KVM's in-kernel hcall handlers update the same tables without it;
 * every entry update is therefore an atomic exchange, and the userspace
 * view of a table (entry -> user address) records what is mapped,
 * whoever mapped it; what v1 pinned is recorded apart (stv_pins.c), out
 * of KVM's reach.  A reader of a container's debugfs view takes
 * stv_container.lock, and removing the view waits for readers, so it is
 * removed before that lock is taken, never under it (stv_inspect.c).
 */
#ifndef STV_H
#define STV_H

#include <linux/dma-direction.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <asm/iommu.h>
#include <asm/page.h>

#include "stv_args.h"
#include "stv_compat.h"

struct mm_struct;
struct mm_iommu_table_group_mem_t;

#define STV_MAX_WINDOWS	IOMMU_TABLE_GROUP_MAX_TABLES
/* 256 buckets (2 KiB a container): 32 regions a chain at DPDK's 8,192. */
#define STV_PREREG_HASH_BITS	8
/* Rounds of clear-then-unregister at release while KVM keeps mapping. */
#define STV_RELEASE_TRIES	100

/**
 * struct stv_group - an IOMMU group attached to a container
 * @node: link in &stv_container.groups
 * @grp: the VFIO-owned IOMMU group
 * @table_group: the platform's TCE table group behind @grp
 */
struct stv_group {
	struct list_head node;
	struct iommu_group *grp;
	struct iommu_table_group *table_group;
};

/**
 * struct stv_prereg - a memory region preregistered by a container
 * @node: link in &stv_container.preregs
 * @hnode: link in &stv_container.prereg_of, hashed by @mem
 * @mem: the mm_iommu region this container holds one reference on
 * @ua: its user address, as registered (for debugfs)
 * @size: its size in bytes
 * @made_here: this container made the region with mm_iommu_new(), which
 *	pins pages only: no entry through it maps device memory (a region
 *	found already registered may be mm_iommu_newdev()'s)
 */
struct stv_prereg {
	struct list_head node;
	struct hlist_node hnode;
	struct mm_iommu_table_group_mem_t *mem;
	u64 ua;
	u64 size;
	bool made_here;
};

/**
 * struct stv_pins - the pages v1 MAP pinned in one window, by entry
 *		     (stv_pins.c)
 * @dir: page-sized chunks of page pointers, NULL where none was reserved
 * @nchunks: number of @dir entries; 0 before the first reservation
 * @count: number of pins recorded
 */
struct stv_pins {
	struct page ***dir;
	unsigned long nchunks;
	unsigned long count;
};

/**
 * struct stv_run - a run of consecutive table entries
 * @start: first entry
 * @len: number of entries; 0 for an empty run
 */
struct stv_run {
	unsigned long start;
	unsigned long len;
};

/* What a clear holds, at most, before it invalidates and releases. */
#define STV_RELEASE_BATCH	512

/* In &struct stv_release.held, a region rather than a page. */
#define STV_HELD_REGION		1UL

/**
 * struct stv_release - what entries stv_clear() cleared held, kept until
 *			the hardware can no longer reach it (stv_tce.c)
 * @run: cleared entries not yet invalidated
 * @n: number of @held
 * @nregions: how many of @held are regions
 * @region: where the platform has no invalidation to make (pseries), the
 *	region whose mapping counts the last cleared entries held, or NULL
 * @region_counts: how many counts of @region those entries held
 * @held: v1 pins of cleared entries (struct page *), and regions whose
 *	mapping counts cleared entries held (their address with
 *	%STV_HELD_REGION set)
 *
 * A PHB may still translate a cleared entry from its TCE cache until the
 * entry is invalidated (tce_kill), so a page is unpinned, and a region's
 * count dropped, only after the invalidation that covers its entry.  One
 * batch is one invalidation call (an OPAL call on powernv) per contiguous
 * run.  Where there is none to make, the counts of a region go in one
 * atomic operation, when the cleared entries move to another region or
 * the batch is released.  Each stv_clear() empties it before it returns.
 */
struct stv_release {
	struct stv_run run;
	unsigned int n;
	unsigned int nregions;
	struct mm_iommu_table_group_mem_t *region;
	unsigned long region_counts;
	unsigned long held[STV_RELEASE_BATCH];
};

/**
 * struct stv_container - state of one VFIO container
 * @users: the initial reference, dropped by ->release, plus one per
 *	   running ioctl (stv_container.c)
 * @rcu: defers the free past the VFIO core's unlocked ioctl path
 * @lock: protects all fields below; see the lock order above
 * @released: ->release has torn the container down; ioctls get -EINVAL
 * @v2: true for VFIO_SPAPR_TCE_v2_IOMMU
 * @enabled: v1: ENABLE succeeded; v2: memory was preregistered
 * @def_window_pending: the default 32-bit window is due, not yet created
 *			(read and written by stv_window.c only)
 * @mm: the address space the container is bound to (mmgrab'ed)
 * @enable_pages: pages charged to locked_vm by v1 ENABLE
 * @tables: one platform table per DMA window, NULL where none
 * @table_pages: pages charged to locked_vm for each table
 * @table_refs: references to each table that we and the platform hold
 *	(stv_window.c); a table with more has been linked to a guest's TCE
 *	table by KVM, whose hcalls may then write it
 * @pins: v1: the pins of each table's entries
 * @release: what the running stv_clear() has cleared and not yet released
 * @groups: attached &struct stv_group, the first one is the reference
 * @preregs: &struct stv_prereg regions this container registered
 * @prereg_of: the same, hashed by their mm_iommu region, for MAP's
 *	stv_registered_here() (DPDK registers thousands of one-page regions)
 * @id: number of the container in tracepoints, the debug log and debugfs
 * @refused_by: the check that refused the running ioctl (stv_refuse())
 * @owner: thread group id of the process that opened the container
 * @debugfs: its directory in debugfs (stv_inspect.c)
 */
struct stv_container {
	refcount_t users;
	struct rcu_head rcu;
	struct mutex lock;	/* see "Locking" at the top of this file */
	bool released;
	bool v2;
	bool enabled;
	bool def_window_pending;
	struct mm_struct *mm;
	unsigned long enable_pages;
	struct iommu_table *tables[STV_MAX_WINDOWS];
	unsigned long table_pages[STV_MAX_WINDOWS];
	unsigned int table_refs[STV_MAX_WINDOWS];
	struct stv_pins pins[STV_MAX_WINDOWS];
	struct stv_release release;
	struct list_head groups;
	struct list_head preregs;
	DECLARE_HASHTABLE(prereg_of, STV_PREREG_HASH_BITS);
	u32 id;
	const char *refused_by;
	pid_t owner;
	struct dentry *debugfs;
};

/**
 * stv_refuse() - name the check that refuses the running ioctl
 * @c: the container, locked
 * @check: what was wrong, for the refuse tracepoint and the debug log
 * @err: the negative errno
 *
 * Return: @err, so that a refusal reads
 * ``return stv_refuse(c, "why", -EINVAL);``.
 */
static inline long stv_refuse(struct stv_container *c, const char *check,
			      long err)
{
	c->refused_by = check;
	return err;
}

/**
 * stv_refuse_arg() - name why copying an ioctl's argument failed
 * @c: the container, locked
 * @err: what stv_copy_arg() or stv_copy_arg_flags() returned
 *
 * Return: @err.
 */
static inline long stv_refuse_arg(struct stv_container *c, long err)
{
	return stv_refuse(c, err == -EFAULT ? "argument not readable" :
			  "argsz below the fixed part, or an unknown flag",
			  err);
}

/* stv_trace.c: the tracepoints (stv_trace.h), and reporting a refusal */
void stv_report_refusal(struct stv_container *c, unsigned int cmd, long ret);

/* stv_container.c: the container object's lifetime */
struct stv_container *stv_container_new(bool v2);
void stv_container_free_last(struct stv_container *c);
void stv_container_barrier(void);

/**
 * stv_container_tryget() - take a reference for an ioctl
 * @c: the container the VFIO core passed in
 *
 * Return: false when the container is already on its way to being freed.
 */
static inline bool stv_container_tryget(struct stv_container *c)
{
	return refcount_inc_not_zero(&c->users);
}

/**
 * stv_container_put() - drop a reference; the last one frees the container
 * @c: the container, released (stv_release_container()) before its last
 *     reference goes
 */
static inline void stv_container_put(struct stv_container *c)
{
	if (refcount_dec_and_test(&c->users))
		stv_container_free_last(c);
}

/*
 * Copying ioctl arguments in.  Always inline, so that every caller's size
 * is a constant: the kernel's hardened usercopy checks a copy of a size
 * not known at build time against the stack and the heap, which cost
 * every MAP and UNMAP about 145 instructions (Documentation/design.rst,
 * "What an ioctl costs").
 */

/* The first two members of every VFIO argument structure. */
struct stv_arg_head {
	u32 argsz;
	u32 flags;
};

/**
 * stv_copy_arg() - copy the fixed part of an ioctl argument in
 * @dst: where to
 * @arg: the user pointer the ioctl got
 * @minsz: size of the fixed part, which starts with argsz and flags
 *
 * Return: 0, -EFAULT, or -EINVAL when argsz is below @minsz (checked
 * after the copy, as the in-tree driver does).
 */
static __always_inline int stv_copy_arg(void *dst, unsigned long arg,
					unsigned long minsz)
{
	struct stv_arg_head head;

	if (copy_from_user(dst, (void __user *)arg, minsz))
		return -EFAULT;
	memcpy(&head, dst, sizeof(head));
	if (head.argsz < minsz)
		return -EINVAL;
	return 0;
}

/**
 * stv_copy_arg_flags() - stv_copy_arg(), and no unknown flag
 * @dst: where to
 * @arg: the user pointer the ioctl got
 * @minsz: size of the fixed part
 * @known_flags: the flags the ioctl has
 *
 * Return: 0, -EFAULT, or -EINVAL for a short argsz or an unknown flag.
 */
static __always_inline int stv_copy_arg_flags(void *dst, unsigned long arg,
					      unsigned long minsz,
					      u32 known_flags)
{
	struct stv_arg_head head;
	int ret = stv_copy_arg(dst, arg, minsz);

	if (ret)
		return ret;
	memcpy(&head, dst, sizeof(head));
	return head.flags & ~known_flags ? -EINVAL : 0;
}

/*
 * stv_args.c: pure argument checks, no side effects (KUnit-tested); those
 * of MAP and UNMAP are inline, in stv_args.h
 */
int stv_check_window_args(u64 pgsizes, u32 max_levels, u32 page_shift,
			  u64 window_size, u32 levels);
int stv_check_user_range(u64 vaddr, u64 size, unsigned long align);

/* stv_scan.c: userspace-view scanning and invalidation runs (KUnit-tested) */

unsigned long stv_scan_used(const __be64 *v, unsigned long i, unsigned long n);
unsigned long stv_skip_empty_vmx(const __be64 *v, unsigned long i,
				 unsigned long n);

/**
 * stv_next_used() - find the next used entry of a userspace view
 * @v: the view: one user address per entry, 0 where nothing is mapped
 * @i: where to start
 * @n: number of entries in @v
 *
 * A clear calls this once per entry it clears, and in a mapped range the
 * next entry is usually used: that case costs no call, nor does the end
 * of the range (all of a page-sized UNMAP's scan).  stv_scan_used() does
 * the rest.
 *
 * Return: the index of the first non-zero entry at or after @i, or @n.
 */
static inline unsigned long stv_next_used(const __be64 *v, unsigned long i,
					  unsigned long n)
{
	if (i >= n)
		return n;
	if (v[i])
		return i;
	return stv_scan_used(v, i, n);
}

/**
 * stv_run_extend() - extend a run of entries to invalidate by one entry
 * @run: the run being collected; empty when @run->len is 0
 * @entry: the entry just cleared
 *
 * Invalidating runs rather than single entries keeps the number of
 * platform invalidations (OPAL calls on powernv) down to one per
 * contiguous mapping.
 *
 * Return: true when @entry was added; false when it is not adjacent, and
 * the caller must invalidate @run and restart it at @entry.
 */
static inline bool stv_run_extend(struct stv_run *run, unsigned long entry)
{
	if (!run->len)
		run->start = entry;
	else if (run->start + run->len != entry)
		return false;
	run->len++;
	return true;
}

/* stv_pins.c: the record of v1 pins (KUnit-tested) */
#define STV_PINS_PER_CHUNK	(PAGE_SIZE / sizeof(struct page *))

int stv_pins_reserve_chunks(struct stv_pins *p, unsigned long size,
			    unsigned long idx, unsigned long n);

/**
 * stv_pins_reserve() - make room to record pins for a range of entries
 * @p: the window's record
 * @size: number of entries of the window
 * @idx: first entry, counted from the window's first entry
 * @n: number of entries
 *
 * Inline for a range that lies in one chunk already reserved, as QEMU's
 * page-by-page MAPs nearly all do; stv_pins_reserve_chunks() does the
 * rest.
 *
 * Return: 0, -EINVAL for a range past the window, or -ENOMEM.
 */
static inline int stv_pins_reserve(struct stv_pins *p, unsigned long size,
				   unsigned long idx, unsigned long n)
{
	unsigned long chunk = idx / STV_PINS_PER_CHUNK;

	if (n && idx + n <= size && chunk < p->nchunks && p->dir[chunk] &&
	    (idx + n - 1) / STV_PINS_PER_CHUNK == chunk)
		return 0;
	return stv_pins_reserve_chunks(p, size, idx, n);
}

/**
 * stv_pins_slot() - where the record keeps an entry's pin
 * @p: the window's record
 * @idx: the entry, counted from the window's first entry
 *
 * The slots of the entries of one chunk follow each other: a v1 MAP,
 * whose entries do too, finds its slot here once per chunk and steps
 * from it (stv_map_v1()).
 *
 * Return: the slot, or NULL where no chunk was reserved for @idx.
 */
static inline struct page **stv_pins_slot(struct stv_pins *p,
					  unsigned long idx)
{
	unsigned long chunk = idx / STV_PINS_PER_CHUNK;

	if (chunk >= p->nchunks || !p->dir[chunk])
		return NULL;
	return &p->dir[chunk][idx % STV_PINS_PER_CHUNK];
}

/**
 * stv_pins_swap() - record a pin for an entry
 * @p: the window's record, reserved for @idx (stv_pins_reserve())
 * @idx: the entry, counted from the window's first entry
 * @page: the pinned page, or NULL to forget the entry's pin
 *
 * Inline: a v1 MAP and every v1 clear call it once per entry.
 *
 * Context: the owning container's lock held.
 *
 * Return: the page recorded for @idx before, or NULL.
 */
static inline struct page *stv_pins_swap(struct stv_pins *p,
					 unsigned long idx, struct page *page)
{
	unsigned long chunk = idx / STV_PINS_PER_CHUNK;
	struct page **slot, *old;

	/* As stv_pins_slot(), which costs the clears 4 instructions more. */
	if (chunk >= p->nchunks || !p->dir[chunk]) {
		/* Nothing was ever recorded here, and nothing can be. */
		WARN_ON_ONCE(page);
		return NULL;
	}
	slot = &p->dir[chunk][idx % STV_PINS_PER_CHUNK];
	old = *slot;
	*slot = page;
	p->count += !!page - !!old;
	return old;
}

unsigned long stv_pins_next(const struct stv_pins *p, unsigned long idx,
			    unsigned long end);
unsigned long stv_pins_destroy(struct stv_pins *p);

/* stv_errno.c: errno of a failed platform exchange (KUnit-tested) */
int stv_xchg_errno(long ret, bool hcall);

/* stv_mm.c: address-space binding and locked_vm accounting */
int stv_mm_bind(struct stv_container *c);
int stv_mm_charge(struct stv_container *c, unsigned long pages);
void stv_mm_uncharge(struct stv_container *c, unsigned long pages);

/* stv_tce.c: entries of a table */
long stv_map_v1(struct stv_container *c, struct iommu_table *tbl,
		unsigned long entry, unsigned long ua, unsigned long npages,
		enum dma_data_direction dir);
long stv_map_v2(struct stv_container *c, struct iommu_table *tbl,
		unsigned long entry, unsigned long ua, unsigned long npages,
		enum dma_data_direction dir);
long stv_clear(struct stv_container *c, struct iommu_table *tbl,
	       unsigned long entry, unsigned long npages);
void stv_release_pins(struct stv_container *c, int num);
bool stv_maps_user_range(struct stv_container *c, u64 ua, u64 size);
unsigned long stv_count_user_range(struct stv_container *c, u64 ua, u64 size,
				   unsigned long max);
unsigned long stv_count_window(struct stv_container *c, int num);

/* stv_window.c: DMA windows */

/*
 * The window lookups of every MAP and UNMAP are inline, as calls across
 * the module's files are not (Documentation/design.rst, "What an ioctl
 * costs").
 */

/**
 * stv_find_window() - the window that contains an IOVA
 * @c: the container
 * @iova: a bus address
 *
 * Return: the window's slot, or -ENOENT when no window contains @iova.
 */
static inline int stv_find_window(struct stv_container *c, u64 iova)
{
	int i;

	lockdep_assert_held(&c->lock);

	for (i = 0; i < STV_MAX_WINDOWS; i++) {
		struct iommu_table *tbl = c->tables[i];
		u64 entry;

		if (!tbl)
			continue;
		entry = iova >> tbl->it_page_shift;
		if (entry >= tbl->it_offset &&
		    entry < tbl->it_offset + tbl->it_size)
			return i;
	}
	return -ENOENT;
}

/**
 * stv_table_at() - the table of the window that contains an IOVA
 * @c: the container
 * @iova: a bus address
 *
 * Return: the table, or NULL when @iova is in no window.
 */
static inline struct iommu_table *stv_table_at(struct stv_container *c,
					       u64 iova)
{
	int num = stv_find_window(c, iova);

	return num < 0 ? NULL : c->tables[num];
}

/**
 * stv_window_num() - the slot of one of the container's tables
 * @c: the container
 * @tbl: one of its tables
 *
 * Return: the slot of @tbl in @c->tables.
 */
static inline int stv_window_num(struct stv_container *c,
				 struct iommu_table *tbl)
{
	int i;

	for (i = 0; i < STV_MAX_WINDOWS - 1; i++)
		if (c->tables[i] == tbl)
			break;
	/* Every caller got @tbl from c->tables[]. */
	WARN_ON_ONCE(c->tables[i] != tbl);
	return i;
}

long stv_window_set(struct stv_container *c, struct iommu_table_group *tg,
		    int num);
void stv_window_unset(struct stv_container *c, struct iommu_table_group *tg,
		      int num);
long stv_create_window(struct stv_container *c, u32 page_shift,
		       u64 window_size, u32 levels, u64 *start);
long stv_remove_window(struct stv_container *c, int num);
void stv_default_window_arm(struct stv_container *c);
long stv_default_window_begin(struct stv_container *c, bool *was_pending);
void stv_default_window_abort(struct stv_container *c, bool was_pending);
bool stv_default_window_cancel(struct stv_container *c);
void stv_clear_windows(struct stv_container *c);
void stv_free_windows(struct stv_container *c);

/* stv_group.c: group attach and detach */
int stv_attach_group(void *data, struct iommu_group *grp,
		     enum vfio_group_type type);
void stv_detach_group(void *data, struct iommu_group *grp);
struct stv_group *stv_first_group(struct stv_container *c);

/* stv_prereg.c: memory preregistration (v2) */
long stv_register(struct stv_container *c, u64 vaddr, u64 size);
long stv_unregister(struct stv_container *c, u64 vaddr, u64 size);
unsigned int stv_unregister_all(struct stv_container *c);
unsigned int stv_orphan_remaining(struct stv_container *c);

/**
 * stv_registered_here() - did this container register the region?
 * @c: the container, locked
 * @mem: a region that mm_iommu_lookup() found for the container's mm
 *
 * Regions are per mm, so a lookup also finds the regions of the other
 * containers of the process.  MAP must not use those: the container that
 * registered a region holds the reference that keeps it, and when that
 * container is released while another one still maps the region, its
 * mm_iommu_put() fails and the region stays pinned for good.  Inline:
 * every v2 MAP asks, as do REGISTER, UNREGISTER and a clear's region
 * lookup (stv_region_at()).
 *
 * Return: the container's record of @mem, which holds a reference on it,
 * or NULL when the container did not register it.
 */
static inline struct stv_prereg *
stv_registered_here(struct stv_container *c,
		    struct mm_iommu_table_group_mem_t *mem)
{
	struct stv_prereg *p;

	lockdep_assert_held(&c->lock);
	hash_for_each_possible(c->prereg_of, p, hnode, (unsigned long)mem)
		if (p->mem == mem)
			return p;
	return NULL;
}

/* stv_orphans.c: regions whose container is gone, still mapped by KVM */
long stv_orphan_region(struct mm_struct *mm,
		       struct mm_iommu_table_group_mem_t *mem);
bool stv_orphans_drop(void);
void stv_orphans_exit(void);

/* stv_eeh.c */
long stv_eeh_pe_op(struct stv_container *c, unsigned long arg);
int stv_eeh_supported(void);

/* stv_ioctl.c */
long stv_ioctl(void *data, unsigned int cmd, unsigned long arg);
void stv_release_container(struct stv_container *c);

/* stv_stats.c: module-wide counters, shown in debugfs */
struct stv_stats {
	atomic_long_t containers;
	atomic_long_t tables;
	atomic_long_t pinned_pages;
	atomic_long_t orphan_regions;
};

extern struct stv_stats stv_stats;

/**
 * stv_orphans_retry() - try to drop the orphan regions now
 *
 * Called at the end of every clear, which may have dropped a region's
 * mapping count; costs one atomic read when there are no orphans.
 */
static inline void stv_orphans_retry(void)
{
	if (atomic_long_read(&stv_stats.orphan_regions))
		stv_orphans_drop();
}

int stv_stats_init(void);
void stv_stats_exit(void);
struct dentry *stv_stats_containers_dir(void);

/* stv_inspect.c: the per-container debugfs view */
void stv_inspect_add(struct stv_container *c);
void stv_inspect_remove(struct stv_container *c);

#endif /* STV_H */
