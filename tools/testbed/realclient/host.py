# SPDX-License-Identifier: GPL-2.0
"""Host (L0) side of the real-client tests, used by tools/testbed/run.

Before L1 boots, a block with a random token goes into the NVMe's disk
image; L2 must read it.  L2 writes a second token, which must be in the
image once L1 has powered off.  Only runs that name one of TESTS get the
real-client overlay in their initramfs.
"""

import os
import re
import secrets
import subprocess

import ktap
from hostenv import TIMEOUTS

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = ("spapr_realclient", "spapr_realclient_tcg")
# The kernel builds tried as L1 and L2: the 4K builds of 6.12 and 7.2,
# each with the L1 QEMU that versions.sh pins for its suite, and Debian
# 12's 6.1, whose one build has 64K pages, with bookworm-backports' QEMU
# (compose.sh).
FLAVOURS = ("powerpc64le", "powerpc64le@7.2.13", "powerpc64le@6.1.176")
# L2 under TCG inside TCG takes minutes: each test's boot gets its own
# limit, and L1's script stops its L2 QEMU before the guest runner's
# limit on one test would (timeouts.tsv).
BOOT_TIMEOUTS = {"spapr_realclient": TIMEOUTS["boot_realclient"],
                 "spapr_realclient_tcg": TIMEOUTS["boot_realclient_tcg"]}
BLOCK0, BLOCK8 = 0, 8 * 512


def wanted(tests):
    """The real-client tests among TESTS."""
    return [t for t in tests if t in TESTS]


def compose(flavour, build_dir):
    """Build the overlay tree for FLAVOUR and return its path."""
    if flavour not in FLAVOURS:
        raise SystemExit(f"run: the real client needs --flavour "
                         f"{','.join(FLAVOURS)}, not {flavour}")
    out = os.path.join(build_dir, f"realclient-{flavour}")
    res = subprocess.run(["bash", os.path.join(HERE, "compose.sh"),
                          flavour, out], capture_output=True, text=True)
    if res.returncode:
        raise SystemExit("run: realclient compose failed:\n"
                         + res.stdout + res.stderr)
    return os.path.join(out, "tree")


def timeout(tests, default):
    """The per-boot timeout that leaves room for the real-client tests."""
    return max([default] + [BOOT_TIMEOUTS[t] for t in wanted(tests)])


def prepare(disk):
    """Write token 1 into DISK; return (kernel words, state for check)."""
    t1, t2 = secrets.token_hex(8), secrets.token_hex(8)
    with open(disk, "r+b") as f:
        f.seek(BLOCK0)
        f.write(f"SPAPR-REALCLIENT-T1={t1}\n".encode().ljust(512, b"\0"))
    return [f"spapr.realclient={t1}:{t2}",
            f"spapr.l2_timeout_kvm={TIMEOUTS['l2_kvm']}",
            f"spapr.l2_timeout_tcg={TIMEOUTS['l2_tcg']}"], (t1, t2)


def check(disk, state, tests):
    """After L1 powered off: L2's token must be in DISK."""
    _, t2 = state
    with open(disk, "rb") as f:
        f.seek(BLOCK8)
        block = f.read(512)
    want = f"SPAPR-REALCLIENT-T2={t2}\n".encode()
    found = block.startswith(want)
    first = block.split(b"\n")[0].decode("ascii", "replace")
    detail = f"L0 read block 8 of the disk image: {first!r}, want {t2}"
    # Every real-client test of a boot writes the same token; the verdict
    # is reported under the last one.
    return [ktap.Result(f"{wanted(tests)[-1]}:host_sees_l2_token",
                        "pass" if found else "fail", detail)]


# l1-test's figures of an L2 under TCG: its seconds, and each ioctl's
# count and time in L1's kernel (count/ns).
RC_SECONDS = re.compile(r"^# RC l2_seconds=(\d+) qemu_rc=\S+ accel=tcg")
RC_IOCTLS = re.compile(r"^# RC l1_ioctl_count_ns map_dma=(\d+)/(\d+) "
                       r"unmap_dma=(\d+)/(\d+)")


def tcg_figures(text):
    """{"l2_s": s, "map": (n, ns), "unmap": (n, ns)} from a boot that ran
    spapr_realclient_tcg, or None."""
    fig = {}
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = RC_SECONDS.match(line)
        if m:
            fig["l2_s"] = int(m.group(1))
        m = RC_IOCTLS.match(line)
        if m:
            v = [int(x) for x in m.groups()]
            fig["map"], fig["unmap"] = (v[0], v[1]), (v[2], v[3])
    return fig if {"l2_s", "map", "unmap"} <= fig.keys() else None


def tcg_table(title, figs):
    """The two drivers' L2-under-TCG figures side by side; FIGS maps a
    driver to tcg_figures()."""
    i, o = figs["intree"], figs["ours"]
    out = [f"\n{title}: the real client, L2 under TCG (wall clock; "
           "ratio = in-tree / ours)",
           f"  {'':24} {'in-tree':>14} {'ours':>14} {'ratio':>7}",
           f"  {'L2 run, s':24} {i['l2_s']:>14} {o['l2_s']:>14} "
           f"{i['l2_s'] / max(o['l2_s'], 1):>7.2f}"]
    for op, name in (("map", "MAP_DMA"), ("unmap", "UNMAP_DMA")):
        out.append(f"  {name + ' ioctls':24} {i[op][0]:>14} {o[op][0]:>14}")
        out.append(f"  {name + ' total, ms':24} {i[op][1] / 1e6:>14.1f} "
                   f"{o[op][1] / 1e6:>14.1f} "
                   f"{i[op][1] / max(o[op][1], 1):>7.2f}")
        if i[op][0] and o[op][0]:
            out.append(f"  {name + ' each, us':24} "
                       f"{i[op][1] / i[op][0] / 1e3:>14.2f} "
                       f"{o[op][1] / o[op][0] / 1e3:>14.2f}")
    return "\n".join(out)
