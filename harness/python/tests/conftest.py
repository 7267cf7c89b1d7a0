"""Shared fixtures: where hvkit is, the repository, and scenario files made once per session.

hvkit comes from $HVKIT (ctest passes the binary it built) or the dev build; the tests that need it skip with
the reason when neither exists, so the pure-Python tests still run before a build."""
import glob
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PYDIR = os.path.join(REPO, "harness", "python")
sys.path.insert(0, PYDIR)

HVKIT = os.environ.get("HVKIT") or os.path.join(REPO, "build", "dev", "bin", "hvkit")
EXAMPLES = sorted(glob.glob(os.path.join(REPO, "harness", "scenario", "examples", "**", "*.hvt"), recursive=True))
CORPUS = sorted(glob.glob(os.path.join(REPO, "corpora", "**", "*.hvs"), recursive=True))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def hvscapy(*args, **kw):
    """The hvscapy command as a user runs it (through the wrapper script)."""
    return run(os.path.join(PYDIR, "hvscapy-cli"), *args, **kw)


@pytest.fixture(scope="session")
def hvkit():
    if not os.access(HVKIT, os.X_OK):
        pytest.skip(f"no hvkit at {HVKIT} (build it, or set HVKIT)")
    return HVKIT


@pytest.fixture(scope="session")
def example_files(hvkit, tmp_path_factory):
    """Every example .hvt assembled by hvkit into a temporary .hvs."""
    d = tmp_path_factory.mktemp("examples")
    out = []
    for i, src in enumerate(EXAMPLES):
        dst = str(d / f"{i:02d}-{os.path.basename(src)[:-4]}.hvs")
        p = run(hvkit, "asm", src, "-o", dst)
        assert p.returncode == 0, p.stderr
        out.append(dst)
    return out


@pytest.fixture(scope="session")
def generated_files(tmp_path_factory):
    """Scenarios from hvscapy gen: two seeds, 150 files."""
    from hvscapy.gen import generate, write_new
    d = str(tmp_path_factory.mktemp("gen"))
    written = []
    for seed, count in ((1, 100), (20261122, 50)):
        written += write_new(d, generate(count, seed))[0]
    return sorted(written)
