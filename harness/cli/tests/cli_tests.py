#!/usr/bin/python3
"""End-to-end tests of the hvkit command line, run by ctest: cli_tests.py HVKIT CASE.

Each case runs hvkit as a user would and checks its output and exit status (DESIGN §6: 0 ok, 1 check
failed, 3 bad input)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import case, expect, main, run  # noqa: E402


def template(profile):
    rc, out, err = run("entry-check", "--template", profile)
    expect(rc == 0, f"--template {profile}: status {rc}: {err}")
    return json.loads(out)


def check(state):
    """entry-check of a state given as a dict; returns (status, parsed result line, stderr)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(state, f)
        path = f.name
    try:
        rc, out, err = run("entry-check", path)
    finally:
        os.unlink(path)
    lines = out.strip().splitlines()
    return rc, (json.loads(lines[0]) if lines else None), err


def profiles():
    rc, out, _ = run("profiles", "--json")
    expect(rc == 0, "profiles --json failed")
    return [p["name"] for p in json.loads(out)]


@case
def profiles_lists_the_required_models():
    names = profiles()
    for want in ("bochs-haswell", "bochs-skylake-x", "bochs-sandybridge", "bochs-penryn", "minimal", "max"):
        expect(want in names, f"profile {want} missing from {names}")
    rc, out, _ = run("profiles")
    expect(rc == 0 and all(n in out for n in names), "text table lists every profile")
    rc, _, err = run("profiles", "--bogus")
    expect(rc == 3 and "--bogus" in err, f"wrong flag: status {rc}, {err!r}")


@case
def template_passes_on_every_profile():
    for name in profiles():
        rc, res, err = check(template(name))
        expect(rc == 0 and res == {"result": "ok"}, f"{name}: {rc} {res} {err}")


@case
def acceptance_rflags_pin_host_tr():
    # The three breakages of issue 2's acceptance, each answered as Bochs answers (../shared/notes/bochs.md).
    base = template("bochs-haswell")
    s = json.loads(json.dumps(base)); s["fields"]["0x6820"] = "0x0"
    rc, res, _ = check(s)
    expect(rc == 1 and res["result"] == "entry-failure" and res["reason"] == 33 and res["qualification"] == 0,
           f"RFLAGS 0: {res}")
    expect(res["rule"] and res["sdm"].startswith("Vol. 3"), f"RFLAGS 0 names its rule: {res}")
    s = json.loads(json.dumps(base)); s["fields"]["0x4000"] = "0x0"
    rc, res, _ = check(s)
    expect(rc == 1 and res["result"] == "vmfail" and res["error"] == 7, f"pin 0: {res}")
    s = json.loads(json.dumps(base)); s["fields"]["0x0c0c"] = "0x0"
    rc, res, _ = check(s)
    expect(rc == 1 and res["result"] == "vmfail" and res["error"] == 8, f"host TR 0: {res}")


@case
def link_pointer_reads_memory():
    base = template("bochs-haswell")
    s = json.loads(json.dumps(base)); s["fields"]["0x2800"] = "0x20000"
    rc, res, _ = check(s)
    expect(rc == 1 and res["reason"] == 33 and res["qualification"] == 4, f"link pointer to nothing: {res}")
    # The VMCS at the link pointer carries the revision identifier (IA32_VMX_BASIC[30:0] = 0x2b on Haswell).
    s["memory"] = {"0x20000": "2b000000"}
    rc, res, _ = check(s)
    expect(rc == 0 and res == {"result": "ok"}, f"link pointer to a good VMCS: {res}")


@case
def stdin_is_accepted():
    text = json.dumps(template("bochs-skylake-x"))
    rc, out, err = run("entry-check", "-", stdin=text)
    expect(rc == 0 and json.loads(out) == {"result": "ok"}, f"stdin: {rc} {out} {err}")


@case
def bad_input_is_status_3_with_a_place():
    good = json.dumps(template("bochs-haswell"))
    bad = {
        "truncated JSON": (good[:40], "byte"),
        "not an object": ("[1,2]", "byte 0"),
        "unknown profile": ('{"profile":"pentium","fields":{}}', "unknown profile"),
        "unknown field": ('{"profile":"bochs-haswell","fields":{"0x4fff":"0x1"}}', "unknown VMCS field"),
        "too wide": ('{"profile":"bochs-haswell","fields":{"0x0800":"0x10000"}}', "too wide"),
        "not on profile": ('{"profile":"bochs-penryn","fields":{"0x201a":"0x1e"}}', "does not exist"),
        "non-hex value": ('{"profile":"bochs-haswell","fields":{"0x4000":"16"}}', "hex string"),
        "duplicate": ('{"profile":"bochs-haswell","fields":{"0x4000":"0x16","0x4000":"0x16"}}', "twice"),
        "unknown key": ('{"profile":"bochs-haswell","feilds":{}}', "unknown key"),
        "bad memory": ('{"profile":"bochs-haswell","memory":{"0x1000":"zz"}}', "hex byte"),
    }
    for what, (text, needle) in bad.items():
        rc, out, err = run("entry-check", "-", stdin=text)
        expect(rc == 3, f"{what}: status {rc}")
        expect(out == "", f"{what}: nothing on stdout")
        expect(len(err.strip().splitlines()) == 1 and needle in err, f"{what}: one line naming it: {err!r}")
    rc, _, err = run("entry-check", "/nonexistent/x.json")
    expect(rc == 3 and "/nonexistent/x.json" in err, f"missing file: {err!r}")
    rc, _, err = run("entry-check", "--template", "pentium")
    expect(rc == 3 and "pentium" in err, f"unknown template profile: {err!r}")
    rc, _, err = run("entry-check")
    expect(rc == 3 and "usage" in err, f"no argument: {err!r}")
    rc, _, err = run("frobnicate")
    expect(rc == 3 and "frobnicate" in err, f"unknown command: {err!r}")


if __name__ == "__main__":
    main()
