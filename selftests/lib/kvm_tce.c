// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "kvm_tce.h"

int kvm_tce_create(int vm, uint64_t liobn, uint32_t page_shift,
		   uint64_t offset, uint64_t size)
{
	struct kvm_create_spapr_tce_64 args = {
		.liobn = liobn,
		.page_shift = page_shift,
		.offset = offset,
		.size = size,
	};
	int ret = ioctl(vm, KVM_CREATE_SPAPR_TCE_64, &args);

	return ret < 0 ? -errno : ret;
}

int kvm_vfio_create(int vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	if (ioctl(vm, KVM_CREATE_DEVICE, &cd) < 0)
		return -errno;
	return (int)cd.fd;
}

static int set_attr(int dev, uint64_t attr, void *data)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = attr,
		.addr = (uintptr_t)data,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_vfio_add(int dev, int group)
{
	int32_t fd = group;

	return set_attr(dev, KVM_DEV_VFIO_FILE_ADD, &fd);
}

int kvm_vfio_del(int dev, int group)
{
	int32_t fd = group;

	return set_attr(dev, KVM_DEV_VFIO_FILE_DEL, &fd);
}

int kvm_vfio_set_spapr_tce(int dev, int group, int table)
{
	struct kvm_vfio_spapr_tce p = { .groupfd = group, .tablefd = table };

	return set_attr(dev, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &p);
}
