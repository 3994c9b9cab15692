// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "rig.h"

int rig_buf(struct rig *g, struct dma_region *r, size_t size, bool huge,
	    uint64_t iova, uint64_t map_size, const char **step)
{
	int ret;

	*step = huge ? "hugetlb alloc" : "alloc";
	ret = dma_region_alloc(r, size, huge);
	if (ret)
		return ret;
	if (g->c.type == SPAPR_V2) {
		*step = "REGISTER_MEMORY";
		ret = vfio_register(g->c.container, r->va, r->size);
		if (ret)
			return ret;
	}
	*step = "MAP_DMA";
	return vfio_map(g->c.container, r->va, iova, map_size, MAP_RW);
}

int rig_start(struct rig *g, uint64_t iova, uint64_t pgsz, bool huge,
	      const char **step)
{
	uint64_t qbytes = 8192;
	int ret;

	qbytes = (qbytes + pgsz - 1) / pgsz * pgsz;
	ret = rig_buf(g, &g->q, qbytes, huge, iova, qbytes, step);
	if (ret)
		return ret;
	g->q_iova = iova;

	*step = "nvme_open";
	ret = nvme_open(&g->n, g->c.group);
	if (ret)
		return ret;
	g->n_open = true;
	*step = "nvme_enable";
	return nvme_enable(&g->n, g->q.va, iova, g->q.va + 4096, iova + 4096);
}

int rig_identify(struct rig *g, struct dma_region *r, uint64_t iova,
		 uint16_t *status)
{
	dma_region_poison(r, POISON);
	return nvme_identify(&g->n, iova, status);
}

bool rig_serial_at(const struct dma_region *r, size_t off)
{
	char want[NVME_SN_LEN];

	nvme_expected_serial(want);
	__sync_synchronize();
	return memcmp((const void *)(r->va + off + NVME_SN_OFF), want,
		      NVME_SN_LEN) == 0;
}

void rig_stop(struct rig *g)
{
	if (g->n_open)
		nvme_close(&g->n);
	g->n_open = false;
	ctx_close(&g->c);
	dma_region_free(&g->q);
}
