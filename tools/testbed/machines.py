# SPDX-License-Identifier: GPL-2.0
"""The emulated POWER machines of the test bed and how to boot them."""

import os

import hostenv

# name: (machine options, cpu, memory, NVMe device extras)
MACHINES = {
    "pseries-p9": ("pseries,x-vof=on,cap-nested-hv=on", "power9", "2G", ""),
    "pseries-p10": ("pseries,x-vof=on", "power10", "2G", ""),
    "powernv9": ("powernv9", None, "3G", ",bus=pcie.0,addr=0x0"),
    "powernv10": ("powernv10", None, "3G", ",bus=pcie.0,addr=0x0"),
}

# Machines where kvm-hv loads in the guest (nested on pseries, native on
# powernv9): the guest runner loads kvm and kvm-hv there.
KVM_MACHINES = ("pseries-p9", "powernv9")

# The Debian kernel builds (flavour, or flavour@kver for the kernels of
# kernels.tsv other than the primary one), and "debug": the debug kernel
# built from the primary source with KUnit, KASAN, lockdep, kmemleak and
# fault injection.
FLAVOURS = tuple(hostenv.KERNEL_BUILDS) + ("debug",)


# Machines that get a second NVMe in a PE (and IOMMU group) of its own,
# behind another PHB, for the tests that attach two groups.
SECOND_NVME = {"powernv9": ",bus=pcie.1,addr=0x0",
               "powernv10": ",bus=pcie.1,addr=0x0"}


def qemu_command(machine, kernel, initrd, disk, serial, append, extra=(),
                 disk2=None, serial2=None):
    """Return the argv that boots KERNEL on MACHINE with an NVMe on DISK,
    and a second one on DISK2 where the machine has room for it."""
    mopts, cpu, mem, nvme_extra = MACHINES[machine]
    cmd = ["qemu-system-ppc64", "-M", mopts, "-m", mem, "-smp", "1",
           "-display", "none", "-vga", "none", "-no-reboot", "-net", "none",
           "-serial", "mon:stdio",
           "-kernel", kernel, "-initrd", initrd, "-append", append,
           "-drive", f"file={disk},if=none,id=d0,format=raw",
           "-device", f"nvme,drive=d0,serial={serial}{nvme_extra}"]
    if cpu:
        cmd[3:3] = ["-cpu", cpu]
    if disk2 and machine in SECOND_NVME:
        cmd += ["-drive", f"file={disk2},if=none,id=d1,format=raw",
                "-device", f"nvme,drive=d1,serial={serial2}"
                           f"{SECOND_NVME[machine]}"]
    if mopts.startswith("pseries"):
        # powernv needs its defaults: they include the PCIe host bridges.
        cmd.append("-nodefaults")
    cmd.extend(extra)
    return cmd


def kernel_image(cache, flavour):
    """Path of the bootable ELF kernel of kernel build FLAVOUR."""
    if flavour == "debug":
        return os.path.join(cache, "debug-build", "vmlinux")
    return hostenv.KERNEL_BUILDS[flavour]


def kernel_args(machine, flavour):
    """Extra kernel command-line words for MACHINE and FLAVOUR."""
    words = []
    if flavour == "debug":
        words += ["kmemleak=on", "spapr.debug=1"]
    if machine in KVM_MACHINES:
        words.append("spapr.kvm=1")
    return words
