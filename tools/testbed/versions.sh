# SPDX-License-Identifier: GPL-2.0
# Pinned versions and cache paths shared by every test-bed script.
# shellcheck shell=bash

KSERIES=6.12
KREL=6.12.95+deb12
KPKG_VERSION=6.12.95-1~bpo12+1
QEMU_VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1
FLAVOURS="powerpc64le powerpc64le-64k"
CROSS_COMPILE=powerpc64le-linux-gnu-

HOST_PKGS=(gcc libc6-dev gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross sparse coccinelle
	ccache cpio xz-utils zstd kmod bc bison flex libssl-dev libelf-dev
	python3 make rsync)

# Bump when the set-up steps change, so warm caches redo them.
SETUP_REVISION=2

CACHE=${SPAPR_TCE_CACHE:-$HOME/.cache/spapr-tce-vfio}
DEBS=$CACHE/debs
ROOTS=$CACHE/roots
KSRC=$CACHE/linux-source-$KSERIES
UAPI=$CACHE/uapi

kdir_of() { echo "$CACHE/ktree-$1/usr/src/linux-headers-$KREL-$1"; }

# The debug kernel (tools/testbed/build-debug-kernel.sh).
DEBUG_BUILD=$CACHE/debug-build
DEBUG_IMAGE=$CACHE/debug-image
