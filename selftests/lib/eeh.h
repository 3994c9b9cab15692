/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SPAPR_EEH_H
#define SPAPR_EEH_H

#include <stdbool.h>

/* Is EEH enabled in the kernel (as /proc/powerpc/eeh says)? */
bool eeh_platform_enabled(void);

#endif
