// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: scanning a table's userspace view for used entries.
 * Pure functions (KUnit-tested).  What a clear calls once per entry,
 * stv_next_used() and stv_run_extend(), is inline in stv.h.
 */
#include <linux/export.h>
#include <linux/kasan-checks.h>
#include <linux/minmax.h>
#include <linux/preempt.h>
#include <kunit/visibility.h>
#include <asm/cpu_has_feature.h>
#include <asm/simd.h>
#include <asm/switch_to.h>

#include "stv.h"

/*
 * An empty stretch is first scanned 32 entries a step by the scalar
 * loop, up to STV_SCAN_SCALAR entries; what remains of it, if at least
 * STV_SCAN_SCALAR more, goes to the vector unit.  Enabling the unit (and
 * saving the task's vector registers when they hold user state) costs,
 * by the bench's figures, about what the scalar loop spends on a hundred
 * entries, and the vector loop saves about one instruction an entry:
 * short gaps between used entries never pay for it.
 */
#define STV_SCAN_SCALAR		256UL

/* Steps of 32 entries the vector loop takes with preemption off, 128 KiB. */
#define STV_VMX_STEPS_MAX	512UL

/* The entries of @v[0..7] ORed together: non-zero when one is used. */
static __always_inline u64 stv_any8(const __be64 *v)
{
	return (__force u64)(v[0] | v[1] | v[2] | v[3] |
			     v[4] | v[5] | v[6] | v[7]);
}

/* Non-zero when one of the 32 entries from @v is used. */
static __always_inline u64 stv_any32(const __be64 *v)
{
	return stv_any8(v) | stv_any8(v + 8) | stv_any8(v + 16) |
	       stv_any8(v + 24);
}

/* stv_scan_vmx.S; built where the kernel has CONFIG_ALTIVEC. */
unsigned long stv_vmx_empty_steps(const __be64 *v, unsigned long steps);

/**
 * stv_skip_empty_vmx() - skip empty steps of a view on the vector unit
 * @v: the view
 * @i: where to start
 * @n: number of entries in @v
 *
 * Looks at 32 entries a step, as far as whole steps reach before @n,
 * with preemption off for at most STV_VMX_STEPS_MAX steps at a time.
 * Does nothing where the unit cannot be used: a kernel or CPU without
 * it, interrupt context, or a view not 16-byte aligned at @i.  KASAN
 * does not see the assembly's loads, so they are checked here.
 *
 * Return: the start of the first step that is not all 0, or of the
 * first place fewer than 32 entries are left; @i where nothing was done.
 */
unsigned long stv_skip_empty_vmx(const __be64 *v, unsigned long i,
				 unsigned long n)
{
	unsigned long steps, empty;

	if (!IS_ENABLED(CONFIG_ALTIVEC) || !cpu_has_feature(CPU_FTR_ALTIVEC) ||
	    !may_use_simd() || !IS_ALIGNED((unsigned long)(v + i), 16))
		return i;
	while (n - i >= 32) {
		steps = min((n - i) / 32, STV_VMX_STEPS_MAX);
		kasan_check_read(v + i, steps * 32 * sizeof(*v));
		preempt_disable();
		enable_kernel_altivec();
		empty = stv_vmx_empty_steps(v + i, steps);
		disable_kernel_altivec();
		preempt_enable();
		i += empty * 32;
		if (empty < steps)
			break;
	}
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(stv_skip_empty_vmx);

/*
 * From @i on, 32 entries per step: the first step of 32 (or the place
 * fewer than 32 are left) that is not all 0.  The scalar loop, one load
 * and one OR an entry, takes the first STV_SCAN_SCALAR entries, the
 * vector unit what lies beyond, and the scalar loop any steps the unit
 * could not take.  Out of line: its loop needs more registers than
 * stv_next_used()'s callers should save on every call, and only long
 * empty stretches get here.
 */
static noinline unsigned long stv_skip_empty(const __be64 *v, unsigned long i,
					     unsigned long n)
{
	unsigned long scalar_end = min(n, i + STV_SCAN_SCALAR);

	for (; i + 32 <= scalar_end; i += 32)
		if (stv_any32(v + i))
			return i;
	if (n - i >= STV_SCAN_SCALAR)
		i = stv_skip_empty_vmx(v, i, n);
	for (; i + 32 <= n; i += 32)
		if (stv_any32(v + i))
			break;
	return i;
}

/**
 * stv_scan_used() - the scan of stv_next_used(), out of line
 * @v: the view
 * @i: where to start
 * @n: number of entries in @v
 *
 * Looks at eight entries at a time, past eight empty ones at 32 at a
 * time, and past STV_SCAN_SCALAR more with the vector unit, so that an
 * empty view is skipped at memory speed: the removal of an empty
 * single-level window is mostly this loop.
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
