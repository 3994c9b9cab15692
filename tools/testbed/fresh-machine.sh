#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's commands on a fresh machine, from zero: a clean Debian 12
# root with nothing but the base system (debootstrap --variant=minbase),
# the repository's tracked files copied in as `git clone` would leave them
# (uncommitted edits to tracked files included), and in that root, as
# root, with an empty HOME and so an empty cache:
#
#   readme     the line README.md's "Two commands" section says to type
#              first on a minimal Debian (it gets `make`)
#   setup      make setup
#   build      make                (cross-build the module, both flavours)
#   selftests  make selftests
#   smoke      make check-quick MACHINE=pseries-p9 FLAVOUR=powerpc64le
#                                DRIVER=ours TESTS=spapr_tce_smoke
#
# Every step must exit 0 and the smoke run must close on 'N passed,
# 0 failed' with N > 0.  The root is removed at the end, on failure too;
# nothing is reused from an earlier run.  Needs root and the network.
#
# Environment:
#   SPAPR_TCE_CACHE       the root goes under $SPAPR_TCE_CACHE/fresh
#                         (default ~/.cache/spapr-tce-vfio/fresh)
#   FRESH_MIRROR          Debian mirror (default http://deb.debian.org/debian)
#   FRESH_STEP_TIMEOUT    seconds per step (default 2400)
#   FRESH_KEEP_ROOT=1     keep the root for inspection (not for CI)
#   FRESH_SETUP_OVERRIDE  a file that replaces tools/testbed/setup.sh in
#                         the copy only: to show that this test catches a
#                         broken set-up (Documentation/testing.rst)
#
# Output: every line prefixed 'fresh: ', each step's exit status and
# seconds, and last 'fresh-machine: passed' or 'fresh-machine: FAILED at
# STEP'.  On a failed smoke run the console logs are kept in
# build/fresh-runs/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

say() { printf 'fresh: %s\n' "$*"; }
preflight_failed() {
	say "$1"
	echo "fresh-machine: FAILED at preflight"
	exit 1
}

[ "$(id -u)" -eq 0 ] ||
	preflight_failed "needs root (debootstrap, chroot, mounts): sudo make check-fresh"

# Every mount made below lives in a private mount namespace: if this
# script is killed before its trap runs, the kernel drops the mounts with
# the namespace, and no host /dev or /proc stays bound under the cache.
if [ -z "${FRESH_IN_NAMESPACE:-}" ]; then
	command -v unshare >/dev/null || preflight_failed "unshare (util-linux) is missing"
	FRESH_IN_NAMESPACE=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi

base=${SPAPR_TCE_CACHE:-$HOME/.cache/spapr-tce-vfio}/fresh
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}
# Each step's limit: timeouts.tsv's fresh_step, unless FRESH_STEP_TIMEOUT.
step_timeout=${FRESH_STEP_TIMEOUT:-$(awk '$1 == "fresh_step" { print $2 }' \
	"$here/timeouts.tsv")}
mkdir -p "$base"
base=$(cd "$base" && pwd -P)	# /proc/PID/root shows the real path
root=$base/root-$$
work=$base/work-$$
repo_in_root=/root/spapr-tce-vfio
smoke_cmd="make check-quick MACHINE=pseries-p9 FLAVOUR=powerpc64le DRIVER=ours TESTS=spapr_tce_smoke"

t_start=$(date +%s)
timings=()
mounted=()
failed_at=

mounts_under() {	# mount points at or below $1, in this namespace
	awk -v r="$1" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo
}

kill_in_root() {	# end the processes this script started inside $root
	local p pids=()
	[ -d "$root" ] || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	say "ending ${#pids[@]} process(es) left in the root: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	sleep 2
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

unmount_all() {
	local i m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[$i]}
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			say "warning: cannot unmount $m"
	done
	mounted=()
}

remove_root() {	# DIR: removed only when nothing is mounted below it
	local d=$1 left
	[ -e "$d" ] || return 0
	left=$(mounts_under "$d")
	if [ -n "$left" ]; then
		say "NOT removing $d, still mounted: $(tr '\n' ' ' <<<"$left")"
		return 1
	fi
	rm -rf --one-file-system "$d"
}

