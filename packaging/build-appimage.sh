#!/usr/bin/env bash
# Builds target/packages/Haul-<version>-x86_64.AppImage from the release binary
# ($CARGO_TARGET_DIR or target/, release/haul; or $HAUL_BIN) without any AppImage tool and without FUSE:
# an AppDir (AppRun, haul.desktop, icons, usr/bin/haul) packed by mksquashfs
# behind Haul's own type-2 runtime (packaging/appimage/runtime: extracts once to a
# per-version cache and runs AppRun).
# Needs: mksquashfs (squashfs-tools), strip (binutils), desktop-file-validate
# (desktop-file-utils), cargo; for a static runtime the x86_64-unknown-linux-musl
# target and musl-gcc (musl-tools).
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
need mksquashfs squashfs-tools
need strip binutils
need desktop-file-validate desktop-file-utils

version="$(haul_version)"
bin="${HAUL_BIN:-$TARGET/release/haul}"
need_file "$bin" "build it first: cargo build --release -p haul"
work="$TARGET/appimage"
appdir="$work/Haul.AppDir"
out="$PACKAGES/Haul-$version-x86_64.AppImage"

# 1. The runtime: static (musl) when that target is installed, else glibc static.
runtime_manifest="$ROOT/packaging/appimage/runtime/Cargo.toml"
runtime_target_dir="$TARGET/appimage-runtime"
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl && command -v musl-gcc >/dev/null; then
    target=x86_64-unknown-linux-musl
    CARGO_TARGET_DIR="$runtime_target_dir" cargo build --release --locked --quiet \
        --manifest-path "$runtime_manifest" --target "$target"
else
    echo "warning: no musl target (rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools):" \
        "building a static glibc runtime instead" >&2
    target=x86_64-unknown-linux-gnu
    CARGO_TARGET_DIR="$runtime_target_dir" RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --release --locked --quiet --manifest-path "$runtime_manifest" --target "$target"
fi
runtime="$work/runtime"
mkdir -p "$work" "$PACKAGES"
cp "$runtime_target_dir/$target/release/haul-appimage-runtime" "$runtime"
# The AppImage type-2 magic, "AI" and 2, at offset 8 of the ELF header (EI_PAD).
printf 'AI\002' | dd of="$runtime" bs=1 seek=8 conv=notrunc status=none

# 2. The AppDir.
bash "$ROOT/packaging/appimage/make-appdir.sh" "$appdir" "$bin" "$version"
desktop-file-validate "$appdir/haul.desktop"

# 3. The image: zstd, 1 MiB blocks (as appimagetool does), reproducible times.
rm -f "$work/Haul.sqfs"
mksquashfs "$appdir" "$work/Haul.sqfs" -root-owned -noappend -comp zstd -b 1M -mkfs-time 0 -all-time 0 \
    -no-progress -quiet
cat "$runtime" "$work/Haul.sqfs" >"$out.part"
chmod 755 "$out.part"
mv "$out.part" "$out"
echo "$out ($(du -h "$out" | cut -f1); runtime $(stat -c %s "$runtime") bytes, squashfs at that offset)"
