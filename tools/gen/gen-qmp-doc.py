#!/usr/bin/env python3
"""gen-qmp-doc.py: the command reference of vmcompatd's manual, from the schema.

data/qmp/schema.json declares every QMP command of vmcompatd once; the
daemon dispatches and checks arguments from it, and this script writes the
"COMMANDS" and "TYPES" sections of docs/vmcompatd.8.md from it (between the
<!-- BEGIN GENERATED ... --> and <!-- END GENERATED ... --> markers), so the
manual cannot list a command the daemon lacks or miss one it has.

It also checks the schema the way vmc_qmp_new() does: every type named
resolves, no definition twice, 'run' is inline/worker/session.

  tools/gen/gen-qmp-doc.py            rewrite the manual's generated sections
  tools/gen/gen-qmp-doc.py --check    exit 1 when they are not what the schema gives
"""
import argparse
import json
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCHEMA = os.path.join(ROOT, "data", "qmp", "schema.json")
MANUAL = os.path.join(ROOT, "docs", "vmcompatd.8.md")
BUILTINS = {"str", "int", "number", "bool", "null", "any", "dict"}
RUNS = {"inline", "worker", "session"}
BEGIN = "<!-- BEGIN GENERATED FROM data/qmp/schema.json (tools/gen/gen-qmp-doc.py): do not edit -->"
END = "<!-- END GENERATED -->"


def fail(msg):
    sys.exit("gen-qmp-doc.py: " + msg)


def members(data):
    """[(name, optional, type, doc)] of a 'data' object."""
    out = []
    for key, spec in (data or {}).items():
        optional = key.startswith("*")
        name = key[1:] if optional else key
        if isinstance(spec, str):
            out.append((name, optional, spec, None))
        elif isinstance(spec, dict) and isinstance(spec.get("type"), str):
            out.append((name, optional, spec["type"], spec.get("doc")))
        else:
            fail(f"member '{name}' has no type")
    return out


def load():
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    defs = schema["schema"]
    types, commands = {}, []
    for i, d in enumerate(defs):
        kinds = [k for k in ("enum", "struct", "alternate", "command") if k in d]
        if len(kinds) != 1:
            fail(f"schema[{i}]: neither an enum, a struct, an alternate nor a command")
        kind = kinds[0]
        name = d[kind]
        if kind == "command":
            if any(c["command"] == name for c in commands):
                fail(f"command '{name}' is defined twice")
            if d.get("run") not in RUNS:
                fail(f"command '{name}': 'run' is not inline, worker or session")
            commands.append(d)
        else:
            if name in types or name in BUILTINS:
                fail(f"type '{name}' is defined twice")
            types[name] = (kind, d)

    def check_type(t, where):
        while t.startswith("[") and t.endswith("]"):
            t = t[1:-1]
        if t not in BUILTINS and t not in types:
            fail(f"{where}: unknown type '{t}'")

    for name, (kind, d) in types.items():
        if kind != "enum":
            for m in members(d.get("data")):
                check_type(m[2], f"{name}.{m[0]}")
    for c in commands:
        for m in members(c.get("data")):
            check_type(m[2], f"{c['command']}.{m[0]}")
        check_type(c["returns"], f"{c['command']} returns")
    return schema, types, commands


def type_ref(t):
    inner = t
    while inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return t if inner in BUILTINS else t.replace(inner, f"*{inner}*")


def render(schema, types, commands):
    out = [BEGIN, "", "# COMMANDS", ""]
    out.append("Every command, in the order `query-commands` lists them. *inline* commands run "
               "on the event loop; *worker* commands on a worker thread; *session* commands "
               "concern the connection. Arguments marked *optional* may be left out; an "
               "unknown argument is an error. \"QEMU\" marks a command QEMU has, with its name "
               "and argument shape.")
    out.append("")
    for c in commands:
        tags = [c["run"]] + (["QEMU"] if c.get("qemu") else [])
        out.append(f"**{c['command']}** ({', '.join(tags)}) → {type_ref(c['returns'])}")
        out.append(f":   {c.get('doc', '')}")
        ms = members(c.get("data"))
        if ms:
            out.append("")
            for name, optional, t, doc in ms:
                line = f"    - `{name}`: {type_ref(t)}{', optional' if optional else ''}"
                if doc:
                    line += f" — {doc}"
                out.append(line)
        out.append("")
    out += ["# TYPES", ""]
    for name in sorted(types):
        kind, d = types[name]
        if kind == "enum":
            body = "one of " + ", ".join(f"`{v}`" for v in d["data"])
        elif kind == "alternate":
            body = "either " + " or ".join(
                f"{type_ref(t)}{' (' + doc + ')' if doc else ''}" for _, _, t, doc in members(d["data"]))
        else:
            parts = []
            for mname, optional, t, doc in members(d.get("data")):
                parts.append(f"`{mname}`{'?' if optional else ''}: {type_ref(t)}"
                             + (f" ({doc})" if doc else ""))
            body = "{" + "; ".join(parts) + "}"
        out.append(f"*{name}* ({kind})")
        out.append(f":   {d.get('doc', '')} {body}.".replace("  ", " "))
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when the manual's generated sections are stale")
    args = ap.parse_args()
    schema, types, commands = load()
    generated = render(schema, types, commands)
    with open(MANUAL, encoding="utf-8") as f:
        manual = f.read()
    if BEGIN not in manual or END not in manual:
        fail(f"{MANUAL}: the generated-section markers are missing")
    head = manual[:manual.index(BEGIN)]
    tail = manual[manual.index(END) + len(END) + 1:]
    new = head + generated + tail
    if args.check:
        if new != manual:
            print(f"{os.path.relpath(MANUAL, ROOT)} is stale: run tools/gen/gen-qmp-doc.py",
                  file=sys.stderr)
            return 1
        print(f"{os.path.relpath(MANUAL, ROOT)}: {len(commands)} commands, {len(types)} types, "
              "as the schema says")
        return 0
    if new != manual:
        with open(MANUAL, "w", encoding="utf-8") as f:
            f.write(new)
        print(f"wrote {os.path.relpath(MANUAL, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
