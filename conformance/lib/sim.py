"""The sim lane: each case's scenario (<name>.hvt) replayed through the core on the simulated VMX machine with
`hvkit run --trace`, checked against its `# expect-status/trace/exits` lines (the handler scenarios' checks,
harness/scenario/tests/handler_scenarios.py, with expect-trace lines in order) on the profile the scenario
names; plus, when the Bochs lane of this run recorded the case, the recorded trace replayed on the sim
(`hvkit import-record --expect-from-log`, see replay_recordings)."""
import os
import re
import shutil
import subprocess
import sys

from cases import FAIL, PASS, SKIP, Result

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "..", "harness", "scenario", "tests"))
from handler_scenarios import check_run, read_expectations  # noqa: E402  (the shared expectation checks)

RUN_TIMEOUT = 60  # seconds for one `hvkit run` (a scenario runs in milliseconds; a hang is a bug)


def _hvkit(hvkit, args, log):
    try:
        r = subprocess.run([hvkit] + args, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        r = subprocess.CompletedProcess([hvkit] + args, 124, "", f"timed out after {RUN_TIMEOUT} s")
    with open(log, "a") as f:
        f.write(f"$ hvkit {' '.join(args)}\n{r.stdout}{r.stderr}[status {r.returncode}]\n\n")
    return r


def run_scenario(case, hvkit, logdir):
    """The case's .hvt as written (its own `profile` line): (ok, detail, log)."""
    log = os.path.join(logdir, f"{case.name}.log")
    open(log, "w").close()
    status, traces, exits = read_expectations(case.sim)
    if status is None or not traces:
        return False, f"{os.path.basename(case.sim)} states no expect-status / expect-trace", log
    r = _hvkit(hvkit, ["run", "--trace", case.sim], log)
    failures = check_run(os.path.basename(case.sim), r, status, traces, exits, ordered=True)
    if failures:
        return False, "; ".join(failures)[:400], log
    n = sum(1 for l in r.stdout.splitlines() if l.startswith('{"exit":'))
    return True, f"status {status}, {len(traces)} expect-trace lines in order, {n} exits", log


def replay_recordings(hvkit, seg_log, outdir):
    """Every recording (one per recorded VM) of a case's console log segment, imported and replayed on the sim:
    the sim's exits must equal the log's HVKIT-EXIT lines. (ok, detail) — ok None when there is nothing to
    replay (no VM recorded)."""
    with open(seg_log, errors="replace") as f:
        text = f.read()
    n = len(re.findall(r"^HVREC # begin recording", text, re.M))
    exit_lines = len(re.findall(r"^HVKIT-EXIT ", text, re.M))
    if n == 0:
        if exit_lines:
            return False, (f"{exit_lines} HVKIT-EXIT lines but no recording (the case's VMs must be created with "
                           "the run's options, or its manifest must say trace-diff: none: <why>)")
        return None, "no VM ran: nothing to replay"
    os.makedirs(outdir, exist_ok=True)
    bad, total_exits = [], 0
    replay_log = os.path.join(outdir, "replay.log")
    with open(replay_log, "w") as out:
        for k in range(1, n + 1):
            hvs = os.path.join(outdir, f"recording-{k}.hvs")
            args = [hvkit, "import-record", seg_log, "--recording", str(k), "-o", hvs, "--force", "--expect-from-log"]
            try:
                r = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                r = subprocess.CompletedProcess(args, 124, "", f"timed out after {RUN_TIMEOUT} s")
            out.write(f"$ {' '.join(args)}\n{r.stdout}{r.stderr}[status {r.returncode}]\n\n")
            m = re.search(r": (\d+) exits,", r.stderr)
            total_exits += int(m.group(1)) if m else 0
            if r.returncode != 0:
                last = (r.stderr.strip().splitlines() or ["?"])[-1]
                last = last.replace(seg_log, os.path.basename(seg_log)).replace(hvs, os.path.basename(hvs))
                bad.append(f"recording {k}: status {r.returncode}: {last.removeprefix('hvkit: ')}")
    if bad:
        return False, f"trace differential: {len(bad)} of {n} recordings differ: " + "; ".join(bad)[:600]
    return True, f"trace differential {n}/{n} recordings equal ({total_exits} exits)"


def run_lane(cases, hvkit, outdir, recorded):
    """recorded: case name -> list of (label, seg_log, replay result or None) the Bochs lane left this run."""
    logdir = os.path.join(outdir, "logs", "sim")
    shutil.rmtree(logdir, ignore_errors=True)  # no stale logs of an earlier run next to this one's
    os.makedirs(logdir)
    results = {}
    for case in cases:
        if case.error:
            results[case.name] = Result(FAIL, f"manifest: {case.error}")
            continue
        parts, logs, ok, ran = [], [], True, False
        if case.sim:
            ran = True
            good, detail, log = run_scenario(case, hvkit, logdir)
            ok &= good
            parts.append(detail)
            logs.append(log)
        for label, seg_log, replay in recorded.get(case.name, []):
            if replay is None:
                continue
            good, detail = replay
            if good is None:
                continue
            ran = True
            ok &= good
            parts.append(f"{label}: {detail}")
            logs.append(seg_log)
        if not ran:
            results[case.name] = Result(SKIP, f"sim: none: {case.sim_why}" if not case.sim else "nothing to run")
            continue
        if not case.sim:
            parts.insert(0, f"no .hvt ({case.sim_why}); Bochs recording replayed")
        results[case.name] = Result(PASS if ok else FAIL, "; ".join(parts), logs)
    return results
