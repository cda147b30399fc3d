#!/usr/bin/env python3
"""Write libvirt QEMU save images (the header part) for vmcompat's tests.

A libvirt save image (`virsh save`, managed save) is, per libvirt's
src/qemu/qemu_saveimage.h (struct _virQEMUSaveHeader) and
src/qemu/qemu_saveimage.c (virQEMUSaveDataWrite, qemuSaveImageReadHeader):

  offset  size  field
  0       16    magic "LibvirtQemudSave" ("LibvirtQemudPart" until complete)
  16      4     version (2; 1 for images older than compression)
  20      4     data_len: bytes of XML + padding after the header
  24      4     was_running (0/1)
  28      4     format (0 raw, 1 gzip, 2 bzip2, 3 xz, 4 lzop, 5 zstd, 6 sparse)
  32      4     cookieOffset: where the cookie starts in the data (0: none)
  36      56    unused[14] (zeros)
  92      data_len  domain XML NUL, cookie XML NUL, zero padding
                    (libvirt pads 64 KiB so the XML can be edited in place)
  92+data_len  ...  QEMU's migration stream (the guest's memory)

All u32 fields are in the byte order of the host that wrote the image.
docs/save-image.md explains which CPU is where.

Usage:
  make-save-image.py build -o FILE [--domain-xml F] [--cookie-xml F |
        --no-cookie] [--version N] [--big-endian] [--magic TEXT]
        [--format N|NAME] [--was-running N] [--pad N] [--data-len N]
        [--cookie-offset N] [--no-nul] [--stream-bytes N]
        [--sparse-size N] [--truncate N] [--unused I=V ...]
      one image; the defaults give a valid version 2 image with a cookie
      (a small built-in domain and cookie unless files are given).
      --sparse-size N extends the file, sparse, to N bytes: a large
      "memory stream" that takes no disk space.
  make-save-image.py fixtures DIR [--check]
      writes DIR/<case>/image.save for every built case of CASES below
      (tests/data/save-images); --check compares instead and exits 1 when a
      committed fixture differs.

Deterministic output; standard library only.
"""

import argparse
import os
import struct
import sys

MAGIC = b"LibvirtQemudSave"
PARTIAL = b"LibvirtQemudPart"
HEADER_SIZE = 92
FORMATS = ["raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse"]

DOMAIN = """<domain type='kvm'>
  <name>{name}</name>
  <uuid>8d1c3a52-4a7e-4f0b-9a55-6c1d2f0e7b31</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <cpu mode='custom' match='exact' check='partial'>
    <model fallback='forbid'>Skylake-Client</model>
    <feature policy='require' name='pclmuldq'/>
    <feature policy='disable' name='ds_cpl'/>
    <feature policy='require' name='vmx-invvpid-single-context-noglobals'/>
  </cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
"""

# What libvirt writes after QEMU started that CPU: the same definition with
# check='full' and the features the hypervisor added or removed.
COOKIE = """<cookie>
  <cpu mode='custom' match='exact' check='full'>
    <model fallback='forbid'>Skylake-Client</model>
    <feature policy='require' name='pclmuldq'/>
    <feature policy='disable' name='ds_cpl'/>
    <feature policy='disable' name='vmx-invvpid-single-context-noglobals'/>
    <feature policy='require' name='hypervisor'/>
    <feature policy='require' name='arat'/>
    <feature policy='require' name='tsc_adjust'/>
  </cpu>
  <slirpHelper/>
</cookie>
"""

S390X_DOMAIN = """<domain type='kvm'>
  <name>{name}</name>
  <os>
    <type arch='s390x' machine='s390-ccw-virtio-7.2'>hvm</type>
  </os>
  <cpu mode='custom' match='exact'>
    <model fallback='forbid'>z14</model>
    <feature policy='disable' name='csske'/>
  </cpu>
</domain>
"""

S390X_COOKIE = """<cookie>
  <cpu mode='custom' match='exact' check='full'>
    <model fallback='forbid'>z14</model>
    <feature policy='disable' name='csske'/>
    <feature policy='disable' name='te'/>
  </cpu>
</cookie>
"""

# A QEMU migration stream starts with "QEVM" and version 3; a few bytes of
# it stand for the memory in the small fixtures.
STREAM = b"QEVM\x00\x00\x00\x03" + bytes(range(56))


