#!/usr/bin/env python3
"""gen-hosts.py: scenario host documents from real CPUs and real host fixtures.

Reads tools/gen/sources/scenario-hosts.json. For each host: the libvirt CPUID
dump (shared/data/libvirt/data/x86_64-cpuid-<H>.xml), with the documented
kernel edits applied to its CPUID leaves, becomes the CPU (via
`vmcompat host convert`); kernel, KVM, capabilities and QEMU come from a real
host fixture (tests/data/hosts/<base>), optionally with an older kernel (KVM
capabilities and paravirt bits newer than it set to "no", from
data/host/kvm-capabilities.json) or another QEMU release (its machine types
from the catalog, data/machine/x86_64.json).

  gen-hosts.py --vmcompat BUILD/tools/vmcompat/vmcompat [--check]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = os.path.join(ROOT, "tools", "gen", "sources", "scenario-hosts.json")
OUT = os.path.join(ROOT, "tests", "data", "hosts", "scenario")

# CPUID.(EAX=7,ECX=0):EBX bits cleared by the edits (see the sources file).
LEAF7_EBX_BITS = {"hle": 4, "rtm": 11, "mpx": 14}


def version_tuple(text):
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not m:
        sys.exit(f"gen-hosts: bad version '{text}'")
    return tuple(int(x or 0) for x in m.groups())


def edit_cpuid(xml, edits):
    clear = []
    for e in edits:
        if e == "tsx-off":
            clear += ["hle", "rtm"]
        elif e.startswith("clearcpuid="):
            clear += e.split("=", 1)[1].split(",")
        else:
            sys.exit(f"gen-hosts: unknown edit '{e}'")
    mask = 0
    for f in clear:
        if f not in LEAF7_EBX_BITS:
            sys.exit(f"gen-hosts: no CPUID bit known for '{f}'")
        mask |= 1 << LEAF7_EBX_BITS[f]

    def fix(m):
        line = m.group(0)
        leaf = re.search(r"eax_in='(0x[0-9a-fA-F]+)'", line)
        sub = re.search(r"ecx_in='(0x[0-9a-fA-F]+)'", line)
        if not leaf or int(leaf.group(1), 16) != 7 or (sub and int(sub.group(1), 16) != 0):
            return line
        ebx = int(re.search(r"ebx='(0x[0-9a-f]+)'", line).group(1), 16)
        return re.sub(r"ebx='0x[0-9a-f]+'", "ebx='0x%08x'" % (ebx & ~mask), line)

    out = re.sub(r"<cpuid [^>]*/>", fix, xml)
    if mask and out == xml:
        sys.exit("gen-hosts: the edits changed nothing (no leaf 7, or the bits were clear)")
    return out


def machine_types(release):
    # Every catalog machine type that release has (QEMU deleted none of the
    # catalog's before 9.1; later deletions are the library's status rule).
    cat = json.load(open(os.path.join(ROOT, "data", "machine", "x86_64.json")))
    rel = version_tuple(release)[:2]
    names = []
    for fam in cat["families"]:
        for v in fam["versions"]:
            since = version_tuple(v["since"].replace("qemu-", ""))[:2]
            name = v["name"]
            if since > rel:
                continue
            names.append(name)
    return sorted(names, key=lambda n: (n.split("-")[:-1], version_tuple(n.split("-")[-1])))


def build(spec, vmcompat, shared):
    base = json.load(open(os.path.join(ROOT, "tests", "data", "hosts", spec["base"])))
    if spec["cpuid"]:
        dump = os.path.join(shared, "data", "libvirt", "data", f"x86_64-cpuid-{spec['cpuid']}.xml")
        xml = edit_cpuid(open(dump).read(), spec.get("edits", []))
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as tmp:
            tmp.write(xml)
        try:
            conv = subprocess.run([vmcompat, "host", "convert", tmp.name], check=True,
                                  capture_output=True, text=True,
                                  env=dict(os.environ, VMCOMPAT_DATA_DIRS=""))
        finally:
            os.unlink(tmp.name)
        cpu = json.loads(conv.stdout)["cpu"]
        cpu_from = f"libvirt CPUID dump x86_64-cpuid-{spec['cpuid']}.xml"
    else:
        cpu = base["cpu"]
        cpu_from = f"tests/data/hosts/{spec['base']}"
    doc = {"format": 1, "arch": "x86_64", "source": "document", "name": spec["name"]}
    doc["kernel"] = spec.get("kernel", base["kernel"])
    qemu = dict(base["qemu"])
    if "qemu" in spec:
        qemu["version"] = spec["qemu"]
    qemu["machine_types"] = machine_types(qemu["version"])
    doc["qemu"] = qemu
    kvm = json.loads(json.dumps(base["kvm"]))
    if "kernel" in spec:
        kver = version_tuple(spec["kernel"])
        known = json.load(open(os.path.join(ROOT, "data", "host", "kvm-capabilities.json")))
        since = {f"kvm.cap.{c['name']}": c["since"] for c in known["capabilities"]}
        since.update({f"kvm.pv.{c['name']}": c["since"] for c in known["paravirt"]})
        for name in kvm["capabilities"]:
            if name in since and version_tuple(since[name]) > kver:
                kvm["capabilities"][name] = "no"
    doc["kvm"] = kvm
    caps = dict(base.get("capabilities", {}))
    caps.update(spec.get("capabilities", {}))
    doc["capabilities"] = dict(sorted(caps.items()))
    doc["cpu"] = cpu
    edits = ", ".join(spec.get("edits", [])) or "none"
    doc["notes"] = [f"scenario host (tools/gen/gen-hosts.py): {spec['why']}. CPU: "
                    f"{cpu_from}, kernel edits: {edits}; kernel, KVM and "
                    f"capabilities from tests/data/hosts/{spec['base']}"]
    return json.dumps(doc, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmcompat", required=True)
    ap.add_argument("--shared", default=os.environ.get("VMC_SHARED_DATA", os.path.join(ROOT, "..", "shared")))
    ap.add_argument("--check", action="store_true", help="compare with the committed files")
    args = ap.parse_args()
    src = json.load(open(SOURCES))
    stale = 0
    for spec in src["hosts"]:
        text = build(spec, args.vmcompat, args.shared)
        path = os.path.join(OUT, spec["name"] + ".json")
        if args.check:
            if not os.path.exists(path) or open(path).read() != text:
                print(f"gen-hosts: {path} is stale; run tools/gen/gen-hosts.py", file=sys.stderr)
                stale += 1
        else:
            os.makedirs(OUT, exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
    if args.check:
        print(f"gen-hosts: {len(src['hosts'])} hosts checked, {stale} stale")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
