#!/usr/bin/env bash
# The planted-bug proof (issue 7 item 7): a campaign must fail when its target crashes, or a green CI means
# nothing. Builds the test-only target fuzz_planted (fuzz/planted_bug.c, -DHVKIT_FUZZ_PLANTED_BUG=ON; clang-14,
# ASan+UBSan like the `fuzz` preset) in its own build dir (HVKIT_PLANTED_BUILD_DIR, default a temporary one),
# runs `ci/fuzz --seconds 30 fuzz_planted` against a temporary, empty corpora root (HVKIT_CORPORA), and
# requires: exit status 1 (not 0, not an infrastructure error), a crash file with its .repro in
# <root>/fuzz_planted/crashes/, `ci/repro` reproducing it (status 1) and `ci/minimize` writing a new, no
# larger file that still crashes. Prints "ok"/"not ok" lines; exits 1 on any failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build=${HVKIT_PLANTED_BUILD_DIR:-$tmp/build}
fails=0
check() {
    local what=$1
    shift
    if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

if ! { [ -f "$build/build.ninja" ] ||
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DHVKIT_SANITIZE=ON -DHVKIT_FUZZ_PLANTED_BUG=ON; } >"$tmp/build.log" 2>&1 ||
    ! cmake --build "$build" --target fuzz_planted fuzz_planted_replay >>"$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log"
    echo "not ok - build fuzz_planted in $build"
    exit 1
fi
echo "ok - fuzz_planted built in $build"

export HVKIT_CORPORA=$tmp/corpora HVKIT_FUZZ_BUILD_DIR=$build HVKIT_FUZZ_WORK=$tmp/work HVKIT_FUZZ_NO_BUILD=1
mkdir -p "$HVKIT_CORPORA"
"$repo/ci/fuzz" --seconds 30 fuzz_planted >"$tmp/campaign.out" 2>&1
rc=$?
sed 's/^/    /' "$tmp/campaign.out" | grep -v -E '^    (INFO|#)' | head -n 20
check "ci/fuzz exits 1 (a new crash) on the planted bug (rc $rc)" [ $rc -eq 1 ]
crash=$(find "$HVKIT_CORPORA/fuzz_planted/crashes" -maxdepth 1 -type f ! -name '*.repro' ! -name '.*' 2>/dev/null | head -n 1)
check "a crash file is in the corpora root's fuzz_planted/crashes/" [ -n "$crash" ]
[ -n "$crash" ] || crash=$tmp/missing
check "the crash file is named by its sha1" [ "$(basename "$crash")" = "$(sha1sum "$crash" 2>/dev/null | cut -d' ' -f1)" ]
check "the crash has a .repro with the ci/repro command" grep -q "ci/repro $crash\$" "$crash.repro"
check "ci/fuzz reported the new crash" grep -q '^NEW CRASH: ' "$tmp/campaign.out"
"$repo/ci/repro" "$crash" >"$tmp/repro.out" 2>&1
rc=$?
check "ci/repro reproduces it with the replay binary (rc $rc)" bash -c "[ $rc -eq 1 ] && grep -q 'fuzz_planted_replay' '$tmp/repro.out' && grep -q -E 'heap-buffer-overflow|deadly signal|Aborted|abort' '$tmp/repro.out'"
"$repo/ci/minimize" --seconds 5 "$crash" >"$tmp/min.out" 2>&1
rc=$?
check "ci/minimize writes a new file next to the crash (rc $rc)" bash -c "[ $rc -eq 0 ] && [ -f '$crash.min' ] && [ -f '$crash' ]"
check "the minimized file is no larger and still crashes" bash -c "[ \$(wc -c <'$crash.min') -le \$(wc -c <'$crash') ] && ! '$build/bin/fuzz_planted_replay' '$crash.min' >/dev/null 2>&1"
"$repo/ci/minimize" --seconds 5 "$crash" >/dev/null 2>&1
check "minimizing again never overwrites: $(basename "$crash").min2" [ -f "$crash.min2" ]
# The campaign found it again: not new, but still a failure.
"$repo/ci/fuzz" --seconds 30 fuzz_planted >"$tmp/again.out" 2>&1
rc=$?
check "a second campaign still fails (rc $rc) and copies nothing twice" bash -c "[ $rc -eq 1 ] && [ \$(find '$HVKIT_CORPORA/fuzz_planted/crashes' -name '*.repro' | wc -l) -ge 1 ] && ! grep -q '$(basename "$crash")' <(grep '^NEW CRASH' '$tmp/again.out')"
if [ $fails -ne 0 ]; then
    echo "--- campaign:"; cat "$tmp/campaign.out" | tail -n 30
    echo "--- repro:"; tail -n 20 "$tmp/repro.out"
    echo "fuzz_planted: $fails check(s) failed"
    exit 1
fi
echo "fuzz_planted: the planted bug fails the campaign; all checks passed"
