#!/usr/bin/env bash
# Tests of ci/fuzz's corpus bookkeeping (ci/lib/fuzz.sh) on a small fake corpus and a stand-in libFuzzer
# target (six branches on the first byte), all in a temporary directory: the merge never loses an entry
# already in corpus/, never stores a content twice (nor one that is already a seed or regression), names new
# files by sha1 and is idempotent; crashes are kept once, with their .repro, never overwritten; a short
# ci/fuzz campaign prints status lines and leaves a corpus satisfying the same rules.
# Needs clang-14 with libFuzzer (libclang-rt-14-dev). Prints "ok"/"not ok" lines; exits 1 on any failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # description, then a command
    local what=$1
    shift
    if "$@"; then echo "ok - $what"; else echo "not ok - $what"; fails=$((fails + 1)); fi
}

cat >"$tmp/standin.c" <<'C'
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
static volatile int sink;
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n == 0) return 0;
    switch (d[0]) {
    case 'a': sink = 1; break;
    case 'b': sink = 2; break;
    case 'c': sink = 3; break;
    case 'd': sink = 4; break;
    case 'e': sink = 5; break;
    case 'f': sink = 6; break;
    default: break;
    }
    return 0;
}
C
mkdir -p "$tmp/build/bin"
clang-14 -g -fsanitize=fuzzer "$tmp/standin.c" -o "$tmp/build/bin/fuzz_fake" || { echo "not ok - stand-in build"; exit 1; }

