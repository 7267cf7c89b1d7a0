"""Symbolic names for the numbers scenarios carry (docs/scenario-format.md).

Kept apart from the layers so that the layers read like the format page and these tables read like the SDM:
each is a plain {number: name} dict, which is what scapy's enum fields take (they also accept the names when
a packet is built: ``SetGpr(reg="rip")``). Where hvkit's text form already has a name for a value (registers,
``insn``, ``status``, ``exit``) the same spelling is used here, so a name means one thing in both tools.
"""

# Record types: the text-form names, as in harness/scenario/records.c.
RECORD_TYPES = {
    0x01: "cpuid", 0x02: "port-out", 0x03: "port-in", 0x04: "rdmsr", 0x05: "wrmsr", 0x06: "vmcall",
    0x07: "hlt", 0x08: "ext-interrupt", 0x09: "mov-to-cr", 0x0A: "mov-from-cr", 0x0B: "clts", 0x0C: "lmsw",
    0x0D: "xsetbv", 0x0E: "invd", 0x0F: "wbinvd", 0x10: "rdtsc", 0x11: "rdtscp", 0x12: "vmx-insn",
    0x13: "exception", 0x14: "triple-fault", 0x15: "preemption-timer", 0x16: "nmi", 0x17: "mem-access", 0x18: "mem-insn",
    0x30: "key", 0x31: "serial-in", 0x32: "wait", 0x33: "host-msg",
    0x40: "set-gpr", 0x41: "set-mem", 0x42: "force-exit", 0x43: "fail-alloc", 0x44: "fail-vmx",
    0x45: "config-quota", 0x46: "mmio-region", 0x47: "config-devices",
}

GUEST_MODES = {0: "program64", 1: "real"}

