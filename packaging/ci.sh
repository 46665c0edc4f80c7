#!/usr/bin/env bash
# Packaging CI: on a fresh Debian 12 machine, as root, installs the tools, builds
# the release binary once, builds the three packages from it (the Windows exe is
# its own cross build), and checks each package for real:
#   AppImage: type-2 layout, --appimage-version, `haul --version` through it (cold
#             and cached, and 4 starts at once), --appimage-extract, then the window
#             from the AppImage under Xvfb with a screenshot that must not be blank;
#   MSI:      msiinfo tables (files, shortcut + AppUserModelID, upgrade), installed by
#             `wine msiexec /i … /qn`; under wine: haul.exe --version, the window
#             (haul-gui.exe) on Xvfb with a screenshot, the service over the named pipe and
#             a download; upgrade by a newer MSI; `msiexec /x` stops the service and leaves nothing;
#   .deb:     dpkg -i, /usr/bin/haul --version, dpkg -r leaves nothing.
# Prints how long each step took. Called by .ci/run; also runs by hand: bash packaging/ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=packaging/lib.sh
source packaging/lib.sh

started=$(date +%s)
step_started=$started
step_name=""
timings=()
step() {
    local now
    now=$(date +%s)
    if [[ -n "$step_name" ]]; then
        timings+=("$(printf '%5d s  %s' $((now - step_started)) "$step_name")")
        echo "   ($step_name: $((now - step_started)) s)"
    fi
    step_name="$1"
    step_started=$now
    echo "== packaging: $1 (at $((now - started)) s)"
}
fail() {
    echo "FAILED: $* (logs and files in ${scratch:-?})" >&2
    exit 1
}

# Processes this script starts, ended by id on exit.
pids=()
cleanup() {
    local pid
    # The service the AppImage's window started, if a check failed before it was stopped.
    if [[ -S "${scratch:-/nonexistent}/run/haul.sock" ]]; then
        HAUL_SOCKET="$scratch/run/haul.sock" "$TARGET/release/haul" service stop >/dev/null 2>&1 || true
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [[ -n "${WINEPREFIX:-}" && -d "${WINEPREFIX:-}" ]]; then
        wineserver -k 2>/dev/null || true
    fi
}
trap cleanup EXIT

scratch="$(mktemp -d /tmp/haul-packaging-ci.XXXXXX)"

# ---------------------------------------------------------------------------
step "tools (apt, rustup targets, cargo-deb)"
apt_packages=(squashfs-tools binutils file desktop-file-utils appstream xvfb xauth imagemagick
    musl-tools gcc-mingw-w64-x86-64 wixl msitools wine wine64 dpkg-dev procps)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for t in x86_64-pc-windows-gnu x86_64-unknown-linux-musl; do
    if ! rustup target list --installed | grep -qx "$t"; then
        rustup target add "$t" || fail "rustup could not install the target $t (is its dist server reachable?)"
    fi
done
if ! cargo deb --version >/dev/null 2>&1; then
    cargo install cargo-deb --locked --quiet
fi
mksquashfs -version | head -1
wixl --version
wine --version
cargo deb --version

# ---------------------------------------------------------------------------
step "release build (cargo build --release -p haul)"
cargo build --release -p haul
"$TARGET/release/haul" --version

version="$(haul_version)"
appimage="$PACKAGES/Haul-$version-x86_64.AppImage"
msi="$PACKAGES/haul-$version-x86_64.msi"
deb="$PACKAGES/haul_${version}_amd64.deb"

# ---------------------------------------------------------------------------
step "AppImage runtime crate (fmt, clippy, tests)"
runtime_manifest=packaging/appimage/runtime/Cargo.toml
cargo fmt --manifest-path "$runtime_manifest" -- --check
CARGO_TARGET_DIR="$TARGET/appimage-runtime" cargo clippy --locked --quiet --manifest-path "$runtime_manifest" \
    --all-targets --target x86_64-unknown-linux-musl -- -D warnings
CARGO_TARGET_DIR="$TARGET/appimage-runtime" cargo test --locked --quiet --manifest-path "$runtime_manifest" \
    --target x86_64-unknown-linux-musl

step "AppImage (own runtime + mksquashfs)"
bash packaging/build-appimage.sh

step ".deb (cargo-deb)"
bash packaging/build-deb.sh

