#!/usr/bin/env python3
"""Builds Haul's browser extension from this folder into OUT (default
target/browser): chromium/ and firefox/ unpacked, haul-chromium.zip (for
Chromium-family stores, or "Load unpacked" after unzipping) and
haul-firefox.xpi. One code base: Firefox's manifest differs only in its
background scripts, its gecko id and the missing `key`."""
import json
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ["background.js", "rules.js", "keep.js", "popup.html", "popup.js", "pick.html", "pick.js",
         "icons/haul-48.png", "icons/haul-128.png"]
FIREFOX_ID = "haul@example.invalid"


def firefox_manifest(chromium):
    manifest = dict(chromium)
    manifest.pop("key", None)
    manifest.pop("minimum_chrome_version", None)
    manifest["background"] = {"scripts": ["rules.js", "background.js"]}
    manifest["browser_specific_settings"] = {
        "gecko": {"id": FIREFOX_ID, "strict_min_version": "128.0", "data_collection_permissions": {"required": ["none"]}}
    }
    return manifest


def write(folder, manifest, archive):
    if folder.exists():
        shutil.rmtree(folder)
    for name in FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HERE / name, folder / name)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["manifest.json"] + FILES:
            # A fixed time: the same sources give the same archive.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (folder / name).read_bytes())


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "target" / "browser"
    out.mkdir(parents=True, exist_ok=True)
    chromium = json.loads((HERE / "manifest.json").read_text())
    write(out / "chromium", chromium, out / "haul-chromium.zip")
    write(out / "firefox", firefox_manifest(chromium), out / "haul-firefox.xpi")
    print(out / "haul-chromium.zip")
    print(out / "haul-firefox.xpi")


if __name__ == "__main__":
    main()
