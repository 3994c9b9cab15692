#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A Debian ppc64el program with exactly the shared libraries it links,
# composed into a tree that can be laid over a guest initramfs.  Two
# programs use it:
#   qemu     Debian's qemu-system-ppc64 of one suite (versions.sh
#            qemu_version_of: bookworm-backports' 10.0.2 for the 6.12
#            L1 hosts, sid's 11.1.3 for the 7.2 one) and the firmware it
#            needs: the real client (realclient/compose.sh);
#   testpmd  Debian's dpdk-testpmd (versions.sh dpdk_version_of), the
#            two drivers it loads with -d, the e1000 family's PMD and
#            the ring mempool, coreutils' libstdbuf.so and libgcc_s.so.1
#            (versions.sh says why): the DPDK client (dpdk/compose.sh).
# The packages are the ones pinned in <program>-payload[-<suite>].list,
# fetched into the cache (tools/testbed/apt.sh) and unpacked with
# dpkg-deb -x.  Idempotent: a warm run only checks a stamp.
#
# Usage: payload.sh PROGRAM [--suite SUITE] OUT_DIR
#                           compose the tree into OUT_DIR
#        payload.sh PROGRAM [--suite SUITE] --update-list
#                           re-derive the list (maintainers, after a
#                           version bump)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$here/versions.sh"

log() { printf 'payload: %s\n' "$*" >&2; }
die() { printf 'payload: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=tools/testbed/apt.sh
. "$here/apt.sh"

usage() {
	echo "usage: $0 qemu|testpmd [--suite SUITE] OUT_DIR | qemu|testpmd [--suite SUITE] --update-list" >&2
	exit 2
}
PROGRAM=${1:-}
[ $# -gt 0 ] && shift
SUITE=$(default_suite_of "$PROGRAM")
if [ "${1:-}" = --suite ]; then
	SUITE=$2
	shift 2
fi
TRIPLET=powerpc64le-linux-gnu
READELF=${CROSS_COMPILE}readelf

# A program's profile:
#   SEEDS   the packages the walk of Depends starts from (pkg:arch=ver)
#   ROOTS_  "package relative-path" of each object whose NEEDED closure
#           goes in: the program itself, then what it dlopen()s
#   KEEP    packages kept whatever they provide
#   LIBDIR  where the libraries go in the tree
#   extras  copies what else the program needs at run time
case "$PROGRAM" in
qemu)
	VER=$(qemu_version_of "$SUITE") || die "no QEMU pinned for suite $SUITE (versions.sh)"
	SEEDS=("qemu-system-ppc:ppc64el=$VER" "qemu-system-data=$VER")
	ROOTS_=("qemu-system-ppc usr/bin/qemu-system-ppc64")
	KEEP=(qemu-system-ppc qemu-system-data)
	LIBDIR=usr/lib/realclient
	extras() {	# out
		mkdir -p "$1/usr/share/qemu"
		for fw in vof.bin slof.bin; do
			cp "$PDIR/qemu-system-data/usr/share/qemu/$fw" "$1/usr/share/qemu/"
		done
	}
	;;
testpmd)
	VER=$(dpdk_version_of "$SUITE") || die "no DPDK pinned for suite $SUITE (versions.sh)"
	ABI=$(dpdk_abi_of "$SUITE")
	SEEDS=("dpdk-dev:ppc64el=$VER" "librte-net-e1000-$ABI:ppc64el=$VER"
		"librte-mempool-ring$ABI:ppc64el=$VER"
		"coreutils:ppc64el=$(coreutils_version_of "$SUITE")"
		"libgcc-s1:ppc64el=$(libgcc_version_of "$SUITE")")
	ROOTS_=("dpdk-dev usr/bin/dpdk-testpmd"
		"librte-net-e1000-$ABI usr/lib/$TRIPLET/librte_net_e1000.so.$ABI"
		"librte-mempool-ring$ABI usr/lib/$TRIPLET/librte_mempool_ring.so.$ABI"
		"coreutils usr/libexec/coreutils/libstdbuf.so"
		"libgcc-s1 lib/$TRIPLET/libgcc_s.so.1")
	KEEP=(dpdk-dev "librte-net-e1000-$ABI" "librte-mempool-ring$ABI" coreutils libgcc-s1)
	LIBDIR=usr/lib/testpmd
	extras() { :; }
	;;
*) usage ;;
esac
if [ "$SUITE" = "$(default_suite_of "$PROGRAM")" ]; then
	LIST=$here/$PROGRAM-payload.list
	PDIR=$CACHE/$PROGRAM-payload	# unpacked packages, one directory each
