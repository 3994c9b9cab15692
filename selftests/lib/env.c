// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return (v && *v) ? v : def;
}

const char *env_group(void)
{
	return env_or("SPAPR_GROUP", "/dev/vfio/0");
}

const char *env_bdf(void)
{
	return env_or("SPAPR_BDF", machine_is_powernv() ? "0000:01:00.0" : "0000:00:00.0");
}

const char *env_serial(void)
{
	return env_or("SPAPR_SERIAL", "");
}

/* The second NVMe, in a group of its own, where the machine has one. */
const char *env_group2(void)
{
	return env_or("SPAPR_GROUP2", "");
}

const char *env_bdf2(void)
{
	return env_or("SPAPR_BDF2", "");
}

const char *env_serial2(void)
{
	return env_or("SPAPR_SERIAL2", "");
}

const char *env_machine(void)
{
	return env_or("SPAPR_MACHINE", "unknown");
}

const char *env_driver(void)
{
	return env_or("SPAPR_DRIVER", "ours");
}

bool machine_is_powernv(void)
{
	return strncmp(env_machine(), "powernv", 7) == 0;
}

bool machine_is_pseries(void)
{
	return strncmp(env_machine(), "pseries", 7) == 0;
}

bool driver_is_intree(void)
{
	return strcmp(env_driver(), "intree") == 0;
}

bool env_kvm(void)
{
	return strcmp(env_or("SPAPR_KVM", "0"), "1") == 0;
}

bool env_debug(void)
{
	return strcmp(env_or("SPAPR_DEBUG", "0"), "1") == 0;
}

size_t host_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}
