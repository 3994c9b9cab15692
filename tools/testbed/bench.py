# SPDX-License-Identifier: GPL-2.0
"""Benchmark boots: both drivers measured in one guest, and their ratios.

A bench boot runs bench/spapr_tce_bench once per backend, in the order
in-tree, ours, ours, in-tree, and keeps each operation's least time per
driver: whatever else the guest's one vCPU does (the kernel's own work
after boot, above all) is counted too, and must not land on one driver
only.  Under the icount clock (QEMU -icount shift=0,sleep=off) one guest
nanosecond is one executed instruction, so the ratios repeat from boot to
boot; bench/floors.tsv holds the least ratio make check accepts for each
guarded operation.  The wall clock includes the hypervisor's share
(hypercalls on pseries, OPAL calls on powernv), which icount misses, with
TCG's noise; it is printed, never guarded.
"""

import os
import re

from hostenv import TOP
import ktap

TEST = "spapr_tce_bench"
DRIVERS = "intree,ours,ours,intree"
CLOCKS = ("icount", "wall")
ICOUNT = ["-icount", "shift=0,sleep=off"]
FLOORS = os.path.join(TOP, "bench", "floors.tsv")

LINE = re.compile(r"^bench (\S+) (\d+) (\d+)")
MEM = re.compile(r"^benchmem (\S+) (\S+) (-?\d+)")
BLOCK = re.compile(r"^@@@ BEGIN " + TEST + r"@(\w+)")


def wanted(tests):
    """The clock of a bench boot's TESTS ("bench:icount"), or ""."""
    for t in tests or ():
        if t.startswith("bench:"):
            return t.split(":", 1)[1]
    return ""


def by_driver(text):
    """Each line of a bench boot's console, with the driver whose run it
    belongs to (None before the first run)."""
    drv = None
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = BLOCK.match(line)
        if m:
            drv = m.group(1)
        yield drv, line


def memory(text):
    """{window: {driver: (KiB charged, KiB taken) or ("fail", errno)}},
    the least figures of each driver's runs."""
    mem = {}
    for drv, line in by_driver(text):
        m = MEM.match(line)
        if m and drv:
            v = (("fail", int(m.group(3))) if m.group(2) == "fail"
                 else (int(m.group(2)), int(m.group(3))))
            old = mem.setdefault(m.group(1), {}).get(drv)
            mem[m.group(1)][drv] = v if old is None or old[0] == "fail" \
                or v[0] == "fail" else (min(old[0], v[0]), min(old[1], v[1]))
    return mem


def memory_table(title, mem):
    """Window memory per driver: KiB charged to locked_vm and KiB taken
    from the free pages, or the errno of a failed creation."""
    def cell(v):
        if v is None:
            return "-"
        return f"errno {v[1]}" if v[0] == "fail" else f"{v[0]} / {v[1]}"
    out = [f"\n{title}: empty window memory, KiB charged / KiB taken",
           f"  {'window':12} {'in-tree':>22} {'ours':>22}"]
    for name, v in mem.items():
        out.append(f"  {name:12} {cell(v.get('intree')):>22} "
                   f"{cell(v.get('ours')):>22}")
    return "\n".join(out)


def measure(text):
    """Each operation's least time per driver, its unit count, errors."""
    res, units, errors = {}, {}, []
    for drv, line in by_driver(text):
        m = LINE.match(line)
        if m and drv:
            ns, best = int(m.group(2)), res.setdefault(m.group(1), {})
            best[drv] = min(ns, best.get(drv, ns))
            units[m.group(1)] = int(m.group(3))
        if line.startswith("bench-error"):
            errors.append(f"{drv}: {line}")
    return res, units, errors


def ratio(times):
    """In-tree / ours for one operation, or None if one is missing."""
    it, ours = times.get("intree"), times.get("ours")
    return it / ours if it and ours else None


def table(title, res, units):
    """The printed table: both drivers, the ratio, the time per unit."""
    out = [f"\n{title} (ms, and ns per page or per ioctl; "
           f"ratio = in-tree / ours)",
           f"  {'operation':34} {'in-tree':>10} {'ours':>10} {'ratio':>8}"
           f" {'ns/unit in-tree':>16} {'ours':>8}"]
    for name, v in res.items():
        it, ours, r = v.get("intree"), v.get("ours"), ratio(v)
        n = units.get(name, 0)

        def ms(x):
            return f"{x / 1e6:10.2f}" if x is not None else "         -"

        def per(x):
            return f"{x / n:8.0f}" if x is not None and n else "       -"
        rs = f"{r:8.2f}" if r is not None else "       -"
        out.append(f"  {name:34} {ms(it)} {ms(ours)} {rs}"
                   f" {per(it):>16} {per(ours)}")
    return "\n".join(out)


def floors(machine, flavour):
    """{operation: least accepted icount ratio} for one machine/flavour."""
    rows = {}
    with open(FLOORS) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) >= 4 and line[0] == machine and line[1] == flavour:
                rows[line[2]] = float(line[3])
    return rows


def check(text, machine, flavour, clock, timed_out):
    """Results of one bench boot: the runner's console and block checks,
    no error from the bench, and under icount every guarded ratio at or
    above its floor.  Prints the table."""
    res, units, errors = measure(text)
    mem = memory(text)
    # One print: the runner reports two guests from two threads.
    print(table(f"{machine}/{flavour}, clock={clock}", res, units)
          + (memory_table(f"{machine}/{flavour}", mem) if mem else ""),
          flush=True)
    results = [r for r in ktap.parse(text, [], timed_out)
               if not r.name.startswith(TEST)]
    results.append(ktap.Result(f"bench:{clock}:ran",
                               "fail" if errors or not res else "pass",
                               "; ".join(errors) or
                               ("" if res else "no measurements")))
    if clock != "icount":
        return results
    for op, floor in sorted(floors(machine, flavour).items()):
        r = ratio(res.get(op, {}))
        if r is None:
            results.append(ktap.Result(f"bench:{op}", "fail",
                                       "not measured for both drivers"))
        else:
            results.append(ktap.Result(
                f"bench:{op}", "pass" if r >= floor else "fail",
                f"ratio {r:.3f}, floor {floor:.3f} (bench/floors.tsv)"))
    return results
