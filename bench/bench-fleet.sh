#!/usr/bin/env bash
# bench-fleet.sh: the fleet on a synthetic fleet (tools/gen/gen-fleet.py).
#   bench/bench-fleet.sh BUILD/tools/vmcompat/vmcompat [HOSTS] [GUESTS] [--pools]
# Prints each figure with a baseline measured in the same run:
#   import            vs reading the JSONL once (cat > /dev/null)
#   where/baseline/ladder/pools vs opening the inventory for a trivial query
#                     (fleet hosts --where host=none: process start + DB open)
# Targets (issue 8): import 100k ≤ 10 s, where ≤ 2 ms, pools (10k ABIs) ≤ 1 s,
# baseline of 100k hosts ≤ 20 ms (measured on vendor=GenuineIntel, 75k hosts:
# the whole synthetic fleet mixes vendors). Not a test.
set -euo pipefail
vmcompat=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
hosts=${2:-100000}
guests=${3:-10000}
pools=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
# median of 5 runs of a command, in ms
med() {
    local t=()
    for i in 1 2 3 4 5; do
        local a b; a=$(now); "$@" >/dev/null 2>&1 || true; b=$(now)
        t+=("$(echo "($b - $a) * 1000" | bc)")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 3p
}

a=$(now)
python3 "$root/tools/gen/gen-fleet.py" --vmcompat "$vmcompat" --hosts "$hosts" --guests "$guests" --seed 1 -o "$tmp/f" >/dev/null
b=$(now)
echo "generate $hosts hosts + $guests guests: $(secs "$a" "$b") s"
a=$(now); cat "$tmp/f/hosts.jsonl" > /dev/null; b=$(now); read_s=$(secs "$a" "$b")
a=$(now); "$vmcompat" fleet import --db "$tmp/f.db" "$tmp/f/hosts.jsonl"; b=$(now); imp_s=$(secs "$a" "$b")
echo "import: $imp_s s ($(echo "$hosts / $imp_s" | bc) hosts/s); baseline read: $read_s s; ratio $(echo "scale=1; $imp_s / $read_s" | bc)x"
a=$(now); "$vmcompat" fleet guest import --db "$tmp/f.db" "$tmp/f/guests.jsonl"; b=$(now)
echo "guest import: $(secs "$a" "$b") s"
db=$tmp/f.db
g=$(sqlite3 "$db" "select name from guest order by name limit 1")
c=$(sqlite3 "$db" "select cluster from host order by name limit 1")
base=$(med "$vmcompat" fleet hosts --db "$db" --where host=none)
echo "baseline (process + open + trivial query): $base ms"
# baseline --where vendor=GenuineIntel: the largest single-vendor selection
# (the whole fleet mixes vendors, and so does label.env=prod: a baseline
# over them is refused, not computed — a refusal is reported, not timed)
for q in "where --guest $g" "baseline --where cluster=$c" "baseline --where label.env=prod,vendor=Intel" \
         "baseline --where vendor=GenuineIntel" "ladder"; do
    # shellcheck disable=SC2086
    if ! err=$("$vmcompat" fleet $q --db "$db" 2>&1 >/dev/null); then
        echo "fleet $q: failed, not timed: $err"
        continue
    fi
    # shellcheck disable=SC2086
    m=$(med "$vmcompat" fleet $q --db "$db")
    echo "fleet $q: $m ms (ratio $(echo "scale=1; $m / $base" | bc)x the baseline)"
done
bench_bin=$(dirname "$vmcompat")/../../bench/bench-fleet
if [ -x "$bench_bin" ]; then
    echo "in process (bench-fleet):"
    "$bench_bin" "$db" "$g" $pools
fi
if [ "$pools" = --pools ]; then
    n_abi=$(sqlite3 "$db" "select count(distinct abi) from guest")
    # peak RSS (KiB) of a process: GNU time when installed
    rss() { if [ -x /usr/bin/time ]; then /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; else echo "?"; fi; }
    base_rss=$(rss "$vmcompat" fleet hosts --db "$db" --where host=none)
    for run in first again; do
        a=$(now); "$vmcompat" fleet pools --db "$db" > /dev/null; b=$(now)
        echo "fleet pools ($n_abi ABIs, $run run): $(secs "$a" "$b") s, process included"
    done
    echo "fleet pools peak RSS: $(rss "$vmcompat" fleet pools --db "$db") KiB (baseline process: $base_rss KiB)"
    a=$(now); "$vmcompat" fleet upgrade-impact --db "$db" --hosts "cluster=$c" --to-release qemu-9.2 > /dev/null || true; b=$(now)
    echo "fleet upgrade-impact --hosts cluster=$c --to-release qemu-9.2: $(secs "$a" "$b") s"
fi
