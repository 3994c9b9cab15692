#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build vfio_spapr_tce.ko for one kernel build (a token of
# versions.sh: powerpc64le, powerpc64le-64k@7.2.13, or debug) into
# build/<token>/ko, with the compiler of that kernel's own suite
# (in-toolchain.sh) and warnings as errors.  Kbuild builds in the source
# directory, so each build gets its own copy of the sources.
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

out=$top/build/$tok
mkdir -p "$out/src" "$out/ko"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod*' --exclude='modules.order' --exclude='Module.symvers' \
	"$top/Kbuild" "$top/drivers" "$top/kunit" "$out/src/"
"$here/in-toolchain.sh" "$kv" make -s -j2 -C "$kd" M="$out/src" ARCH=powerpc \
	CROSS_COMPILE="$CROSS_COMPILE" CONFIG_DEBUG_INFO_BTF_MODULES= \
	W=1 STV_WERROR=1 "${extra[@]}" "$@" modules
find "$out/src" -name '*.ko' -exec cp {} "$out/ko/" \;
