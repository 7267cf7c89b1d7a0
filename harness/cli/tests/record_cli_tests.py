#!/usr/bin/python3
"""Record mode and hvkit import-record (issue 9, item 5), run by ctest: record_cli_tests.py HVKIT CASE.

roundtrip_<dir>_<name>: the example scenario replayed on the sim with record mode on (hvkit run --record),
its HVREC lines imported (hvkit import-record), the import replayed: the traces must be equal — basic
reason, qualification and outcome of every exit, in order — and so must the status, on every CPU profile
where the original takes at least one exit. Then the same recording inside a console log as the bootable
build prints it (HVKIT-EXIT lines made from the original trace, other lines, CRLF line ends) must pass
--expect-from-log, and a log with one exit changed must fail it naming that exit.

The error cases: a truncated last line (status 4), garbage in an HVREC line (3, naming the log line), no
HVREC lines (3), an existing -o file (3 unless --force)."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import CASES, CLEANUPS, case, expect, main, run  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenario", "examples")

HEADER_WORDS = ("profile", "memory", "memory-pages", "mode", "entry", "stack")


def count_records(lines):
    """Records among text-form lines: not comments, not blank, not header lines."""
    n = 0
    for line in lines:
        words = line.split("#")[0].split()
        if words and words[0] not in HEADER_WORDS:
            n += 1
    return n


def tmpdir():
    d = tempfile.mkdtemp(prefix="hvkit-rec-")
    CLEANUPS.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def profiles():
    rc, out, err = run("profiles", "--json")
    expect(rc == 0, f"profiles: {err}")
    data = json.loads(out)
    items = data if isinstance(data, list) else data["profiles"]
    return [p["name"] for p in items]


def exits(stdout):
    """(reason, qualification, outcome) of each exit line of a trace."""
    out = []
    for line in stdout.splitlines():
        if line.startswith('{"exit":'):
            j = json.loads(line)
            out.append((j["number"], int(j["qualification"], 16), j["outcome"]))
    return out


def console_log(stdout, vm=0, crlf=True):
    """A bootable-build console log from `hvkit run --trace --record` output: HVREC lines as they are, each
    exit line as the platform's HVKIT-EXIT line, other lines around them."""
    lines = ["HVKIT-BOOT cpus=1 mem_mib=64 cmdline=\"hvkit.record=1\"", "some guest chatter"]
    n = 0
    for line in stdout.splitlines():
        if line.startswith("HVREC"):
            lines.append(line)
        elif line.startswith('{"exit":'):
            j = json.loads(line)
            n += 1
            lines.append(f"HVKIT-EXIT vm={vm} n={n} reason={j['number']} name={j['reason']} "
                         f"qual={j['qualification']} len={j['instr_len']} action={j['outcome']}")
    lines.append("HVKIT-RESULT smoke PASS recorded")
    lines.append("HVKIT-END status=0")
    end = "\r\n" if crlf else "\n"
    return end.join(lines) + end


def write(path, text):
    with open(path, "w", newline="") as f:
        f.write(text)
    return path


def roundtrip(rel):
    d = tmpdir()
    src = os.path.join(EXAMPLES, rel + ".hvt")
    ran = 0
    for prof in profiles():
        rc0, out0, err0 = run("run", src, "--trace", "--record", "--profile", prof)
        want = exits(out0)
        if not want:
            continue  # the original does not run on this profile (the core refuses it): nothing to record
        ran += 1
        log = write(os.path.join(d, f"{prof}.log"), out0)
        hvs = os.path.join(d, f"{prof}.hvs")
        rc, _, err = run("import-record", log, "-o", hvs)
        expect(rc == 0, f"{prof}: import-record: status {rc}: {err}")
        rc1, out1, err1 = run("run", hvs, "--trace")
        got = exits(out1)
        nin = count_records(open(src))
        nrec = count_records(line[6:] for line in out0.splitlines() if line.startswith("HVREC "))
        print(f"{rel} on {prof}: {len(want)} exits, {nin} records in, {nrec} records recorded, status {rc0}/{rc1}")
        for i, (a, b) in enumerate(zip(want, got)):
            expect(a == b, f"{prof}: exit {i + 1}: original {a}, replay of the recording {b}")
        expect(len(want) == len(got), f"{prof}: original {len(want)} exits, replay of the recording {len(got)}")
        expect(rc0 == rc1, f"{prof}: original status {rc0}, replay of the recording {rc1}: {err1}")
        # as a bootable console log: --expect-from-log agrees ...
        clog = write(os.path.join(d, f"{prof}.console"), console_log(out0))
        rc, _, err = run("import-record", clog, "-o", hvs, "--force", "--expect-from-log")
        expect(rc == 0, f"{prof}: --expect-from-log on the console log: status {rc}: {err}")
        # ... and finds a changed qualification, naming the exit
        text = console_log(out0)
        first = next(ln for ln in text.split("\r\n") if ln.startswith("HVKIT-EXIT"))
        changed = text.replace(first, first.replace(" qual=0x", " qual=0x1", 1), 1)
        badlog = write(os.path.join(d, f"{prof}.bad"), changed)
        rc, _, err = run("import-record", badlog, "-o", hvs, "--force", "--expect-from-log")
        expect(rc == 1 and "exit 1 differs" in err, f"{prof}: a changed exit 1 must fail the check: {rc}: {err}")
    expect(ran > 0, "the example runs on no profile")


def add_roundtrip(rel):
    name = "roundtrip_" + rel.replace("/", "_")
    CASES[name] = lambda: roundtrip(rel)


