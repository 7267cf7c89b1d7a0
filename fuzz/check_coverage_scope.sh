#!/bin/bash
# fuzz/check_coverage_scope.sh BIN core|harness DIR...: checks whose code a libFuzzer binary takes coverage
# feedback from (fuzz/CMakeLists.txt HVKIT_FUZZ_HARNESS_COVERAGE). Runs BIN once over the inputs in DIR...
# with -print_coverage=1 and counts the covered functions that live in harness/sim or harness/scenario:
# "core" requires none (the harness is uninstrumented), "harness" requires some.
# Exit 0 when it holds, 1 when not, 3 on bad usage.
set -u
[ $# -ge 3 ] || { echo "usage: $0 BIN core|harness DIR..." >&2; exit 3; }
bin=$1 want=$2
shift 2
case "$want" in core|harness) ;; *) echo "$0: the scope is core or harness, not '$want'" >&2; exit 3 ;; esac
[ -x "$bin" ] || { echo "$0: $bin is not an executable" >&2; exit 3; }
covered=$("$bin" -runs=0 -print_coverage=1 "$@" 2>&1 | grep '^COVERED_FUNC:')
[ -n "$covered" ] || { echo "$(basename "$bin"): no COVERED_FUNC lines (not a libFuzzer binary?)"; exit 1; }
n=$(printf '%s\n' "$covered" | grep -c -E ' [^ ]*/harness/(sim|scenario)/[^ ]*:[0-9]+$')
total=$(printf '%s\n' "$covered" | wc -l)
if [ "$want" = core ] && [ "$n" -ne 0 ]; then
    echo "$(basename "$bin"): $n of $total covered functions are the harness's; its coverage should be the core's only"
    exit 1
fi
if [ "$want" = harness ] && [ "$n" -eq 0 ]; then
    echo "$(basename "$bin"): none of $total covered functions is the harness's; it should see the harness's coverage"
    exit 1
fi
echo "$(basename "$bin"): coverage scope $want ok ($n of $total covered functions in the harness)"
