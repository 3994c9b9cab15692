#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check dkms.conf against every kernel build of tools/testbed/kernels.tsv,
# as DKMS would read it for that kernel (it sources the file with
# kernelver and kernel_source_dir set), from the headers trees in the
# cache (tools/testbed/setup.sh puts them there):
#
#   - every option of BUILD_EXCLUSIVE_CONFIG is =y or =m in the build's
#     .config, so that DKMS does not skip a supported kernel;
#   - BUILD_EXCLUSIVE_KERNEL is unset (the layout check passes);
#   - the modules DKMS installs are the ones Kbuild builds for it:
#     vfio_spapr_tce, and on 6.1 spapr_tce_iommu_ops as well.
#
# Usage: check-dkms-conf.sh   exit 1 on any mismatch
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/testbed/versions.sh
. "$top/tools/testbed/versions.sh"

bad=0
for tok in $(all_tokens); do
	kv=$(tok_kver "$tok")
	kdir=$(kdir_of "$tok")
	[ -f "$kdir/.config" ] || { echo "dkms-conf: $kdir/.config missing; run make setup" >&2; exit 1; }
	want="vfio_spapr_tce"
	[ "${kv%.*}" = 6.1 ] && want="vfio_spapr_tce spapr_tce_iommu_ops"
	# What DKMS sees: the file sourced with its variables set; the
	# source tree is this checkout (dkms.conf finds stv_compat.sh
	# under source_tree/PACKAGE_NAME-PACKAGE_VERSION).
	got=$(kernelver=$(krel_of "$tok") kernel_source_dir=$kdir \
		source_tree=$top/build/dkms-conf-check bash -c '
		mkdir -p "$source_tree"
		ln -sfn "'"$top"'" "$source_tree/spapr-tce-vfio-#MODULE_VERSION#"
		. "'"$top"'/dkms.conf"
		echo "config ${BUILD_EXCLUSIVE_CONFIG}"
		echo "kernel ${BUILD_EXCLUSIVE_KERNEL:-}"
		echo "modules ${BUILT_MODULE_NAME[*]}"
		for i in "${!BUILT_MODULE_NAME[@]}"; do
			echo "where ${BUILT_MODULE_NAME[$i]} ${BUILT_MODULE_LOCATION[$i]:-} ${DEST_MODULE_LOCATION[$i]:-}"
		done')
	for opt in $(sed -n 's/^config //p' <<<"$got"); do
		grep -qE "^$opt=(y|m)$" "$kdir/.config" ||
			{ echo "dkms-conf: FAIL $tok: $opt is not set, so DKMS would skip this kernel"; bad=1; }
	done
	k=$(sed -n 's/^kernel //p' <<<"$got")
	[ -z "$k" ] || { echo "dkms-conf: FAIL $tok: BUILD_EXCLUSIVE_KERNEL=$k (layout not verified)"; bad=1; }
	m=$(sed -n 's/^modules //p' <<<"$got")
	[ "$m" = "$want" ] || { echo "dkms-conf: FAIL $tok: DKMS installs '$m', Kbuild builds '$want'"; bad=1; }
	while read -r _ name loc dest; do
		[ -d "$top/$loc" ] && [ -n "$dest" ] ||
			{ echo "dkms-conf: FAIL $tok: $name: location '$loc' or destination '$dest'"; bad=1; }
	done < <(grep '^where ' <<<"$got")
	[ "$bad" = 0 ] && echo "dkms-conf: ok $tok: $m"
done
rm -rf "$top/build/dkms-conf-check"
exit "$bad"
