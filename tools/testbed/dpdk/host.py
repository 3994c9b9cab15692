# SPDX-License-Identifier: GPL-2.0
"""Host (x86) side of the DPDK client, used by tools/testbed/run.

The emulated host gets an igb NIC (82576) in a PE and IOMMU group of its
own, whose wire is a pair of Unix datagram sockets: one frame a
datagram.  While the guest boots, a thread here receives every frame the
NIC sends and watches the console.  Each time the guest's spapr_dpdk
prints "@@DPDK-IO-READY <token> <phase> <tag> <txlen> <block>" (a
testpmd forwarding in io mode), it injects ECHOES frames of its own,
each with a sequence number unique to the boot and bytes derived from a
per-boot token.  A boot that runs the suite on both drivers runs the
client twice, with phases and txonly sizes of its own each time, and
<block> says which run a phase belongs to.

After the guest powered off, for each phase:
  - every injected frame must have come back byte for byte: the NIC
    wrote them into DPDK's buffers and read them out again, both through
    the TCEs;
  - the txonly UDP frames of that phase's size must be as many as
    testpmd says it sent, each with the headers testpmd writes;
and no frame of our ethertype may differ from every injected one.
"""

import hashlib
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import ktap
from hostenv import TIMEOUTS

TESTS = ("spapr_dpdk",)
# Kernel builds with a pinned testpmd (versions.sh dpdk_version_of):
# Debian's 6.12 in both page sizes.
FLAVOURS = ("powerpc64le", "powerpc64le-64k")
# Where the NIC goes: its own PHB on pseries, the third PHB of powernv
# (the first two hold the NVMes).
NIC_BUS = {"pseries-p9": "phb1.0", "pseries-p10": "phb1.0",
           "powernv9": "pcie.2", "powernv10": "pcie.2"}
# Machines of make check's differential (the NIC goes where NIC_BUS says).
MACHINES = ("pseries-p9", "powernv9")
MAC = bytes.fromhex("525400535456")
PEER = bytes.fromhex("025354560001")
ETHERTYPE = 0x88B5		# IEEE local experimental
ECHOES = 64
FRAME = 270		# bytes of an injected frame
TIMEOUT = TIMEOUTS["boot_dpdk"]


def wanted(tests):
    """The DPDK tests among TESTS."""
    return [t for t in tests if t in TESTS]


def runs_on(machine, flavour):
    """Whether --dpdk adds the client to a boot of MACHINE and FLAVOUR."""
    return machine in MACHINES and flavour in FLAVOURS


def timeout(tests, default):
    """The per-boot timeout that leaves room for every testpmd session of one boot."""
    return max(default, TIMEOUT) if wanted(tests) else default


def compose(flavour, build_dir):
    """Build the overlay tree for FLAVOUR and return its path."""
    if flavour not in FLAVOURS:
        raise SystemExit(f"run: the DPDK client needs --flavour "
                         f"{','.join(FLAVOURS)}, not {flavour}")
    out = os.path.join(build_dir, "dpdk")
    here = os.path.dirname(os.path.abspath(__file__))
    res = subprocess.run(["bash", os.path.join(here, "compose.sh"), out],
                         capture_output=True, text=True)
    if res.returncode:
        raise SystemExit("run: DPDK compose failed:\n"
                         + res.stdout + res.stderr)
    return os.path.join(out, "tree")


def frame(token, seq):
    """The SEQth injected frame of a boot."""
    head = MAC + PEER + struct.pack(">H", ETHERTYPE)
    body = token + struct.pack(">I", seq)
    fill = b""
    k = 0
    while len(head) + len(body) + len(fill) < FRAME:
        fill += hashlib.sha256(token + struct.pack(">II", seq, k)).digest()
        k += 1
    return (head + body + fill)[:FRAME]


