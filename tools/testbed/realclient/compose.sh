#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compose the real-client overlay for the L1 initramfs: Debian's ppc64el
# QEMU of the L1 kernel's suite with its libraries (../payload.sh qemu),
# the L2 kernel (the same Debian vmlinux as L1) and a tiny L2 initramfs (busybox, the nvme
# modules, l2-init), and the L1 test script under the test names
# spapr_realclient (L2 under KVM) and spapr_realclient_tcg (L2 under TCG).
#
# Usage: compose.sh KERNEL-BUILD OUT_DIR
#        (powerpc64le, powerpc64le@7.2.13, powerpc64le@6.1.176)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tb=$(dirname "$here")
# shellcheck source=tools/testbed/versions.sh
. "$tb/versions.sh"

fl=$1 out=$2
case "$(tok_fl "$fl")" in
powerpc64le) ;;
*) echo "realclient: kernel build $fl is not supported (the L2 settings were tried with the powerpc64le builds only)" >&2; exit 1 ;;
esac
suite=$(kfield "$(tok_kver "$fl")" suite)
# Debian 12's own kernel (bookworm) runs the pinned bookworm-backports
# QEMU: the same Debian 12 userland as the primary kernel's.
[ "$suite" = bookworm ] && suite=bookworm-backports
qemu_version_of "$suite" >/dev/null ||
	{ echo "realclient: no L1 QEMU pinned for $suite (versions.sh qemu_version_of)" >&2; exit 1; }
mods=$(modules_of "$fl")

mkdir -p "$out"
bash "$tb/payload.sh" qemu --suite "$suite" "$out/qemu"

# The L1 side: the test under both names, and what it boots.
rm -rf "$out/tree"
mkdir -p "$out/tree/tests" "$out/tree/realclient"
cp -a "$out/qemu"/. "$out/tree/"
rm -f "$out/tree/.payload-stamp"
install -m 0755 "$here/l1-test" "$out/tree/tests/spapr_realclient"
ln -s spapr_realclient "$out/tree/tests/spapr_realclient_tcg"
ln -s "$(vmlinux_of "$fl")" "$out/tree/realclient/vmlinux"
# The upstream version the L1 test expects QEMU to report.
qemu_version_of "$suite" | sed -E 's/^[0-9]+://; s/[+~-].*//' >"$out/tree/realclient/qemu.version"

# The L2 initramfs.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
l2=$work/l2
mkdir -p "$l2"/{bin,proc,sys,dev,tmp,lib/modules}
cp "$ROOTS/busybox/bin/busybox" "$l2/bin/busybox"
for app in sh cat echo mount insmod dd sync sleep grep sed head tr od \
	poweroff ls wc cut; do
	ln -s busybox "$l2/bin/$app"
done
install -m 0755 "$here/l2-init" "$l2/init"
: >"$l2/lib/modules/load.list"
paths=$("$tb/modorder.sh" "$mods" nvme)
for path in $paths; do
	unpack_module "$path" "$l2/lib/modules" >>"$l2/lib/modules/load.list"
done
(cd "$l2" && find . -print0 | cpio --null -o -H newc --quiet) |
	gzip -9 >"$out/tree/realclient/l2.cpio.gz"
