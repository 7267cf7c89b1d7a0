#!/usr/bin/python3
"""Tests of conformance/run itself, on throwaway cases in a temporary directory (never in conformance/cases):
  - a case that fails on the sim lane makes the run exit 1 and shows as FAIL ("not ok", <failure>) in TAP/JUnit;
  - a passing case and a `sim: none` case exit 0 (PASS, SKIP);
  - TAP13 is well-formed (version line, plan = number of test lines, numbered 1..N) and JUnit parses with
    python's XML parser, with the counts per lane;
  - an unknown case name, an unknown flag, a bad --lane or --jobs exit 3 with one line on stderr;
  - a malformed manifest fails its case on every lane without stopping the run;
  - the log splitter and the command-line chunking of the boot lanes (unit level);
  - with the ISO built (build/boot/hvkit.iso): the bochs lane fails a case whose conf-* test the ISO lacks.
Usage: conformance/tests/test_runner.py (hvkit from $HVKIT or the build tree, as conformance/run finds it).
Prints one line per check and "N passed, N failed"; exit 1 when a check failed."""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(ROOT, "conformance", "run")
sys.path.insert(0, os.path.join(ROOT, "conformance", "lib"))
import boot  # noqa: E402

SCENARIO = """# expect-status: {status}
# expect-trace: "reason":"CPUID"
# expect-trace: "reason":"HLT"
# expect-exits: 2
profile bochs-haswell
memory 1M
cpuid eax=0 ecx=0
hlt
"""
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail and not ok else ""))
    passed, failed = passed + bool(ok), failed + (not ok)


def write_case(d, name, bochs="none: runner test", sim=None, extra=""):
    with open(os.path.join(d, f"{name}.case"), "w") as f:
        f.write(f"title: runner test {name}\ncovers: the runner\nbochs: {bochs}\n"
                f"sim: {sim or 'none: runner test'}\n{extra}")


def run(args):
    return subprocess.run([RUN] + args, capture_output=True, text=True)


def tap_ok(path):
    lines = open(path).read().splitlines()
    if lines[:1] != ["TAP version 13"] or not lines[1].startswith("1.."):
        return False, "no version line or plan"
    tests = [l for l in lines if l.startswith(("ok ", "not ok "))]
    nums = [int(l.split()[1] if l.startswith("ok ") else l.split()[2]) for l in tests]
    if int(lines[1][3:]) != len(tests) or nums != list(range(1, len(tests) + 1)):
        return False, f"plan {lines[1]} vs {len(tests)} tests numbered {nums}"
    return True, ""


with tempfile.TemporaryDirectory() as tmp:
    cases, out = os.path.join(tmp, "cases"), os.path.join(tmp, "out")
    os.makedirs(cases)
    with open(os.path.join(cases, "good.hvt"), "w") as f:
        f.write(SCENARIO.format(status=0))
    with open(os.path.join(cases, "planted.hvt"), "w") as f:
        f.write(SCENARIO.format(status=0).replace('"reason":"HLT"', '"reason":"NO-SUCH-EXIT"'))
    write_case(cases, "good", sim="good.hvt")
    write_case(cases, "host-only")
    write_case(cases, "planted-fail", sim="planted.hvt")
    base = ["--cases-dir", cases, "--out", out, "--lane", "sim"]

    r = run(base + ["good", "host-only", "--tap", f"{out}/a.tap", "--junit", f"{out}/a.xml"])
    check("a passing case and a sim: none case exit 0", r.returncode == 0, r.stdout + r.stderr)
    check("summary lines", "conformance: 2 cases, sim 1/0/1" in r.stdout and r.stdout.rstrip().endswith(
        "1 passed, 0 failed"), r.stdout)

    r = run(base + ["--tap", f"{out}/b.tap", "--junit", f"{out}/b.xml", "--html", f"{out}/b.html"])
    check("a case failing on the sim lane exits 1", r.returncode == 1, r.stdout + r.stderr)
    tap = open(f"{out}/b.tap").read()
    check("TAP: the failing case is 'not ok'", "not ok" in tap and "sim/planted-fail" in
          [l.split()[3] for l in tap.splitlines() if l.startswith("not ok")], tap)
    check("TAP: the skip is '# SKIP'", "# SKIP sim: none: runner test" in tap, tap)
    ok, why = tap_ok(f"{out}/b.tap")
    check("TAP13 well-formed", ok, why)
    try:
        root = ET.parse(f"{out}/b.xml").getroot()
        suite = root.find("testsuite[@name='conformance.sim']")
        fails = [tc.get("name") for tc in suite.iter("testcase") if tc.find("failure") is not None]
        check("JUnit parses; the failing case has <failure>", fails == ["planted-fail"], str(fails))
        check("JUnit counts", (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1"),
              str(suite.attrib))
    except ET.ParseError as e:
        check("JUnit parses", False, str(e))
    check("HTML written", "<table>" in open(f"{out}/b.html").read())

    for args, what in ((["no-such-case"], "unknown case"), (["--frobnicate"], "unknown flag"),
                       (["--lane", "kvm"], "bad --lane"), (["--jobs", "0"], "bad --jobs")):
        r = run(base + args)
        check(f"{what} -> exit 3, one line", r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1
              and r.stdout == "", f"status {r.returncode}: {r.stderr}")

    write_case(cases, "bad-manifest", extra="colour: red\n")
    r = run(base + ["--lane", "all", "good", "bad-manifest", "--jobs", "1"])
    check("a malformed manifest fails its case on every lane",
          r.returncode == 1 and r.stdout.count("FAIL ") >= 3 and "unknown key 'colour'" in r.stdout, r.stdout)

    log = os.path.join(tmp, "console.log")
    with open(log, "w") as f:
        f.write("HVKIT-BOOT cpus=1\r\nHVKIT-TEST-BEGIN conf-a\r\nHVKIT-RESULT conf-a PASS x\r\n"
                "HVKIT-TEST-BEGIN conf-b\r\nHVKIT-EXIT vm=1 n=1\r\nHVKIT-END status=0\r\n")
    pre, segs = boot.split_log(log)
    check("log split per HVKIT-TEST-BEGIN", pre == ["HVKIT-BOOT cpus=1"] and list(segs) == ["conf-a", "conf-b"]
          and segs["conf-b"][-1] == "HVKIT-END status=0", f"{pre} {segs}")
    names = [f"conf-case-number-{i:03d}" for i in range(120)]
    chunks = boot._chunks(names, 40)
    check("test lists split to fit the command line", sum(chunks, []) == names and
          all(40 + len("hvkit.test=" + ",".join(c)) <= boot.CMDLINE_LIMIT for c in chunks), str(len(chunks)))

    iso = os.path.join(ROOT, "build", "boot", "hvkit.iso")
    if os.path.isfile(iso):
        write_case(cases, "not-in-iso", bochs="conf-runner-test-not-in-iso")
        r = run(base + ["--lane", "bochs", "not-in-iso", "--iso", iso])
        check("bochs lane: a conf-* test the ISO lacks FAILs", r.returncode == 1 and "unknown test" in r.stdout,
              r.stdout + r.stderr)
    else:
        print(f"SKIP: bochs lane check (no {iso})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
