"""The strict reader: accepts exactly the files hvkit's parser accepts (harness/scenario/parse.c).

Scapy's dissection is lenient by design (a truncated field becomes Raw and dissection carries on), which is
right for looking at a broken file and wrong for deciding whether a file is a valid scenario. ``parse``
first walks the bytes with the checks of the format page, in hvkit's order and with hvkit's messages, and
raises HvsFormatError at the first problem; only a file that passes is dissected into layers.
"""
import struct

from .enums import RECORD_TYPES
from .errors import HvsFormatError
from .layers import (HEADER_PREFIX, HEADER_SUFFIX, MAX_MEM_BYTES, MAX_MEMORY_PAGES, MAX_RECORDS, PROFILE_MAX,
                     RECORD_CLASSES, RECORD_PREFIX, VERSION, Header, to_bytes)


# The value checks of records.c (hvs_field_check), by the kind a layer gives its field in hvs_kinds.
FIELD_CHECKS = {
    "port_size": lambda v, name: None if v in (1, 2, 4) else f"port size {v} (must be 1, 2 or 4)",
    "gpr": lambda v, name: None if v < 16 else f"register number {v} out of range (0-15)",
    "reg": lambda v, name: None if v < 18 else f"register number {v} out of range (0-17)",
    "cr": lambda v, name: None if v in (0, 3, 4, 8) else f"control register {v} (must be 0, 3, 4 or 8)",
    "bool": lambda v, name: None if v <= 1 else f"{name} {v} (must be 0 or 1)",
    "exc_vector": lambda v, name: None if v < 32 else f"exception vector {v} out of range (0-31)",
    "vmx_exit": lambda v, name: (None if v in (19, 20, 21, 22, 23, 24, 25, 26, 27, 50, 53, 59) else
                                 f"exit {v} is not a VMX-instruction exit reason (19-27, 50, 53, 59)"),
    "insn": lambda v, name: None if v < 14 else f"VMX instruction {v} unknown (0-13)",
    "vmx_status": lambda v, name: None if v in (1, 2) else f"status {v} (must be 1 VMfailInvalid or 2 VMfailValid)",
    "access": lambda v, name: None if v in (1, 2, 4) else f"access {v} (must be 1 read, 2 write or 4 fetch)",
    "mem_size": lambda v, name: None if v in (1, 2, 4, 8) else f"access size {v} (must be 1, 2, 4 or 8)",
    "instr_len": lambda v, name: None if 1 <= v <= 15 else f"instruction length {v} out of range (1-15)",
    "quota": lambda v, name: (None if 1 <= v <= MAX_MEMORY_PAGES else
                              f"quota of {v} pages out of range (1-{MAX_MEMORY_PAGES})"),
    "region_kind": lambda v, name: None if v in (2, 3) else f"region kind {v} (must be 2 mmio or 3 mmio-np)",
    "devices": lambda v, name: (None if v <= 0x3F else f"devices 0x{v:x} (HV_DEV_* bits: 0x01 uart, 0x02 pic, "
                                "0x04 pit, 0x08 kbd, 0x10 fb, 0x20 ipc)"),
    "fb_dim": lambda v, name: None if v <= 4096 else f"{name} {v} out of range (0-4096)",
}


def _le(data, at, width):
    return int.from_bytes(data[at:at + width], "little")


