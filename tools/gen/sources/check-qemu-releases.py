#!/usr/bin/env python3
"""Self-check for tools/gen/sources/qemu-releases.json (stdlib only).

Checks that
  * every x86_64 versioned model (<model>-v<N>) and version alias of
    qemu/x86-cpu-models.json, every feature of qemu/x86-features.json and every
    cpu model / feature of qemu/s390x-features.json has an entry;
  * every entry has a "source" and either "since" (a listed release) or
    "since": null with "since_at_most" (a listed release);
  * nothing named in the QEMU 7.2 captures (qemu-qmp/*-cpu-help.txt) is dated
    after qemu-7.2, and nothing absent from them is dated qemu-7.2 or earlier.

Usage: check-qemu-releases.py [--data DIR] [--json FILE]
  DIR defaults to $VMCOMPAT_SHARED_DATA, else the first of ../shared/data
  (relative to the repository root) and /work/shared/data that exists.
Exit status 0 when all checks pass, 1 otherwise (messages on stderr).
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..', '..'))


def find_data_dir(arg):
    cands = [arg, os.environ.get('VMCOMPAT_SHARED_DATA'),
             os.path.join(REPO, '..', 'shared', 'data'), '/work/shared/data']
    for c in cands:
        if c and os.path.isdir(os.path.join(c, 'qemu')) and os.path.isdir(os.path.join(c, 'qemu-qmp')):
            return os.path.normpath(c)
    return None


def rel_key(name):
    """'qemu-10.2' -> (10, 2)."""
    m = re.fullmatch(r'qemu-(\d+)\.(\d+)', name or '')
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', help='shared data directory (contains qemu/ and qemu-qmp/)')
    ap.add_argument('--json', default=os.path.join(HERE, 'qemu-releases.json'))
    args = ap.parse_args()

    errors = []
    err = errors.append

    data = find_data_dir(args.data)
    if not data:
        print('check-qemu-releases: shared data directory not found (use --data)', file=sys.stderr)
        return 1
    try:
        with open(args.json, encoding='utf-8') as fp:
            doc = json.load(fp)
    except (OSError, ValueError) as e:
        print(f'check-qemu-releases: cannot read {args.json}: {e}', file=sys.stderr)
        return 1

    if doc.get('format') != 1:
        err('format must be 1')
    src = doc.get('_source') or {}
    for k in ('what', 'method', 'sources'):
        if not src.get(k):
            err(f'_source.{k} missing')

    # releases
    rels = {}
    for r in doc.get('releases', []):
        n = r.get('name')
        if rel_key(n) is None:
            err(f'release with bad name {n!r}')
            continue
        if n in rels:
            err(f'release {n} listed twice')
        d = r.get('date')
        if d is not None and not re.fullmatch(r'\d{4}-\d\d-\d\d', d):
            err(f'release {n}: bad date {d!r}')
        rels[n] = r
    expected = [f'qemu-2.{m}' for m in range(8, 13)] + ['qemu-3.0', 'qemu-3.1'] + \
               [f'qemu-{a}.{b}' for a in range(4, 10) for b in range(0, 3)] + \
               ['qemu-10.0', 'qemu-10.1', 'qemu-10.2', 'qemu-11.0']
    for n in expected:
        if n not in rels:
            err(f'release {n} missing from "releases"')
    for n in rels:
        if n != 'qemu-11.0' and rels[n].get('date') is None:
            err(f'release {n} has no date')
    order = sorted(rels, key=rel_key)
    dated = [rels[n]['date'] for n in order if rels[n].get('date')]
    if dated != sorted(dated):
        err('release dates are not increasing with the version')
    q72 = rel_key('qemu-7.2')

    # shared data
    qd = os.path.join(data, 'qemu')
    with open(os.path.join(qd, 'x86-cpu-models.json'), encoding='utf-8') as fp:
        xm = json.load(fp)
    with open(os.path.join(qd, 'x86-features.json'), encoding='utf-8') as fp:
        xf = json.load(fp)
    with open(os.path.join(qd, 's390x-features.json'), encoding='utf-8') as fp:
        sf = json.load(fp)
    want_xm = set()
    for m in xm['models']:
        for v in m.get('versions', []):
            want_xm.add(f"{m['name']}-v{v['version']}")
            if v.get('alias'):
                want_xm.add(v['alias'])
    want = {
        ('x86_64', 'models'): want_xm,
        ('x86_64', 'features'): {f['name'] for f in xf['features']},
        ('s390x', 'models'): {m['name'] for m in sf['cpu_models']},
        ('s390x', 'features'): {f['name'] for f in sf['features']},
    }

    # 7.2 captures
    qq = os.path.join(data, 'qemu-qmp')
    with open(os.path.join(qq, 'x86_64-cpu-help.txt'), encoding='utf-8') as fp:
        hx = fp.read()
    with open(os.path.join(qq, 's390x-cpu-help.txt'), encoding='utf-8') as fp:
        hs = fp.read()
    if 'Recognized CPUID flags:' not in hx or 'Recognized feature flags:' not in hs:
        print('check-qemu-releases: unexpected format of the -cpu help captures', file=sys.stderr)
        return 1
    sec = hs.split('Recognized feature flags:', 1)[1].split('Recognized feature groups:', 1)[0]
    cap = {
        ('x86_64', 'models'): set(re.findall(r'^x86 (\S+)', hx, re.M)),
        ('x86_64', 'features'): set(hx.split('Recognized CPUID flags:', 1)[1].split()),
        ('s390x', 'models'): set(re.findall(r'^s390 (\S+)', hs, re.M)),
        ('s390x', 'features'): {ln.split()[0] for ln in sec.splitlines() if ln.strip()},
    }

    counts = {'exact': 0, 'since_at_most': 0, 'unknown': 0}
    for (arch, kind), names in want.items():
        table = (doc.get(arch) or {}).get(kind)
        if not isinstance(table, dict):
            err(f'{arch}.{kind} missing')
            continue
        for n in sorted(names - set(table)):
            err(f'{arch}.{kind}: {n} (from shared data) has no entry')
        for n in sorted(set(table) - names):
            err(f'{arch}.{kind}: {n} is not in the shared data')
        for n, e in sorted(table.items()):
            where = f'{arch}.{kind}.{n}'
            if not isinstance(e, dict):
                err(f'{where}: entry is not an object')
                continue
            if not e.get('source'):
                err(f'{where}: no source')
            since = e.get('since')
            if since is not None:
                if since not in rels:
                    err(f'{where}: since {since!r} is not a listed release')
                    continue
                key = rel_key(since)
                counts['exact'] += 1
            else:
                sam = e.get('since_at_most')
                if sam is None:
                    counts['unknown'] += 1
                    key = None
                elif sam not in rels:
                    err(f'{where}: since_at_most {sam!r} is not a listed release')
                    continue
                else:
                    key = rel_key(sam)
                    counts['since_at_most'] += 1
            nb = e.get('not_before')
            if nb is not None:
                if nb not in rels:
                    err(f'{where}: not_before {nb!r} is not a listed release')
                elif key is not None and rel_key(nb) > key:
                    err(f'{where}: not_before {nb} is later than {since or e.get("since_at_most")}')
            in72 = n in cap[(arch, kind)]
            if in72 and (key is None or key > q72):
                err(f'{where}: present in the QEMU 7.2 capture but dated '
                    f'{since or e.get("since_at_most")} (must be <= qemu-7.2)')
            if not in72 and since is not None and key <= q72:
                err(f'{where}: absent from the QEMU 7.2 capture but since {since} (<= qemu-7.2)')
            if not in72 and since is None and nb is not None and rel_key(nb) <= q72:
                err(f'{where}: absent from the QEMU 7.2 capture but not_before {nb}')
            if not in72 and since is None and nb is None and key is not None and key <= q72:
                err(f'{where}: absent from the QEMU 7.2 capture but since_at_most {e.get("since_at_most")}')

    if errors:
        for e in errors:
            print(f'check-qemu-releases: {e}', file=sys.stderr)
        print(f'check-qemu-releases: FAILED ({len(errors)} problem(s))', file=sys.stderr)
        return 1
    total = sum(counts.values())
    print(f'check-qemu-releases: OK: {total} entries: {counts["exact"]} exact, '
          f'{counts["since_at_most"]} since_at_most, {counts["unknown"]} unknown (data {data})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
