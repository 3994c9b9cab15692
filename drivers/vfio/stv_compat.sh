#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Which layout of the private VFIO declarations (stv_compat.h) matches
# the kernel we are building against, or why none can be trusted.
#
# The module mirrors struct vfio_iommu_driver_ops and its companions from
# the kernel's drivers/vfio/vfio.h, which no headers package ships.  A
# kernel is accepted only when one of two checks proves the mirror right:
#
#   source  the kernel tree has drivers/vfio/vfio.h (a full source or
#           O= build): the declarations there, comments and spacing
#           aside, must equal one layout block of stv_compat.h;
#   record  otherwise (a headers package, as DKMS uses) the kernel build
#           must be one that stv_layouts.tsv records as verified against
#           its source: where the kernel has modversions, by the CRC of
#           vfio_register_iommu_driver in Module.symvers (genksyms derives
#           it from the full type of the argument, so a changed structure
#           changes it); where it has none (Debian's 7.2), by the exact
#           kernel release, whose ABI name Debian bumps on ABI changes.
#
# Usage:
#   stv_compat.sh select OBJTREE SRCTREE KERNELRELEASE
#       print "layout=N", or one line saying why not and exit 1
#   stv_compat.sh source VFIO_H       print the layout VFIO_H matches
#   stv_compat.sh region SRCTREE      exit 0 when the tree's preregistered
#                                     region structure is stv_compat.h's
#   stv_compat.sh crc MODULE_SYMVERS  print the CRC of the registration
#   stv_compat.sh canon FILE [N]      print the declarations of FILE (of
#                                     layout block N of stv_compat.h)
#                                     in the form that is compared
set -eu

here=$(cd "$(dirname "$0")" && pwd)
compat_h=$here/stv_compat.h
table=$here/stv_layouts.tsv

# The awk function canon() and region() compare text through: comments
# removed, white space squeezed to one space, and none left beside
# punctuation.
squeeze_awk='
function squeeze(s,   n, p, k, i) {
	gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", s)
	gsub(/\/\/[^\n]*/, " ", s)
	gsub(/[ \t\n]+/, " ", s)
	n = split("( ) { } ; , * [ ]", p, " ")
	for (k = 1; k <= n; k++) {
		while ((i = index(s, " " p[k])) > 0)
			s = substr(s, 1, i - 1) substr(s, i + 1)
		while ((i = index(s, p[k] " ")) > 0)
			s = substr(s, 1, i) substr(s, i + 2)
	}
	return s
}'

# canon FILE [N]: the declarations (two enums, the ops, the registration
# pair), comments and spacing removed; one a kernel lacks reads
# "missing(...)" on both sides.
canon() {
	awk -v want="${2:-}" "$squeeze_awk"'
	want != "" {
		if ($0 ~ "^#if STV_VFIO_OPS_LAYOUT == " want "$") { on = 1; next }
		if ($0 ~ "^#endif /\\* STV_VFIO_OPS_LAYOUT == " want " \\*/") on = 0
		if (!on) next
	}
	{ s = s $0 "\n" }
	function item(head, stop,   i, rest, j) {
		i = index(s, head)
		if (!i)
			return "missing(" head ")"
		rest = substr(s, i)
		j = index(rest, stop)
		return j ? substr(rest, 1, j + length(stop) - 1) : "unterminated(" head ")"
	}
	END {
		s = squeeze(s)
		print item("enum vfio_group_type{", "};")
		print item("enum vfio_iommu_notify_type{", "};")
		print item("struct vfio_iommu_driver_ops{", "};")
		print item("int vfio_register_iommu_driver(", ";")
		print item("void vfio_unregister_iommu_driver(", ";")
	}' "$1"
}

# region FILE: the page mask and the structure of a preregistered region,
# as iommu_api.c declares them or as stv_compat.h mirrors them, squeezed
# as canon() squeezes (the #define inside the kernel's structure left out).
region() {
	awk "$squeeze_awk"'
	/^#define MM_IOMMU_TABLE_GROUP_PAGE_MASK[ \t]/ { s = s $0 "\n" }
	/^struct mm_iommu_table_group_mem_t \{/ { on = 1 }
	on && !/^#/ { s = s $0 "\n" }
	on && /^\};/ { on = 0 }
	END { print squeeze(s) }' "$1"
}

