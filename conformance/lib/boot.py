"""The boot lanes: the bootable hypervisor's ISO with the cases' conf-* tests, many cases per boot.

bochs: the cases are grouped by (Bochs CPU model, cpus) — a case with several models is in one group per model
— and each group boots once through ci/run-bochs with `hvkit.test=<its conf-* names> hvkit.record=1
hvkit.profile=<the model's sim profile>` (split into several boots only when the names would not fit the
kernel's 1 KiB command line). The console log is split per case at its `HVKIT-TEST-BEGIN <name>` line; the
case's `HVKIT-RESULT` line decides, and every VM it recorded is replayed on the sim (the trace differential,
sim.replay_recordings): a mismatch fails the case here.
qemu-kvm: the same through ci/run-qemu-kvm (grouped by cpus, not recorded: no sim profile describes the host);
when that runner SKIPs (no KVM, no nested VMX) every case SKIPs with its reason."""
import concurrent.futures
import os
import re
import shutil
import subprocess

import sim
from cases import FAIL, MODEL_PROFILES, PASS, SKIP, Result

CMDLINE_LIMIT = 1000  # boot/mb2.c keeps 1024 bytes of the command line (NUL included); leave some room
RUNNER_EXIT_SKIP = 77
RETRY_BOOTS = 3
NOT_REACHED = "not reached"


def _chunks(names, fixed_len):
    """Split the test names so that 'hvkit.test=' + ','.join(chunk) plus the other keys fits CMDLINE_LIMIT."""
    out, cur, size = [], [], fixed_len + len("hvkit.test=")
    for n in names:
        add = len(n) + (1 if cur else 0)
        if cur and size + add > CMDLINE_LIMIT:
            out.append(cur)
            cur, size, add = [], fixed_len + len("hvkit.test="), len(n)
        cur.append(n)
        size += add
    if cur:
        out.append(cur)
    return out


