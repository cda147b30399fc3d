#!/usr/bin/env python3
"""tap-count.py: count TAP sub-test results across meson test logs and print
the closing line "N passed, N failed, N skipped". A test binary that crashed
or timed out without TAP output counts as one failure."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        continue
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            continue
        out = t.get("stdout") or ""
        oks = nots = skips = 0
        for l in out.splitlines():
            if re.match(r"^ok\b", l):
                if re.search(r"#\s*(SKIP|skip)", l):
                    skips += 1
                else:
                    oks += 1
            elif re.match(r"^not ok\b", l):
                if re.search(r"#\s*(TODO|todo)", l):
                    skips += 1
                else:
                    nots += 1
        result = t.get("result", "")
        if oks + nots + skips == 0:
            if result in ("OK", "EXPECTEDFAIL"):
                oks = 1
            elif result == "SKIP":
                skips = 1
            else:
                nots = 1
        elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and nots == 0:
            nots = 1  # crashed after some TAP lines
        passed += oks
        failed += nots
        skipped += skips
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
