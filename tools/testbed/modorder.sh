#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the paths of the named modules of a module tree and of everything
# they depend on (modinfo's "depends"), one per line, dependencies first:
# the order in which to insmod them.  Debian's images ship no modules.dep.
#
# Usage: modorder.sh MODULES_DIR NAME...
set -euo pipefail
mods=$1
shift

declare -A seen=()
modpath() {
	find "$mods/kernel" \( -name "$1.ko.xz" -o -name "${1//-/_}.ko.xz" \
		-o -name "$1.ko" -o -name "${1//-/_}.ko" \) | head -n1
}
resolve() {
	local name=$1 path dep
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	path=$(modpath "$name")
	[ -n "$path" ] || { echo "modorder: module $name not found" >&2; exit 1; }
	for dep in $(modinfo -F depends "$path" | tr , ' '); do
		resolve "$dep"
	done
	echo "$path"
}
for m in "$@"; do
	resolve "$m"
done
