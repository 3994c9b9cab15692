#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian root of the install test: a ppc64el bookworm system with
# apt, dkms and the compiler, as an admin's POWER host would have, made
# from Debian's packages and cached as an ext4 disk image.  The first
# stage (debootstrap --foreign) runs here, into a directory that
# mke2fs -d turns into the image; the second stage runs inside the
# emulated POWER host on the first boot (install/run, "prepare"), since
# this machine cannot execute ppc64el code.
#
# Usage: root.sh image             print the cached image, creating it
#                                  from the first stage
#        root.sh work DIR TOKEN    fill DIR with what a test boot adds
#                                  to the prepared image: a local apt
#                                  repository holding the package (make
#                                  deb) and the headers of both flavours
#                                  of the primary kernel, the tests, and
#                                  the host's depmod.d configuration
#
# The prepared image has both flavours of the primary kernel installed
# from their image packages, as a host that runs one of them would.
# Test boots never write to it (QEMU's snapshot=on).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tb=$(dirname "$here")
top=$(cd "$tb/../.." && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$tb/versions.sh"
log() { printf 'install-root: %s\n' "$*" >&2; }
die() { printf 'install-root: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=tools/testbed/apt.sh
. "$tb/apt.sh"

ROOT=$CACHE/install/root
IMAGE=$CACHE/install/root.img
# Room for the root (about 1 GiB prepared) and for two headers packages
# and their DKMS builds in a test boot's overlay.  Sparse.
IMAGE_SIZE=4G
# What an admin's host has before our package: dkms pulls in the
# compiler, make, kmod and dpkg-dev; initramfs-tools and linux-base are
# what the kernel's own image package needs (installed by the prepare
# boot from /srv/kernel-repo: the headers packages depend on it).
INCLUDE=dkms,kmod,apt,initramfs-tools,linux-base

stage1() {
	if [ ! -f "$ROOT/.stage1" ]; then
		log "debootstrap --foreign of a ppc64el bookworm root ($INCLUDE); about a minute"
		rm -rf "$ROOT"
		mkdir -p "$ROOT"
		debootstrap --foreign --arch=ppc64el --variant=minbase \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			--include="$INCLUDE" bookworm "$ROOT" "$(host_mirror)" \
			>"$CACHE/install/debootstrap.log" 2>&1 ||
			die "debootstrap failed; see $CACHE/install/debootstrap.log"
		kernel_repo "$ROOT/srv/kernel-repo"
		# The root is never booted with its own initramfs: the
		# prepare boot installs the kernel images with INITRD=No
		# (install/init), and any initramfs still made is kept small
		# (MODULES=list), which under emulation is minutes faster.
		# initramfs-tools is only unpacked by the second stage;
		# conf.d overrides its initramfs.conf.
		mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
		echo MODULES=list >"$ROOT/etc/initramfs-tools/conf.d/install-test"
		# dpkg syncs every file it unpacks, for a power loss this
		# throw-away disk never has to survive (QEMU writes it with
		# cache=unsafe anyway): the second stage's 134 packages and a
		# test boot's headers packages unpack without the syncs.
		mkdir -p "$ROOT/etc/dpkg/dpkg.cfg.d"
		echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/install-test"
		touch "$ROOT/.stage1"
	fi
}

# image: the ext4 image of the root.  Made from the first stage's
# directory, which then goes; a directory that an older test bed already
# prepared over 9p (.stage2) makes a prepared image.
image() {
	if [ ! -f "$IMAGE" ]; then
		[ -f "$ROOT/.stage2" ] || stage1
		log "making the root's ext4 image ($IMAGE_SIZE, sparse) with mke2fs -d"
		rm -f "$IMAGE.tmp"
		mke2fs -q -t ext4 -L stv-install -d "$ROOT" "$IMAGE.tmp" "$IMAGE_SIZE" ||
			die "mke2fs -d $ROOT failed"
		[ ! -f "$ROOT/.stage2" ] || : >"$IMAGE.prepared"
		mv "$IMAGE.tmp" "$IMAGE"
		rm -rf "$ROOT"
	fi
	echo "$IMAGE"
}

# extra_deps PKG STATUS: "name version" of every ppc64el package PKG
# needs, recursively, that dpkg status file STATUS does not list as
# installed.
extra_deps() {
	local have
	have=$(awk '/^Package:/ {p = $2} /^Status: install ok installed/ {print p}' \
		"$2" | sort -u)
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$1" 2>/dev/null |
		sed -n 's/^\([^ <].*\):ppc64el$/\1/p' | sort -u |
		comm -23 - <(echo "$have") | grep -vx "${1%%:*}" |
		while read -r p; do
			echo "$p $(apt-cache policy "$p:ppc64el" | awk '/Candidate:/ {print $2}')"
		done
}

# kernel_repo DIR: the primary kernel's two image packages, as a repo.
kernel_repo() {
	local dir=$1 kv abi ver fl p
	kv=$PRIMARY_KVER abi=$(kfield "$kv" abi) ver=$(kfield "$kv" pkgver)
	mkdir -p "$dir"
	for fl in $(flavours_of "$kv"); do
		p=linux-image-$abi-$fl:ppc64el
		fetch_deb "$(kfield "$kv" suite)" "$p" "$ver"
		cp "$(deb_of "$p" "$ver")" "$dir/"
	done
	(cd "$dir" && dpkg-scanpackages -m . 2>/dev/null >Packages)
}

work() {	# dir token
	local dir=$1 tok=$2 repo deb kv abi ver fl
	[ -f "$IMAGE.prepared" ] || die "the root image is not prepared (install/run prepares it)"
	rm -rf "$dir"
	repo=$dir/repo
	mkdir -p "$repo" "$dir/tests"
	deb=$(ls "$top"/build/deb/spapr-tce-vfio-dkms_*_all.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || die "no package in build/deb (make deb)"
	cp "$deb" "$repo/"
	kv=$(tok_kver "$tok") abi=$(kfield "$kv" abi) ver=$(kfield "$kv" pkgver)
	for p in "linux-headers-$abi-common" "linux-kbuild-$abi:ppc64el" \
		 "linux-headers-$abi-powerpc64le:ppc64el" \
		 "linux-headers-$abi-powerpc64le-64k:ppc64el"; do
		fetch_deb "$(kfield "$kv" suite)" "$p" "$ver"
		case $p in
		*:*) cp "$(deb_of "$p" "$ver")" "$repo/" ;;
		*) cp "$DEBS/${p}_${ver//:/%3a}_all.deb" "$repo/" ;;
		esac
	done
	# What the headers need that the root lacks (linux-kbuild: libelf1,
	# pahole and theirs), from bookworm, as the admin's mirror would
	# serve them.  The image's dpkg status says what it has.
	debugfs -R 'cat /var/lib/dpkg/status' "$IMAGE" 2>/dev/null >"$dir/status"
	[ -s "$dir/status" ] || die "cannot read the dpkg status of $IMAGE"
	extra_deps "linux-kbuild-$abi:ppc64el" "$dir/status" | while read -r p v; do
		fetch_deb bookworm "$p:ppc64el" "$v"
		cp "$(deb_of "$p:ppc64el" "$v")" "$repo/"
	done
	rm "$dir/status"
	(cd "$repo" && dpkg-scanpackages -m . 2>/dev/null >Packages)
	cp "$top/build/selftests/spapr_tce_smoke" "$dir/tests/"
	install -m 0755 "$here/admin-test" "$dir/admin-test"
	cp "$here/depmod.conf" "$dir/depmod.conf"
	fl=$(tok_fl "$tok")
	echo "$fl" >"$dir/flavour"
}

case "${1:-}" in
image) image ;;
work) work "$2" "$3" ;;
*) echo "usage: $0 image | work DIR TOKEN" >&2; exit 2 ;;
esac
