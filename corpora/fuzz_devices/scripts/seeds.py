#!/usr/bin/python3
"""Seeds of fuzz_devices, in the target's own input encoding (fuzz/fuzz_devices.c): byte 0 the framebuffer
width - 1 (low 6 bits), byte 1 its height - 1 (mod 64), then operations of one tag byte (tag % 8: 0/1 port
write, 2 port read, 3 framebuffer access, 4 key or serial byte, 5 time passes, 6 hypercall, 7 host message or
interrupt; tag bits 3-4 pick the port size 1/2/4 and the variant) and their fields. A port is an index byte
into the target's table of device ports, or 0x80 + a u16. One seed per device. Deterministic; never
overwrites a seed with different bytes.

    /usr/bin/python3 corpora/fuzz_devices/scripts/seeds.py [--out DIR]
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from seedfiles import write_seeds  # noqa: E402  (corpora/seedfiles.py: the no-overwrite writer)

PORTS = [0x20, 0x21, 0xA0, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64,
         0x3F8, 0x3F9, 0x3FA, 0x3FB, 0x3FC, 0x3FD, 0x3FE, 0x3FF, 0x80, 0x92, 0xCF8]
SIZE = {1: 0, 2: 1, 4: 2}


def port(p):
    return bytes([PORTS.index(p)]) if p in PORTS else bytes([0x80]) + struct.pack("<H", p)


def out(p, v, size=1):
    return bytes([0 | (SIZE[size] << 3)]) + port(p) + struct.pack("<I", v)


def inp(p, size=1):
    return bytes([2 | (SIZE[size] << 3)]) + port(p)


def fb(off, value=0, write=True):
    return bytes([3 | (0x10 if write else 0)]) + struct.pack("<HI", off, value)


def key(code, ascii_=False):
    return bytes([4 | (0x20 if ascii_ else 0)]) + bytes([code])


def serial(b):
    return bytes([4 | 0x10, b])


def wait(us):
    return bytes([5]) + struct.pack("<H", us)


def vmcall(num, rbx=0, rcx=0, rdx=0):
    return bytes([6, num]) + struct.pack("<QBI", rbx, rcx, rdx)


def msg(data):
    return bytes([7 | 0x10, len(data)]) + data


def irq(vector):
    return bytes([7, vector - 32])


GEOM = bytes([63, 63])  # 64 x 64
SEEDS = {
    "uart": GEOM + out(0x3FB, 0x80) + out(0x3F8, 1) + out(0x3F9, 0) + out(0x3FB, 3) + out(0x3F9, 0x0F) +
            out(0x3FC, 0x0B) + out(0x3F8, ord("A")) + inp(0x3FD) + serial(0x41) + serial(0x42) + inp(0x3FA) +
            inp(0x3F8) + inp(0x3FE) + out(0x3FC, 0x10) + out(0x3F8, 0x55) + inp(0x3F8) + out(0x3FF, 7) + inp(0x3FF),
    "pic": GEOM + out(0x20, 0x11) + out(0x21, 0x20) + out(0x21, 4) + out(0x21, 1) + out(0xA0, 0x11) +
           out(0xA1, 0x28) + out(0xA1, 2) + out(0xA1, 1) + out(0x21, 0xFC) + out(0x20, 0x0B) + inp(0x20) +
           out(0x20, 0x0A) + inp(0x20) + out(0x20, 0x20) + inp(0x21) + irq(0x20),
    "pit": GEOM + out(0x43, 0x34) + out(0x40, 0x9C) + out(0x40, 0x2E) + wait(5000) + out(0x43, 0x00) +
           inp(0x40) + inp(0x40) + out(0x43, 0xB6) + out(0x42, 0x10) + out(0x42, 0x00) + out(0x61, 3) + inp(0x61) +
           out(0x43, 0xE2) + inp(0x40) + wait(60000),
    "i8042": GEOM + key(0x1E) + key(0x9E) + key(ord("x"), True) + inp(0x64) + inp(0x60) + inp(0x60) +
             out(0x64, 0x20) + inp(0x60) + out(0x64, 0x60) + out(0x60, 0x47) + out(0x64, 0xAA) + inp(0x60) +
             out(0x60, 0xFF) + inp(0x60) + out(0x64, 0xD1) + out(0x60, 0xDF) + out(0x64, 0xFE),
    "framebuffer": bytes([7, 7]) + fb(0, 0xFF0000) + fb(4, 0x00FF00) + fb(252, 0x0000FF) + fb(0, 0, False) +
                   fb(256, 1) + fb(300, 2),
    "ipc": GEOM + vmcall(3, 2) + vmcall(4, 0x10000, 1, 0) + msg(b"hello") + vmcall(5, 1) + msg(b"") +
           msg(bytes(range(16))) + vmcall(6) + vmcall(6) + vmcall(5),
    "hypercalls": GEOM + vmcall(0) + vmcall(1, ord("h")) + vmcall(3, 0) + vmcall(3, 1) + vmcall(3, 99) +
                  vmcall(7) + vmcall(8) + vmcall(2),
    "unclaimed_ports": GEOM + inp(0x80) + out(0x80, 0x12) + inp(0xCF8, 4) + out(0x92, 2) + inp(0xFFFF, 4) +
                       out(0x3F8, 0x12345678, 4) + inp(0x20, 2),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds"))
    return write_seeds(ap.parse_args().out, SEEDS)


if __name__ == "__main__":
    sys.exit(main())
