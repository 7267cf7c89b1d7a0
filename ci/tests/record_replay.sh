#!/usr/bin/env bash
# ci/tests/record_replay.sh LOG [OUTDIR]
#
# A bootable run's console log (made with hvkit.record=1) -> one scenario per recorded VM -> replayed on the
# sim -> its exits must equal the log's HVKIT-EXIT lines (basic reason, qualification, action, in order):
# `hvkit import-record LOG --recording K -o OUTDIR/recording-K.hvs --expect-from-log` for every recording.
# The scenarios stay in OUTDIR (default: a temporary directory, removed at the end) as evidence and corpus.
# hvkit is $HVKIT, else build/dev/bin/hvkit, else build/release/bin/hvkit.
#
# Prints one line per recording, "RECORD-REPLAY recording=K PASS|FAIL <detail>", and a last line
# "RECORD-REPLAY result=PASS|FAIL recordings=N".
# Exit status: 0 every recording replays equal; 1 a difference or an unrecordable exit; 2 the replay tripped
# an oracle; 3 bad input (no HVREC lines, a malformed line, usage); 4 the log is cut inside a line;
# 5 no hvkit binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

die() { echo "record_replay.sh: $1" >&2; exit "$2"; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: ci/tests/record_replay.sh LOG [OUTDIR]" 3
log=$1
[ -f "$log" ] || die "$log: no such file" 3

hvkit=${HVKIT:-}
if [ -z "$hvkit" ]; then
    for b in "$root/build/dev/bin/hvkit" "$root/build/release/bin/hvkit"; do
        if [ -x "$b" ]; then hvkit=$b; break; fi
    done
fi
[ -n "$hvkit" ] && [ -x "$hvkit" ] || die "no hvkit binary (set HVKIT or build the dev preset)" 5

if [ $# -eq 2 ]; then
    out=$2
    mkdir -p "$out"
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi

# Recordings: each begins at "HVREC # begin recording" (CRLF or LF line ends). HVREC lines before the first
# begin would form one more; import-record reports that case itself.
n=$(tr -d '\r' <"$log" | grep -c '^HVREC # begin recording' || true)
[ "$n" -ge 1 ] || n=1

worst=0
for k in $(seq 1 "$n"); do
    f="$out/recording-$k.hvs"
    set +e
    msg=$("$hvkit" import-record "$log" --recording "$k" -o "$f" --force --expect-from-log 2>&1)
    rc=$?
    set -e
    detail=$(printf '%s\n' "$msg" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "RECORD-REPLAY recording=$k PASS $detail"
    else
        printf '%s\n' "$msg" >&2
        echo "RECORD-REPLAY recording=$k FAIL status=$rc $detail"
        # the most telling status wins: truncated (4) and bad input (3) over oracle (2) over difference (1)
        [ "$rc" -gt "$worst" ] && worst=$rc
    fi
done
if [ "$worst" -eq 0 ]; then
    echo "RECORD-REPLAY result=PASS recordings=$n"
else
    echo "RECORD-REPLAY result=FAIL recordings=$n"
fi
exit "$worst"
