#!/usr/bin/env python3
"""gen-fleet.py: a synthetic fleet of KVM hosts and guests from real CPUs.

Reads tools/gen/sources/fleet-mix.json. Hosts are real CPUs — libvirt's
CPUID dumps (shared/data/libvirt/data/x86_64-cpuid-<CPU>.xml), with the
kernel edits of gen-hosts.py (tsx-off, clearcpuid=mpx) on part of them —
on distribution stacks (kernel series with real patch strings, the QEMU
release the distribution ships, its machine types from the catalog),
grouped into clusters with labels. Guests run on one of those hosts and
resolve there.

Only the distinct CPUs (dump + edits), stacks and QEMU releases are asked
of vmcompat (host convert, cpu models, host platforms, machine list); a
host kind (CPU, edits, stack) is then one JSON fragment, and each host
line is that fragment with its name, kernel patch string, cluster and
labels around it.

Writes DIR/hosts.jsonl, DIR/guests.jsonl and DIR/fleet.json (parameters,
clusters, kinds). Same arguments and seed, same bytes. With --check DIR the
fleet is generated into a temporary directory and compared with DIR. With
--verify K, K guests (evenly spread; all when K >= M) are resolved on their
hosts with 'vmcompat guest resolve'; any failure is exit status 1.

  gen-fleet.py --vmcompat PATH --hosts N --guests M --seed S -o DIR
  gen-fleet.py --vmcompat PATH --hosts N --guests M --seed S --check DIR [--verify K]
"""
import argparse
import concurrent.futures
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIX = os.path.join(ROOT, "tools", "gen", "sources", "fleet-mix.json")
FILES = ("hosts.jsonl", "guests.jsonl", "fleet.json")
EDIT_ORDER = ("tsx-off", "clearcpuid=mpx")


