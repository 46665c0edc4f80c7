#!/usr/bin/env bash
# Smoke test of the tray and of closing the window, with a real `haul` under Xvfb:
#   1. no session bus: no tray; closing the window quits;
#   2. a session bus but no StatusNotifierWatcher (GNOME without the extension): the same;
#   3. a stand-in tray (tests/smoke/sni.py: watcher, host and notification daemon): the
#      tooltip counts the downloads; closing hides the window and Haul keeps running, says
#      so once and notifies a download that finishes meanwhile, under its own name, with
#      the buttons Open and Show in folder ("Show in folder" asks the file manager,
#      FileManager1, to show the file); Pause all / Resume all reach the service; Show brings
#      the window back; a failed download's notification carries Retry, which brings the
#      window up and resumes the job; Quit quits and saves the journal cursor.
# Screenshot of the window brought back: target/smoke/tray.png. Every step waits for a
# condition (bounded, generous: the machine may be busy), never for a fixed time.
# Needs: Xvfb, dbus-daemon, python3, Debian's python3-dbus, python3-gi, python3-xlib;
# ImageMagick's import. Skips (exit 0) when the Python modules are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
smoke=$root/tests/smoke
haul=${HAUL_BIN:-$root/target/debug/haul}
py=/usr/bin/python3
if ! "$py" -c 'import dbus, gi, Xlib' 2>/dev/null; then
    echo "tray smoke: SKIPPED: needs python3-dbus, python3-gi and python3-xlib (apt-get install them)"
    exit 0
fi
[ -x "$haul" ] || cargo build -p haul
out=$root/target/smoke
mkdir -p "$out"
rm -f "$out/tray.png"

name=tray
source "$smoke/common.sh"

# ended_within SECONDS: whether the window's process ends within SECONDS.
ended_within() {
    local deadline=$((SECONDS + $1))
    while kill -0 "$gui" 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    gui=
}

# A loopback server: /slow.bin (40 MB) and /short.bin (50 KB) at about 100 KB/s; /flaky.bin
# (50 KB) is not there (404) until the file $work/flaky-ok is.
python3 - "$work/port" "$work/flaky-ok" >"$work/http.log" 2>&1 <<'PY' &
import http.server, os, socketserver, sys, time
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        size = {"/slow.bin": 40_000_000, "/short.bin": 50_000, "/flaky.bin": 50_000}.get(self.path)
        if self.path == "/flaky.bin" and not os.path.exists(sys.argv[2]):
            size = None
        if size is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            for sent in range(0, size, 10_000):
                self.wfile.write(b"t" * min(10_000, size - sent))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
pids+=($!)
wait_for 10 "the HTTP server" test -s "$work/port"
url=http://127.0.0.1:$(cat "$work/port")

start_service
"$haul" add "$url/slow.bin" --name ubuntu.iso --dir "$work/downloads" >/dev/null

start_xvfb

x11() { "$py" "$smoke/x11.py" "$@"; }
sni() { "$py" "$smoke/sni.py" "$@"; }
viewable() { [ "$(x11 state Haul)" = viewable ]; }
# note SUMMARY: the first notification with this summary (app|entry|icon|summary|id|buttons).
note() { grep -m1 -F "|$1|" "$work/notes"; }
# click_until ID ACTION DESCRIPTION COMMAND...: clicks the notification's button ACTION until
# COMMAND holds. A click before Haul listens for it is lost, as on a desktop: click again.
click_until() {
    local id=$1 action=$2 what=$3 deadline=$((SECONDS + 30)) polls
    shift 3
    until "$@" >/dev/null 2>&1; do
        kill -0 "$gui" 2>/dev/null || fail "Haul ended while waiting for $what"
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
        sni invoke "$id" "$action" || fail "no notification daemon to click $action"
        polls=0
        until "$@" >/dev/null 2>&1 || [ $((polls += 1)) -gt 30 ]; do sleep 0.1; done
    done
}
# job_state NAME: the job's state as the service says it.
job_state() { "$haul" --json info "$1" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["state"])'; }
unmapped() { [ "$(x11 state Haul)" != viewable ]; }

# start_window LOG: starts the window, waits until it is on screen.
start_window() {
    NO_COLOR=1 RUST_LOG=haul=info,warn "$haul" >"$work/$1" 2>&1 &
    gui=$!
    pids+=("$gui")
    wait_for 60 "the window to be on screen" viewable
}
# closes_and_quits CASE: the close button ends the process (the usual exit).
closes_and_quits() {
    local start=$SECONDS
    x11 close Haul || fail "$1: no window to close"
    ended_within 30 || fail "$1: closing the window did not quit (the window would be lost)"
    echo "tray smoke: $1: closing quit in $((SECONDS - start)) s"
}

# 1. No session bus at all.
start_window nobus.log
wait_for 30 "no bus: the missing tray to be logged" grep -q "no tray icon" "$work/nobus.log"
echo "tray smoke: no bus: $(grep -m1 'no tray icon' "$work/nobus.log" | sed 's/.*WARN //')"
closes_and_quits "no bus"

# 2. A session bus with no tray host.
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | {
    read -r address
    read -r pid
    echo "export DBUS_SESSION_BUS_ADDRESS='$address'; bus_pid=$pid"
})"
pids+=("$bus_pid")
start_window nohost.log
wait_for 30 "the missing host to be logged" grep -q "no tray host" "$work/nohost.log"
echo "tray smoke: bus, no watcher: $(grep -m1 'no tray host' "$work/nohost.log" | sed 's/.*WARN //' | cut -c1-110)"
closes_and_quits "bus, no watcher"

