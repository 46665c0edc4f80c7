# shellcheck shell=bash disable=SC2034
# Shared by the packaging scripts (sourced, not run).
# The repository root, the version of the haul package, where packages go.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Cargo's target folder (CARGO_TARGET_DIR if set); packages always go to target/packages.
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PACKAGES="$ROOT/target/packages"

# The version of the `haul` package (from the workspace's Cargo.toml).
haul_version() {
    local id
    id="$(cd "$ROOT" && cargo pkgid -p haul)"
    echo "${id##*[@#]}"
}

# Fails with a sentence when a command is missing; names the Debian package.
need() {
    local tool="$1" package="$2"
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' is missing; install it with: apt-get install $package" >&2
        exit 1
    fi
}

# Fails when the binary to package is not there.
need_file() {
    local file="$1" hint="$2"
    if [[ ! -f "$file" ]]; then
        echo "error: $file does not exist; $hint" >&2
        exit 1
    fi
}
