// SPDX-License-Identifier: GPL-2.0
#include "raw.h"
#include "vfio.h"

int raw_map(int container, uint32_t argsz, uint32_t flags, uint64_t vaddr,
	    uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr,
		.iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

int raw_unmap(int container, uint32_t argsz, uint32_t flags, uint64_t iova,
	      uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = argsz, .flags = flags, .iova = iova, .size = size,
	};

	return vfio_ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
}

int raw_register(int container, unsigned long req, uint32_t argsz,
		 uint32_t flags, uint64_t vaddr, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr, .size = size,
	};

	return vfio_ioctl(container, req, &r);
}
