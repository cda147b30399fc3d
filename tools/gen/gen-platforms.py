#!/usr/bin/env python3
"""Generate vmcompat's built-in platforms (data/platforms/linux-X.Y.json and
data/platforms/index.json) from cited facts.

Inputs (data only):
  --sources   tools/gen/sources/linux-platforms.json: the kernels that are
              platforms, the mainline release each capability arrived in
              (with a citation), values pinned on purpose
  --tunables  data/machine/tunables.json: the host-dependent tunables and
              what each value needs from the host
  --kvm-caps  data/host/kvm-capabilities.json: KVM_CAP_* / paravirt bits the
              probe asks (their 'since' must agree with the sources)
  --probe-doc docs/host-document.md: the capability names the probe reports

A platform linux-X.Y has
  - every capability named by a kind=platform tunable whose kernel <= X.Y,
    ordered by kernel then name; a capability goes to "capabilities" when
    the tunables naming it exist on every arch, else to
    "arch_capabilities"[arch] for the arches they exist on;
  - for every kind=platform tunable the first value of its "needs" (file
    order: richest first) whose capabilities the platform has, else its
    "safe" value -- unless the sources pin a value.

Downstream example platforms (examples/platforms/*.json, based_on an
upstream one) are checked against the same rules: every tunable they fix
exists and is of kind platform, and every capability its value needs is in
the merged platform.

`--check` regenerates in memory and exits 1 if the committed files differ
(or an example platform is inconsistent).  Deterministic output; standard
library only.  Format: docs/platforms.md.
"""

import argparse
import difflib
import json
import os
import re
import sys

FORMAT = 1
GENERATOR = "tools/gen/gen-platforms.py"
REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ARCHES = ("x86_64", "s390x")


class GenError(Exception):
    pass


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise GenError("%s: cannot read: %s" % (path, e.strerror))
    except json.JSONDecodeError as e:
        raise GenError("%s:%d: not JSON: %s" % (path, e.lineno, e.msg))


def kernel_key(k):
    """'6.2' -> (6, 2); '2.6.26' -> (2, 6, 26)."""
    if not isinstance(k, str) or not re.fullmatch(r"\d+(\.\d+){1,2}", k):
        raise GenError("'%s' is not a kernel release (x.y or x.y.z)" % (k,))
    return tuple(int(x) for x in k.split("."))