# 3. A tray host (and a notification daemon).
sni watcher "$work/items" "$work/notes" "$work/shown" >"$work/sni.log" 2>&1 &
pids+=($!)
wait_for 30 "the stand-in tray" gdbus call --session --dest org.kde.StatusNotifierWatcher \
    --object-path /StatusNotifierWatcher --method org.freedesktop.DBus.Properties.Get \
    org.kde.StatusNotifierWatcher IsStatusNotifierHostRegistered
start_window tray.log
wait_for 30 "the icon to register" test -s "$work/items"
item=$(head -1 "$work/items")
wait_for 30 "the icon to be shown" grep -q "tray icon is shown" "$work/tray.log"
wait_for 30 "the tooltip to count the download" sh -c "'$py' '$smoke/sni.py' tooltip '$item' | grep -q '1 downloading'"
echo "tray smoke: tooltip: $(sni tooltip "$item")"

x11 close Haul || fail "no window to close"
wait_for 30 "the window to hide (closing with a tray must not quit Haul)" unmapped
wait_for 30 "the one-time notice" grep -q "Haul keeps running in the tray" "$work/notes"
# A download that ends while the window is hidden is notified, under Haul's identity (a
# Haul that quit on close would end during this wait, and fail it at once).
"$haul" add "$url/short.bin" --name short.bin --dir "$work/downloads" >/dev/null
wait_for 30 "the hidden window to notify the finished download" grep -q "short.bin" "$work/notes"
grep "short.bin" "$work/notes" | grep -q "^Haul|haul|haul|" || fail "the notification is not Haul's: $(cat "$work/notes")"
echo "tray smoke: hidden window notified: $(grep short.bin "$work/notes")"
# Its buttons: Open (also a click on the notification itself) and Show in folder.
done_note=$(note "short.bin downloaded") || fail "no notification for short.bin: $(cat "$work/notes")"
[ "${done_note##*|}" = "default;Open;open;Open;reveal;Show in folder" ] ||
    fail "the finished download's notification lacks Open / Show in folder: $done_note"
shown_uri=file://$work/downloads/short.bin
click_until "$(echo "$done_note" | cut -d'|' -f5)" reveal "Show in folder to ask the file manager" \
    grep -qxF "$shown_uri" "$work/shown"
echo "tray smoke: notification button Show in folder: FileManager1.ShowItems $(head -1 "$work/shown")"

sni click "$item" "Pause all"
wait_for 30 "Pause all to suspend the download" sh -c "'$haul' list | grep ubuntu.iso | grep -q suspended"
# Resume all acts on the jobs the window knows to be paused: wait until it has heard (through
# the journal) that nothing downloads any more, as a person would see the row change.
wait_for 30 "the window to hear of the pause" sh -c "'$py' '$smoke/sni.py' tooltip '$item' | grep -q idle"
sni click "$item" "Resume all"
wait_for 30 "Resume all to queue it again" sh -c "! '$haul' list | grep ubuntu.iso | grep -q suspended"
echo "tray smoke: Pause all / Resume all reached the service"

sni click "$item" "Show Haul"
wait_for 30 "Show to bring the window back" viewable
# The screenshot, once the window has drawn itself (a blank screen has a handful of colours).
drawn() { import -window root "$out/tray.png" && [ "$(identify -format %k "$out/tray.png")" -gt 400 ]; }
if command -v import >/dev/null; then wait_for 30 "the window to be drawn again" drawn; fi
echo "tray smoke: Show brought the window back"

x11 close Haul || fail "no window to close"
wait_for 30 "the window to hide again" unmapped
[ "$(grep -c "Haul keeps running in the tray" "$work/notes")" = 1 ] || fail "the tray notice was given twice"
sni activate "$item"
wait_for 30 "a click on the icon to bring the window back" viewable

x11 close Haul || fail "no window to close"
wait_for 30 "the window to hide again" unmapped
# A download that fails while the window is hidden: its notification offers Retry, which
# brings the window up and resumes the job (the file is there by then).
"$haul" add "$url/flaky.bin" --name flaky.bin --dir "$work/downloads" >/dev/null
wait_for 30 "the failure to be notified" note "flaky.bin failed"
failed_note=$(note "flaky.bin failed")
[ "${failed_note##*|}" = "default;Details;retry;Retry" ] ||
    fail "the failed download's notification lacks Retry: $failed_note"
in_error() { [ "$(job_state flaky.bin)" = error ]; }
wait_for 30 "the job to wait in error" in_error
touch "$work/flaky-ok"
click_until "$(echo "$failed_note" | cut -d'|' -f5)" retry "Retry to resume the failed job" eval '! in_error' 
wait_for 30 "Retry to bring the window up" viewable
wait_for 30 "the retried job to finish" test -f "$work/downloads/flaky.bin"
echo "tray smoke: notification button Retry: window up, flaky.bin $(job_state flaky.bin)"

x11 close Haul || fail "no window to close"
wait_for 30 "the window to hide before Quit" unmapped
sni click "$item" "Quit"
ended_within 30 || fail "Quit did not end Haul"
grep -q "journal_cursor" "$XDG_CONFIG_HOME/haul/window.ron" 2>/dev/null || grep -rq "journal_cursor" "$HOME" ||
    fail "Quit did not save the journal cursor"
echo "tray smoke: Quit ended Haul and saved the cursor"
echo "tray smoke: ok in $SECONDS s"
