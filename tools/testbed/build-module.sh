#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build vfio_spapr_tce.ko for one kernel build (a token of
# versions.sh: powerpc64le, powerpc64le-64k@7.2.13, or debug) into
# build/<token>/ko, with the compiler of that kernel's own suite
# (in-toolchain.sh) and warnings as errors.  Kbuild builds in the source
# directory, so each build gets its own copy of the sources, kept in the
# cache ($CACHE/module-build/<token>) so that the next build, from this
# clone or another, recompiles only what changed: the copy rewrites only
# files whose content differs, and kbuild's own dependency records do
# the rest.  A different kernel tree or compiler empties the copy first
# (its stamp), since kbuild does not notice either.  Two builds of one
# token take turns on a lock.  Cold, the 8 kernel builds took 204 s.
#
# Usage: build-module.sh TOKEN [MAKE-VARIABLE=VALUE...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$here/versions.sh"

tok=$1
shift
extra=()
if [ "$tok" = debug ]; then
	kv=$PRIMARY_KVER kd=$DEBUG_BUILD
	# The race points of the debug lane's tests (drivers/vfio/stv_race.h).
	extra=(STV_RACE_POINTS=1)
else
	kv=$(tok_kver "$tok")
	if ! kfield "$kv" suite >/dev/null; then
		echo "build-module: kernel $kv is not in tools/testbed/kernels.tsv (supported: $KVERS)" >&2
		exit 1
	fi
	kd=$(kdir_of "$tok")
fi
if [ ! -f "$kd/Makefile" ]; then
	echo "build-module: no kbuild tree for $tok at $kd; run 'make setup' first" >&2
	exit 1
fi

ko=$top/build/$tok/ko
work=$CACHE/module-build/$tok
mkdir -p "$work"
exec 9>"$work.lock"
if ! flock -n 9; then
	echo "build-module: $tok: waiting for another build of it" >&2
	flock 9
fi
# What kbuild cannot see change: the kernel tree's identity and the
# compiler's version (Debian's trees name theirs in .kernelvariables).
cc=$(sed -nE 's/^CC = .*[)] [$][(]CROSS_COMPILE[)](gcc[-0-9]*)$/\1/p' \
	"$kd/.kernelvariables" 2>/dev/null) || cc=
stamp=$(cat "$kd/include/config/kernel.release" "$kd/.config" "$kd/Module.symvers" \
	"$0" | sha256sum | cut -c1-16)-$("$here/in-toolchain.sh" "$kv" \
	"$CROSS_COMPILE${cc:-gcc}" --version | head -n 1 | tr ' ' _)
if [ "$(cat "$work/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$work/src"
	echo "$stamp" >"$work/stamp"
fi
mkdir -p "$work/src"
# By content, without times: an unchanged file keeps its old time, so
# make leaves its object alone.
rsync -rc --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod*' --exclude='modules.order' --exclude='Module.symvers' \
	"$top/Kbuild" "$top/drivers" "$top/kunit" "$work/src/"
"$here/in-toolchain.sh" "$kv" make -s -j2 -C "$kd" M="$work/src" ARCH=powerpc \
	CROSS_COMPILE="$CROSS_COMPILE" CONFIG_DEBUG_INFO_BTF_MODULES= \
	W=1 STV_WERROR=1 "${extra[@]}" "$@" modules
rm -rf "$ko"
mkdir -p "$ko"
find "$work/src" -name '*.ko' -exec cp {} "$ko/" \;
