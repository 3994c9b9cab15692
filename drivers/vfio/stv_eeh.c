// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr-tce-vfio: EEH partitionable-endpoint operations.
 *
 * Every operation applies to the PE of each attached group in turn and
 * stops at the first failure.  GET_STATE answers with the state of the
 * first group's PE.
 */
#include <linux/stddef.h>
#include <linux/vfio.h>
#include <asm/eeh.h>

#include "stv.h"

/**
 * stv_eeh_supported() - answer VFIO_CHECK_EXTENSION(VFIO_EEH)
 *
 * Return: 1 when the platform has EEH enabled, else 0.
 */
int stv_eeh_supported(void)
{
	return eeh_enabled() ? 1 : 0;
}

static long stv_eeh_apply(struct eeh_pe *pe, struct vfio_eeh_pe_op *op)
{
	switch (op->op) {
	case VFIO_EEH_PE_DISABLE:
		return eeh_pe_set_option(pe, EEH_OPT_DISABLE);
	case VFIO_EEH_PE_ENABLE:
		return eeh_pe_set_option(pe, EEH_OPT_ENABLE);
	case VFIO_EEH_PE_UNFREEZE_IO:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_MMIO);
	case VFIO_EEH_PE_UNFREEZE_DMA:
		return eeh_pe_set_option(pe, EEH_OPT_THAW_DMA);
	case VFIO_EEH_PE_GET_STATE:
		return eeh_pe_get_state(pe);
	case VFIO_EEH_PE_RESET_DEACTIVATE:
		return eeh_pe_reset(pe, EEH_RESET_DEACTIVATE, true);
	case VFIO_EEH_PE_RESET_HOT:
		return eeh_pe_reset(pe, EEH_RESET_HOT, true);
	case VFIO_EEH_PE_RESET_FUNDAMENTAL:
		return eeh_pe_reset(pe, EEH_RESET_FUNDAMENTAL, true);
	case VFIO_EEH_PE_CONFIGURE:
		return eeh_pe_configure(pe);
	case VFIO_EEH_PE_INJECT_ERR:
		return eeh_pe_inject_err(pe, op->err.type, op->err.func,
					 op->err.addr, op->err.mask);
	default:
		return -EINVAL;
	}
}

/*
 * Copy in the operation once: its fixed part, and the err fields too for
 * INJECT_ERR, whose longer argsz is checked before they are read.
 */
static long stv_eeh_copy_op(struct stv_container *c,
			    struct vfio_eeh_pe_op *op, unsigned long arg)
{
	unsigned long errsz = offsetofend(struct vfio_eeh_pe_op, err.mask);
	long ret;

	ret = stv_copy_arg_flags(op, arg, offsetofend(struct vfio_eeh_pe_op, op),
				 0);
	if (ret)
		return stv_refuse_arg(c, ret);
	if (op->op != VFIO_EEH_PE_INJECT_ERR)
		return 0;
	if (op->argsz < errsz)
		return stv_refuse(c, "INJECT_ERR without the err fields",
				  -EINVAL);
	ret = stv_copy_arg(op, arg, errsz);
	return ret ? stv_refuse_arg(c, ret) : 0;
}

/**
 * stv_eeh_pe_op() - VFIO_EEH_PE_OP
 * @c: the container, locked
 * @arg: user pointer to &struct vfio_eeh_pe_op
 *
 * The argument is read once, after the first group's PE is found: a
 * group without one is -ENODEV before anything else, as in the in-tree
 * driver.
 *
 * Return: 0 or, for GET_STATE, the PE state; -ENODEV when a group has no
 * PE (always so where EEH is off); -EFAULT; -EINVAL for a short argsz,
 * flags, an unknown op, or INJECT_ERR without the err fields.
 */
long stv_eeh_pe_op(struct stv_container *c, unsigned long arg)
{
	struct vfio_eeh_pe_op op = { 0 };
	struct stv_group *g;
	bool copied = false;
	long ret = 0;

	lockdep_assert_held(&c->lock);

	list_for_each_entry(g, &c->groups, node) {
		struct eeh_pe *pe = eeh_iommu_group_to_pe(g->grp);

		if (!pe)
			return stv_refuse(c, "a group has no EEH PE (is EEH on?)",
					  -ENODEV);
		if (!copied) {
			ret = stv_eeh_copy_op(c, &op, arg);
			if (ret)
				return ret;
			copied = true;
		}
		ret = stv_eeh_apply(pe, &op);
		if (ret)
			return ret;
	}
	return ret;
}
