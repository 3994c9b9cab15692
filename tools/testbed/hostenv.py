# SPDX-License-Identifier: GPL-2.0
"""Where things are on the host, and running host commands."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(TOP, "build")


def sh(cmd, **kw):
    """Run CMD, failing loudly with its output; return its stdout."""
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode:
        sys.stderr.write(res.stdout + res.stderr)
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return res.stdout


def sh_visible(cmd, **kw):
    """Run CMD with its output going straight to the terminal (long steps
    that print their own progress); fail loudly if it fails."""
    res = subprocess.run(cmd, **kw)
    if res.returncode:
        raise SystemExit(f"command failed: {' '.join(cmd)}")


def _versions():
    """The cache, the primary kernel release, its reference source, the
    UAPI headers, and per kernel build (token of versions.sh) its
    bootable kernel, all from versions.sh."""
    out = sh(["bash", "-c", f". {HERE}/versions.sh; echo $CACHE; echo $KREL; "
              "echo $KSRC; echo $UAPI/include; "
              "for t in $(all_tokens); do echo $t $(vmlinux_of $t); done"])
    lines = out.splitlines()
    builds = dict(line.split() for line in lines[4:])
    return lines[0], lines[1], lines[2], lines[3], builds


CACHE, KREL, KSRC, UAPI_INCLUDE, KERNEL_BUILDS = _versions()


def _timeouts():
    """Every time limit of the test bed, by name: timeouts.tsv, and "test"
    from the selftests' own kselftest settings file."""
    limits = {}
    with open(os.path.join(HERE, "timeouts.tsv")) as f:
        for line in f:
            words = line.split()
            if words and not words[0].startswith("#"):
                limits[words[0]] = int(words[1])
    with open(os.path.join(TOP, "selftests", "settings")) as f:
        for line in f:
            if line.startswith("timeout="):
                limits["test"] = int(line.split("=", 1)[1])
    return limits


TIMEOUTS = _timeouts()


def kver_of(token):
    """The kernel version of a kernel build token ("" for debug)."""
    return token.split("@", 1)[1] if "@" in token else ""
