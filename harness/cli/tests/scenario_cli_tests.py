#!/usr/bin/python3
"""End-to-end tests of hvkit's scenario commands (run, repro, asm, dump), run by ctest:
scenario_cli_tests.py HVKIT CASE.

Exit status (DESIGN §6): 0 ok, 1 VM killed, 2 oracle, 3 bad input; a malformed scenario names the file and
the byte offset (docs/scenario-format.md)."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import CLEANUPS, case, expect, main, run  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenario", "examples")


def example(name):
    return os.path.join(EXAMPLES, name)


def tmpdir():
    d = tempfile.mkdtemp(prefix="hvkit-scn-")
    CLEANUPS.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def assemble(text_path, out_path):
    rc, _, err = run("asm", text_path, "-o", out_path)
    expect(rc == 0, f"asm {text_path}: status {rc}: {err}")
    with open(out_path, "rb") as f:
        return f.read()


def write_text(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


@case
def asm_writes_the_binary_format():
    d = tmpdir()
    data = assemble(example("acceptance.hvt"), os.path.join(d, "a.hvs"))
    # version byte first, then the magic, then the profile (docs/scenario-format.md)
    expect(data[0] == 1 and data[1:4] == b"HVS", f"header {data[:8]!r}")
    expect(data[4] == 13 and data[5:18] == b"bochs-haswell", f"profile {data[4:18]!r}")
    expect(len(data) == 39 + 11 + 10 + 43 + 3, f"length {len(data)}")
    # port-out port=0x3f8 size=1 value='A' at byte 50: type 2, length 7, f8 03 01 41 00 00 00
    expect(data[50:60] == bytes([2, 7, 0, 0xF8, 3, 1, 0x41, 0, 0, 0]), f"port-out {data[50:60].hex()}")


@case
def asm_refuses_to_overwrite():
    d = tmpdir()
    out = os.path.join(d, "a.hvs")
    with open(out, "wb") as f:
        f.write(b"corpus entry")
    rc, _, err = run("asm", example("acceptance.hvt"), "-o", out)
    expect(rc == 3, f"status {rc}")
    expect(out in err and "never overwrites" in err, f"message {err!r}")
    with open(out, "rb") as f:
        expect(f.read() == b"corpus entry", "the existing file is untouched")
    rc, _, err = run("asm", example("acceptance.hvt"))
    expect(rc == 3 and "-o" in err, f"no -o: status {rc}, {err!r}")


@case
def asm_text_errors_name_line_and_column():
    d = tmpdir()
    src = write_text(d, "bad.hvt", "profile bochs-haswell\ncpuid eax=0\nport-out port=0x3f8 size=3 value=1\n")
    out = os.path.join(d, "bad.hvs")
    rc, _, err = run("asm", src, "-o", out)
    expect(rc == 3, f"status {rc}")
    expect(f"{src}:3:26: port size 3 (must be 1, 2 or 4)" in err, f"message {err!r}")
    expect(not os.path.exists(out), "no output for bad input")


@case
def truncated_scenario_is_status_3_with_the_offset():
    d = tmpdir()
    data = assemble(example("acceptance.hvt"), os.path.join(d, "a.hvs"))
    cut = os.path.join(d, "cut.hvs")
    with open(cut, "wb") as f:
        f.write(data[:-1 - 43 + 20])  # inside the vmcall record at byte 60
    for cmd in ("run", "repro", "dump"):
        rc, out, err = run(cmd, cut)
        expect(rc == 3, f"{cmd}: status {rc}")
        expect(f"hvkit: {cut}: byte 60: truncated record: vmcall payload of 40 bytes" in err,
               f"{cmd}: message {err!r}")
        expect(out == "", f"{cmd}: nothing on stdout for bad input: {out!r}")


@case
def malformed_headers_are_status_3():
    d = tmpdir()
    data = bytearray(assemble(example("acceptance.hvt"), os.path.join(d, "a.hvs")))
    cases = [
        (lambda b: b.__setitem__(0, 7), "byte 0: version 7 not supported (this hvkit reads version 1)"),
        (lambda b: b.__setitem__(1, ord("X")), "byte 1: bad magic"),
        (lambda b: b.__setitem__(50, 0x3F), "byte 50: unknown record type 0x3f"),
        (lambda b: b.__setitem__(51, 6), "byte 51: port-out payload length 6, expected 7"),
        (lambda b: b.__setitem__(55, 3), "byte 55: port-out: port size 3 (must be 1, 2 or 4)"),
    ]
    for i, (mutate, want) in enumerate(cases):
        b = bytearray(data)
        mutate(b)
        p = os.path.join(d, f"m{i}.hvs")
        with open(p, "wb") as f:
            f.write(b)
        rc, _, err = run("run", p)
        expect(rc == 3 and f"hvkit: {p}: {want}" in err, f"case {i}: status {rc}, {err!r}")
    rc, _, err = run("run", os.path.join(d, "missing.hvs"))
    expect(rc == 3 and "cannot open" in err, f"missing file: {rc} {err!r}")


@case
def dump_is_json_lines_with_offsets():
    d = tmpdir()
    hvs = os.path.join(d, "a.hvs")
    assemble(example("acceptance.hvt"), hvs)
    rc, out, err = run("dump", hvs)
    expect(rc == 0, f"status {rc}: {err}")
    objs = [json.loads(line) for line in out.splitlines()]
    expect(len(objs) == 5, f"{len(objs)} objects")
    h = objs[0]
    expect(h["kind"] == "header" and h["offset"] == 0 and h["version"] == 1 and h["profile"] == "bochs-haswell"
           and h["memory_pages"] == 1024 and h["guest_mode_name"] == "program64" and h["entry"] == 0x1000
           and h["stack"] == 0x8000 and h["length"] == 39, f"header {h}")
    names = [o["name"] for o in objs[1:]]
    expect(names == ["cpuid", "port-out", "vmcall", "hlt"], f"records {names}")
    expect([o["offset"] for o in objs[1:]] == [39, 50, 60, 103], f"offsets {[o['offset'] for o in objs[1:]]}")
    expect(objs[2]["fields"] == {"port": 0x3F8, "size": 1, "value": 0x41} and objs[2]["type"] == 2
           and objs[2]["length"] == 7, f"port-out {objs[2]}")
    expect(set(objs[3]["fields"]) == {"rax", "rbx", "rcx", "rdx", "rsi"}, f"vmcall {objs[3]}")
    # the text form dumps the same
    rc, out2, _ = run("dump", example("acceptance.hvt"))
    expect(rc == 0 and out2 == out, "dump of .hvt equals dump of the .hvs")
    # set-mem data and 64-bit values
    src = write_text(d, "m.hvt", "set-mem gpa=0xffffffffffffffff bytes=90f4\n")
    rc, out, err = run("dump", src)
    rec = json.loads(out.splitlines()[1])
    expect(rc == 0 and rec["fields"] == {"gpa": 2**64 - 1, "bytes": "90f4"} and rec["length"] == 10, f"{rec}")


@case
def run_acceptance_trace():
    rc, out, err = run("run", "--trace", example("acceptance.hvt"))
    expect(rc == 0, f"status {rc}: {err}")
    lines = [json.loads(line) for line in out.splitlines()]
    exits = [o for o in lines if "exit" in o]
    expect(len(exits) == 4, f"one line per exit, got {len(exits)}: {out}")
    expect([o["reason"] for o in exits] == ["CPUID", "I/O instruction", "VMCALL", "HLT"]
           or [o["number"] for o in exits] == [10, 30, 18, 12], f"exits {exits}")
    expect("ok" in err, f"summary {err!r}")
    rc, out, err = run("run", example("acceptance.hvt"))
    expect(rc == 0 and out == "", f"without --trace: status {rc}, stdout {out!r}")


@case
def run_injected_error_5_falls_back_to_vmlaunch():
    rc, out, err = run("run", "--trace", example("vmlaunch_fallback.hvt"))
    expect(rc == 0, f"status {rc}: {err}")
    lines = [json.loads(l) for l in out.splitlines()]
    kinds = [l.get("event") or l.get("reason") for l in lines]
    # The injected error fires at the first VMRESUME, and the core's fallback follows it.
    expect(kinds[:2] == ["fault-fired", "vmlaunch-fallback"], f"fired, then the fallback: {kinds}")
    expect(lines[0]["insn"] == "VMRESUME" and lines[0]["error"] == 5, f"the injected error: {lines[0]}")
    expect(kinds[2:] == ["CPUID", "HLT"], f"then the guest runs: {kinds}")


@case
def run_injected_error_7_kills_with_the_sdm_name():
    rc, out, err = run("run", example("invalid_controls.hvt"))
    expect(rc == 1, f"status {rc}: {err}")
    expect("VM entry with invalid control field(s)" in err, f"message {err!r}")


@case
def repro_dissects_replays_and_names_the_verdict():
    d = tmpdir()
    hvs = os.path.join(d, "k.hvs")
    assemble(example("invalid_controls.hvt"), hvs)
    rc, out, err = run("repro", hvs)
    expect(rc == 1, f"status {rc}: {err}")
    expect("# byte 0: header" in out and "fail-vmx insn=vmresume status=valid error=0x7  # byte 39, record 0" in out,
           f"dissection {out}")
    verdict = [line for line in out.splitlines() if line.startswith("verdict: ")]
    expect(len(verdict) == 1 and "killed" in verdict[0] and "VM entry with invalid control field(s)" in verdict[0],
           f"verdict {verdict}")
    rc, out, err = run("repro", example("acceptance.hvt"))
    expect(rc == 0 and "verdict: ok" in out, f"acceptance: status {rc}, {out}")


@case
def usage_errors_are_status_3():
    for args, want in ((("run",), "no FILE"), (("run", "a.hvs", "--bogus"), "--bogus"),
                       (("run", example("acceptance.hvt"), "--profile", "nope"), "unknown profile 'nope'"),
                       (("repro",), "no FILE"), (("dump",), "usage"), (("asm", "-x"), "-x")):
        rc, _, err = run(*args)
        expect(rc == 3 and want in err, f"{args}: status {rc}, {err!r}")


if __name__ == "__main__":
    main()
