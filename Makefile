# SPDX-License-Identifier: GPL-2.0
#
# spapr-tce-vfio: top-level build.
#
#   make                cross-build the module for every kernel of
#                       tools/testbed/kernels.tsv, both flavours (4K and
#                       64K pages); KVER= builds one kernel
#   make check          the whole test matrix in emulated POWER guests
#   make check-quick    one machine, one flavour (MACHINE=, FLAVOUR=,
#                       DRIVER=, TESTS=, FILTER=)
#   make fuzz           the sequence fuzzer alone, longer (SEED=, OPS=,
#                       MACHINE=), on the debug kernel
#   make check-fresh    the README's commands in a clean Debian 12 root
#   make check-install  only the install test of make check: the Debian
#                       package installed with apt and built by DKMS
#                       inside the emulated host
#   make demo           boot an emulated POWER9 host and show a DMA land
#   make lint           sparse + checkpatch --strict + coccicheck + compat
#   make deb            the Debian DKMS package, in build/deb/
#   make install        native build and install on a POWER host
#                       (KDIR=/lib/modules/$(uname -r)/build by default)
#
# Kbuild reads ./Kbuild, not this file, when it builds the module.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Everything downloaded or built outside the repo; SPAPR_TCE_CACHE moves it.
SPAPR_TCE_CACHE ?= $(HOME)/.cache/spapr-tce-vfio
CACHE := $(SPAPR_TCE_CACHE)
export SPAPR_TCE_CACHE
BUILD := $(TOP)/build
VERSIONS = . $(TOP)/tools/testbed/versions.sh
# Every supported kernel (tools/testbed/kernels.tsv), or KVER= one of them.
KVERS := $(shell $(VERSIONS); echo $$KVERS)
KVER ?=
ifneq ($(KVER),)
ifeq ($(filter $(KVER),$(KVERS)),)
$(error KVER=$(KVER) is not a supported kernel; supported: $(KVERS) (tools/testbed/kernels.tsv; Documentation/admin-guide.rst says how to add one))
endif
FLAVOURS ?= $(shell $(VERSIONS); for fl in $$(flavours_of $(KVER)); do tok_of $$fl $(KVER); done)
endif
# Kernel builds: the flavour for the primary kernel, flavour@kver else.
FLAVOURS ?= $(shell $(VERSIONS); all_tokens)
KSRC := $(shell $(VERSIONS); echo $$KSRC)
CROSS := ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- CONFIG_DEBUG_INFO_BTF_MODULES=

MACHINE ?= pseries-p9
FLAVOUR ?= powerpc64le
DRIVER ?= ours
TESTS ?= all
FILTER ?=
CHECK_MACHINES ?= pseries-p9,powernv9
CHECK_FLAVOURS ?= powerpc64le,powerpc64le-64k
# POWER10 machines, our driver only (the differential runs on POWER9),
# one page size each: 4K on pseries-p10, 64K on powernv10.
CHECK_P10 ?= pseries-p10/powerpc64le/ours,powernv10/powerpc64le-64k/ours
# The debug lane: KUnit, KASAN, lockdep, kmemleak, fault injection.
CHECK_DEBUG ?= pseries-p9/debug/ours,powernv9/debug/ours
# The real client: QEMU in the emulated host passing the NVMe to an L2
# guest under KVM (the in-kernel TCE path).  On the newest stack too:
# sid's 7.2.13 as L1 with sid's QEMU 11.1.3 in it (pseries: on powernv9
# the 7.2 L1 cannot route the passed device's MSIs, a XIVE WARN in
# vfio-pci's MSI set-up; see testing.rst).  The TCG variant (QEMU's
# MAP/UNMAP path) is bench/run --realclient's: L2 under TCG inside TCG
# took 130 to 470 s of one boot, the most of any test but the install.
CHECK_REALCLIENT ?= pseries-p9/powerpc64le/ours/spapr_realclient,powernv9/powerpc64le/ours/spapr_realclient,pseries-p9/powerpc64le@7.2.13/ours/spapr_realclient
# The DPDK client (--dpdk): Debian's testpmd on an emulated igb NIC joins
# the whole-suite boots of pseries-p9 and powernv9, both page sizes, both
# drivers; the frames are checked on the x86 side (testing.rst).
# The install test: spapr-tce-vfio-dkms installed with apt, built by DKMS
# inside the emulated host for its running kernel, the smoke DMA test on
# that build, removed.  One boot (powernv9, 64K pages): with the headers'
# install and DKMS's build under TCG it is the longest boot of the matrix
# (about 10 minutes).
# make check-install runs both machines, both flavours, and DKMS's build
# for a kernel that is not running.
CHECK_INSTALL ?= powernv9/powerpc64le-64k/ours/install

