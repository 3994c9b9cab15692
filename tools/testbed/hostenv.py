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


def _versions():
    """The cache directory and kernel release from versions.sh."""
    out = sh(["bash", "-c", f". {HERE}/versions.sh; echo $CACHE; echo $KREL"])
    cache, krel = out.split()
    return cache, krel


CACHE, KREL = _versions()