export HVKIT_CORPORA=$tmp/corpora HVKIT_FUZZ_BUILD_DIR=$tmp/build HVKIT_FUZZ_WORK=$tmp/work HVKIT_FUZZ_NO_BUILD=1
. "$repo/ci/lib/fuzz.sh"
c=$HVKIT_CORPORA/fuzz_fake
mkdir -p "$c/seeds" "$c/regressions" "$c/corpus" "$tmp/new1" "$tmp/new2"
put() { printf '%s' "$2" >"$1"; }
put "$c/seeds/seed_a" a
put "$c/regressions/reg_d" d
put "$c/corpus/$(printf b | sha1sum | cut -d' ' -f1)" b
put "$c/corpus/redundant_ax" ax # same coverage as the seed: a coverage merge would drop it
put "$c/corpus/legacy_c" c      # not sha1-named: kept under its name
put "$tmp/new1/1" a             # a seed's content
put "$tmp/new1/2" b             # already in corpus
put "$tmp/new1/3" d             # a regression's content
put "$tmp/new1/4" e             # new coverage
put "$tmp/new1/5" e             # the same again
put "$tmp/new1/6" ay            # no new coverage
put "$tmp/new2/1" e             # the same from another fuzzer process
put "$tmp/new2/2" f             # new coverage
(cd "$c/corpus" && sha1sum ./* | sort) >"$tmp/before"

corpus_contents() { find "$c/corpus" -maxdepth 1 -type f ! -name '.*' -exec cat {} \; -exec echo \; | sort; }
no_loss() { (cd "$c/corpus" && sha1sum $(cut -d' ' -f3 "$tmp/before")) 2>/dev/null | sort |
    diff -q - "$tmp/before" >/dev/null; }
no_dups() { [ -z "$(find "$c/corpus" -maxdepth 1 -type f ! -name '.*' -exec sha1sum {} + | cut -d' ' -f1 | sort | uniq -d)" ]; }
no_seed_copies() {
    local s
    for s in $(hv_known_sha1s "$c/seeds" "$c/regressions"); do [ ! -e "$c/corpus/$s" ] || return 1; done
    ! corpus_contents | grep -qx -e a -e d
}
new_named_by_sha1() {
    local f
    for f in "$c/corpus"/*; do
        case $(basename "$f") in redundant_ax | legacy_c) continue ;; esac
        [ "$(basename "$f")" = "$(sha1sum "$f" | cut -d' ' -f1)" ] || return 1
    done
}

out=$(hv_merge_corpus "$tmp/build/bin/fuzz_fake" fuzz_fake "$tmp/new1" "$tmp/new2")
check "merge reports 2 new entries ($out)" grep -q '^merge: 2 new, 5 in corpus$' <<<"$out"
check "merge keeps every existing corpus file byte for byte" no_loss
check "merge stores no content twice" no_dups
check "merge adds no copy of a seed or regression" no_seed_copies
check "merge adds the new-coverage inputs e and f" bash -c "[ \"\$(printf '%s\n' $(corpus_contents | tr '\n' ' '))\" = \"\$(printf 'ax\nb\nc\ne\nf')\" ]"
check "new corpus files are named by sha1" new_named_by_sha1
(cd "$c/corpus" && sha1sum ./* | sort) >"$tmp/after1"
out=$(hv_merge_corpus "$tmp/build/bin/fuzz_fake" fuzz_fake "$tmp/new1" "$tmp/new2")
check "merging the same inputs again adds nothing ($out)" grep -q '^merge: 0 new, 5 in corpus$' <<<"$out"
check "the second merge leaves the corpus unchanged" bash -c "cd '$c/corpus' && sha1sum ./* | sort | diff -q - '$tmp/after1' >/dev/null"
out=$(hv_merge_corpus "$tmp/build/bin/fuzz_fake" fuzz_fake "$tmp/nonexistent")
check "merging nothing is a no-op ($out)" grep -q '^merge: 0 new, 5 in corpus$' <<<"$out"
check "the corpus ignores itself in git" grep -qx '\*' "$c/corpus/.gitignore"

# Crashes: kept once under their sha1 with a .repro; a known crash is reported, never copied again.
put "$tmp/crash-1" Z1
put "$tmp/crash-2" Z1
put "$tmp/crash-3" d # the regression's content
hv_keep_crashes fuzz_fake test "$tmp/count" "$tmp/crash-1" "$tmp/crash-2" "$tmp/crash-3" >"$tmp/keep.out"
s=$(printf Z1 | sha1sum | cut -d' ' -f1)
check "one new crash (its twin in the same batch skipped), one known ($(cat "$tmp/count"))" grep -qx "1 1" "$tmp/count"
check "the crash is stored under its sha1" cmp -s "$c/crashes/$s" "$tmp/crash-1"
check "its .repro holds the ci/repro command" grep -q "^HVKIT_FUZZ_BUILD_DIR=$tmp/build ci/repro $c/crashes/$s\$" "$c/crashes/$s.repro"
check "crashes/ holds exactly the crash and its .repro" [ "$(ls "$c/crashes" | wc -l)" -eq 2 ]
touch -d '2000-01-01' "$c/crashes/$s"
hv_keep_crashes fuzz_fake test "$tmp/count" "$tmp/crash-1" >/dev/null
check "keeping it again: nothing new, the file untouched" bash -c "grep -qx '0 1' '$tmp/count' && [ \"\$(stat -c %Y '$c/crashes/$s')\" = \"\$(date -d 2000-01-01 +%s)\" ]"

# End to end: a short campaign over the same fake corpus.
cp -a "$c/corpus" "$tmp/corpus-before"
(cd "$c/corpus" && sha1sum ./* | sort) >"$tmp/before"
HVKIT_FUZZ_STATUS_EVERY=1 "$repo/ci/fuzz" --seconds 3 fuzz_fake >"$tmp/campaign.out" 2>&1
rc=$?
check "ci/fuzz exits 0 on a clean campaign (rc $rc)" [ $rc -eq 0 ]
check "ci/fuzz prints status lines with execs, exec/s, cov, corpus, crashes" \
    grep -q -E '^\[fuzz_fake libfuzzer +[0-9]+s/3s\] execs [0-9]+ exec/s [0-9]+ cov [0-9]+ ft [0-9]+ corpus [0-9]+ crashes 0$' "$tmp/campaign.out"
check "ci/fuzz reports its merge" grep -q -E '^\[fuzz_fake\] merge: [0-9]+ new, [0-9]+ in corpus$' "$tmp/campaign.out"
check "after the campaign: no loss" no_loss
check "after the campaign: no duplicates" no_dups
check "after the campaign: no seed copies" no_seed_copies
"$repo/ci/fuzz" --seconds 0 fuzz_fake >/dev/null 2>&1
check "ci/fuzz rejects --seconds 0 with status 2" [ $? -eq 2 ]
if [ $fails -ne 0 ]; then
    echo "--- campaign output:"; cat "$tmp/campaign.out"
    echo "fuzz_merge: $fails check(s) failed"
    exit 1
fi
echo "fuzz_merge: all checks passed"
