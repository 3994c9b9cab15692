// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "env.h"
#include "nvme.h"

#define REG_CAP		0x00
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000

#define CC_EN		(1u << 0)
#define CC_IOSQES	(6u << 16)
#define CC_IOCQES	(4u << 20)
#define CSTS_RDY	(1u << 0)
#define CSTS_CFS	(1u << 1)

#define PCI_CMD		0x04
#define PCI_CMD_MEM	0x0002
#define PCI_CMD_MASTER	0x0004

static int bar_rd32(struct nvme *n, uint32_t reg, uint32_t *v)
{
	if (pread(n->dev, v, 4, n->bar0_off + reg) != 4)
		return -EIO;
	return 0;
}

static int bar_wr32(struct nvme *n, uint32_t reg, uint32_t v)
{
	if (pwrite(n->dev, &v, 4, n->bar0_off + reg) != 4)
		return -EIO;
	return 0;
}

static int bar_wr64(struct nvme *n, uint32_t reg, uint64_t v)
{
	int ret = bar_wr32(n, reg, (uint32_t)v);

	return ret ? ret : bar_wr32(n, reg + 4, (uint32_t)(v >> 32));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int region_info(int dev, uint32_t index, uint64_t *off, uint64_t *size)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return -errno;
	*off = ri.offset;
	*size = ri.size;
	return 0;
}

int nvme_open(struct nvme *n, int group)
{
	return nvme_open_bdf(n, group, env_bdf());
}

int nvme_open_bdf(struct nvme *n, int group, const char *bdf)
{
	uint64_t cfg_size;
	uint32_t cap_lo, cap_hi;
	uint16_t cmd;
	int ret;

	memset(n, 0, sizeof(*n));
	n->dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (n->dev < 0)
		return n->dev = -1, -errno;

	ret = region_info(n->dev, VFIO_PCI_BAR0_REGION_INDEX,
			  &n->bar0_off, &n->bar0_size);
	if (!ret)
		ret = region_info(n->dev, VFIO_PCI_CONFIG_REGION_INDEX,
				  &n->cfg_off, &cfg_size);
	if (ret)
		goto fail;
	if (n->bar0_size < REG_DBS + 16) {
		ret = -ENXIO;
		goto fail;
	}

	if (pread(n->dev, &cmd, 2, n->cfg_off + PCI_CMD) != 2) {
		ret = -EIO;
		goto fail;
	}
	cmd |= PCI_CMD_MEM | PCI_CMD_MASTER;
	if (pwrite(n->dev, &cmd, 2, n->cfg_off + PCI_CMD) != 2) {
		ret = -EIO;
		goto fail;
	}

	ret = bar_rd32(n, REG_CAP, &cap_lo);
	if (!ret)
		ret = bar_rd32(n, REG_CAP + 4, &cap_hi);
	if (ret)
		goto fail;
	if (cap_lo == 0xffffffff) {
		ret = -ENODEV;
		goto fail;
	}
	n->dstrd = 4u << (cap_hi & 0xf);
	n->timeout_ms = ((cap_lo >> 24) & 0xff) * 500;
	if (n->timeout_ms < 1000)
		n->timeout_ms = 1000;
	return 0;
fail:
	close(n->dev);
	n->dev = -1;
	return ret;
}

void nvme_close(struct nvme *n)
{
	if (n->dev >= 0) {
		nvme_disable(n);
		close(n->dev);
	}
	n->dev = -1;
}

static int wait_rdy(struct nvme *n, uint32_t want)
{
	uint64_t end = now_ms() + n->timeout_ms;
	uint32_t csts;
	int ret;

	for (;;) {
		ret = bar_rd32(n, REG_CSTS, &csts);
		if (ret)
			return ret;
		if (csts == 0xffffffff)
			return -ENODEV;
		if ((csts & CSTS_RDY) == want)
			return 0;
		if (want && (csts & CSTS_CFS))
			return -EIO;
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int nvme_disable(struct nvme *n)
{
	uint32_t cc;
	int ret = bar_rd32(n, REG_CC, &cc);

	if (ret)
		return ret;
	if (cc & CC_EN) {
		ret = bar_wr32(n, REG_CC, cc & ~CC_EN);
		if (ret)
			return ret;
	}
	return wait_rdy(n, 0);
}

int nvme_enable(struct nvme *n, void *sq, uint64_t sq_iova,
		void *cq, uint64_t cq_iova)
{
	int ret = nvme_disable(n);

	if (ret)
		return ret;
	n->sq = sq;
	n->cq = cq;
	memset(sq, 0, NVME_SQ_BYTES);
	memset(cq, 0, NVME_CQ_BYTES);
	__sync_synchronize();
	n->sq_tail = n->cq_head = 0;
	n->phase = 1;

	ret = bar_wr32(n, REG_AQA, ((NVME_QDEPTH - 1) << 16) | (NVME_QDEPTH - 1));
	if (!ret)
		ret = bar_wr64(n, REG_ASQ, sq_iova);
	if (!ret)
		ret = bar_wr64(n, REG_ACQ, cq_iova);
	if (!ret)
		ret = bar_wr32(n, REG_CC, CC_IOSQES | CC_IOCQES | CC_EN);
	if (ret)
		return ret;
	return wait_rdy(n, CSTS_RDY);
}

static void put_le32(volatile uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static uint32_t get_le32(const volatile uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int nvme_identify(struct nvme *n, uint64_t prp1, uint16_t *status)
{
	volatile uint8_t *sqe = n->sq + n->sq_tail * 64;
	volatile uint8_t *cqe;
	uint16_t cid = ++n->cid;
	uint64_t end;
	uint32_t dw3;
	int i;

	for (i = 0; i < 64; i++)
		sqe[i] = 0;
	put_le32(sqe + 0, 0x06 | (uint32_t)cid << 16);	/* Identify */
	put_le32(sqe + 24, (uint32_t)prp1);
	put_le32(sqe + 28, (uint32_t)(prp1 >> 32));
	put_le32(sqe + 40, 1);				/* CNS=1: controller */
	__sync_synchronize();

	n->sq_tail = (n->sq_tail + 1) % NVME_QDEPTH;
	if (bar_wr32(n, REG_DBS, n->sq_tail))
		return -EIO;

	cqe = n->cq + n->cq_head * 16;
	end = now_ms() + n->timeout_ms;
	for (;;) {
		__sync_synchronize();
		dw3 = get_le32(cqe + 12);
		if (((dw3 >> 16) & 1) == n->phase)
			break;
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(100);
	}
	/*
	 * The word is read a byte at a time, so its low bytes (the command
	 * id) may predate the device's write that set the phase bit seen
	 * last: read it again now that the entry is known to be written.
	 */
	__sync_synchronize();
	dw3 = get_le32(cqe + 12);
	if ((dw3 & 0xffff) != cid)
		return -EPROTO;
	*status = (dw3 >> 17) & 0x7fff;

	n->cq_head = (n->cq_head + 1) % NVME_QDEPTH;
	if (!n->cq_head)
		n->phase ^= 1;
	if (bar_wr32(n, REG_DBS + n->dstrd, n->cq_head))
		return -EIO;
	return 0;
}

void nvme_expected_serial(char out[NVME_SN_LEN])
{
	nvme_serial_field(out, env_serial());
}

void nvme_serial_field(char out[NVME_SN_LEN], const char *s)
{
	size_t len = strlen(s);

	memset(out, ' ', NVME_SN_LEN);
	memcpy(out, s, len > NVME_SN_LEN ? NVME_SN_LEN : len);
}