def probe_names(doc_path, kvm):
    """Names the probe reports: the table of docs/host-document.md plus
    kvm.cap.<name> / kvm.pv.<name> for every entry of kvm-capabilities.json."""
    try:
        with open(doc_path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise GenError("%s: cannot read: %s" % (doc_path, e.strerror))
    section = text.split("## Capability names the probe reports", 1)
    if len(section) != 2:
        raise GenError("%s: no section 'Capability names the probe reports'" % doc_path)
    names = set()
    for line in section[1].splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        for n in re.findall(r"`([^`<>]+)`", first_cell):
            names.add(n)
    for c in kvm["capabilities"]:
        names.add("kvm.cap." + c["name"])
    for p in kvm["paravirt"]:
        names.add("kvm.pv." + p["name"])
    return names


def kvm_since(kvm):
    out = {}
    for c in kvm["capabilities"]:
        out["kvm.cap." + c["name"]] = c["since"]
    for p in kvm["paravirt"]:
        out["kvm.pv." + p["name"]] = p["since"]
    return out


def tunable_name(t):
    return "%s.%s" % (t["driver"], t["property"])


def tunable_arches(t):
    return [a for a in ARCHES if a in t.get("arch", ARCHES)]


def bool_equal(a, b):
    yes, no = ("on", "true", "yes"), ("off", "false", "no")
    la, lb = a.lower(), b.lower()
    if la in yes + no or lb in yes + no:
        return (la in yes and lb in yes) or (la in no and lb in no)
    return a == b


def needs_of(t, value):
    for v, caps in t.get("needs", {}).items():
        if bool_equal(v, value):
            return caps
    return []


class Model:
    """Everything the platforms are computed from, validated."""

    def __init__(self, sources, tunables, kvm, names):
        self.sources = sources
        self.kernels = sources.get("kernels")
        if not isinstance(self.kernels, list) or not self.kernels:
            raise GenError("sources: 'kernels' must be a non-empty list")
        seen = set()
        for k in self.kernels:
            kernel_key(k.get("kernel"))
            if k["kernel"] in seen:
                raise GenError("sources: kernel %s listed twice" % k["kernel"])
            seen.add(k["kernel"])
        self.kernels = sorted(self.kernels, key=lambda k: kernel_key(k["kernel"]))

        self.facts = sources.get("capabilities", {})
        since = kvm_since(kvm)
        for cap, fact in sorted(self.facts.items()):
            if cap not in names:
                raise GenError("sources: capability '%s' is not a name the host probe reports "
                               "(docs/host-document.md, data/host/kvm-capabilities.json)" % cap)
            kernel_key(fact.get("kernel"))
            if not fact.get("source"):
                raise GenError("sources: capability '%s' has no citation ('source')" % cap)
            if cap in since and since[cap] != fact["kernel"]:
                raise GenError("sources: capability '%s' arrived in Linux %s, but "
                               "data/host/kvm-capabilities.json says %s" % (cap, fact["kernel"], since[cap]))

        self.tunables = [t for t in tunables["tunables"] if t.get("kind") == "platform"]
        if not self.tunables:
            raise GenError("tunables: no kind=platform tunable")
        by_name = {tunable_name(t): t for t in tunables["tunables"]}
        self.all_tunables = by_name
        # capability -> arches of the platform tunables naming it
        self.cap_arches = {}
        for t in self.tunables:
            name = tunable_name(t)
            arches = tunable_arches(t)
            if not arches:
                raise GenError("tunables: %s exists on no known arch" % name)
            if needs_of(t, t["safe"]):
                raise GenError("tunables: %s: the safe value needs capabilities" % name)
            for value, caps in t.get("needs", {}).items():
                for cap in caps:
                    if cap not in self.facts:
                        raise GenError("tunables: %s=%s needs '%s', which tools/gen/sources/"
                                       "linux-platforms.json does not date (add it with its kernel "
                                       "release and a citation)" % (name, value, cap))
                    self.cap_arches.setdefault(cap, set()).update(arches)
        for cap in self.facts:
            if cap not in self.cap_arches:
                raise GenError("sources: capability '%s' is dated but no platform tunable needs it" % cap)

        self.pinned = sources.get("pinned", {})
        for name, pin in sorted(self.pinned.items()):
            t = by_name.get(name)
            if not t or t.get("kind") != "platform":
                raise GenError("sources: pinned '%s' is not a kind=platform tunable" % name)
            values = list(t.get("needs", {})) + [t["safe"]]
            if not any(bool_equal(pin.get("value", ""), v) for v in values):
                raise GenError("sources: pinned %s=%s is neither a value of its needs nor its safe "
                               "value" % (name, pin.get("value")))
            if not pin.get("why"):
                raise GenError("sources: pinned '%s' says not why" % name)

    def caps_for(self, kernel):
        """(common, {arch: [...]}) capabilities of platform @kernel, ordered."""
        kk = kernel_key(kernel)
        present = [c for c in self.facts if kernel_key(self.facts[c]["kernel"]) <= kk]
        present.sort(key=lambda c: (kernel_key(self.facts[c]["kernel"]), c))
        common = [c for c in present if self.cap_arches[c] >= set(ARCHES)]
        per_arch = {a: [c for c in present if c not in common and a in self.cap_arches[c]]
                    for a in ARCHES}
        return common, per_arch

    def value_for(self, t, common, per_arch):
        def satisfied(value):
            for cap in needs_of(t, value):
                for a in tunable_arches(t):
                    if cap not in common and cap not in per_arch[a]:
                        return False
            return True

        name = tunable_name(t)
        if name in self.pinned:
            v = self.pinned[name]["value"]
            if not satisfied(v):
                raise GenError("sources: pinned %s=%s needs capabilities some platform lacks" % (name, v))
            return v
        for v in t.get("needs", {}):
            if satisfied(v):
                return v
        return t["safe"]

    def platform(self, k):
        kernel = k["kernel"]
        common, per_arch = self.caps_for(kernel)
        doc = {}
        doc["format"] = FORMAT
        doc["_source"] = ("generated by %s from tools/gen/sources/linux-platforms.json, "
                          "data/machine/tunables.json and data/host/kvm-capabilities.json; "
                          "do not edit" % GENERATOR)
        doc["name"] = "linux-" + kernel
        doc["kernel"] = kernel
        doc["based_on"] = None
        doc["description"] = k.get("description") or "Linux %s (mainline)" % kernel
        doc["capabilities"] = common
        doc["arch_capabilities"] = {a: per_arch[a] for a in ARCHES}
        doc["tunables"] = {tunable_name(t): self.value_for(t, common, per_arch)
                           for t in sorted(self.tunables, key=tunable_name)}
        caps = common + [c for a in ARCHES for c in per_arch[a] if c not in common]
        doc["sources"] = {c: "Linux %s: %s" % (self.facts[c]["kernel"], self.facts[c]["source"])
                          for c in sorted(set(caps))}
        return doc

    def outputs(self):
        files = {}
        names = []
        for k in self.kernels:
            p = self.platform(k)
            files[p["name"] + ".json"] = dump(p)
            names.append(p["name"])
        files["index.json"] = dump({"format": FORMAT, "_source": "generated by %s" % GENERATOR,
                                    "platforms": names})
        return files

    def check_downstream(self, path, upstream):
        """Errors (strings) of a downstream platform file."""
        errors = []
        try:
            d = load_json(path)
        except GenError as e:
            return [str(e)]
        name = d.get("name")
        base = d.get("based_on")
        where = shown(path)
        if not name or not isinstance(name, str):
            errors.append("%s: field 'name': missing" % where)
        try:
            kernel_key(d.get("kernel"))
        except GenError as e:
            errors.append("%s: field 'kernel': %s" % (where, e))
        if base not in upstream:
            return errors + ["%s: field 'based_on': '%s' is not a built-in platform (%s)"
                             % (where, base, ", ".join(sorted(upstream)))]
        b = upstream[base]
        common = list(b["capabilities"]) + [c for c in d.get("capabilities", [])
                                            if c not in b["capabilities"]]
        per_arch = {}
        for a in ARCHES:
            own = d.get("arch_capabilities", {}).get(a, [])
            per_arch[a] = list(b["arch_capabilities"][a]) + [c for c in own
                                                            if c not in b["arch_capabilities"][a]]
        values = dict(b["tunables"])
        values.update(d.get("tunables", {}))
        for tname, v in sorted(values.items()):
            t = self.all_tunables.get(tname)
            if not t:
                errors.append("%s: tunable '%s' is not in data/machine/tunables.json" % (where, tname))
                continue
            if t.get("kind") != "platform":
                errors.append("%s: tunable '%s' is of kind %s; a platform fixes only kind=platform "
                              "tunables" % (where, tname, t.get("kind")))
            for cap in needs_of(t, v):
                for a in tunable_arches(t):
                    if cap not in common and cap not in per_arch[a]:
                        errors.append("%s: sets %s=%s, which needs capability %s, but does not list "
                                      "that capability (for %s)" % (where, tname, v, cap, a))
        for c in set(d.get("capabilities", [])) | {c for a in ARCHES
                                                   for c in d.get("arch_capabilities", {}).get(a, [])}:
            if c not in d.get("sources", {}) and c not in b["sources"]:
                errors.append("%s: capability '%s' has no entry in 'sources' (why it belongs)" % (where, c))
        return errors


def check_lists(outputs, data_dir):
    """Errors: a generated platform file the GResource or data/meson.build
    does not list (the library would not embed it), or a listed one that is
    not generated any more."""
    errors = []
    want = {"platforms/" + f for f in outputs}
    for fname in ("vmcompat.gresource.xml", "meson.build"):
        path = os.path.join(data_dir, fname)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            errors.append("%s: cannot read: %s" % (shown(path), e.strerror))
            continue
        listed = set(re.findall(r"platforms/[A-Za-z0-9._-]+\.json", text))
        for w in sorted(want - listed):
            errors.append("%s does not list %s" % (shown(path), w))
        for x in sorted(listed - want):
            errors.append("%s lists %s, which is not generated" % (shown(path), x))
    return errors


def shown(path):
    """@path relative to the repository when inside it, else absolute."""
    path = os.path.abspath(path)
    rel = os.path.relpath(path, REPO_ROOT)
    return path if rel.startswith("..") else rel


def dump(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate vmcompat's built-in platforms (data/platforms).")
    ap.add_argument("--sources", default=os.path.join(REPO_ROOT, "tools", "gen", "sources",
                                                      "linux-platforms.json"))
    ap.add_argument("--tunables", default=os.path.join(REPO_ROOT, "data", "machine", "tunables.json"))
    ap.add_argument("--kvm-caps", default=os.path.join(REPO_ROOT, "data", "host", "kvm-capabilities.json"))
    ap.add_argument("--probe-doc", default=os.path.join(REPO_ROOT, "docs", "host-document.md"))
    ap.add_argument("--examples", default=os.path.join(REPO_ROOT, "examples", "platforms"),
                    help="downstream platform files to check (a directory; skipped when absent)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "data", "platforms"))
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if the files in --out differ from what would be generated")
    args = ap.parse_args(argv)

    try:
        kvm = load_json(args.kvm_caps)
        model = Model(load_json(args.sources), load_json(args.tunables), kvm,
                      probe_names(args.probe_doc, kvm))
        outputs = model.outputs()
    except GenError as e:
        print("gen-platforms: error: %s" % e, file=sys.stderr)
        return 1

    upstream = {}
    for fname, text in outputs.items():
        if fname != "index.json":
            p = json.loads(text)
            upstream[p["name"]] = p
    errors = check_lists(outputs, os.path.dirname(os.path.abspath(args.out)))
    if os.path.isdir(args.examples):
        for fname in sorted(os.listdir(args.examples)):
            if fname.endswith(".json"):
                errors += model.check_downstream(os.path.join(args.examples, fname), upstream)

    if args.check:
        stale = []
        for fname, text in sorted(outputs.items()):
            path = os.path.join(args.out, fname)
            try:
                with open(path, encoding="utf-8") as f:
                    old = f.read()
            except OSError:
                stale.append("%s: missing" % fname)
                continue
            if old != text:
                diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(),
                                                 "committed/" + fname, "generated/" + fname,
                                                 lineterm="", n=1))
                stale.append("%s differs:\n%s" % (fname, "\n".join(diff[:40])))
        if os.path.isdir(args.out):
            for fname in sorted(os.listdir(args.out)):
                if fname.endswith(".json") and fname not in outputs:
                    stale.append("%s: not generated any more (remove it)" % fname)
        for e in errors:
            print("gen-platforms: %s" % e, file=sys.stderr)
        if stale:
            print("gen-platforms: %s is stale; run %s to regenerate:" %
                  (shown(args.out), GENERATOR), file=sys.stderr)
            for s in stale:
                print("  " + s.replace("\n", "\n  "), file=sys.stderr)
        if stale or errors:
            return 1
        print("gen-platforms: %d platforms up to date" % (len(outputs) - 1))
        return 0

    os.makedirs(args.out, exist_ok=True)
    for fname, text in sorted(outputs.items()):
        with open(os.path.join(args.out, fname), "w", encoding="utf-8") as f:
            f.write(text)
    for fname in sorted(os.listdir(args.out)):
        if fname.endswith(".json") and fname not in outputs:
            os.remove(os.path.join(args.out, fname))
    for e in errors:
        print("gen-platforms: %s" % e, file=sys.stderr)
    print("gen-platforms: wrote %d platforms to %s" % (len(outputs) - 1, shown(args.out)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
