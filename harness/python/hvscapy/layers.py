"""Scapy layers for scenario format v1 (docs/scenario-format.md): the Header and one class per record type.

A scenario is written as stacked layers, the way scapy stacks protocol headers::

    Header(profile="bochs-haswell")/Cpuid(eax=0)/PortOut(port=0x3f8, size=1, value=0x41)/Hlt()

Every record starts with its framing, ``type`` (u8) and ``length`` (u16 LE, the payload bytes, filled in when
built), then its fields at the widths of harness/scenario/records.c, little-endian. Field names are the
format page's (and ``hvkit dump``'s), so ``pkt[PortOut].size`` means what ``"size"`` means in hvkit's JSON.

Dissection: ``Header(data)`` gives the layers back. The record type is in the upper layer, not the lower
one, so ``bind_layers`` binds every layer to the dispatcher ``Record``, whose ``dispatch_hook`` picks the
class from the type byte (an unknown type becomes ``UnknownRecord``). The header walks its records in a loop
rather than by scapy's usual recursion, because a valid file may hold 65536 records and Python's recursion
limit is far below that; ``to_bytes`` and ``iter_records`` are the loop-based counterparts of ``bytes()`` and
payload walking for long scenarios. This dissection is lenient, as scapy's is; ``hvscapy.parse`` is the
strict reader that rejects what hvkit rejects.
"""
import struct

from scapy.fields import (ByteEnumField, ByteField, EnumField, FieldLenField, LEIntEnumField, LEIntField,
                          LELongField, LEShortEnumField, LEShortField, StrFixedLenField, StrLenField)
from scapy.packet import NoPayload, Packet, Raw, bind_layers

from . import enums

RECORD_PREFIX = 3          # type u8, length u16
HEADER_PREFIX = 5          # version, "HVS", profile_len
HEADER_SUFFIX = 21         # memory_pages u32, guest_mode u8, entry u64, stack u64
MAX_RECORDS = 65536        # HVS_MAX_RECORDS
MAX_MEM_BYTES = 4096       # HVS_MAX_MEM_BYTES
PROFILE_MAX = 32
MAX_MEMORY_PAGES = 1 << 22 # 16 GiB: RAM is reserved and backed lazily (EPT), a config-quota bounds the backing
VERSION = 1


class _Flat(Packet):
    """Scenario layers are a flat sequence, not a nesting: show() does not indent each record further, and
    the end-of-dissection walk is a loop (the default recurses once per layer)."""
    show_indent = 0

    def dissection_done(self, pkt):
        layer = self
        while not isinstance(layer, NoPayload):
            layer.post_dissection(pkt)
            layer = layer.payload


class Header(_Flat):
    """The file header: version first (a reader refuses other versions before reading on), magic "HVS", the
    length-prefixed CPU profile name, then the VM configuration."""
    name = "header"
    fields_desc = [
        ByteField("version", VERSION),
        StrFixedLenField("magic", b"HVS", 3),
        FieldLenField("profile_len", None, length_of="profile", fmt="B"),
        StrLenField("profile", b"bochs-haswell", length_from=lambda p: p.profile_len),
        LEIntField("memory_pages", 1024),
        ByteEnumField("guest_mode", 0, enums.GUEST_MODES),
        LELongField("entry", 0x1000),
        LELongField("stack", 0x8000),
    ]

    def do_dissect_payload(self, s):
        """The records, one at a time: each record is cut at its own length and dissected alone, then hung
        under the previous one, so a long file costs no recursion."""
        last = self
        while s:
            size = RECORD_PREFIX + struct.unpack("<H", s[1:3])[0] if len(s) >= RECORD_PREFIX else len(s)
            chunk, s = s[:size], s[size:]
            cls = last.guess_payload_class(chunk)
            try:
                layer = cls(chunk, _internal=1, _underlayer=last)
            except Exception:  # as scapy does: what does not dissect stays visible as Raw
                layer = Raw(chunk + s, _internal=1, _underlayer=last)
                s = b""
            last.add_payload(layer)
            last = layer


def _frame(rtype):
    """The framing every record starts with; length None is computed when the layer is built."""
    return [ByteEnumField("type", rtype, enums.RECORD_TYPES), LEShortField("length", None)]