# The other kernels of kernels.tsv: the whole suite, both drivers, on
# pseries-p9 and powernv9 with 4K pages, and on the machine named here
# with 64K pages (kver:machine).
CHECK_EXTRA_KERNELS ?= 6.12.107:powernv9 7.2.13:pseries-p9
CHECK_EXTRA = $(subst $(eval) ,$(comma),$(strip $(foreach e,$(CHECK_EXTRA_KERNELS),\
	$(foreach d,ours intree,\
		$(foreach m,$(subst $(comma), ,$(CHECK_MACHINES)),$(m)/powerpc64le@$(word 1,$(subst :, ,$(e)))/$(d)) \
		$(word 2,$(subst :, ,$(e)))/powerpc64le-64k@$(word 1,$(subst :, ,$(e)))/$(d)))))
comma := ,
# Debian 12's own kernel, 6.1.176 (one flavour, 64K pages), whose
# platform registers no IOMMU ops: make modules builds
# spapr_tce_iommu_ops.ko for it, which the guest loads before binding
# vfio-pci.  The whole suite, both drivers, on powernv9, and the real
# client (the pinned QEMU passing the NVMe to an L2 under KVM, TCEs in
# the kernel).  Not on pseries, which that module leaves alone on 6.1:
# there a KVM guest can crash the host through a passed-through group
# (design.rst, "Debian 12's own kernel").
CHECK_DEBIAN12 ?= powernv9/powerpc64le@6.1.176/ours,powernv9/powerpc64le@6.1.176/intree,powernv9/powerpc64le@6.1.176/ours/spapr_realclient
# The performance guard: bench/spapr_tce_bench under icount, both drivers
# in one boot, every ratio at or above its floor in bench/floors.tsv; both
# page sizes, whose paths differ (a 64K kernel pins 16 4K IOMMU pages to
# one system page).
CHECK_BENCH ?= pseries-p9/powerpc64le/bench,powernv9/powerpc64le/bench,pseries-p9/powerpc64le-64k/bench,powernv9/powerpc64le-64k/bench

.PHONY: all modules setup check check-quick demo lint sparse checkpatch compat \
	coccicheck install clean selftests

all: modules

setup:
	@bash $(TOP)/tools/testbed/setup.sh

# One build per kernel build of $(FLAVOURS), each with its own compiler
# (tools/testbed/build-module.sh), into build/<token>/ko.
modules: setup
	@set -e; for tok in $(FLAVOURS); do \
		echo "  MODULE  $$tok"; \
		bash $(TOP)/tools/testbed/build-module.sh $$tok; \
	done

selftests: setup
	@$(MAKE) -s -C $(TOP)/selftests O=$(BUILD)/selftests

check: setup
	@$(TOP)/tools/testbed/run --machine $(CHECK_MACHINES) \
		--flavour $(CHECK_FLAVOURS) --driver both --dpdk \
		--also $(CHECK_INSTALL),$(CHECK_DEBUG),$(CHECK_REALCLIENT),$(CHECK_P10),$(CHECK_EXTRA),$(CHECK_DEBIAN12),$(CHECK_BENCH)

check-quick: setup
	@$(TOP)/tools/testbed/run --machine $(MACHINE) --flavour $(FLAVOUR) \
		--driver $(DRIVER) --tests $(TESTS) $(if $(FILTER),--filter $(FILTER)) -v

