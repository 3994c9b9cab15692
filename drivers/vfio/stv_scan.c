// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: scanning a table's userspace view, and batching the
 * invalidation of cleared entries.  Pure functions (KUnit-tested).
 */
#include <linux/export.h>
#include <kunit/visibility.h>

#include "stv.h"

/**
 * stv_next_used() - find the next used entry of a userspace view
 * @v: the view: one user address per entry, 0 where nothing is mapped
 * @i: where to start
 * @n: number of entries in @v
 *
 * Looks at eight entries per step where it can, so that an empty view
 * is skipped at memory speed.
 *
 * Return: the index of the first non-zero entry at or after @i, or @n.
 */
unsigned long stv_next_used(const __be64 *v, unsigned long i, unsigned long n)
{
	for (; i < n && (i & 7); i++)
		if (v[i])
			return i;
	for (; i + 8 <= n; i += 8)
		if (v[i] | v[i + 1] | v[i + 2] | v[i + 3] |
		    v[i + 4] | v[i + 5] | v[i + 6] | v[i + 7])
			break;
	for (; i < n; i++)
		if (v[i])
			return i;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(stv_next_used);

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
bool stv_run_extend(struct stv_run *run, unsigned long entry)
{
	if (!run->len)
		run->start = entry;
	else if (run->start + run->len != entry)
		return false;
	run->len++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(stv_run_extend);
