// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "eeh.h"

bool eeh_platform_enabled(void)
{
	char line[128] = "";
	FILE *f = fopen("/proc/powerpc/eeh", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return strstr(line, "EEH Subsystem is enabled") != NULL;
}
