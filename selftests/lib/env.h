/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a test runs on: the device (named as the kernel's VFIO selftests
 * name it), the machine, the backend serving containers, and the
 * kernel's facilities.  Everything but the device and its serial is
 * found out from the running system.
 */
#ifndef SPAPR_ENV_H
#define SPAPR_ENV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Take the device from the command line: a last argument shaped like a
 * PCI address (DDDD:BB:DD.F) names it and is removed from argv.  Called
 * by SPAPR_HARNESS_MAIN before the harness reads its options.
 */
void env_take_bdf(int *argc, char **argv);
/* The device's PCI address: the command line's, or VFIO_SELFTESTS_BDF. */
const char *env_bdf(void);
/* Its IOMMU group's VFIO node, from sysfs, e.g. /dev/vfio/0. */
const char *env_group(void);
/* The serial number it reports, when the test bed knows it
 * (SPAPR_SERIAL); "" otherwise. */
const char *env_serial(void);
/*
 * A second NVMe bound to vfio-pci in an IOMMU group of its own, the
 * lowest such PCI address; "" when there is none.
 */
const char *env_bdf2(void);
const char *env_group2(void);
const char *env_serial2(void);	/* SPAPR_SERIAL2 */

/* "PowerNV POWER9", "pSeries POWER10", ...: /proc/cpuinfo's platform
 * and CPU. */
const char *env_machine(void);
bool machine_is_powernv(void);
bool machine_is_pseries(void);
/*
 * "ours" when vfio_spapr_tce is loaded, "intree" otherwise.  SPAPR_DRIVER
 * overrides it: the guest runner sets it, which the coexistence check,
 * with both modules loaded, needs.
 */
const char *env_driver(void);
bool driver_is_intree(void);
/* kvm-hv is loaded and /dev/kvm is there. */
bool env_kvm(void);
/* A debug kernel: kmemleak is there (the test bed's debug lane, with
 * KASAN and lockdep). */
bool env_debug(void);
/*
 * SPAPR_OPEN_BUGS=1: also run the reproducers of open bugs, which leave
 * the kernel in a state later tests would trip over.
 */
bool env_open_bugs(void);

/* The running kernel's release (uname -r). */
const char *env_kernel(void);
/* The running kernel is older than @major.@minor. */
bool kernel_before(int major, int minor);

/* The kernel's base page size. */
size_t host_page_size(void);

/*
 * Pages pinned with FOLL_PIN, whole machine, by anyone (/proc/vmstat:
 * acquired less released, after folding in every CPU's pending counts
 * through /proc/sys/vm/stat_refresh), or -1 when the kernel cannot say.
 * Both drivers pin so: a call that fails must leave it where it was.
 */
long foll_pins_held(void);

#endif
