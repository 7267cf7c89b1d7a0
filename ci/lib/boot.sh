# shellcheck shell=bash
# Sourced by ci/run-bochs and ci/run-qemu: what both runners share. Callers set -euo pipefail.
# Exit codes of the runners (also in their --help):
BOOT_RC_PASS=0 BOOT_RC_FAIL=1 BOOT_RC_TIMEOUT=2 BOOT_RC_CRASH=3 BOOT_RC_NOVMX=4 BOOT_RC_REFUSED=5
BOOT_RC_USAGE=64 BOOT_RC_MISSING=69 BOOT_RC_SKIP=77

boot_rc_of() { # RESULT -> exit code
    case $1 in
    PASS) echo $BOOT_RC_PASS ;; FAIL) echo $BOOT_RC_FAIL ;; TIMEOUT) echo $BOOT_RC_TIMEOUT ;;
    CRASH) echo $BOOT_RC_CRASH ;; NOVMX) echo $BOOT_RC_NOVMX ;; REFUSED) echo $BOOT_RC_REFUSED ;;
    SKIP) echo $BOOT_RC_SKIP ;; *) echo $BOOT_RC_FAIL ;;
    esac
}

boot_die() { # code, message: one line on stderr naming what and where
    echo "$BOOT_RUNNER: $2" >&2
    exit "$1"
}

boot_now() { date +%s.%N; }
boot_seconds_since() { awk -v a="$1" -v b="$(boot_now)" 'BEGIN { printf "%.2f", b - a }'; }

# The ISO with another kernel command line: a copy whose /boot/grub/grub.cfg comes from the template with
# CMDLINE, made with xorriso's replay of the boot image (about 0.1 s; nothing is rebuilt).
boot_iso_with_cmdline() { # ISO CMDLINE OUTDIR -> prints the new ISO's path
    local iso=$1 cmdline=$2 dir=$3 template
    template="$BOOT_REPO/hv-core/platform/boot/grub.cfg.in"
    [ -f "$template" ] || boot_die $BOOT_RC_MISSING "grub.cfg template missing: $template"
    # shellcheck disable=SC1003 # '\' is a backslash pattern, not an escaped quote
    case $cmdline in *$'\n'* | *'"'* | *"'"* | *'{'* | *'}'* | *'$'* | *';'* | *'\'*)
        boot_die $BOOT_RC_USAGE "--cmdline may not hold newlines, quotes, braces, \$, ; or backslashes: $cmdline" ;;
    esac
    local cfg
    cfg=$(<"$template")
    printf '%s\n' "${cfg//@HVKIT_CMDLINE@/$cmdline}" >"$dir/grub.cfg"
    if ! xorriso -indev "$iso" -outdev "$dir/hvkit.iso" -boot_image any replay \
        -map "$dir/grub.cfg" /boot/grub/grub.cfg >"$dir/xorriso.log" 2>&1; then
        boot_die $BOOT_RC_FAIL "xorriso could not remap grub.cfg in $iso (see $dir/xorriso.log: $(tail -n 1 "$dir/xorriso.log"))"
    fi
    echo "$dir/hvkit.iso"
}

# The verdict from a console log (CR stripped): the HVKIT-END status, any HVKIT-CRASH line, the runner's own
# exit status and whether it timed out. Prints RESULT and STATUS (-1 when no HVKIT-END line).
boot_verdict() { # LOG TIMED_OUT(0|1) EMULATOR_OK(0|1)
    local log=$1 timed_out=$2 emu_ok=$3 status result
    status=$(grep -a -E '^HVKIT-END status=[0-9]+$' "$log" | tail -n 1 | sed -E 's/.*=//' || true)
    [ -n "$status" ] || status=-1
    if grep -a -q '^HVKIT-CRASH ' "$log"; then
        result=CRASH
    elif [ "$timed_out" = 1 ]; then
        result=TIMEOUT
    elif [ "$emu_ok" != 1 ]; then
        result=FAIL # the emulator ended some other way than the kernel asked (a panic, a reset)
    else
        case $status in
        0) result=PASS ;;
        2) result=NOVMX ;;
        3) result=REFUSED ;;
        4) result=CRASH ;;
        *) result=FAIL ;;
        esac
    fi
    echo "$result $status"
}

# The final line and the exit code; with --expect, a matching non-pass end exits 0.
boot_finish() { # RESULT STATUS SECONDS LOG EXPECT [extra]
    local result=$1 status=$2 seconds=$3 log=$4 expect=$5 extra=${6:-}
    local line="$BOOT_RUNNER: result=$result status=$status seconds=$seconds log=$log"
    [ -n "$expect" ] && line="$line expect=$expect"
    [ -n "$extra" ] && line="$line $extra"
    echo "$line"
    if [ -n "$expect" ]; then
        # An expected end must also be a clean one: the final line printed (status known).
        if [ "$result" = "$expect" ] && [ "$status" != -1 ]; then exit 0; fi
        [ "$result" = PASS ] && exit $BOOT_RC_FAIL # passing when something else was expected is a failure
    fi
    exit "$(boot_rc_of "$result")"
}