cleanup() {
	local rc=$? t0
	trap - EXIT INT TERM HUP
	kill_in_root
	unmount_all
	if [ "${FRESH_KEEP_ROOT:-0}" = 1 ] && [ -d "$root" ]; then
		say "kept the root: $root (remove it with rm -rf --one-file-system)"
	else
		t0=$(date +%s)
		remove_root "$root" || { rc=1; failed_at=${failed_at:-cleanup}; }
		say "root removed in $(( $(date +%s) - t0 ))s"
	fi
	rm -rf "$work"
	if [ "$rc" -eq 0 ]; then
		echo "fresh-machine: passed"
	else
		echo "fresh-machine: FAILED at ${failed_at:-interrupted}"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# What a killed run left (its PID gone) is removed, never reused.
for d in "$base"/root-* "$base"/work-*; do
	[ -e "$d" ] || continue
	[ -d "/proc/${d##*-}" ] && continue
	say "removing $(basename "$d"), left by an interrupted run"
	remove_root "$d" || true
done

fail() {	# STEP; cleanup prints the verdict, last
	failed_at=$1
	say "timings: ${timings[*]:-none}; total $(( $(date +%s) - t_start ))s"
	exit 1
}

step_done() {	# NAME RC T0
	local secs=$(( $(date +%s) - $3 ))
	timings+=("$1=${secs}s")
	say "=== $1: exit $2 after ${secs}s"
}

# host_step NAME COMMAND...: run on the host, output prefixed; its status.
host_step() {
	local name=$1 t0 rc
	shift
	say "=== $name: $*"
	t0=$(date +%s)
	set +e
	"$@" 2>&1 </dev/null | sed -u 's/^/fresh: /'
	rc=${PIPESTATUS[0]}
	set -e
	step_done "$name" "$rc" "$t0"
	return "$rc"
}

# root_step NAME 'COMMAND LINE': typed in the root, as root, in a login
# shell with a plain environment, in the repository's top directory;
# its status.
root_step() {
	local name=$1 cmd=$2 t0 rc
	say "=== $name: $cmd"
	t0=$(date +%s)
	set +e
	timeout --kill-after=30 "$step_timeout" \
		chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
		SHELL=/bin/bash PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -lc "cd $repo_in_root && $cmd" </dev/null 2>&1 |
		tee "$work/$name.log" | sed -u 's/^/fresh: /'
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" -ne 124 ] || say "$name: timed out after ${step_timeout}s"
	kill_in_root
	step_done "$name" "$rc" "$t0"
	return "$rc"
}

keep_runs() {	# the smoke run's console logs, out of the root
	local runs=$root$repo_in_root/build/runs
	[ -d "$runs" ] || return 0
	rm -rf "$top/build/fresh-runs"
	mkdir -p "$top/build"
	cp -r "$runs" "$top/build/fresh-runs"
	say "console logs kept in build/fresh-runs/"
}

say "root: $root"
mkdir -p "$work"

# --- the clean root -------------------------------------------------------
install_debootstrap() {	# on the host, with apt; waits for apt's lock
	local apt=(apt-get -qq -o DPkg::Lock::Timeout=600)
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y debootstrap || {
		"${apt[@]}" update &&
		DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y debootstrap
	}
}
if ! command -v debootstrap >/dev/null; then
	host_step host-debootstrap install_debootstrap || fail host-debootstrap
fi
host_step debootstrap debootstrap --variant=minbase bookworm "$root" "$mirror" ||
	fail debootstrap

# --- the repository, as a clone would have it -----------------------------
copy_repo() {
	local dest=$root$repo_in_root
	mkdir -p "$dest" || return 1
	# Tracked files as they are in the work tree; a tracked file deleted
	# there is left out (tar says so).
	git -C "$top" ls-files -z |
		(cd "$top" && tar --null -T - --ignore-failed-read -cf -) |
		tar -x -C "$dest" || return 1
	if [ -n "${FRESH_SETUP_OVERRIDE:-}" ]; then
		echo "NOTE: tools/testbed/setup.sh replaced by $FRESH_SETUP_OVERRIDE in the copy (demonstration)"
		install -m 0755 "$FRESH_SETUP_OVERRIDE" "$dest/tools/testbed/setup.sh" || return 1
	fi
	echo "$(find "$dest" -type f | wc -l) files in $repo_in_root"
}
host_step copy copy_repo || fail copy

# --- what apt and QEMU need of a running system ---------------------------
mount_in_root() {	# MOUNT-ARGS... PATH-IN-ROOT
	local target=$root${*: -1}
	mount "${@:1:$#-1}" "$target"
	mounted+=("$target")
}
mount_in_root -t proc proc /proc
mount_in_root -t sysfs -o ro sysfs /sys
mount_in_root --bind /dev /dev
mount_in_root --bind /dev/pts /dev/pts
mount_in_root -t tmpfs -o mode=1777,size=256m tmpfs /dev/shm
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# --- the README's commands ------------------------------------------------
# The line to type first on a minimal Debian, as README.md words it: the
# first indented 'apt-get' (or 'sudo apt-get') line of "Two commands".
first=$(awk '/^## / {inside = ($0 == "## Two commands")}
	inside && /^    (sudo )?apt-get / {sub(/^ +/, ""); print; exit}' "$top/README.md")
if [ -z "$first" ]; then
	say "README.md's 'Two commands' section has no indented apt-get line to type first"
	fail readme
fi
root_step readme "$first" || fail readme
root_step setup "make setup" || fail setup
root_step build "make" || fail build
root_step selftests "make selftests" || fail selftests
root_step smoke "$smoke_cmd" || { keep_runs; fail smoke; }

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/smoke.log" | tail -n 1 || true)
passed=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$summary")
if [ -z "$summary" ] || [ "${passed:-0}" -eq 0 ] || [ "${failed:-1}" -ne 0 ]; then
	say "smoke: closing line '${summary:-none}', wanted 'N passed, 0 failed' with N > 0"
	keep_runs
	fail smoke
fi

used=$(du -sh --one-file-system "$root" | cut -f1)
say "timings: ${timings[*]}; total $(( $(date +%s) - t_start ))s; the root holds $used"
