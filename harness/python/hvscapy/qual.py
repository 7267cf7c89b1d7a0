"""Exit qualifications for force-exit records, built from named parts.

A force-exit record carries the raw qualification the sim will hand the core; writing those bit fields by hand
is where test inputs go wrong, so the two layouts the core decodes most are spelled out here (SDM Vol. 3
§28.2.1). Values outside the architectural encodings are allowed on purpose: hostile inputs are the point.
"""
from .enums import CR_ACCESS_TYPES, GPRS, IO_DIRECTIONS, value_of


def cr_qualification(cr, access="mov-to-cr", gpr="rax", lmsw_memory=0, lmsw_data=0):
    """Control-register access (Table 28-3): CR number 3:0, access type 5:4, LMSW operand type 6,
    GPR 11:8, LMSW source data 31:16."""
    a = value_of(CR_ACCESS_TYPES, access)
    g = value_of(GPRS, gpr)
    return (cr & 0xF) | (a & 3) << 4 | (lmsw_memory & 1) << 6 | (g & 0xF) << 8 | (lmsw_data & 0xFFFF) << 16


def io_qualification(port, size=1, direction="out", string=0, rep=0, immediate=0, size_encoding=None):
    """I/O instruction (Table 28-5): size-1 in 2:0 (0, 1 or 3 are defined; size_encoding forces any other),
    direction 3 (1 = IN), string 4, REP 5, immediate operand 6, port 31:16."""
    enc = size - 1 if size_encoding is None else size_encoding
    d = value_of(IO_DIRECTIONS, direction)
    return (enc & 7) | (d & 1) << 3 | (string & 1) << 4 | (rep & 1) << 5 | (immediate & 1) << 6 | (port & 0xFFFF) << 16
