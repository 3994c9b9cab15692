#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command with the compiler that built kernel KVER: directly for a
# kernel built by the host's compiler, otherwise inside the toolchain
# root of its suite (setup.sh creates it), in a private mount namespace
# where the cache and the repository appear at their own paths.
#
# Usage: in-toolchain.sh KVER COMMAND...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$here/versions.sh"

kv=$1
shift
kfield "$kv" suite >/dev/null || { echo "in-toolchain: unknown kernel $kv" >&2; exit 2; }
tc=$(toolchain_of "$kv")
[ -n "$tc" ] || exec "$@"
[ -f "$tc/.ready" ] || { echo "in-toolchain: no toolchain root $tc; run make setup" >&2; exit 1; }
top=$(cd "$here/../.." && pwd)
export TC_ROOT=$tc TC_DIRS="$CACHE $top" TC_CWD=$PWD
# --propagation unchanged: unshare's default (make / private) fails where
# / is not a mount point, as in the fresh-machine test's chroot; the
# first line of the inner shell does it where it can.
exec unshare -m --propagation unchanged bash -c '
	set -e
	mount --make-rprivate / 2>/dev/null || true
	for d in $TC_DIRS; do
		mkdir -p "$TC_ROOT$d"
		mount --bind "$d" "$TC_ROOT$d"
	done
	exec chroot "$TC_ROOT" /usr/bin/env -C "$TC_CWD" PATH=/usr/bin:/bin "$@"
' in-toolchain "$@"
