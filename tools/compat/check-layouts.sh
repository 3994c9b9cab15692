#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check drivers/vfio/stv_layouts.tsv against every kernel of
# tools/testbed/kernels.tsv, from the kernels' own packages in the cache
# (tools/testbed/setup.sh puts them there):
#
#   - the kernel's drivers/vfio/vfio.h, from its linux-source package,
#     must match a layout block of stv_compat.h (stv_compat.sh source);
#   - each flavour's build must be recorded in stv_layouts.tsv with that
#     layout: by the CRC of vfio_register_iommu_driver in its
#     Module.symvers, or by its release where the kernel has no
#     modversions (CRC 0);
#   - every build the Kbuild check accepts must pass that check here
#     (stv_compat.sh select on the cached headers tree);
#   - the kernel's pnv_tce() (arch/powerpc/platforms/powernv/
#     pci-ioda-tce.c), whose table shape stv_view_level_below() in
#     stv_compat.h relies on, must be the one that was read for it: its
#     text, without comments and white space, hashes to PNV_TCE_SHA.  A
#     kernel whose pnv_tce() changed must be read again before it is
#     added to kernels.tsv;
#   - the same for the platform functions in PLATFORM_READS, whose
#     behaviour, beyond their prototypes, the module relies on or does
#     inline;
#   - the kernel's struct mm_iommu_table_group_mem_t (arch/powerpc/mm/
#     book3s64/iommu_api.c), private to the platform, must equal the
#     mirror in stv_compat.h (stv_compat.sh region).
#
# Usage: check-layouts.sh            check; exit 1 on any mismatch
#        check-layouts.sh --print    print the rows the table should have
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$top/tools/testbed/versions.sh"
compat=$top/drivers/vfio/stv_compat.sh
table=$top/drivers/vfio/stv_layouts.tsv

# sha256 (first 16 digits) of 6.12's pnv_tce(), canonicalised as below.
PNV_TCE_SHA=3c3735b81012f366
pnv_tce_sha() {	# FILE
	awk '/^static __be64 \*pnv_tce\(/,/^}/' "$1" | sed -e 's:/\*.*\*/::g' |
		tr -d ' \t\n' | sha256sum | cut -c1-16
}

# FILE|FUNCTION|SHA|what relies on it: hashed as pnv_tce() is, with a
# leading "extern" dropped (6.1 declares the first one so).
PLATFORM_READS="
arch/powerpc/kernel/iommu.c|iommu_tce_xchg_no_kill|814fcd2a111cbe91|stv_take_out() does its work around the op, and stv_install() skips it
arch/powerpc/mm/book3s64/iommu_api.c|mm_iommu_ua_to_hpa|a46ef725b900c17c|stv_region_ua_to_hpa() does its work; stv_contained() counts on its page-size check, stv_map_v2() on its setting hpa only on success
arch/powerpc/mm/book3s64/iommu_api.c|mm_iommu_mapped_inc|6b7d2ab2273d06b6|stv_region_mapped_inc() does its work
arch/powerpc/mm/book3s64/iommu_api.c|mm_iommu_mapped_dec|36d9f36adebde02c|stv_region_mapped_sub() does the work of N of them
arch/powerpc/mm/book3s64/iommu_api.c|mm_iommu_is_devmem|c157eb3d6ae1807d|stv_contained() counts on its setting size whenever it returns true"
fn_sha() {	# FILE FUNCTION
	awk -v fn="$2" '$0 ~ "^(extern )?[a-z_0-9 ]*[ *]" fn "\\(" { on = 1 }
		on { print } on && /^}/ { exit }' "$1" |
		sed -e 's:/\*.*\*/::g' -e 's/^extern //' |
		tr -d ' \t\n' | sha256sum | cut -c1-16
}

print=0
[ "${1:-}" = --print ] && print=1
bad=0
for kv in $KVERS; do
	tce_c=$(ksrc_of "$kv")/arch/powerpc/platforms/powernv/pci-ioda-tce.c
	[ -f "$tce_c" ] || { echo "compat: $tce_c missing; run make setup" >&2; exit 1; }
	if [ "$(pnv_tce_sha "$tce_c")" != "$PNV_TCE_SHA" ]; then
		echo "compat: FAIL $kv: its pnv_tce() is not the one stv_view_level_below() was written for"
		bad=1
	elif [ $print -eq 0 ]; then
		echo "compat: ok   $kv: pnv_tce() as read ($PNV_TCE_SHA)"
	fi
	while IFS='|' read -r file fn sha why; do
		[ -n "$file" ] || continue
		src=$(ksrc_of "$kv")/$file
		[ -f "$src" ] || { echo "compat: $src missing; run make setup" >&2; exit 1; }
		if [ "$(fn_sha "$src" "$fn")" != "$sha" ]; then
			echo "compat: FAIL $kv: its $fn() is not the one read for the module ($why)"
			bad=1
		elif [ $print -eq 0 ]; then
			echo "compat: ok   $kv: $fn() as read ($sha)"
		fi
	done <<<"$PLATFORM_READS"
	if ! sh "$compat" region "$(ksrc_of "$kv")" 2>/dev/null; then
		echo "compat: FAIL $kv: its struct mm_iommu_table_group_mem_t (iommu_api.c) is not the one stv_compat.h mirrors"
		bad=1
	elif [ $print -eq 0 ]; then
		echo "compat: ok   $kv: struct mm_iommu_table_group_mem_t as mirrored"
	fi
	vfio_h=$(ksrc_of "$kv")/drivers/vfio/vfio.h
	[ -f "$vfio_h" ] || { echo "compat: $vfio_h missing; run make setup" >&2; exit 1; }
	if ! layout=$(sh "$compat" source "$vfio_h" 2>/dev/null); then
		echo "compat: FAIL $kv: its drivers/vfio/vfio.h matches no layout of stv_compat.h"
		sh "$compat" canon "$vfio_h" | sed 's/^/compat:   kernel: /'
		bad=1
		continue
	fi
	for fl in $(flavours_of "$kv"); do
		tok=$(tok_of "$fl" "$kv")
		kd=$(kdir_of "$tok")
		rel=$(krel_of "$tok")
		crc=$(sh "$compat" crc "$kd/Module.symvers")
		key=$crc
		[ "$crc" != 0x00000000 ] || key=-
		if [ $print -eq 1 ]; then
			printf '%s\t%s\t%s\n' "$key" "$layout" "$rel"
			continue
		fi
		if [ "$key" = - ]; then
			rec=$(awk -v r="$rel" '!/^#/ && $1 == "-" && $3 == r { print $2 }' "$table")
		else
			rec=$(awk -v c="$key" -v r="$rel" '!/^#/ && $1 == c && $3 == r { print $2 }' "$table")
		fi
		if [ "$rec" != "$layout" ]; then
			echo "compat: FAIL $rel: source says layout $layout, table has '${rec:-nothing}' for key $key"
			bad=1
		elif ! got=$(sh "$compat" select "$kd" "$kd" "$rel"); then
			echo "compat: FAIL $rel: the build check refuses it: $got"
			bad=1
		else
			echo "compat: ok   $rel: vfio.h matches layout $layout; recorded by ${key/-/release}; build check: $got"
		fi
	done
done
[ $bad -eq 0 ] || { echo "compat: stv_layouts.tsv disagrees with the kernels' sources (--print shows the rows they need)"; exit 1; }
