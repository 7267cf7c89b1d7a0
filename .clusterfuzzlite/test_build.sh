#!/bin/bash
# ctest fuzz.clusterfuzzlite_build: runs .clusterfuzzlite/build.sh as OSS-Fuzz would (no Docker here), with
# OSS-Fuzz-style variables into a temporary $OUT, then runs every produced fuzzer over its unzipped seed
# corpus (`<fuzzer> -runs=0 [-dict=<target>.dict] DIR`: every input executed once, the dictionary parsed).
# Passes when the build succeeds, every target listed in fuzz/CMakeLists.txt was produced with its seed
# corpus, every run exits 0, and every binary takes coverage from the code fuzz/CMakeLists.txt says
# (HVKIT_FUZZ_HARNESS_COVERAGE; fuzz/check_coverage_scope.sh).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/hvkit-cflite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CC=${CFLITE_CC:-clang-14} CXX=${CFLITE_CXX:-clang++-14}
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SRC="$tmp/src" WORK="$tmp/work" OUT="$tmp/out"
mkdir -p "$SRC" "$WORK" "$OUT"
ln -s "$root" "$SRC/hvkit"

if ! (cd "$SRC/hvkit" && bash "$root/.clusterfuzzlite/build.sh") > "$tmp/build.log" 2>&1; then
    tail -40 "$tmp/build.log"
    echo "cflite: build.sh FAILED"
    exit 1
fi
cat "$tmp/build.log"

status=0
# Every target the CMake build knows must come out of build.sh too.
expected=$(sed -n 's/^set(HVKIT_FUZZ_TARGETS \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt")
for t in $expected; do
    [ -x "$OUT/$t" ] || { echo "cflite: $t was not built"; status=1; }
done

harness_coverage=$(sed -n 's/^set(HVKIT_FUZZ_HARNESS_COVERAGE \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt")
n=0
for bin in "$OUT"/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    t=$(basename "$bin")
    n=$((n + 1))
    corpus="$tmp/corpus/$t"
    mkdir -p "$corpus"
    if [ -f "$OUT/${t}_seed_corpus.zip" ]; then
        unzip -q -o "$OUT/${t}_seed_corpus.zip" -d "$corpus"
    else
        echo "cflite: $t has no ${t}_seed_corpus.zip"; status=1
    fi
    dict=()
    [ -s "$OUT/$t.dict" ] && dict=(-dict="$OUT/$t.dict")
    files=$(find "$corpus" -type f | wc -l)
    if "$bin" -runs=0 -artifact_prefix="$tmp/" "${dict[@]}" "$corpus" > "$tmp/run_$t.log" 2>&1; then
        echo "cflite: $t ran its $files seed files$([ ${#dict[@]} -gt 0 ] && echo " with $t.dict"): ok"
    else
        tail -30 "$tmp/run_$t.log"
        echo "cflite: $t FAILED on its seed corpus ($files files)"; status=1
    fi
    # Whose coverage guides it, as in the CMake build (fuzz/CMakeLists.txt HVKIT_FUZZ_HARNESS_COVERAGE).
    scope=core
    case " $harness_coverage " in *" $t "*) scope=harness ;; esac
    "$root/fuzz/check_coverage_scope.sh" "$bin" "$scope" "$corpus" | sed 's/^/cflite: /'
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
done
[ "$n" -gt 0 ] || { echo "cflite: no fuzzers in \$OUT"; status=1; }
[ "$status" = 0 ] && echo "cflite: $n fuzzers built and ran their seed corpora"
exit $status
