#!/usr/bin/python3
"""Seeds of fuzz_scenario (the scenario parser, writer and text form): every scenario of the fuzz_exits,
which hold a record of every type with its fields, copied under the same names. Deterministic; never
overwrites a seed with different bytes.

    /usr/bin/python3 corpora/fuzz_scenario/scripts/seeds.py [--out DIR]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from seedfiles import write_seeds  # noqa: E402  (corpora/seedfiles.py: the no-overwrite writer)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "fuzz_exits", "seeds")


def seeds():
    out = {}
    for name in sorted(os.listdir(SOURCE)):
        if name.endswith(".hvs"):
            with open(os.path.join(SOURCE, name), "rb") as f:
                out[name] = f.read()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "seeds"))
    return write_seeds(ap.parse_args().out, seeds())


if __name__ == "__main__":
    sys.exit(main())
