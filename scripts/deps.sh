#!/usr/bin/env bash
# deps.sh: install the Debian 12 packages vmcompat needs, only when missing.
#   scripts/deps.sh build    — compiler, meson, GLib, json-c, libxml2
#   scripts/deps.sh test     — build + the real peers the tests talk to
#                              (QEMU x86_64 and s390x, libvirt's cpu_map;
#                              libvirt 9.0's QEMU driver, virsh and
#                              libvirt_iohelper to make real save images;
#                              chromium to render the fleet report;
#                              PostgreSQL for the fleet store's tests)
set -euo pipefail

build_pkgs=(gcc meson ninja-build pkg-config libglib2.0-dev libglib2.0-dev-bin
            libjson-c-dev libxml2-dev libosinfo-1.0-dev osinfo-db libsqlite3-dev libpq-dev python3)
test_pkgs=(qemu-system-x86 qemu-system-misc valgrind
           libvirt-daemon-driver-qemu libvirt-clients libvirt-daemon chromium postgresql)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
    want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "vmcompat: installing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
