#!/usr/bin/env bash
# Builds target/packages/haul-<version>-x86_64.msi: cross-compiles haul.exe for
# x86_64-pc-windows-gnu with mingw-w64 (icon and version resources linked in),
# makes haul-gui.exe from it (the same program, Windows subsystem: no console),
# and packs both with Debian's wixl from packaging/windows/haul.wxs, then adds
# what wixl cannot express (packaging/windows/post-wixl.sql) with msibuild.
# $HAUL_EXE: package this exe instead of building one.
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64 (gcc, windres,
# strip), wixl and msitools.
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
need x86_64-w64-mingw32-windres binutils-mingw-w64-x86-64
need x86_64-w64-mingw32-strip binutils-mingw-w64-x86-64
need wixl wixl
need msibuild msitools

triple=x86_64-pc-windows-gnu
version="$(haul_version)"
# MSI versions are three numbers: 0.2.0-beta.1 → 0.2.0.
msi_version="${version%%[-+]*}"
work="$TARGET/msi"
stage="$work/stage"
out="$PACKAGES/haul-$version-x86_64.msi"
mkdir -p "$work" "$PACKAGES"

# 1. Resources: icon and version information.
IFS=. read -r major minor patch <<<"$msi_version"
sed -e "s/@VERSION@/$version/g" -e "s/@VERSION_COMMAS@/$major,$minor,$patch,0/g" \
    "$ROOT/packaging/windows/haul.rc.in" >"$work/haul.rc"
cp "$ROOT/assets/haul.ico" "$work/haul.ico"
(cd "$work" && x86_64-w64-mingw32-windres -O coff -i haul.rc -o haul-res.o)

# 2. haul.exe (the resource object goes to the final link only, so dependencies are untouched).
if [[ -n "${HAUL_EXE:-}" ]]; then
    exe="$HAUL_EXE"
else
    if ! rustup target list --installed | grep -qx "$triple"; then
        echo "error: the Rust target $triple is missing; install it with: rustup target add $triple" >&2
        exit 1
    fi
    (cd "$ROOT" && CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        cargo rustc --release --locked --target "$triple" -p haul --bin haul -- -C "link-arg=$work/haul-res.o")
    exe="$TARGET/$triple/release/haul.exe"
fi
need_file "$exe" "build it with packaging/build-msi.sh (without HAUL_EXE)"

# 3. Two executables from one: the PE header's Subsystem field (2 GUI, 3 console).
set_subsystem() {
    local file="$1" value="$2" pe signature
    pe="$(od -An -tu4 -j60 -N4 "$file" | tr -d ' ')"
    signature="$(od -An -tx1 -j"$pe" -N4 "$file" | tr -d ' ')"
    if [[ "$signature" != 50450000 ]]; then
        echo "error: $file is not a PE executable" >&2
        exit 1
    fi
    # Optional header at +24; Subsystem at +68 in it (PE32+).
    printf '%b' "\\x$(printf %02x "$value")" | dd of="$file" bs=1 seek=$((pe + 24 + 68)) conv=notrunc status=none
}
rm -rf "$stage"
mkdir -p "$stage"
x86_64-w64-mingw32-strip -o "$stage/haul.exe" "$exe"
set_subsystem "$stage/haul.exe" 3
cp "$stage/haul.exe" "$stage/haul-gui.exe"
set_subsystem "$stage/haul-gui.exe" 2
cp "$ROOT/assets/haul.ico" "$stage/haul.ico"
cp "$ROOT/packaging/windows/native-messaging/haul-chromium.json" "$ROOT/packaging/windows/native-messaging/haul-firefox.json" "$stage/"

# 4. The MSI (wixl reads sources relative to the current folder).
rm -f "$work/haul.msi"
(cd "$stage" && wixl -a x64 -D "Version=$msi_version" -D SourceDir=. -o "$work/haul.msi" \
    "$ROOT/packaging/windows/haul.wxs")
grep -v -e '^--' -e '^$' "$ROOT/packaging/windows/post-wixl.sql" | while IFS= read -r query; do
    msibuild "$work/haul.msi" -q "$query"
done
mv "$work/haul.msi" "$out"
echo "$out ($(du -h "$out" | cut -f1); haul.exe console, haul-gui.exe GUI subsystem)"
