/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spapr-tce-vfio: the view scan's loop on the vector unit (VMX).
 *
 * One 16-byte load covers two entries of a userspace view, so an empty
 * stretch costs about half the instructions of the scalar loop in
 * stv_scan.c, which calls this with the vector unit enabled.
 */
#include <linux/linkage.h>
#include <asm/ppc_asm.h>

/*
 * unsigned long stv_vmx_empty_steps(const __be64 *v, unsigned long steps)
 *
 * r3: the first entry to look at, 16-byte aligned (lvx ignores the low
 *     four bits of an address);
 * r4: how many steps of 32 entries (256 bytes) to look at, at least 1.
 *
 * Returns in r3 the number of steps, from the first on, whose 32 entries
 * are all 0: r4 when every step is empty, otherwise the index of the
 * first step holding a non-zero byte.  Uses v0-v16, r5-r12, CTR and
 * CR6, all volatile; touches no memory but the loads, and no stack.
 */
SYM_FUNC_START(stv_vmx_empty_steps)
	mtctr	r4
	li	r5,16
	li	r6,32
	li	r7,48
	li	r8,64
	li	r9,80
	li	r10,96
	li	r11,112
	addi	r12,r3,128		/* second half of each step */
	vxor	v16,v16,v16		/* zero, to compare with */
1:	lvx	v0,0,r3
	lvx	v1,r3,r5
	lvx	v2,r3,r6
	lvx	v3,r3,r7
	lvx	v4,r3,r8
	lvx	v5,r3,r9
	lvx	v6,r3,r10
	lvx	v7,r3,r11
	lvx	v8,0,r12
	lvx	v9,r12,r5
	lvx	v10,r12,r6
	lvx	v11,r12,r7
	lvx	v12,r12,r8
	lvx	v13,r12,r9
	lvx	v14,r12,r10
	lvx	v15,r12,r11
	vor	v0,v0,v1		/* the sixteen loads ORed into v0 */
	vor	v2,v2,v3
	vor	v4,v4,v5
	vor	v6,v6,v7
	vor	v8,v8,v9
	vor	v10,v10,v11
	vor	v12,v12,v13
	vor	v14,v14,v15
	vor	v0,v0,v2
	vor	v4,v4,v6
	vor	v8,v8,v10
	vor	v12,v12,v14
	vor	v0,v0,v4
	vor	v8,v8,v12
	vor	v0,v0,v8
	vcmpequb. v0,v0,v16		/* CR6[LT]: every byte was 0 */
	bge	cr6,2f			/* a used entry in this step */
	addi	r3,r3,256
	addi	r12,r12,256
	bdnz	1b
	/* CTR: steps not passed, the used one included (0 after the last). */
2:	mfctr	r5
	subf	r3,r5,r4
	blr
SYM_FUNC_END(stv_vmx_empty_steps)
