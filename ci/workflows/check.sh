#!/bin/bash
# ctest ci.workflows_yamllint: the hosted-CI files are valid YAML by yamllint's rules (ci/workflows/yamllint.yml),
# .github/workflows/ holds exact copies of ci/workflows/*.yml, and each workflow does what the issue asks
# (ClusterFuzzLite code-change on PRs, batch + coverage nightly, a plain nightly ci/fuzz + ci/coverage with
# artifacts). Also proves the lint can fail: a file with a duplicate key must be rejected.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
cfg=ci/workflows/yamllint.yml
status=0
files=(ci/workflows/*.yml .github/workflows/*.yml .clusterfuzzlite/project.yaml)
if yamllint -s -c "$cfg" "${files[@]}"; then
    echo "yamllint: ${#files[@]} files clean"
else
    echo "yamllint: FAILED"; status=1
fi

for f in ci/workflows/*.yml; do
    [ "$(basename "$f")" = yamllint.yml ] && continue
    if ! cmp -s "$f" ".github/workflows/$(basename "$f")"; then
        echo "copy: .github/workflows/$(basename "$f") differs from $f (cp ci/workflows/*.yml .github/workflows/ minus yamllint.yml)"
        status=1
    fi
done

# The lint is not vacuous: a duplicate key is an error.
bad=$(mktemp --suffix=.yml)
printf -- '---\non: push\njobs: {}\njobs: {}\n' > "$bad"
if yamllint -s -c "$cfg" "$bad" >/dev/null 2>&1; then
    echo "canary: yamllint accepted a duplicate key"; status=1
fi
rm -f "$bad"

/usr/bin/python3 - <<'PY' || status=1
import sys, yaml
def load(p):
    with open(p) as f:
        return yaml.safe_load(f)
def steps(wf):
    return [s for job in wf["jobs"].values() for s in job.get("steps", [])]
def uses(wf, action):
    return [s for s in steps(wf) if s.get("uses", "").startswith(action)]
ok = True
def need(cond, what):
    global ok
    if not cond:
        print("workflow check failed:", what); ok = False
pr = load("ci/workflows/cflite_pr.yml")
need("pull_request" in pr["on"], "cflite_pr runs on pull_request")
need(uses(pr, "google/clusterfuzzlite/actions/build_fuzzers"), "cflite_pr builds fuzzers")
need(any(s["with"].get("mode") == "code-change" for s in uses(pr, "google/clusterfuzzlite/actions/run_fuzzers")),
     "cflite_pr runs fuzzers in mode code-change")
ba = load("ci/workflows/cflite_batch.yml")
need("schedule" in ba["on"], "cflite_batch is scheduled")
modes = {s["with"].get("mode") for s in uses(ba, "google/clusterfuzzlite/actions/run_fuzzers")}
need({"batch", "coverage"} <= modes, "cflite_batch has batch and coverage modes (has %s)" % sorted(modes))
ni = load("ci/workflows/nightly.yml")
need("schedule" in ni["on"], "nightly is scheduled")
runs = " ".join(s.get("run", "") for s in steps(ni))
need("ci/fuzz --seconds 600" in runs and "ci/coverage" in runs, "nightly runs ci/fuzz --seconds 600 and ci/coverage")
paths = " ".join(str(s.get("with", {}).get("path", "")) for s in uses(ni, "actions/upload-artifact"))
for p in ("build/coverage/html", "build/coverage/coverage.xml", "corpora/*/crashes"):
    need(p in paths, "nightly uploads " + p)
cf = load(".clusterfuzzlite/project.yaml")
need(cf.get("language") == "c", ".clusterfuzzlite/project.yaml says language: c")
print("workflows: structure ok" if ok else "workflows: structure FAILED")
sys.exit(0 if ok else 1)
PY
exit $status
