#!/usr/bin/env bash
# Screenshots of the window for a person to look at (issue #18): the details
# panel of a running split download, the add dialog with three links and their
# previews (name, size, can resume; no ranges; a 404), and the
# window at 640×360. A real `haul` under Xvfb (no window manager: the window
# sits at 0,0) against a loopback server that honours Range and throttles, so
# the download splits and keeps running. PNGs go to target/smoke/shot-*.png.
# Needs: Xvfb, ImageMagick (import), xdotool, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
haul=${HAUL_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/haul}
[ -x "$haul" ] || { echo "no $haul: cargo build -p haul first" >&2; exit 1; }
out=${SHOTS_DIR:-${CARGO_TARGET_DIR:-$root/target}/smoke}
mkdir -p "$out"

name=shots
source "$root/tests/smoke/common.sh"

# /big.iso: 200 MB, Range-aware, each connection throttled to ~400 KB/s;
# /small.bin: 300 KB, Range-aware; /plain.bin: 1.2 MB, Range ignored.
python3 - "$work/port" >"$work/http.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, time, re
SIZE = 200_000_000
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def head(self):
        sizes = {"/big.iso": SIZE, "/small.bin": 300_000, "/plain.bin": 1_200_000}
        if self.path not in sizes:
            self.send_error(404); return None
        size = sizes[self.path]
        start, end = 0, size - 1
        m = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if m and self.path != "/plain.bin":
            start = int(m.group(1)); end = int(m.group(2)) if m.group(2) else size - 1
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        if self.path != "/plain.bin":
            self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return start, end
    def do_HEAD(self):
        self.head()
    def do_GET(self):
        span = self.head()
        if span is None: return
        left = span[1] - span[0] + 1
        chunk = b"h" * 16_000
        try:
            while left > 0:
                n = min(left, len(chunk)); self.wfile.write(chunk[:n]); left -= n
                if self.path == "/big.iso": time.sleep(0.04)
        except (BrokenPipeError, ConnectionResetError):
            pass
    def log_message(self, *args): pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")

start_service

add() { "$haul" add "$@" --dir "$work/downloads"; }
add "$url/small.bin" --wait >/dev/null
add "$url/missing.zip" --name "old-link.zip" >/dev/null
add "$url/big.iso" --name "ubuntu-26.04-desktop-amd64.iso" >/dev/null

start_xvfb
RUST_LOG=${RUST_LOG:-warn} "$haul" >"$work/gui.log" 2>&1 &
gui=$!
pids+=("$gui")
sleep 4
win=$(xdotool search --sync --limit 1 --name '^Haul' 2>/dev/null || xdotool search --limit 1 --class haul)
shot() { sleep "${2:-1}"; import -window root -crop "${3:-1120x680+0+0}" "$out/shot-$1.png"; echo "$out/shot-$1.png"; }

shot list 1
# The running download is the newest: the first row (sorted by Added).
xdotool mousemove --window "$win" 500 78 click 1
shot details 3

# The Add button, then three links; their previews come once the field settles
# (0.5 s) and the servers answer. No window manager: give the window the keyboard.
xdotool windowfocus "$win" 2>/dev/null || true
xdotool mousemove --window "$win" 70 16 click 1
sleep 1
xdotool mousemove --window "$win" 560 270 click 1
xdotool type --delay 5 "$url/small.bin"
xdotool key Return
xdotool type --delay 5 "$url/plain.bin"
xdotool key Return
xdotool type --delay 5 "$url/other.bin"
shot add 3
xdotool key Escape

xdotool windowsize "$win" 640 360
shot small 2 640x360+0+0
grep -qi 'panicked' "$work/gui.log" && { echo "the window panicked" >&2; tail "$work/gui.log" >&2; exit 1; }
exit 0
