# Sourced by build-qemu.sh and dev-tree.sh: how migkit configures and builds QEMU 10.0.2.

# bzip2 must not be on PATH: with it, QEMU's meson tries to unpack the EDK2 blobs that the +ds
# tarball does not ship.  A PATH farm without bzip2 serves configure and ninja alike (ninja
# re-runs meson when a patch touches a meson.build).
qemu_build_env() {
  local cache=$1 farm=$1/path-farm d f b
  if [ ! -f "$farm/.ok" ]; then
    rm -rf "$farm"; mkdir -p "$farm"
    for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin; do
      for f in "$d"/*; do
        b=${f##*/}
        case "$b" in bzip2|bunzip2|bzcat) continue ;; esac
        [ -e "$farm/$b" ] || ln -s "$f" "$farm/$b"
      done
    done
    touch "$farm/.ok"
  fi
  export PATH=$farm
  # One ccache for every tree: paths relative to the cache, so worktrees share hits.
  export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$cache CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-6G}
  export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
}

# KVM is built although these machines run TCG only: the patches touch what KVM's dirty log
# and dirty ring feed (include/exec/ram_addr.h), and that code must compile.
QEMU_CONFIGURE_ARGS=(--target-list=x86_64-softmmu --without-default-features --enable-tcg
  --enable-kvm --enable-slirp --enable-tools --enable-fdt=system --disable-docs --disable-rust
  --disable-install-blobs --disable-werror --python=/usr/bin/python3 --enable-trace-backends=log
  --enable-rbd)

# qemu_configure_needed BUILD_DIR: true when BUILD_DIR was never configured, or with other
# QEMU_CONFIGURE_ARGS than today's (qemu_configure_done records them).
qemu_configure_needed() {
  [ ! -f "$1/build.ninja" ] ||
    [ "$(cat "$1/.migkit-configure" 2>/dev/null)" != "$(qemu_configure_hash)" ]
}
qemu_configure_done() { qemu_configure_hash >"$1/.migkit-configure"; }
qemu_configure_hash() { echo "${QEMU_CONFIGURE_ARGS[*]}" | sha256sum | cut -d' ' -f1; }

QEMU_TARGETS=(qemu-system-x86_64 qemu-img qemu-io qemu-nbd storage-daemon/qemu-storage-daemon
  tests/qtest/migration-test)

# Firmware from Debian's packages, linked where an in-tree binary looks for it.
qemu_stage_firmware() {
  local build=$1 fw=$1/qemu-bundle/usr/local/share/qemu f
  local -A firmware=(
    [bios-256k.bin]=/usr/share/seabios [bios.bin]=/usr/share/seabios
    [vgabios-stdvga.bin]=/usr/share/seabios
    [kvmvapic.bin]=/usr/share/qemu [linuxboot_dma.bin]=/usr/share/qemu
    [linuxboot.bin]=/usr/share/qemu [multiboot_dma.bin]=/usr/share/qemu [pvh.bin]=/usr/share/qemu
    [efi-virtio.rom]=/usr/lib/ipxe/qemu [efi-e1000.rom]=/usr/lib/ipxe/qemu
    [efi-e1000e.rom]=/usr/lib/ipxe/qemu
  )
  mkdir -p "$fw"
  for f in "${!firmware[@]}"; do
    if [ ! -e "${firmware[$f]}/$f" ]; then
      echo "error: firmware ${firmware[$f]}/$f is missing: apt-get install --reinstall seabios ipxe-qemu qemu-system-data (tools/install-deps.sh qemu)" >&2
      return 1
    fi
    ln -sfn "${firmware[$f]}/$f" "$fw/$f"
  done
  ln -sfn /usr/share/qemu/keymaps "$fw/keymaps"
}