def check_header(data):
    """The header's checks; returns its size."""
    n = len(data)
    if n < 1:
        raise HvsFormatError(0, "header.version",
                             "truncated header: empty file (a scenario starts with its version byte)")
    if data[0] != VERSION:
        raise HvsFormatError(0, "header.version",
                             f"version {data[0]} not supported (this hvkit reads version {VERSION})")
    for i in range(1, 4):
        if i >= n:
            raise HvsFormatError(i, "header.magic", 'truncated header: magic "HVS" ends early')
        if data[i] != b"HVS"[i - 1]:
            raise HvsFormatError(i, "header.magic", f"bad magic: 0x{data[i]:02x}, expected '{'HVS'[i - 1]}' "
                                 '(the magic is "HVS")')
    if n < HEADER_PREFIX:
        raise HvsFormatError(4, "header.profile_len", "truncated header: no profile name length")
    plen = data[4]
    if n < HEADER_PREFIX + plen:
        raise HvsFormatError(HEADER_PREFIX, "header.profile",
                             f"truncated header: profile name of {plen} bytes, {n - HEADER_PREFIX} left")
    if plen == 0:
        raise HvsFormatError(HEADER_PREFIX, "header.profile", "profile name is empty")
    if plen > PROFILE_MAX:
        raise HvsFormatError(4, "header.profile_len",
                             f"profile name of {plen} bytes is too long (at most {PROFILE_MAX})")
    for i, c in enumerate(data[HEADER_PREFIX:HEADER_PREFIX + plen]):
        if not 0x21 <= c <= 0x7E:
            raise HvsFormatError(HEADER_PREFIX, "header.profile",
                                 f"profile name byte {i} is 0x{c:02x}, not printable ASCII")
        if c == 0x23:
            raise HvsFormatError(HEADER_PREFIX, "header.profile",
                                 f"profile name byte {i} is '#', which the text form reserves for comments")
    p = HEADER_PREFIX + plen
    if n - p < HEADER_SUFFIX:
        raise HvsFormatError(p, "header.memory_pages", f"truncated header: {HEADER_SUFFIX} bytes of VM "
                             f"configuration expected, {n - p} left")
    pages = _le(data, p, 4)
    if not 1 <= pages <= MAX_MEMORY_PAGES:
        raise HvsFormatError(p, "header.memory_pages", f"memory pages {pages} out of range (1-{MAX_MEMORY_PAGES})")
    if data[p + 4] > 1:
        raise HvsFormatError(p + 4, "header.guest_mode", f"guest mode {data[p + 4]} unknown (0 program64, 1 real)")
    return p + HEADER_SUFFIX


def check_record(data, at):
    """One record's checks at offset at; returns its size."""
    left = len(data) - at
    if left < RECORD_PREFIX:
        raise HvsFormatError(at, "record", f"truncated record: {left} byte{'' if left == 1 else 's'} left, "
                             "a record starts with type and length (3 bytes)")
    rtype = data[at]
    plen = struct.unpack_from("<H", data, at + 1)[0]
    cls = RECORD_CLASSES.get(rtype)
    if cls is None:
        raise HvsFormatError(at, "record.type", f"unknown record type 0x{rtype:02x}")
    name, fixed = RECORD_TYPES[rtype], cls.fixed_length()
    if getattr(cls, "hvs_has_bytes", False):
        if plen < fixed:
            raise HvsFormatError(at + 1, f"{name}.length", f"{name} payload length {plen}, expected at least {fixed}")
        if plen - fixed > MAX_MEM_BYTES:
            raise HvsFormatError(at + 1, f"{name}.length", f"{name} of {plen - fixed} bytes is longer than "
                                 f"{MAX_MEM_BYTES} (HVS_MAX_MEM_BYTES)")
    elif plen != fixed:
        raise HvsFormatError(at + 1, f"{name}.length", f"{name} payload length {plen}, expected {fixed}")
    p = at + RECORD_PREFIX
    if len(data) - p < plen:
        raise HvsFormatError(at, f"{name}.length",
                             f"truncated record: {name} payload of {plen} bytes, {len(data) - p} left")
    for f in cls.payload_fields():
        kind = cls.hvs_kinds.get(f.name)
        why = FIELD_CHECKS[kind](_le(data, p, f.sz), f.name) if kind else None
        if why:
            raise HvsFormatError(p, f"{name}.{f.name}", f"{name}: {why}")
        p += f.sz
    return RECORD_PREFIX + plen


def record_offsets(data):
    """Validate data as a whole scenario; the byte offset of every record (hvkit's checks, hvkit's order)."""
    data = bytes(data)
    pos = check_header(data)
    offsets = []
    while pos < len(data):
        if len(offsets) == MAX_RECORDS:
            raise HvsFormatError(pos, "record", f"more than {MAX_RECORDS} records")
        offsets.append(pos)
        pos += check_record(data, pos)
    return offsets


def parse(data):
    """A valid scenario's layers (Header/records...); HvsFormatError for anything hvkit would refuse."""
    record_offsets(data)
    return Header(bytes(data))


def load(path):
    """parse() of a binary .hvs file (text .hvt files are hvkit asm's to read)."""
    with open(path, "rb") as f:
        return parse(f.read())


def check_packets(packets):
    """The bytes of built layers, after the strict checks, so nothing invalid gets written."""
    data = to_bytes(packets)
    record_offsets(data)
    return data
