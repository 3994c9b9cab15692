#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Compose the DPDK client's overlay for the guest initramfs: Debian's
# dpdk-testpmd with its libraries and the two drivers it loads
# (../payload.sh testpmd), and the guest side, spapr_dpdk, as a test.
#
# Usage: compose.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tb=$(dirname "$here")
out=$1

mkdir -p "$out"
bash "$tb/payload.sh" testpmd "$out/testpmd"
rm -rf "$out/tree"
mkdir -p "$out/tree/tests"
cp -a "$out/testpmd"/. "$out/tree/"
rm -f "$out/tree/.payload-stamp"
install -m 0755 "$here/spapr_dpdk" "$out/tree/tests/spapr_dpdk"