step "Windows cross build + MSI (mingw-w64, wixl)"
bash packaging/build-msi.sh

# ---------------------------------------------------------------------------
step "AppImage checks"
[[ "$(od -An -c -j8 -N3 "$appimage" | tr -d ' ')" == 'AI002' ]] || fail "no AI\\x02 magic at offset 8"
offset="$("$appimage" --appimage-offset)"
[[ "$(tail -c +$((offset + 1)) "$appimage" | head -c 4)" == hsqs ]] || fail "no squashfs at offset $offset"
"$appimage" --appimage-version 2>&1 | tee "$scratch/appimage-version"
grep -q "^Version: " "$scratch/appimage-version" || fail "--appimage-version printed no version"
grep -Fxq "App version: $version" "$scratch/appimage-version" || fail "--appimage-version: app version is not $version"
# The image lists like any squashfs.
tail -c +$((offset + 1)) "$appimage" >"$scratch/image.sqfs"
unsquashfs -l "$scratch/image.sqfs" | grep -q "squashfs-root/usr/bin/haul" || fail "usr/bin/haul is not in the image"
# Through the AppImage, with an empty cache (extracts), then cached, then 4 at once on a new cache.
export XDG_CACHE_HOME="$scratch/cache"
[[ "$("$appimage" --version)" == "haul $version" ]] || fail "haul --version through the AppImage"
[[ "$("$appimage" --version)" == "haul $version" ]] || fail "haul --version through the cached AppImage"
ls "$XDG_CACHE_HOME/appimage-extract"
export XDG_CACHE_HOME="$scratch/cache-race"
for i in 1 2 3 4; do "$appimage" --version >"$scratch/race-$i" & done
wait
for i in 1 2 3 4; do [[ "$(cat "$scratch/race-$i")" == "haul $version" ]] || fail "start $i of 4 at once"; done
[[ "$(find "$XDG_CACHE_HOME/appimage-extract" -mindepth 1 -maxdepth 1 | wc -l)" == 1 ]] ||
    fail "4 starts at once left more than one cache entry"
(cd "$scratch" && "$appimage" --appimage-extract >/dev/null) || fail "--appimage-extract"
[[ -x "$scratch/squashfs-root/AppRun" && -x "$scratch/squashfs-root/usr/bin/haul" ]] || fail "extracted AppDir"
desktop-file-validate "$scratch/squashfs-root/haul.desktop"
appstreamcli validate --no-net "$scratch/squashfs-root/usr/share/metainfo/invalid.example.haul.metainfo.xml"

step "AppImage window under Xvfb"
export XDG_CACHE_HOME="$scratch/cache"
run="$scratch/run"
mkdir -m 700 "$run"
display_number=90
while [[ -e "/tmp/.X11-unix/X$display_number" || -e "/tmp/.X$display_number-lock" ]]; do
    display_number=$((display_number + 1))
done
display=":$display_number"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$scratch/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -e "/tmp/.X11-unix/X$display_number" ]] && break; sleep 0.1; done
gui_env=(DISPLAY="$display" XDG_RUNTIME_DIR="$run" HAUL_SOCKET="$run/haul.sock" HAUL_DATA_DIR="$scratch/data"
    HOME="$scratch/home" XDG_CACHE_HOME="$XDG_CACHE_HOME")
mkdir -p "$scratch/home"
env "${gui_env[@]}" "$appimage" >"$scratch/gui.log" 2>&1 &
gui=$!
pids+=("$gui")
# The window starts the service itself; wait for it, then for a few frames.
for _ in $(seq 100); do [[ -S "$run/haul.sock" ]] && break; sleep 0.1; done
[[ -S "$run/haul.sock" ]] || { cat "$scratch/gui.log"; fail "the window did not start the service"; }
sleep 4
kill -0 "$gui" 2>/dev/null || { cat "$scratch/gui.log"; fail "the window exited"; }
shot="$PACKAGES/appimage-window.png"
DISPLAY="$display" import -window root "$shot"
colors="$(convert "$shot" -format '%k' info:)"
spread="$(convert "$shot" -format '%[fx:int(1000*standard_deviation)]' info:)"
echo "screenshot $shot: $colors colors, standard deviation $spread/1000"
((colors > 16 && spread > 10)) || fail "the screenshot is blank ($colors colors)"
env "${gui_env[@]}" "$appimage" list >/dev/null || fail "haul list through the AppImage"
# The browser's native messaging host from the AppImage: `haul browser install` names the image.
mkdir -p "$scratch/home/.config/chromium"
env "${gui_env[@]}" XDG_CONFIG_HOME="$scratch/home/.config" APPIMAGE="$appimage" "$appimage" browser install ||
    fail "haul browser install through the AppImage"
