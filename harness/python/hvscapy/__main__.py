"""The hvscapy command: show, dump, build, gen, diff (``/usr/bin/python3 -m hvscapy``, or harness/python/hvscapy-cli).

Exit statuses follow hvkit's where they mean the same thing: 0 ok, 3 bad input or usage, with one line on
stderr naming the file and the byte offset; ``diff`` adds 1 for "the scenarios differ".
"""
import argparse
import os
import runpy
import sys

from .diff import differences
from .dump import dump_lines
from .errors import HvsFormatError
from .gen import generate, write_new
from .parse import check_packets, load
from .show import show_text

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT = 0, 1, 3


class BadInput(Exception):
    """A problem with the command's input: printed as "hvscapy: WHAT: why", exit 3."""


def _load(path):
    try:
        return load(path)
    except HvsFormatError as e:
        raise BadInput(f"{path}: {e}") from e
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}") from e


def cmd_show(args):
    print(show_text(_load(args.file)))
    return EXIT_OK


def cmd_dump(args):
    print("\n".join(dump_lines(_load(args.file))))
    return EXIT_OK


def cmd_build(args):
    if os.path.exists(args.output):
        raise BadInput(f"{args.output}: exists (build never overwrites a file)")
    namespace = runpy.run_path(args.script, run_name="hvscapy_build")
    if not callable(namespace.get("build")):
        raise BadInput(f"{args.script}: defines no function build() returning the scenario's layers")
    try:
        data = check_packets(namespace["build"]())
    except HvsFormatError as e:
        raise BadInput(f"{args.script}: the built scenario is not valid: {e}") from e
    with open(args.output, "xb") as f:
        f.write(data)
    print(f"hvscapy: {args.output}: {len(data)} bytes", file=sys.stderr)
    return EXIT_OK


def cmd_gen(args):
    if args.count < 0:
        raise BadInput("--count: must be 0 or more")
    try:
        written, same = write_new(args.output, generate(args.count, args.seed))
    except FileExistsError as e:
        raise BadInput(str(e)) from e
    print(f"hvscapy: {args.output}: {len(written)} written, {len(same)} already there with the same bytes",
          file=sys.stderr)
    return EXIT_OK


def cmd_diff(args):
    lines = differences(_load(args.a), _load(args.b))
    for line in lines:
        print(line)
    print(f"{len(lines)} difference{'' if len(lines) == 1 else 's'}" if lines else "same scenario")
    return EXIT_DIFFERENT if lines else EXIT_OK


def parser():
    p = argparse.ArgumentParser(prog="hvscapy", description="scapy layers for hvkit scenarios "
                                "(docs/scenario-format.md)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("show", help="every layer with its field names (scapy show())")
    s.add_argument("file")
    s.set_defaults(run=cmd_show)
    s = sub.add_parser("dump", help="JSON lines, identical to hvkit dump")
    s.add_argument("file")
    s.set_defaults(run=cmd_dump)
    s = sub.add_parser("build", help="run SCRIPT's build() and write the layers it returns")
    s.add_argument("script")
    s.add_argument("-o", dest="output", required=True, help="output .hvs (never overwritten)")
    s.set_defaults(run=cmd_build)
    s = sub.add_parser("gen", help="random well-formed scenarios (fuzz() plus constraints)")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("-o", dest="output", required=True, help="directory (existing files are never replaced)")
    s.set_defaults(run=cmd_gen)
    s = sub.add_parser("diff", help="record-by-record differences; exit 0 same, 1 different")
    s.add_argument("a")
    s.add_argument("b")
    s.set_defaults(run=cmd_diff)
    return p


def main(argv=None):
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as e:  # argparse's usage errors are 2; hvkit's are 3
        return EXIT_OK if e.code == 0 else EXIT_BAD_INPUT
    try:
        return args.run(args)
    except BadInput as e:
        print(f"hvscapy: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
