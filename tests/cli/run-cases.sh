#!/usr/bin/env bash
# run-cases.sh: golden tests of the vmcompat CLI, as TAP.
# Each directory cases/<name>/ holds `args` (one line of arguments, in shell
# quoting; @SHARED@ is the shared/ reference data, @CASE@ the case directory)
# and `expected` (stdout, then "--- stderr", stderr, then "--- exit N").
# @DATA@ is tests/data (host and guest fixtures).
# VMC_TEST_REGENERATE_OUTPUT=1 rewrites the expected files.
# A case with a `bug` file is a known bug: `expected` holds the correct
# output, the bug file's first line what happens instead; while the output
# differs the case is reported "not ok # TODO" (not a failure) and is not
# regenerated. Remove `bug` once the output matches.
set -u
vmcompat=$1
cases=$(cd "$(dirname "$0")/cases" && pwd)
shared=${VMC_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}
data=$(cd "$(dirname "$0")/../data" && pwd)
n=0
fail=0
list=$(ls "$cases")
echo "1..$(echo "$list" | wc -w)"
for name in $list; do
    dir=$cases/$name
    n=$((n + 1))
    line=$(sed -e "s|@SHARED@|$shared|g" -e "s|@CASE@|$dir|g" -e "s|@DATA@|$data|g" "$dir/args")
    eval "set -- $line"
    out=$(mktemp); err=$(mktemp)
    VMCOMPAT_DATA_DIRS= "$vmcompat" "$@" >"$out" 2>"$err" </dev/null
    rc=$?
    scrub=(-e "s|$shared|@SHARED@|g" -e "s|$dir|@CASE@|g" -e "s|$data|@DATA@|g")
    actual=$( { sed "${scrub[@]}" "$out"; echo "--- stderr"; sed "${scrub[@]}" "$err"; echo "--- exit $rc"; } )
    rm -f "$out" "$err"
    if [ -f "$dir/bug" ] && [ "$rc" -lt 128 ] && [ "$(cat "$dir/expected")" != "$actual" ]; then
        echo "not ok $n - $name # TODO known bug: $(head -1 "$dir/bug")"
        continue
    fi
    if [ "${VMC_TEST_REGENERATE_OUTPUT:-}" = 1 ]; then
        printf '%s\n' "$actual" > "$dir/expected"
        echo "ok $n - $name # regenerated"
        continue
    fi
    if [ "$rc" -ge 128 ]; then
        echo "not ok $n - $name (killed by signal $((rc - 128)))"
        fail=1
        continue
    fi
    if [ "$(cat "$dir/expected")" = "$actual" ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        diff <(cat "$dir/expected") <(printf '%s\n' "$actual") | head -20 | sed 's/^/# /'
        fail=1
    fi
done
exit $fail