host_manifest="$scratch/home/.config/chromium/NativeMessagingHosts/invalid.example.haul.json"
grep -qF "\"path\": \"$appimage\"" "$host_manifest" || { cat "$host_manifest"; fail "the host manifest does not name the AppImage"; }
env "${gui_env[@]}" XDG_CONFIG_HOME="$scratch/home/.config" "$appimage" browser uninstall
[[ ! -e "$host_manifest" ]] || fail "haul browser uninstall left $host_manifest"
kill "$gui"
wait "$gui" 2>/dev/null || true
env "${gui_env[@]}" "$appimage" service stop

# ---------------------------------------------------------------------------
step "MSI checks (msiinfo, wine msiexec)"
# The prefix is made with the Xvfb display set: made without one, wine's OpenGL finds no
# pixel formats later and the window cannot start.
export WINEPREFIX="$scratch/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY="$display"
export USER="${USER:-$(id -un)}"
unset HAUL_SOCKET HAUL_DATA_DIR
table() { msiinfo export "$msi" "$1" | tr -d '\r' | tail -n +4; }
table File | tee "$scratch/File"
grep -q $'\thaul.exe\t' "$scratch/File" || fail "File table: no haul.exe"
grep -q $'\thaul-gui.exe\t' "$scratch/File" || fail "File table: no haul-gui.exe"
table Shortcut | tee "$scratch/Shortcut"
grep -q $'^HaulShortcut\tProgramMenuFolder\tHaul\t.*\t\[INSTALLDIR\]haul-gui.exe\t' "$scratch/Shortcut" ||
    fail "Shortcut table: no Start-menu shortcut to haul-gui.exe"
table MsiShortcutProperty | tee "$scratch/MsiShortcutProperty"
grep -q $'\tHaulShortcut\tSystem.AppUserModel.ID\tHaul.Haul$' "$scratch/MsiShortcutProperty" ||
    fail "the shortcut has no AppUserModelID"
table Upgrade | tee "$scratch/Upgrade"
upgrade_code="$(table Property | awk -F'\t' '$1 == "UpgradeCode" { print toupper($2) }')"
grep -q "^$upgrade_code"$'\t\t'"${version%%[-+]*}"$'\t.*WIX_UPGRADE_DETECTED' "$scratch/Upgrade" ||
    fail "Upgrade table: older versions of $upgrade_code are not replaced"
table Environment
[[ "$(file -b "$TARGET/msi/stage/haul.exe")" == "PE32+ executable (console) x86-64"* ]] ||
    fail "haul.exe is not a console program: $(file -b "$TARGET/msi/stage/haul.exe")"
[[ "$(file -b "$TARGET/msi/stage/haul-gui.exe")" == "PE32+ executable (GUI) x86-64"* ]] ||
    fail "haul-gui.exe is not a GUI program: $(file -b "$TARGET/msi/stage/haul-gui.exe")"

