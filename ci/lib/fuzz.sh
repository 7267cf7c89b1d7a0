# shellcheck shell=bash
# Sourced by ci/fuzz, ci/repro, ci/minimize and the fuzzing tests in ci/tests/: where targets, corpora and
# builds live, how a file is named (sha1 of its content) and the two corpus operations that must never lose
# or duplicate an entry (merging new inputs, keeping crashes).
#
# Environment (all optional):
#   HVKIT_CORPORA        corpora root (default <repo>/corpora); tests point it at a temporary directory
#   HVKIT_FUZZ_BUILD_DIR a CMake build dir holding bin/<target> (libFuzzer) and bin/<target>_replay; default
#                        the `fuzz` preset (build/fuzz); set it to use a separately configured tree
#   HVKIT_FUZZ_WORK      where campaigns keep logs, artifacts and plots (default the build dir: <dir>/<target>/)
#   HVKIT_FUZZ_NO_BUILD  1: use the binaries as they are, never run cmake (tests with stand-in targets)

hv_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
hv_corpora=${HVKIT_CORPORA:-$hv_repo/corpora}
hv_build_dir=${HVKIT_FUZZ_BUILD_DIR:-$hv_repo/build/fuzz}
hv_work_root=${HVKIT_FUZZ_WORK:-$hv_build_dir}

hv_die() { echo "$(basename "$0"): $*" >&2; exit 2; }

hv_sha1() { sha1sum "$1" | cut -d' ' -f1; }

