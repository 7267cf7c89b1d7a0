"""Scenarios built in Python run on the sim: `hvkit run --trace` shows the exits the layers asked for."""
import json

from conftest import run

from hvscapy import (Cpuid, ExtInterrupt, Header, Hlt, PortIn, PortOut, Rdmsr, TripleFault, Vmcall, VmxInsn,
                     Wrmsr, check_packets)


def trace(hvkit, tmp_path, layers):
    path = tmp_path / "s.hvs"
    path.write_bytes(check_packets(layers))
    p = run(hvkit, "run", "--trace", str(path))
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    return p.returncode, [e for e in lines if "exit" in e], p.stderr


def test_the_issue_example_runs_cpuid_io_vmcall_hlt(hvkit, tmp_path):
    rc, exits, err = trace(hvkit, tmp_path, Header(profile="bochs-haswell")/Cpuid(eax=0)/
                           PortOut(port=0x3f8, size=1, value=0x41)/Vmcall()/Hlt())
    assert rc == 0, err
    assert [(e["reason"], e["number"]) for e in exits] == [
        ("CPUID", 10), ("I/O instruction", 30), ("VMCALL", 18), ("HLT", 12)]
    assert exits[1]["qualification"] == "0x3f80000" and exits[-1]["outcome"] == "halt"


def test_msr_io_and_vmx_exits(hvkit, tmp_path):
    rc, exits, err = trace(hvkit, tmp_path, [
        Header(memory_pages=256), Rdmsr(msr="IA32_FEATURE_CONTROL"), Wrmsr(msr="IA32_APIC_BASE", value=0xfee00900),
        PortIn(port="kbd-data", size=1), VmxInsn(exit="vmread"), ExtInterrupt(vector=0x30)])
    assert rc == 0, err
    assert [e["number"] for e in exits] == [31, 32, 30, 23, 1]
    assert exits[2]["qualification"] == "0x600048"


def test_a_triple_fault_kills_the_vm(hvkit, tmp_path):
    rc, exits, err = trace(hvkit, tmp_path, [Header(), Cpuid(eax=1), TripleFault(), Cpuid()])
    assert rc == 1 and exits[-1]["reason"] == "Triple fault" and exits[-1]["outcome"] == "kill"
    assert "triple fault" in err


def test_generated_scenarios_mostly_run(hvkit, generated_files):
    """gen's constraints make most scenarios ones the replay accepts (not status 3, "cannot run"), and hvkit
    never crashes on them (statuses 0-3 only). Status 2 would be a core bug the generator found."""
    statuses = [run(hvkit, "run", f).returncode for f in generated_files[:60]]
    assert set(statuses) <= {0, 1, 2, 3}
    assert statuses.count(3) <= len(statuses) // 10, statuses


def test_every_seed_runs_without_an_oracle_violation(hvkit):
    import glob
    import os
    from conftest import REPO
    for f in sorted(glob.glob(os.path.join(REPO, "corpora", "fuzz_exits", "seeds", "*.hvs"))):
        p = run(hvkit, "run", f)
        assert p.returncode in (0, 1), f"{f}: {p.stderr}"
