"""hvscapy: scapy layers for hvkit scenarios (docs/scenario-format.md) — build, dissect, generate.

    from hvscapy import *
    pkt = Header(profile="bochs-haswell")/Cpuid(eax=0)/PortOut(port=0x3f8, size=1, value=0x41)/Hlt()
    data = check_packets(pkt)          # the .hvs bytes, after hvkit's checks
    parse(data)[PortOut].port          # strict dissection: HvsFormatError names the byte and the field

Runs on Debian's python3-scapy with /usr/bin/python3; the command is ``python3 -m hvscapy`` (see
harness/python/hvscapy-cli).
"""
from .enums import (  # noqa: F401 (re-exported)
    CONTROL_REGISTERS, CPUID_LEAVES, CR_ACCESS_TYPES, EXCEPTION_VECTORS, EXIT_REASONS, GPRS, GUEST_MODES,
    HYPERCALLS, IO_DIRECTIONS, MEM_ACCESS_TYPES, MSRS, PORTS, RECORD_TYPES, REGION_KINDS, REGS, SIM_INSNS,
    VMX_INSN_EXITS, VMX_STATUSES)
from .errors import HvsFormatError  # noqa: F401
from .layers import (  # noqa: F401
    RECORD_CLASSES, Clts, ConfigDevices, ConfigQuota, Cpuid, ExtInterrupt, FailAlloc, FailVmx, ForceExit, GuestException,
    Header, Hlt, HostMsg, Invd, Key, Lmsw, MemAccess, MemInsn, MmioRegion, MovFromCr, MovToCr, Nmi, PortIn, PortOut, PreemptionTimer,
    Rdmsr, Rdtsc, Rdtscp, Record, SerialIn, SetGpr, SetMem, TripleFault, UnknownRecord, Vmcall, VmxInsn, Wait, Wbinvd, Wrmsr,
    Xsetbv, iter_layers, iter_records, layer_bytes, stack, to_bytes)
from .dump import dump_lines  # noqa: F401
from .parse import check_packets, load, parse  # noqa: F401
from .qual import cr_qualification, io_qualification  # noqa: F401

__all__ = [name for name in dir() if not name.startswith("_")]
