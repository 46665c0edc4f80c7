#!/usr/bin/env bash
# Builds target/packages/haul_<version>_amd64.deb with cargo-deb from the release binary
# ($CARGO_TARGET_DIR or target/, release/haul; `cargo deb --no-build` does not rebuild it).
# The package's settings are [package.metadata.deb] in app/Cargo.toml, as written in
# packaging/deb/metadata.toml; while app/Cargo.toml lacks them, cargo-deb reads a shadow
# copy of the workspace (links to the real folders, app/Cargo.toml with the table appended).
# Needs: cargo-deb (cargo install cargo-deb --locked), dpkg-deb.
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
need dpkg-deb dpkg
if ! cargo deb --version >/dev/null 2>&1; then
    echo "error: cargo-deb is missing; install it with: cargo install cargo-deb --locked" >&2
    exit 1
fi

version="$(haul_version)"
need_file "$TARGET/release/haul" "build it first: cargo build --release -p haul"
out="$PACKAGES/haul_${version}_amd64.deb"
mkdir -p "$PACKAGES"

manifest="$ROOT/app/Cargo.toml"
if ! grep -q '^\[package\.metadata\.deb\]' "$manifest"; then
    shadow="$TARGET/deb-shadow"
    echo "note: app/Cargo.toml has no [package.metadata.deb] yet; using packaging/deb/metadata.toml" \
        "through a shadow workspace in $shadow" >&2
    rm -rf "$shadow"
    mkdir -p "$shadow/app"
    cp "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" "$shadow/"
    for entry in "$ROOT"/*; do
        name="$(basename "$entry")"
        [[ "$name" == app || "$name" == target || -e "$shadow/$name" ]] || ln -s "$entry" "$shadow/$name"
    done
    for entry in "$ROOT"/app/*; do
        [[ "$(basename "$entry")" == Cargo.toml ]] || ln -s "$entry" "$shadow/app/"
    done
    cat "$ROOT/app/Cargo.toml" "$ROOT/packaging/deb/metadata.toml" >"$shadow/app/Cargo.toml"
    manifest="$shadow/app/Cargo.toml"
fi

CARGO_TARGET_DIR="$TARGET" cargo deb --manifest-path "$manifest" -p haul --no-build --output "$out"
echo "$out ($(du -h "$out" | cut -f1))"
