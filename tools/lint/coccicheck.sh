#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every semantic patch of the kernel's scripts/coccinelle in report
# mode over our sources, with the options the kernel's `make coccicheck`
# uses (each script's own "// Options:" line included).  spatch is run
# directly: through the kernel Makefile an out-of-tree M= directory is
# silently matched against no file at all.  Scripts with OCaml rules are
# skipped, and named: Debian's spatch needs an OCaml compiler for them.
# Any report line fails the check.
#
# spatch runs `python3` at every start to learn its version: with the
# system's directories only in PATH, that is Debian's python3, which
# Debian's spatch is built against.  Where PATH finds a pyenv shim first,
# each start took 1.1 s instead of 0.35 s, and the whole check 329 s
# (2026-12-02).
#
# Usage: coccicheck.sh KSRC DIR...
set -uo pipefail
ksrc=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ran=0 skipped=()
incs=(-I "$ksrc/arch/powerpc/include" -I "$ksrc/include"
      -I "$ksrc/arch/powerpc/include/uapi" -I "$ksrc/include/uapi")
for cocci in $(find "$ksrc/scripts/coccinelle" -name '*.cocci' | sort); do
	if grep -q 'script:ocaml' "$cocci"; then
		skipped+=("${cocci#"$ksrc"/}")
		continue
	fi
	# shellcheck disable=SC2207
	opts=($(sed -n 's|^// *Options: *||p' "$cocci"))
	for dir in "$@"; do
		PATH=/usr/bin:/bin spatch -D report --no-show-diff --very-quiet --no-includes \
			--include-headers "${incs[@]}" "${opts[@]}" \
			--cocci-file "$cocci" --dir "$dir" >>"$log" 2>&1 || {
			echo "coccicheck: spatch failed on ${cocci#"$ksrc"/}"
			cat "$log"
			exit 1
		}
	done
	ran=$((ran + 1))
done
echo "coccicheck: $ran semantic patches run, ${#skipped[@]} skipped (OCaml): ${skipped[*]}"
if grep -E '^[^ ]+:[0-9]+:' "$log"; then
	echo "coccicheck: findings above"
	exit 1
fi
echo "coccicheck: clean"
