# SPDX-License-Identifier: GPL-2.0
"""Parse a guest console log into per-test results.

Why not the kernel's tools/testing/kunit/kunit_parser.py: a verdict here
needs more than the KTAP lines.  Each binary runs between the guest
runner's "@@@ BEGIN name" and "@@@ END name rc=N" lines, and a binary
that exits non-zero without a failing case, never ends, or leaves its
plan short fails as a whole; the whole console is scanned for Oops,
WARN, lockdep and kmemleak reports.  kunit_parser sees neither the
markers nor the exit status, prints its own progress and summary while
it parses (parse_test() calls print_test_result()), which would
interleave with the runner's lines from two guests at once, and exists
only in the full source of the primary kernel (6.12 has it; the other
kernels' sources in the cache hold only the files the compat check
reads).  What this file does parse is plain KTAP: "ok"/"not ok" lines
with their SKIP, XFAIL and TODO directives, and the plan.
"""

import re

BEGIN = re.compile(r"^@@@ BEGIN (\S+)\s*$")
END = re.compile(r"^@@@ END (\S+) rc=(-?\d+)\s*$")
RESULT = re.compile(r"^\s*(not ok|ok) (\d+)(?: -)? ([^#]*?)\s*(?:#\s*(\S+)(.*))?$")
PLAN = re.compile(r"^\s*1\.\.(\d+)")
# Anything the kernel prints that means the run cannot be trusted.
BAD = re.compile(r"(Oops:|WARNING:|BUG:|Kernel panic|kernel BUG|"
                 r"Unable to handle kernel|general protection|"
                 r"INFO: task .* blocked for more than|"
                 r"unreferenced object|"
                 r"possible circular locking|possible recursive locking|"
                 r"suspicious RCU usage|inconsistent lock state|"
                 r"sleeping function called from invalid context)")
# Firmware-level messages that contain a trigger word but are known to be
# harmless on this test bed (no NVRAM partition under VOF).
BENIGN = re.compile(r"WARNING: nvram corruption detected: 0-length partition")


class Result:
    """One test outcome: status is 'pass', 'fail' or 'skip'."""

    def __init__(self, name, status, detail=""):
        self.name, self.status, self.detail = name, status, detail

    def __repr__(self):
        return f"Result({self.name!r}, {self.status!r})"


def parse(log, expected, timed_out=False):
    """Return a list of Result for the binaries in EXPECTED found in LOG.

    A binary that never started or ended, that exited non-zero without a
    failing case, or whose plan does not match its results, fails as a
    whole; so does a console that shows a kernel problem or never reached
    the end of the run.
    """
    results = []
    cur, cases, plan, lines_of = None, [], None, {}
    done, dmesg, bad = set(), False, []
    for line in log.splitlines():
        line = line.rstrip("\r")
        if line.startswith("@@@ DMESG"):
            dmesg = True
            continue
        if BAD.search(line) and not BENIGN.search(line):
            bad.append(line.strip())
        if dmesg:
            continue
        m = BEGIN.match(line)
        if m:
            cur, cases, plan = m.group(1), [], None
            continue
        m = END.match(line)
        if m and cur == m.group(1):
            rc = int(m.group(2))
            results.extend(cases)
            failed = any(c.status == "fail" for c in cases)
            if not cases:
                results.append(Result(f"{cur}:run", "fail",
                                      f"no results, rc={rc}"))
            elif rc != 0 and not failed:
                results.append(Result(f"{cur}:exit", "fail",
                                      f"exit status {rc} but no failure"))
            elif plan is not None and plan != len(cases):
                results.append(Result(f"{cur}:plan", "fail",
                                      f"planned {plan}, got {len(cases)}"))
            done.add(cur)
            cur = None
            continue
        if cur is None:
            continue
        m = PLAN.match(line)
        if m and cur.startswith("kunit."):
            continue    # a suite's results nest its cases under 1..1
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m and cur.startswith("kunit.") and \
                m.group(3).strip() == cur[len("kunit."):]:
            continue    # the suite's own summary line, not a case
        if m and not line.startswith("#"):
            status = "pass" if m.group(1) == "ok" else "fail"
            directive = (m.group(4) or "").upper()
            if directive == "SKIP":
                status = "skip"
            elif directive in ("XFAIL", "TODO") and status == "fail":
                status = "skip"
            cases.append(Result(f"{cur}:{m.group(3).strip()}", status,
                                (m.group(5) or "").strip()))
    for name in expected:
        if name not in done:
            why = "timed out" if timed_out else "did not finish"
            results.append(Result(f"{name}:run", "fail", why))
    if "testbed" not in done:
        results.append(Result("testbed:run", "fail",
                              "timed out" if timed_out else "no runner block"))
    results.append(Result("console:clean", "fail" if bad else "pass",
                          "; ".join(bad[:5])))
    return results
