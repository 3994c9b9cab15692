/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A container with the test group attached and an sPAPR IOMMU type set:
 * the common starting point of most tests.
 */
#ifndef SPAPR_CTX_H
#define SPAPR_CTX_H

#include <stdint.h>
#include "vfio.h"

struct spapr_ctx {
	int container;
	int group;
	int type;
	struct vfio_iommu_spapr_tce_info info;
	uint64_t win32_start, win32_size;	/* default window */
};

/*
 * Open a container and the group, attach, SET_IOMMU(type) and GET_INFO.
 * type 0 stops after SET_CONTAINER.  Returns 0 or -errno; *step names the
 * step that failed.
 */
int ctx_open(struct spapr_ctx *c, int type, const char **step);
/* The same with the group at @group (a /dev/vfio/N path). */
int ctx_open_group(struct spapr_ctx *c, const char *group, int type,
		   const char **step);
/* Close whatever ctx_open() left open (safe on a zeroed/failed ctx). */
void ctx_close(struct spapr_ctx *c);

/* Size of the IOMMU page of the default (32-bit) window. */
#define DEF_WIN_PAGE 4096ULL

#endif