def build_image(domain, cookie=None, version=2, big_endian=False,
                magic=MAGIC, fmt=0, was_running=1, pad=65536,
                data_len=None, cookie_offset=None, nul=True,
                cookie_nul=True, stream=b"", unused=None):
    """The bytes of one image, laid out as virQEMUSaveDataWrite does."""
    xml = domain.encode() + (b"\0" if nul else b"")
    body = xml
    if cookie is not None:
        body += cookie.encode() + (b"\0" if cookie_nul else b"")
    body += b"\0" * pad
    if data_len is None:
        data_len = len(body)
    if cookie_offset is None:
        cookie_offset = len(xml) if cookie is not None else 0
    words = unused or [0] * 14
    order = ">" if big_endian else "<"
    header = magic + struct.pack(order + "5I14I", version, data_len,
                                 was_running, fmt, cookie_offset, *words)
    assert len(header) == HEADER_SIZE
    return header + body + stream


def domain(name="vmc-built"):
    return DOMAIN.format(name=name)


# The built fixtures: case name -> keyword arguments of build_image (plus
# 'truncate': keep only that many bytes).
CASES = {
    "built-v2-cookie": dict(domain=domain("built-v2"), cookie=COOKIE, pad=64,
                            stream=STREAM),
    "built-v2-big-endian": dict(domain=domain("built-v2"), cookie=COOKIE,
                                pad=64, stream=STREAM, big_endian=True),
    "built-v2-no-cookie": dict(domain=domain("built-no-cookie"), pad=64),
    "built-v1": dict(domain=domain("built-v1"), version=1, pad=32,
                     was_running=0),
    "built-format-zstd": dict(domain=domain("built-zstd"), cookie=COOKIE,
                              fmt=5, pad=16),
    "built-format-sparse": dict(domain=domain("built-sparse"),
                                cookie=COOKIE, fmt=6, pad=16),
    "built-cookie-empty": dict(domain=domain("built-empty-cookie"),
                               cookie="<cookie/>\n", pad=16),
    "built-cookie-notes": dict(
        domain=domain("built-notes"),
        cookie=COOKIE.replace("  <slirpHelper/>\n",
                              "  <cpu><model>qemu64</model></cpu>\n"
                              "  <future-thing/>\n"),
        pad=16, was_running=2, unused=[0, 0, 0, 7] + [0] * 10),
    "built-s390x": dict(domain=S390X_DOMAIN.format(name="built-s390x"),
                        cookie=S390X_COOKIE, pad=16),
    # refused
    "bad-truncated-header": dict(domain=domain(), cookie=COOKIE, pad=16,
                                 truncate=60),
    "bad-magic-qemu-stream": dict(domain=domain(), cookie=COOKIE, pad=16,
                                  magic=b"QEVM\x00\x00\x00\x03\x07\x00"
                                        b"\x00\x00\x0apc-"),
    "bad-partial": dict(domain=domain(), cookie=COOKIE, pad=16,
                        magic=PARTIAL),
    "bad-version-3": dict(domain=domain(), cookie=COOKIE, pad=16, version=3),
    "bad-version-0": dict(domain=domain(), cookie=COOKIE, pad=16, version=0),
    "bad-format-7": dict(domain=domain(), cookie=COOKIE, pad=16, fmt=7),
    "bad-data-len-zero": dict(domain=domain(), cookie=COOKIE, pad=16,
                              data_len=0),
    "bad-data-len-limit": dict(domain=domain(), cookie=COOKIE, pad=16,
                               data_len=64 * 1024 * 1024 + 1),
    "bad-data-len-beyond-file": dict(domain=domain(), cookie=COOKIE, pad=16,
                                     data_len=100000),
    "bad-cookie-offset-range": dict(domain=domain(), cookie=COOKIE, pad=0,
                                    cookie_offset=len(domain()) + 1
                                    + len(COOKIE) + 1),
    "bad-xml-no-nul": dict(domain=domain(), pad=0, nul=False),
    "bad-xml-empty": dict(domain="", cookie=COOKIE, pad=16),
    "bad-cookie-no-nul": dict(domain=domain(), cookie=COOKIE, pad=0,
                              cookie_nul=False),
    "bad-cookie-root": dict(domain=domain(),
                            cookie=COOKIE.split("\n", 1)[1]
                            .rsplit("  <slirpHelper/>", 1)[0]
                            .replace("\n  ", "\n"), pad=16),
    "bad-cookie-not-xml": dict(domain=domain(), cookie="cookie: yes\n",
                               pad=16),
    "bad-cookie-unknown-feature": dict(
        domain=domain(),
        cookie=COOKIE.replace("name='arat'", "name='no-such-feature'"),
        pad=16),
    "bad-domain-not-xml": dict(domain="qemu-system-x86_64 -cpu host\n",
                               cookie=COOKIE, pad=16),
    "bad-domain-root": dict(domain="<cookie/>\n", pad=16),
    "bad-domain-unknown-model": dict(
        domain=domain().replace("Skylake-Client<", "Pentium-9000<"),
        cookie=COOKIE, pad=16),
}