# Every example gets a case; CMakeLists.txt runs those a recording can reproduce (it names the others, why).
for sub in ("handlers", "devices"):
    for f in sorted(os.listdir(os.path.join(EXAMPLES, sub))):
        if f.endswith(".hvt"):
            add_roundtrip(f"{sub}/{f[:-4]}")
for f in sorted(os.listdir(EXAMPLES)):
    if f.endswith(".hvt"):
        add_roundtrip(f[:-4])


def recorded(name="handlers/cpuid"):
    rc, out, err = run("run", os.path.join(EXAMPLES, name + ".hvt"), "--trace", "--record")
    expect(rc == 0, f"run --record: {err}")
    return out


@case
def truncated_last_line_is_status_4_naming_the_line():
    d = tmpdir()
    text = console_log(recorded())
    cut = text[: text.rindex("HVREC") + 12]  # ends inside the last HVREC line, no line end
    log = write(os.path.join(d, "cut.log"), cut)
    nline = cut.count("\n") + 1
    rc, _, err = run("import-record", log, "-o", os.path.join(d, "x.hvs"))
    expect(rc == 4, f"status {rc}: {err}")
    expect(f"{log}:{nline}:" in err and "truncated" in err and err.count("\n") == 1, f"message: {err!r}")
    expect(not os.path.exists(os.path.join(d, "x.hvs")), "nothing is written")


@case
def garbage_hvrec_line_is_status_3_naming_the_log_line():
    d = tmpdir()
    lines = console_log(recorded(), crlf=False).split("\n")
    at = [i for i, ln in enumerate(lines) if ln.startswith("HVREC cpuid")][1]
    lines[at] = "HVREC cpuid eax=0x1 bogus=7"
    log = write(os.path.join(d, "g.log"), "\n".join(lines))
    rc, _, err = run("import-record", log, "-o", os.path.join(d, "x.hvs"))
    expect(rc == 3, f"status {rc}: {err}")
    expect(f"line {at + 1}, column" in err and err.count("\n") == 1, f"message: {err!r}")


@case
def no_hvrec_lines_is_status_3():
    d = tmpdir()
    log = write(os.path.join(d, "n.log"), "HVKIT-BOOT cpus=1\r\nHVKIT-END status=0\r\n")
    rc, _, err = run("import-record", log, "-o", os.path.join(d, "x.hvs"))
    expect(rc == 3 and "no HVREC lines" in err and err.count("\n") == 1, f"{rc}: {err!r}")


@case
def existing_output_is_kept_unless_force():
    d = tmpdir()
    log = write(os.path.join(d, "a.log"), recorded())
    out = write(os.path.join(d, "a.hvs"), "corpus entry")
    rc, _, err = run("import-record", log, "-o", out)
    expect(rc == 3 and "exists" in err, f"{rc}: {err}")
    expect(open(out).read() == "corpus entry", "the existing file was changed")
    rc, _, err = run("import-record", log, "-o", out, "--force")
    expect(rc == 0, f"--force: {rc}: {err}")
    expect(open(out, "rb").read()[:4] == b"\x01HVS", "not a scenario")


@case
def several_recordings_need_recording_k():
    d = tmpdir()
    a, b = console_log(recorded("handlers/cpuid"), vm=0), console_log(recorded("handlers/io"), vm=1)
    log = write(os.path.join(d, "two.log"), a + b)
    rc, _, err = run("import-record", log, "-o", os.path.join(d, "x.hvs"))
    expect(rc == 3 and "2 recordings" in err, f"{rc}: {err}")
    for k in ("1", "2"):
        rc, _, err = run("import-record", log, "-o", os.path.join(d, f"{k}.hvs"), "--recording", k,
                         "--expect-from-log")
        expect(rc == 0, f"--recording {k}: {rc}: {err}")


@case
def unrecordable_exit_fails_the_check():
    d = tmpdir()
    lines = console_log(recorded(), crlf=False).split("\n")
    at = [i for i, ln in enumerate(lines) if ln.startswith("HVREC # exit 2:")][0]
    lines.insert(at + 1, "HVREC # unrecordable exit 2 (reason 10): a test says so")
    log = write(os.path.join(d, "u.log"), "\n".join(lines))
    rc, _, err = run("import-record", log, "-o", os.path.join(d, "x.hvs"), "--expect-from-log")
    expect(rc == 1 and "unrecordable exit 2" in err, f"{rc}: {err}")


@case
def record_replay_script_checks_every_recording():
    """ci/tests/record_replay.sh, as the Bochs lane runs it on a console log."""
    import subprocess
    d = tmpdir()
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "ci", "tests",
                          "record_replay.sh")
    good = console_log(recorded("handlers/cpuid"), vm=0) + console_log(recorded("handlers/vmcall"), vm=1)
    log = write(os.path.join(d, "good.log"), good)
    env = dict(os.environ, HVKIT=os.path.abspath(sys.argv[1]))
    p = subprocess.run([script, log, os.path.join(d, "out")], capture_output=True, text=True, env=env)
    expect(p.returncode == 0 and "RECORD-REPLAY result=PASS recordings=2" in p.stdout,
           f"{p.returncode}: {p.stdout}{p.stderr}")
    expect(os.path.exists(os.path.join(d, "out", "recording-2.hvs")), "the scenarios are kept in OUTDIR")
    bad = write(os.path.join(d, "bad.log"), good.replace(" action=resume", " action=kill", 1))
    p = subprocess.run([script, bad], capture_output=True, text=True, env=env)
    expect(p.returncode == 1 and "RECORD-REPLAY recording=1 FAIL" in p.stdout, f"{p.returncode}: {p.stdout}{p.stderr}")


if __name__ == "__main__":
    main()
