// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: the record of the pages that v1 MAP pinned.
 *
 * Each window of a v1 container keeps, per entry, the page its MAP
 * pinned for it, and this record is the only one of that pin.  The
 * userspace view cannot be: KVM's in-kernel H_PUT_TCE writes the view of
 * every entry it maps, in any table linked to a LIOBN, and drops the
 * value it replaced without knowing that it stood for a pin.
 *
 * Only the owning container reads or writes the record, under its lock;
 * KVM never sees it.  So when to unpin is decided here, not by whatever
 * KVM left in the view (stv_tce.c says when).
 *
 * The record is a directory of page-sized chunks of page pointers.  A
 * chunk is allocated when MAP first reserves an entry of it, so the
 * record costs what v1 maps, not the window's size.  Nothing here pins
 * or unpins; these are the record's data operations only (KUnit-tested).
 * stv_pins_swap(), which a v1 MAP and every v1 clear call per entry, is
 * inline in stv.h.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "stv.h"

/**
 * stv_pins_reserve_chunks() - make room to record pins for a range of entries
 * @p: the window's record
 * @size: number of entries of the window
 * @idx: first entry, counted from the window's first entry
 * @n: number of entries
 *
 * Return: 0, -EINVAL for a range past the window, or -ENOMEM.  What was
 * allocated stays, for later MAPs; stv_pins_destroy() frees it.
 */
int stv_pins_reserve_chunks(struct stv_pins *p, unsigned long size,
			    unsigned long idx, unsigned long n)
{
	unsigned long chunk, last;

	if (!n)
		return 0;
	if (!p->dir) {
		unsigned long nchunks = DIV_ROUND_UP(size, STV_PINS_PER_CHUNK);

		p->dir = kvcalloc(nchunks, sizeof(*p->dir), GFP_KERNEL_ACCOUNT);
		if (!p->dir)
			return -ENOMEM;
		p->nchunks = nchunks;
	}
	last = (idx + n - 1) / STV_PINS_PER_CHUNK;
	if (last >= p->nchunks)
		return -EINVAL;
	for (chunk = idx / STV_PINS_PER_CHUNK; chunk <= last; chunk++) {
		if (p->dir[chunk])
			continue;
		p->dir[chunk] = (struct page **)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!p->dir[chunk])
			return -ENOMEM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(stv_pins_reserve_chunks);

/**
 * stv_pins_next() - the next entry with a recorded pin
 * @p: the window's record
 * @idx: where to start, counted from the window's first entry
 * @end: where to stop
 *
 * Chunks never reserved are skipped whole.
 *
 * Return: the first entry in [@idx, @end) with a pin, or @end.
 */
unsigned long stv_pins_next(const struct stv_pins *p, unsigned long idx,
			    unsigned long end)
{
	while (idx < end) {
		unsigned long chunk = idx / STV_PINS_PER_CHUNK;

		if (chunk >= p->nchunks)
			return end;
		if (!p->dir[chunk]) {
			idx = (chunk + 1) * STV_PINS_PER_CHUNK;
			continue;
		}
		if (p->dir[chunk][idx % STV_PINS_PER_CHUNK])
			return idx;
		idx++;
	}
	return end;
}
EXPORT_SYMBOL_IF_KUNIT(stv_pins_next);

/* Does a chunk hold a pin?  Sixteen slots a step, ORed together. */
static bool stv_pins_chunk_used(struct page *const *slot)
{
	unsigned long i, j, any;

	for (i = 0; i < STV_PINS_PER_CHUNK; i += 16) {
		any = 0;
		for (j = 0; j < 16; j++)
			any |= (unsigned long)slot[i + j];
		if (any)
			return true;
	}
	return false;
}

/**
 * stv_pins_destroy() - free a record
 * @p: the window's record, with no pin left in it
 *
 * Return: the number of pins that were still recorded (a bug of the
 * caller: those pages stay pinned).
 */
unsigned long stv_pins_destroy(struct stv_pins *p)
{
	unsigned long chunk, i, left = 0;

	for (chunk = 0; chunk < p->nchunks; chunk++) {
		if (!p->dir[chunk])
			continue;
		/* Counted only where there is something to count. */
		if (stv_pins_chunk_used(p->dir[chunk]))
			for (i = 0; i < STV_PINS_PER_CHUNK; i++)
				left += !!p->dir[chunk][i];
		free_page((unsigned long)p->dir[chunk]);
	}
	kvfree(p->dir);
	p->dir = NULL;
	p->nchunks = 0;
	p->count = 0;
	return left;
}
EXPORT_SYMBOL_IF_KUNIT(stv_pins_destroy);