# Register numbers: SDM Vol. 3 §28.2.1 Table 28-3 order, then the VMCS-held RIP and RFLAGS (set-gpr only).
GPRS = {i: n for i, n in enumerate(
    ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"])}
REGS = {**GPRS, 16: "rip", 17: "rflags"}

CONTROL_REGISTERS = {0: "cr0", 3: "cr3", 4: "cr4", 8: "cr8"}

# enum sim_insn (harness/sim/sim_machine.h), the names of fail-vmx's insn in the text form.
SIM_INSNS = {i: n for i, n in enumerate(
    ["any", "vmxon", "vmxoff", "vmclear", "vmptrld", "vmptrst", "vmread", "vmwrite", "vmlaunch", "vmresume",
     "invept", "invvpid", "mov-cr", "wrmsr"])}

# VM-instruction failure kinds (SDM Vol. 3 §31.2).
VMX_STATUSES = {1: "invalid", 2: "valid"}

# Basic exit reasons (SDM Vol. 3 Appendix C, Table C-1), with the SDM's names: hvkit's trace prints these.
EXIT_REASONS = {
    0: "Exception or non-maskable interrupt (NMI)", 1: "External interrupt", 2: "Triple fault",
    3: "INIT signal", 4: "Start-up IPI (SIPI)", 5: "I/O system-management interrupt (SMI)", 6: "Other SMI",
    7: "Interrupt window", 8: "NMI window", 9: "Task switch", 10: "CPUID", 11: "GETSEC", 12: "HLT",
    13: "INVD", 14: "INVLPG", 15: "RDPMC", 16: "RDTSC", 17: "RSM", 18: "VMCALL", 19: "VMCLEAR",
    20: "VMLAUNCH", 21: "VMPTRLD", 22: "VMPTRST", 23: "VMREAD", 24: "VMRESUME", 25: "VMWRITE",
    26: "VMXOFF", 27: "VMXON", 28: "Control-register accesses", 29: "MOV DR", 30: "I/O instruction",
    31: "RDMSR", 32: "WRMSR", 33: "VM-entry failure due to invalid guest state",
    34: "VM-entry failure due to MSR loading", 36: "MWAIT", 37: "Monitor trap flag", 39: "MONITOR",
    40: "PAUSE", 41: "VM-entry failure due to machine-check event", 43: "TPR below threshold",
    44: "APIC access", 45: "Virtualized EOI", 46: "Access to GDTR or IDTR", 47: "Access to LDTR or TR",
    48: "EPT violation", 49: "EPT misconfiguration", 50: "INVEPT", 51: "RDTSCP",
    52: "VMX-preemption timer expired", 53: "INVVPID", 54: "WBINVD or WBNOINVD", 55: "XSETBV",
    56: "APIC write", 57: "RDRAND", 58: "INVPCID", 59: "VMFUNC", 60: "ENCLS", 61: "RDSEED",
    62: "Page-modification log full", 63: "XSAVES", 64: "XRSTORS", 65: "PCONFIG", 66: "SPP-related event",
    67: "UMWAIT", 68: "TPAUSE", 69: "LOADIWKEY", 70: "ENCLV", 72: "ENQCMD PASID translation failure",
    73: "ENQCMDS PASID translation failure", 74: "Bus lock", 75: "Instruction timeout", 76: "SEAMCALL",
    77: "TDCALL", 78: "RDMSRLIST", 79: "WRMSRLIST",
}

# The VMX-instruction exits vmx-insn accepts, named as hvkit's text form names them.
VMX_INSN_EXITS = {19: "vmclear", 20: "vmlaunch", 21: "vmptrld", 22: "vmptrst", 23: "vmread", 24: "vmresume",
                  25: "vmwrite", 26: "vmxoff", 27: "vmxon", 50: "invept", 53: "invvpid", 59: "vmfunc"}

# Exception vectors (SDM Vol. 3 §6.3.1, Table 6-1) and the ones that push an error code.
EXCEPTION_VECTORS = {
    0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF", 10: "#TS",
    11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC", 18: "#MC", 19: "#XM", 20: "#VE",
    21: "#CP", 28: "#HV", 29: "#VC", 30: "#SX",
}
EXCEPTIONS_WITH_ERROR_CODE = frozenset({8, 10, 11, 12, 13, 14, 17, 21, 29, 30})

# Ports a PC guest commonly touches; any 16-bit port is valid.
PORTS = {
    0x20: "pic1-cmd", 0x21: "pic1-data", 0x40: "pit-ch0", 0x43: "pit-mode", 0x60: "kbd-data",
    0x61: "sys-ctrl-b", 0x64: "kbd-cmd", 0x70: "cmos-index", 0x71: "cmos-data", 0x80: "post",
    0x92: "sys-ctrl-a", 0xA0: "pic2-cmd", 0xA1: "pic2-data", 0x2F8: "com2", 0x3F8: "com1", 0x3FD: "com1-lsr",
    0xCF8: "pci-config-address", 0xCFC: "pci-config-data", 0x402: "debugcon", 0x604: "acpi-pm1a-cnt",
}

# Architectural MSRs the core reads, writes or virtualizes (hv-core/include/hv/msr.h; SDM Vol. 4 Table 2-2).
MSRS = {
    0x10: "IA32_TIME_STAMP_COUNTER", 0x1B: "IA32_APIC_BASE", 0x3A: "IA32_FEATURE_CONTROL",
    0x48: "IA32_SPEC_CTRL", 0x49: "IA32_PRED_CMD", 0x79: "IA32_BIOS_UPDT_TRIG", 0x8B: "IA32_BIOS_SIGN_ID",
    0x9B: "IA32_SMM_MONITOR_CTL", 0x10B: "IA32_FLUSH_CMD", 0x174: "IA32_SYSENTER_CS",
    0x175: "IA32_SYSENTER_ESP", 0x176: "IA32_SYSENTER_EIP", 0x277: "IA32_PAT",
    0x38F: "IA32_PERF_GLOBAL_CTRL", 0x480: "IA32_VMX_BASIC", 0x481: "IA32_VMX_PINBASED_CTLS",
    0x482: "IA32_VMX_PROCBASED_CTLS", 0x483: "IA32_VMX_EXIT_CTLS", 0x484: "IA32_VMX_ENTRY_CTLS",
    0x485: "IA32_VMX_MISC", 0x486: "IA32_VMX_CR0_FIXED0", 0x487: "IA32_VMX_CR0_FIXED1",
    0x488: "IA32_VMX_CR4_FIXED0", 0x489: "IA32_VMX_CR4_FIXED1", 0x48A: "IA32_VMX_VMCS_ENUM",
    0x48B: "IA32_VMX_PROCBASED_CTLS2", 0x48C: "IA32_VMX_EPT_VPID_CAP", 0x48D: "IA32_VMX_TRUE_PINBASED_CTLS",
    0x48E: "IA32_VMX_TRUE_PROCBASED_CTLS", 0x48F: "IA32_VMX_TRUE_EXIT_CTLS",
    0x490: "IA32_VMX_TRUE_ENTRY_CTLS", 0x491: "IA32_VMX_VMFUNC", 0x492: "IA32_VMX_PROCBASED_CTLS3",
    0x493: "IA32_VMX_EXIT_CTLS2", 0x6E1: "IA32_PKRS", 0x80B: "IA32_X2APIC_EOI",
    0xC0000080: "IA32_EFER", 0xC0000081: "IA32_STAR", 0xC0000082: "IA32_LSTAR", 0xC0000083: "IA32_CSTAR",
    0xC0000084: "IA32_FMASK", 0xC0000100: "IA32_FS_BASE", 0xC0000101: "IA32_GS_BASE",
    0xC0000102: "IA32_KERNEL_GS_BASE", 0xC0000103: "IA32_TSC_AUX",
}

# The hypercall ABI (hv-core/include/hv/hypercall.h): the number in RAX.
HYPERCALLS = {0: "version", 1: "putchar", 2: "shutdown"}

# CPUID leaves worth asking for (SDM Vol. 2A CPUID; the core's hypervisor leaves, hypercall.h).
CPUID_LEAVES = {
    0x0: "basic-max", 0x1: "version-features", 0x4: "cache-params", 0x6: "thermal-power", 0x7: "ext-features",
    0xB: "topology", 0xD: "xsave", 0x40000000: "hv-signature", 0x40000001: "hv-abi", 0x80000000: "ext-max",
    0x80000001: "ext-features", 0x80000008: "address-sizes",
}

# mem-access types: the access bits of the EPT-violation qualification (SDM Vol. 3 §28.2.1 Table 28-7).
MEM_ACCESS_TYPES = {1: "read", 2: "write", 4: "fetch"}

# mmio-region kinds: the core's MMIO region types (hv/vm.h enum hv_region_type): an EPT misconfiguration
# or a not-present entry is what makes an access exit.
REGION_KINDS = {2: "mmio", 3: "mmio-np"}

# Exit-qualification access types, for building force-exit qualifications (see hvscapy.qual):
# control-register accesses (SDM Vol. 3 §28.2.1 Table 28-3) and I/O direction (Table 28-5).
CR_ACCESS_TYPES = {0: "mov-to-cr", 1: "mov-from-cr", 2: "clts", 3: "lmsw"}
IO_DIRECTIONS = {0: "out", 1: "in"}


def value_of(table, name_or_value):
    """A number from a table name or a number, so helpers take either, as scapy's enum fields do."""
    if isinstance(name_or_value, int):
        return name_or_value
    for k, v in table.items():
        if v == name_or_value:
            return k
    raise ValueError(f"{name_or_value!r} is not one of {sorted(table.values())}")
