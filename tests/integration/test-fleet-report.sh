#!/usr/bin/env bash
# test-fleet-report.sh: `fleet report --html` renders in headless Chromium
# (Debian `chromium`) without page errors, and the page shows the pools and
# the migration matrix. TAP. Skips (with the reason) without chromium.
set -u
vmcompat=$1
data=$(cd "$(dirname "$0")/../data" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
echo "1..5"
if [ -z "$chromium" ]; then
    for i in 1 2 3 4 5; do echo "ok $i # SKIP chromium not installed (Debian: chromium)"; done
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/f.db
s=$data/hosts/scenario
fail=0
"$vmcompat" fleet import --db "$db" --cluster west "$s"/cascadelake-noble.json "$s"/cascadelake-noble-tsx-off.json \
    "$s"/skylake-jammy.json "$s"/skylake-noble-mpx-off.json >/dev/null &&
"$vmcompat" fleet import --db "$db" --cluster east "$s"/jammy-qemu-8.2.json "$s"/opteron-jammy.json \
    "$s"/opteron-qemu-5.1.json >/dev/null &&
"$vmcompat" fleet guest add --db "$db" "$data"/migrate/tsx-noTSX-model-moves/guest.cmdline \
    --host cascadelake-noble --name notsx &&
"$vmcompat" fleet guest add --db "$db" "$data"/migrate/uso-platform-5.15-both-ways/guest.cmdline \
    --host jammy-qemu-8.2 --name uso &&
"$vmcompat" fleet report --db "$db" --html "$tmp/report.html"
if [ $? -eq 0 ] && [ -s "$tmp/report.html" ]; then echo "ok 1 - fleet report --html writes the page"
else echo "not ok 1 - fleet report --html writes the page"; exit 1; fi

# render: the DOM after parsing, console messages on stderr, a screenshot
# (--no-sandbox: the test may run as root; dbus errors are the sandbox's,
# not the page's)
run() {
    HOME=$tmp timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
        --enable-logging=stderr --v=0 "$@" "file://$tmp/report.html"
}
run --dump-dom > "$tmp/dom.html" 2> "$tmp/dom.err"
rc=$?
run --screenshot="$tmp/shot.png" --window-size=1400,1000 > /dev/null 2> "$tmp/shot.err"
if [ $rc -eq 0 ] && [ -s "$tmp/dom.html" ] && [ -s "$tmp/shot.png" ]; then
    echo "ok 2 - chromium renders it ($(wc -c < "$tmp/shot.png") bytes of screenshot)"
else
    echo "not ok 2 - chromium renders it (exit $rc)"; sed 's/^/# /' "$tmp/dom.err" | tail -5; fail=1
fi
if grep -E "CONSOLE|Uncaught|Failed to load resource|net::ERR" "$tmp/dom.err" "$tmp/shot.err" >/dev/null; then
    echo "not ok 3 - no page errors"; grep -E "CONSOLE|Uncaught|Failed to load|net::ERR" "$tmp"/*.err | sed 's/^/# /'; fail=1
else
    echo "ok 3 - no page errors (console, scripts, resources)"
fi
# the pools: two pools, with their guests' counts and baseline CPUs
pools=$(grep -o '<table id="pools">.*' "$tmp/dom.html" | head -1)
npool=$(sed -n '/<table id="pools">/,/<\/table>/p' "$tmp/dom.html" | grep -c '<tr><td>')
if [ "$npool" -eq 2 ] && grep -q 'Cascadelake-Server-v3' "$tmp/dom.html"; then
    echo "ok 4 - the page shows the pools ($npool)"
else
    echo "not ok 4 - the page shows the pools (found $npool rows)"; fail=1
fi
# the matrix: kinds x kinds cells, both verdicts present, reasons in titles
kinds=$(sed -n '/<table id="kinds">/,/<\/table>/p' "$tmp/dom.html" | grep -c '<tr><td>')
cells=$(sed -n '/<table id="matrix">/,/<\/table>/p' "$tmp/dom.html" | grep -o '<td class="[a-z]*"' | wc -l)
if [ "$kinds" -eq 7 ] && [ "$cells" -eq $((kinds * kinds)) ] &&
   grep -q 'class="ok"' "$tmp/dom.html" && grep -q 'title="cpu-feature-missing: ' "$tmp/dom.html"; then
    echo "ok 5 - the page shows the migration matrix ($kinds x $kinds, with reasons)"
else
    echo "not ok 5 - the page shows the migration matrix (kinds $kinds, cells $cells)"; fail=1
fi
: "$pools"
exit $fail
