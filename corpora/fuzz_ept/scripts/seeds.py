#!/usr/bin/python3
"""Seeds of fuzz_ept, in the target's own input encoding (fuzz/fuzz_ept.c): byte 0 the RAM quota in pages
(0: none), then operations of one tag byte (tag % 5: 0 MMIO region, 1 memory access, 2 memory instruction,
3 host write, 4 forced EPT exit) and their fields. A GPA is a selector byte (0: u16 << 6, 1: near RAM's end
+ u16, 2: 0xfec00000 + u32, 3: any u64) and its value. Seeds cover lazy backing, the quota, both MMIO kinds,
overlaps, refusals (unaligned, zero, huge, beyond RAM), MMIO emulation by instruction, and hostile forced
exits. Deterministic; never overwrites a seed with different bytes.

    /usr/bin/python3 corpora/fuzz_ept/scripts/seeds.py [--out DIR]
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from seedfiles import write_seeds  # noqa: E402  (corpora/seedfiles.py: the no-overwrite writer)


def gpa(addr):
    """Encode an absolute GPA with selector 3 (any), or selector 0 when it is a multiple of 64 below 4 MiB."""
    if addr % 64 == 0 and addr < (1 << 22):
        return bytes([0]) + struct.pack("<H", addr >> 6)
    return bytes([3]) + struct.pack("<Q", addr)


def region(addr, pages=1, np=False, unaligned=False, huge=None):
    flags = (pages - 1) & 15
    if np:
        flags |= 0x20
    if unaligned:
        flags |= 0x80
    out = bytes([0]) + gpa(addr)
    if huge is not None:
        return out + bytes([flags | 0x40]) + struct.pack("<I", huge)
    return out + bytes([flags])


def access(addr, kind=1, size=4, value=0, ilen=3):
    k = (kind - 1 if kind < 4 else 2) | ({1: 0, 2: 1, 4: 2, 8: 3}[size] << 2) | ((ilen - 1) << 4)
    return bytes([1]) + gpa(addr) + bytes([k]) + struct.pack("<Q", value)


def insn(addr, code, kind=2, value=0):
    k = (kind - 1 if kind < 4 else 2) | ((len(code) - 1) << 4)
    return bytes([2]) + gpa(addr) + bytes([k]) + code + struct.pack("<Q", value)


def host_write(addr, data=b"\x90" * 8):
    return bytes([3]) + gpa(addr) + data


def forced(addr, misconfig=False, qual=0, ilen=1):
    return bytes([4, (1 if misconfig else 0) | ((ilen - 1) << 1)]) + struct.pack("<Q", qual) + gpa(addr)


MB = 1 << 20
SEEDS = {
    "lazy_backing": bytes([0]) + access(0x100000, 1) + access(0x100000, 2, 8, 0x1122334455667788) +
                    access(0x3FF000, 4, 1),
    "quota": bytes([40]) + b"".join(access(0x100000 + i * 0x1000, 2) for i in range(48)),
    "mmio_misconfig": bytes([0]) + region(0x200000, 2) + access(0x200010, 2, 4, 0xAB) + access(0x201000, 1, 8),
    "mmio_not_present": bytes([0]) + region(0x300000, 1, np=True) + access(0x300008, 1, 2) +
                        access(0x300000, 2, 1, 0x5A),
    "mmio_beyond_ram": bytes([0]) + region(0xFEC00000, 1) + region(0xFEE00000, 1, np=True) +
                       access(0xFEC00000, 2, 4, 1) + access(0xFEE000F0, 1, 4),
    "region_refusals": bytes([0]) + region(0x200123, 1, unaligned=True) + region(0x200000, huge=0) +
                       region(0x200000, huge=0xFFFFFFFF) + region(0x100000000000, 1) + region(0x200000, 4) +
                       region(0x201000, 1),
    "overlap_ram_touched": bytes([0]) + access(0x180000, 2) + region(0x180000, 1) + access(0x180000, 1),
    "mmio_insn_store": bytes([0]) + region(0x200000, 1) + insn(0x200000, bytes([0x89, 0x07])) +
                       insn(0x200004, bytes([0xF3, 0xAB]), 2) + insn(0x200000, bytes([0x8B, 0x07]), 1, 0x77),
    "mmio_insn_bad": bytes([0]) + region(0x200000, 1) + insn(0x200000, bytes([0x0F, 0x0B])) +
                     insn(0x200000, bytes([0x66] * 15)),
    "host_write": bytes([0]) + host_write(0x1000) + host_write(0x3FFFF8) + host_write(0x400000) +
                  host_write(0xFFFFFFFFFFFF),
    "forced_violation": bytes([0]) + forced(0x100000, qual=0x181) + forced(0x7FFFFFFFF000, qual=0xFFFFFFFFFFFFFFFF) +
                        forced(0x200000, misconfig=True),
    "many_regions": bytes([0]) + b"".join(region(0x200000 + i * 0x2000, 1, np=bool(i & 1)) for i in range(18)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds"))
    return write_seeds(ap.parse_args().out, SEEDS)


if __name__ == "__main__":
    sys.exit(main())
