# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Fetching pinned Debian packages into the cache, from the host's own apt
# (bookworm, bookworm-backports) or, for the other suites of
# kernels.tsv (trixie, sid), from a private apt configuration under
# $CACHE/apt/<suite> that leaves the host's apt state untouched.
# Sourced after versions.sh; the caller defines log() and die().

SUDO=${SUDO-}
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# The Debian mirror the host already uses for bookworm.
host_mirror() {
	local uri
	uri=$(awk '/^URIs:/ {u=$2} /^Suites:.*bookworm( |$)/ {print u; exit}' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' \
		/etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || die "cannot find the bookworm mirror in apt's sources"
	echo "$uri"
}

is_host_suite() { case $1 in bookworm | bookworm-backports) return 0 ;; esac; return 1; }

# papt SUITE ARGS...: apt-get (or apt-cache, with APT_CMD) for SUITE.
# Signatures are checked as usual; the expiry of a suite's Release file
# is not, since only exact pinned versions are fetched and a mirror that
# is a snapshot serves an expired sid Release (seen here).
papt() {
	local suite=$1 d
	shift
	if is_host_suite "$suite"; then
		${APT_CMD:-apt-get} "$@"
		return
	fi
	d=$CACHE/apt/$suite
	${APT_CMD:-apt-get} -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$d/lists" \
		-o Dir::State::Status="$d/status" -o Dir::Cache="$d/cache" \
		-o APT::Architectures::=amd64 -o APT::Architectures::=ppc64el \
		-o Debug::NoLocking=1 -o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root "$@"
}

declare -A _apt_updated=()
# apt_update SUITE: refresh SUITE's indexes once per run.  A foreign index
# can be momentarily out of sync (exit 100); whether the packages resolve
# is what need_pkg checks next.
apt_update() {
	local suite=$1 key d
	key=$suite
	is_host_suite "$suite" && key=host
	[ -z "${_apt_updated[$key]:-}" ] || return 0
	_apt_updated[$key]=1
	if [ "$key" != host ]; then
		d=$CACHE/apt/$suite
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		: >>"$d/status"
		printf 'deb [arch=amd64,ppc64el signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
			"$(host_mirror)" "$suite" >"$d/sources.list"
		log "updating the package index of $suite (private apt state in $d)"
		papt "$suite" update -qq || log "apt-get update for $suite exited $? (continuing; packages are checked next)"
	else
		log "updating the package index of the host's apt"
		$SUDO apt-get update -qq || log "apt-get update exited $? (continuing; packages are checked next)"
	fi
}

# need_pkg SUITE name[=version] ...: every package must resolve in SUITE's
# indexes; a versioned one at exactly that version, an unversioned one
# with some candidate.
need_pkg() {
	local suite=$1 spec name ver missing=()
	shift
	for spec in "$@"; do
		name=${spec%%=*}
		ver=
		[ "$spec" = "$name" ] || ver=${spec#*=}
		if ! APT_CMD=apt-cache papt "$suite" madison "$name" 2>/dev/null |
			awk -F'|' -v v="$ver" '{gsub(/^ +| +$/, "", $2)} v == "" || $2 == v {f=1} END {exit !f}'; then
			missing+=("$spec")
		fi
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "package(s) not available from apt ($suite): ${missing[*]}"
}

# deb_of PKG[:ARCH] VERSION: where apt-get download puts the package.
deb_of() {
	local name=${1%%:*} arch=${1#*:}
	[ "$arch" != "$1" ] || arch=all
	echo "$DEBS/${name}_${2//:/%3a}_${arch}.deb"
}

# fetch_deb SUITE PKG[:ARCH] VERSION: into $DEBS, once.  Arch-less host
# packages (linux-kbuild) are amd64.
fetch_deb() {
	local suite=$1 pkg=$2 ver=$3 t0
	# The same name and version can exist for amd64 and ppc64el
	# (linux-kbuild): an arch-qualified package needs its own file.
	case $pkg in
	*:*) [ ! -f "$(deb_of "$pkg" "$ver")" ] || return 0 ;;
	*) ! ls "$DEBS/${pkg}_${ver//:/%3a}_"*.deb >/dev/null 2>&1 || return 0 ;;
	esac
	mkdir -p "$DEBS"
	apt_update "$suite"
	need_pkg "$suite" "$pkg=$ver"
	t0=$(date +%s)
	log "${FETCH_PROGRESS:-}downloading $pkg=$ver ($suite)"
	if ! (cd "$DEBS" && papt "$suite" download -qq -o APT::Sandbox::User=root \
		"$pkg=$ver" >/dev/null); then
		die "download of $pkg=$ver from $suite failed: the archive lists it but did not serve it; pick a version it serves in tools/testbed/kernels.tsv or versions.sh"
	fi
	log "${FETCH_PROGRESS:-}  done in $(($(date +%s) - t0))s"
}
