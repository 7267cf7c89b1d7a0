"""Conformance cases: the manifests (conformance/cases/<name>.case) and what the runner keeps per case x lane.

A manifest is `key: value` lines (blank lines and lines starting with '#' are ignored):
  title: <one line>                      covers: <what it checks, with the SDM section>
  bochs: conf-<name> | none: <why>       sim: <name>.hvt | none: <why>
  models: <Bochs CPU model>[,...]        (default corei7_haswell_4770)
  cpus: <n>                              (default 1)
  trace-diff: none: <why>                (the recorder cannot capture this case's inputs: no trace differential)
A manifest the runner cannot read is not fatal for the run: that case FAILs on every lane with the reason."""
import os
import re

DEFAULT_MODEL = "corei7_haswell_4770"
KEYS = ("title", "covers", "bochs", "sim", "models", "cpus", "trace-diff")
REQUIRED = ("title", "covers", "bochs", "sim")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Bochs CPU model -> the sim profile that models it (`hvkit profiles`): used for hvkit.profile= (the profile a
# recording names) and for the sim lane's --profile. A model without one runs on Bochs without a differential.
MODEL_PROFILES = {
    "corei7_haswell_4770": "bochs-haswell",
    "corei7_skylake_x": "bochs-skylake-x",
    "corei7_sandy_bridge_2600k": "bochs-sandybridge",
    "core2_penryn_t9600": "bochs-penryn",
}

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


class Result:
    """One case on one lane: PASS, FAIL or SKIP, a one-line reason, and the logs that show it."""

    def __init__(self, status, reason, logs=()):
        self.status, self.reason, self.logs = status, reason, list(logs)

    def __repr__(self):
        return f"Result({self.status}, {self.reason!r})"


class Case:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.title = self.covers = ""
        self.bochs = None          # the conf-* test name, or None (then bochs_why says why)
        self.bochs_why = ""
        self.sim = None            # path of the .hvt, or None (then sim_why says why)
        self.sim_why = ""
        self.models = [DEFAULT_MODEL]
        self.cpus = 1
        self.trace_diff_why = None  # set: no trace differential for this case, and why
        self.error = None           # set: the manifest is unusable, and why


def _none_reason(value):
    """'none: why' -> 'why' (None when value is not a none-form)."""
    m = re.match(r"^none\s*(:\s*(.*))?$", value)
    if not m:
        return None
    return (m.group(2) or "").strip() or "no reason given"


def parse_case(path):
    name = os.path.basename(path)[: -len(".case")]
    case = Case(name, path)
    if not NAME_RE.match(name):
        case.error = f"case name {name!r} is not lowercase words joined by dashes"
        return case
    fields = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        case.error = f"cannot read the manifest: {e}"
        return case
    for no, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        key, sep, value = s.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            case.error = f"{os.path.basename(path)}:{no}: not a 'key: value' line"
            return case
        if key not in KEYS:
            case.error = f"{os.path.basename(path)}:{no}: unknown key {key!r} (known: {', '.join(KEYS)})"
            return case
        if key in fields:
            case.error = f"{os.path.basename(path)}:{no}: {key} given twice"
            return case
        fields[key] = value
    missing = [k for k in REQUIRED if not fields.get(k)]
    if missing:
        case.error = f"manifest lacks {', '.join(missing)}"
        return case
    case.title, case.covers = fields["title"], fields["covers"]

    why = _none_reason(fields["bochs"])
    if why is not None:
        case.bochs_why = why
    elif re.match(r"^conf-[a-z0-9-]+$", fields["bochs"]) and fields["bochs"] != "conf-all":
        case.bochs = fields["bochs"]
    else:
        case.error = f"bochs: {fields['bochs']!r} is neither a conf-* test name nor 'none: <why>'"
        return case

    why = _none_reason(fields["sim"])
    if why is not None:
        case.sim_why = why
    else:
        hvt = os.path.join(os.path.dirname(path), fields["sim"])
        if not fields["sim"].endswith(".hvt") or "/" in fields["sim"]:
            case.error = f"sim: {fields['sim']!r} is neither a .hvt next to the manifest nor 'none: <why>'"
            return case
        if not os.path.isfile(hvt):
            case.error = f"sim: {fields['sim']} does not exist"
            return case
        case.sim = hvt

    if "models" in fields:
        models = [m.strip() for m in fields["models"].split(",") if m.strip()]
        bad = [m for m in models if not re.match(r"^[a-z0-9_]+$", m)]
        if not models or bad:
            case.error = f"models: {fields['models']!r} is not a comma list of Bochs CPU model names"
            return case
        case.models = list(dict.fromkeys(models))
    if "cpus" in fields:
        if not re.match(r"^[1-9][0-9]?$", fields["cpus"]) or int(fields["cpus"]) > 16:
            case.error = f"cpus: {fields['cpus']!r} is not a number from 1 to 16"
            return case
        case.cpus = int(fields["cpus"])
    if "trace-diff" in fields:
        why = _none_reason(fields["trace-diff"])
        if why is None:
            case.error = f"trace-diff: {fields['trace-diff']!r}: the only form is 'none: <why>'"
            return case
        case.trace_diff_why = why
    return case


def load_cases(cases_dir):
    """Every *.case of the directory, by name."""
    if not os.path.isdir(cases_dir):
        return []
    return [parse_case(os.path.join(cases_dir, f)) for f in sorted(os.listdir(cases_dir)) if f.endswith(".case")]
