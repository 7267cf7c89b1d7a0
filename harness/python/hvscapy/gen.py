"""``hvscapy gen``: random well-formed scenarios, reproducible from a seed.

Each layer starts as scapy's ``fuzz()`` of its class (every field random at its width), then a constraint
for its type pulls most values towards what a guest really does: the leaves, ports, MSRs and hypercalls the
core handles, legal CR values, exception vectors with their error codes, forced exits whose qualification
decodes, RAM-backed addresses. A fraction stays raw fuzz, so the hostile paths are reached too. Every file
passes the strict parser before it is written.

Scapy draws from Python's global ``random``; each file gets its own string seed ("hvscapy-gen:S:i", which
Python hashes stably) so file i is the same whatever ``--count`` is, and the caller's random state is put
back afterwards.
"""
import os
import random

from scapy.packet import fuzz
from scapy.volatile import VolatileValue

from . import enums, layers as L
from .parse import check_packets
from .qual import cr_qualification, io_qualification

# Profiles with EPT and unrestricted guest run; penryn and minimal are refused by the core (kept rare, for
# the refusal path).
PROFILES = ["bochs-haswell"] * 5 + ["bochs-skylake-x", "bochs-sandybridge", "max"] * 2
RARE_PROFILES = ["bochs-penryn", "minimal"]

# Relative weights of record types in the body of a scenario; the ones that end a run come last, if at all.
WEIGHTS = {
    L.Cpuid: 8, L.PortOut: 8, L.PortIn: 6, L.Rdmsr: 6, L.Wrmsr: 5, L.Vmcall: 5, L.ExtInterrupt: 3,
    L.MovToCr: 5, L.MovFromCr: 3, L.Clts: 1, L.Lmsw: 1, L.Xsetbv: 3, L.Invd: 2, L.Wbinvd: 2, L.Rdtsc: 2,
    L.Rdtscp: 2, L.VmxInsn: 3, L.GuestException: 3, L.PreemptionTimer: 1, L.Nmi: 2, L.SetGpr: 3,
    L.SetMem: 3, L.ForceExit: 3, L.FailAlloc: 1, L.FailVmx: 1, L.MemAccess: 4, L.MmioRegion: 1,
    L.ConfigQuota: 1,
}
ENDINGS = [L.Hlt, L.Hlt, L.TripleFault, None, None]


def chance(p):
    return random.random() < p


def pick(table):
    return random.choice(list(table))


def fuzzed(cls):
    """A layer of cls with every field drawn by scapy's fuzz(), frozen so the bytes are fixed."""
    f = fuzz(cls())
    values = {}
    for fld in f.fields_desc[2:] if cls is not L.Header else f.fields_desc:
        v = f.getfieldval(fld.name)
        values[fld.name] = v._fix() if isinstance(v, VolatileValue) else v
    return cls(**values)


def _header(h):
    h.version, h.magic, h.profile_len = 1, b"HVS", None
    h.profile = random.choice(RARE_PROFILES if chance(0.04) else PROFILES)
    h.memory_pages = random.choice([256, 512, 1024, 1024, 4096, 1 << 18])  # 1 GiB: with a config-quota
    h.guest_mode = 1 if chance(0.1) else 0
    if chance(0.9):
        h.entry, h.stack = 0x1000, 0x8000
    else:
        h.entry, h.stack = random.randrange(0, h.memory_pages * 4096), random.randrange(0, h.memory_pages * 4096)


def _ram(h, n=8):
    return random.randrange(0, h.memory_pages * 4096 - n)


def _cpuid(r, h):
    if chance(0.8):
        r.eax = pick(enums.CPUID_LEAVES)
        r.ecx = random.choice([0, 0, 0, 1, 2])


def _port(r, h):
    r.size = random.choice([1, 2, 4])
    if chance(0.7):
        r.port = pick(enums.PORTS)


def _msr(r, h):
    if chance(0.8):
        r.msr = pick(enums.MSRS)


def _vmcall(r, h):
    if chance(0.85):
        r.rax = random.choice([0, 1, 1, 1, 2]) if chance(0.2) else random.choice([0, 1])
        if r.rax == 1:
            r.rbx = random.randrange(0x20, 0x7F)


def _ext_interrupt(r, h):
    if chance(0.85):
        r.vector = random.randrange(32, 256)


CR_VALUES = {0: [0x80010031, 0x80000011, 0x80050033, 0x31, 0x60000010], 4: [0x2020, 0x20, 0x2620, 0x6A0, 0x40020],
             8: list(range(16))}


def _mov_to_cr(r, h):
    r.cr = random.choice([0, 3, 4, 8])
    r.gpr = random.randrange(16)
    if chance(0.8):
        r.value = random.choice(CR_VALUES[r.cr]) if r.cr != 3 else _ram(h, 4096) & ~0xFFF


def _mov_from_cr(r, h):
    r.cr = random.choice([0, 3, 4, 8])
    r.gpr = random.randrange(16)


def _xsetbv(r, h):
    if chance(0.8):
        r.ecx = 0 if chance(0.9) else 1
        r.value = random.choice([1, 3, 3, 7, 2])


def _vmx_insn(r, h):
    r.exit = pick(enums.VMX_INSN_EXITS)


def _exception(r, h):
    r.vector = random.randrange(32)
    r.has_error = int(r.vector in enums.EXCEPTIONS_WITH_ERROR_CODE) if chance(0.9) else random.randrange(2)
    if chance(0.7):
        r.error = random.randrange(0x10000) & ~7


