#!/usr/bin/python3
"""Seeds of fuzz_vmcs_setup: the 76 bytes sim_profile_from_bytes reads (harness/sim/sim_profile.c: flags u16,
revision u32, region size u16, pin/proc/exit/entry/secondary allowed-1 u32 each, tertiary and exit2 bytes,
five must-be-1 u32, TRUE-flex byte, EPT/VPID u64, VMFUNC byte, misc u32, CR3-target count u16, MSEG u32, CR
byte, CR4 u32, address-width byte) followed by the VM configuration byte of fuzz/fuzz_vmcs_setup.c (bits 0-1
RAM size, bit 2 real mode, bit 3 devices). Covers: everything 0 (minimal processor), everything 1 (maximal),
each flags bit alone, no secondary controls, no EPT, many must-be-1 controls, and deterministic random ones.
Deterministic; never overwrites a seed with different bytes.

    /usr/bin/python3 corpora/fuzz_vmcs_setup/scripts/seeds.py [--out DIR]
"""
import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from seedfiles import write_seeds  # noqa: E402  (corpora/seedfiles.py: the no-overwrite writer)

PROFILE_BYTES = 76


def profile(flags=0, pin=0xFFFFFFFF, proc=0xFFFFFFFF, exit_=0xFFFFFFFF, entry=0xFFFFFFFF, sec=0xFFFFFFFF,
            must1=(0, 0, 0, 0, 0), ept=0xFFFFFFFFFFFFFFFF, cr=0, cr4=0xFFFFFFFF, width=39):
    b = struct.pack("<HIH", flags, 1, 0)
    b += struct.pack("<IIIII", pin, proc, exit_, entry, sec)
    b += bytes([0xFF, 0xFF])
    b += struct.pack("<5I", *must1)
    b += bytes([0xFF])
    b += struct.pack("<Q", ept)
    b += bytes([0xFF])
    b += struct.pack("<IHI", 0xFFFFFFFF, 4, 0)
    b += bytes([cr]) + struct.pack("<I", cr4) + bytes([width])
    assert len(b) == PROFILE_BYTES, len(b)
    return b


def seeds():
    s = {
        "zeros": bytes(PROFILE_BYTES + 1),
        "ones": bytes([0xFF] * (PROFILE_BYTES + 1)),
        "max_program64": profile() + bytes([0x00]),
        "max_real_devices": profile() + bytes([0x0C]),
        "no_secondary": profile(proc=0x7FFFFFFF) + bytes([0x01]),
        "no_ept": profile(sec=0xFFFFFFFD, ept=0) + bytes([0x02]),
        "must1_many": profile(must1=(0xFFFFFFFF,) * 5) + bytes([0x08]),
        "empty": b"",
    }
    for bit in range(16):
        s[f"flag_{bit:02d}"] = profile(flags=1 << bit) + bytes([bit & 0x0F])
    rng = random.Random(0x7F5EED)
    for i in range(8):
        s[f"random_{i}"] = bytes(rng.getrandbits(8) for _ in range(PROFILE_BYTES + 1))
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds"))
    return write_seeds(ap.parse_args().out, seeds())


if __name__ == "__main__":
    sys.exit(main())
