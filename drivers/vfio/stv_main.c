// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: module entry points and the VFIO IOMMU driver ops.
 *
 * A VFIO IOMMU backend for the sPAPR TCE IOMMU of IBM POWER hosts,
 * serving VFIO_SPAPR_TCE_IOMMU (v1) and VFIO_SPAPR_TCE_v2_IOMMU (v2)
 * containers through the upstream VFIO UAPI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/vfio.h>

#include "stv.h"

#define STV_VERSION	"1.0"

static bool coexist;
module_param(coexist, bool, 0444);
MODULE_PARM_DESC(coexist,
		 "load even if vfio_iommu_spapr_tce is loaded (default: refuse)");

static void *stv_open(unsigned long arg)
{
	struct stv_container *c;

	if (arg != VFIO_SPAPR_TCE_IOMMU && arg != VFIO_SPAPR_TCE_v2_IOMMU)
		return ERR_PTR(-EINVAL);

	c = stv_container_new(arg == VFIO_SPAPR_TCE_v2_IOMMU);
	if (!c)
		return ERR_PTR(-ENOMEM);
	stv_inspect_add(c);
	return c;
}

static void stv_release(void *data)
{
	struct stv_container *c = data;

	/* The VFIO core detaches every group before it releases us. */
	WARN_ON_ONCE(!list_empty(&c->groups));
	/* Waits for readers of the view, which take the container lock. */
	stv_inspect_remove(c);
	stv_release_container(c);
	stv_container_put(c);
}

static const struct vfio_iommu_driver_ops stv_ops = {
	.name		= "vfio-spapr-tce",
	.owner		= THIS_MODULE,
	.open		= stv_open,
	.release	= stv_release,
	.ioctl		= stv_ioctl,
	.attach_group	= stv_attach_group,
	.detach_group	= stv_detach_group,
};

/*
 * Is the in-tree backend loaded?  Both register for the same IOMMU types
 * and the VFIO core offers new containers to the most recent one, so
 * loading next to it would silently change which one serves what.  Our
 * own module kobject sits in the kset of all modules, which is how we
 * find its sibling.
 */
static bool stv_intree_loaded(void)
{
	struct kobject *kobj;

	kobj = kset_find_obj(THIS_MODULE->mkobj.kobj.kset,
			     "vfio_iommu_spapr_tce");
	if (!kobj)
		return false;
	kobject_put(kobj);
	return true;
}

static int __init stv_init(void)
{
	int ret;

	if (stv_intree_loaded()) {
		if (!coexist) {
			pr_err("vfio_iommu_spapr_tce is loaded; unload it, or load with coexist=1\n");
			return -EBUSY;
		}
		pr_warn("loaded next to vfio_iommu_spapr_tce; new containers use vfio_spapr_tce\n");
	}

	ret = stv_stats_init();
	if (ret)
		return ret;
	ret = vfio_register_iommu_driver(&stv_ops);
	if (ret)
		goto err_stats;
	pr_info("version %s registered for sPAPR TCE v1 and v2\n",
		STV_VERSION);
	return 0;

err_stats:
	stv_stats_exit();
	return ret;
}

static void __exit stv_exit(void)
{
	vfio_unregister_iommu_driver(&stv_ops);
	stv_container_barrier();
	stv_orphans_exit();
	stv_stats_exit();
}

module_init(stv_init);
module_exit(stv_exit);

MODULE_VERSION(STV_VERSION);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO IOMMU backend for the sPAPR TCE IOMMU (v1 and v2)");