# Every fuzz target: fuzz/<target>.c defining LLVMFuzzerTestOneInput, minus the replay driver and the
# test-only planted bug (which only exists in a build configured with HVKIT_FUZZ_PLANTED_BUG=ON).
hv_all_targets() {
    local f name
    for f in "$hv_repo"/fuzz/*.c; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .c)
        case $name in replay_main | planted_bug) continue ;; esac
        grep -q 'LLVMFuzzerTestOneInput' "$f" && echo "$name"
    done
    return 0
}

# The target a corpus file belongs to: the directory above seeds/, regressions/, crashes/ or corpus/
# (corpora/<target>/crashes/<file>, also under a HVKIT_CORPORA root anywhere on disk).
hv_target_from_path() {
    local p
    p=$(cd "$(dirname "$1")" 2>/dev/null && pwd) || return 1
    case $(basename "$p") in
        seeds | regressions | crashes | corpus) basename "$(dirname "$p")" ;;
        *) return 1 ;;
    esac
}

# Configure (once) and build the given CMake targets in the libFuzzer build dir.
hv_build_fuzz() { # cmake targets...
    [ "${HVKIT_FUZZ_NO_BUILD:-0}" = 1 ] && return 0
    local log rc=0
    log=$(mktemp)
    if [ -n "${HVKIT_FUZZ_BUILD_DIR:-}" ]; then
        [ -f "$hv_build_dir/CMakeCache.txt" ] || hv_die "$hv_build_dir is not a configured CMake build dir"
        cmake --build "$hv_build_dir" --target "$@" >"$log" 2>&1 || rc=$?
    else
        { [ -f "$hv_build_dir/build.ninja" ] || (cd "$hv_repo" && cmake --preset fuzz); } >"$log" 2>&1 &&
            (cd "$hv_repo" && cmake --build --preset fuzz --target "$@") >>"$log" 2>&1 || rc=$?
    fi
    if [ $rc -ne 0 ]; then
        grep -E -A3 'error|FAILED' "$log" | head -n 40 >&2 || cat "$log" >&2
        rm -f "$log"
        hv_die "building $* in $hv_build_dir failed"
    fi
    rm -f "$log"
}

# The sha1 of every file in the given directories, one per line (missing directories are empty).
hv_known_sha1s() { # dirs...
    local d
    for d in "$@"; do
        [ -d "$d" ] || continue
        find "$d" -maxdepth 1 -type f ! -name '.*' ! -name '*.repro' -print0 | xargs -0 -r sha1sum | cut -d' ' -f1
    done | sort -u
}

# The working corpus is never committed: it ignores itself (corpora/.gitignore covers crashes/ only).
hv_make_corpus_dir() { mkdir -p "$1" && { [ -f "$1/.gitignore" ] || echo '*' >"$1/.gitignore"; }; }

# Merge new inputs into corpora/<target>/corpus/: libFuzzer -merge=1 into a fresh directory that already
# holds everything known (corpus, seeds, regressions), so it keeps only inputs that add coverage; then move
# in every file whose content is not known yet, named by its sha1. Nothing is ever deleted from corpus/ (no
# loss) and a content is never stored twice, nor again when it is already a seed or regression (no
# duplicates). Prints "merge: N new, M in corpus". Returns non-zero only when the merge itself fails.
hv_merge_corpus() { # fuzzer-binary target new-dirs...
    local bin=$1 target=$2
    shift 2
    local corpus=$hv_corpora/$target/corpus seeds=$hv_corpora/$target/seeds regs=$hv_corpora/$target/regressions
    hv_make_corpus_dir "$corpus"
    local fresh known f s added=0 srcs=() d log
    for d in "$@"; do [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && srcs+=("$d"); done
    if [ ${#srcs[@]} -gt 0 ]; then
        fresh=$(mktemp -d)
        known=$(mktemp)
        hv_known_sha1s "$corpus" "$seeds" "$regs" >"$known"
        for d in "$corpus" "$seeds" "$regs"; do
            [ -d "$d" ] || continue
            find "$d" -maxdepth 1 -type f ! -name '.*' ! -name '*.repro' -print0 |
                while IFS= read -r -d '' f; do cp -n "$f" "$fresh/$(hv_sha1 "$f")"; done
        done
        log=$(mktemp)
        if ! "$bin" -merge=1 "$fresh" "${srcs[@]}" >"$log" 2>&1; then
            echo "merge: libFuzzer -merge=1 failed:" >&2
            tail -n 20 "$log" >&2
            rm -rf "$fresh" "$known" "$log"
            return 1
        fi
        rm -f "$log"
        for f in "$fresh"/*; do
            [ -f "$f" ] || continue
            s=$(hv_sha1 "$f")
            grep -qx "$s" "$known" && continue
            # Copy under a temporary name then rename: a reader never sees half a file.
            cp "$f" "$corpus/.tmp.$s" && mv "$corpus/.tmp.$s" "$corpus/$s"
            echo "$s" >>"$known"
            added=$((added + 1))
        done
        rm -rf "$fresh" "$known"
    fi
    echo "merge: $added new, $(find "$corpus" -maxdepth 1 -type f ! -name '.*' | wc -l) in corpus"
}

# Keep the crashes a campaign found: each file is copied to corpora/<target>/crashes/<sha1> (never
# overwriting) with <sha1>.repro holding the command that reproduces it. A content already in crashes/ or
# regressions/ is not new but still a failure (a known bug that still crashes). Prints one line per crash;
# writes "NEW KNOWN" (the two counts) to the file $3.
hv_keep_crashes() { # target found-by count-file files...
    local target=$1 how=$2 countf=$3
    shift 3
    local dir=$hv_corpora/$target/crashes regs=$hv_corpora/$target/regressions f s dest new=0 known=0 shown added=""
    mkdir -p "$dir"
    for f in "$@"; do
        [ -f "$f" ] || continue
        s=$(hv_sha1 "$f")
        dest=$dir/$s
        [[ " $added " == *" $s "* ]] && continue # the same content twice in this batch
        if [ -e "$dest" ] || hv_known_sha1s "$regs" | grep -qx "$s"; then
            echo "KNOWN CRASH still reproduces: $s (already in crashes/ or regressions/)"
            known=$((known + 1))
            continue
        fi
        cp "$f" "$dir/.tmp.$s" && mv -n "$dir/.tmp.$s" "$dest"
        rm -f "$dir/.tmp.$s"
        shown=$dest
        case $dest in "$hv_repo"/*) shown=${dest#"$hv_repo"/} ;; esac
        {
            echo "${HVKIT_FUZZ_BUILD_DIR:+HVKIT_FUZZ_BUILD_DIR=$HVKIT_FUZZ_BUILD_DIR }ci/repro $shown"
            echo "# target $target; found by $how ($(basename "$f")) on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
            echo "# minimize: ci/minimize $shown"
        } >"$dest.repro"
        echo "NEW CRASH: $shown  (reproduce: ci/repro $shown)"
        new=$((new + 1)) added="$added $s"
    done
    echo "$new $known" >"$countf"
}
