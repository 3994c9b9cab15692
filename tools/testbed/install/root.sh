#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian root of the install test: a ppc64el bookworm system with
# apt, dkms and the compiler, as an admin's POWER host would have, made
# from Debian's packages and cached.  The first stage (debootstrap
# --foreign) runs here; the second stage runs inside the emulated POWER
# host on the first boot (install/run --prepare), since this machine
# cannot execute ppc64el code.
#
# Usage: root.sh stage1            print the cached root, creating it
#        root.sh work DIR TOKEN    copy the prepared root to DIR and add
#                                  a local apt repository holding the
#                                  package (make deb) and the headers of
#                                  both flavours of the primary kernel,
#                                  and the tests
#
# The prepared root has both flavours of the primary kernel installed
# from their image packages, as a host that runs one of them would.
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
		# The root is never booted with its own initramfs: keep the
		# one the kernel packages build small (MODULES=list), which
		# under emulation is minutes faster.
		sed -i 's/^MODULES=.*/MODULES=list/' "$ROOT/etc/initramfs-tools/initramfs.conf"
		touch "$ROOT/.stage1"
	fi
	echo "$ROOT"
}

# extra_deps PKG ROOT: "name version" of every ppc64el package PKG needs,
# recursively, that ROOT does not have installed.
extra_deps() {
	local have
	have=$(awk '/^Package:/ {p = $2} /^Status: install ok installed/ {print p}' \
		"$2/var/lib/dpkg/status" | sort -u)
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
	for fl in $FLAVOURS; do
		p=linux-image-$abi-$fl:ppc64el
		fetch_deb "$(kfield "$kv" suite)" "$p" "$ver"
		cp "$(deb_of "$p" "$ver")" "$dir/"
	done
	(cd "$dir" && dpkg-scanpackages -m . 2>/dev/null >Packages)
}

work() {	# dir token
	local dir=$1 tok=$2 repo deb kv abi ver fl
	[ -f "$ROOT/.stage2" ] || die "the root is not prepared (install/run --prepare)"
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a "$ROOT" "$dir/root"
	repo=$dir/root/srv/repo
	mkdir -p "$repo" "$dir/root/srv/tests"
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
	# serve them.
	extra_deps "linux-kbuild-$abi:ppc64el" "$dir/root" | while read -r p v; do
		fetch_deb bookworm "$p:ppc64el" "$v"
		cp "$(deb_of "$p:ppc64el" "$v")" "$repo/"
	done
	(cd "$repo" && dpkg-scanpackages -m . 2>/dev/null >Packages)
	echo "deb [trusted=yes] file:/srv/repo ./" >"$dir/root/etc/apt/sources.list.d/local.list"
	cp "$top/build/selftests/spapr_tce_smoke" "$dir/root/srv/tests/"
	install -m 0755 "$here/admin-test" "$dir/root/srv/admin-test"
	fl=$(tok_fl "$tok")
	echo "$fl" >"$dir/root/srv/flavour"
}

case "${1:-}" in
stage1) stage1 ;;
work) work "$2" "$3" ;;
*) echo "usage: $0 stage1 | work DIR TOKEN" >&2; exit 2 ;;
esac