def load_gen_hosts():
    path = os.path.join(ROOT, "tools", "gen", "gen-hosts.py")
    spec = importlib.util.spec_from_file_location("gen_hosts", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GH = load_gen_hosts()
version_tuple = GH.version_tuple


def jdump(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def rel_of(qemu_version):
    v = version_tuple(qemu_version)
    return f"qemu-{v[0]}.{v[1]}"


def rel_tuple(rel):
    return version_tuple(rel.replace("qemu-", ""))[:2]


def pick(r, weighted):
    """Weighted choice from a list of (item, weight) pairs (order matters)."""
    total = sum(w for _, w in weighted)
    x = r.random() * total
    for item, w in weighted:
        x -= w
        if x < 0:
            return item
    return weighted[-1][0]


class Vmcompat:
    """Runs vmcompat without host overlays, a few at a time, cached."""

    def __init__(self, path, jobs):
        self.path = path
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        self.env = dict(os.environ, VMCOMPAT_DATA_DIRS="")
        self.calls = 0

    def run(self, args, files=None, ok_codes=(0,)):
        """files: {name: text} written to a temporary directory; an
        argument '@name' is replaced by its path."""
        with tempfile.TemporaryDirectory(prefix="gen-fleet-") as tmp:
            for name, text in (files or {}).items():
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text)
            argv = [self.path] + [os.path.join(tmp, a[1:]) if a[1:] in (files or {}) else a
                                  for a in args]
            p = subprocess.run(argv, capture_output=True, text=True, env=self.env)
        self.calls += 1
        if p.returncode not in ok_codes:
            raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return p

    def map(self, fn, items):
        return list(self.pool.map(fn, items))


class Catalog:
    """The facts gen-fleet needs from data/ (the same files vmcompat embeds)."""

    def __init__(self):
        d = lambda *p: json.load(open(os.path.join(ROOT, "data", *p)))
        models = d("cpu", "x86_64", "models.json")
        self.model_order = {m["name"]: i for i, m in enumerate(models["models"])}
        self.model_vendor = {m["name"]: m["vendor"] for m in models["models"]}
        self.model_family = {m["name"]: m["family_name"] for m in models["models"]}
        self.model_features = {m["name"]: set(m["features"]) for m in models["models"]}
        rel = d("releases", "qemu.json")["x86_64"]
        self.model_since = rel["models"]
        self.feature_since = rel["features"]
        self.tunables = {(t["driver"], t["property"]): t
                         for t in d("machine", "tunables.json")["tunables"]}
        kvmcaps = d("host", "kvm-capabilities.json")
        self.kvm_since = {f"kvm.cap.{c['name']}": c["since"] for c in kvmcaps["capabilities"]}
        self.kvm_since.update({f"kvm.pv.{c['name']}": c["since"] for c in kvmcaps["paravirt"]})
        # Capabilities anything reads: the platforms' and the tunables' needs.
        used = set()
        for name in d("platforms", "index.json")["platforms"]:
            p = d("platforms", name + ".json")
            used.update(p.get("capabilities", []))
            used.update(p.get("arch_capabilities", {}).get("x86_64", []))
        for t in self.tunables.values():
            if "x86_64" in t["arch"]:
                for caps in t["needs"].values():
                    used.update(caps)
        self.used_caps = used

    def known(self, since_map, name, rel):
        """Does QEMU release rel know the model/feature name?"""
        e = since_map.get(name)
        if e is None:
            return True     # not in the release table: older than qemu-2.8
        s = e.get("since") or e.get("since_at_most")
        return s is not None and rel_tuple(s) <= rel_tuple(rel)


class Fleet:
    def __init__(self, args, mix, cat, vmc):
        self.args = args
        self.mix = mix
        self.cat = cat
        self.vmc = vmc
        self.shared = args.shared
        self.gens = {g["name"]: g for g in mix["generations"]}
        self.stacks = {s["name"]: s for s in mix["stacks"]}
        self.t = {}

    # ---- vmcompat facts -------------------------------------------------

    def dump_path(self, cpu):
        return os.path.join(self.shared, "data", "libvirt", "data", f"x86_64-cpuid-{cpu}.xml")

    def convert(self, key):
        cpu, edits = key
        xml = open(self.dump_path(cpu)).read()
        if edits:
            xml = GH.edit_cpuid(xml, list(edits))
        p = self.vmc.run(["host", "convert", "@dump.xml"], {"dump.xml": xml})
        c = json.loads(p.stdout)["cpu"]
        return {"vendor": c["vendor"], "signature": c["signature"],
                "hardware_features": c["hardware_features"]}

    def models(self, key):
        doc = {"format": 1, "arch": "x86_64", "source": "document", "name": "kind",
               "kvm": {"present": True}, "cpu": self.cpus[key]}
        p = self.vmc.run(["cpu", "models", "--json", "--host", "@host.json"],
                         {"host.json": jdump(doc)})
        return json.loads(p.stdout)

    def platforms(self, stack):
        s = self.stacks[stack]
        doc = {"format": 1, "arch": "x86_64", "source": "document", "name": stack,
               "kernel": self.kernel_string(s, 0), "kvm": self.kvm_member(s),
               "capabilities": self.caps_member(s)}
        p = self.vmc.run(["host", "platforms", "--json", "@host.json"],
                         {"host.json": jdump(doc)})
        return json.loads(p.stdout)

    def machines(self, rel):
        p = self.vmc.run(["machine", "list", "--json", "--release", rel])
        names = [m["name"] for m in json.loads(p.stdout)
                 if m["arch"] == "x86_64" and m["status"] in ("supported", "deprecated")]
        return sorted(names, key=lambda n: (n.split("-")[:-1], version_tuple(n.split("-")[-1])))

    # ---- stacks ---------------------------------------------------------

    @staticmethod
    def kernel_string(stack, i):
        return stack["kernel_format"].format(stack["patches"][i])

    def kvm_member(self, stack):
        hc = self.mix["host_capabilities"]
        if not hasattr(self, "kvm_fixture"):
            path = os.path.join(ROOT, "tests", "data", "hosts", hc["kvm_fixture"])
            self.kvm_fixture = json.load(open(path))["kvm"]["capabilities"]
        kver = version_tuple(stack["kernel"])
        caps = {}
        for name, value in sorted(self.kvm_fixture.items()):
            if name not in self.cat.used_caps:
                continue
            if version_tuple(self.cat.kvm_since[name]) > kver:
                value = "no"
            caps[name] = value
        return {"present": True, "api_version": 12, "capabilities": caps}

    def caps_member(self, stack):
        hc = self.mix["host_capabilities"]
        kver = version_tuple(stack["kernel"])
        caps = dict(hc["always"])
        for name, since in hc["by_kernel"].items():
            caps[name] = "yes" if version_tuple(since) <= kver else "no"
        return dict(sorted(caps.items()))

    def stack_fits(self, stack, cpu_keys):
        req = stack.get("requires")
        if not req:
            return True
        need = set(self.mix["stack_requires"][req]["features"])
        return all(need <= self.features[k] for k in cpu_keys)

    # ---- hosts ----------------------------------------------------------

    def draw_hosts(self):
        """Clusters and hosts as compact tuples; no vmcompat call needed but
        the unedited CPUs' features (TSX, MPX, micro-architecture level)."""
        mix, cl = self.mix, self.mix["clusters"]
        r = random.Random(f"gen-fleet hosts {self.args.seed}")
        gens = [(g["name"], g["weight"]) for g in mix["generations"]]
        stacks_w = [(s["name"], s["weight"]) for s in mix["stacks"]]
        self.clusters = []
        self.hosts = []          # (name, cluster index, kind index, kernel, rack)
        self.kinds = []          # (cpu key, stack name)
        kind_index = {}
        counters = {}
        remaining = self.args.hosts
        while remaining > 0:
            gen = self.gens[pick(r, gens)]
            size = self.args.cluster_size * cl["class_size_factor"][gen["class"]]
            size = max(1, round(size * r.uniform(*cl["size_spread"])))
            size = min(size, remaining)
            remaining -= size
            cpus = [r.choice(gen["cpus"])]
            gnames = [gen["name"]]
            n_second = 0
            if gen["mixes_with"] and r.random() < cl["secondary_generation"]:
                g2 = self.gens[r.choice(gen["mixes_with"])]
                cpus.append(r.choice(g2["cpus"]))
                gnames.append(g2["name"])
                n_second = int(size * r.uniform(*cl["secondary_share"]))
            base = [(c, ()) for c in cpus]
            fits = [(n, w) for n, w in stacks_w if self.stack_fits(self.stacks[n], base)]
            stack = self.stacks[pick(r, fits)]
            upgrade, n_upgrade = None, 0
            up = stack.get("upgrade_to")
            if up and r.random() < cl["rolling_upgrade"] and self.stack_fits(self.stacks[up], base):
                upgrade = self.stacks[up]
                n_upgrade = max(1, int(size * r.uniform(*cl["rolling_share"])))
            has_tsx = any("rtm" in self.features[b] for b in base)
            has_mpx = any("mpx" in self.features[b] for b in base)
            tsx, tsx_share = "none", 0.0
            if has_tsx:
                x = r.random()
                tx = cl["tsx_off"]
                if x < tx["all"]:
                    tsx, tsx_share = "all", 1.0
                elif x < tx["all"] + tx["part"]:
                    tsx, tsx_share = "part", r.uniform(*tx["part_share"])
            mpx = has_mpx and r.random() < cl["mpx_off"]["all"]
            env = pick(r, list(cl["env"][gen["class"]].items()))
            site = r.choice(cl["sites"])
            zone = f"{site}-{r.choice(cl['zones'])}"
            counters[(site, env)] = counters.get((site, env), 0) + 1
            cname = f"{site}-{env}-{counters[(site, env)]:03d}"
            ci = len(self.clusters)
            n_st = len(stack["patches"])
            cur = r.randrange(n_st // 3, n_st)
            up_cur = r.randrange(len(upgrade["patches"]) // 2, len(upgrade["patches"])) if upgrade else 0
            rack0 = r.randrange(1, 60)
            cinfo = {"name": cname, "hosts": size, "generations": gnames,
                     "cpus": cpus, "stack": stack["name"], "qemu": stack["qemu"],
                     "upgrading_to": upgrade["name"] if upgrade else None,
                     "upgraded_hosts": 0, "tsx_off": tsx, "mpx_off": mpx,
                     "labels": {"env": env, "zone": zone}}
            self.clusters.append(cinfo)
            spread = cl["patch_spread"]
            for j in range(size):
                cpu = cpus[1] if j >= size - n_second else cpus[0]
                edits = []
                if "rtm" in self.features[(cpu, ())] and (tsx == "all" or (tsx == "part" and r.random() < tsx_share)):
                    edits.append("tsx-off")
                if mpx and "mpx" in self.features[(cpu, ())]:
                    edits.append("clearcpuid=mpx")
                st, idx0 = stack, cur
                if upgrade and r.random() < n_upgrade / size:
                    st, idx0 = upgrade, up_cur
                    cinfo["upgraded_hosts"] += 1
                x = r.random()
                back = 0 if x < spread[0] else (1 if x < spread[0] + spread[1] else r.randint(2, 4))
                kernel = self.kernel_string(st, max(0, idx0 - back))
                kkey = ((cpu, tuple(edits)), st["name"])
                k = kind_index.get(kkey)
                if k is None:
                    k = kind_index[kkey] = len(self.kinds)
                    self.kinds.append(kkey)
                self.hosts.append((f"{cname}-n{j:03d}", ci, k, kernel, rack0 + j // cl["rack_size"]))

    def kind_fragment(self, k):
        (cpu, edits), stack_name = self.kinds[k]
        stack = self.stacks[stack_name]
        rel = rel_of(stack["qemu"])
        qemu = {"version": stack["qemu"], "binary": stack["binary"],
                "machine_types": self.machine_types[rel] + ["microvm"]}
        note = (f"synthetic fleet host (tools/gen/gen-fleet.py): CPU x86_64-cpuid-{cpu}.xml, "
                f"edits: {', '.join(edits) or 'none'}; stack {stack_name}")
        return (f'"qemu":{jdump(qemu)},"kvm":{jdump(self.kvm_member(stack))},'
                f'"capabilities":{jdump(self.caps_member(stack))},'
                f'"cpu":{jdump(self.cpus[(cpu, edits)])},"notes":{jdump([note])}')

    def write_hosts(self, path):
        frags = [self.kind_fragment(k) for k in range(len(self.kinds))]
        clusters = [jdump(c["name"]) for c in self.clusters]
        labels = [c["labels"] for c in self.clusters]
        head = '{"format":1,"arch":"x86_64","source":"document","name":"'
        with open(path, "w", buffering=1 << 20) as f:
            buf = []
            for name, ci, k, kernel, rack in self.hosts:
                lab = labels[ci]
                buf.append(f'{head}{name}","kernel":"{kernel}",{frags[k]},"cluster":{clusters[ci]},'
                           f'"labels":{{"env":"{lab["env"]}","zone":"{lab["zone"]}",'
                           f'"rack":"{lab["zone"]}-r{rack:02d}"}}}}\n')
                if len(buf) >= 4096:
                    f.write("".join(buf))
                    buf.clear()
            f.write("".join(buf))

    # ---- guests ---------------------------------------------------------

    def kind_guest_facts(self, k):
        facts = self.kfacts.get(k)
        if facts:
            return facts
        cat, g = self.cat, self.mix["guests"]
        key, stack_name = self.kinds[k]
        stack = self.stacks[stack_name]
        rel = rel_of(stack["qemu"])
        cpu = self.cpus[key]
        vendor = cpu["vendor"]
        gen = self.cpu_gen[key[0]]
        skip = set(g["generic_families"])
        if gen["class"] != "edge":
            skip |= set(g["side_families"])
        runnable, near, aliases = [], [], {}
        for m in self.model_rows[key]:
            name = m["name"]
            canon = m.get("alias-of") or name
            if m["deprecated"] or not cat.known(cat.model_since, name, rel):
                continue
            if m.get("alias-of"):
                aliases.setdefault(canon, []).append(name)
                continue
            if cat.model_family[canon] in skip or cat.model_vendor[canon] != vendor:
                continue
            miss = set(m["unavailable-features"])
            if not miss:
                runnable.append(canon)
            elif miss <= {"hle", "rtm", "mpx"}:
                near.append((canon, [f for f in ("hle", "rtm", "mpx") if f in miss]))
        order = cat.model_order
        runnable.sort(key=lambda n: order[n], reverse=True)
        near.sort(key=lambda n: order[n[0]], reverse=True)
        plats = self.stack_platforms[stack_name]
        supported = [p["name"] for p in plats if p["supported"]]
        default = next((p["name"] for p in plats if p["default"]), None)
        facts = {"rel": rel, "runnable": runnable, "near": near,
                 "aliases": {c: sorted(a) for c, a in aliases.items()},
                 "features": set(cpu["hardware_features"]),
                 "machines": self.machine_types[rel],
                 "supported": supported, "default": default,
                 "caps": {**self.caps_member(stack), **self.kvm_member(stack)["capabilities"]}}
        self.kfacts[k] = facts
        return facts

    def cluster_baseline(self, ci):
        b = self.cbase.get(ci)
        if b is None:
            sets = [set(self.kind_guest_facts(k)["runnable"]) for k in self.cluster_kinds[ci]]
            common = set.intersection(*sets) if sets else set()
            b = max(common, key=lambda n: self.cat.model_order[n]) if common else ""
            self.cbase[ci] = b
        return b or None

    def name_model(self, r, facts, canon):
        al = facts["aliases"].get(canon)
        if al and r.random() < self.mix["guests"]["cpu_alias"]:
            return r.choice(al)
        return canon

    def guest_cpu(self, r, facts, ci):
        g, cat = self.mix["guests"], self.cat
        how = pick(r, list(g["cpu"].items()))
        if how == "default":
            return None
        if how == "host" or not facts["runnable"]:
            return "host"
        model, off = None, []
        if how == "cluster-baseline":
            model = self.cluster_baseline(ci)
        elif how == "tsx-mpx-off" and facts["near"]:
            model, off = r.choice(facts["near"][:2])
        if model is None:
            fams = []
            for n in facts["runnable"]:
                if cat.model_family[n] not in fams:
                    fams.append(cat.model_family[n])
            fam = pick(r, list(zip(fams[:3], (0.6, 0.3, 0.1))))
            versions = [n for n in facts["runnable"] if cat.model_family[n] == fam]
            model = versions[0] if r.random() < 0.7 else r.choice(versions)
        text = self.name_model(r, facts, model) if not off else model
        text += "".join(f",-{f}" for f in off)
        if r.random() < g["cpu_add_feature"]:
            have = cat.model_features[model]
            cand = [f for f in g["cpu_add_candidates"]
                    if f in facts["features"] and f not in have
                    and f in cat.feature_since and cat.known(cat.feature_since, f, facts["rel"])]
            if cand:
                text += ",+" + r.choice(cand)
        return text

    def guest_machine(self, r, facts):
        g = self.mix["guests"]
        how = pick(r, list(g["machine"].items()))
        if how in ("q35", "pc"):
            return how
        fam = "pc-q35-" if how == "pc-q35-X.Y" else "pc-i440fx-"
        names = [n for n in facts["machines"] if n.startswith(fam)][::-1][:g["machine_recent"]]
        return pick(r, [(n, 1.0 / (i + 1)) for i, n in enumerate(names)])

    def guest_doc(self, r, name, facts, ci):
        g, cat = self.mix["guests"], self.cat
        doc = {"format": 1, "name": name, "machine": self.guest_machine(r, facts)}
        if facts["default"] and r.random() < g["platform"]:
            sup, d = facts["supported"], facts["default"]
            older = sup[max(0, sup.index(d) - 3):sup.index(d)]
            doc["platform"] = d if (r.random() < g["platform_default"] or not older) else r.choice(older)
        cpu = self.guest_cpu(r, facts, ci)
        if cpu:
            doc["cpu"] = cpu
        if r.random() < g["devices"]:
            devs = ["virtio-net-pci", "virtio-blk-pci"]
            devs += [d for d, p in g["device_extra"].items() if r.random() < p]
            doc["devices"] = devs
            if r.random() < g["properties"]:
                cand = []
                for p in g["property_candidates"]:
                    if p["device"] not in devs:
                        continue
                    t = p.get("tunable")
                    if t:
                        tun = cat.tunables[tuple(t.split(".", 1))]
                        if rel_tuple(tun["since"]) > rel_tuple(facts["rel"]):
                            continue
                        if any(facts["caps"].get(c) in (None, "no") for v in p["values"]
                               for c in tun["needs"].get(v, [])):
                            continue
                    cand.append(p)
                if cand:
                    chosen = sorted(r.sample(cand, min(len(cand), 1 + (r.random() < 0.3))),
                                    key=lambda p: p["name"])
                    doc["properties"] = {p["name"]: r.choice(p["values"]) for p in chosen}
        return doc

    def write_guests(self, path):
        r = random.Random(f"gen-fleet guests {self.args.seed}")
        roles = self.mix["guests"]["roles"]
        width = max(5, len(str(self.args.guests)))
        self.kfacts, self.cbase = {}, {}
        self.cluster_kinds = {}
        for name, ci, k, kernel, rack in self.hosts:
            ks = self.cluster_kinds.setdefault(ci, [])
            if k not in ks:
                ks.append(k)
        with open(path, "w", buffering=1 << 20) as f:
            for i in range(self.args.guests):
                hname, ci, k, _, _ = self.hosts[r.randrange(len(self.hosts))]
                name = f"{r.choice(roles)}-{i:0{width}d}"
                doc = self.guest_doc(r, name, self.kind_guest_facts(k), ci)
                f.write(jdump({"name": name, "host": hname, "guest": doc}) + "\n")

    # ---- the whole fleet ------------------------------------------------

    def build(self, out):
        t0 = time.monotonic()
        self.cpu_gen = {c: g for g in self.mix["generations"] for c in g["cpus"]}
        base_keys = [(c, ()) for g in self.mix["generations"] for c in g["cpus"]]
        self.cpus = dict(zip(base_keys, self.vmc.map(self.convert, base_keys)))
        self.features = {k: set(v["hardware_features"]) for k, v in self.cpus.items()}
        self.draw_hosts()
        t1 = time.monotonic()
        keys = sorted({key for key, _ in self.kinds})
        new = [k for k in keys if k not in self.cpus]
        self.cpus.update(zip(new, self.vmc.map(self.convert, new)))
        stacks = sorted({s for _, s in self.kinds})
        rels = sorted({rel_of(self.stacks[s]["qemu"]) for s in stacks})
        need_models = keys if self.args.guests else []
        self.model_rows = dict(zip(need_models, self.vmc.map(self.models, need_models)))
        self.stack_platforms = dict(zip(stacks, self.vmc.map(self.platforms, stacks)))
        self.machine_types = dict(zip(rels, self.vmc.map(self.machines, rels)))
        t2 = time.monotonic()
        os.makedirs(out, exist_ok=True)
        self.write_hosts(os.path.join(out, "hosts.jsonl"))
        t3 = time.monotonic()
        self.write_guests(os.path.join(out, "guests.jsonl"))
        t4 = time.monotonic()
        self.write_manifest(os.path.join(out, "fleet.json"))
        print(f"gen-fleet: {len(self.hosts)} hosts in {len(self.clusters)} clusters, "
              f"{len(self.kinds)} kinds ({len({self.document_key(k) for k in range(len(self.kinds))})} "
              f"document kinds), {self.args.guests} guests; {self.vmc.calls} vmcompat calls; "
              f"draw {t1 - t0:.1f}s, vmcompat {t2 - t1:.1f}s, hosts {t3 - t2:.1f}s, "
              f"guests {t4 - t3:.1f}s", file=sys.stderr)

    def document_key(self, k):
        """What a kind's hosts' documents say that can change a verdict: the
        document without name, notes, source, cluster, labels and
        qemu.binary, the kernel cut to X.Y, as canonical JSON (keys and
        arrays sorted). Two dumps of one die (Xeon E5-2630 v4 and E5-2650
        v4: same signature, same features) give one document kind."""
        (cpu, edits), stack_name = self.kinds[k]
        stack = self.stacks[stack_name]
        doc = {"format": 1, "arch": "x86_64", "kernel": stack["kernel"],
               "qemu": {"version": stack["qemu"],
                        "machine_types": self.machine_types[rel_of(stack["qemu"])] + ["microvm"]},
               "kvm": self.kvm_member(stack), "capabilities": self.caps_member(stack),
               "cpu": self.cpus[(cpu, edits)]}

        def canon(x):
            if isinstance(x, dict):
                return {key: canon(v) for key, v in x.items()}
            if isinstance(x, list):
                return sorted((canon(v) for v in x), key=jdump)
            return x
        return json.dumps(canon(doc), sort_keys=True, separators=(",", ":"))

    def write_manifest(self, path):
        counts = [0] * len(self.kinds)
        for h in self.hosts:
            counts[h[2]] += 1
        kinds, documents = [], {}
        for k, ((cpu, edits), stack) in enumerate(self.kinds):
            s = self.stacks[stack]
            d = documents.setdefault(self.document_key(k), len(documents))
            kinds.append({"kind": k, "cpu": cpu, "edits": list(edits), "stack": stack,
                          "kernel": s["kernel"], "qemu": s["qemu"], "hosts": counts[k],
                          "document_kind": d})
        doc = {"format": 1, "generator": "tools/gen/gen-fleet.py",
               "sources": "tools/gen/sources/fleet-mix.json",
               "seed": self.args.seed, "hosts": len(self.hosts), "guests": self.args.guests,
               "cluster_size": self.args.cluster_size, "kinds_count": len(kinds),
               "document_kinds_count": len(documents),
               "clusters": self.clusters, "kinds": kinds}
        with open(path, "w") as f:
            f.write(json.dumps(doc, indent=1) + "\n")


def verify(vmc, out, k):
    """Resolve K guests of OUT (evenly spread) on their hosts."""
    guests = open(os.path.join(out, "guests.jsonl")).read().splitlines()
    m = len(guests)
    idx = list(range(m)) if k >= m else sorted({i * m // k for i in range(k)})
    sample = [json.loads(guests[i]) for i in idx]
    want = {g["host"] for g in sample}
    hosts = {}
    with open(os.path.join(out, "hosts.jsonl")) as f:
        for line in f:
            name = line[line.index('"name":"') + 8:]
            name = name[:name.index('"')]
            if name in want:
                hosts[name] = line
    def one(g):
        p = vmc.run(["guest", "resolve", "@guest.json", "--host", "@host.json"],
                    {"guest.json": jdump(g["guest"]), "host.json": hosts[g["host"]]},
                    ok_codes=(0, 1, 2))
        return p.returncode, p.stderr.strip()
    results = vmc.map(one, sample)
    bad = [(g, rc, err) for g, (rc, err) in zip(sample, results) if rc != 0]
    for g, rc, err in bad[:20]:
        print(f"gen-fleet: verify: {g['name']} on {g['host']} ({jdump(g['guest'])}): exit {rc}: {err}",
              file=sys.stderr)
    n = len(sample)
    print(f"gen-fleet: verify: {n - len(bad)}/{n} guests resolve on their hosts "
          f"({100.0 * (n - len(bad)) / max(n, 1):.1f}%)")
    return not bad


def compare(tmp, dir_):
    stale = 0
    for name in FILES:
        a, b = os.path.join(tmp, name), os.path.join(dir_, name)
        if not os.path.exists(b):
            print(f"gen-fleet: {b} is missing", file=sys.stderr)
            stale += 1
            continue
        with open(a, "rb") as fa, open(b, "rb") as fb:
            for n, (la, lb) in enumerate(zip(fa, fb), 1):
                if la != lb:
                    print(f"gen-fleet: {b}:{n} differs from what gen-fleet.py writes", file=sys.stderr)
                    stale += 1
                    break
            else:
                if os.path.getsize(a) != os.path.getsize(b):
                    print(f"gen-fleet: {b}: length differs from what gen-fleet.py writes", file=sys.stderr)
                    stale += 1
    return stale


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmcompat", required=True)
    ap.add_argument("--shared", default=os.environ.get("VMC_SHARED_DATA", os.path.join(ROOT, "..", "shared")))
    ap.add_argument("--hosts", type=int, required=True)
    ap.add_argument("--guests", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cluster-size", type=int, default=250,
                    help="mean hosts per server cluster (default 250)")
    ap.add_argument("--jobs", type=int, default=2, help="vmcompat calls at a time")
    ap.add_argument("--verify", type=int, default=0, metavar="K",
                    help="resolve K guests on their hosts (0: none)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("-o", "--output", metavar="DIR")
    g.add_argument("--check", metavar="DIR", help="regenerate and compare with DIR")
    args = ap.parse_args()
    if args.hosts < 1 or args.guests < 0 or args.cluster_size < 1:
        ap.error("--hosts and --cluster-size must be >= 1, --guests >= 0")
    mix = json.load(open(MIX))
    vmc = Vmcompat(args.vmcompat, args.jobs)
    fleet = Fleet(args, mix, Catalog(), vmc)
    ok = True
    if args.check:
        tmp = tempfile.mkdtemp(prefix="gen-fleet-check-")
        try:
            fleet.build(tmp)
            stale = compare(tmp, args.check)
        finally:
            shutil.rmtree(tmp)
        print(f"gen-fleet: {args.check}: {len(FILES)} files checked, {stale} stale")
        ok = not stale
        out = args.check
    else:
        fleet.build(args.output)
        out = args.output
    if args.verify:
        ok = verify(vmc, out, args.verify) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
