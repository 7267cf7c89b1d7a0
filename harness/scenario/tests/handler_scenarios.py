#!/usr/bin/python3
"""Run one handler scenario (harness/scenario/examples/handlers/*.hvt) on every CPU profile and check it.

A scenario states what it expects in comment lines:
  # expect-status: N          hvkit run's exit status on a profile that can run the guest
  # expect-trace: TEXT        TEXT appears in the --trace output (repeatable)
  # expect-exits: N           the number of exit lines in the trace
On a profile the core refuses (no EPT: bochs-penryn, minimal) the run must end with status 1 and the core's
named refusal instead. Usage: handler_scenarios.py HVKIT SCENARIO

read_expectations() and check_run() are also imported by the conformance runner (conformance/lib/sim.py),
which checks expect-trace lines in order (each on a later trace line than the one before)."""
import json
import subprocess
import sys


def read_expectations(path):
    """The scenario's (status, traces, exits); status None or no traces when it states none."""
    status, traces, exits = None, [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("# expect-status:"):
            status = int(line.split(":", 1)[1])
        elif line.startswith("# expect-trace:"):
            traces.append(line.split(":", 1)[1].strip())
        elif line.startswith("# expect-exits:"):
            exits = int(line.split(":", 1)[1])
    return status, traces, exits


def check_run(where, r, status, traces, exits, ordered=False):
    """Failure messages for one `hvkit run --trace` result r (a CompletedProcess) against the expectations."""
    failures = []
    if r.returncode != status:
        failures.append(f"{where}: status {r.returncode}, expected {status}: {r.stderr.strip()}")
    lines, at = r.stdout.splitlines(), 0
    for t in traces:
        if not ordered:
            if t not in r.stdout:
                failures.append(f"{where}: trace lacks {t!r}")
            continue
        found = next((i for i in range(at, len(lines)) if t in lines[i]), None)
        if found is None:
            before = any(t in l for l in lines[:at])
            failures.append(f"{where}: trace lacks {t!r}" + (" after the previous expect-trace line" if before else ""))
        else:
            at = found + 1
    n = sum(1 for l in lines if l.startswith('{"exit":'))
    if exits is not None and n != exits:
        failures.append(f"{where}: {n} exits, expected {exits}")
    return failures


def main():
    hvkit, path = sys.argv[1], sys.argv[2]
    status, traces, exits = read_expectations(path)
    if status is None or not traces:
        print(f"FAIL: {path} states no expect-status / expect-trace")
        sys.exit(1)

    profiles = json.loads(subprocess.run([hvkit, "profiles", "--json"], capture_output=True, text=True,
                                         check=True).stdout)
    failures = []
    for p in profiles:
        r = subprocess.run([hvkit, "run", "--trace", "--profile", p["name"], path], capture_output=True, text=True)
        where = f"{path} on {p['name']}"
        if not p["features"]["ept"]:
            if r.returncode != 1 or "lacks 'enable EPT'" not in r.stdout + r.stderr:
                failures.append(f"{where}: expected the core's refusal, got status {r.returncode}: {r.stderr.strip()}")
            continue
        failures += check_run(where, r, status, traces, exits)
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print(f"PASS: {path} on {len(profiles)} profiles")


if __name__ == "__main__":
    main()
