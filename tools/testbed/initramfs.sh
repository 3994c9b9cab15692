#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compose a guest initramfs: busybox, the guest runner as /init, the
# Debian modules the runner needs (decompressed, in dependency order),
# our modules, and the selftest binaries.
#
# Usage: initramfs.sh KERNEL-BUILD OUT.cpio.gz TESTS_DIR OURS_DIR [OVERLAY_DIR]
# KERNEL-BUILD: a token of versions.sh (powerpc64le-64k@7.2.13) or debug.
# OVERLAY_DIR (optional) is laid over the tree last, links followed: the
# real-client payload (tools/testbed/realclient/compose.sh) comes this way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

fl=$1 out=$2 tests=$3 ours=$4 overlay=${5:-}
if [ "$fl" = debug ]; then
	mods=$(echo "$DEBUG_IMAGE"/lib/modules/*)
else
	mods=$(modules_of "$fl") || mods=
fi
[ -d "$mods" ] || { echo "initramfs: no modules for $fl; run make setup" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,tests,lib/modules/ours}

cp "$ROOTS/busybox/bin/busybox" "$root/bin/busybox"
for app in $("$here/busybox-applets.sh"); do
	ln -sf busybox "$root/bin/$app"
done
cp "$here/guest/init" "$root/init"

# One list per group of modules, in load order; a module already in an
# earlier list (vfio, say) is not loaded twice.
declare -A emitted=()
emit_list() {	# list-file module...
	local list=$1 p rel paths
	shift
	: >"$root/lib/modules/$list"
	paths=$("$here/modorder.sh" "$mods" "$@")
	for p in $paths; do
		[ -n "${emitted[$p]:-}" ] && continue
		emitted[$p]=1
		unpack_module "$p" "$root/lib/modules" >>"$root/lib/modules/$list"
	done
}
emit_list base.list vfio vfio-pci
emit_list backend-intree.list vfio_iommu_spapr_tce
emit_list kvm.list kvm-hv

if [ -d "$ours" ]; then
	find "$ours" -maxdepth 1 -name '*.ko' -exec cp {} "$root/lib/modules/ours/" \;
fi
if [ -d "$tests" ]; then
	cp -a "$tests"/. "$root/tests/"
fi
if [ -n "$overlay" ]; then
	cp -RL "$overlay"/. "$root/"
fi

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
