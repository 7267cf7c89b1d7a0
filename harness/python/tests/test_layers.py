"""The layers: building gives hvkit's bytes, dissecting gives the layers back, every record type round-trips,
and the strict parser refuses malformed files naming the byte offset and the field."""
import struct

import pytest

from hvscapy import (RECORD_CLASSES, RECORD_TYPES, Cpuid, FailVmx, ForceExit, GuestException, Header,
                     HvsFormatError, Hlt, MovToCr, PortIn, PortOut, SetGpr, SetMem, UnknownRecord, Vmcall,
                     check_packets, cr_qualification, io_qualification, iter_records, parse, stack, to_bytes)
from hvscapy.layers import Record

# Issue 3's acceptance scenario as `hvkit asm harness/scenario/examples/acceptance.hvt` writes it.
ACCEPTANCE = bytes.fromhex(
    "014856530d626f6368732d68617377656c6c00040000000010000000000000008000000000000001080000000000000000"
    "00020700f80301410000000628" + "00" * 41 + "070000")


def acceptance():
    return Header(profile="bochs-haswell")/Cpuid(eax=0)/PortOut(port=0x3f8, size=1, value=0x41)/Vmcall()/Hlt()


def test_the_issue_example_builds_the_acceptance_file():
    assert bytes(acceptance()) == ACCEPTANCE
    assert check_packets(acceptance()) == ACCEPTANCE


def test_dissecting_gives_the_same_layers_back():
    pkt = parse(ACCEPTANCE)
    assert [type(layer) for layer in [pkt, *iter_records(pkt)]] == [Header, Cpuid, PortOut, Vmcall, Hlt]
    assert pkt[PortOut].port == 0x3f8 and pkt[PortOut].size == 1 and pkt[PortOut].value == 0x41
    assert pkt.profile == b"bochs-haswell" and pkt.memory_pages == 1024 and pkt.entry == 0x1000
    assert bytes(pkt) == ACCEPTANCE


def test_header_layout_version_first_then_magic_then_length_prefixed_profile():
    b = bytes(Header(profile="max", memory_pages=256, guest_mode=1, entry=0x7c00, stack=0x7000))
    assert b[0] == 1 and b[1:4] == b"HVS" and b[4] == 3 and b[5:8] == b"max"
    assert struct.unpack("<IBQQ", b[8:]) == (256, 1, 0x7c00, 0x7000)
    assert len(b) == 26 + 3


def test_every_record_type_round_trips_with_its_framing():
    for rtype, cls in RECORD_CLASSES.items():
        rec = cls()
        raw = bytes(rec)
        assert raw[0] == rtype and struct.unpack("<H", raw[1:3])[0] == len(raw) - 3 == cls.fixed_length()
        data = check_packets([Header(), cls(**{"size": 4} if "size" in [f.name for f in cls.fields_desc] else {})])
        back = list(iter_records(parse(data)))
        assert len(back) == 1 and type(back[0]) is cls and to_bytes(parse(data)) == data


def test_field_widths_are_records_c():
    widths = {RECORD_TYPES[t]: [(f.name, f.sz) for f in cls.payload_fields()] for t, cls in RECORD_CLASSES.items()}
    assert widths["port-out"] == [("port", 2), ("size", 1), ("value", 4)]
    assert widths["vmcall"] == [(r, 8) for r in ("rax", "rbx", "rcx", "rdx", "rsi")]
    assert widths["force-exit"] == [("reason", 4), ("qualification", 8), ("instr_len", 4), ("instr_info", 4)]
    assert widths["fail-vmx"] == [("insn", 1), ("status", 1), ("error", 4)]
    assert widths["exception"] == [("vector", 1), ("has_error", 1), ("error", 4)]
    assert widths["set-mem"] == [("gpa", 8)]


def test_set_mem_is_variable_length():
    data = check_packets([Header(), SetMem(gpa=0x1000, bytes=b"\x90" * 4), SetMem(gpa=0x2000, bytes=b""),
                          SetMem(gpa=0, bytes=bytes(4096))])
    recs = list(iter_records(parse(data)))
    assert [r.length for r in recs] == [12, 8, 8 + 4096]
    assert recs[0].bytes == b"\x90" * 4 and recs[1].bytes == b"" and len(recs[2].bytes) == 4096


def test_enum_names_are_accepted_and_shown():
    rec = FailVmx(insn="vmresume", status="valid", error=5)
    assert (rec.insn, rec.status) == (9, 2)
    assert SetGpr(reg="rflags").reg == 17 and MovToCr(gpr="r15").gpr == 15
    assert PortIn(port="com1").port == 0x3f8 and Vmcall(rax="shutdown").rax == 2
    assert ForceExit(reason="I/O instruction").reason == 30
    assert "vmresume" in rec.show(dump=True) and "com1" in PortOut(port=0x3f8).show(dump=True)
    assert GuestException(vector="#GP").vector == 13


def test_qualification_helpers():
    assert io_qualification(0x3f8, 1, "out") == 0x3f80000  # handlers/io.hvt's first exit
    assert io_qualification(0x60, 1, "in") | 0x40 == 0x600048
    assert cr_qualification(4, "mov-to-cr", "rcx") == 0x104
    assert cr_qualification(8, "mov-from-cr", "rdx") == 0x218


def test_unknown_type_dissects_leniently_but_parse_refuses():
    data = bytes(Header()) + b"\x3f\x02\x00ab"
    assert isinstance(Header(data).payload, UnknownRecord)
    with pytest.raises(HvsFormatError) as e:
        parse(data)
    assert (e.value.offset, e.value.field) == (39, "record.type")
    assert str(e.value) == "byte 39: unknown record type 0x3f"


