#!/usr/bin/python3
"""A stand-in NetworkManager for app/tests/network.rs, on a private bus.

  nm.py serve ADDRESS NAME=VALUE…   own org.freedesktop.NetworkManager on the bus at ADDRESS and
                                    export /org/freedesktop/NetworkManager with these properties of
                                    the org.freedesktop.NetworkManager interface (e.g.
                                    Connectivity=4 State=70 Metered=2); print "ready" once the name
                                    is owned; serve until killed
  nm.py set ADDRESS NAME=VALUE…     change properties of the running stand-in: it emits one
                                    org.freedesktop.DBus.Properties.PropertiesChanged with them

A VALUE that is a number is sent as a u32, as NetworkManager does; anything else as a string
(a misbehaving peer). Needs Debian's python3-dbus and python3-gi (run with /usr/bin/python3).
"""
import sys

import dbus
import dbus.service

NM = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
CONTROL = "org.haul.Test.NetworkManager"


def parse(pairs):
    props = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        props[name] = dbus.UInt32(int(value)) if value.isdigit() else dbus.String(value)
    return props


def serve(address, props):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)

    class NetworkManager(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, NM_PATH)
            self.props = dict(props)

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
        def Get(self, interface, prop):
            if interface != NM or prop not in self.props:
                raise dbus.exceptions.DBusException(
                    f"no property {interface}.{prop}", name="org.freedesktop.DBus.Error.InvalidArgs")
            return self.props[prop]

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
        def GetAll(self, interface):
            if interface != NM:
                return dbus.Dictionary({}, signature="sv")
            return dbus.Dictionary(self.props, signature="sv")

        @dbus.service.signal(dbus.PROPERTIES_IFACE, signature="sa{sv}as")
        def PropertiesChanged(self, interface, changed, invalidated):
            pass

        @dbus.service.method(CONTROL, in_signature="a{sv}", out_signature="")
        def Change(self, changed):
            self.props.update(changed)
            self.PropertiesChanged(NM, dbus.Dictionary(changed, signature="sv"), dbus.Array([], signature="s"))

    manager = NetworkManager()
    # Dropping the BusName object would give the name up again.
    name = dbus.service.BusName(NM, bus, do_not_queue=True)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del manager, name


def change(address, props):
    bus = dbus.bus.BusConnection(address)
    bus.get_object(NM, NM_PATH).Change(dbus.Dictionary(props, signature="sv"), dbus_interface=CONTROL)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("serve", "set"):
        sys.exit(__doc__)
    address, props = sys.argv[2], parse(sys.argv[3:])
    if sys.argv[1] == "serve":
        serve(address, props)
    else:
        change(address, props)


if __name__ == "__main__":
    main()
