#!/usr/bin/env bash
# Smoke test of the window: a real `haul` under Xvfb, with jobs in several
# states (done, failed, downloading, paused) served by a loopback HTTP server;
# takes a screenshot (kept at target/smoke/gui.png) and fails if the window
# did not render (a blank screen has a handful of colours) or the app died.
# Needs: Xvfb, ImageMagick (import, identify), python3. Builds nothing unless
# target/debug/haul is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
haul=${HAUL_BIN:-$root/target/debug/haul}
[ -x "$haul" ] || cargo build -p haul
out=$root/target/smoke
mkdir -p "$out"
rm -f "$out/gui.png"

name=gui
source "$root/tests/smoke/common.sh"

# A loopback server: /small.bin at once, /slow*.bin at 100 KB/s, 404 otherwise.
python3 - "$work/port" >"$work/http.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, time
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sizes = {"/small.bin": 200_000, "/slow.bin": 40_000_000, "/slow2.bin": 30_000_000}
        size = sizes.get(self.path)
        if size is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"h" * 10_000
        try:
            for sent in range(0, size, len(chunk)):
                self.wfile.write(chunk[: size - sent])
                if self.path != "/small.bin":
                    time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
    def do_HEAD(self):
        self.send_response(404 if self.path not in ("/small.bin", "/slow.bin", "/slow2.bin") else 200)
        self.end_headers()
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the HTTP server did not start"
url=http://127.0.0.1:$(cat "$work/port")

start_service
[ -S "$HAUL_SOCKET" ] || fail "the service did not bind its socket"

add() { "$haul" add "$@" --dir "$work/downloads"; }
add "$url/small.bin" --wait >/dev/null 2>>"$work/cli.log" || fail "haul add --wait failed"
add "$url/missing.zip" --name "old-link.zip" >/dev/null
add "$url/slow.bin" --name "ubuntu.iso" >/dev/null
paused=$(add "$url/slow2.bin" --name "dataset.tar" --priority low)
"$haul" suspend "$paused" >/dev/null
for _ in $(seq 100); do
    "$haul" list >"$work/list.txt" 2>&1 || true
    grep -q ' error ' "$work/list.txt" && break
    sleep 0.1
done

start_xvfb

RUST_LOG=${RUST_LOG:-warn} "$haul" >"$work/gui.log" 2>&1 &
gui=$!
pids+=("$gui")

# Give the window time to connect and draw the jobs, then wait for a full picture.
sleep 3
colours=0
for _ in $(seq 30); do
    kill -0 "$gui" 2>/dev/null || fail "the window exited"
    if import -window root "$out/gui.png" 2>>"$work/import.log"; then
        colours=$(identify -format %k "$out/gui.png")
        [ "$colours" -gt 400 ] && break
    fi
    sleep 1
done
import -window root "$out/gui.png"
colours=$(identify -format %k "$out/gui.png")
kill -0 "$gui" 2>/dev/null || fail "the window exited"
grep -qi 'panicked' "$work/gui.log" && fail "the window panicked"
[ "$colours" -gt 200 ] || fail "the screenshot looks blank ($colours colours)"
echo "gui smoke: ok — $colours colours in target/smoke/gui.png"

# Figures: CPU while a download runs (about 10 frames a second), then idle (no frames).
cpu_percent() {
    local hz t0 t1
    hz=$(getconf CLK_TCK)
    t0=$(awk '{print $14 + $15}' "/proc/$gui/stat")
    sleep 5
    t1=$(awk '{print $14 + $15}' "/proc/$gui/stat")
    awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.1f", d * 100 / hz / 5 }'
}
busy=$(cpu_percent)
"$haul" suspend ubuntu.iso >/dev/null
sleep 2
idle=$(cpu_percent)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$gui/status")
echo "gui smoke: window CPU ${busy}% while downloading, ${idle}% idle; idle RSS $((rss / 1024)) MiB ($haul, software OpenGL)"
