#!/usr/bin/env python3
"""Drives Debian's chromium (new headless mode) with Haul's unpacked extension
over the DevTools protocol (websocket-client from PyPI): opens PAGE, clicks
the link #get like a user, and waits for the outcome EXPECT says:

  haul     a job appears in Haul (`haul --json list --all`), and the browser's
           download folder stays empty for 2 s after
  browser  the browser's own download lands in its folder (SIZE bytes)

The browser gets this process's environment, so the native host it starts
(`haul`, from the host manifest in the profile) reaches the test's service.
Exit 0 when the outcome came, 1 (with the reason) when it did not."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

ARGS = argparse.ArgumentParser()
ARGS.add_argument("--chromium", default="/usr/bin/chromium")
ARGS.add_argument("--extension", required=True)
ARGS.add_argument("--profile", required=True)
ARGS.add_argument("--downloads", required=True)
ARGS.add_argument("--page", required=True)
ARGS.add_argument("--expect", choices=["haul", "browser"], required=True)
ARGS.add_argument("--haul", required=True)
ARGS.add_argument("--size", type=int, default=0)
ARGS.add_argument("--timeout", type=float, default=60)
ARGS.add_argument("--handoff-timeout", type=float, default=30,
                  help="the extension's wait for Haul (s): a loaded test machine starts a debug service slowly")


def fail(reason):
    print(f"drive.py: {reason}", file=sys.stderr)
    sys.exit(1)


class Page:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=15)
        self.n = 0
        # What the target logged (Runtime.consoleAPICalled, once Runtime.enable was called).
        self.console = []

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            message = self.receive()
            if message.get("id") == self.n:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def receive(self):
        message = json.loads(self.ws.recv())
        if message.get("method") == "Runtime.consoleAPICalled":
            call = message["params"]
            words = " ".join(str(a.get("value", a.get("description", ""))) for a in call.get("args", []))
            self.console.append(f"{call.get('type')}: {words}")
        return message

    def logged(self):
        """Everything the target logged so far (waits up to 1 s for more)."""
        self.ws.settimeout(1)
        try:
            while True:
                self.receive()
        except (websocket.WebSocketTimeoutException, OSError, ValueError):
            pass
        return self.console

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


def targets(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
        return json.load(answer)


def wait(what, condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")


def haul_jobs(haul):
    out = subprocess.run([haul, "--json", "list", "--all"], capture_output=True, timeout=30)
    try:
        return json.loads(out.stdout or b"[]")
    except ValueError:
        return []


def report_failure(extension, args):
    """What the browser made of the click, for a failed run: the extension's
    console, the browser's downloads and its folder."""
    print(f"browser's download folder: {sorted(os.listdir(args.downloads))}", file=sys.stderr)
    if extension is None:
        print("the extension's service worker was never reached", file=sys.stderr)
        return
    try:
        downloads = extension.call(
            "Runtime.evaluate", awaitPromise=True, returnByValue=True,
            expression="chrome.downloads.search({}).then((all) => JSON.stringify(all.map((d) =>"
                       " ({url: d.url, state: d.state, error: d.error, filename: d.filename}))))")
        print(f"the browser's downloads: {downloads.get('result', {}).get('value')}", file=sys.stderr)
        print("the extension's console:\n  " + "\n  ".join(extension.logged()), file=sys.stderr)
    except (websocket.WebSocketException, OSError, SystemExit) as e:
        print(f"cannot ask the extension: {e}", file=sys.stderr)


def main():
    args = ARGS.parse_args()
    os.makedirs(os.path.join(args.profile, "Default"), exist_ok=True)
    os.makedirs(args.downloads, exist_ok=True)
    prefs = {"download": {"default_directory": args.downloads, "prompt_for_download": False, "directory_upgrade": True}}
    with open(os.path.join(args.profile, "Default", "Preferences"), "w") as f:
        json.dump(prefs, f)
    log = tempfile.TemporaryFile()
    # For the report of a failure: the extension's service worker, once attached.
    seen = {}
    browser = subprocess.Popen(
        [
            args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-features=DisableLoadExtensionCommandLineSwitch",
            f"--user-data-dir={args.profile}", f"--load-extension={args.extension}",
            "--remote-debugging-port=0", "--enable-logging=stderr", "--v=0", "about:blank",
        ],
        stdout=log, stderr=log,
    )
    try:
        active = os.path.join(args.profile, "DevToolsActivePort")
        wait("DevTools to listen", lambda: os.path.exists(active) and open(active).read().split("\n")[0].strip(), 30)
        port = int(open(active).read().split("\n")[0])
        worker = wait("the extension's service worker",
                      lambda: next((t for t in targets(port)
                                    if t["type"] == "service_worker" and "background.js" in t["url"]), None), 30)
        extension = Page(worker["webSocketDebuggerUrl"])
        seen["extension"] = extension
        extension.call("Runtime.enable")
        extension.call("Runtime.evaluate", awaitPromise=True,
                       expression=f"chrome.storage.local.set({{handoffTimeoutS: {args.handoff_timeout}}})")
        page = next(t for t in targets(port) if t["type"] == "page")
        tab = Page(page["webSocketDebuggerUrl"])
        tab.call("Page.enable")
        tab.call("Page.navigate", url=args.page)
        wait("the page", lambda: tab.evaluate("document.readyState === 'complete' && !!document.getElementById('get')"), 30)
        # A real click: the browser starts the download as it would for a user.
        box = tab.evaluate("(() => { const r = document.getElementById('get').getBoundingClientRect();"
                           " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            tab.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
        if args.expect == "haul":
            wait("a job in Haul", lambda: haul_jobs(args.haul), args.timeout)
            time.sleep(2)
            left = os.listdir(args.downloads)
            if left:
                fail(f"the browser's download folder is not empty: {left}")
        else:
            def landed():
                names = [n for n in os.listdir(args.downloads) if not n.endswith(".crdownload")]
                return any(os.path.getsize(os.path.join(args.downloads, n)) == args.size for n in names)
            wait("the browser's own download", landed, args.timeout)
        print("ok")
    except SystemExit:
        log.seek(0)
        tail = log.read().decode(errors="replace").splitlines()[-40:]
        print("\n".join(tail), file=sys.stderr)
        report_failure(seen.get("extension"), args)
        raise
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(os.path.join(args.profile, "Default", "Cache"), ignore_errors=True)


if __name__ == "__main__":
    main()
