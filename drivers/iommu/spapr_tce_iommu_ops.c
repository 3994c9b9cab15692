// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU ops for POWER PCI devices, for kernels whose platform registers
 * none (Debian 12's 6.1).
 *
 * From 5.19 VFIO binds a device only when its IOMMU reports cache
 * coherency (device_iommu_capable()), and claims a group's DMA ownership
 * through a blocking domain.  Both need dev->iommu, which only the IOMMU
 * core's probe sets, and the core probes a device only for a registered
 * iommu_ops.  POWER registers one from 6.4; on 6.1 its platform code puts
 * PCI devices straight into the groups of its TCE table groups, so
 * vfio-pci refuses every device with -EINVAL.
 *
 * This module registers the ops the platform lacks, through the core's
 * exported interfaces only.  The core's registration probes only devices
 * that are in no group, so each device that is in a table group's group
 * is taken out of it first and handed straight back by device_group().
 * Host DMA is not involved: POWER's DMA ops use the device's own table,
 * not its group.
 *
 * Only devices whose table group has ops (powernv) get them.  pseries
 * gives its table groups none on 6.1, and there a KVM guest whose VMM
 * linked such a group to its TCE table crashes the host: KVM's
 * H_STUFF_TCE calls the table's useraddrptr op, which pseries tables
 * lack (kvmppc_tce_iommu_mapped_dec(), a NULL call).  So pseries stays
 * as 6.1 leaves it, without device passthrough.
 *
 * What the ops do:
 *  - capable(): cache coherency, as the platform's ops of 6.4 report;
 *  - domain_alloc(): a blocking domain only, so that no default domain
 *    takes a group's DMA from the platform.  VFIO's ownership claim sets
 *    it, and its attach and detach do nothing: on 6.1 the VFIO IOMMU
 *    backend takes the table group's ownership itself, in attach_group.
 *
 * The core never takes a registered iommu_ops off the buses, so the
 * module cannot be unloaded (it has no exit), and every probed device
 * holds a reference on it.  See Documentation/design.rst, "Debian 12's
 * own kernel (6.1)".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/iommu.h>

/*
 * A device taken out of its group until the core's probe puts it back.
 * Lives only during spapr_tce_iommu_init().  The list is read by the
 * core's probe: in init's own thread during the registration, and from
 * any thread that adds a device once the ops are on a bus, while init
 * empties it.  regroup_lock guards each list operation only, never the
 * registration, from inside which the core calls the readers.
 */
struct spapr_tce_regroup {
	struct list_head next;
	struct device *dev;		/* a reference */
	struct iommu_group *group;	/* a reference */
};

static LIST_HEAD(regroup_list);
static DEFINE_SPINLOCK(regroup_lock);
static struct iommu_device spapr_tce_iommu;

/* A new reference to the group @dev was taken out of, or NULL. */
static struct iommu_group *spapr_tce_regroup_of(struct device *dev)
{
	struct iommu_group *group = NULL;
	struct spapr_tce_regroup *r;

	spin_lock(&regroup_lock);
	list_for_each_entry(r, &regroup_list, next) {
		if (r->dev == dev) {
			group = iommu_group_ref_get(r->group);
			break;
		}
	}
	spin_unlock(&regroup_lock);
	return group;
}

/**
 * spapr_tce_capable() - what the IOMMU of a POWER PCI device guarantees
 * @dev: the device
 * @cap: the capability asked about
 *
 * Return: true for cache coherency: TCE-translated DMA is coherent.
 */
static bool spapr_tce_capable(struct device *dev, enum iommu_cap cap)
{
	return cap == IOMMU_CAP_CACHE_COHERENCY;
}

/**
 * spapr_tce_probe_device() - the IOMMU instance of a device being probed
 * @dev: a device the core probes
 *
 * The core probes at registration and when a device is added.  Only the
 * devices this module took out of their groups are ours; a device added
 * later has no group yet (the platform gives it one after device_add()),
 * so it is refused, and stays as on a kernel without this module.
 *
 * Return: the module's IOMMU instance, or ERR_PTR(-ENODEV).
 */
static struct iommu_device *spapr_tce_probe_device(struct device *dev)
{
	struct iommu_group *group;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	group = spapr_tce_regroup_of(dev);
	if (!group)
		return ERR_PTR(-ENODEV);
	iommu_group_put(group);
	return &spapr_tce_iommu;
}

/**
 * spapr_tce_release_device() - a probed device goes away
 * @dev: the device
 *
 * Nothing is kept per device; the core drops its group and its reference
 * on the module.
 */
static void spapr_tce_release_device(struct device *dev)
{
}

/**
 * spapr_tce_device_group() - the group a probed device belongs in
 * @dev: a device spapr_tce_probe_device() accepted
 *
 * Return: a new reference to the group the device was taken out of.
 */
static struct iommu_group *spapr_tce_device_group(struct device *dev)
{
	return spapr_tce_regroup_of(dev) ?: ERR_PTR(-ENODEV);
}

/**
 * spapr_tce_blocked_attach() - a group's DMA ownership is claimed
 * @domain: the group's blocking domain
 * @dev: each device of the group
 *
 * The VFIO IOMMU backend of a 6.1 kernel takes the table group's
 * ownership in its attach_group; nothing to do here.
 *
 * Return: 0.
 */
static int spapr_tce_blocked_attach(struct iommu_domain *domain,
				    struct device *dev)
{
	return 0;
}

/**
 * spapr_tce_blocked_detach() - a group's DMA ownership is released
 * @domain: the group's blocking domain
 * @dev: each device of the group
 *
 * The core goes back to no domain (there is no default one) and needs
 * this op to do so; the backend already gave the table group back.
 */
static void spapr_tce_blocked_detach(struct iommu_domain *domain,
				     struct device *dev)
{
}

static void spapr_tce_domain_free(struct iommu_domain *domain)
{
	kfree(domain);
}

static const struct iommu_domain_ops spapr_tce_blocked_ops = {
	.attach_dev	= spapr_tce_blocked_attach,
	.detach_dev	= spapr_tce_blocked_detach,
	.free		= spapr_tce_domain_free,
};

/**
 * spapr_tce_domain_alloc() - a domain for a group
 * @type: IOMMU_DOMAIN_*
 *
 * Return: a blocking domain, or NULL for any other type, so that the core
 * gives no group a default domain and the platform keeps its DMA.
 */
static struct iommu_domain *spapr_tce_domain_alloc(unsigned int type)
{
	struct iommu_domain *domain;

	if (type != IOMMU_DOMAIN_BLOCKED)
		return NULL;
	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (domain)
		domain->ops = &spapr_tce_blocked_ops;
	return domain;
}

static const struct iommu_ops spapr_tce_iommu_ops = {
	.capable	= spapr_tce_capable,
	.domain_alloc	= spapr_tce_domain_alloc,
	.probe_device	= spapr_tce_probe_device,
	.release_device	= spapr_tce_release_device,
	.device_group	= spapr_tce_device_group,
	.owner		= THIS_MODULE,
};

/*
 * Record every PCI device that is in the group of a table group with
 * ops.  Before the registration: nothing reads the list yet.
 */
static int spapr_tce_collect(void)
{
	struct iommu_table_group *tg;
	struct pci_dev *pdev = NULL;
	struct spapr_tce_regroup *r;
	struct iommu_group *group;

	for_each_pci_dev(pdev) {
		group = iommu_group_get(&pdev->dev);
		if (!group)
			continue;
		tg = iommu_group_get_iommudata(group);
		if (!tg || !tg->ops) {
			iommu_group_put(group);
			continue;
		}
		r = kzalloc(sizeof(*r), GFP_KERNEL);
		if (!r) {
			iommu_group_put(group);
			pci_dev_put(pdev);
			return -ENOMEM;
		}
		r->dev = get_device(&pdev->dev);
		r->group = group;
		spin_lock(&regroup_lock);
		list_add_tail(&r->next, &regroup_list);
		spin_unlock(&regroup_lock);
	}
	return 0;
}

/*
 * Put back in its group any device the probe did not, and forget them
 * all.  Returns how many the module's ops probed.
 */
static unsigned int spapr_tce_settle(void)
{
	struct spapr_tce_regroup *r;
	unsigned int probed = 0;

	for (;;) {
		spin_lock(&regroup_lock);
		r = list_first_entry_or_null(&regroup_list,
					     struct spapr_tce_regroup, next);
		if (r)
			list_del(&r->next);
		spin_unlock(&regroup_lock);
		if (!r)
			break;
		if (r->dev->iommu && r->dev->iommu->iommu_dev == &spapr_tce_iommu &&
		    r->dev->iommu_group == r->group) {
			probed++;
		} else if (!r->dev->iommu_group) {
			dev_warn(r->dev, "not probed; back in its IOMMU group without IOMMU ops\n");
			if (iommu_group_add_device(r->group, r->dev))
				dev_err(r->dev, "could not rejoin its IOMMU group\n");
		}
		iommu_group_put(r->group);
		put_device(r->dev);
		kfree(r);
	}
	return probed;
}

static int __init spapr_tce_iommu_init(void)
{
	struct spapr_tce_regroup *r;
	unsigned int probed;
	int ret;

	if (iommu_present(&pci_bus_type)) {
		pr_info("the PCI bus already has IOMMU ops; nothing to do\n");
		return -ENODEV;
	}
	ret = spapr_tce_collect();
	if (ret)
		goto err_settle;
	if (list_empty(&regroup_list)) {
		pr_info("no PCI device is in a table group with ops (pseries has none on 6.1); nothing to do\n");
		return -ENODEV;
	}
	ret = iommu_device_sysfs_add(&spapr_tce_iommu, NULL, NULL, "spapr-tce");
	if (ret)
		goto err_settle;
	/* Nothing but init writes the list: walk it without the lock. */
	list_for_each_entry(r, &regroup_list, next)
		iommu_group_remove_device(r->dev);
	ret = iommu_device_register(&spapr_tce_iommu, &spapr_tce_iommu_ops,
				    NULL);
	probed = spapr_tce_settle();
	if (ret)
		/*
		 * The core may have put the ops on some buses already and
		 * never takes them off: the module must stay, or those
		 * buses would call into freed code.  Every device is back
		 * in its group.
		 */
		pr_err("registering the IOMMU ops failed (%d): VFIO still cannot bind POWER PCI devices; this module stays loaded and does nothing more\n",
		       ret);
	else
		pr_info("IOMMU ops for %u POWER PCI devices: vfio-pci can bind them. This module cannot be unloaded.\n",
			probed);
	return 0;

err_settle:
	spapr_tce_settle();
	return ret;
}
module_init(spapr_tce_iommu_init);

MODULE_DESCRIPTION("IOMMU ops for POWER PCI devices on kernels without them, so that VFIO can bind them");
MODULE_AUTHOR("spapr-tce-vfio developers");
MODULE_LICENSE("GPL");
