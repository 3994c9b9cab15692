#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug kernel from the pinned linux-source package:
# allnoconfig + debug.config, out of tree in the cache.  Installs its
# modules under $CACHE/debug-image so that the initramfs composer finds
# them like a Debian image's.  A warm run with an unchanged fragment
# returns at once.
#
# Without ccache: a cold build only misses, and a miss costs ccache an
# extra preprocessor run; with CCACHE_RECACHE three files of this
# kernel took 18.3 s to compile, against 14.4 s without ccache
# (2026-12-02).  A changed fragment or source rebuilds in the same
# output directory, where make keeps what did not change.
#
# Two runs at once (.ci/run starts one beside the set-up, make check
# asks again) take turns on a lock: the second finds the first's build
# and returns.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

mkdir -p "$CACHE"
exec 9>"$CACHE/debug-build.lock"
if ! flock -n 9; then
	printf 'debug-kernel: waiting for the build already under way\n' >&2
	flock 9
fi

frag=$here/debug.config
out=$DEBUG_BUILD
img=$DEBUG_IMAGE
stamp=$out/.spapr-stamp
want=$(cat "$frag" "$0" | sha256sum | cut -c1-16)-$KPKG_VERSION
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/vmlinux" ]; then
	exit 0
fi

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
mk() {
	make -s -C "$KSRC" O="$out" ARCH=powerpc CROSS_COMPILE="$CROSS_COMPILE" \
		"$@"
}

# Left by the versions of this script that built with ccache.
rm -rf "$CACHE/ccache"
mkdir -p "$out"
t0=$(date +%s)
log "configuring (allnoconfig + $(basename "$frag"))"
KCONFIG_ALLCONFIG=$frag mk allnoconfig >/dev/null
mk olddefconfig >/dev/null
missing=0
while read -r line; do
	case "$line" in CONFIG_*) ;; *) continue ;; esac
	if ! grep -qx "$line" "$out/.config"; then
		log "fragment option did not land in .config: $line"
		missing=1
	fi
done <"$frag"
[ $missing -eq 0 ] || { log "configuration incomplete"; exit 1; }

log "building vmlinux and modules (-j$(nproc)); 15 to 20 minutes cold, seconds warm"
# Progress every 30 s: the build is silent (-s) for minutes otherwise.
mk -j"$(nproc)" vmlinux modules &
build=$!
n=0
while kill -0 "$build" 2>/dev/null; do
	sleep 5
	n=$((n + 1))
	[ $((n % 6)) -eq 0 ] && kill -0 "$build" 2>/dev/null &&
		log "  $(( $(date +%s) - t0 ))s: $(find "$out" -name '*.o' | wc -l) objects built"
done
wait "$build" || { log "build failed"; exit 1; }
rm -rf "$img"
mk INSTALL_MOD_PATH="$img" INSTALL_MOD_STRIP=1 modules_install >/dev/null
echo "$want" >"$stamp"
log "done in $(( $(date +%s) - t0 ))s"
