#!/usr/bin/env bash
# Tests of the boot runners (ci/run-bochs, ci/run-qemu, ci/run-qemu-kvm) against the built ISO: the one
# result line and its format, the exit codes of --help, bad usage, a missing ISO, --expect matching and not
# matching, the timeout path (hvkit.test=selftest-hang), and that --cmdline reaches the kernel.
# Usage: ci/tests/boot_runners.sh [ISO]   (default build/boot/hvkit.iso). Last line: "boot_runners: ..."
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
iso=${1:-$repo/build/boot/hvkit.iso}
[ -f "$iso" ] || { echo "boot_runners: ISO not found: $iso" >&2; exit 69; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
checks=0 failed=0
line_re='^run-(bochs|qemu|qemu-kvm): result=(PASS|FAIL|TIMEOUT|SKIP|NOVMX|CRASH|REFUSED) status=-?[0-9]+ seconds=[0-9.]+ log=[^ ]+'

check() { # description, expected exit code, expected last-line regex, command...
    local what=$1 want_rc=$2 want_re=$3 rc=0 out last
    shift 3
    out=$("$@" 2>"$tmp/stderr") || rc=$?
    last=$(printf '%s\n' "$out" | tail -n 1)
    checks=$((checks + 1))
    if [ "$rc" -ne "$want_rc" ] || ! [[ $last =~ $want_re ]]; then
        failed=$((failed + 1))
        echo "FAIL: $what: exit $rc (want $want_rc), last line: $last; stderr: $(head -c 300 "$tmp/stderr")"
    else
        echo "ok: $what"
    fi
}
stderr_one_line() { # description: the previous check's stderr is exactly one line
    checks=$((checks + 1))
    if [ "$(wc -l <"$tmp/stderr")" -ne 1 ]; then
        failed=$((failed + 1)); echo "FAIL: $1: stderr has $(wc -l <"$tmp/stderr") lines"
    else
        echo "ok: $1"
    fi
}

for r in run-bochs run-qemu run-qemu-kvm; do
    check "$r --help exits 0" 0 '' "$repo/ci/$r" --help
done
check "run-bochs: unknown option is usage (64)" 64 '^$' "$repo/ci/run-bochs" --bogus "$iso"
stderr_one_line "run-bochs: usage error is one line"
check "run-qemu: bad --smp is usage (64)" 64 '^$' "$repo/ci/run-qemu" --smp zero "$iso"
check "run-bochs: bad --expect is usage (64)" 64 '^$' "$repo/ci/run-bochs" --expect MAYBE "$iso"
check "run-qemu: a quote in --cmdline is refused (64)" 64 '^$' "$repo/ci/run-qemu" --cmdline 'a"b' "$iso"
check "run-bochs: missing ISO (69)" 69 '^$' "$repo/ci/run-bochs" "$tmp/none.iso"
stderr_one_line "run-bochs: missing ISO is one line"

check "run-qemu: selftest passes" 0 "$line_re" \
    "$repo/ci/run-qemu" --cmdline "hvkit.test=selftest hvkit.note=runner-test" --log "$tmp/q.log" "$iso"
checks=$((checks + 1))
if grep -q '^HVKIT-BOOT cpus=1 mem_mib=[0-9]* cmdline="hvkit.test=selftest hvkit.note=runner-test"$' "$tmp/q.log"; then
    echo "ok: run-qemu: --cmdline reaches the kernel (HVKIT-BOOT line)"
else
    failed=$((failed + 1)); echo "FAIL: run-qemu: no HVKIT-BOOT line with the command line in $tmp/q.log"
fi
check "run-qemu: a PASS when CRASH was expected fails (1)" 1 "$line_re expect=CRASH" \
    "$repo/ci/run-qemu" --cmdline "hvkit.test=selftest" --expect CRASH --log "$tmp/q2.log" "$iso"
check "run-qemu: crash self-test without --expect is CRASH (3)" 3 "^run-qemu: result=CRASH status=4 " \
    "$repo/ci/run-qemu" --cmdline "hvkit.test=selftest-crash" --log "$tmp/q3.log" "$iso"
check "run-qemu: a hang is TIMEOUT (2)" 2 "^run-qemu: result=TIMEOUT status=-1 " \
    "$repo/ci/run-qemu" --timeout 3 --cmdline "hvkit.test=selftest-hang" --log "$tmp/q4.log" "$iso"
check "run-bochs: a hang is TIMEOUT (2)" 2 "^run-bochs: result=TIMEOUT status=-1 " \
    "$repo/ci/run-bochs" --timeout 4 --cmdline "hvkit.test=selftest-hang" --log "$tmp/b1.log" "$iso"
check "run-bochs: crash self-test with --expect CRASH exits 0" 0 "^run-bochs: result=CRASH status=4 .* expect=CRASH" \
    "$repo/ci/run-bochs" --cmdline "hvkit.test=selftest-crash" --expect CRASH --log "$tmp/b2.log" "$iso"

if [ -e /dev/kvm ] && grep -q -w vmx /proc/cpuinfo; then
    echo "ok: run-qemu-kvm: KVM with VMX present here, its SKIP path not tested"
else
    check "run-qemu-kvm: one SKIP line and 77 without KVM/VMX" 77 '^run-qemu-kvm: result=SKIP reason=".+"$' \
        "$repo/ci/run-qemu-kvm" "$iso"
    checks=$((checks + 1))
    if [ "$("$repo/ci/run-qemu-kvm" "$iso" | wc -l)" -eq 1 ]; then echo "ok: run-qemu-kvm: exactly one line"; else
        failed=$((failed + 1)); echo "FAIL: run-qemu-kvm printed more than one line"; fi
fi

echo "boot_runners: $((checks - failed)) of $checks checks passed"
[ "$failed" -eq 0 ]
