"""One format, two implementations: hvscapy's dissection must equal `hvkit dump` line for line, and both must
refuse a malformed file with the same byte offset and the same reason."""
import os

import pytest

from conftest import CORPUS, hvscapy, run
from test_layers import MALFORMED

from hvscapy import dump_lines, load


def same_dump(hvkit, path, cli=True):
    """hvkit dump == hvscapy's dump_lines, and (cli) == the hvscapy command's output."""
    c = run(hvkit, "dump", path)
    assert c.returncode == 0, c.stderr
    py = "\n".join(dump_lines(load(path))) + "\n"
    assert py == c.stdout, f"{path}: hvscapy and hvkit dump differ"
    if cli:
        p = hvscapy("dump", path)
        assert p.returncode == 0 and p.stdout == c.stdout, p.stderr


def test_every_example_dumps_the_same(hvkit, example_files):
    assert len(example_files) >= 15
    for path in example_files:
        same_dump(hvkit, path)


def test_every_corpus_file_dumps_the_same(hvkit):
    assert CORPUS, "corpora/ holds no .hvs files"
    for path in CORPUS:
        same_dump(hvkit, path)


def test_every_generated_file_dumps_the_same(hvkit, generated_files):
    assert len(generated_files) == 150
    for i, path in enumerate(generated_files):
        same_dump(hvkit, path, cli=i < 10)  # the command costs a Python start; the function is what differs


def test_hvkit_reads_python_built_bytes_back(hvkit, tmp_path):
    """hvkit asm of the text form and hvscapy's layers write the same file."""
    from test_layers import ACCEPTANCE
    src = os.path.join(os.path.dirname(__file__), "..", "..", "scenario", "examples", "acceptance.hvt")
    out = tmp_path / "a.hvs"
    assert run(hvkit, "asm", src, "-o", str(out)).returncode == 0
    assert out.read_bytes() == ACCEPTANCE


@pytest.mark.parametrize("what,data,offset,field,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_are_refused_alike(hvkit, tmp_path, what, data, offset, field, message):
    path = tmp_path / "bad.hvs"
    path.write_bytes(data)
    c = run(hvkit, "dump", str(path))
    p = hvscapy("dump", str(path))
    assert c.returncode == 3 and p.returncode == 3
    assert c.stderr.replace("hvkit:", "hvscapy:", 1) == p.stderr
    assert f": byte {offset}: " in p.stderr
