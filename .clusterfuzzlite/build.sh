#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script for hvkit (issue 7 item 6).
#
# Honours the OSS-Fuzz build environment: $CC $CXX $CFLAGS $LIB_FUZZING_ENGINE $OUT (and $SRC $WORK).
# Builds the hosted hvkit libraries (hv-core/src, harness/sim, harness/scenario) with $CFLAGS (the harness
# also without sanitizer coverage, for the targets the core alone should guide; see step 1), compiles each
# fuzz target fuzz/fuzz_*.c with $CFLAGS, links it with $LIB_FUZZING_ENGINE into $OUT/<target>, and ships
# $OUT/<target>_seed_corpus.zip (corpora/<target>/seeds + regressions) and $OUT/<target>.dict.
#
# It calls the compiler directly rather than CMake: the OSS-Fuzz base image's CMake may be older than the
# 3.25 the project needs, and $LIB_FUZZING_ENGINE may be a library (AFL++, honggfuzz) rather than a flag, which
# the CMake fuzz build does not model. The ctest test fuzz.clusterfuzzlite_build (.clusterfuzzlite/test_build.sh)
# runs this script with OSS-Fuzz-style variables, so it cannot silently drift from the tree.

: "${CC:=clang}"
: "${CXX:=clang++}"
: "${CFLAGS:=}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:?OUT must name the output directory}"
: "${WORK:=$(mktemp -d)}"

# The repository: the current directory in the OSS-Fuzz image (WORKDIR $SRC/hvkit), else $SRC/hvkit, else
# the directory above this script.
if [ -d fuzz ] && [ -d hv-core ]; then
    root=$PWD
elif [ -n "${SRC:-}" ] && [ -d "$SRC/hvkit/hv-core" ]; then
    root=$SRC/hvkit
else
    root=$(cd "$(dirname "$0")/.." && pwd)
fi
cd "$root"

targets=()
for src in fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    t=$(basename "$src" .c)
    # fuzz_planted is the test-only target with a deliberate bug (F2's proof test); never ship it.
    case "$t" in fuzz_planted*) continue ;; esac
    targets+=("$t")
