"""``hvscapy diff``: two scenarios compared record by record, each difference with its byte offset.

Files are compared as scenarios, not as bytes: the header field by field, then record k of one against
record k of the other, so a changed value says which record and which field, and an inserted record shows
as the point where the two stop matching (then each extra record is listed).
"""
from .layers import iter_records, layer_bytes

HEADER_FIELDS = ("version", "profile", "memory_pages", "guest_mode", "entry", "stack")


def _val(v):
    if isinstance(v, bytes):
        return v.decode("ascii", "replace") if v.isascii() else v.hex()
    return hex(v) if isinstance(v, int) and v > 9 else str(v)


def _with_offsets(pkt):
    off = len(layer_bytes(pkt))
    for r in iter_records(pkt):
        yield off, r
        off += len(layer_bytes(r))


def _where(oa, ob, k):
    return f"byte {oa}, record {k}" if oa == ob else f"byte {oa}/{ob}, record {k}"


def differences(a, b):
    """Lines describing how parsed scenario b differs from a; empty when they are the same scenario."""
    out = []
    for name in HEADER_FIELDS:
        va, vb = a.getfieldval(name), b.getfieldval(name)
        if va != vb:
            out.append(f"byte 0, header: {name} {_val(va)} != {_val(vb)}")
    ra, rb = list(_with_offsets(a)), list(_with_offsets(b))
    for k, ((oa, x), (ob, y)) in enumerate(zip(ra, rb)):
        if x.type != y.type:
            out.append(f"{_where(oa, ob, k)}: {x.name} != {y.name}")
            continue
        for f in x.fields_desc[2:]:
            vx, vy = x.getfieldval(f.name), y.getfieldval(f.name)
            if vx != vy:
                out.append(f"{_where(oa, ob, k)} ({x.name}): {f.name} {_val(vx)} != {_val(vy)}")
    for which, extra in (("A", ra[len(rb):]), ("B", rb[len(ra):])):
        for k, (off, r) in enumerate(extra, start=min(len(ra), len(rb))):
            out.append(f"byte {off}, record {k} ({r.name}): only in {which}")
    return out
