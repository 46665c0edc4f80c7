#!/usr/bin/python3
"""A stand-in logind for app/tests/when_done.rs, on a private bus.

  logind.py ADDRESS RECORD   own org.freedesktop.login1 on the bus at ADDRESS and export
                             /org/freedesktop/login1 with the org.freedesktop.login1.Manager
                             methods Suspend(b) and PowerOff(b); each call appends a line
                             "METHOD interactive=BOOL" to the file RECORD (and suspends or powers
                             off nothing); print "ready" once the name is owned; serve until killed

Needs Debian's python3-dbus and python3-gi (run with /usr/bin/python3).
"""
import sys

import dbus
import dbus.service

LOGIN1 = "org.freedesktop.login1"
PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"


def serve(address, record):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)

    def note(method, interactive):
        with open(record, "a", encoding="utf-8") as out:
            out.write(f"{method} interactive={bool(interactive)}\n")

    class Manager(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, PATH)

        @dbus.service.method(MANAGER, in_signature="b", out_signature="")
        def Suspend(self, interactive):
            note("Suspend", interactive)

        @dbus.service.method(MANAGER, in_signature="b", out_signature="")
        def PowerOff(self, interactive):
            note("PowerOff", interactive)

    manager = Manager()
    name = dbus.service.BusName(LOGIN1, bus, do_not_queue=True)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del manager, name


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    serve(sys.argv[1], sys.argv[2])
