#!/usr/bin/python3
"""A stand-in tray for tests/smoke/tray.sh: a StatusNotifierWatcher that also
counts as a registered host, on the session bus; and a client that reads an
item's tooltip and clicks its menu items, as a panel would.

  sni.py watcher ITEMS_FILE NOTES_FILE SHOWN_FILE
                              serve until killed; each registered item's bus name is appended
                              to ITEMS_FILE; also a notification daemon (with buttons: the
                              "actions" capability) that appends
                              "app_name|desktop-entry hint|icon|summary|id|action;label;…" to
                              NOTES_FILE per notification; and a file manager (FileManager1)
                              that appends the URIs each ShowItems asks for to SHOWN_FILE
  sni.py tooltip BUS_NAME     print the item's tooltip text (title — description)
  sni.py click BUS_NAME LABEL click the menu item with this label
  sni.py activate BUS_NAME    click the icon itself
  sni.py invoke ID ACTION     click a notification's button (ActionInvoked), which closes it
                              (NotificationClosed), as a daemon does

Needs Debian's python3-dbus and python3-gi (run with /usr/bin/python3).
"""
import sys

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"


SMOKE = "org.haul.Smoke"


def watcher(items_file, notes_file, shown_file):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()

    class Watcher(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, "/StatusNotifierWatcher")
            self.items = []

        @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            name = service if not service.startswith("/") else sender
            self.items.append(str(name))
            with open(items_file, "a") as f:
                f.write(f"{name}\n")
            self.StatusNotifierItemRegistered(name)

        @dbus.service.method(WATCHER, in_signature="s", out_signature="")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemRegistered(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="")
        def StatusNotifierHostRegistered(self):
            pass

        def props(self):
            return {
                "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                "ProtocolVersion": dbus.Int32(0),
            }

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
        def Get(self, interface, prop):
            return self.props()[prop]

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
        def GetAll(self, interface):
            return self.props()

    class Notifications(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, "/org/freedesktop/Notifications")
            self.next_id = 0

        @dbus.service.method("org.freedesktop.Notifications", in_signature="susssasa{sv}i", out_signature="u")
        def Notify(self, app_name, replaces_id, icon, summary, body, actions, hints, timeout):
            self.next_id += 1
            buttons = ";".join(str(a) for a in actions)
            with open(notes_file, "a") as f:
                f.write(f"{app_name}|{hints.get('desktop-entry', '')}|{icon}|{summary}|{self.next_id}|{buttons}\n")
            return dbus.UInt32(self.next_id)

        @dbus.service.method("org.freedesktop.Notifications", in_signature="", out_signature="as")
        def GetCapabilities(self):
            return dbus.Array(["body", "actions"], signature="s")

        @dbus.service.signal("org.freedesktop.Notifications", signature="us")
        def ActionInvoked(self, notification_id, action_key):
            pass

        @dbus.service.signal("org.freedesktop.Notifications", signature="uu")
        def NotificationClosed(self, notification_id, reason):
            pass

        @dbus.service.method(SMOKE, in_signature="us", out_signature="")
        def Invoke(self, notification_id, action_key):
            self.ActionInvoked(dbus.UInt32(notification_id), action_key)
            self.NotificationClosed(dbus.UInt32(notification_id), dbus.UInt32(2))

        @dbus.service.method("org.freedesktop.Notifications", in_signature="", out_signature="ssss")
        def GetServerInformation(self):
            return ("sni.py", "haul-smoke", "1", "1.2")

        @dbus.service.method("org.freedesktop.Notifications", in_signature="u", out_signature="")
        def CloseNotification(self, notification_id):
            pass

    class FileManager(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, "/org/freedesktop/FileManager1")

        @dbus.service.method("org.freedesktop.FileManager1", in_signature="ass", out_signature="")
        def ShowItems(self, uris, startup_id):
            with open(shown_file, "a") as f:
                f.writelines(f"{uri}\n" for uri in uris)

    _name = dbus.service.BusName(WATCHER, bus)
    _watcher = Watcher()
    _notify_name = dbus.service.BusName("org.freedesktop.Notifications", bus)
    _notifications = Notifications()
    _files_name = dbus.service.BusName("org.freedesktop.FileManager1", bus)
    _files = FileManager()
    GLib.MainLoop().run()


def item(bus, name):
    return bus.get_object(name, "/StatusNotifierItem")


def tooltip(name):
    bus = dbus.SessionBus()
    props = dbus.Interface(item(bus, name), dbus.PROPERTIES_IFACE)
    _icon_name, _icons, title, description = props.Get("org.kde.StatusNotifierItem", "ToolTip")
    print(f"{title} — {description}" if description else str(title))


def click(name, label):
    bus = dbus.SessionBus()
    props = dbus.Interface(item(bus, name), dbus.PROPERTIES_IFACE)
    menu_path = props.Get("org.kde.StatusNotifierItem", "Menu")
    menu = dbus.Interface(bus.get_object(name, menu_path), "com.canonical.dbusmenu")
    _revision, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"))
    found = []

    def walk(node):
        item_id, properties, children = node
        text = str(properties.get("label", "")).replace("_", "")
        if text == label:
            found.append(item_id)
        for child in children:
            walk(child)

    walk(layout)
    if not found:
        sys.exit(f"no menu item labelled {label!r}")
    menu.Event(found[0], "clicked", dbus.String("", variant_level=1), dbus.UInt32(0))


def activate(name):
    bus = dbus.SessionBus()
    dbus.Interface(item(bus, name), "org.kde.StatusNotifierItem").Activate(0, 0)


def invoke(notification_id, action_key):
    bus = dbus.SessionBus()
    daemon = bus.get_object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
    dbus.Interface(daemon, SMOKE).Invoke(dbus.UInt32(int(notification_id)), action_key)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"watcher": watcher, "tooltip": tooltip, "click": click, "activate": activate, "invoke": invoke}[mode](*args)
