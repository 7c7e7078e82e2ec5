#!/usr/bin/env bash
# Install what migkit needs on a Debian 12 host, by group.
#
#   tools/install-deps.sh [GROUP...]     groups: build qemu test libvirt ceph bench (default: build)
#
# Adds bookworm-backports (deb and deb-src) when missing: QEMU 10.0.2, libvirt 11.3 and
# meson 1.7 come from there.  Safe to rerun; does nothing when everything is present.
set -euo pipefail

die() { echo "install-deps: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get install); rerun with sudo"
[ -r /etc/os-release ] && . /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || die "needs Debian 12 (bookworm), found '${PRETTY_NAME:-unknown}'"

declare -A GROUP_PACKAGES=(
  [build]="build-essential g++ pkg-config meson ninja-build libglib2.0-dev libcpputest-dev clang-format ccache libvirt-dev libvirt-glib-1.0-dev"
  [qemu]="ninja-build meson python3-venv python3-pycotap flex bison libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev zlib1g-dev librbd-dev xz-utils ccache seabios ipxe-qemu qemu-system-data dpkg-dev perl"
  [test]="qemu-system-x86 qemu-utils iproute2 socat python3 jq"
  [libvirt]="libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients libvirt-dev libvirt0 libvirt-glib-1.0-dev tcpdump"
  [ceph]="ceph-mon ceph-osd ceph-common jq librbd-dev qemu-block-extra"
  [bench]="qemu-system-x86"
)
# Packages that must come from bookworm-backports (bookworm's own are too old).
BACKPORTS="meson python3-pycotap qemu-system-x86 qemu-system-data qemu-utils qemu-block-extra libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients libvirt-dev libvirt0"

add_backports() {
  local f=/etc/apt/sources.list.d/migkit-backports.sources
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
     grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 1
  fi
  cat >"$f" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  echo "install-deps: added bookworm-backports (deb, deb-src) in $f"
  return 0
}

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build)
wanted=()
for g in "${groups[@]}"; do
  [ -n "${GROUP_PACKAGES[$g]:-}" ] || die "unknown group '$g' (known: ${!GROUP_PACKAGES[*]})"
  wanted+=(${GROUP_PACKAGES[$g]})
done

need_update=0
add_backports && need_update=1
stamp=/var/lib/apt/periodic/migkit-update-stamp
[ -e "$stamp" ] || need_update=1

# Packages missing, or present from bookworm where backports is required.
missing=()
for p in "${wanted[@]}"; do
  st=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
  case "$st" in
    "install ok installed "*)
      if [[ " $BACKPORTS " == *" $p "* && "$st" != *bpo12* && "$p" != python3-pycotap ]]; then
        missing+=("$p")
      fi ;;
    *) missing+=("$p") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

# No systemd as PID 1 in containers: keep maintainer scripts from starting daemons.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_update -eq 1 ]; then
  apt-get update -q >/dev/null || die "apt-get update failed: check the network to the Debian mirror and /etc/apt/sources.list.d/"
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
bp=() plain=()
for p in "${missing[@]}"; do
  if [[ " $BACKPORTS " == *" $p "* ]]; then bp+=("$p"); else plain+=("$p"); fi
done
echo "install-deps: installing ${missing[*]}"
opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o Dpkg::Use-Pty=0)
if [ ${#plain[@]} -gt 0 ]; then
  apt-get install "${opts[@]}" "${plain[@]}" >/tmp/migkit-apt.log 2>&1 ||
    die "apt-get install ${plain[*]} failed (log: /tmp/migkit-apt.log); check disk space (df -h /) and the mirror"
fi
if [ ${#bp[@]} -gt 0 ]; then
  apt-get install "${opts[@]}" -t bookworm-backports "${bp[@]}" >>/tmp/migkit-apt.log 2>&1 ||
    die "apt-get install -t bookworm-backports ${bp[*]} failed (log: /tmp/migkit-apt.log)"
fi
