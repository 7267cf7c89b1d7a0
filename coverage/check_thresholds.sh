#!/bin/bash
# ctest coverage.thresholds_never_decrease: coverage/thresholds only ever goes up. Every rule in git HEAD's
# version must still be there with line and branch minimums no lower than HEAD's; new rules are welcome.
# (ci/coverage enforces the minimums themselves; this test keeps them from being lowered to make it pass.)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
rules() { grep -v -E '^[[:space:]]*(#|$)' | awk '{ print $1, $2, $3 }'; }
bad_format=$(rules < coverage/thresholds | awk 'NF != 3 || $2 !~ /^[0-9]+(\.[0-9]+)?$/ || $3 !~ /^[0-9]+(\.[0-9]+)?$/ || $2 > 100 || $3 > 100')
if [ -n "$bad_format" ]; then
    echo "thresholds: malformed rule(s): $bad_format"; exit 1
fi
if ! head=$(git show HEAD:coverage/thresholds 2>/dev/null); then
    echo "thresholds: not in git HEAD yet; $(rules < coverage/thresholds | wc -l) rules, nothing to compare"
    exit 0
fi
status=0
while read -r dir line branch; do
    cur=$(rules < coverage/thresholds | awk -v d="$dir" '$1 == d')
    if [ -z "$cur" ]; then
        echo "thresholds: rule for $dir was removed (HEAD: lines $line%, branches $branch%)"; status=1; continue
    fi
    read -r _ cline cbranch <<< "$cur"
    if awk -v a="$cline" -v b="$line" -v c="$cbranch" -v d="$branch" 'BEGIN { exit !(a < b || c < d) }'; then
        echo "thresholds: $dir lowered: lines $line% -> $cline%, branches $branch% -> $cbranch%"; status=1
    fi
done < <(echo "$head" | rules)
[ "$status" = 0 ] && echo "thresholds: no minimum lower than in git HEAD"
exit $status