def test_long_scenarios_need_no_recursion():
    layers = [Header()] + [Cpuid(eax=i) for i in range(5000)]
    data = check_packets(layers)
    pkt = parse(data)
    assert to_bytes(pkt) == data and sum(1 for _ in iter_records(pkt)) == 5000
    assert to_bytes(stack(layers)) == data


def test_more_than_65536_records_is_refused():
    data = bytes(Header()) + bytes([0x07, 0, 0]) * 65537
    with pytest.raises(HvsFormatError) as e:
        parse(data)
    assert e.value.offset == 39 + 3 * 65536 and "more than 65536 records" in str(e.value)


H = bytes(Header())                           # 39 bytes, bochs-haswell
CPUID = bytes(Cpuid(eax=1))

# (what, bytes, offset, field, message): the format page's error table, in hvkit's words.
MALFORMED = [
    ("empty", b"", 0, "header.version", "truncated header: empty file"),
    ("wrong version", b"\x07" + H[1:], 0, "header.version", "version 7 not supported (this hvkit reads version 1)"),
    ("version 0", b"\x00HVS", 0, "header.version", "version 0 not supported"),
    ("bad magic", b"\x01HXS" + H[4:], 2, "header.magic", "bad magic: 0x58, expected 'V'"),
    ("magic ends", b"\x01HV", 3, "header.magic", 'magic "HVS" ends early'),
    ("no profile length", b"\x01HVS", 4, "header.profile_len", "no profile name length"),
    ("profile truncated", b"\x01HVS\x0dbochs", 5, "header.profile", "profile name of 13 bytes, 5 left"),
    ("profile too long", b"\x01HVS\x21" + b"a" * 33 + H[18:], 4, "header.profile_len",
     "profile name of 33 bytes is too long (at most 32)"),
    ("profile empty", b"\x01HVS\x00" + H[18:], 5, "header.profile", "profile name is empty"),
    ("profile space", b"\x01HVS\x03a b" + H[18:], 5, "header.profile", "profile name byte 1 is 0x20"),
    ("config truncated", H[:38], 18, "header.memory_pages", "21 bytes of VM configuration expected, 20 left"),
    ("zero pages", H[:18] + b"\0\0\0\0" + H[22:], 18, "header.memory_pages", "memory pages 0 out of range (1-"),
    ("too many pages", H[:18] + b"\xff" * 4 + H[22:], 18, "header.memory_pages",
     "memory pages 4294967295 out of range"),
    ("guest mode", H[:22] + b"\x02" + H[23:], 22, "header.guest_mode", "guest mode 2 unknown (0 program64, 1 real)"),
    ("record prefix", H + b"\x01\x08", 39, "record", "truncated record: 2 bytes left"),
    ("unknown type", H + b"\x3f\x00\x00", 39, "record.type", "unknown record type 0x3f"),
    ("type 0", H + CPUID + b"\x00\x00\x00", 50, "record.type", "unknown record type 0x00"),
    ("length", H + b"\x01\x07\x00" + bytes(7), 40, "cpuid.length", "cpuid payload length 7, expected 8"),
    ("set-mem short", H + b"\x41\x04\x00" + bytes(4), 40, "set-mem.length", "expected at least 8"),
    ("set-mem long", H + b"\x41" + struct.pack("<H", 8 + 4097) + bytes(8 + 4097), 40, "set-mem.length",
     "set-mem of 4097 bytes is longer than 4096 (HVS_MAX_MEM_BYTES)"),
    ("payload truncated", H + CPUID[:7], 39, "cpuid.length", "truncated record: cpuid payload of 8 bytes, 4 left"),
    ("vmcall truncated", H + CPUID + bytes(Vmcall())[:20], 50, "vmcall.length",
     "truncated record: vmcall payload of 40 bytes, 17 left"),
    ("port size", H + bytes(PortOut(size=3)), 44, "port-out.size", "port-out: port size 3 (must be 1, 2 or 4)"),
    ("set-gpr reg", H + bytes(SetGpr(reg=18)), 42, "set-gpr.reg", "set-gpr: register number 18 out of range (0-17)"),
    ("cr", H + bytes(MovToCr(cr=2)), 42, "mov-to-cr.cr", "control register 2 (must be 0, 3, 4 or 8)"),
    ("gpr", H + bytes(MovToCr(gpr=16)), 43, "mov-to-cr.gpr", "register number 16 out of range (0-15)"),
    ("has_error", H + bytes(GuestException(vector=13, has_error=2)), 43, "exception.has_error",
     "exception: has_error 2 (must be 0 or 1)"),
    ("vector", H + bytes(GuestException(vector=32)), 42, "exception.vector", "exception vector 32 out of range"),
    ("vmx exit", H + b"\x12\x02\x00\x1c\x00", 42, "vmx-insn.exit", "exit 28 is not a VMX-instruction exit reason"),
    ("insn", H + bytes(FailVmx(insn=14)), 42, "fail-vmx.insn", "VMX instruction 14 unknown (0-13)"),
    ("status", H + bytes(FailVmx(status=0)), 43, "fail-vmx.status", "status 0 (must be 1 VMfailInvalid"),
]


@pytest.mark.parametrize("what,data,offset,field,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_name_the_offset_and_the_field(what, data, offset, field, message):
    with pytest.raises(HvsFormatError) as e:
        parse(data)
    assert e.value.offset == offset and e.value.field == field, str(e.value)
    assert str(e.value).startswith(f"byte {offset}: ") and message in str(e.value)


def test_zero_records_is_valid():
    assert list(iter_records(parse(H))) == []


def test_record_dispatch_by_type_byte():
    assert type(Record(bytes(PortOut(port=1, size=2)))) is PortOut