class Record(_Flat):
    """A record of any type: dissecting one picks its class from the type byte (scapy's dispatch_hook), and
    it is what every layer binds to, since the lower layer cannot say what comes next."""
    name = "record"
    fields_desc = _frame(0)
    hvs_type = None
    hvs_kinds = {}    # field name -> value check of records.c (hvscapy.parse.FIELD_CHECKS)

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if cls is Record and _pkt:
            return RECORD_CLASSES.get(_pkt[0], UnknownRecord)
        return cls

    def post_build(self, pkt, pay):
        if self.length is None:
            pkt = pkt[:1] + struct.pack("<H", len(pkt) - RECORD_PREFIX) + pkt[RECORD_PREFIX:]
        return pkt + pay

    @classmethod
    def payload_fields(cls):
        """The fixed-width fields after the framing, in order (SET_MEM's data excluded)."""
        return [f for f in cls.fields_desc[2:] if f.name != "bytes"]

    @classmethod
    def fixed_length(cls):
        return sum(f.sz for f in cls.payload_fields())


class UnknownRecord(Record):
    """A type hvkit does not know; only lenient dissection makes these (the strict parser refuses them)."""
    name = "unknown-record"
    fields_desc = _frame(0) + [StrLenField("data", b"", length_from=lambda p: p.length)]


def _u64(name, default=0, table=None):
    return EnumField(name, default, table, fmt="<Q") if table else LELongField(name, default)


# Semantic events (0x01-0x3f): what the guest does.
class Cpuid(Record):
    name, hvs_type = "cpuid", 0x01
    fields_desc = _frame(0x01) + [LEIntEnumField("eax", 0, enums.CPUID_LEAVES), LEIntField("ecx", 0)]


class PortOut(Record):
    name, hvs_type = "port-out", 0x02
    fields_desc = _frame(0x02) + [LEShortEnumField("port", 0, enums.PORTS), ByteField("size", 1),
                                  LEIntField("value", 0)]
    hvs_kinds = {"size": "port_size"}


class PortIn(Record):
    name, hvs_type = "port-in", 0x03
    fields_desc = _frame(0x03) + [LEShortEnumField("port", 0, enums.PORTS), ByteField("size", 1)]
    hvs_kinds = {"size": "port_size"}


class Rdmsr(Record):
    name, hvs_type = "rdmsr", 0x04
    fields_desc = _frame(0x04) + [LEIntEnumField("msr", 0, enums.MSRS)]


class Wrmsr(Record):
    name, hvs_type = "wrmsr", 0x05
    fields_desc = _frame(0x05) + [LEIntEnumField("msr", 0, enums.MSRS), _u64("value")]


class Vmcall(Record):
    name, hvs_type = "vmcall", 0x06
    fields_desc = _frame(0x06) + [_u64("rax", 0, enums.HYPERCALLS)] + [_u64(r) for r in ("rbx", "rcx", "rdx", "rsi")]


class Hlt(Record):
    name, hvs_type = "hlt", 0x07
    fields_desc = _frame(0x07)


class ExtInterrupt(Record):
    name, hvs_type = "ext-interrupt", 0x08
    fields_desc = _frame(0x08) + [ByteField("vector", 0x20)]


class MovToCr(Record):
    name, hvs_type = "mov-to-cr", 0x09
    fields_desc = _frame(0x09) + [ByteEnumField("cr", 0, enums.CONTROL_REGISTERS),
                                  ByteEnumField("gpr", 0, enums.GPRS), _u64("value")]
    hvs_kinds = {"cr": "cr", "gpr": "gpr"}


class MovFromCr(Record):
    name, hvs_type = "mov-from-cr", 0x0A
    fields_desc = _frame(0x0A) + [ByteEnumField("cr", 0, enums.CONTROL_REGISTERS),
                                  ByteEnumField("gpr", 0, enums.GPRS)]
    hvs_kinds = {"cr": "cr", "gpr": "gpr"}


class Clts(Record):
    name, hvs_type = "clts", 0x0B
    fields_desc = _frame(0x0B)


class Lmsw(Record):
    name, hvs_type = "lmsw", 0x0C
    fields_desc = _frame(0x0C) + [LEShortField("value", 0)]


class Xsetbv(Record):
    name, hvs_type = "xsetbv", 0x0D
    fields_desc = _frame(0x0D) + [LEIntField("ecx", 0), _u64("value", 3)]


