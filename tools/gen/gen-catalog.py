#!/usr/bin/env python3
"""Generate vmcompat's shipped CPU catalog (data/cpu/<arch>/*.json).

Inputs (data only, see the README.md next to them):
  --qemu             directory with QEMU-derived JSON: x86-features.json,
                     x86-cpu-models.json, s390x-features.json, deprecations.json
  --libvirt-cpu-map  libvirt src/cpu_map copy: x86_features.xml, x86_vendors.xml
                     (used for libvirt-name aliases, vendor names, migratable='no')
  --out              output directory (data/cpu)

Outputs (format described in docs/catalog-format.md):
  x86_64/features.json, x86_64/models.json, s390x/features.json, s390x/models.json

`--check` regenerates into a temporary directory and exits 1 if the files
under --out differ (for CI).  The output is deterministic: no timestamps,
fixed ordering, json indent=1, trailing newline.

Standard library only.
"""

import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

FORMAT = 1
GENERATOR = "tools/gen/gen-catalog.py"

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_QEMU = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "qemu"))
DEFAULT_CPU_MAP = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "data", "libvirt", "cpu_map"))
DEFAULT_OUT = os.path.join(REPO_ROOT, "data", "cpu")

OUTPUT_FILES = [
    ("x86_64", "features.json"),
    ("x86_64", "models.json"),
    ("s390x", "features.json"),
    ("s390x", "models.json"),
]

# Short names for CPUID vendor strings used by QEMU models but absent from
# libvirt's x86_vendors.xml.  CentaurHauls is QEMU's CPUID_VENDOR_ZHAOXIN1,
# "  Shanghai  " its CPUID_VENDOR_ZHAOXIN2.  Only vendors that a model
# actually uses are emitted.
EXTRA_VENDOR_NAMES = {
    "CentaurHauls": "Centaur",
    "  Shanghai  ": "Zhaoxin",
}

# Non-feature QEMU properties that x86 version props may set, and the model
# field they land in.  Anything else is an error.
X86_OTHER_PROPS = {
    "model-id": "model_id",
    "family": "signature.family",
    "model": "signature.model",
    "stepping": "signature.stepping",
    "level": "level",
    "min-level": "level",
    "xlevel": "xlevel",
    "min-xlevel": "xlevel",
    "vendor": "vendor",
    "avx10-version": "avx10_version",
    "x-force-cpuid-0x1f": "cpuid_0x1f",
}


# Feature words that QEMU's feature_dependencies[] (target/i386/cpu.c) makes
# depend on one CPUID bit: CPUID_EXT_VMX -> every FEAT_VMX_* word (directly,
# or through vmx-secondary-ctls / vmx-ept / vmx-vpid / vmx-vmfunc, which are
# VMX words themselves), CPUID_EXT3_SVM -> FEAT_SVM.  A feature of such a
# word gets "depends": <feature>.  Derived from the word names so that a new
# VMX word needs no change here.
def word_dependency(word):
    if word.startswith("FEAT_VMX_"):
        return "vmx"
    if word == "FEAT_SVM":
        return "svm"
    return None


class GenError(Exception):
    pass


def fail(msg):
    raise GenError(msg)


def warn(msg):
    print("gen-catalog: " + msg, file=sys.stderr)


# ----------------------------------------------------------------------------
# input helpers

class Inputs:
    def __init__(self, qemu_dir, cpu_map_dir):
        self.qemu_dir = qemu_dir
        self.cpu_map_dir = cpu_map_dir
        self._cache = {}

    @staticmethod
    def _sha256(path):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            h.update(f.read())
        return h.hexdigest()

    def qemu(self, name):
        path = os.path.join(self.qemu_dir, name)
        if path not in self._cache:
            try:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
            except OSError as e:
                fail("cannot read %s: %s" % (path, e))
            if "_source" not in data:
                fail("%s has no _source block" % path)
            self._cache[path] = data
        return self._cache[path]

    def qemu_ref(self, name):
        """Provenance entry for a QEMU-derived input file."""
        path = os.path.join(self.qemu_dir, name)
        data = self.qemu(name)
        return {
            "file": "qemu/" + name,
            "sha256": self._sha256(path),
            "source": data["_source"],
        }

    def libvirt_version(self):
        # The cpu_map copy has no version stamp of its own; the README one
        # directory up records the libvirt release it was copied from.
        readme = os.path.join(os.path.dirname(os.path.normpath(self.cpu_map_dir)), "README.md")
        try:
            with open(readme, encoding="utf-8") as f:
                m = re.search(r"libvirt version\s*\|\s*\**([0-9][0-9.]*)", f.read())
        except OSError:
            m = None
        if not m:
            warn("cannot determine libvirt version from %s" % readme)
            return None
        return m.group(1)

    def cpu_map(self, name):
        path = os.path.join(self.cpu_map_dir, name)
        if path not in self._cache:
            try:
                self._cache[path] = ET.parse(path).getroot()
            except (OSError, ET.ParseError) as e:
                fail("cannot read %s: %s" % (path, e))
        return self._cache[path]

    def cpu_map_ref(self, name):
        path = os.path.join(self.cpu_map_dir, name)
        self.cpu_map(name)
        return {
            "file": "libvirt/cpu_map/" + name,
            "sha256": self._sha256(path),
            "source": {
                "libvirt_version": self.libvirt_version(),
                "origin": "libvirt src/cpu_map/%s (unmodified copy)" % name,
            },
        }


def hex32(v):
    if v < 0 or v > 0xFFFFFFFF:
        fail("value out of 32-bit range: %r" % v)
    return "0x%08x" % v


