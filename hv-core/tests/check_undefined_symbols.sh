#!/bin/sh
# The freestanding hv-core archive must reference no symbol outside itself except the hv_arch_* operations
# that arch.h declares: no libc, no compiler runtime, no backend. Usage: check_undefined_symbols.sh ARCHIVE ARCH_H
set -eu
archive=$1 arch_h=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
nm -g --defined-only "$archive" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u >"$tmp/defined"
nm -u "$archive" | awk 'NF>=2 && $1=="U" {print $2}' | sort -u >"$tmp/undefined"
grep -o 'hv_arch_[a-z0-9_]*(' "$arch_h" | tr -d '(' | sort -u >"$tmp/allowed"
comm -23 "$tmp/undefined" "$tmp/defined" >"$tmp/external"
bad=$(comm -23 "$tmp/external" "$tmp/allowed")
if [ -n "$bad" ]; then
    echo "freestanding hv-core references symbols arch.h does not declare:" $bad
    exit 1
fi
n_defined=$(wc -l <"$tmp/defined")
[ "$n_defined" -gt 0 ] || { echo "the archive defines no symbol: $archive"; exit 1; }
echo "ok: $(wc -l <"$tmp/external") external references, all declared in arch.h; $n_defined symbols defined"