class Invd(Record):
    name, hvs_type = "invd", 0x0E
    fields_desc = _frame(0x0E)


class Wbinvd(Record):
    name, hvs_type = "wbinvd", 0x0F
    fields_desc = _frame(0x0F)


class Rdtsc(Record):
    name, hvs_type = "rdtsc", 0x10
    fields_desc = _frame(0x10)


class Rdtscp(Record):
    name, hvs_type = "rdtscp", 0x11
    fields_desc = _frame(0x11)


class VmxInsn(Record):
    name, hvs_type = "vmx-insn", 0x12
    fields_desc = _frame(0x12) + [LEShortEnumField("exit", 27, enums.VMX_INSN_EXITS)]
    hvs_kinds = {"exit": "vmx_exit"}


class GuestException(Record):
    """The ``exception`` record (not named Exception, which would shadow Python's builtin on import *)."""
    name, hvs_type = "exception", 0x13
    fields_desc = _frame(0x13) + [ByteEnumField("vector", 13, enums.EXCEPTION_VECTORS), ByteField("has_error", 0),
                                  LEIntField("error", 0)]
    hvs_kinds = {"vector": "exc_vector", "has_error": "bool"}


class TripleFault(Record):
    name, hvs_type = "triple-fault", 0x14
    fields_desc = _frame(0x14)


class PreemptionTimer(Record):
    name, hvs_type = "preemption-timer", 0x15
    fields_desc = _frame(0x15)


class Nmi(Record):
    name, hvs_type = "nmi", 0x16
    fields_desc = _frame(0x16)


class MemAccess(Record):
    """The guest reads, writes or fetches guest-physical memory; resolved through the sim's EPT walk. For
    MMIO the replay's device answers a read with value and completes the instruction by instr_len."""
    name, hvs_type = "mem-access", 0x17
    fields_desc = _frame(0x17) + [_u64("gpa"), ByteEnumField("access", 1, enums.MEM_ACCESS_TYPES),
                                  ByteField("size", 4), _u64("value"), ByteField("instr_len", 3)]
    hvs_kinds = {"access": "access", "size": "mem_size", "instr_len": "instr_len"}


class MemInsn(Record):
    """The guest executes these instruction bytes (written at CS:RIP first) and so accesses gpa; the core
    fetches and decodes them on an MMIO exit. value answers a read. A variable record: the bytes follow the
    17 fixed bytes to the record's end."""
    name, hvs_type = "mem-insn", 0x18
    hvs_has_bytes = True
    hvs_kinds = {"access": "access"}
    fields_desc = _frame(0x18) + [_u64("gpa"), ByteEnumField("access", 2, enums.MEM_ACCESS_TYPES), _u64("value"),
                                  StrLenField("bytes", b"", length_from=lambda p: max(0, (p.length or 17) - 17))]


# Host events (0x30-0x3f): what the host does to the VM's devices (issue 6).
class Key(Record):
    """A key event for the i8042: code is a scancode-set-1 byte, or with ascii=1 a character typed (pressed
    and released). The replay follows it with the host's interrupt (an external-interrupt exit)."""
    name, hvs_type = "key", 0x30
    fields_desc = _frame(0x30) + [ByteField("code", 0x1E), ByteField("ascii", 0)]
    hvs_kinds = {"ascii": "bool"}


class SerialIn(Record):
    """A byte arrives on COM1's receive line (hv_vm_serial_input)."""
    name, hvs_type = "serial-in", 0x31
    fields_desc = _frame(0x31) + [ByteField("byte", 0x41)]


class Wait(Record):
    """Virtual time passes (ns) while the guest runs without exits; device deadlines inside it interrupt."""
    name, hvs_type = "wait", 0x32
    fields_desc = _frame(0x32) + [_u64("ns", 1000000)]


class HostMsg(Record):
    """A host->guest IPC message (hv_vm_send_message): the bytes to the record's end (at most 4096)."""
    name, hvs_type = "host-msg", 0x33
    hvs_has_bytes = True
    fields_desc = _frame(0x33) + [StrLenField("bytes", b"", length_from=lambda p: max(0, p.length or 0))]


# Raw events (0x40-0x7f): state, forced exits, fault injection, VM configuration.
class SetGpr(Record):
    name, hvs_type = "set-gpr", 0x40
    fields_desc = _frame(0x40) + [ByteEnumField("reg", 0, enums.REGS), _u64("value")]
    hvs_kinds = {"reg": "reg"}


