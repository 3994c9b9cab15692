# SPDX-License-Identifier: GPL-2.0
# Pinned versions and cache paths shared by every test-bed script.
# shellcheck shell=bash
#
# The kernels come from kernels.tsv.  A "kernel build" is named by a
# token: the flavour alone for the primary kernel (powerpc64le), or
# flavour@kver for the others (powerpc64le-64k@7.2.13).

_versions_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KERNELS_TSV=$_versions_here/kernels.tsv

QEMU_VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1
# The L1 QEMU of the real client, per suite of its L1 kernel.
qemu_version_of() {
	case $1 in
	bookworm-backports) echo "$QEMU_VERSION" ;;
	sid) echo "1:11.1.3+ds-1" ;;
	*) return 1 ;;
	esac
}
# The DPDK client's testpmd, per suite, and the ABI its library names
# carry (librte-eal23 for 22.11): bookworm's 22.11, and sid's 25.11
# (trixie's index lists 24.11.8 for ppc64el, but the archive answers 404
# for its ppc64el files, as it does for trixie's 6.12.117).
dpdk_version_of() {
	case $1 in
	bookworm) echo "22.11.11-0+deb12u1" ;;
	sid) echo "25.11.4-1" ;;
	*) return 1 ;;
	esac
}
# The testpmds the DPDK client runs, the first one in full.
DPDK_SUITES="bookworm sid"
dpdk_abi_of() {
	case $1 in
	bookworm) echo 23 ;;
	sid) echo 26 ;;
	*) return 1 ;;
	esac
}
# What testpmd loads without linking it: coreutils' libstdbuf.so, which
# makes its stdout line-buffered when it writes to a file (LD_PRELOAD, as
# stdbuf(1) does), and libgcc_s.so.1, which glibc loads for
# pthread_cancel() at exit.
coreutils_version_of() {
	case $1 in
	bookworm) echo "9.1-1" ;;
	sid) echo "9.10-1" ;;
	*) return 1 ;;
	esac
}
libgcc_version_of() {
	case $1 in
	bookworm) echo "12.2.0-14+deb12u1" ;;
	sid) echo "16.2.0-4" ;;
	*) return 1 ;;
	esac
}
# The suite a payload program (payload.sh) comes from unless told.
default_suite_of() {
	case $1 in
	qemu) echo bookworm-backports ;;
	testpmd) echo bookworm ;;
	esac
}
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1
FLAVOURS="powerpc64le powerpc64le-64k"
CROSS_COMPILE=powerpc64le-linux-gnu-

HOST_PKGS=(gcc libc6-dev gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross sparse coccinelle
	cpio xz-utils zstd kmod bc bison flex libssl-dev libelf-dev
	python3 make rsync debootstrap)

# Bump when the set-up steps change, so warm caches redo them.
SETUP_REVISION=5

CACHE=${SPAPR_TCE_CACHE:-$HOME/.cache/spapr-tce-vfio}
DEBS=$CACHE/debs
ROOTS=$CACHE/roots
UAPI=$CACHE/uapi

# kfield KVER FIELD: one field of a kernels.tsv row; fails for an unknown
# kernel.  Fields: suite abi pkgver source cc image role flavours.
kfield() {
	awk -v k="$1" -v f="$2" '
	BEGIN { n = split("kver suite abi pkgver source cc image role flavours", h, " ")
		for (i = 1; i <= n; i++) col[h[i]] = i }
	!/^#/ && NF && $1 == k { print $col[f]; found = 1; exit }
	END { exit !found }' "$KERNELS_TSV"
}

KVERS=$(awk '!/^#/ && NF { print $1 }' "$KERNELS_TSV" | tr '\n' ' ')
PRIMARY_KVER=$(awk '!/^#/ && NF && $8 == "primary" { print $1 }' "$KERNELS_TSV")

