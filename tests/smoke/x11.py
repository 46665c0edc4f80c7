#!/usr/bin/python3
"""What a window manager would do, for tests/smoke/tray.sh (no window manager
runs under Xvfb):

  x11.py state TITLE   print "viewable", "unmapped" or "missing" for the top-level window TITLE
  x11.py close TITLE   send it WM_DELETE_WINDOW, as a title bar's close button does

Needs Debian's python3-xlib (run with /usr/bin/python3).
"""
import sys

from Xlib import X, display, protocol


def find(d, title):
    def walk(window):
        try:
            name = window.get_wm_name()
        except Exception:
            name = None
        if name == title:
            return window
        try:
            children = window.query_tree().children
        except Exception:
            return None
        for child in children:
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(d.screen().root)


def main():
    mode, title = sys.argv[1], sys.argv[2]
    d = display.Display()
    window = find(d, title)
    if mode == "state":
        if window is None:
            print("missing")
        else:
            state = window.get_attributes().map_state
            print("viewable" if state == X.IsViewable else "unmapped")
    elif mode == "close":
        if window is None:
            sys.exit(f"no window titled {title!r}")
        protocols = d.intern_atom("WM_PROTOCOLS")
        delete = d.intern_atom("WM_DELETE_WINDOW")
        event = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        window.send_event(event, event_mask=X.NoEventMask)
        # A round trip, not just a flush: the X server drops the unread requests of a client
        # that has hung up (it sees EPOLLHUP first when busy), so leaving straight after
        # sending loses the close now and then.
        d.sync()
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
