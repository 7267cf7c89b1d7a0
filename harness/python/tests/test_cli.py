"""The hvscapy command as a user types it: show, dump, build, gen, diff; and the corpus seed script."""
import os
import subprocess
import sys

from conftest import REPO, hvscapy, run

from test_layers import ACCEPTANCE

SCRIPT = """
from hvscapy import *
def build():
    return Header(profile="bochs-haswell")/Cpuid(eax=0)/PortOut(port=0x3f8, size=1, value=0x41)/Vmcall()/Hlt()
"""


def write(tmp_path, name, data):
    p = tmp_path / name
    (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    return str(p)


def test_build_writes_the_scenario_and_never_overwrites(tmp_path):
    script, out = write(tmp_path, "s.py", SCRIPT), str(tmp_path / "a.hvs")
    assert hvscapy("build", script, "-o", out).returncode == 0
    assert open(out, "rb").read() == ACCEPTANCE
    p = hvscapy("build", script, "-o", out)
    assert p.returncode == 3 and "never overwrites" in p.stderr
    assert open(out, "rb").read() == ACCEPTANCE


def test_build_refuses_an_invalid_scenario(tmp_path):
    script = write(tmp_path, "bad.py", "from hvscapy import *\ndef build():\n    return [Header(), PortOut(size=3)]\n")
    p = hvscapy("build", script, "-o", str(tmp_path / "b.hvs"))
    assert p.returncode == 3 and "byte 44: port-out: port size 3" in p.stderr
    assert not os.path.exists(tmp_path / "b.hvs")


def test_show_lists_every_layer_with_field_names_and_offsets(tmp_path):
    p = hvscapy("show", write(tmp_path, "a.hvs", ACCEPTANCE))
    assert p.returncode == 0
    for text in ("# byte 0\n###[ header ]###", "# byte 39, record 0\n###[ cpuid ]###", "# byte 50, record 1",
                 "port      = com1", "size      = 1", "rax       = version", "# byte 103, record 3\n###[ hlt ]###"):
        assert text in p.stdout


def test_show_and_dump_refuse_malformed_files_with_the_offset(tmp_path):
    bad = write(tmp_path, "bad.hvs", ACCEPTANCE[:-1])
    for cmd in ("show", "dump"):
        p = hvscapy(cmd, bad)
        assert p.returncode == 3 and p.stderr == f"hvscapy: {bad}: byte 103: truncated record: 2 bytes left, " \
            "a record starts with type and length (3 bytes)\n"


def test_gen_is_deterministic_and_never_overwrites(tmp_path):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    assert hvscapy("gen", "--count", "12", "--seed", "5", "-o", a).returncode == 0
    assert hvscapy("gen", "--count", "12", "--seed", "5", "-o", b).returncode == 0
    names = sorted(os.listdir(a))
    assert len(names) == 12 and names == sorted(os.listdir(b))
    assert all(open(os.path.join(a, n), "rb").read() == open(os.path.join(b, n), "rb").read() for n in names)
    assert hvscapy("gen", "--count", "12", "--seed", "6", "-o", str(tmp_path / "c")).returncode == 0
    assert open(os.path.join(a, names[0]), "rb").read() != \
        open(os.path.join(tmp_path / "c", sorted(os.listdir(tmp_path / "c"))[0]), "rb").read()
    # same bytes again: left alone; other bytes under the same name: refused, nothing written
    p = hvscapy("gen", "--count", "12", "--seed", "5", "-o", a)
    assert p.returncode == 0 and "0 written, 12 already there" in p.stderr
    victim = os.path.join(a, names[3])
    open(victim, "wb").write(b"mine")
    p = hvscapy("gen", "--count", "14", "--seed", "5", "-o", a)
    assert p.returncode == 3 and "not overwritten" in p.stderr
    assert open(victim, "rb").read() == b"mine" and len(os.listdir(a)) == 12


def test_diff_names_records_and_offsets(tmp_path):
    from hvscapy import Cpuid, Header, Hlt, PortOut, SetMem, check_packets
    a = write(tmp_path, "a.hvs", check_packets([Header(), SetMem(gpa=0, bytes=b"\x90"), Cpuid(eax=0), Hlt()]))
    b = write(tmp_path, "b.hvs", check_packets([Header(), SetMem(gpa=0, bytes=b"\x90\x90"), Cpuid(eax=1), Hlt(),
                                                 PortOut(size=1)]))
    assert hvscapy("diff", a, a).returncode == 0
    p = hvscapy("diff", a, b)
    assert p.returncode == 1
    assert p.stdout.splitlines() == [
        "byte 39, record 0 (set-mem): bytes 90 != 9090",
        "byte 51/52, record 1 (cpuid): eax 0 != 1",
        "byte 66, record 3 (port-out): only in B",
        "3 differences"]
    assert hvscapy("diff", a, write(tmp_path, "bad.hvs", b"\x02HVS")).returncode == 3


def test_usage_errors_are_status_3():
    assert hvscapy().returncode == 3
    assert hvscapy("frobnicate").returncode == 3
    assert hvscapy("gen", "--count", "x", "--seed", "1", "-o", "/tmp").returncode == 3


def test_python_m_hvscapy_works_with_pythonpath():
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "harness", "python"))
    p = subprocess.run(["/usr/bin/python3", "-m", "hvscapy", "--help"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "show" in p.stdout and "gen" in p.stdout


def test_seed_script_is_deterministic_and_matches_the_committed_seeds(tmp_path):
    script = os.path.join(REPO, "corpora", "fuzz_exits", "scripts", "seeds.py")
    seeds = os.path.join(REPO, "corpora", "fuzz_exits", "seeds")
    p = run(sys.executable, script, "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    made = sorted(os.listdir(tmp_path))
    assert len(made) >= 15 and made == sorted(os.listdir(seeds))
    for n in made:
        assert (tmp_path / n).read_bytes() == open(os.path.join(seeds, n), "rb").read(), n
    # re-running over the same bytes leaves them; other bytes are never overwritten
    assert run(sys.executable, script, "--out", str(tmp_path)).returncode == 0
    (tmp_path / made[0]).write_bytes(b"edited")
    p = run(sys.executable, script, "--out", str(tmp_path))
    assert p.returncode == 1 and "not overwritten" in p.stderr and (tmp_path / made[0]).read_bytes() == b"edited"