# The primary kernel, under the names the older scripts use.
KREL=$(kfield "$PRIMARY_KVER" abi)
KPKG_VERSION=$(kfield "$PRIMARY_KVER" pkgver)
KSERIES=${PRIMARY_KVER%.*}
KSRC=$CACHE/linux-source-$KSERIES

tok_fl() { echo "${1%@*}"; }
tok_kver() { case $1 in *@*) echo "${1#*@}" ;; *) echo "$PRIMARY_KVER" ;; esac; }
tok_of() {	# FLAVOUR KVER
	if [ "$2" = "$PRIMARY_KVER" ]; then echo "$1"; else echo "$1@$2"; fi
}
# The flavours Debian built a kernel in (of $FLAVOURS).
flavours_of() { kfield "$1" flavours | tr , ' '; }
# Every kernel build of the table: each kernel in each of its flavours.
all_tokens() {
	local k fl
	for k in $KVERS; do
		for fl in $(flavours_of "$k"); do tok_of "$fl" "$k"; done
	done
}
# The package of a kernel's kbuild tools: named by the ABI in the 6.12
# and later packages, by the series in 6.1's (linux-kbuild-6.1).
kbuild_pkg_of() {
	local abi
	abi=$(kfield "$1" abi)
	case $abi in
	*.0-[0-9]*) echo "linux-kbuild-${1%.*}" ;;
	*) echo "linux-kbuild-$abi" ;;
	esac
}
# The kernel release (uname -r) of a build.
krel_of() { echo "$(kfield "$(tok_kver "$1")" abi)-$(tok_fl "$1")"; }

kdir_of() {	# TOKEN: the kbuild tree (headers) of that build
	local kv
	kv=$(tok_kver "$1")
	echo "$CACHE/ktree-$1/usr/src/linux-headers-$(kfield "$kv" abi)-$(tok_fl "$1")"
}
image_of() { echo "$ROOTS/image-$1"; }
vmlinux_of() {	# TOKEN: the bootable ELF kernel
	if [ "$(kfield "$(tok_kver "$1")" image)" = split ]; then
		echo "$(image_of "$1")/usr/lib/modules/$(krel_of "$1")/vmlinuz"
	else
		echo "$(image_of "$1")/boot/vmlinux-$(krel_of "$1")"
	fi
}
modules_of() {	# TOKEN: the kernel's modules directory
	local img d
	img=$(image_of "$1")
	for d in "$img/lib/modules/$(krel_of "$1")" "$img/usr/lib/modules/$(krel_of "$1")"; do
		[ -d "$d/kernel" ] && { echo "$d"; return 0; }
	done
	return 1
}
# Copy one of a kernel's modules into DIR, uncompressed (Debian 12's 6.1
# ships plain .ko files, the later kernels .ko.xz); print its file name.
unpack_module() {	# PATH DIR
	local name
	name=$(basename "$1" .xz)
	case "$1" in
	*.xz) xz -dc "$1" >"$2/$name" ;;
	*) cp "$1" "$2/$name" ;;
	esac
	echo "$name"
}
# The reference source of a kernel: the whole tree for the primary one,
# the files the compat check reads for the others.
ksrc_of() {
	if [ "$1" = "$PRIMARY_KVER" ]; then echo "$KSRC"; else echo "$CACHE/linux-source-$1"; fi
}
# The root of the suite whose compiler built a kernel ("" for the host's).
toolchain_of() {
	local cc
	cc=$(kfield "$1" cc)
	[ "$cc" = host ] || echo "$CACHE/toolchain-$(kfield "$1" suite)"
}
# The debug kernel (tools/testbed/build-debug-kernel.sh).
DEBUG_BUILD=$CACHE/debug-build
DEBUG_IMAGE=$CACHE/debug-image

# timeout_of NAME: a time limit of the test bed, in seconds (timeouts.tsv).
TIMEOUTS_TSV=$_versions_here/timeouts.tsv
timeout_of() {
	awk -v k="$1" '!/^#/ && NF && $1 == k { print $2; found = 1; exit }
	END { exit !found }' "$TIMEOUTS_TSV"
}
