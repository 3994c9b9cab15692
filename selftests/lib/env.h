/* SPDX-License-Identifier: GPL-2.0 */
/* What the guest runner tells each test binary through the environment. */
#ifndef SPAPR_ENV_H
#define SPAPR_ENV_H

#include <stdbool.h>
#include <stddef.h>

const char *env_group(void);	/* SPAPR_GROUP, e.g. /dev/vfio/0 */
const char *env_bdf(void);	/* SPAPR_BDF */
const char *env_serial(void);	/* SPAPR_SERIAL */
const char *env_group2(void);	/* SPAPR_GROUP2: "" without a 2nd NVMe */
const char *env_bdf2(void);	/* SPAPR_BDF2 */
const char *env_serial2(void);	/* SPAPR_SERIAL2 */
const char *env_machine(void);	/* SPAPR_MACHINE */
const char *env_driver(void);	/* SPAPR_DRIVER: ours or intree */

bool machine_is_powernv(void);
bool machine_is_pseries(void);
bool driver_is_intree(void);
/* SPAPR_KVM=1: the runner loaded kvm and kvm-hv on this machine. */
bool env_kvm(void);
/* SPAPR_DEBUG=1: the test bed's debug kernel (KASAN, lockdep, kmemleak). */
bool env_debug(void);

/* The kernel's base page size. */
size_t host_page_size(void);

#endif
