/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal NVMe admin-queue driver over a VFIO device fd: just enough to
 * make the controller DMA an Identify Controller page to an IOVA.
 */
#ifndef SPAPR_NVME_H
#define SPAPR_NVME_H

#include <stdint.h>

#define NVME_QDEPTH	8
#define NVME_SQ_BYTES	(NVME_QDEPTH * 64)
#define NVME_CQ_BYTES	(NVME_QDEPTH * 16)
#define NVME_ID_BYTES	4096
#define NVME_SN_OFF	4
#define NVME_SN_LEN	20

struct nvme {
	int dev;			/* VFIO device fd */
	uint64_t bar0_off, bar0_size;	/* BAR0 region in the device fd */
	uint64_t cfg_off;		/* config space region */
	uint32_t dstrd;			/* doorbell stride, bytes */
	uint32_t timeout_ms;		/* CAP.TO */
	volatile uint8_t *sq, *cq;	/* CPU view of the admin queues */
	uint16_t sq_tail, cq_head, cid;
	uint8_t phase;
};

/* Get the device fd from @group (env_bdf()), find BAR0 and config space,
 * turn on memory decoding and bus mastering.  0 or -errno. */
int nvme_open(struct nvme *n, int group);
/* The same for the device @bdf of @group. */
int nvme_open_bdf(struct nvme *n, int group, const char *bdf);
void nvme_close(struct nvme *n);

/* Disable the controller and wait for CSTS.RDY to clear. */
int nvme_disable(struct nvme *n);
/* Reset, point the admin queues at the given buffers/IOVAs, enable. */
int nvme_enable(struct nvme *n, void *sq, uint64_t sq_iova,
		void *cq, uint64_t cq_iova);
/*
 * Identify Controller into @prp1 (4 KiB, 4 KiB aligned IOVA).  Returns 0
 * when a completion arrived (NVMe status in *status), -ETIMEDOUT if not.
 */
int nvme_identify(struct nvme *n, uint64_t prp1, uint16_t *status);

/* The 20-byte, space padded serial QEMU was given ($SPAPR_SERIAL). */
void nvme_expected_serial(char out[NVME_SN_LEN]);
/* @s as it appears in the Identify data: 20 bytes, space padded. */
void nvme_serial_field(char out[NVME_SN_LEN], const char *s);

#endif