class Wire(threading.Thread):
    """The NIC's far end: records what it sends, injects on cue."""

    def __init__(self, log, token):
        super().__init__(daemon=True)
        # A socket's path must fit in sun_path (108 bytes): a short
        # directory of its own, not the run's log directory.
        self.dir = tempfile.mkdtemp(prefix="stv-wire-")
        self.ours = os.path.join(self.dir, "host.sock")
        self.nic = os.path.join(self.dir, "nic.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(self.ours)
        self.sock.settimeout(0.2)
        self.log, self.token = log, token
        self.frames = []		# everything the NIC sent, in order
        self.injected = {}		# phase: frames injected
        self.inject_error = ""
        self.stopping = False

    def qemu_args(self, machine):
        """The NIC and its wire, for qemu-system-ppc64."""
        args = []
        if machine.startswith("pseries"):
            args += ["-device", "spapr-pci-host-bridge,index=1,id=phb1"]
        args += ["-netdev",
                 f"dgram,id=wire,local.type=unix,local.path={self.nic},"
                 f"remote.type=unix,remote.path={self.ours}",
                 "-device", f"igb,netdev=wire,mac={MAC.hex(':')},"
                            f"bus={NIC_BUS[machine]},addr=0x0"]
        return args

    def _cues(self):
        """The phases whose READY line the console shows so far."""
        try:
            with open(self.log, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return set()
        return {c.phase for c in cues(text, self.token)}

    def run(self):
        next_look = 0.0
        while not self.stopping:
            try:
                self.frames.append(self.sock.recv(65536))
            except socket.timeout:
                pass
            except OSError:
                break
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + 0.5
                for phase in sorted(self._cues() - set(self.injected)):
                    self._inject(phase)

    def _inject(self, phase):
        """Send the phase's frames, 5 ms apart.  A send waits (up to the
        socket's 0.2 s, a few times over) while QEMU's side is full; the
        NIC's echoes wait in our receive queue for run() to read."""
        self.injected[phase] = 0
        for seq in range(phase * ECHOES, (phase + 1) * ECHOES):
            for _ in range(25):
                try:
                    self.sock.sendto(frame(self.token, seq), self.nic)
                    break
                except socket.timeout:
                    continue
                except OSError as e:
                    self.inject_error = str(e)
                    return
            else:
                self.inject_error = "QEMU's side of the wire stayed full"
                return
            self.injected[phase] += 1
            time.sleep(0.005)

    def stop(self):
        self.stopping = True
        self.join(5)
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def prepare(machine, log):
    """Start the wire; return (kernel words, QEMU args, state for check)."""
    if machine not in NIC_BUS:
        raise SystemExit(f"run: the DPDK client has no NIC slot on {machine}")
    token = secrets.token_bytes(8)
    wire = Wire(log, token)
    wire.start()
    return ([f"spapr.dpdk={token.hex()}:{ECHOES}"], wire.qemu_args(machine),
            wire)


class Cue:
    """One READY line: the phase, its test-name prefix, its txonly size,
    and the suffix of the TAP block it ran in ("@ours" or "@intree" where
    one boot ran the suite on both drivers, else "")."""

    def __init__(self, phase, tag, txlen, block=""):
        self.phase, self.tag, self.txlen = phase, tag, txlen
        self.block = block


def cues(text, token):
    """The READY lines spapr_dpdk printed with TOKEN, in order."""
    found = []
    for m in re.finditer(rf"@@DPDK-IO-READY {token.hex()} (\d+) (\S+) (\d+)"
                         r"(?: (\S+))?", text):
        found.append(Cue(int(m.group(1)),
                         "" if m.group(2) == "-" else m.group(2),
                         int(m.group(3)),
                         "" if m.group(4) in (None, "-") else m.group(4)))
    return found


def _txonly_ok(f, length):
    """A frame as testpmd's txonly builds it: IPv4 198.18.0.1 to
    198.18.0.2, UDP 9 to 9, lengths that add up, header checksum right."""
    if len(f) != length or f[0:6] != bytes.fromhex("020000000000") \
            or f[6:12] != MAC or f[12:14] != b"\x08\x00":
        return False
    ip = f[14:34]
    if ip[0] != 0x45 or ip[9] != 17 or ip[12:16] != bytes([198, 18, 0, 1]) \
            or ip[16:20] != bytes([198, 18, 0, 2]):
        return False
    if struct.unpack(">H", ip[2:4])[0] != length - 14:
        return False
    s = sum(struct.unpack(">10H", ip))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    if s != 0xFFFF:
        return False
    udp = f[34:42]
    return udp[0:4] == b"\x00\x09\x00\x09" and \
        struct.unpack(">H", udp[4:6])[0] == length - 34


def _reported(text, phase):
    """The count spapr_dpdk printed as '# dpdk txonly PHASE: TX-packets N'."""
    for line in text.splitlines():
        if line.startswith(f"# dpdk txonly {phase}: TX-packets "):
            return int(line.split()[-1])
    return None


def check(wire, tests, console):
    """After the guest powered off: the frames the NIC put on the wire,
    for each testpmd session that forwarded."""
    wire.stop()
    name = wanted(tests)[-1]
    found = cues(console, wire.token)
    if not found:
        return [ktap.Result(f"{name}:host_frames", "skip",
                            "testpmd never forwarded (see the guest's TAP)")]
    res = []
    ours = [f for f in wire.frames if len(f) >= 14 and
            struct.unpack(">H", f[12:14])[0] == ETHERTYPE]
    for c in found:
        sent = [frame(wire.token, s)
                for s in range(c.phase * ECHOES, (c.phase + 1) * ECHOES)]
        back = [f for f in ours if f in sent]
        injected = wire.injected.get(c.phase, 0)
        missing = ECHOES - len(set(back))
        res.append(ktap.Result(
            f"{name}{c.block}:{c.tag}host_sees_every_frame_echoed_unchanged",
            "pass" if injected == ECHOES and not missing and
            len(back) == ECHOES else "fail",
            f"injected {injected}"
            f"{' (' + wire.inject_error + ')' if wire.inject_error else ''}"
            f", echoed {len(back)} identical, {missing} missing"))
        tx = [f for f in wire.frames
              if len(f) == c.txlen and f[12:14] == b"\x08\x00"]
        good = sum(_txonly_ok(f, c.txlen) for f in tx)
        want = _reported(console, c.phase)
        res.append(ktap.Result(
            f"{name}{c.block}:{c.tag}host_counts_txonly_frames",
            "pass" if want is not None and want > 0 and good == want == len(tx)
            else "fail",
            f"testpmd reported {want}, the wire carried {len(tx)} of "
            f"{c.txlen} bytes, {good} well-formed"))
    # Frames of our ethertype that no session sent: altered on the way.
    known = {frame(wire.token, s) for c in found
             for s in range(c.phase * ECHOES, (c.phase + 1) * ECHOES)}
    bad = sum(f not in known for f in ours)
    res.append(ktap.Result(f"{name}:host_sees_no_altered_frame",
                           "pass" if not bad else "fail",
                           f"{bad} frames of ethertype 0x{ETHERTYPE:04x} "
                           "match none injected"))
    return res
