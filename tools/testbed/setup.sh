#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent set-up of everything the project needs on a Debian 12 x86_64
# machine: host packages (pinned), and the pinned ppc64el kernel packages
# unpacked into the cache.  Safe to run again; a warm run takes a second.
#
# Usage: tools/testbed/setup.sh [--kvm]   (--kvm also fetches the L1 QEMU)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$here/versions.sh"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

stamp="$CACHE/setup.stamp"
want_stamp="$SETUP_REVISION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
	exit 0
fi
mkdir -p "$CACHE" "$DEBS"

# --- apt sources ----------------------------------------------------------
if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
	log "adding the ppc64el architecture"
	$SUDO dpkg --add-architecture ppc64el
fi

have_backports() {
	grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! have_backports; then
	# Reuse the mirror the machine already uses for bookworm itself.
	uri=$(awk '/^URIs:/ {u=$2} /^Suites:.*bookworm( |$)/ {print u; exit}' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	if [ -z "$uri" ]; then
		uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' \
			/etc/apt/sources.list 2>/dev/null || true)
	fi
	[ -n "$uri" ] || die "cannot find the bookworm mirror in apt's sources"
	log "adding bookworm-backports from $uri"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" | $SUDO tee /etc/apt/sources.list.d/spapr-tce-vfio-backports.sources >/dev/null
fi

apt_update() {
	# A foreign index can be momentarily out of sync (exit 100); what
	# matters is whether the packages resolve, which is checked below.
	$SUDO apt-get update -qq || log "apt-get update exited $? (continuing; packages are checked next)"
}

# need_pkg name[=version] ...: every package must resolve in apt's
# indexes; a versioned one at exactly that version.  An unversioned name
# only has to be known with some candidate.
need_pkg() {
	local spec name ver missing=()
	for spec in "$@"; do
		name=${spec%%=*}
		ver=
		[ "$spec" = "$name" ] || ver=${spec#*=}
		if ! apt-cache madison "$name" 2>/dev/null |
			awk -F' [|] ' -v v="$ver" 'v == "" || $2 == v {f=1} END {exit !f}'; then
			missing+=("$spec")
		fi
	done
	[ ${#missing[@]} -eq 0 ] || die "package(s) not available from apt: ${missing[*]}"
}

installed_at() {	# pkg version
	[ "$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null)" = "install ok installed $2" ]
}

updated=0
ensure_update() { [ $updated -eq 1 ] || { apt_update; updated=1; }; }

# --- host packages --------------------------------------------------------
host_missing=()
for p in "${HOST_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		host_missing+=("$p")
done
if [ ${#host_missing[@]} -gt 0 ]; then
	ensure_update
	need_pkg "${host_missing[@]}"
	log "installing ${host_missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${host_missing[@]}" >/dev/null
fi

if ! installed_at qemu-system-ppc "$QEMU_VERSION"; then
	ensure_update
	need_pkg "qemu-system-ppc=$QEMU_VERSION" "qemu-system-data=$QEMU_VERSION"
	log "installing qemu-system-ppc $QEMU_VERSION"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports "qemu-system-ppc=$QEMU_VERSION" \
		"qemu-system-data=$QEMU_VERSION" >/dev/null
fi

# --- pinned target packages, downloaded and unpacked into the cache -------
fetch_deb() {	# pkg version: into $DEBS, once
	local pkg=$1 ver=$2
	ls "$DEBS/${pkg%%:*}_"*.deb >/dev/null 2>&1 && return 0
	ensure_update
	need_pkg "$pkg=$ver"
	log "downloading $pkg=$ver"
	(cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
		die "download of $pkg=$ver failed"
}

fetch_unpack() {	# pkg version dest
	local pkg=$1 ver=$2 dest=$3 deb
	[ -f "$dest/.unpacked" ] && return 0
	fetch_deb "$pkg" "$ver"
	deb=$(ls "$DEBS/${pkg%%:*}_"*.deb | head -n1)
	rm -rf "$dest"
	mkdir -p "$dest"
	dpkg-deb -x "$deb" "$dest"
	touch "$dest/.unpacked"
}

fetch_deb "linux-kbuild-$KREL" "$KPKG_VERSION"
fetch_deb "linux-headers-$KREL-common" "$KPKG_VERSION"
for fl in $FLAVOURS; do
	fetch_unpack "linux-image-$KREL-$fl:ppc64el" "$KPKG_VERSION" "$ROOTS/image-$fl"
	fetch_deb "linux-headers-$KREL-$fl:ppc64el" "$KPKG_VERSION"
done
fetch_unpack "busybox-static:ppc64el" "$BUSYBOX_VERSION" "$ROOTS/busybox"
fetch_unpack "linux-source-$KSERIES" "$KPKG_VERSION" "$ROOTS/linux-source-deb"

# One tree per flavour that kbuild can use from the cache: the packaged
# layout (usr/src + usr/lib) rebuilt under one root, so the relative
# links between the packages resolve; only the absolute include of the
# common Makefile has to be redirected.
for fl in $FLAVOURS; do
	kdir=$(kdir_of "$fl")
	[ -f "$kdir/.ready" ] && continue
	root=$CACHE/ktree-$fl
	rm -rf "$root"
	mkdir -p "$root"
	for deb in "linux-kbuild-$KREL" "linux-headers-$KREL-common" \
		   "linux-headers-$KREL-$fl"; do
		dpkg-deb -x "$(ls "$DEBS/${deb}_"*.deb | head -n1)" "$root"
	done
	[ -f "$kdir/Makefile" ] || die "unexpected layout in linux-headers-$KREL-$fl"
	sed -i "s#/usr/src/linux-headers-$KREL-common#$root/usr/src/linux-headers-$KREL-common#g" \
		"$kdir/Makefile"
	touch "$kdir/.ready"
done

# The reference source: unpack the tarball once.
if [ ! -f "$KSRC/.ready" ]; then
	tarball=$(ls "$ROOTS/linux-source-deb/usr/src/linux-source-$KSERIES".tar.* | head -n1)
	log "unpacking $(basename "$tarball")"
	rm -rf "$KSRC"
	mkdir -p "$KSRC"
	tar -xaf "$tarball" -C "$KSRC" --strip-components=1
	touch "$KSRC/.ready"
fi

# The 6.12 UAPI headers for the (static, ppc64le) userspace tests.
if [ ! -f "$UAPI/.ready" ]; then
	log "installing the $KSERIES UAPI headers"
	rm -rf "$UAPI"
	make -s -C "$KSRC" ARCH=powerpc O="$CACHE/uapi-build" \
		INSTALL_HDR_PATH="$UAPI" headers_install >/dev/null
	rm -rf "$CACHE/uapi-build"
	touch "$UAPI/.ready"
fi

echo "$want_stamp" >"$stamp"
log "ready (cache: $CACHE)"
