#!/usr/bin/env bash
# Smoke test: a download that finishes while the user is not looking at the window is
# announced by a desktop notification naming the file, with a real `haul` under Xvfb, a
# real window manager (openbox), and a stand-in tray and notification daemon
# (tests/smoke/sni.py) on a private session bus. Downloads come, throttled, from the
# loopback test server (haul-test-server, tests/src/server.rs). The window is
#   1. minimised (xdotool windowminimize: iconified by openbox, which may leave it the
#      keyboard focus),
#   2. on another workspace (wmctrl -s 1),
#   3. hidden in the tray (the close button, with "keep running in the tray" on),
# and each time a download starts and ends meanwhile. Screenshot of the window brought
# back after 1: target/smoke/away.png. Every wait is bounded and waits for a condition.
# Needs: Xvfb, openbox, xdotool, wmctrl, dbus-daemon, python3 with Debian's python3-dbus,
# python3-gi, python3-xlib; ImageMagick's import. Skips (exit 0) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
smoke=$root/tests/smoke
haul=${HAUL_BIN:-$root/target/debug/haul}
server_bin=${HAUL_TEST_SERVER:-$(dirname "$haul")/haul-test-server}
py=/usr/bin/python3
for tool in Xvfb openbox xdotool wmctrl dbus-daemon; do
    if ! command -v "$tool" >/dev/null; then
        echo "away smoke: SKIPPED: needs $tool (apt-get install xvfb openbox xdotool wmctrl dbus)"
        exit 0
    fi
done
if ! "$py" -c 'import dbus, gi, Xlib' 2>/dev/null; then
    echo "away smoke: SKIPPED: needs python3-dbus, python3-gi and python3-xlib (apt-get install them)"
    exit 0
fi
[ -x "$haul" ] || cargo build -p haul
[ -x "$server_bin" ] || cargo build -p haul-tests --bin haul-test-server
out=$root/target/smoke
mkdir -p "$out"
rm -f "$out/away.png"

name=away
source "$smoke/common.sh"

# 300 KB at 60 KB/s a connection: about 5 s each, long enough to look away first.
"$server_bin" /minimised.bin=300000@60000 /elsewhere.bin=300000@60000 /tray.bin=300000@60000 \
    >"$work/url" 2>"$work/server.log" &
pids+=($!)
wait_for 10 "the test server" test -s "$work/url"
url=$(head -1 "$work/url")

start_service

start_xvfb
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | {
    read -r address
    read -r pid
    echo "export DBUS_SESSION_BUS_ADDRESS='$address'; bus_pid=$pid"
})"
pids+=("$bus_pid")
openbox --sm-disable >"$work/openbox.log" 2>&1 &
pids+=($!)
wait_for 10 "the window manager" sh -c 'wmctrl -m | grep -qi openbox'
wmctrl -n 2
"$py" "$smoke/sni.py" watcher "$work/items" "$work/notes" "$work/shown" >"$work/sni.log" 2>&1 &
pids+=($!)
wait_for 30 "the stand-in tray and notification daemon" gdbus call --session --dest org.freedesktop.Notifications \
    --object-path /org/freedesktop/Notifications --method org.freedesktop.Notifications.GetCapabilities

x11() { "$py" "$smoke/x11.py" "$@"; }
viewable() { [ "$(x11 state Haul)" = viewable ]; }
unmapped() { [ "$(x11 state Haul)" != viewable ]; }
notified() { grep -q "|$1 downloaded|" "$work/notes"; }
add() { "$haul" add "$url/$1" --name "$1" --dir "$work/downloads" >/dev/null; }
# away CASE NAME: a download that starts and finishes while the user is away is notified.
away() {
    add "$2"
    wait_for 60 "$1: a notification naming $2" notified "$2"
    wait_for 60 "$1: $2 in the folder" test -f "$work/downloads/$2"
    echo "away smoke: $1: $(grep -F "|$2 downloaded|" "$work/notes" | cut -d'|' -f1,4)"
}

NO_COLOR=1 RUST_LOG=haul=info,warn "$haul" >"$work/gui.log" 2>&1 &
gui=$!
pids+=("$gui")
wait_for 60 "the window to be on screen" viewable
wait_for 30 "the tray icon to be shown" grep -q "tray icon is shown" "$work/gui.log"
wid=$(xdotool search --name '^Haul$' | head -1)
[ -n "$wid" ] || fail "no window called Haul"
xdotool windowactivate --sync "$wid" || true
wait_for 30 "the window to have the focus" sh -c "[ \"\$(xdotool getwindowfocus)\" = '$wid' ]"

# 1. Minimised.
xdotool windowminimize --sync "$wid"
wait_for 30 "the window to be minimised" sh -c "xprop -id '$wid' WM_STATE | grep -q Iconic"
away minimised minimised.bin
wmctrl -i -a "$wid"
wait_for 30 "the window to come back" viewable
drawn() { import -window root "$out/away.png" && [ "$(identify -format %k "$out/away.png")" -gt 400 ]; }
if command -v import >/dev/null; then wait_for 30 "the window to be drawn again" drawn; fi

# 2. On another workspace.
wmctrl -s 1
wait_for 30 "the window to leave the screen" unmapped
away "another workspace" elsewhere.bin
wmctrl -s 0
wait_for 30 "the window to come back" viewable

# 3. Hidden in the tray.
x11 close Haul || fail "no window to close"
wait_for 30 "the window to hide in the tray" unmapped
away "hidden in the tray" tray.bin
kill -0 "$gui" 2>/dev/null || fail "Haul ended"
grep -qi panicked "$work/gui.log" && fail "the window panicked"
echo "away smoke: ok in $SECONDS s"