# The sequence fuzzer on its own, longer than make check runs it: on the
# debug kernel of MACHINE (default pseries-p9), from SEED, OPS operations.
SEED ?= 0x5eed2026
OPS ?= 1000000
.PHONY: fuzz
fuzz: setup
	@$(TOP)/tools/testbed/run --machine $(MACHINE) --flavour debug \
		--driver ours --tests spapr_tce_fuzz \
		--timeout $$($(VERSIONS); timeout_of fuzz_boot) \
		--test-timeout $$($(VERSIONS); timeout_of fuzz_test) \
		--append spapr.fuzz=$(SEED):$(OPS) -v

# The README's commands from zero in a clean Debian 12 root (debootstrap):
# set-up, build, selftests, one smoke boot.  Root and the network.
.PHONY: check-fresh
check-fresh:
	@bash $(TOP)/tools/testbed/fresh-machine.sh

# The install test alone, in full (make check runs one of its boots): the
# Debian package installed with apt inside the emulated POWER host, built
# there by DKMS, on pseries and powernv (tools/testbed/install/).
.PHONY: check-install
check-install: setup
	@$(TOP)/tools/testbed/install/run

demo: setup
	@$(TOP)/tools/testbed/demo

# --- static checks; any finding fails the target ---------------------------
sparse: setup
	@set -e; kd=$$($(VERSIONS); kdir_of powerpc64le); out=$(BUILD)/sparse.log; \
	rm -rf $(BUILD)/sparse; mkdir -p $(BUILD)/sparse/src; \
	rsync -a --delete $(TOP)/Kbuild $(TOP)/drivers $(TOP)/kunit $(BUILD)/sparse/src/; \
	$(MAKE) -s -C $$kd M=$(BUILD)/sparse/src $(CROSS) C=2 \
		CF="-Wbitwise -Wcontext" STV_RACE_POINTS=1 \
		W=1 modules 2>&1 | tee $$out; \
	[ $${PIPESTATUS[0]} -eq 0 ] || { echo "sparse: build failed"; exit 1; }; \
	if grep -E ': (warning|error):' $$out; then \
		echo "sparse: findings above"; exit 1; fi; \
	echo "sparse: clean"

checkpatch: setup
	@files=$$(cd $(TOP) && find drivers $$(ls -d kunit 2>/dev/null) -name '*.[chS]'); \
	cd $(TOP) && $(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet \
		--show-types --ignore FILE_PATH_CHANGES -f $$files && \
	echo "checkpatch: clean"

coccicheck: setup
	@bash $(TOP)/tools/lint/coccicheck.sh $(KSRC) drivers $$(ls -d kunit 2>/dev/null)

# The compat layer against every kernel of kernels.tsv (design.rst), and
# dkms.conf as DKMS reads it for each of their builds.
compat: setup
	@bash $(TOP)/tools/compat/check-layouts.sh
	@bash $(TOP)/tools/compat/check-dkms-conf.sh

lint: sparse checkpatch coccicheck compat

# --- on a POWER host ----------------------------------------------------------
KDIR ?= /lib/modules/$(shell uname -r)/build
# The layout of the Debian package (make deb): the module in updates/dkms,
# the modprobe.d file in /usr/lib/modprobe.d.  Use one or the other: dkms
# does not install over a module of the same or a newer version.
install:
	@bash $(TOP)/tools/deb/mkchangelog --check
	@if command -v dkms >/dev/null && [ -n "$$(dkms status -m spapr-tce-vfio 2>/dev/null)" ]; then \
		echo "install: spapr-tce-vfio is managed by dkms (spapr-tce-vfio-dkms); not installing over it"; \
		exit 1; fi
	@[ -f $(KDIR)/Makefile ] || { echo "install: no kernel headers at $(KDIR); install them first (Debian: apt install linux-headers-$$(uname -r)), or name a tree with KDIR="; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=updates/dkms modules_install
	install -D -m 644 $(TOP)/tools/modprobe.d/50-vfio-spapr-tce.conf \
		/usr/lib/modprobe.d/50-vfio-spapr-tce.conf
	depmod -a $$($(MAKE) -s --no-print-directory -C $(KDIR) kernelrelease)
	@echo "installed vfio_spapr_tce $$(cat $(TOP)/VERSION)"

# --- Debian package: build/deb/spapr-tce-vfio-dkms_<version>_all.deb ---------
.PHONY: deb
deb:
	@bash $(TOP)/tools/deb/build

clean:
	rm -rf $(BUILD)
