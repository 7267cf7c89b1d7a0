"""``hvscapy dump``: the same JSON lines as ``hvkit dump`` (docs/scenario-format.md, harness/cli/cmd_dump.c).

Two implementations of one format stay one format only if something compares them; this is the Python side
of that comparison (tests/test_equivalence.py diffs it against hvkit's output byte for byte). Key order,
integer formatting and the hex of set-mem data follow cmd_dump.c.
"""
import json

from .enums import GUEST_MODES
from .layers import RECORD_PREFIX, iter_records, layer_bytes


def _line(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def header_object(h, nrecords):
    profile = h.profile.decode("ascii") if isinstance(h.profile, bytes) else h.profile
    length = len(layer_bytes(h))
    return {"offset": 0, "kind": "header", "length": length, "version": h.version, "magic": "HVS",
            "profile": profile, "memory_pages": h.memory_pages, "guest_mode": h.guest_mode,
            "guest_mode_name": GUEST_MODES.get(h.guest_mode, "?"), "entry": h.entry, "stack": h.stack,
            "records": nrecords}


def record_fields(r):
    """A record's fields by name, numbers as numbers and variable data as hex: hvkit dump's "fields"."""
    fields = {f.name: r.getfieldval(f.name) for f in r.payload_fields()}
    if getattr(r, "hvs_has_bytes", False):
        fields["bytes"] = bytes(r.getfieldval("bytes")).hex()
    return fields


def dump_lines(pkt):
    """The JSON lines of a parsed scenario (hvscapy.parse), header first."""
    records = list(iter_records(pkt))
    lines = [_line(header_object(pkt, len(records)))]
    off = len(layer_bytes(pkt))
    for k, r in enumerate(records):
        size = len(layer_bytes(r))
        lines.append(_line({"offset": off, "kind": "record", "index": k, "type": r.type, "name": r.name,
                            "length": size - RECORD_PREFIX, "fields": record_fields(r)}))
        off += size
    return lines
