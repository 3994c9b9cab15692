# SPDX-License-Identifier: GPL-2.0
"""Host side of the install test, used by tools/testbed/run (make check)
and by install/run (make check-install).

spapr-tce-vfio-dkms is installed as a Debian admin would, inside the
emulated POWER host.  A ppc64el Debian root (install/root.sh, cached as
an ext4 image) is the host's disk.  On the first run one boot finishes
its debootstrap there (prepare).  Each test boot runs on a throw-away
overlay of that image (QEMU's snapshot=on), gets a local apt repository
holding the package built by `make deb` and the primary kernel's headers
in its initramfs, and runs install/admin-test: apt install, a native
DKMS build for the running kernel, modprobe picking our module, the
smoke DMA test on it, DKMS building for a second kernel's headers (when
asked: make check-install does it on its first machine), and apt remove
bringing the in-tree module back.  Each boot runs one flavour of the
primary kernel (make check: 4K on pseries-p9, 64K on powernv9).
"""

import os
import secrets
import subprocess
import time

import ktap
import machines
from hostenv import BUILD, CACHE, TIMEOUTS, TOP, sh

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.dirname(HERE)
TEST = "install"
IMAGE = os.path.join(CACHE, "install", "root.img")
# The kernel builds the install test can boot: the primary kernel's
# flavours, whose images the prepared root has.
TOKENS = ("powerpc64le", "powerpc64le-64k")
TOKEN = TOKENS[0]
# A test boot: eight apt/DKMS steps, two native module builds under TCG.
TIMEOUT = TIMEOUTS["install_boot"]
# The root's disk must not share the NVMe's IOMMU group, or the group is
# not viable for VFIO: on pseries every device of a PHB is in one group,
# so it gets a second PHB; on powernv a root port of its own.
DISK_BUS = {"powernv9": ",bus=pcie.1,addr=0x0",
            "powernv10": ",bus=pcie.1,addr=0x0",
            "pseries-p9": ",bus=phb1.0", "pseries-p10": ",bus=phb1.0"}
DISK_PHB = {"pseries-p9": ["-device", "spapr-pci-host-bridge,index=1,id=phb1"],
            "pseries-p10": ["-device",
                            "spapr-pci-host-bridge,index=1,id=phb1"]}


def wanted(tests):
    """True when TESTS is the install test."""
    return tuple(tests or ()) == (TEST,)


def root_image():
    """The root image (cached): on a cold cache, debootstrap's first
    stage, mostly downloads."""
    sh(["bash", os.path.join(HERE, "root.sh"), "image"])


def build():
    """The package, the smoke test and the root image (cached)."""
    sh(["make", "-C", TOP, "-s", "deb"])
    root_image()


def prepared():
    """True when the root image has been through its prepare boot."""
    return os.path.exists(IMAGE + ".prepared")


def initramfs(out, srv=None, token=TOKEN):
    """Busybox, install/init as /init, the modules of TOKEN's kernel that
    mount the root's disk, in load order, and SRV (a test boot's
    additions) as /srv."""
    sh(["bash", "-c", f"""set -euo pipefail
. {TESTBED}/versions.sh
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
mkdir -p "$w"/bin "$w"/proc "$w"/sys "$w"/dev "$w"/tmp "$w"/mnt "$w"/lib/modules
cp "$ROOTS/busybox/bin/busybox" "$w/bin/"
for a in sh mount insmod chroot cat sed tail touch sync poweroff dmesg \\
	 mkdir cut ln cp sleep; do
	ln -s busybox "$w/bin/$a"
done
cp {HERE}/init "$w/init"
: >"$w/lib/modules/disk.list"
for p in $({TESTBED}/modorder.sh "$(modules_of {token})" virtio_blk \\
	   crc32c_generic ext4); do
	unpack_module "$p" "$w/lib/modules" >>"$w/lib/modules/disk.list"
done
if [ -n "{srv or ''}" ]; then cp -a "{srv}" "$w/srv"; fi
(cd "$w" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >{out}
"""])


def _boot(machine, initrd, mode, wdir, timeout, second_kernel=False,
          token=TOKEN):
    """Boot MACHINE with TOKEN's kernel on the root's image: written to
    when MODE is prepare, on a throw-away overlay when it is test (which
    builds for the second kernel when SECOND_KERNEL).  Return (results,
    secs, log)."""
    os.makedirs(wdir, exist_ok=True)
    disk = os.path.join(wdir, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(64 << 20)
    serial = "STV" + secrets.token_hex(4).upper()
    append = " ".join(["console=hvc0", "panic=-1", "loglevel=7",
                       f"spapr.mode={mode}", f"spapr.serial={serial}",
                       f"spapr.machine={machine}",
                       f"spapr.second_kernel={int(second_kernel)}"])
    # cache=unsafe: nothing needs the image safe from a host crash (a
    # prepare that does not finish is redone).
    drive = f"file={IMAGE},if=none,id=r0,format=raw,cache=unsafe"
    if mode != "prepare":
        drive += ",snapshot=on"
    extra = DISK_PHB.get(machine, []) + [
        "-drive", drive,
        "-device", f"virtio-blk-pci,drive=r0{DISK_BUS.get(machine, '')}"]
    cmd = machines.qemu_command(machine, machines.kernel_image(CACHE, token),
                                initrd, disk, serial, append, extra=extra)
    log = os.path.join(wdir, "console.log")
    t0 = time.monotonic()
    timed_out = False
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
    secs = time.monotonic() - t0
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    name = "install-prepare" if mode == "prepare" else TEST
    results = ktap.parse(text, [name], timed_out)
    if timed_out:
        results.append(ktap.Result("testbed:timeout", "fail",
                                   f"killed after {timeout}s"))
    for r in results:
        r.name = f"{machine}/{token}:{r.name}"
    os.unlink(disk)
    return results, secs, log


def prepare(machine, logdir, timeout=TIMEOUT):
    """Finish the root's debootstrap and install the kernel images inside
    MACHINE, once.  Return (results, secs, log); the image counts as
    prepared only when every result passed."""
    initrd = os.path.join(BUILD, "initramfs-install-prepare.cpio.gz")
    initramfs(initrd)
    res, secs, log = _boot(machine, initrd, "prepare",
                           os.path.join(logdir, f"{machine}-install-prepare"),
                           timeout)
    if res and not any(r.status == "fail" for r in res):
        open(IMAGE + ".prepared", "w").close()
    os.unlink(initrd)
    return res, secs, log


def boot(machine, logdir, timeout=TIMEOUT, second_kernel=True, token=TOKEN):
    """One test boot on MACHINE, running TOKEN's kernel.  DKMS's build for
    a second kernel does not depend on the machine: with several machines,
    let at most one do it (SECOND_KERNEL).  Return (results, secs, log)."""
    if token not in TOKENS:
        raise ValueError(f"the install test boots one of {TOKENS}, not {token}")
    work = os.path.join(BUILD, f"install-{machine}")
    initrd = work + ".cpio.gz"
    sh(["bash", os.path.join(HERE, "root.sh"), "work", work, token])
    initramfs(initrd, work, token)
    try:
        return _boot(machine, initrd, "test",
                     os.path.join(logdir, f"{machine}-install"), timeout,
                     second_kernel, token)
    finally:
        subprocess.run(["rm", "-rf", work, initrd])
