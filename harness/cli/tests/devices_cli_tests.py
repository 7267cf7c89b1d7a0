#!/usr/bin/python3
"""End-to-end tests of hvkit run's device output (issue 6), run by ctest: devices_cli_tests.py HVKIT CASE.

COM1 bytes go to stdout as raw bytes without --trace and as {"event":"serial"} lines with it; --framebuffer
writes the frame as a PNG (checked here with Python's own zlib and CRC, independent of hvkit's encoder)."""
import json
import os
import shutil
import struct
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import CLEANUPS, case, expect, main, run  # noqa: E402

DEVICES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenario", "examples", "devices")


def tmpdir():
    d = tempfile.mkdtemp(prefix="hvkit-dev-")
    CLEANUPS.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def read_png(path):
    """(width, height, rows of RGB bytes) of a PNG, every chunk's CRC checked."""
    data = open(path, "rb").read()
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", f"signature {data[:8]!r}")
    p, idat, width = 8, b"", None
    while p < len(data):
        n, = struct.unpack(">I", data[p:p + 4])
        kind, body = data[p + 4:p + 8], data[p + 8:p + 8 + n]
        crc, = struct.unpack(">I", data[p + 8 + n:p + 12 + n])
        expect(crc == zlib.crc32(kind + body) & 0xffffffff, f"CRC of {kind!r}")
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            expect((depth, colour) == (8, 2), f"depth {depth} colour type {colour}")
        elif kind == b"IDAT":
            idat += body
        p += 12 + n
    raw = zlib.decompress(idat)  # also checks the Adler-32
    stride = 1 + 3 * width
    expect(len(raw) == stride * height, f"{len(raw)} bytes of image data")
    return width, height, [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]


@case
def run_prints_serial_bytes():
    rc, out, err = run("run", os.path.join(DEVICES, "serial.hvt"))
    expect(rc == 0, f"status {rc}: {err}")
    expect(out == "Hi!\n", f"stdout {out!r}")


@case
def run_trace_has_serial_events_and_stays_json():
    rc, out, err = run("run", "--trace", os.path.join(DEVICES, "serial.hvt"))
    expect(rc == 0, f"status {rc}: {err}")
    lines = [json.loads(line) for line in out.splitlines()]
    text = "".join(line["text"] for line in lines if line.get("event") == "serial")
    expect(text == "Hi!\n", f"serial events {text!r}")


@case
def framebuffer_writes_the_png():
    d = tmpdir()
    png = os.path.join(d, "out.png")
    rc, _, err = run("run", os.path.join(DEVICES, "framebuffer.hvt"), "--framebuffer", png)
    expect(rc == 0, f"status {rc}: {err}")
    w, h, rows = read_png(png)
    expect((w, h) == (64, 64), f"size {w}x{h}")
    expect(rows[0][0:3] == b"\xff\xff\xff", "the diagonal at (0, 0)")
    expect(rows[0][3:6] == bytes([4, 0, 0x80]), f"gradient at (1, 0): {rows[0][3:6].hex()}")
    expect(rows[40][9 * 3:9 * 3 + 3] == b"\xff\xff\x00", "yellow bar")
    expect(rows[63][62 * 3:62 * 3 + 3] == b"\x00\x00\x00", "black bar")


@case
def framebuffer_without_one_is_status_3():
    d = tmpdir()
    rc, _, err = run("run", os.path.join(DEVICES, "serial.hvt"), "--framebuffer", os.path.join(d, "x.png"))
    expect(rc == 3 and "configures no framebuffer" in err, f"status {rc}: {err}")
    rc, _, err = run("run", os.path.join(DEVICES, "serial.hvt"), "--framebuffer")
    expect(rc == 3 and "--framebuffer needs" in err, f"status {rc}: {err}")


if __name__ == "__main__":
    main()
