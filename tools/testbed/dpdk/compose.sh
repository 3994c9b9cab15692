#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compose the DPDK client's overlay for the guest initramfs: Debian's
# dpdk-testpmd of each suite in DPDK_SUITES, with its libraries and what
# it loads (../payload.sh testpmd), and the guest side, spapr_dpdk, as a
# test.  The first suite's testpmd goes at the root and uses /lib64's
# loader; each other one goes under /opt/dpdk-<suite>, with its own
# loader and C library, and is started through that loader.  Their list
# is /etc/stv-dpdk.list: "version root abi" a line, the first one first.
#
# Usage: compose.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tb=$(dirname "$here")
# shellcheck source=tools/testbed/versions.sh
. "$tb/versions.sh"
out=$1

mkdir -p "$out"
rm -rf "$out/tree"
mkdir -p "$out/tree/tests" "$out/tree/etc"
first=1
for suite in $DPDK_SUITES; do
	bash "$tb/payload.sh" testpmd --suite "$suite" "$out/testpmd-$suite"
	if [ $first = 1 ]; then
		root=/
	else
		root=/opt/dpdk-$suite
	fi
	mkdir -p "$out/tree$root"
	cp -a "$out/testpmd-$suite"/. "$out/tree$root/"
	rm -f "$out/tree$root/.payload-stamp"
	ver=$(dpdk_version_of "$suite")
	echo "${ver%%-*} $root $(dpdk_abi_of "$suite")" >>"$out/tree/etc/stv-dpdk.list"
	first=0
done
install -m 0755 "$here/spapr_dpdk" "$out/tree/tests/spapr_dpdk"