def case_bytes(name):
    args = dict(CASES[name])
    truncate = args.pop("truncate", None)
    data = build_image(**args)
    return data[:truncate] if truncate is not None else data


def cmd_fixtures(opts):
    stale = []
    for name in sorted(CASES):
        data = case_bytes(name)
        path = os.path.join(opts.dir, name, "image.save")
        if opts.check:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        stale.append(path)
            except OSError:
                stale.append(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    if stale:
        for p in stale:
            print(f"{p}: differs from make-save-image.py (run it without --check)",
                  file=sys.stderr)
        return 1
    return 0


def parse_format(text):
    if text in FORMATS:
        return FORMATS.index(text)
    return int(text, 0)


def cmd_build(opts):
    dom = domain()
    cookie = COOKIE
    if opts.domain_xml:
        with open(opts.domain_xml, encoding="utf-8") as f:
            dom = f.read()
    if opts.cookie_xml:
        with open(opts.cookie_xml, encoding="utf-8") as f:
            cookie = f.read()
    if opts.no_cookie:
        cookie = None
    unused = [0] * 14
    for item in opts.unused:
        i, v = item.split("=", 1)
        unused[int(i)] = int(v, 0)
    magic = opts.magic.encode("latin-1") if opts.magic else MAGIC
    if len(magic) != 16:
        print("--magic: exactly 16 bytes", file=sys.stderr)
        return 2
    data = build_image(dom, cookie, version=opts.version,
                       big_endian=opts.big_endian, magic=magic,
                       fmt=parse_format(opts.format),
                       was_running=opts.was_running, pad=opts.pad,
                       data_len=opts.data_len,
                       cookie_offset=opts.cookie_offset, nul=not opts.no_nul,
                       cookie_nul=not opts.no_nul,
                       stream=bytes(opts.stream_bytes),
                       unused=unused)
    if opts.truncate is not None:
        data = data[:opts.truncate]
    with open(opts.output, "wb") as f:
        f.write(data)
        if opts.sparse_size is not None and opts.sparse_size > len(data):
            f.truncate(opts.sparse_size)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write one image")
    b.add_argument("-o", "--output", required=True)
    b.add_argument("--domain-xml")
    b.add_argument("--cookie-xml")
    b.add_argument("--no-cookie", action="store_true")
    b.add_argument("--version", type=int, default=2)
    b.add_argument("--big-endian", action="store_true")
    b.add_argument("--magic", help="16 bytes (latin-1)")
    b.add_argument("--format", default="raw", help="number or name")
    b.add_argument("--was-running", type=int, default=1)
    b.add_argument("--pad", type=int, default=65536)
    b.add_argument("--data-len", type=int)
    b.add_argument("--cookie-offset", type=int)
    b.add_argument("--no-nul", action="store_true")
    b.add_argument("--stream-bytes", type=int, default=0,
                   help="zero bytes of 'memory' written after the data")
    b.add_argument("--sparse-size", type=int,
                   help="extend the file (sparse) to this many bytes")
    b.add_argument("--truncate", type=int)
    b.add_argument("--unused", action="append", default=[],
                   metavar="I=V", help="set unused[I] (0..13)")
    b.set_defaults(func=cmd_build)
    fx = sub.add_parser("fixtures", help="write the built test fixtures")
    fx.add_argument("dir")
    fx.add_argument("--check", action="store_true")
    fx.set_defaults(func=cmd_fixtures)
    opts = ap.parse_args()
    return opts.func(opts)


if __name__ == "__main__":
    sys.exit(main())
