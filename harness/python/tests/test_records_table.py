"""hvscapy keeps in step with the C format: its layers must say what harness/scenario/records.c says.

The record table is read from the C sources (type numbers from scenario.h, rows from records.c, bounds from
records.h), so a record type, field, width or value check added on the C side fails here until the layers
follow — the dump comparison alone would only notice once a file used the new record."""
import os
import re

from conftest import REPO

from hvscapy import RECORD_CLASSES, RECORD_TYPES
from hvscapy.layers import MAX_MEMORY_PAGES
from hvscapy.parse import FIELD_CHECKS

SCENARIO = os.path.join(REPO, "harness", "scenario")


def read(name):
    with open(os.path.join(SCENARIO, name)) as f:
        return f.read()


def c_table():
    numbers = {m[1]: int(m[2], 16) for m in re.finditer(r"(HVS_\w+) = (0x[0-9a-fA-F]+)", read("scenario.h"))}
    rows = {}
    for m in re.finditer(r'\{(HVS_\w+), "([a-z-]+)", (\d+),(.*?)\},\s*(true|false)\}', read("records.c"), re.S):
        fields = [(f[1], int(f[2]), None if f[3] == "NUM" else f[3].lower())
                  for f in re.finditer(r'F\("(\w+)", (\d), (\w+)\)', m[4])]
        assert len(fields) == int(m[3]), m[0]
        rows[numbers[m[1]]] = (m[2], fields, m[5] == "true")
    return rows


def test_every_record_type_of_records_c_has_a_layer_with_its_fields():
    rows = c_table()
    assert len(rows) >= 27
    ours = {t: (RECORD_TYPES[t], [(f.name, f.sz, cls.hvs_kinds.get(f.name)) for f in cls.payload_fields()],
                getattr(cls, "hvs_has_bytes", False)) for t, cls in RECORD_CLASSES.items()}
    assert ours == rows


def test_every_value_check_kind_is_implemented():
    kinds = {k.lower() for k in re.findall(r"HVS_FK_(\w+),", read("records.h"))} - {"num"}
    assert kinds == set(FIELD_CHECKS)


def test_memory_bound_is_records_h():
    m = re.search(r"#define HVS_MAX_MEMORY_PAGES \(?(\d+)u?( << (\d+))?", read("records.h"))
    bound = int(m[1]) << int(m[3]) if m[3] else int(m[1])
    assert bound == MAX_MEMORY_PAGES
