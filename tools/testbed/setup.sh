#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent set-up of everything the project needs on a Debian 12 x86_64
# machine: host packages, QEMU, and for every kernel of kernels.tsv its
# pinned ppc64el packages unpacked into the cache, a kbuild tree per
# flavour, its reference source, and the toolchain of the suite that
# built it.  Safe to run again; a warm run only checks a stamp.
#
# Usage: tools/testbed/setup.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$here/versions.sh"

t_start=$(date +%s)
log() { printf 'setup: [%3ss] %s\n' "$(($(date +%s) - t_start))" "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=tools/testbed/apt.sh
. "$here/apt.sh"

stamp="$CACHE/setup.stamp"
want_stamp="$SETUP_REVISION $(sha256sum "$KERNELS_TSV" | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
	exit 0
fi
mkdir -p "$CACHE" "$DEBS" "$ROOTS"

steps=6
step() { log "step $1 of $steps: $2"; }

# --- 1. apt sources -------------------------------------------------------
step 1 "apt sources (ppc64el, bookworm-backports)"
if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
	log "adding the ppc64el architecture"
	$SUDO dpkg --add-architecture ppc64el
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri=$(host_mirror)
	log "adding bookworm-backports from $uri"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" | $SUDO tee /etc/apt/sources.list.d/spapr-tce-vfio-backports.sources >/dev/null
fi

installed_at() {	# pkg version
	[ "$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null)" = "install ok installed $2" ]
}

# --- 2. host packages and QEMU ----------------------------------------------
step 2 "host packages and QEMU $QEMU_VERSION"
host_missing=()
for p in "${HOST_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		host_missing+=("$p")
done
if [ ${#host_missing[@]} -gt 0 ]; then
	apt_update bookworm
	need_pkg bookworm "${host_missing[@]}"
	log "installing ${#host_missing[@]} host packages: ${host_missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${host_missing[@]}" >/dev/null
fi
if ! installed_at qemu-system-ppc "$QEMU_VERSION"; then
	apt_update bookworm
	need_pkg bookworm-backports "qemu-system-ppc=$QEMU_VERSION" "qemu-system-data=$QEMU_VERSION"
	log "installing qemu-system-ppc $QEMU_VERSION"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports "qemu-system-ppc=$QEMU_VERSION" \
		"qemu-system-data=$QEMU_VERSION" >/dev/null
fi

# --- 3. every kernel's packages ---------------------------------------------
# The list first, so that downloads can say "k of N".
wanted=()	# "suite pkg version"
for kv in $KVERS; do
	suite=$(kfield "$kv" suite) abi=$(kfield "$kv" abi) ver=$(kfield "$kv" pkgver)
	wanted+=("$suite $(kbuild_pkg_of "$kv"):amd64 $ver" "$suite linux-headers-$abi-common $ver"
		"$suite $(kfield "$kv" source) $ver")
	for fl in $(flavours_of "$kv"); do
		wanted+=("$suite linux-headers-$abi-$fl:ppc64el $ver")
		if [ "$(kfield "$kv" image)" = split ]; then
			wanted+=("$suite linux-binary-$abi-$fl:ppc64el $ver"
				"$suite linux-modules-$abi-$fl:ppc64el $ver")
		else
			wanted+=("$suite linux-image-$abi-$fl:ppc64el $ver")
		fi
	done
done
wanted+=("bookworm busybox-static:ppc64el $BUSYBOX_VERSION")
todo=()
for w in "${wanted[@]}"; do
	read -r suite pkg ver <<<"$w"
	[ -f "$(deb_of "$pkg" "$ver")" ] || todo+=("$w")
done
step 3 "kernel packages: ${#wanted[@]} pinned, ${#todo[@]} to download"
k=0
for w in "${todo[@]}"; do
	k=$((k + 1))
	read -r suite pkg ver <<<"$w"
	FETCH_PROGRESS="[$k of ${#todo[@]}] " fetch_deb "$suite" "$pkg" "$ver"
done

unpack() {	# pkg[:arch] version dest (no arch: an "all" package)
	dpkg-deb -x "$(deb_of "$1" "$2")" "$3"
}

# --- 4. images and kbuild trees ------------------------------------------------
step 4 "kernel images and kbuild trees ($(all_tokens | wc -l) builds)"
for kv in $KVERS; do
	abi=$(kfield "$kv" abi) ver=$(kfield "$kv" pkgver)
	for fl in $(flavours_of "$kv"); do
		tok=$(tok_of "$fl" "$kv")
		img=$(image_of "$tok")
		if [ ! -f "$img/.unpacked" ]; then
			log "unpacking the $tok kernel"
			rm -rf "$img"
			mkdir -p "$img"
			if [ "$(kfield "$kv" image)" = split ]; then
				unpack "linux-binary-$abi-$fl:ppc64el" "$ver" "$img"
				unpack "linux-modules-$abi-$fl:ppc64el" "$ver" "$img"
			else
				unpack "linux-image-$abi-$fl:ppc64el" "$ver" "$img"
			fi
			[ -f "$(vmlinux_of "$tok")" ] || die "no kernel at $(vmlinux_of "$tok")"
			touch "$img/.unpacked"
		fi
		# The packaged layout rebuilt under one root, so the relative
		# links between the packages resolve; only the absolute include
		# of the common Makefile is redirected.
		kdir=$(kdir_of "$tok")
		[ -f "$kdir/.ready" ] && continue
		root=$CACHE/ktree-$tok
		log "kbuild tree for $tok"
		rm -rf "$root"
		mkdir -p "$root"
		for deb in "$(kbuild_pkg_of "$kv"):amd64" "linux-headers-$abi-common" \
			   "linux-headers-$abi-$fl:ppc64el"; do
			unpack "$deb" "$ver" "$root"
		done
		[ -f "$kdir/Makefile" ] || die "unexpected layout in linux-headers-$abi-$fl"
		# (7.2's also names its own directory in KBUILD_OUTPUT.)
		sed -i "s#/usr/src/linux-headers-$abi-#$root/usr/src/linux-headers-$abi-#g" \
			"$kdir/Makefile"
		touch "$kdir/.ready"
	done
done
if [ ! -f "$ROOTS/busybox/.unpacked" ]; then
	rm -rf "$ROOTS/busybox"
	mkdir -p "$ROOTS/busybox"
	unpack busybox-static:ppc64el "$BUSYBOX_VERSION" "$ROOTS/busybox"
	touch "$ROOTS/busybox/.unpacked"
fi

# --- 5. reference sources -------------------------------------------------------
# The primary kernel's whole tree (checkpatch, coccicheck, the debug
# kernel, the selftests' UAPI and harness); for the others the files the
# compat check compares (tools/compat/check-layouts.sh).
step 5 "reference sources"
# What the compat check reads of the kernels other than the primary one;
# a cache that holds fewer files is unpacked again.
ref_files="drivers/vfio/vfio.h arch/powerpc/kvm/book3s_64_vio.c arch/powerpc/platforms/powernv/pci-ioda-tce.c arch/powerpc/kernel/iommu.c arch/powerpc/mm/book3s64/iommu_api.c"
for kv in $KVERS; do
	dest=$(ksrc_of "$kv")
	if [ "$kv" = "$PRIMARY_KVER" ]; then
		[ -f "$dest/.ready" ] && continue
	else
		[ "$(cat "$dest/.ready" 2>/dev/null)" = "$ref_files" ] && continue
	fi
	tmp=$CACHE/source-deb-$kv
	rm -rf "$tmp" "$dest"
	mkdir -p "$tmp" "$dest"
	unpack "$(kfield "$kv" source)" "$(kfield "$kv" pkgver)" "$tmp"
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
	if [ "$kv" = "$PRIMARY_KVER" ]; then
		log "unpacking $(basename "$tarball") ($kv, whole tree)"
		tar -xaf "$tarball" -C "$dest" --strip-components=1
	else
		log "unpacking $ref_files of $(basename "$tarball") ($kv)"
		pats=()
		for f in $ref_files; do pats+=("*/$f"); done
		tar -xaf "$tarball" -C "$dest" --strip-components=1 \
			--wildcards "${pats[@]}"
	fi
	rm -rf "$tmp"
	if [ "$kv" = "$PRIMARY_KVER" ]; then
		touch "$dest/.ready"
	else
		echo "$ref_files" >"$dest/.ready"
	fi
done
if [ ! -f "$UAPI/.ready" ]; then
	log "installing the $KSERIES UAPI headers"
	rm -rf "$UAPI"
	make -s -C "$KSRC" ARCH=powerpc O="$CACHE/uapi-build" \
		INSTALL_HDR_PATH="$UAPI" headers_install >/dev/null
	rm -rf "$CACHE/uapi-build"
	touch "$UAPI/.ready"
fi

# --- 6. toolchains of the other suites ----------------------------------------
# A kernel is built with its own suite's compiler, whose flags (e.g.
# gcc 16's -fmin-function-alignment) bookworm's gcc 12 does not know: a
# minimal root of that suite holds it (tools/testbed/in-toolchain.sh).
step 6 "toolchains"
for kv in $KVERS; do
	tc=$(toolchain_of "$kv")
	[ -n "$tc" ] || continue
	[ -f "$tc/.ready" ] && continue
	suite=$(kfield "$kv" suite) cc=$(kfield "$kv" cc)
	apt_update "$suite"
	need_pkg "$suite" "$cc"
	log "creating the $suite toolchain root ($cc) in $tc; takes about a minute"
	rm -rf "$tc"
	debootstrap --variant=minbase --arch=amd64 \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--include="$cc,binutils-powerpc64le-linux-gnu,make,libelf1t64,perl,python3" \
		"$suite" "$tc" "$(host_mirror)" >"$CACHE/toolchain-$suite.log" 2>&1 ||
		die "debootstrap of $suite failed; see $CACHE/toolchain-$suite.log"
	touch "$tc/.ready"
done

echo "$want_stamp" >"$stamp"
log "ready (cache: $CACHE)"
