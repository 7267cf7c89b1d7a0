#!/usr/bin/python3
"""Seed scenarios of the fuzz_exits corpus: one small, valid scenario per exit handler of the core.

Seeds give a fuzzer's first inputs the structure it would take long to find (a record of each type, values
each handler decodes), so mutation starts next to every handler rather than at random bytes. Re-runnable and
deterministic: the same bytes every run; an existing seed with the same bytes is left alone, one with other
bytes is never overwritten (the script says so and exits 1), so a change here is a deliberate new file.

    /usr/bin/python3 corpora/fuzz_exits/scripts/seeds.py [--out DIR]    (default: corpora/fuzz_exits/seeds)
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "harness", "python"))

from hvscapy import *  # noqa: E402,F403  (the layers are this script's vocabulary)


def hdr():
    return Header(profile="bochs-haswell", memory_pages=256)  # 1 MiB: the core's minimum, quick to replay


SEEDS = {
    "cpuid": [hdr(), Cpuid(eax=0), Cpuid(eax=1), Cpuid(eax=7), Cpuid(eax=0x40000000), Cpuid(eax=0x40000001),
              Cpuid(eax=0xFFFFFFFF, ecx=0xFFFFFFFF)],
    "hlt": [hdr(), Cpuid(eax=0), Hlt()],
    "io_out": [hdr(), PortOut(port="com1", size=1, value=ord("A")), PortOut(port="post", size=4, value=0xDEADBEEF),
               PortOut(port="pci-config-address", size=4, value=0x80000000)],
    "io_in": [hdr(), PortIn(port="kbd-data", size=1), PortIn(port="com1-lsr", size=1),
              PortIn(port="pci-config-data", size=2), PortIn(port=0xFFFF, size=4)],
    "msr": [hdr(), Rdmsr(msr="IA32_FEATURE_CONTROL"), Rdmsr(msr="IA32_VMX_BASIC"), Rdmsr(msr="IA32_EFER"),
            Wrmsr(msr="IA32_LSTAR", value=0xFFFFFFFF81000000), Wrmsr(msr="IA32_APIC_BASE", value=0xFEE00900),
            Wrmsr(msr=0x12345678, value=1)],
    "cr": [hdr(), MovToCr(cr=0, gpr="rax", value=0x80010031), MovToCr(cr=4, gpr="rcx", value=0x2020),
           MovToCr(cr=3, gpr="rdx", value=0x10000), MovToCr(cr=8, gpr="rbx", value=2),
           MovFromCr(cr=3, gpr="rsi"), MovFromCr(cr=8, gpr="rdi"), Clts(), Lmsw(value=0x31)],
    "vmcall": [hdr(), Vmcall(rax="version"), Vmcall(rax="putchar", rbx=ord("h")),
               Vmcall(rax=0xFFFFFFFFFFFFFFFF, rbx=1, rcx=2, rdx=3, rsi=4), Vmcall(rax="shutdown")],
    "interrupts": [hdr(), ExtInterrupt(vector=0x20), Nmi(), ExtInterrupt(vector=0xFF), PreemptionTimer()],
    "exceptions": [hdr(), GuestException(vector=13, has_error=1, error=0), GuestException(vector=6),
                   GuestException(vector=14, has_error=1, error=2), GuestException(vector=3)],
    "triple_fault": [hdr(), Cpuid(eax=0), TripleFault()],
    "xsetbv": [hdr(), Xsetbv(ecx=0, value=3), Xsetbv(ecx=1, value=3), Xsetbv(ecx=0, value=2)],
    "cache_tsc": [hdr(), Invd(), Wbinvd(), Rdtsc(), Rdtscp()],
    "vmx_insn": [hdr()] + [VmxInsn(exit=e) for e in VMX_INSN_EXITS],
    "forced_exits": [hdr(), ForceExit(reason=30, qualification=io_qualification(0x3F8, 1, "out"), instr_len=1),
                     ForceExit(reason=28, qualification=cr_qualification(4, "mov-to-cr", "rax"), instr_len=3),
                     ForceExit(reason=10, instr_len=2)],
    "forced_unexpected": [hdr(), ForceExit(reason=48, qualification=0x181), ForceExit(reason=35)],
    "fail_alloc": [hdr(), FailAlloc(after=0), Cpuid(eax=0)],
    "fail_alloc_late": [hdr(), FailAlloc(after=6), Cpuid(eax=0)],
    "fail_vmx": [hdr(), FailVmx(insn="vmresume", status="valid", error=5), Cpuid(eax=0), Hlt()],
    "fail_vmx_kill": [hdr(), FailVmx(insn="vmresume", status="valid", error=7), Cpuid(eax=0)],
    "ept_mmio": [hdr(), MmioRegion(gpa=0xFED00000, size=0x1000, kind="mmio"),
                 MmioRegion(gpa=0xFEE00000, size=0x1000, kind="mmio-np"),
                 MemAccess(gpa=0x8000, access="write", size=4, value=0x1234, instr_len=3),
                 MemAccess(gpa=0x8000, access="read", size=4, instr_len=3),
                 MemAccess(gpa=0xFED00010, access="read", size=4, value=0xCAFE, instr_len=6),
                 MemAccess(gpa=0xFEE000B0, access="write", size=4, value=0, instr_len=6)],
    "ept_quota": [hdr(), ConfigQuota(pages=64),
                  MemAccess(gpa=0x20000, access="write", size=8, value=1, instr_len=4),
                  MemAccess(gpa=0x20000, access="fetch", size=1, instr_len=2)],
    "raw_state": [hdr(), SetGpr(reg="rax", value=1), SetGpr(reg="rflags", value=0x202),
                  SetMem(gpa=0x1000, bytes=bytes.fromhex("0fa2f4")), Cpuid(eax=1)],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..", "seeds")))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    refused = 0
    for name, layers in SEEDS.items():
        data, path = check_packets(layers), os.path.join(out, name + ".hvs")
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read() != data:
                    print(f"seeds.py: {path}: exists with other bytes; not overwritten", file=sys.stderr)
                    refused += 1
            continue
        with open(path, "xb") as f:
            f.write(data)
        print(f"seeds.py: {path}: written, {len(data)} bytes")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
