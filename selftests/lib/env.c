// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "env.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define VFIO_PCI	"/sys/bus/pci/drivers/vfio-pci"
#define NVME_CLASS	0x010802

static const char *cmdline_bdf;

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return (v && *v) ? v : def;
}

static bool is_bdf(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int end = 0;

	return sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &end) == 4 &&
	       s[end] == 0 && end == 12;
}

void env_take_bdf(int *argc, char **argv)
{
	if (*argc > 1 && is_bdf(argv[*argc - 1])) {
		cmdline_bdf = argv[*argc - 1];
		argv[--*argc] = NULL;
	}
}

const char *env_bdf(void)
{
	return cmdline_bdf ?: env_or("VFIO_SELFTESTS_BDF", "");
}

/* /dev/vfio/N of the device at @bdf, in @out; "" when it has no group. */
static const char *group_of(const char *bdf, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	out[0] = 0;
	if (!*bdf)
		return out;
	snprintf(link, sizeof(link), PCI_DEVICES "/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return out;
	target[n] = 0;
	snprintf(out, len, "/dev/vfio/%s", strrchr(target, '/') + 1);
	return out;
}

const char *env_group(void)
{
	static char group[64];

	return group_of(env_bdf(), group, sizeof(group));
}

const char *env_serial(void)
{
	return env_or("SPAPR_SERIAL", "");
}

static unsigned long pci_class(const char *bdf)
{
	char path[PATH_MAX];
	unsigned long class = 0;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/class", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lx", &class) != 1)
		class = 0;
	fclose(f);
	return class;
}

const char *env_bdf2(void)
{
	static char bdf2[16];
	static bool looked;
	char g1[64], g[64];
	struct dirent *e;
	DIR *d;

	if (looked)
		return bdf2;
	looked = true;
	d = opendir(VFIO_PCI);
	if (!d)
		return bdf2;
	group_of(env_bdf(), g1, sizeof(g1));
	while ((e = readdir(d))) {
		if (!is_bdf(e->d_name) || !strcmp(e->d_name, env_bdf()) ||
		    pci_class(e->d_name) != NVME_CLASS ||
		    !*group_of(e->d_name, g, sizeof(g)) || !strcmp(g, g1))
			continue;
		if (!*bdf2 || strcmp(e->d_name, bdf2) < 0)
			snprintf(bdf2, sizeof(bdf2), "%.12s", e->d_name);
	}
	closedir(d);
	return bdf2;
}

const char *env_group2(void)
{
	static char group[64];

	return group_of(env_bdf2(), group, sizeof(group));
}

const char *env_serial2(void)
{
	return env_or("SPAPR_SERIAL2", "");
}

/* The value of the first "@key : value" line of /proc/cpuinfo, or "". */
static void cpuinfo(const char *key, char *out, size_t len)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/cpuinfo", "r");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (strncmp(line, key, klen) || !v ||
		    strspn(line + klen, " \t") != (size_t)(v - line - klen))
			continue;
		v += strspn(v + 1, " \t") + 1;
		v[strcspn(v, " ,\n")] = 0;
		snprintf(out, len, "%s", v);
		break;
	}
	fclose(f);
}

const char *env_machine(void)
{
	static char machine[64];
	char platform[32], cpu[32];

	if (!*machine) {
		cpuinfo("platform", platform, sizeof(platform));
		cpuinfo("cpu", cpu, sizeof(cpu));
		snprintf(machine, sizeof(machine), "%s %s",
			 *platform ? platform : "unknown", cpu);
	}
	return machine;
}

bool machine_is_powernv(void)
{
	return strncmp(env_machine(), "PowerNV", 7) == 0;
}

bool machine_is_pseries(void)
{
	return strncmp(env_machine(), "pSeries", 7) == 0;
}

const char *env_driver(void)
{
	const char *d = env_or("SPAPR_DRIVER", "");

	if (*d)
		return d;
	return access("/sys/module/vfio_spapr_tce", F_OK) == 0 ? "ours" : "intree";
}

bool driver_is_intree(void)
{
	return strcmp(env_driver(), "intree") == 0;
}

bool env_kvm(void)
{
	return access("/sys/module/kvm_hv", F_OK) == 0 &&
	       access("/dev/kvm", R_OK | W_OK) == 0;
}

bool env_debug(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

bool env_open_bugs(void)
{
	return !strcmp(env_or("SPAPR_OPEN_BUGS", "0"), "1");
}

const char *env_kernel(void)
{
	static struct utsname u;

	if (!*u.release && uname(&u))
		return "unknown";
	return u.release;
}

bool kernel_before(int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(env_kernel(), "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

size_t host_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

long foll_pins_held(void)
{
	long acquired = -1, released = -1, v;
	char name[64];
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	/* Fold every CPU's pending deltas in, or the counts lag. */
	if (!f || fputs("1\n", f) < 0 || fclose(f))
		return -1;
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acquired = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			released = v;
	}
	fclose(f);
	return acquired < 0 || released < 0 ? -1 : acquired - released;
}