def _set_gpr(r, h):
    r.reg = random.randrange(16) if chance(0.9) else random.choice([16, 17])
    if r.reg == 16 and chance(0.8):
        r.value = _ram(h, 16)
    elif r.reg == 17 and chance(0.8):
        r.value = 0x2 | random.choice([0, 0x200, 0x202, 0x40])


def _set_mem(r, h):
    data = bytes(r.getfieldval("bytes"))[:random.choice([0, 1, 4, 16, 64])]
    r.bytes = data
    if chance(0.9):
        r.gpa = _ram(h, len(data) + 1)


def _force_exit(r, h):
    if chance(0.85):
        r.reason = pick(enums.EXIT_REASONS)
        r.instr_len = random.randrange(1, 16)
        r.instr_info = 0 if chance(0.7) else r.instr_info
        if r.reason == 30:
            r.qualification = io_qualification(pick(enums.PORTS), random.choice([1, 2, 4]),
                                               random.choice(["in", "out"]))
        elif r.reason == 28:
            r.qualification = cr_qualification(random.choice([0, 3, 4, 8]), random.randrange(4),
                                               random.randrange(16))
        elif chance(0.7):
            r.qualification = random.randrange(0x100)


MMIO_BASES = [0xFEC00000, 0xFED00000, 0xFEE00000, 0xE0000000]


def _mmio_region(r, h):
    if chance(0.9):
        r.gpa = random.choice(MMIO_BASES + [h.memory_pages * 4096])
        r.size = random.choice([0x1000, 0x1000, 0x2000, 0x10000])
    r.kind = random.choice([2, 3])


def _mem_access(r, h):
    r.access = random.choice([1, 1, 2, 2, 4])
    r.size = random.choice([1, 2, 4, 4, 8])
    r.instr_len = random.randrange(2, 8) if chance(0.9) else random.randrange(1, 16)
    if chance(0.8):
        r.gpa = _ram(h, 16)
    elif chance(0.7):  # MMIO when an mmio-region covers it, else an access the core refuses
        r.gpa = random.choice(MMIO_BASES) + random.randrange(0, 0x1000, 4)


def _config_quota(r, h):
    r.pages = random.choice([64, 256, 1024, min(h.memory_pages, 65536)]) if chance(0.9) else r.pages % (1 << 22) + 1


def _fail_alloc(r, h):
    r.after = random.randrange(0, 16) if chance(0.9) else r.after


def _fail_vmx(r, h):
    r.insn = random.randrange(14)
    r.status = random.choice([1, 2])
    r.error = random.randrange(1, 29) if chance(0.9) else r.error


CONSTRAINTS = {
    L.Cpuid: _cpuid, L.PortOut: _port, L.PortIn: _port, L.Rdmsr: _msr, L.Wrmsr: _msr, L.Vmcall: _vmcall,
    L.ExtInterrupt: _ext_interrupt, L.MovToCr: _mov_to_cr, L.MovFromCr: _mov_from_cr, L.Xsetbv: _xsetbv,
    L.VmxInsn: _vmx_insn, L.GuestException: _exception, L.SetGpr: _set_gpr, L.SetMem: _set_mem,
    L.ForceExit: _force_exit, L.FailAlloc: _fail_alloc, L.FailVmx: _fail_vmx, L.MemAccess: _mem_access,
    L.MmioRegion: _mmio_region, L.ConfigQuota: _config_quota,
}

# Records that configure the VM count only at the start of a file (replay.c), so they are put there.
LEADING = (L.ConfigQuota, L.FailAlloc, L.FailVmx)


def scenario(seed, index, max_records=24):
    """The layers of scenario number index of seed: a header, 1..max_records records, maybe an ending."""
    random.seed(f"hvscapy-gen:{seed}:{index}")
    h = fuzzed(L.Header)
    _header(h)
    lead, body = [], []
    if h.memory_pages > 65536:  # a replay backs at most 65536 pages: a big guest gets a quota up front
        lead.append(L.ConfigQuota(pages=random.choice([256, 1024, 4096])))
    classes, weights = list(WEIGHTS), list(WEIGHTS.values())
    for cls in random.choices(classes, weights, k=random.randint(1, max_records)):
        r = fuzzed(cls)
        CONSTRAINTS.get(cls, lambda r, h: None)(r, h)
        (lead if isinstance(r, LEADING) and chance(0.8) else body).append(r)
    out = [h] + lead + body
    end = random.choice(ENDINGS)
    if end:
        out.append(end())
    return out


def generate(count, seed):
    """(file name, bytes) for count scenarios of seed; the caller's random state is left as it was."""
    state = random.getstate()
    try:
        return [(f"gen-{seed}-{i:04d}.hvs", check_packets(scenario(seed, i))) for i in range(count)]
    finally:
        random.setstate(state)


def write_new(directory, files):
    """Write files into directory without ever replacing one: an existing file with the same bytes is left
    alone, one with other bytes is an error before anything is written. Returns (written, unchanged)."""
    os.makedirs(directory, exist_ok=True)
    todo, same = [], []
    for name, data in files:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read() != data:
                    raise FileExistsError(f"{path} exists with other content (not overwritten)")
            same.append(path)
        else:
            todo.append((path, data))
    for path, data in todo:
        with open(path, "xb") as f:
            f.write(data)
    return [p for p, _ in todo], same