def parse_int(s, what):
    if isinstance(s, bool):
        fail("%s: boolean where a number was expected" % what)
    if isinstance(s, int):
        return s
    try:
        return int(str(s), 0)
    except ValueError:
        fail("%s: not a number: %r" % (what, s))


def parse_bool(s, what):
    if s in ("on", "true", True):
        return True
    if s in ("off", "false", False):
        return False
    fail("%s: not an on/off value: %r" % (what, s))


def order_by(names, index, what):
    out = []
    seen = set()
    for n in names:
        if n not in index:
            fail("%s: unknown feature %r" % (what, n))
        if n not in seen:
            seen.add(n)
            out.append(n)
    out.sort(key=lambda n: index[n])
    return out


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(obj, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# ----------------------------------------------------------------------------
# x86_64

def _loc_key(entry):
    if "cpuid" in entry:
        c = entry["cpuid"]
        return ("cpuid", c["leaf"], c["subleaf"], c["eax"], c["ebx"], c["ecx"], c["edx"])
    m = entry["msr"]
    return ("msr", m["index"], m["eax"], m["edx"])


def _lv_hex(elem, attr):
    v = elem.get(attr)
    return hex32(int(v, 16) if v is not None else 0)


def read_libvirt_x86(inputs):
    """Return (features, vendors) from the cpu_map.

    features: list of dicts {name, loc_key, migratable, qemu_aliases}, in
    file order."""
    root = inputs.cpu_map("x86_features.xml")
    feats = []
    for f in root.findall("feature"):
        name = f.get("name")
        cpuid = f.find("cpuid")
        msr = f.find("msr")
        if (cpuid is None) == (msr is None):
            fail("libvirt feature %r: expected exactly one of <cpuid>/<msr>" % name)
        if cpuid is not None:
            loc = {"cpuid": {
                "leaf": _lv_hex(cpuid, "eax_in"),
                "subleaf": _lv_hex(cpuid, "ecx_in"),
                "eax": _lv_hex(cpuid, "eax"),
                "ebx": _lv_hex(cpuid, "ebx"),
                "ecx": _lv_hex(cpuid, "ecx"),
                "edx": _lv_hex(cpuid, "edx"),
            }}
        else:
            loc = {"msr": {
                "index": _lv_hex(msr, "index"),
                "eax": _lv_hex(msr, "eax"),
                "edx": _lv_hex(msr, "edx"),
            }}
        feats.append({
            "name": name,
            "loc": loc,
            "key": _loc_key(loc),
            "migratable": f.get("migratable", "yes") != "no",
            "qemu_aliases": [a.get("name") for a in f.findall("alias") if a.get("source") == "qemu"],
        })
    vroot = inputs.cpu_map("x86_vendors.xml")
    vendors = [{"name": v.get("name"), "string": v.get("string")} for v in vroot.findall("vendor")]
    return feats, vendors


def _bits(mask_hex):
    v = int(mask_hex, 16)
    return [b for b in range(64) if v >> b & 1]


def gen_x86_features(inputs, deprecations):
    fx = inputs.qemu("x86-features.json")
    models = inputs.qemu("x86-cpu-models.json")

    words = {}
    for w in fx["feature_words"]:
        if w["word"] in words:
            fail("x86: duplicate feature word %s" % w["word"])
        words[w["word"]] = w

    # group the named bits by name (duplicates become one entry)
    by_name = {}
    order = []
    for f in fx["features"]:
        w = words.get(f["word"])
        if w is None:
            fail("x86 feature %s: unknown word %s" % (f["name"], f["word"]))
        bit = f["bit"]
        if w["type"] == "cpuid":
            if not 0 <= bit < 32:
                fail("x86 feature %s: cpuid bit %d out of range" % (f["name"], bit))
            if (f["cpuid_eax"], f["cpuid_ecx"], f["reg"]) != (w["cpuid"]["eax"], w["cpuid"]["ecx"], w["cpuid"]["reg"]):
                fail("x86 feature %s: location disagrees with its word" % f["name"])
        else:
            if not 0 <= bit < 64:
                fail("x86 feature %s: msr bit %d out of range" % (f["name"], bit))
            if int(f["msr_index"], 16) != int(w["msr"]["index"], 16):
                fail("x86 feature %s: msr index disagrees with its word" % f["name"])
        # cross-check the per-bit booleans against the word masks
        tcg_mask = int(w.get("tcg_features", "0x0"), 16)
        unmig_mask = int(w.get("unmigratable_flags", "0x0"), 16)
        tcg = bool(f.get("tcg", False))
        unmig = bool(f.get("unmigratable", False))
        if tcg != bool(tcg_mask >> bit & 1):
            fail("x86 feature %s: tcg flag disagrees with %s.tcg_features" % (f["name"], f["word"]))
        if unmig != bool(unmig_mask >> bit & 1):
            fail("x86 feature %s: unmigratable flag disagrees with %s.unmigratable_flags" % (f["name"], f["word"]))
        e = by_name.get(f["name"])
        if e is None:
            e = {"name": f["name"], "word": w, "bits": [], "tcg": [], "unmig": []}
            by_name[f["name"]] = e
            order.append(f["name"])
        elif e["word"] is not w:
            fail("x86 feature %s: named in two different words" % f["name"])
        e["bits"].append(bit)
        e["tcg"].append(tcg)
        e["unmig"].append(unmig)

    # duplicates must match the file's own list
    dups = {n: sorted(e["bits"]) for n, e in by_name.items() if len(e["bits"]) > 1}
    declared = {n: sorted(b for _w, b in v) for n, v in fx.get("duplicates", {}).items()}
    if dups != declared:
        fail("x86: duplicate names %r do not match the 'duplicates' block %r" % (dups, declared))
    for n, e in by_name.items():
        if len(set(e["tcg"])) > 1:
            fail("x86 feature %s: its bits disagree on tcg" % n)

    entries = []
    for n in order:
        e = by_name[n]
        w = e["word"]
        mask = 0
        for b in e["bits"]:
            mask |= 1 << b
        if w["type"] == "cpuid":
            regs = {"eax": 0, "ebx": 0, "ecx": 0, "edx": 0}
            regs[w["cpuid"]["reg"].lower()] = mask
            loc = {"cpuid": {
                "leaf": hex32(int(w["cpuid"]["eax"], 16)),
                "subleaf": hex32(int(w["cpuid"]["ecx"], 16) if w["cpuid"]["ecx"] is not None else 0),
                "eax": hex32(regs["eax"]),
                "ebx": hex32(regs["ebx"]),
                "ecx": hex32(regs["ecx"]),
                "edx": hex32(regs["edx"]),
            }}
        else:
            loc = {"msr": {
                "index": hex32(int(w["msr"]["index"], 16)),
                "eax": hex32(mask & 0xFFFFFFFF),
                "edx": hex32(mask >> 32),
            }}
        entries.append({
            "name": n,
            "loc": loc,
            "key": _loc_key(loc),
            "sort": (w["index"], min(e["bits"])),
            "aliases": set(),
            "unmigratable_qemu": any(e["unmig"]),
            "tcg": e["tcg"][0],
            "depends": word_dependency(w["word"]),
        })
    entries.sort(key=lambda x: x["sort"])
    qnames = {e["name"]: e for e in entries}

    # QEMU legacy property aliases.  A few alias non-feature CPU properties
    # (hv-apicv -> hv-avic is a Hyper-V enlightenment, lbr_fmt -> lbr-fmt a
    # number); those are skipped and recorded.
    skipped_aliases = []
    for alias, target in fx.get("aliases", {}).items():
        if target not in qnames:
            skipped_aliases.append("%s -> %s" % (alias, target))
            continue
        if alias in qnames:
            fail("x86 alias %s collides with a feature name" % alias)
        qnames[target]["aliases"].add(alias)

    # libvirt cpu_map names at the same location
    lv_feats, lv_vendors = read_libvirt_x86(inputs)
    by_loc = {}
    for e in entries:
        if e["key"] in by_loc:
            fail("x86: features %s and %s share a location" % (by_loc[e["key"]]["name"], e["name"]))
        by_loc[e["key"]] = e
    libvirt_only = []
    libvirt_partial = []
    libvirt_renamed = []
    libvirt_nonmigratable = []
    for lf in lv_feats:
        e = by_loc.get(lf["key"])
        if e is None and lf["name"] in qnames and _subset(lf["loc"], qnames[lf["name"]]["loc"]):
            # same name, libvirt covers only some of QEMU's (duplicate) bits,
            # e.g. vmx-invept-single-context: libvirt bit 25, QEMU bits 25+41
            e = qnames[lf["name"]]
            libvirt_partial.append({"libvirt": lf["name"], "qemu": e["name"],
                                    "relation": "same name; libvirt mask is a subset of QEMU's"})
        if e is None:
            libvirt_only.append(lf["name"])
            # does it overlap a QEMU feature at all?  (reported, not aliased)
            for q in entries:
                if _overlaps(q["loc"], lf["loc"]):
                    libvirt_partial.append({"libvirt": lf["name"], "qemu": q["name"],
                                            "relation": "masks overlap but differ; not aliased"})
            continue
        if lf["name"] != e["name"]:
            e["aliases"].add(lf["name"])
            libvirt_renamed.append(lf["name"])
        for a in lf["qemu_aliases"]:
            if a == e["name"]:
                continue
            if a in qnames:
                fail("libvirt alias %s (of %s) names another QEMU feature" % (a, lf["name"]))
            e["aliases"].add(a)
        if not lf["migratable"]:
            e["migratable_libvirt_no"] = True
            libvirt_nonmigratable.append(e["name"])
    for lf in lv_feats:
        if lf["name"] in qnames and lf["name"] in libvirt_only:
            fail("libvirt feature %s has the same name as a QEMU feature at a different location" % lf["name"])

    # aliases must be globally unique and never a canonical name
    owner = {}
    for e in entries:
        e["aliases"].discard(e["name"])
        for a in e["aliases"]:
            if a in qnames:
                fail("x86 alias %s of %s collides with a feature name" % (a, e["name"]))
            if a in owner and owner[a] != e["name"]:
                fail("x86 alias %s maps to both %s and %s" % (a, owner[a], e["name"]))
            owner[a] = e["name"]

    # deprecations
    depr = {}
    for d in deprecations["cpu_features"]:
        if d["arch"] not in ("x86", "x86_64", "i386"):
            continue
        if d["feature"] not in qnames:
            fail("deprecated x86 feature %s is not a feature" % d["feature"])
        depr[d["feature"]] = {"since": d["deprecated_since"], "source": d["source"]}

    # vendors: libvirt order, then the ones QEMU models need
    vendors = [dict(v) for v in lv_vendors]
    known = {v["string"] for v in vendors}
    for m in models["models"]:
        s = m["vendor"]
        if s in known:
            continue
        if s not in EXTRA_VENDOR_NAMES:
            fail("x86 model %s: vendor string %r has no short name" % (m["name"], s))
        vendors.append({"name": EXTRA_VENDOR_NAMES[s], "string": s})
        known.add(s)
    vnames = [v["name"] for v in vendors]
    if len(set(vnames)) != len(vnames) or len(known) != len(vendors):
        fail("x86: vendor names/strings not unique")

    out_feats = []
    for e in entries:
        item = {"name": e["name"]}
        item.update(e["loc"])
        item["migratable"] = not (e["unmigratable_qemu"] or e.get("migratable_libvirt_no", False))
        item["aliases"] = sorted(e["aliases"])
        item["deprecated"] = depr.get(e["name"])
        item["tcg"] = e["tcg"]
        item["depends"] = e["depends"]
        out_feats.append(item)
    # Features libvirt names that QEMU has no property for (osxsave, ospke,
    # cmt, ...): kept, after QEMU's, so libvirt host CPU XML and CPUID dumps
    # read with the built-in catalog; "qemu": false says -cpu cannot set them.
    lv_by_name = {lf["name"]: lf for lf in lv_feats}
    for name in libvirt_only:
        lf = lv_by_name[name]
        if name in owner or name in qnames:
            fail("libvirt-only feature %s collides with a QEMU name or alias" % name)
        item = {"name": name}
        item.update(lf["loc"])
        item["migratable"] = lf["migratable"]
        item["aliases"] = sorted(a for a in lf["qemu_aliases"] if a != name and a not in owner)
        item["deprecated"] = None
        item["tcg"] = False
        item["qemu"] = False
        item["depends"] = _word_dependency_at(words, lf["loc"])
        out_feats.append(item)
    # every dependency is a feature without a dependency of its own
    out_names = {f["name"]: f for f in out_feats}
    for f in out_feats:
        d = f["depends"]
        if d is None:
            continue
        if d not in out_names or out_names[d]["depends"] is not None:
            fail("x86 feature %s: dependency %r is not a feature without a dependency" % (f["name"], d))
    dep_counts = {}
    for f in out_feats:
        if f["depends"]:
            dep_counts[f["depends"]] = dep_counts.get(f["depends"], 0) + 1

    unmig_qemu = [e["name"] for e in entries if e["unmigratable_qemu"]]
    unnamed = {}
    for m in models["models"]:
        for w, bits in m.get("unnamed_feature_bits", {}).items():
            for b in bits:
                unnamed.setdefault((words[w]["index"], b, w), []).append(m["name"])
    unnamed_txt = "; ".join("%s bit %d: %s" % (w, b, ", ".join(ms)) for (_i, b, w), ms in sorted(unnamed.items()))
    no_tcg_words = [w["word"] for w in sorted(fx["feature_words"], key=lambda w: w["index"])
                    if "tcg_features" not in w and w["named_bits"]]

    source = {
        "generator": GENERATOR,
        "inputs": [
            inputs.qemu_ref("x86-features.json"),
            inputs.qemu_ref("x86-cpu-models.json"),
            inputs.qemu_ref("deprecations.json"),
            inputs.cpu_map_ref("x86_features.xml"),
            inputs.cpu_map_ref("x86_vendors.xml"),
        ],
        "facts": [
            "features: one entry per unique name of x86-features.json features[] (QEMU feature_word_info[].feat_names); "
            "order = FeatureWord enum value (feature_words[].index), then lowest bit",
            "duplicates merged (masks ORed): %s" % ", ".join(
                "%s bits %s" % (n, "+".join(str(b) for b in sorted(b))) for n, b in sorted(dups.items())),
            "MSR words are 64-bit: bits 0..31 in msr.eax, bits 32..63 in msr.edx",
            "migratable=false: QEMU unmigratable_flags (%s) or libvirt migratable='no' (%s)" % (
                ", ".join(unmig_qemu), ", ".join(libvirt_nonmigratable)),
            "tcg = bit is in the word's tcg_features; words without tcg_features count as 0 (%s)" %
            ", ".join(no_tcg_words),
            "deprecated: deprecations.json cpu_features (arch x86): %s" % ", ".join(
                "%s since %s (%s)" % (n, d["since"], d["source"]) for n, d in sorted(depr.items())),
            "aliases = QEMU legacy property names (x86-features.json aliases) + libvirt cpu_map names at the identical "
            "location (%s) + cpu_map <alias source='qemu'> names" % ", ".join(libvirt_renamed),
            "vendors: libvirt x86_vendors.xml order, then vendor strings used by QEMU models (short names chosen by "
            "the generator: CentaurHauls = QEMU CPUID_VENDOR_ZHAOXIN1)",
            "features with \"qemu\": false are libvirt cpu_map features with no QEMU property at that "
            "location (libvirt_only_features); they let libvirt XML and CPUID dumps be read",
            "depends: QEMU feature_dependencies[] (target/i386/cpu.c): CPUID_EXT_VMX -> FEAT_VMX_* words, "
            "CPUID_EXT3_SVM -> FEAT_SVM; every feature of a FEAT_VMX_* word depends on vmx, of FEAT_SVM on svm "
            "(libvirt-only features by the word at their location): %s" % ", ".join(
                "%s: %d features" % (d, n) for d, n in sorted(dep_counts.items())),
            "model bits without a QEMU name are not representable here (x86-cpu-models.json "
            "unnamed_feature_bits): " + unnamed_txt,
        ],
        "skipped_qemu_aliases": skipped_aliases,
        "libvirt_only_features": libvirt_only,
        "libvirt_partial_overlaps": libvirt_partial,
    }
    doc = {
        "format": FORMAT,
        "arch": "x86_64",
        "_source": source,
        "vendors": vendors,
        "features": out_feats,
    }
    return doc, owner, libvirt_only, libvirt_partial, skipped_aliases


def _word_dependency_at(words, loc):
    """word_dependency() of the QEMU feature word at location @loc."""
    for w in words.values():
        if "msr" in loc and w["type"] == "msr":
            if int(w["msr"]["index"], 16) == int(loc["msr"]["index"], 16):
                return word_dependency(w["word"])
        elif "cpuid" in loc and w["type"] == "cpuid":
            c = loc["cpuid"]
            reg = w["cpuid"]["reg"].lower()
            sub = int(w["cpuid"]["ecx"], 16) if w["cpuid"]["ecx"] is not None else 0
            if (int(w["cpuid"]["eax"], 16) == int(c["leaf"], 16) and sub == int(c["subleaf"], 16)
                    and int(c[reg], 16) != 0):
                return word_dependency(w["word"])
    return None


def _subset(a, b):
    """True if location a selects only bits that location b selects."""
    if not _overlaps(a, b):
        return False
    ka, kb = ("cpuid", ("eax", "ebx", "ecx", "edx")) if "cpuid" in a else ("msr", ("eax", "edx"))
    return all(int(a[ka][r], 16) & ~int(b[ka][r], 16) == 0 for r in kb)


def _overlaps(a, b):
    if ("cpuid" in a) != ("cpuid" in b):
        return False
    if "cpuid" in a:
        a, b = a["cpuid"], b["cpuid"]
        if (a["leaf"], a["subleaf"]) != (b["leaf"], b["subleaf"]):
            return False
        regs = ("eax", "ebx", "ecx", "edx")
    else:
        a, b = a["msr"], b["msr"]
        if a["index"] != b["index"]:
            return False
        regs = ("eax", "edx")
    return any(int(a[r], 16) & int(b[r], 16) for r in regs)


def gen_x86_models(inputs, features_doc, feat_alias_owner, deprecations):
    mj = inputs.qemu("x86-cpu-models.json")
    findex = {f["name"]: i for i, f in enumerate(features_doc["features"])}
    vendor_short = {v["string"]: v["name"] for v in features_doc["vendors"]}

    def canon(name, what):
        c = feat_alias_owner.get(name, name)
        if c not in findex:
            fail("%s: feature %r is not in features.json" % (what, name))
        return c

    def bool_props(props, what):
        out = {}
        for p, v in props:
            out[canon(p, what)] = parse_bool(v, "%s %s" % (what, p))
        return out

    always = {"hypervisor": True}
    for n in always:
        canon(n, "defaults.always")
    defaults = {
        "always": always,
        "kvm": bool_props(mj["kvm_default_props"], "kvm_default_props"),
        "tcg": bool_props(mj["tcg_default_props"], "tcg_default_props"),
    }

    depr_models = {}
    for d in deprecations.get("x86_models_with_deprecation_note", []):
        if isinstance(d, str):
            fail("x86_models_with_deprecation_note: unexpected entry %r (need name/since/note)" % d)
        name = d.get("name") or d.get("model")
        since = d.get("deprecated_since", d.get("since"))
        note = d.get("note", d.get("deprecation_note"))
        if not name:
            fail("x86_models_with_deprecation_note: entry without a name: %r" % d)
        depr_models[name] = {"since": since, "note": note}

    out_models = []
    aliases = []
    seen_names = set()
    for m in mj["models"]:
        fam = m["name"]
        if m["vendor"] not in vendor_short:
            fail("x86 model %s: unknown vendor %r" % (fam, m["vendor"]))
        base = []
        for w, names in m["features"].items():
            for n in names:
                base.append(canon(n, "model %s base" % fam))
        base_set = set(base)
        if "hypervisor" in base_set:
            base_set.discard("hypervisor")
        state = {}          # feature -> bool (last value wins)
        other = {}          # non-feature prop -> raw value (last value wins)
        cache_info = m.get("cache_info")
        versions = m["versions"]
        if [v["version"] for v in versions] != list(range(1, len(versions) + 1)):
            fail("x86 model %s: versions are not 1..N" % fam)
        for v in versions:
            n = v["version"]
            what = "model %s-v%d" % (fam, n)
            for p, val in v["props"]:
                c = feat_alias_owner.get(p, p)
                if c in findex:
                    state[c] = parse_bool(val, "%s %s" % (what, p))
                elif p in X86_OTHER_PROPS:
                    other[p] = val
                else:
                    fail("%s: property %r is neither a feature nor a known model property" % (what, p))
            if "cache_info" in v:
                cache_info = v["cache_info"]
            feats = set(base_set)
            for f, on in state.items():
                if on:
                    feats.add(f)
                else:
                    feats.discard(f)
            feats.discard("hypervisor")
            removed = sorted(f for f, on in state.items() if not on)
            # cross-check against the extractor's resolved view
            r = v.get("resolved")
            if r is not None:
                added = {f for f in feats if f not in base_set}
                gone = {f for f in base_set if f not in feats}
                r_added = {canon(x, what) for x in r["features_added_vs_base"]}
                r_gone = {canon(x, what) for x in r["features_removed_vs_base"]}
                r_other = {k: x for k, x in r.get("other_props", {}).items()}
                # the extractor lists non-feature on/off props (x-force-cpuid-0x1f)
                # under other_props; compare like with like
                if added != r_added or gone != r_gone:
                    fail("%s: props give +%s -%s but resolved says +%s -%s" % (
                        what, sorted(added), sorted(gone), sorted(r_added), sorted(r_gone)))
                if r_other != other:
                    fail("%s: other props %r disagree with resolved %r" % (what, other, r_other))
                if set(removed) != gone:
                    fail("%s: a feature switched off by version props is not in the base model: %s" % (
                        what, sorted(set(removed) - gone)))

            sig = {"family": m["family"], "model": m["model"], "stepping": m["stepping"]}
            entry_vendor = m["vendor"]
            model_id = m["model_id"]
            level = m["level"]
            xlevel = m["xlevel"]
            avx10 = m.get("avx10_version")
            cpuid_0x1f = bool(m.get("cpuid_0x1f", False))
            for p, val in other.items():
                dest = X86_OTHER_PROPS[p]
                if dest == "model_id":
                    model_id = val
                elif dest.startswith("signature."):
                    sig[dest.split(".", 1)[1]] = parse_int(val, "%s %s" % (what, p))
                elif dest == "level":
                    level = parse_int(val, "%s %s" % (what, p))
                elif dest == "xlevel":
                    xlevel = parse_int(val, "%s %s" % (what, p))
                elif dest == "vendor":
                    entry_vendor = val
                elif dest == "avx10_version":
                    avx10 = parse_int(val, "%s %s" % (what, p))
                elif dest == "cpuid_0x1f":
                    cpuid_0x1f = parse_bool(val, "%s %s" % (what, p))
            if entry_vendor not in vendor_short:
                fail("%s: unknown vendor %r" % (what, entry_vendor))
            name = "%s-v%d" % (fam, n)
            if name in seen_names:
                fail("x86: duplicate model name %s" % name)
            seen_names.add(name)
            out_models.append({
                "name": name,
                "family_name": fam,
                "version": n,
                "vendor": vendor_short[entry_vendor],
                "signature": sig,
                "model_id": model_id,
                "level": level,
                "xlevel": xlevel,
                "avx10_version": avx10,
                "cpuid_0x1f": cpuid_0x1f,
                "cache_info": cache_info,
                "features": order_by(feats, findex, what),
                "removed": order_by(removed, findex, what),
                "deprecated": depr_models.get(fam),
                "note": v.get("note"),
            })
        aliases.append({"name": fam, "alias_of": "%s-v1" % fam})
        for v in versions:
            if v.get("alias"):
                aliases.append({"name": v["alias"], "alias_of": "%s-v%d" % (fam, v["version"])})

    unknown_depr = set(depr_models) - {m["family_name"] for m in out_models}
    if unknown_depr:
        fail("deprecated x86 models not in the model list: %s" % sorted(unknown_depr))

    # alias validation
    anames = set()
    for a in aliases:
        if a["name"] in anames:
            fail("x86: duplicate model alias %s" % a["name"])
        anames.add(a["name"])
        if a["name"] in seen_names:
            fail("x86: model alias %s collides with a model name" % a["name"])
        if a["alias_of"] not in seen_names:
            fail("x86: model alias %s -> %s: target missing" % (a["name"], a["alias_of"]))
        if a["name"] in findex:
            fail("x86: model alias %s collides with a feature name" % a["name"])

    source = {
        "generator": GENERATOR,
        "inputs": [
            inputs.qemu_ref("x86-cpu-models.json"),
            inputs.qemu_ref("deprecations.json"),
        ],
        "facts": [
            "models: builtin_x86_defs[] order; one entry per version N, named <name>-vN; version N = base "
            "definition + props of versions 1..N applied in order (x86-cpu-models.json semantics.versions)",
            "features: base named features of all words, with on/off version props applied; canonical names "
            "(features.json), ordered as in features.json; cross-checked against versions[].resolved",
            "removed: features switched off by version props 1..N (all are in the base definition)",
            "cache_info: newest version <= N that sets one, else the base definition's (QEMU cache table name)",
            "hypervisor is always set by x86_cpu_load_model (semantics.always_added) -> defaults.always, "
            "not listed per model",
            "defaults.kvm = kvm_default_props (target/i386/kvm/kvm-cpu.c); QEMU turns x2apic off without an "
            "in-kernel irqchip and kvm-msi-ext-dest-id on with a split irqchip (not expressed here)",
            "defaults.tcg = x86_tcg_default_props (target/i386/tcg/tcg-cpu.c)",
            "aliases: plain name -> v1 (default_cpu_version 1 on pc-q35/pc-i440fx >= 4.1; <= 4.0.1 used the legacy "
            "unversioned definition), plus each version's alias",
            "deprecated: deprecations.json x86_models_with_deprecation_note (%d entries at this commit)" % len(depr_models),
        ],
    }
    return {
        "format": FORMAT,
        "arch": "x86_64",
        "_source": source,
        "defaults": defaults,
        "models": out_models,
        "aliases": aliases,
    }


# ----------------------------------------------------------------------------
# s390x

def gen_s390x(inputs, deprecations):
    sj = inputs.qemu("s390x-features.json")
    feats = sorted(sj["features"], key=lambda f: f["index"])
    if [f["index"] for f in feats] != list(range(len(feats))):
        fail("s390x: feature indexes are not 0..N-1")
    findex = {}
    for f in feats:
        if f["name"] in findex:
            fail("s390x: duplicate feature %s" % f["name"])
        findex[f["name"]] = f["index"]

    depr = {}
    for d in deprecations["cpu_features"]:
        if d["arch"] != "s390x":
            continue
        if d["feature"] not in findex:
            fail("deprecated s390x feature %s is not a feature" % d["feature"])
        depr[d["feature"]] = {"since": d["deprecated_since"], "source": d["source"]}
    flagged = {f["name"] for f in feats if f.get("deprecated")}
    if flagged != set(depr) or flagged != set(sj.get("deprecated_features", [])):
        fail("s390x: deprecated flags %s, deprecated_features %s and deprecations.json %s disagree" % (
            sorted(flagged), sorted(sj.get("deprecated_features", [])), sorted(depr)))

    out_feats = []
    for f in feats:
        out_feats.append({
            "name": f["name"],
            "facility": {"type": f["type"], "bit": None if f["type"] == "MISC" else f["bit"]},
            "desc": f["desc"],
            "migratable": True,
            "deprecated": depr.get(f["name"]),
        })

    groups = []
    for g in sj["feature_groups"]:
        if g["name"] in findex:
            fail("s390x: group %s collides with a feature name" % g["name"])
        groups.append({
            "name": g["name"],
            "desc": g["desc"],
            "features": order_by(g["features"], findex, "s390x group %s" % g["name"]),
        })
    gnames = [g["name"] for g in groups]
    if len(set(gnames)) != len(gnames):
        fail("s390x: duplicate group names")

    # verify the cumulative feature sets by recomputing them
    order = sj["generation_order"]
    fsets = sj["feature_sets"]
    if set(order) != set(fsets):
        fail("s390x: generation_order and feature_sets disagree")
    acc = {"base": set(), "default": set(), "full": set()}
    for g in order:
        for rule in sj["clear_rules"]:
            if rule["at"] == g:
                acc[rule["set"]].discard(rule["feature"])
        s = fsets[g]
        acc["base"] |= set(s["added_base"])
        acc["default"] |= set(s["added_base"]) | set(s["added_default"])
        acc["full"] |= set(s["added_base"]) | set(s["added_default"]) | set(s["added_full"])
        for k in ("base", "default", "full"):
            if acc[k] != set(s[k]):
                fail("s390x: %s.%s differs from the recomputed cumulative set" % (g, k))
        if not set(s["base"]) <= set(s["default"]) <= set(s["full"]):
            fail("s390x: %s: base <= default <= full does not hold" % g)
    # the documented GEN15 rule (deprecations.json s390x_generation_rules)
    gen15 = order.index("GEN15_GA1")
    rules = {(r["feature"], r["set"]) for r in deprecations.get("s390x_generation_rules", [])}
    if rules != {(r["feature"], r["set"]) for r in sj["clear_rules"]}:
        fail("s390x: clear_rules and deprecations.json s390x_generation_rules disagree")
    for g in order[gen15:]:
        for feat, st in rules:
            if feat in fsets[g][st]:
                fail("s390x: %s still has %s in %s" % (g, feat, st))

    models = []
    mnames = set()
    for m in sj["cpu_models"]:
        if m["name"] in mnames or m["name"] in findex or m["name"] in gnames:
            fail("s390x: model name %s is not unique" % m["name"])
        mnames.add(m["name"])
        s = fsets.get(m["feature_set"])
        if s is None:
            fail("s390x model %s: unknown feature set %s" % (m["name"], m["feature_set"]))
        if m["feature_set"] != "GEN%d_GA%d" % (m["gen"], m["ec_ga"]):
            fail("s390x model %s: feature_set does not match gen/ec_ga" % m["name"])
        what = "s390x model %s" % m["name"]
        models.append({
            "name": m["name"],
            "type": m["type"],
            "gen": m["gen"],
            "ec_ga": m["ec_ga"],
            "mha_pow": m["mha_pow"],
            "hmfai": m["hmfai"],
            "desc": m["desc"],
            "legacy": bool(m["legacy"]),
            "feature_set": m["feature_set"],
            "base": order_by(s["base"], findex, what),
            "default": order_by(s["default"], findex, what),
            "full": order_by(s["full"], findex, what),
        })
    for m in list(mnames):
        if m + "-base" in mnames:
            fail("s390x: %s-base collides with a model name" % m)

    lists = {}
    acc_l = set()
    for k, v in sj["qemu_model_feature_lists"].items():
        acc_l |= set(v["added"])
        if acc_l != set(v["cumulative"]):
            fail("s390x: %s cumulative list differs from the recomputed one" % k)
        lists[k] = order_by(v["cumulative"], findex, "s390x %s" % k)
    lat = sj["qemu_model_latest"]
    latest = {
        "type": lat["QEMU_MAX_CPU_TYPE"],
        "gen": parse_int(lat["QEMU_MAX_CPU_GEN"], "QEMU_MAX_CPU_GEN"),
        "ec_ga": parse_int(lat["QEMU_MAX_CPU_EC_GA"], "QEMU_MAX_CPU_EC_GA"),
        "feature_list": "S390_FEAT_LIST_QEMU_MAX",
    }
    if latest["feature_list"] not in lists:
        fail("s390x: S390_FEAT_LIST_QEMU_MAX missing")
    compat = sj["machine_type_cpu_model_compat"]
    for ver, c in compat.items():
        q = c["qemu_cpu_model"]
        if isinstance(q, dict) and q["feature_list"] not in lists:
            fail("s390x machine %s: unknown feature list %s" % (ver, q["feature_list"]))
        for d in c["default_features_disabled"]:
            if d["feature"] not in findex:
                fail("s390x machine %s: unknown feature %s" % (ver, d["feature"]))
    ignored = order_by(sj["ignored_base_features"], findex, "s390x ignored_base_features")

    ref = inputs.qemu_ref("s390x-features.json")
    dref = inputs.qemu_ref("deprecations.json")
    fdoc = {
        "format": FORMAT,
        "arch": "s390x",
        "_source": {
            "generator": GENERATOR,
            "inputs": [ref, dref],
            "facts": [
                "features: cpu_features_def.h.inc order (S390Feat enum value = index)",
                "facility.bit: bit inside the facility block named by type; null for MISC (unused there)",
                "migratable: QEMU has no per-feature migratability data for s390x; always true",
                "deprecated: s390_get_deprecated_features() (%s), since per deprecations.json cpu_features" %
                ", ".join(sorted(depr)),
                "groups: feature_groups order (target/s390x/cpu_features.c group names); features in index order",
            ],
        },
        "features": out_feats,
        "groups": groups,
    }
    mdoc = {
        "format": FORMAT,
        "arch": "s390x",
        "_source": {
            "generator": GENERATOR,
            "inputs": [ref, dref],
            "facts": [
                "models: s390_cpu_defs order; QEMU registers <name> (default set) and <name>-base (base set)",
                "base/default/full: cumulative feature_sets[feature_set], recomputed from added_* over "
                "generation_order and verified; clear_rules at GEN15_GA1: %s" % ", ".join(
                    "%s dropped from %s" % (r["feature"], r["set"]) for r in sj["clear_rules"]),
                "te and cte stay in the gen16/gen17 default sets (their deprecation is reporting only)",
                "qemu_model.latest: QEMU_MAX_CPU_TYPE/GEN/EC_GA with S390_FEAT_LIST_QEMU_MAX",
                "qemu_model.feature_lists: cumulative S390_FEAT_LIST_QEMU_* lists, index order",
                "machine_cpu_compat: machine_type_cpu_model_compat verbatim (ccw_machine_X_Y_instance_options chain)",
                "ignored_base_features: init_ignored_base_feat (target/s390x/cpu_models.c)",
            ],
        },
        "models": models,
        "ignored_base_features": ignored,
        "qemu_model": {"latest": latest, "feature_lists": lists},
        "machine_cpu_compat": compat,
    }
    return fdoc, mdoc


# ----------------------------------------------------------------------------

def generate(qemu_dir, cpu_map_dir, out_dir, quiet=False):
    inputs = Inputs(qemu_dir, cpu_map_dir)
    deprecations = inputs.qemu("deprecations.json")
    x86f, alias_owner, lv_only, lv_partial, skipped = gen_x86_features(inputs, deprecations)
    x86m = gen_x86_models(inputs, x86f, alias_owner, deprecations)
    s390f, s390m = gen_s390x(inputs, deprecations)

    docs = {
        ("x86_64", "features.json"): x86f,
        ("x86_64", "models.json"): x86m,
        ("s390x", "features.json"): s390f,
        ("s390x", "models.json"): s390m,
    }
    for (arch, name), doc in docs.items():
        write_json(os.path.join(out_dir, arch, name), doc)

    if not quiet:
        if skipped:
            warn("QEMU aliases of non-feature properties (skipped): " + ", ".join(skipped))
        if lv_only:
            warn("libvirt cpu_map features without a QEMU feature at the same location: " + ", ".join(lv_only))
        for p in lv_partial:
            warn("  libvirt %s vs QEMU %s: %s" % (p["libvirt"], p["qemu"], p["relation"]))
        n_alias = sum(len(f["aliases"]) for f in x86f["features"])
        print("x86_64: %d features (%d feature aliases), %d vendors, %d models (%d families), %d model aliases" % (
            len(x86f["features"]), n_alias, len(x86f["vendors"]), len(x86m["models"]),
            len({m["family_name"] for m in x86m["models"]}), len(x86m["aliases"])))
        print("s390x: %d features, %d groups, %d models (%d legacy), 0 aliases" % (
            len(s390f["features"]), len(s390f["groups"]), len(s390m["models"]),
            sum(1 for m in s390m["models"] if m["legacy"])))


def check(qemu_dir, cpu_map_dir, out_dir):
    tmp = tempfile.mkdtemp(prefix="gen-catalog-")
    try:
        generate(qemu_dir, cpu_map_dir, tmp, quiet=True)
        problems = 0
        for arch, name in OUTPUT_FILES:
            new = os.path.join(tmp, arch, name)
            old = os.path.join(out_dir, arch, name)
            with open(new, encoding="utf-8") as f:
                new_lines = f.read().splitlines(keepends=True)
            if not os.path.exists(old):
                print("MISSING %s/%s" % (arch, name))
                problems += 1
                continue
            with open(old, encoding="utf-8") as f:
                old_lines = f.read().splitlines(keepends=True)
            if old_lines == new_lines:
                continue
            problems += 1
            diff = list(difflib.unified_diff(old_lines, new_lines, "committed/%s/%s" % (arch, name),
                                             "regenerated/%s/%s" % (arch, name), n=1))
            changed = sum(1 for l in diff if l[:1] in "+-" and not l.startswith(("+++", "---")))
            print("DIFFERS %s/%s (%d changed lines)" % (arch, name, changed))
            sys.stdout.writelines(diff[:60])
            if len(diff) > 60:
                print("... (%d more diff lines)" % (len(diff) - 60))
        expected = {(a, n) for a, n in OUTPUT_FILES}
        for arch in sorted({a for a, _ in OUTPUT_FILES}):
            d = os.path.join(out_dir, arch)
            if os.path.isdir(d):
                for n in sorted(os.listdir(d)):
                    if n.endswith(".json") and (arch, n) not in expected:
                        print("UNEXPECTED %s/%s (not produced by the generator)" % (arch, n))
                        problems += 1
        if problems:
            print("catalog check: %d file(s) out of date; regenerate with: python3 %s" % (problems, GENERATOR))
            return 1
        print("catalog check: %s is up to date" % out_dir)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate vmcompat's CPU catalog JSON from QEMU/libvirt data.")
    ap.add_argument("--qemu", default=DEFAULT_QEMU, help="QEMU-derived JSON directory (default: %(default)s)")
    ap.add_argument("--libvirt-cpu-map", default=DEFAULT_CPU_MAP,
                    help="libvirt cpu_map directory (default: %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and fail if --out differs")
    args = ap.parse_args(argv)
    try:
        if args.check:
            return check(args.qemu, args.libvirt_cpu_map, args.out)
        generate(args.qemu, args.libvirt_cpu_map, args.out)
        return 0
    except GenError as e:
        print("gen-catalog: error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
