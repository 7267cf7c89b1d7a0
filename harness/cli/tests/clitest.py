"""The tiny runner the hvkit CLI test scripts share: `script.py HVKIT CASE` runs one @case function.

A case calls hvkit as a user would (run) and states what must hold (expect); the first broken expectation
fails the case with its message."""
import subprocess
import sys

HVKIT = sys.argv[1]
CASES = {}
CLEANUPS = []


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def run(*args, stdin=None):
    p = subprocess.run([HVKIT, *args], input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    name = sys.argv[2]
    try:
        CASES[name]()
    except AssertionError as e:
        print(f"FAIL: {name}: {e}")
        sys.exit(1)
    finally:
        for fn in CLEANUPS:
            fn()
    print(f"PASS: {name}")