done
if [ ${#targets[@]} -eq 0 ]; then
    echo "build.sh: no fuzz targets (fuzz/fuzz_*.c) in $root" >&2
    exit 1
fi

mkdir -p "$OUT" "$WORK/obj"
jobs=$(nproc 2>/dev/null || echo 2)
includes=(-I"$root/hv-core/include" -I"$root/hv-core/src" -I"$root/harness/sim" -I"$root/harness/scenario"
          -I"$root/harness/decode_diff" -I"$root/fuzz")
# shellcheck disable=SC2206  # CFLAGS is a list of flags by convention
cflags=($CFLAGS -std=c11 -Wall -Wextra)

# Zydis (fuzz_decode's reference decoder): the system's, or v4 built from $SRC/zydis in the OSS-Fuzz image.
zydis_link=(-lZydis)
zydis_inc=()
if ! echo 'int main(void){return 0;}' | "$CC" -x c - -lZydis -o "$WORK/zydis_probe" 2>/dev/null; then
    if [ -n "${SRC:-}" ] && [ -d "$SRC/zydis" ]; then
        cmake -S "$SRC/zydis" -B "$WORK/zydis" -DZYDIS_BUILD_TOOLS=OFF -DZYDIS_BUILD_EXAMPLES=OFF \
              -DZYDIS_BUILD_SHARED_LIB=OFF -DCMAKE_C_COMPILER="$CC" >/dev/null
        cmake --build "$WORK/zydis" -j "$jobs" >/dev/null
        zydis_link=("$WORK/zydis/libZydis.a" "$WORK/zydis/zycore/libZycore.a")
        zydis_inc=(-I"$SRC/zydis/include" -I"$SRC/zydis/dependencies/zycore/include" -I"$WORK/zydis"
                   -I"$WORK/zydis/zycore")
    fi
fi

# 1. The libraries: every source of the hosted core and fuzz_decode's comparison with Zydis (the same rules as
#    decode_diff) once; the sim and the scenario engine (the harness) twice, with $CFLAGS and with their
#    coverage instrumentation taken out. Two archives: libhvkit.a (harness with coverage) for the targets
#    fuzz/CMakeLists.txt lists in HVKIT_FUZZ_HARNESS_COVERAGE, libhvkit_bench.a for the others, whose fuzzer
#    should be guided by the core alone (the reasons are in fuzz/CMakeLists.txt). Only sanitizer coverage is
#    taken out: a coverage build's -fprofile-instr-generate stays, so reports still show the harness.
core_sources="$(find hv-core/src -maxdepth 3 -name '*.c' -not -path '*/tests/*' | sort)
harness/decode_diff/zydis_compare.c"
harness_sources="$(find harness/sim harness/scenario -maxdepth 1 -name '*.c' | sort)"
# shellcheck disable=SC2054  # one flag whose value is a comma-separated list
nocov=(-fno-sanitize-coverage=trace-pc-guard,inline-8bit-counters,inline-bool-flag,indirect-calls,trace-cmp,pc-table,trace-div,trace-gep,trace-pc,stack-depth,func,bb,edge)
obj_of() { # SRC DIR
    echo "$WORK/$2/$(echo "$1" | tr '/' '_' | sed 's/\.c$/.o/')"
}
compile_one() { # SRC DIR [EXTRA FLAGS...]
    local src=$1 obj envs=()
    obj=$(obj_of "$src" "$2")
    shift 2
    # AFL_LLVM_DENYLIST: when $CC is afl-clang-fast, it leaves the bench's objects uninstrumented the same way.
    [ $# -gt 0 ] && envs=(AFL_LLVM_DENYLIST="$root/fuzz/afl_harness.denylist")
    env "${envs[@]}" "$CC" "${cflags[@]}" "$@" "${includes[@]}" "${zydis_inc[@]}" -c "$src" -o "$obj"
}
mkdir -p "$WORK/obj-bench"
pids=()
core_objs=() harness_objs=() bench_objs=()
queue() { # runs compile_one in the background, at most $jobs at a time
    compile_one "$@" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
}
for src in $core_sources; do
    core_objs+=("$(obj_of "$src" obj)")
    queue "$src" obj
done
for src in $harness_sources; do
    harness_objs+=("$(obj_of "$src" obj)")
    bench_objs+=("$(obj_of "$src" obj-bench)")
    queue "$src" obj
    queue "$src" obj-bench "${nocov[@]}"
done
for p in "${pids[@]}"; do wait "$p" || { echo "build.sh: a library source failed to compile" >&2; exit 1; }; done
rm -f "$WORK/libhvkit.a" "$WORK/libhvkit_bench.a"
ar rcs "$WORK/libhvkit.a" "${core_objs[@]}" "${harness_objs[@]}"
ar rcs "$WORK/libhvkit_bench.a" "${core_objs[@]}" "${bench_objs[@]}"
harness_coverage=" $(sed -n 's/^set(HVKIT_FUZZ_HARNESS_COVERAGE \(.*\))$/\1/p' fuzz/CMakeLists.txt) "

# Helpers the targets share: fuzz/*.c other than the targets, the replay main() and the planted bug.
helpers=()
for src in fuzz/*.c; do
    case "$(basename "$src")" in fuzz_*|replay_main.c|planted_bug.c) continue ;; esac
    helpers+=("$src")
done

# 2. The targets. The link is done by $CXX: $LIB_FUZZING_ENGINE may be a C++ library (AFL++'s driver).
for t in "${targets[@]}"; do
    "$CC" "${cflags[@]}" "${includes[@]}" "${zydis_inc[@]}" -c "fuzz/$t.c" -o "$WORK/$t.o"
    hobjs=()
    for h in "${helpers[@]}"; do
        ho="$WORK/obj/fuzz_helper_$(basename "$h" .c).o"
        [ -f "$ho" ] || "$CC" "${cflags[@]}" "${includes[@]}" "${zydis_inc[@]}" -c "$h" -o "$ho"
        hobjs+=("$ho")
    done
    case "$harness_coverage" in
        *" $t "*) libs=("$WORK/libhvkit.a") ;;
        *) libs=("$WORK/libhvkit_bench.a") ;;
    esac
    # Only the targets that use Zydis (fuzz_decode) link it.
    if grep -q -i 'zydis' "fuzz/$t.c"; then libs+=("${zydis_link[@]}"); fi
    # shellcheck disable=SC2086  # LIB_FUZZING_ENGINE is a flag or a path, split like OSS-Fuzz does
    # shellcheck disable=SC2086
    "$CXX" $CFLAGS "$WORK/$t.o" "${hobjs[@]}" "${libs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"

    # Seeds and regressions together: every crash ever found stays in the corpus the fuzzer starts from.
    rm -f "$OUT/${t}_seed_corpus.zip"
    corpus_files=$(find "corpora/$t/seeds" "corpora/$t/regressions" -type f -not -name '.*' 2>/dev/null | sort || true)
    if [ -n "$corpus_files" ]; then
        # shellcheck disable=SC2086
        zip -q -j "$OUT/${t}_seed_corpus.zip" $corpus_files
    fi
    if [ -s "fuzz/$t.dict" ]; then cp "fuzz/$t.dict" "$OUT/$t.dict"; fi
    echo "build.sh: $OUT/$t ($(echo "$corpus_files" | grep -c . || true) seed files$([ -s "fuzz/$t.dict" ] && echo ", dict"))"
done