# region_matches SRCTREE: does the kernel's region equal the mirror?
region_matches() {
	api=$1/arch/powerpc/mm/book3s64/iommu_api.c
	[ -f "$api" ] && [ "$(region "$api")" = "$(region "$compat_h")" ]
}

layouts() {
	sed -n 's/^#if STV_VFIO_OPS_LAYOUT == \([0-9][0-9]*\)$/\1/p' "$compat_h"
}

# source VFIO_H: the layout whose block equals the kernel's declarations.
source_layout() {
	want=$(canon "$1")
	for n in $(layouts); do
		if [ "$(canon "$compat_h" "$n")" = "$want" ]; then
			echo "$n"
			return 0
		fi
	done
	return 1
}

crc_of() {
	awk '$2 == "vfio_register_iommu_driver" { print $1; exit }' "$1"
}

supported() {
	awk '!/^#/ && NF >= 3 { print $3 }' "$table" | sort -u | tr '\n' ' '
}

select_layout() {
	objtree=$1 srctree=$2 krel=$3
	if [ -f "$srctree/drivers/vfio/vfio.h" ]; then
		if ! n=$(source_layout "$srctree/drivers/vfio/vfio.h"); then
			echo "kernel $krel: the declarations of struct vfio_iommu_driver_ops in $srctree/drivers/vfio/vfio.h match no layout in stv_compat.h; add one (Documentation/design.rst, 'The compat layer')"
			return 1
		fi
		if ! region_matches "$srctree"; then
			echo "kernel $krel: struct mm_iommu_table_group_mem_t in $srctree/arch/powerpc/mm/book3s64/iommu_api.c is missing or differs from the mirror in stv_compat.h; read it again (Documentation/design.rst, 'The compat layer')"
			return 1
		fi
		echo "layout=$n"
		return 0
	fi
	symvers=$objtree/Module.symvers
	if [ ! -f "$symvers" ]; then
		echo "kernel $krel: $symvers is missing, so the layout of struct vfio_iommu_driver_ops cannot be verified; install the complete linux-headers package of this kernel"
		return 1
	fi
	crc=$(crc_of "$symvers")
	case "$crc" in
	"")
		echo "kernel $krel does not export vfio_register_iommu_driver: it was built without CONFIG_VFIO_CONTAINER, which this module needs"
		return 1 ;;
	0x00000000)
		# No modversions: the verified build is known by its release.
		n=$(awk -v r="$krel" '!/^#/ && $1 == "-" && $3 == r { print $2; exit }' "$table")
		why="kernel build $krel was never verified against its source" ;;
	*)
		n=$(awk -v c="$crc" '!/^#/ && $1 == c { print $2; exit }' "$table")
		why="vfio_register_iommu_driver CRC $crc is not among the verified ones" ;;
	esac
	if [ -n "$n" ]; then
		echo "layout=$n"
		return 0
	fi
	echo "kernel $krel is not supported: the layout of the private struct vfio_iommu_driver_ops could not be verified for it ($why). Verified kernel builds: $(supported)(see Documentation/admin-guide.rst, 'Supported kernels')"
	return 1
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
select)	select_layout "$@" ;;
source)	source_layout "$1" || { echo "no layout of stv_compat.h matches $1" >&2; exit 1; } ;;
crc)	crc_of "$1" ;;
canon)	canon "$@" ;;
region)	region_matches "$1" || { echo "struct mm_iommu_table_group_mem_t of $1 differs from stv_compat.h's" >&2; exit 1; } ;;
*)	echo "usage: $0 select OBJTREE SRCTREE KERNELRELEASE | source VFIO_H | region SRCTREE | crc MODULE_SYMVERS | canon FILE [N]" >&2
	exit 2 ;;
esac