else
	LIST=$here/$PROGRAM-payload-$SUITE.list
	PDIR=$CACHE/$PROGRAM-payload-$SUITE
fi

# Fetch PKG=VER (PKG may carry :arch) into $DEBS once; print the .deb path.
fetch() {
	local deb
	deb=$(deb_of "$1" "$2")
	[ -f "$deb" ] || fetch_deb "$SUITE" "$1" "$2" >&2
	[ -f "$deb" ] || die "apt-get download $1=$2 made no $deb"
	echo "$deb"
}

# Unpack a .deb into $PDIR/<name> once.
unpack() {
	local deb=$1 name dest
	name=$(basename "$deb"); name=${name%%_*}
	dest=$PDIR/$name
	if [ ! -f "$dest/.unpacked" ] || [ "$(cat "$dest/.unpacked")" != "$(basename "$deb")" ]; then
		rm -rf "$dest"
		mkdir -p "$dest"
		dpkg-deb -x "$deb" "$dest"
		basename "$deb" >"$dest/.unpacked"
	fi
	echo "$dest"
}

needed_of() { "$READELF" -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

# Locate SONAME among the unpacked packages named in $@ (directories).
find_lib() {
	local so=$1 d f
	shift
	for d in "$@"; do
		for f in "$d/lib/$TRIPLET/$so" "$d/usr/lib/$TRIPLET/$so" "$d/lib64/$so"; do
			[ -e "$f" ] && { echo "$f"; return 0; }
		done
	done
	return 1
}

# The files whose NEEDED closure goes in (ROOTS_), one a line.  A path
# under lib/ may be under usr/lib/ instead (suites with merged /usr).
root_files() {
	local r f
	for r in "${ROOTS_[@]}"; do
		f=$PDIR/${r%% *}/${r#* }
		[ -e "$f" ] || [ ! -e "$PDIR/${r%% *}/usr/${r#* }" ] || f=$PDIR/${r%% *}/usr/${r#* }
		echo "$f"
	done
}

# Walk NEEDED from the root files through every library found; print one
# "soname path" line per resolved library and "soname -" per missing one.
closure() {	# root-dirs...
	local -A seen_so=()
	local queue=() f so p
	mapfile -t queue < <(root_files)
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}; queue=("${queue[@]:1}")
		for so in $(needed_of "$f"); do
			[ -n "${seen_so[$so]:-}" ] && continue
			seen_so[$so]=1
			if p=$(find_lib "$so" "$@"); then
				echo "$so $p"
				queue+=("$(readlink -f "$p")")
			else
				echo "$so -"
			fi
		done
	done
}

update_list() {
	mkdir -p "$DEBS" "$PDIR"
	local -A have=() dirs_of=()
	local dirs=() frontier next pkg deb dir dep missing round=0
	add() {	# pkg=ver, already in $DEBS or fetched one by one
		local p=${1%%=*} v=${1#*=}
		deb=$(fetch "$p" "$v")
		dir=$(unpack "$deb")
		have[${p%%:*}]=$p=$v
		dirs_of[${p%%:*}]=$dir
		dirs+=("$dir")
	}
	cands() {	# names...: "name version" for each with a ppc64el candidate
		local a=()
		for n in "$@"; do a+=("$n:ppc64el"); done
		APT_CMD=apt-cache papt "$SUITE" policy "${a[@]}" 2>/dev/null |
			awk '/^[^ ].*:$/ {n = $1; sub(/:ppc64el:$/, "", n); sub(/:$/, "", n)}
			     /Candidate:/ {if ($2 != "(none)") print n, $2}'
	}
	debs_of() {	# package: the .deb of the version added (the cache may
			# hold other suites' versions too)
		deb_of "${have[$1]%%=*}" "${have[$1]#*=}"
	}
	apt_update "$SUITE"
	frontier=()
	for pkg in "${SEEDS[@]}"; do
		add "$pkg"
		frontier+=("${pkg%%[:=]*}")
	done
	while :; do
		missing=$(closure "${dirs[@]}" | awk '$2 == "-" {print $1}')
		[ -n "$missing" ] || break
		round=$((round + 1))
		[ ${#frontier[@]} -gt 0 ] || die "unresolved after $round rounds: $missing"
		local -A want=()
		for pkg in "${frontier[@]}"; do
			for dep in $(dpkg-deb -f "$(debs_of "$pkg")" Depends Pre-Depends |
					sed 's/([^)]*)//g; s/|/,/g; s/Depends://; s/Pre-//' | tr ',' '\n' | awk '{print $1}' | sed 's/:any$//' | sort -u); do
				[ -n "${have[$dep]:-}" ] || want[$dep]=1
			done
		done
		[ ${#want[@]} -gt 0 ] || die "unresolved after $round rounds: $missing"
		log "round $round: unresolved $(echo "$missing" | wc -l) libraries; fetching ${#want[@]} dependencies"
		# One index query and one download for the whole round.
		local specs=() todo=() n v
		while read -r n v; do
			specs+=("$n:ppc64el=$v")
			[ -f "$(deb_of "$n:ppc64el" "$v")" ] || todo+=("$n:ppc64el=$v")
		done < <(cands "${!want[@]}")
		if [ ${#todo[@]} -gt 0 ]; then
			(cd "$DEBS" && papt "$SUITE" download -qq -o APT::Sandbox::User=root \
				"${todo[@]}" >/dev/null 2>&1) || true
		fi
		next=()
		for pkg in "${specs[@]}"; do
			add "$pkg"
			next+=("${pkg%%:*}")
		done
		frontier=("${next[@]}")
	done
	# Keep only the packages that provide a linked library, and KEEP.
	local keep=("${KEEP[@]}") so p n
	while read -r so p; do
		for n in "${!dirs_of[@]}"; do
			case "$p" in "${dirs_of[$n]}"/*) keep+=("$n") ;; esac
		done
	done < <(closure "${dirs[@]}")
	{
		echo "# Generated by payload.sh $PROGRAM --update-list; one 'package version' a line."
		echo "# The ppc64el packages behind Debian's ${ROOTS_[0]#* } $VER ($SUITE)"
		echo "# and the shared libraries it links (found with ${READELF} -d)."
		printf '%s\n' "${keep[@]}" | sort -u | while read -r n; do
			echo "${have[$n]%%=*} ${have[$n]#*=}"
		done
	} >"$LIST"
	log "wrote $LIST ($(grep -vc '^#' "$LIST") packages, fetched ${#have[@]})"
}

compose() {
	local out=$1 pkgs=() dirs=() p v so path stamp want r
	[ -f "$LIST" ] || die "$LIST missing (run --update-list)"
	want=$( (cat "$LIST"; echo "$PROGRAM $VER"; cat "$0") | sha256sum | cut -c1-16)
	stamp=$out/.payload-stamp
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		return 0
	fi
	mkdir -p "$DEBS" "$PDIR"
	while read -r p v; do
		case "$p" in ''|'#'*) continue ;; esac
		pkgs+=("$p=$v")
	done <"$LIST"
	# One apt-get call for everything not yet in the cache (each call
	# costs a second or two of index loading), then one by one for names.
	local missing=()
	for p in "${pkgs[@]}"; do
		[ -f "$(deb_of "${p%%=*}" "${p#*=}")" ] || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "downloading ${#missing[@]} packages ($SUITE)"
		apt_update "$SUITE"
		(cd "$DEBS" && papt "$SUITE" download -qq -o APT::Sandbox::User=root \
			"${missing[@]}" >/dev/null 2>&1) || true
	fi
	for p in "${pkgs[@]}"; do
		dirs+=("$(unpack "$(fetch "${p%%=*}" "${p#*=}")")")
	done
	rm -rf "$out"
	mkdir -p "$out/usr/bin" "$out/lib64" "$out/$LIBDIR"
	# The program, then what it loads itself (beside its libraries).
	mapfile -t r < <(root_files)
	cp "${r[0]}" "$out/usr/bin/"
	for p in "${r[@]:1}"; do
		cp -L "$p" "$out/$LIBDIR/"
	done
	while read -r so path; do
		[ "$path" != - ] || die "$so: not in any package of $LIST (run --update-list)"
		cp -L "$path" "$out/$LIBDIR/$so"
	done < <(closure "${dirs[@]}")
	# The program interpreter is itself a NEEDED-less object from libc6.
	interp=$(find_lib ld64.so.2 "${dirs[@]}") || die "no ld64.so.2"
	cp -L "$interp" "$out/lib64/ld64.so.2"
	extras "$out"
	echo "$want" >"$stamp"
	log "composed $out: $(ls "$out/$LIBDIR" | wc -l) libraries, $(du -sh "$out" | cut -f1)"
}

case "${1:-}" in
--update-list) update_list ;;
''|-*) usage ;;
*) compose "$1" ;;
esac
