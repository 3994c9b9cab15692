/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA test rig: a container, the NVMe admin queues and data buffers
 * mapped at chosen IOVAs, and the NVMe controller running on them.
 */
#ifndef SPAPR_RIG_H
#define SPAPR_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio.h"
#include "dma_region.h"
#include "nvme.h"

#define POISON 0xa5

struct rig {
	struct spapr_ctx c;
	struct dma_region q;		/* SQ at +0, CQ at +4096 */
	uint64_t q_iova;
	struct nvme n;
	bool n_open;
};

/*
 * Allocate @r (>= @size, hugetlb if @huge), register it (v2 containers),
 * map the first @map_size bytes at @iova.  0 or -errno; *step names the
 * failing step.
 */
int rig_buf(struct rig *g, struct dma_region *r, size_t size, bool huge,
	    uint64_t iova, uint64_t map_size, const char **step);

/* Queues at @iova, mapped in @pgsz units, then start the controller. */
int rig_start(struct rig *g, uint64_t iova, uint64_t pgsz, bool huge,
	      const char **step);

/* Poison @r, Identify into @iova; 0 or -errno, *status = NVMe status. */
int rig_identify(struct rig *g, struct dma_region *r, uint64_t iova,
		 uint16_t *status);

/* Does the region hold the expected serial at byte @off + 4? */
bool rig_serial_at(const struct dma_region *r, size_t off);

void rig_stop(struct rig *g);

#endif