wineboot --init >/dev/null 2>&1
# Rust programs import ProcessPrng from bcryptprimitives.dll (Windows 10+); wine 8.0 lacks that DLL.
if ! ls /usr/lib/*/wine/x86_64-windows/bcryptprimitives.dll >/dev/null 2>&1; then
    echo "note: wine $(wine --version) has no bcryptprimitives.dll; adding a ProcessPrng test shim to the prefix"
    x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
        packaging/windows/wine-bcryptprimitives.c -ladvapi32
fi
haul_exe='C:\Program Files\Haul\haul.exe'
program_files="$WINEPREFIX/drive_c/Program Files/Haul"
# Windows puts a per-machine shortcut under ProgramData; wine 8 resolves ProgramMenuFolder
# before ALLUSERS and uses the user's Start menu: either counts.
shortcuts=("$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/Haul.lnk"
    "$WINEPREFIX/drive_c/users/$USER/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Haul.lnk")
shortcut_exists() { [[ -f "${shortcuts[0]}" || -f "${shortcuts[1]}" ]]; }
machine_path() { wine reg query 'HKLM\System\CurrentControlSet\Control\Session Manager\Environment' /v PATH | tr -d '\r'; }
uninstall_entries() {
    wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s | tr -d '\r' |
        grep -cE '^ +DisplayName +REG_SZ +Haul$' || true
}
service_running() { pgrep -f 'haul(-gui)?\.exe service' >/dev/null; }

wine msiexec /i "$(winepath -w "$msi")" /qn /l*v "$(winepath -w "$scratch/install.log")"
[[ -f "$program_files/haul.exe" && -f "$program_files/haul-gui.exe" ]] || fail "not installed to $program_files"
shortcut_exists || fail "no Start-menu shortcut"
[[ "$(wine "$haul_exe" --version | tr -d '\r')" == "haul $version" ]] || fail "haul.exe --version from the install folder"
machine_path | grep -qiF 'C:\Program Files\Haul' || fail "the install folder is not on PATH"
# The browser extension's native messaging host: its manifests in the install folder, and a key
# per browser pointing at them (per machine: HKLM).
host_keys=('Google\Chrome' 'Chromium' 'Microsoft\Edge' 'BraveSoftware\Brave-Browser' 'Vivaldi' 'Mozilla')
host_key() { wine reg query 'HKLM\Software\'"$1"'\NativeMessagingHosts\invalid.example.haul' /ve 2>/dev/null | tr -d '\r'; }
for browser in "${host_keys[@]}"; do
    host_key "$browser" | grep -qiF 'C:\Program Files\Haul\haul-' || fail "no native messaging key for $browser"
done
[[ -f "$program_files/haul-chromium.json" && -f "$program_files/haul-firefox.json" ]] ||
    fail "the native messaging manifests are not installed"
grep -q '"path": "haul.exe"' "$program_files/haul-chromium.json" || fail "haul-chromium.json does not name haul.exe"
# The window, as the Start-menu shortcut starts it (haul-gui.exe), under wine on the Xvfb display:
# it starts the service (over the named pipe) itself and must draw something.
wine "C:\\Program Files\\Haul\\haul-gui.exe" >"$scratch/wine-gui.log" 2>&1 &
wine_gui=$!
pids+=("$wine_gui")
for _ in $(seq 300); do pgrep -f 'haul-gui\.exe service' >/dev/null && break; sleep 0.1; done
pgrep -f 'haul-gui\.exe service' >/dev/null || fail "haul-gui.exe did not start its service"
sleep 5
shot="$PACKAGES/msi-window-wine.png"
import -window root "$shot"
colors="$(convert "$shot" -format '%k' info:)"
echo "screenshot $shot: $colors colors"
((colors > 16)) || fail "the window under wine drew nothing ($colors colors)"
kill "$wine_gui"
wine "$haul_exe" service stop
for _ in $(seq 50); do service_running || break; sleep 0.1; done
# The service over its named pipe: the CLI starts it when none answers. (No pipes after wine
# commands that may start the service: it would hold the pipe open and the reader would wait.)
wine "$haul_exe" call hello '{"protocol":1,"client":"ci"}' >"$scratch/wine-hello"
tr -d '\r' <"$scratch/wine-hello"
grep -q '"server": "haul/' "$scratch/wine-hello" || fail "no hello over the named pipe"
if command -v python3 >/dev/null; then
    # A real download on Windows code paths (positioned writes, rename into place).
    mkdir -p "$scratch/www" "$WINEPREFIX/drive_c/downloads"
    head -c 6000000 /dev/urandom >"$scratch/www/blob.bin"
    port=$((20000 + RANDOM % 20000))
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$scratch/www" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    timeout 120 wine "$haul_exe" add "http://127.0.0.1:$port/blob.bin" --dir 'C:\downloads' --wait >"$scratch/wine-add"
    tr -d '\r' <"$scratch/wine-add"
    cmp "$scratch/www/blob.bin" "$WINEPREFIX/drive_c/downloads/blob.bin" || fail "the download under wine differs"
else
    echo "note: no python3 for a local HTTP server; skipping the download under wine"
fi
service_running || fail "no service is running (it was started over the pipe)"

# A newer MSI (same files, version + 0.0.1) replaces this one; its uninstall stops the service.
newer_version="$(awk -F. '{ print $1 "." $2 "." $3 + 1 }' <<<"${version%%[-+]*}")"
(cd "$TARGET/msi/stage" && wixl -a x64 -D "Version=$newer_version" -D SourceDir=. -o "$scratch/newer.msi" \
    "$ROOT/packaging/windows/haul.wxs")
grep -v -e '^--' -e '^$' packaging/windows/post-wixl.sql | while IFS= read -r query; do
    msibuild "$scratch/newer.msi" -q "$query"
done
wine msiexec /i "$(winepath -w "$scratch/newer.msi")" /qn /l*v "$(winepath -w "$scratch/upgrade.log")"
[[ "$(uninstall_entries)" == 1 ]] || fail "after the upgrade $(uninstall_entries) Haul products are installed"
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s | tr -d '\r' |
    grep -qE "DisplayVersion +REG_SZ +$newer_version$" || fail "the newer MSI is not the one installed"
[[ "$(wine "$haul_exe" --version | tr -d '\r')" == "haul $version" ]] || fail "haul.exe after the upgrade"
machine_path | grep -o 'Haul' | wc -l | grep -qx 1 || fail "PATH holds the install folder more than once"
# Uninstall with the service running: the installer stops it, then nothing is left.
wine "$haul_exe" list >/dev/null
service_running || fail "the service did not start again"
wine msiexec /x "$(winepath -w "$scratch/newer.msi")" /qn /l*v "$(winepath -w "$scratch/uninstall.log")"
for _ in $(seq 50); do service_running || break; sleep 0.1; done
service_running && fail "the service still runs after the uninstall"
[[ ! -e "$program_files" ]] || { find "$program_files"; fail "uninstall left $program_files"; }
shortcut_exists && fail "uninstall left the Start-menu shortcut"
for browser in "${host_keys[@]}"; do
    # msiexec removes the value; an empty key may stay, which points a browser nowhere.
    host_key "$browser" | grep -qiF 'haul-' && fail "uninstall left the native messaging value for $browser"
done
machine_path | grep -qi 'Program Files\\Haul' && fail "uninstall left the install folder on PATH"
[[ "$(uninstall_entries)" == 0 ]] || fail "uninstall left Haul in Programs and Features"
wineserver -w
unset WINEPREFIX DISPLAY

# ---------------------------------------------------------------------------
step ".deb checks (dpkg -i, /usr/bin/haul, dpkg -r)"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb" | awk '{ print $NF }' >"$scratch/deb-files"
for f in ./usr/bin/haul ./usr/share/applications/haul.desktop ./usr/lib/systemd/user/haul.service \
    ./usr/share/icons/hicolor/256x256/apps/haul.png ./usr/share/metainfo/invalid.example.haul.metainfo.xml \
    ./etc/chromium/native-messaging-hosts/invalid.example.haul.json \
    ./etc/opt/chrome/native-messaging-hosts/invalid.example.haul.json \
    ./usr/lib/mozilla/native-messaging-hosts/invalid.example.haul.json; do
    grep -Fxq "$f" "$scratch/deb-files" || fail "$f is not in the .deb"
done
# The run-time libraries it depends on (the CI machine may lack some), then the package itself.
depends="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/([^)]*)//; s/|.*//; s/ //g' | grep -v '^$')"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $depends >/dev/null
dpkg -i "$deb"
[[ "$(dpkg-query -W -f='${Status}' haul)" == "install ok installed" ]] || fail "dpkg -i did not install haul"
[[ "$(/usr/bin/haul --version)" == "haul $version" ]] || fail "/usr/bin/haul --version"
desktop-file-validate /usr/share/applications/haul.desktop
grep -q '"path": "/usr/bin/haul"' /etc/chromium/native-messaging-hosts/invalid.example.haul.json ||
    fail "the chromium host manifest does not name /usr/bin/haul"
dpkg -r haul
[[ ! -e /usr/bin/haul && ! -e /usr/share/applications/haul.desktop && ! -e /usr/lib/systemd/user/haul.service ]] ||
    fail "dpkg -r left files behind"
[[ "$(dpkg-query -W -f='${Status}' haul 2>/dev/null || true)" != "install ok installed" ]] || fail "haul is still installed"

# ---------------------------------------------------------------------------
step "done"
rm -rf "$scratch"
echo
echo "Packages in $PACKAGES:"
ls -la "$PACKAGES"
echo
echo "Timings:"
printf '%s\n' "${timings[@]}"
echo "$(printf '%5d s' $(($(date +%s) - started)))  total"
