#!/usr/bin/env bash
# Lays out Haul's AppDir: AppRun, haul.desktop (with X-AppImage-Version), the
# icon and .DirIcon at the top; usr/bin/haul (stripped), the .desktop file,
# AppStream metainfo and hicolor icons under usr/share. Used by
# build-appimage.sh (own runtime) and by the release workflow (appimagetool).
# Usage: make-appdir.sh APPDIR HAUL_BINARY VERSION
set -euo pipefail
appdir="$1" bin="$2" version="$3"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

rm -rf "$appdir"
install -d "$appdir/usr/bin" "$appdir/usr/share/applications" "$appdir/usr/share/metainfo"
install -m 755 "$here/AppRun" "$appdir/AppRun"
strip -o "$appdir/usr/bin/haul" "$bin"
chmod 755 "$appdir/usr/bin/haul"
sed "/^\[Desktop Entry\]/a X-AppImage-Version=$version" "$root/packaging/linux/haul.desktop" >"$appdir/haul.desktop"
install -m 644 "$root/packaging/linux/haul.desktop" "$appdir/usr/share/applications/haul.desktop"
install -m 644 "$root/packaging/linux/invalid.example.haul.metainfo.xml" "$appdir/usr/share/metainfo/"
for n in 16 24 32 48 64 128 256 512; do
    install -D -m 644 "$root/assets/haul-$n.png" "$appdir/usr/share/icons/hicolor/${n}x$n/apps/haul.png"
done
install -D -m 644 "$root/assets/haul.svg" "$appdir/usr/share/icons/hicolor/scalable/apps/haul.svg"
install -m 644 "$root/assets/haul-256.png" "$appdir/haul.png"
ln -s haul.png "$appdir/.DirIcon"
