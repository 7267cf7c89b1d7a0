# Shared by ci/test and ci/main: the counts of a step that ends its log with "N passed, N failed".
# hv_summary_counts NAME LOG prints "PASSED FAILED"; a log without that line is one failure ("0 1"), with the
# log's tail on stderr.
hv_summary_counts() { # name, log
    local line fail
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$2" | tail -n 1 || true)
    if [ -z "$line" ]; then
        echo "$1 printed no summary" >&2
        tail -n 20 "$2" >&2
        echo "0 1"
        return
    fi
    fail=${line#*passed, }
    echo "${line%% passed*} ${fail%% failed}"
}
