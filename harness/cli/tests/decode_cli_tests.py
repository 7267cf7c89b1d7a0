#!/usr/bin/python3
"""End-to-end tests of `hvkit decode HEX [--mode 16|32|64]`, run by ctest: decode_cli_tests.py HVKIT CASE.

One JSON line on stdout (the README's stable format); status 0 decoded, 1 a decode error, 3 bad input."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import case, expect, main, run  # noqa: E402


def decode(*args):
    rc, out, err = run("decode", *args)
    lines = out.splitlines()
    expect(len(lines) == 1, f"decode {args}: one line expected, got {out!r} (stderr {err!r})")
    return rc, json.loads(lines[0])


@case
def acceptance_store_is_the_documented_line():
    # mov [rbx+rcx*4+0x10], eax: the acceptance store, key order as documented
    rc, out, _ = run("decode", "89448b10")
    expect(rc == 0, f"status {rc}")
    expect(out == '{"ok":true,"len":4,"op":"mov","dir":"store","size":4,"reg":"eax","mem":{"seg":"ds",'
                  '"base":"rbx","index":"rcx","scale":4,"disp":16,"riprel":false},"imm":null,"rep":false}\n',
           f"exact line: {out!r}")


@case
def every_field_in_each_mode():
    rc, d = decode("f3 48 ab")  # rep stosq
    expect(rc == 0 and d["op"] == "stos" and d["dir"] == "store" and d["size"] == 8 and d["reg"] == "rax"
           and d["rep"] is True and d["mem"]["seg"] == "es" and d["mem"]["base"] == "rdi", f"rep stosq: {d}")
    rc, d = decode("8b05f0ffffff")  # mov eax, [rip-16]
    expect(rc == 0 and d["mem"]["riprel"] is True and d["mem"]["base"] == "rip" and d["mem"]["disp"] == -16
           and d["len"] == 6, f"rip-relative: {d}")
    rc, d = decode("8b05f0ffffff", "--mode", "32")  # 32-bit: absolute disp32
    expect(rc == 0 and d["mem"]["riprel"] is False and d["mem"]["base"] is None and d["mem"]["disp"] == 0xfffffff0,
           f"32-bit absolute: {d}")
    rc, d = decode("48a108070605040302f1")  # moffs64: the offset, unsigned
    expect(rc == 0 and d["len"] == 10 and d["mem"]["disp"] == 0xf102030405060708 and d["reg"] == "rax"
           and d["dir"] == "load", f"moffs64: {d}")
    rc, d = decode("8b02", "--mode", "16")  # mov ax, [bp+si]
    expect(rc == 0 and d["size"] == 2 and d["reg"] == "ax" and d["mem"] == {"seg": "ss", "base": "bp", "index": "si",
           "scale": 1, "disp": 0, "riprel": False}, f"16-bit: {d}")
    rc, d = decode("48830801")  # or qword [rax], 1
    expect(rc == 0 and d["op"] == "or" and d["dir"] == "rmw" and d["imm"] == 1 and d["reg"] is None, f"or: {d}")
    rc, d = decode("c600ff")  # mov byte [rax], 0xff: the immediate at the operand size
    expect(rc == 0 and d["imm"] == 255 and d["size"] == 1, f"imm8: {d}")
    rc, d = decode("0fb620")  # movzx esp, byte [rax]: reg at the destination size
    expect(rc == 0 and d["op"] == "movzx" and d["size"] == 1 and d["reg"] == "esp", f"movzx: {d}")
    rc, d = decode("8820")
    expect(rc == 0 and d["reg"] == "ah", f"high byte: {d}")
    rc, d = decode("408820")
    expect(rc == 0 and d["reg"] == "spl", f"REX byte register: {d}")


@case
def decode_errors_are_status_1():
    for hexs, mode, err in (("8b", "64", "truncated"), ("f0 89 00", "64", "invalid"), ("89 c0", "64", "unsupported"),
                            ("66" * 14 + "8900", "64", "invalid"), ("0f0b", "32", "unsupported")):
        rc, d = decode(hexs, "--mode", mode)
        expect(rc == 1 and d == {"ok": False, "error": err}, f"{hexs} --mode {mode}: status {rc}, {d}")


@case
def extra_bytes_after_the_instruction_are_ignored():
    rc, d = decode("8900" + "90" * 30)
    expect(rc == 0 and d["len"] == 2, f"{d}")


@case
def bad_input_is_status_3_with_one_line():
    for args in (("89448",), ("89zz",), ("",), ("  ",), ("8900", "--mode", "8"), ("8900", "--mode"), (),
                 ("8900", "--bogus"), ("8900", "8900"), ("00" * 5000,)):
        rc, out, err = run("decode", *args)
        expect(rc == 3, f"decode {args}: status {rc}")
        expect(out == "" and len(err.strip().splitlines()) == 1 and err.startswith("hvkit: decode: "),
               f"decode {args}: stdout {out!r}, stderr {err!r}")


if __name__ == "__main__":
    main()