def split_log(path):
    """Console log -> (preamble lines, {test name: its lines from HVKIT-TEST-BEGIN to the next one})."""
    with open(path, errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    pre, segs, cur = [], {}, None
    for l in lines:
        m = re.match(r"^HVKIT-TEST-BEGIN (\S+)$", l)
        if m:
            cur = m.group(1)
            segs.setdefault(cur, [])
        if l.startswith("HVKIT-END ") and cur is not None:
            segs[cur].append(l)  # the run's last line belongs to the last case and to the run
            continue
        (segs[cur] if cur is not None else pre).append(l)
    return pre, segs


def _runner_line(stdout, name):
    line = next((l for l in reversed(stdout.splitlines()) if l.startswith(f"{name}: ")), "")
    return line or f"{name}: printed no result line"


def _judge(case, test, seg, run_line, timed_out):
    """One case's verdict from its log segment (None: the boot never reached it)."""
    if seg is None:
        return Result(FAIL, f"{NOT_REACHED}: the boot ended before HVKIT-TEST-BEGIN {test} ({run_line})")
    results = [l for l in seg if l.startswith(f"HVKIT-RESULT {test} ")]
    novmx = [l for l in seg if l.startswith("HVKIT-RESULT vmx NOVMX")]
    crash = [l for l in seg if l.startswith("HVKIT-CRASH ")]
    if crash:
        return Result(FAIL, f"hypervisor crash in this case: {crash[0]}")
    if len(results) > 1:
        return Result(FAIL, f"{len(results)} HVKIT-RESULT lines for {test}")
    if not results:
        if novmx:
            return Result(FAIL, "no VMX: " + novmx[0].split(" ", 3)[-1])
        why = "timed out in this case" if timed_out and not any(l.startswith("HVKIT-END") for l in seg) else \
            "no HVKIT-RESULT line"
        return Result(FAIL, f"{why} ({run_line})")
    parts = results[0].split(" ", 3)
    word, detail = parts[2], (parts[3] if len(parts) > 3 else "")
    if word == "PASS":
        return Result(PASS, detail)
    if word == "SKIP":
        return Result(SKIP, detail or "the test skipped itself")
    if word == "FAIL":
        return Result(FAIL, detail or "FAIL with no detail")
    return Result(FAIL, f"{word}: {detail}")  # REFUSED/NOVMX: a conformance test decides for itself


def _combine(per_model):
    """[(label, Result)] of one case on one lane -> one Result."""
    if len(per_model) == 1:
        return per_model[0][1]
    statuses = [r.status for _, r in per_model]
    status = FAIL if FAIL in statuses else SKIP if all(s == SKIP for s in statuses) else PASS
    shown = [(l, r) for l, r in per_model if r.status == status] if status == FAIL else per_model
    reason = "; ".join(f"{l}: {r.status} {r.reason}" for l, r in shown)
    return Result(status, reason, [log for _, r in per_model for log in r.logs])


def run_lane(lane, cases, root, outdir, hvkit, iso, jobs):
    """Returns ({case name: Result}, {case name: [(label, segment log, replay result)]}, seconds of boots)."""
    runner = os.path.join(root, "ci", "run-bochs" if lane == "bochs" else "run-qemu-kvm")
    logdir = os.path.join(outdir, "logs", lane)
    shutil.rmtree(logdir, ignore_errors=True)  # no stale logs of an earlier run next to this one's
    os.makedirs(logdir)
    results, recorded, todo = {}, {}, []
    for case in cases:
        if case.error:
            results[case.name] = Result(FAIL, f"manifest: {case.error}")
        elif not case.bochs:
            results[case.name] = Result(SKIP, f"bochs: none: {case.bochs_why}")
        else:
            todo.append(case)
    if not todo:
        return results, recorded, 0.0
    if not os.path.isfile(iso):
        for case in todo:
            results[case.name] = Result(FAIL, f"no ISO at {iso} (cmake --preset boot && cmake --build --preset boot)")
        return results, recorded, 0.0

    groups = {}  # (model, cpus) -> [case]
    for case in todo:
        for model in (case.models if lane == "bochs" else ["host"]):
            groups.setdefault((model, case.cpus), []).append(case)
    boots = []   # (model, cpus, cases, cmdline, label)
    # One boot per group (groups boot side by side, --jobs at a time). Splitting a group over two boots to use
    # both cores was measured slower here (40 recorded smoke cases: 3.4-3.8 s in one boot, 3.6-4.2 s in two;
    # 13 real cases: 3.9-4.0 s against 5.3-6.4 s): a boot costs about 1 s, a case tens of milliseconds.
    for (model, cpus), members in sorted(groups.items()):
        profile = MODEL_PROFILES.get(model) if lane == "bochs" else None
        fixed = f" hvkit.record=1 hvkit.profile={profile}" if profile else ""
        chunks = _chunks([m.bochs for m in members], len(fixed))
        for i, names in enumerate(chunks):
            label = f"{model}-cpus{cpus}" + (f"-part{i + 1}" if len(chunks) > 1 else "")
            chosen = [c for c in members if c.bochs in names]
            boots.append((model, cpus, chosen, f"hvkit.test={','.join(names)}{fixed}", label))

    runner_name = "run-bochs" if lane == "bochs" else "run-qemu-kvm"

    def boot(b):
        model, cpus, members, cmdline, label = b
        log = os.path.join(logdir, f"{label}.log")
        args = [runner, "--cmdline", cmdline, "--log", log, "--timeout", str(60 + 5 * len(members))]
        args += ["--model", model, "--cpus", str(cpus)] if lane == "bochs" else ["--smp", str(cpus)]
        r = subprocess.run(args + [iso], capture_output=True, text=True)
        return r, (lambda: _judge_boot(lane, b, r, log, logdir, hvkit, runner_name))

    if lane == "qemu-kvm":  # one probe first: when the runner SKIPs, it SKIPs every boot the same way
        r, judge = boot(boots[0])
        if r.returncode == RUNNER_EXIT_SKIP:
            m = re.search(r'reason="([^"]*)"', r.stdout)
            why = m.group(1) if m else _runner_line(r.stdout, runner_name)
            for case in todo:
                results[case.name] = Result(SKIP, f"run-qemu-kvm: {why}")
            return results, recorded, 0.0
        judged = [judge()]
        rest = boots[1:]
    else:
        judged, rest = [], boots

    def boot_and_judge(b):
        """In the pool (the trace differentials of a boot run while other boots go on). A boot that ended before
        some of its cases (a hang or crash in one case) boots again with the cases it never reached, so one bad
        case cannot take the others with it (at most RETRY_BOOTS more boots)."""
        seconds, verdicts = 0.0, []
        for attempt in range(RETRY_BOOTS + 1):
            s, got = boot(b)[1]()
            seconds += s
            unreached = [v for v in got if v[2].reason.startswith(NOT_REACHED)]
            verdicts += [v for v in got if not v[2].reason.startswith(NOT_REACHED)]
            if not unreached or len(unreached) == len(got) or attempt == RETRY_BOOTS:
                return seconds, verdicts + unreached
            model, cpus, members, cmdline, label = b
            rest = [c for c in members if c.name in {v[0] for v in unreached}]
            keys = " ".join(w for w in cmdline.split(" ") if not w.startswith("hvkit.test="))
            b = (model, cpus, rest, f"hvkit.test={','.join(c.bochs for c in rest)} {keys}".strip(),
                 f"{label}-retry{attempt + 1}")
        return seconds, verdicts

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        judged += list(pool.map(boot_and_judge, rest))

    per_case, seconds = {}, 0.0  # name -> [(model, Result)]
    for boot_seconds, verdicts in judged:
        seconds += boot_seconds
        for name, model, res, rec in verdicts:
            per_case.setdefault(name, []).append((model, res))
            if rec is not None:
                recorded.setdefault(name, []).append(rec)
    for case in todo:
        results[case.name] = _combine(per_case[case.name])
    return results, recorded, seconds


def _judge_boot(lane, b, r, log, logdir, hvkit, runner_name):
    """One boot's verdicts: (runner seconds, [(case name, model, Result, (label, segment log, replay) or None)])."""
    model, cpus, members, cmdline, label = b
    run_line = _runner_line(r.stdout + r.stderr, runner_name)
    m = re.search(r"seconds=([0-9.]+)", run_line)
    seconds = float(m.group(1)) if m else 0.0
    if not os.path.isfile(log) or r.returncode in (64, 69):
        why = f"the runner failed: {(r.stderr.strip() or run_line)[:300]}"
        return seconds, [(case.name, model, Result(FAIL, why), None) for case in members]
    pre, segs = split_log(log)
    timed_out = "result=TIMEOUT" in run_line
    casedir = os.path.join(logdir, label)
    os.makedirs(casedir, exist_ok=True)
    verdicts = []
    for case in members:
        seg = segs.get(case.bochs)
        res, rec = _judge(case, case.bochs, seg, run_line, timed_out), None
        if seg is not None:
            seg_log = os.path.join(casedir, f"{case.name}.log")
            with open(seg_log, "w") as f:
                f.write("\n".join(pre + seg) + "\n")
            res.logs = [seg_log, log]
            if lane == "bochs" and res.status != SKIP:
                res, rec = _trace_diff(case, model, seg_log, res, hvkit, os.path.join(casedir, case.name), label)
        else:
            res.logs = [log]
        verdicts.append((case.name, model, res, rec))
    return seconds, verdicts


def _trace_diff(case, model, seg_log, res, hvkit, outdir, label):
    """The trace differential of one case on one model, every recorded VM replayed on the sim: (the case's
    Result with it, (label, segment log, replay result or None) for the sim lane)."""
    if case.trace_diff_why:
        why = f"{res.reason}; trace differential skipped: {case.trace_diff_why}"
        return Result(res.status, why, res.logs), (label, seg_log, None)
    if model not in MODEL_PROFILES:
        why = f"{res.reason}; no sim profile for {model}: no trace differential"
        return Result(res.status, why, res.logs), (label, seg_log, None)
    replay = sim.replay_recordings(hvkit, seg_log, outdir)
    ok, detail = replay
    logs = res.logs + [os.path.join(outdir, "replay.log")] if ok is not None else res.logs
    if ok is False:
        return Result(FAIL, f"{detail} (case said: {res.status} {res.reason})"[:500], logs), (label, seg_log, replay)
    if ok is None and res.status != PASS:
        return res, (label, seg_log, replay)  # "nothing to replay" says nothing more about a failure
    return Result(res.status, f"{res.reason}; {detail}", logs), (label, seg_log, replay)
