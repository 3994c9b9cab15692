# SPDX-License-Identifier: GPL-2.0
#
# Included by every Kbuild file of the module (drivers/vfio, kunit): refuse
# a kernel the module cannot serve, in one line, and select the layout of
# the private VFIO declarations (stv_compat.h) proven for this kernel by
# stv_compat.sh.  Not while cleaning.

ifeq ($(filter %/Makefile.clean,$(MAKEFILE_LIST)),)
ifneq ($(CONFIG_PPC_BOOK3S_64),y)
$(error vfio_spapr_tce: kernel $(KERNELRELEASE) is not a 64-bit Book3S POWER kernel (ARCH=$(SRCARCH)); this module is for ppc64le POWER hosts only)
endif
ifneq ($(CONFIG_SPAPR_TCE_IOMMU),y)
$(error vfio_spapr_tce: kernel $(KERNELRELEASE) was built without CONFIG_SPAPR_TCE_IOMMU, so it has no sPAPR TCE IOMMU to drive; use a kernel with CONFIG_SPAPR_TCE_IOMMU=y (every Debian ppc64el kernel has it))
endif
# (6.1 has no such option: its container is always built.)
ifeq ($(CONFIG_VFIO_CONTAINER)$(filter 6.1,$(VERSION).$(PATCHLEVEL)),)
$(error vfio_spapr_tce: kernel $(KERNELRELEASE) was built without CONFIG_VFIO_CONTAINER, the legacy VFIO container this backend plugs into; use a kernel with CONFIG_VFIO_CONTAINER=y)
endif

stv-dir := $(realpath $(dir $(lastword $(MAKEFILE_LIST))))
stv-layout := $(shell sh $(stv-dir)/stv_compat.sh select '$(objtree)' '$(srctree)' '$(KERNELRELEASE)' 2>&1)
ifeq ($(filter layout=%,$(stv-layout)),)
$(error vfio_spapr_tce: $(stv-layout))
endif
ccflags-y += -DSTV_VFIO_OPS_LAYOUT=$(patsubst layout=%,%,$(filter layout=%,$(stv-layout)))
# Interfaces that differ between the supported kernels (stv_compat.h):
# before 6.4 the backend takes the table group from the platform, and
# before 6.10 __assign_str() names its source.  6.1 is the one such.
ifeq ($(VERSION).$(PATCHLEVEL),6.1)
ccflags-y += -DSTV_BACKEND_OWNS_TABLE_GROUP -DSTV_ASSIGN_STR_NAMES_SOURCE
endif
endif