class SetMem(Record):
    """A variable record: gpa, then the data to its end (length - 8 bytes, at most 4096)."""
    name, hvs_type = "set-mem", 0x41
    hvs_has_bytes = True
    fields_desc = _frame(0x41) + [_u64("gpa"),
                                  StrLenField("bytes", b"", length_from=lambda p: max(0, (p.length or 8) - 8))]


class ForceExit(Record):
    name, hvs_type = "force-exit", 0x42
    fields_desc = _frame(0x42) + [LEIntEnumField("reason", 0, enums.EXIT_REASONS), _u64("qualification"),
                                  LEIntField("instr_len", 0), LEIntField("instr_info", 0)]


class FailAlloc(Record):
    name, hvs_type = "fail-alloc", 0x43
    fields_desc = _frame(0x43) + [LEIntField("after", 0)]


class FailVmx(Record):
    name, hvs_type = "fail-vmx", 0x44
    fields_desc = _frame(0x44) + [ByteEnumField("insn", 0, enums.SIM_INSNS),
                                  ByteEnumField("status", 2, enums.VMX_STATUSES), LEIntField("error", 0)]
    hvs_kinds = {"insn": "insn", "status": "vmx_status"}


class ConfigQuota(Record):
    """The VM's RAM quota in pages; counts only among the leading records (it configures the VM)."""
    name, hvs_type = "config-quota", 0x45
    fields_desc = _frame(0x45) + [LEIntField("pages", 256)]
    hvs_kinds = {"pages": "quota"}


class ConfigDevices(Record):
    """The VM's virtual hardware: devices (HV_DEV_* bits: 0x01 uart, 0x02 pic, 0x04 pit, 0x08 kbd, 0x10 fb,
    0x20 ipc) and the framebuffer's GPA and size; counts only among the leading records."""
    name, hvs_type = "config-devices", 0x47
    fields_desc = _frame(0x47) + [ByteField("devices", 0x3F), _u64("fb_gpa", 0x200000), LEShortField("fb_width", 64),
                                  LEShortField("fb_height", 64)]
    hvs_kinds = {"devices": "devices", "fb_width": "fb_dim", "fb_height": "fb_dim"}


class MmioRegion(Record):
    """An MMIO region served by the replay's own device."""
    name, hvs_type = "mmio-region", 0x46
    fields_desc = _frame(0x46) + [_u64("gpa", 0xFED00000), _u64("size", 0x1000),
                                  ByteEnumField("kind", 2, enums.REGION_KINDS)]
    hvs_kinds = {"kind": "region_kind"}


RECORD_CLASSES = {cls.hvs_type: cls for cls in Record.__subclasses__() if cls.hvs_type is not None}
assert {t: c._name for t, c in RECORD_CLASSES.items()} == enums.RECORD_TYPES, "layers follow records.c"

bind_layers(Header, Record)
for _cls in [Record, UnknownRecord, *RECORD_CLASSES.values()]:
    bind_layers(_cls, Record)


def iter_layers(pkt):
    """The layers of a stacked packet, top first, without recursion."""
    while pkt is not None and not isinstance(pkt, NoPayload):
        yield pkt
        pkt = pkt.payload


def iter_records(pkt):
    """The record layers under a Header (or of a record chain)."""
    return (layer for layer in iter_layers(pkt) if not isinstance(layer, Header))


def layer_bytes(layer):
    """One layer's own bytes (framing and fields, length filled in), without what is stacked under it."""
    return layer.post_build(layer.self_build(), b"")


def to_bytes(packets):
    """The file for a stacked packet or a list of layers (a list avoids building a deep chain at all).

    Same bytes as ``bytes(pkt)``, but in a loop, so 65536 records do not hit the recursion limit."""
    layers = packets if isinstance(packets, (list, tuple)) else [packets]
    return b"".join(layer_bytes(layer) for top in layers for layer in iter_layers(top))


def stack(layers):
    """Chain layers into one packet bottom-up (each add_payload is then O(1), no deep copies as with ``/``)."""
    layers = list(layers)
    for upper, lower in zip(reversed(layers[:-1]), reversed(layers[1:])):
        upper.add_payload(lower)
    return layers[0] if layers else None
