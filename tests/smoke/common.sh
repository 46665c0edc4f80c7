# What the smoke scripts share; sourced after they set $name (for messages) and $haul.
#   - $work: a temp folder with Haul's data, socket, home and downloads, deleted on exit with
#     every process in $pids stopped and the service told to stop;
#   - fail MESSAGE: says what failed, shows the tail of every log in $work (and the
#     notifications a stand-in daemon wrote to $work/notes), exits 1;
#   - wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds, for SECONDS of
#     wall-clock time (a busy machine makes each poll slow); while a window runs ($gui), its
#     end is a failure at once rather than a timeout;
#   - start_xvfb: a 1280x800 Xvfb on a free display, exported as DISPLAY;
#   - start_service: `haul service` in the background, waited for.
# No session bus and no Wayland: a script that wants a bus starts its own.

work=$(mktemp -d)
pids=()
gui=
cleanup() {
    "$haul" service stop >/dev/null 2>&1 || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "$name smoke: FAILED: $*" >&2
    for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 30 "$log" >&2 || true; done
    if [ -f "$work/notes" ]; then
        echo "--- notifications" >&2
        cat "$work/notes" >&2
    fi
    exit 1
}

wait_for() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        [ -z "$gui" ] || kill -0 "$gui" 2>/dev/null || fail "Haul ended while waiting for $what"
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
        sleep 0.1
    done
}

start_xvfb() {
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
    pids+=($!)
    wait_for 10 "Xvfb" test -s "$work/display"
    DISPLAY=:$(cat "$work/display")
    export DISPLAY
}

start_service() {
    "$haul" service >"$work/service.log" 2>&1 &
    pids+=($!)
    wait_for 10 "the service's socket" test -S "$HAUL_SOCKET"
}

export HAUL_DATA_DIR=$work/data HAUL_SOCKET=$work/run/haul.sock
export XDG_RUNTIME_DIR=$work/xdg HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$work/downloads" "$HOME"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
