/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SPAPR_LOCKED_VM_H
#define SPAPR_LOCKED_VM_H

/* VmLck of the calling process, in KiB, from /proc/self/status; -1 on error. */
long locked_vm_kb(void);

#endif
