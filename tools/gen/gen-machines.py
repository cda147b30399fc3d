#!/usr/bin/env python3
"""Generate vmcompat's machine-type catalog (data/machine/<arch>.json) and the
hypervisor-release table (data/releases/qemu.json).

Inputs (data only):
  --qemu     ../shared/data/qemu: compat-props.json (hw_compat/pc_compat/s390
             arrays, family defaults, version chains), deprecations.json
  --sources  tools/gen/sources: qemu-releases.json (cited release history of
             CPU models and features; optional, see its README)

Outputs (format described in docs/catalog-format.md, "Machine types"):
  data/machine/x86_64.json   pc-q35, pc-i440fx
  data/machine/s390x.json    s390-ccw-virtio
  data/releases/qemu.json    QEMU releases, and when CPU models/features appeared

The machine files keep QEMU's *raw* structure: named compat arrays and, per
version, the version it inherits from and the arrays it adds.  The library
computes each version's effective compat properties from that chain as QEMU
does (tests/unit/test-machine.c recomputes them independently from
compat-props.json's effective_compat_arrays lists).

`--check` regenerates into a temporary directory and exits 1 if the committed
files differ.  Deterministic output; standard library only.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import tempfile

FORMAT = 1
GENERATOR = "tools/gen/gen-machines.py"
REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_QEMU = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "qemu"))
DEFAULT_SOURCES = os.path.join(REPO_ROOT, "tools", "gen", "sources")
DEFAULT_OUT = os.path.join(REPO_ROOT, "data")

# family -> (arch, aliases QEMU registers for its newest version, is the arch default)
FAMILIES = {
    "pc-i440fx": ("x86_64", ["pc"], True),
    "pc-q35": ("x86_64", ["q35"], False),
    "s390-ccw-virtio": ("s390x", ["s390-ccw-virtio"], True),
}
# compat-props.json top-level section holding each family's own arrays
FAMILY_SECTIONS = {
    "pc-i440fx": ["generic", "pc"],
    "pc-q35": ["generic", "pc"],
    "s390-ccw-virtio": ["generic", "s390-ccw"],
}
ENTRY_KEYS = ["driver", "property", "value", "optional", "host_dependency", "aspect", "reason", "note"]


class GenError(Exception):
    pass


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(obj, indent=1, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise GenError("%s: %s" % (path, e))


def ver_key(v):
    return tuple(int(x) for x in v.split("."))


def array_name(section, version):
    """compat-props.json section + version -> the C array name QEMU uses."""
    us = version.replace(".", "_")
    if section == "generic":
        return "hw_compat_" + us
    if section == "pc":
        return "pc_compat_" + us
    if section == "s390-ccw":
        return "ccw_machine_%s_class_options.compat" % us
    raise GenError("unknown section " + section)


def clean_entry(e, where):
    for k in ("driver", "property", "value", "host_dependency"):
        if not isinstance(e.get(k), str):
            raise GenError("%s: entry without string %r" % (where, k))
    if e["host_dependency"] not in ("host-dependent", "guest-abi-only"):
        raise GenError("%s: %s.%s is classed %r (need host-dependent or guest-abi-only)" % (
            where, e["driver"], e["property"], e["host_dependency"]))
    return {k: e[k] for k in ENTRY_KEYS if k in e}


def release_after(version):
    """The QEMU release that follows machine version X.Y (2.12 -> 3.0 ...)."""
    major, minor = ver_key(version)[:2]
    last_minor = {2: 12, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2}
    if minor >= last_minor.get(major, 99):
        return "%d.0" % (major + 1)
    return "%d.%d" % (major, minor + 1)


def gen_machines(cp):
    docs = {}
    for family, (arch, aliases, is_default) in FAMILIES.items():
        fam = cp["machines"].get(family)
        if not fam:
            raise GenError("compat-props.json: no machines.%s" % family)
        doc = docs.setdefault(arch, {
            "format": FORMAT,
            "arch": arch,
            "_source": {
                "generator": GENERATOR,
                "from": "../shared/data/qemu/compat-props.json (QEMU %s, commit %s)" % (
                    cp["_source"]["qemu_version"], cp["_source"]["qemu_commit"]),
                "semantics": cp["semantics"]["summary"],
                "since": "a machine type X.Y first ships in QEMU X.Y (4.0.1: the 4.0.1 stable release and 4.1); "
                         "an entry of hw_compat_X_Y / pc_compat_X_Y describes a property or default that "
                         "arrived in the release after X.Y",
                "status": "status is QEMU's view at the snapshot's target release %s; per-release status "
                          "follows deprecations.json machine_types.rule" % fam["latest"],
            },
            "arrays": {},
            "families": [],
        })
        used = set()
        versions = []
        for v, info in sorted(fam["versions"].items(), key=lambda kv: ver_key(kv[0]), reverse=True):
            own = info.get("own_compat_arrays", [])
            used.update(own)
            versions.append({
                "version": v,
                "name": info["machine_type"],
                "inherits_from": info.get("inherits_from"),
                "arrays": own,
                "status": info["status"],
                "since": "qemu-" + ("4.1" if v == "4.0.1" else v),
            })
        defaults = cp["family_defaults"].get(family)
        if defaults:
            used.add(defaults["array"])
            doc["arrays"][defaults["array"]] = [clean_entry(e, defaults["array"]) for e in defaults["props"]]
        for section in FAMILY_SECTIONS[family]:
            for v, entries in cp[section].items():
                name = array_name(section, v)
                if name in used and name not in doc["arrays"]:
                    doc["arrays"][name] = [dict(clean_entry(e, name), since="qemu-" + release_after(v))
                                           for e in entries]
        missing = sorted(used - set(doc["arrays"]))
        if missing:
            raise GenError("%s: arrays referenced but not found: %s" % (family, ", ".join(missing)))
        doc["families"].append({
            "name": family,
            "aliases": aliases,
            "default": is_default,
            "defaults_array": defaults["array"] if defaults else None,
            "latest": fam["latest"],
            "versions": versions,
        })
    for doc in docs.values():
        doc["arrays"] = dict(sorted(doc["arrays"].items()))
    return docs


def gen_releases(cp, dep, sources_dir):
    rule = dep["machine_types"]["rule"]
    out = {
        "format": FORMAT,
        "_source": {
            "generator": GENERATOR,
            "machine_type_rule": rule + " (QEMU's MACHINE_VER_DEPRECATION_MAJOR 3 / DELETION_MAJOR 6, "
                                        "applied from QEMU 9.1 on; earlier releases deprecated machine types by hand)",
            "releases": "tools/gen/sources/qemu-releases.json",
        },
        "deprecation_policy_since": "qemu-9.1",
        "releases": [],
        "x86_64": {"models": {}, "features": {}},
        "s390x": {"models": {}, "features": {}},
    }
    path = os.path.join(sources_dir, "qemu-releases.json")
    if os.path.exists(path):
        src = load(path)
        out["_source"]["cpu_history"] = src.get("_source", {}).get("method", "see " + path)
        for r in src["releases"]:
            out["releases"].append({k: r[k] for k in ("name", "date") if k in r})
        for arch in ("x86_64", "s390x"):
            for kind in ("models", "features"):
                for name, fact in sorted(src.get(arch, {}).get(kind, {}).items()):
                    e = {}
                    if fact.get("since"):
                        e["since"] = fact["since"]
                    elif fact.get("since_at_most"):
                        e["since_at_most"] = fact["since_at_most"]
                    else:
                        continue
                    out[arch][kind][name] = e
    else:
        # Without the cited history only the machine-type releases are known.
        seen = set()
        for fam in cp["machines"].values():
            for v in fam["versions"]:
                if v.count(".") == 1:
                    seen.add(v)
        for v in sorted(seen, key=ver_key):
            out["releases"].append({"name": "qemu-" + v})
    return out


def generate(qemu_dir, sources_dir, out_dir):
    cp = load(os.path.join(qemu_dir, "compat-props.json"))
    dep = load(os.path.join(qemu_dir, "deprecations.json"))
    files = {}
    for arch, doc in gen_machines(cp).items():
        files[os.path.join("machine", arch + ".json")] = doc
    files[os.path.join("releases", "qemu.json")] = gen_releases(cp, dep, sources_dir)
    for rel, doc in files.items():
        write_json(os.path.join(out_dir, rel), doc)
    return sorted(files)


def check(qemu_dir, sources_dir, out_dir):
    tmp = tempfile.mkdtemp(prefix="gen-machines-")
    try:
        problems = 0
        for rel in generate(qemu_dir, sources_dir, tmp):
            with open(os.path.join(tmp, rel), encoding="utf-8") as f:
                new = f.read().splitlines(keepends=True)
            old_path = os.path.join(out_dir, rel)
            if not os.path.exists(old_path):
                print("MISSING %s" % rel)
                problems += 1
                continue
            with open(old_path, encoding="utf-8") as f:
                old = f.read().splitlines(keepends=True)
            if old != new:
                problems += 1
                diff = list(difflib.unified_diff(old, new, "committed/" + rel, "regenerated/" + rel, n=1))
                print("DIFFERS %s" % rel)
                sys.stdout.writelines(diff[:40])
        if problems:
            print("machine catalog check: %d file(s) out of date; regenerate with: python3 %s" % (problems, GENERATOR))
            return 1
        print("machine catalog check: up to date")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate vmcompat's machine-type and release catalog.")
    ap.add_argument("--qemu", default=DEFAULT_QEMU, help="QEMU-derived JSON directory (default: %(default)s)")
    ap.add_argument("--sources", default=DEFAULT_SOURCES, help="cited source facts (default: %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="data directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="fail if the committed files are out of date")
    args = ap.parse_args(argv)
    try:
        if args.check:
            return check(args.qemu, args.sources, args.out)
        for rel in generate(args.qemu, args.sources, args.out):
            print("wrote %s" % os.path.join(args.out, rel))
        return 0
    except GenError as e:
        print("gen-machines: error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
