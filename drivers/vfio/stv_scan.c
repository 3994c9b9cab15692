// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: scanning a table's userspace view for used entries.
 * Pure functions (KUnit-tested).  What a clear calls once per entry,
 * stv_next_used() and stv_run_extend(), is inline in stv.h.
 */
#include <linux/export.h>
#include <kunit/visibility.h>

#include "stv.h"

/* The entries of @v[0..7] ORed together: non-zero when one is used. */
static __always_inline u64 stv_any8(const __be64 *v)
{
	return (__force u64)(v[0] | v[1] | v[2] | v[3] |
			     v[4] | v[5] | v[6] | v[7]);
}

/*
 * From @i on, 32 entries per step, one load and one OR each: the first
 * step of 32 (or the place fewer than 32 are left) that is not all 0.
 * Out of line: its loop needs more registers than stv_next_used()'s
 * callers should save on every call, and only long empty stretches get
 * here.
 */
static noinline unsigned long stv_skip_empty(const __be64 *v, unsigned long i,
					     unsigned long n)
{
	for (; i + 32 <= n; i += 32)
		if (stv_any8(v + i) | stv_any8(v + i + 8) |
		    stv_any8(v + i + 16) | stv_any8(v + i + 24))
			break;
	return i;
}

/**
 * stv_scan_used() - the scan of stv_next_used(), out of line
 * @v: the view
 * @i: where to start
 * @n: number of entries in @v
 *
 * Looks at eight entries at a time, and past eight empty ones at 32 at a
 * time, so that an empty view is skipped at memory speed: the removal of
 * an empty single-level window is mostly this loop.
 *
 * Return: the index of the first non-zero entry at or after @i, or @n.
 */
unsigned long stv_scan_used(const __be64 *v, unsigned long i, unsigned long n)
{
	for (; i < n && (i & 7); i++)
		if (v[i])
			return i;
	while (i + 8 <= n && !stv_any8(v + i)) {
		i += 8;
		if (i + 32 <= n)
			i = stv_skip_empty(v, i, n);
	}
	for (; i < n; i++)
		if (v[i])
			return i;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(stv_scan_used);
