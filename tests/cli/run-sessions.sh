#!/usr/bin/env bash
# run-sessions.sh: golden tests of multi-command CLI sessions, as TAP.
# Each sessions/<name>.session holds one vmcompat command per line (shell
# quoting; @TMP@ is a fresh temporary directory for the session, @DATA@
# tests/data, @SHARED@ the shared/ reference data; '#' lines are comments).
# The transcript ("$ args", stdout, "--- stderr", stderr, "--- exit N" per
# command) is compared with sessions/<name>.expected;
# VMC_TEST_REGENERATE_OUTPUT=1 rewrites the expected files.
set -u
vmcompat=$1
dir=$(cd "$(dirname "$0")/sessions" && pwd)
shared=${VMC_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}
data=$(cd "$(dirname "$0")/../data" && pwd)
list=$(cd "$dir" && ls *.session)
n=0
fail=0
echo "1..$(echo "$list" | wc -w)"
for s in $list; do
    name=${s%.session}
    n=$((n + 1))
    tmp=$(mktemp -d)
    actual=$(
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in ''|'#'*) continue ;; esac
            cmd=$(printf '%s' "$line" | sed -e "s|@TMP@|$tmp|g" -e "s|@DATA@|$data|g" -e "s|@SHARED@|$shared|g")
            eval "set -- $cmd"
            out=$(mktemp); err=$(mktemp)
            VMCOMPAT_DATA_DIRS= VMCOMPAT_FLEET_DB= "$vmcompat" "$@" >"$out" 2>"$err" </dev/null
            rc=$?
            echo "\$ $line"
            sed -e "s|$tmp|@TMP@|g" -e "s|$data|@DATA@|g" -e "s|$shared|@SHARED@|g" "$out"
            echo "--- stderr"
            sed -e "s|$tmp|@TMP@|g" -e "s|$data|@DATA@|g" -e "s|$shared|@SHARED@|g" "$err"
            echo "--- exit $rc"
            rm -f "$out" "$err"
        done < "$dir/$s"
    )
    rm -rf "$tmp"
    if [ "${VMC_TEST_REGENERATE_OUTPUT:-}" = 1 ]; then
        printf '%s\n' "$actual" > "$dir/$name.expected"
        echo "ok $n - $name # regenerated"
    elif [ -f "$dir/$name.expected" ] && [ "$(cat "$dir/$name.expected")" = "$actual" ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        diff <(cat "$dir/$name.expected" 2>/dev/null) <(printf '%s\n' "$actual") | head -30 | sed 's/^/# /'
        fail=1
    fi
done
exit $fail
