#!/usr/bin/env python3
"""Drive an aria2-compatible JSON-RPC endpoint with aria2p, the way its users do.

Run against the real aria2c first (so the test is known to be right), then against Haul:

    python3 drive_aria2p.py --rpc-url http://127.0.0.1:PORT/jsonrpc --secret S \
        --file-url URL --sha256 HEX --dir DIR [--slow-url URL]

aria2p is used as published: no monkeypatching. One line per step; the first failed
step prints "FAIL ..." and exits 1. Every wait is bounded.

`python3 drive_aria2p.py --serve DIR --port N` serves DIR on 127.0.0.1:N with Range
support (aria2 needs ranges to resume a paused download; `python3 -m http.server` has none)
until it is killed; it is only for runs against aria2c by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit



def serve(directory: str, port: int) -> None:
    """A loopback file server that answers single `Range: bytes=A-B` requests with 206."""
    import functools
    import http.server
    import os
    import re

    class Handler(http.server.SimpleHTTPRequestHandler):
        def send_head(self):
            self._left = None
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
            path = self.translate_path(self.path)
            if not match or not os.path.isfile(path) or match.group(0) == "bytes=-":
                return super().send_head()
            size = os.path.getsize(path)
            first, last = match.groups()
            if first:
                start, end = int(first), min(int(last) if last else size - 1, size - 1)
            else:
                start, end = max(size - int(last), 0), size - 1
            if start > end or start >= size:
                self.send_error(416)
                return None
            file = open(path, "rb")  # noqa: SIM115 - closed by the base class after copyfile
            file.seek(start)
            self._left = end - start + 1
            self.send_response(206)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            return file

        def copyfile(self, source, outputfile):
            left = self._left
            if left is None:
                return super().copyfile(source, outputfile)
            while left > 0:
                chunk = source.read(min(left, 1 << 16))
                if not chunk:
                    break
                outputfile.write(chunk)
                left -= len(chunk)
            return None

        def end_headers(self):
            if getattr(self, "_left", None) is None:
                self.send_header("Accept-Ranges", "bytes")
            super().end_headers()

    handler = functools.partial(Handler, directory=directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving {directory} on http://127.0.0.1:{port}/", flush=True)
        server.serve_forever()


if "--serve" in sys.argv:
    _serve = argparse.ArgumentParser(description="serve a folder on loopback with Range support")
    _serve.add_argument("--serve", required=True, metavar="DIR")
    _serve.add_argument("--port", type=int, required=True)
    _args = _serve.parse_args()
    serve(_args.serve, _args.port)
    sys.exit(0)

try:
    import aria2p
except ImportError as error:  # The Rust test checks the import itself; this is for people.
    print(f"FAIL: cannot import aria2p ({error}); pip install aria2p", flush=True)
    sys.exit(2)

# The slow downloads get this limit (aria2's own option, which Haul honours too), so
# they are still transferring while they are paused, resumed and removed.
SLOW_LIMIT = "50K"
# How long one HTTP request to the endpoint may take.
REQUEST_TIMEOUT = 10.0


class StepFailed(Exception):
    pass


def say(line: str) -> None:
    print(line, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def wait_for(what: str, timeout: float, probe):
    """Calls `probe()` every 0.2 s until it returns a truthy value; fails after `timeout` s.

    `probe` returns (value, description); description is quoted in the failure."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        value, last = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise StepFailed(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {last}")
        time.sleep(0.2)


def status_of(api: aria2p.API, gid: str) -> str:
    """The download's status from aria2.tellStatus (via Download.update())."""
    download = api.get_download(gid)
    download.update()
    return download.status


def listed(api: aria2p.API) -> dict[str, str]:
    """GID -> status of everything api.get_downloads() lists (tellActive + tellWaiting + tellStopped)."""
    return {d.gid: d.status for d in api.get_downloads()}


def aria2p_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("aria2p")
    except metadata.PackageNotFoundError:
        return "?"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def add_slow(api: aria2p.API, url: str, directory: str, out: str) -> aria2p.Download:
    options = {"dir": directory, "out": out, "max-download-limit": SLOW_LIMIT}
    download = api.add_uris([url], options=options)
    check(isinstance(download.gid, str) and download.gid, f"add_uris gave no GID: {download._struct!r}")
    return download


def wait_status(api: aria2p.API, gid: str, wanted: set[str], timeout: float) -> str:
    def probe():
        status = status_of(api, gid)
        return (status if status in wanted else None), status

    return wait_for(f"{gid} to be {' or '.join(sorted(wanted))}", timeout, probe)


def step_a_version(api: aria2p.API) -> str:
    version = api.client.get_version()
    check(isinstance(version, dict), f"getVersion returned {version!r}, not a struct")
    check(isinstance(version.get("version"), str) and version["version"], f"getVersion has no version: {version!r}")
    check(isinstance(version.get("enabledFeatures"), list), f"getVersion has no enabledFeatures list: {version!r}")
    return f"version {version['version']}"


def step_b_pause_resume_remove_purge(api: aria2p.API, url: str, directory: str) -> str:
    download = add_slow(api, url, directory, "slow-b.bin")
    gid = download.gid
    check(gid in listed(api), f"{gid} is not in get_downloads(): {listed(api)}")
    wait_status(api, gid, {"active"}, 20)

    results = api.pause([download])
    check(results == [True], f"api.pause returned {results!r}")
    wait_status(api, gid, {"paused"}, 20)
    check(listed(api).get(gid) == "paused", f"get_downloads() does not show {gid} paused: {listed(api)}")

    results = api.resume([download])
    check(results == [True], f"api.resume returned {results!r}")
    wait_status(api, gid, {"active", "waiting"}, 20)

    # aria2.remove: the download stops and stays as a "removed" result in tellStopped.
    removed_gid = api.client.remove(gid)
    check(removed_gid == gid, f"aria2.remove returned {removed_gid!r}, not {gid}")
    wait_status(api, gid, {"removed"}, 20)
    stopped = [d.get("gid") for d in api.client.tell_stopped(0, 1000)]
    check(gid in stopped, f"removed {gid} is not in tellStopped: {stopped}")
    check(listed(api).get(gid) == "removed", f"get_downloads() does not show {gid} removed: {listed(api)}")

    check(api.purge() is True, "api.purge() (aria2.purgeDownloadResult) did not return OK")
    check(gid not in listed(api), f"{gid} is still in get_downloads() after purge: {listed(api)}")
    return f"gid {gid}: active -> paused -> active/waiting -> removed -> purged"


def step_b2_api_remove(api: aria2p.API, url: str, directory: str) -> str:
    """api.remove([d]) as aria2p users call it: aria2.remove, then aria2.removeDownloadResult
    at once (which may fail while the removal is under way; aria2p ignores that)."""
    download = add_slow(api, url, directory, "slow-b2.bin")
    gid = download.gid
    wait_status(api, gid, {"active"}, 20)
    download.update()  # The struct api.remove reads files/dir/name from (for the control file).
    results = api.remove([download])
    check(results == [True], f"api.remove returned {results!r}")

    def gone_or_removed():
        status = listed(api).get(gid)
        return (status in (None, "removed")), status

    wait_for(f"{gid} to be removed or gone", 20, gone_or_removed)
    after = listed(api).get(gid) or "gone"
    check(api.purge() is True, "api.purge() did not return OK")
    check(gid not in listed(api), f"{gid} is still in get_downloads() after remove and purge: {listed(api)}")
    return f"gid {gid}: active -> api.remove -> {after} -> purged"


def step_c_complete(api: aria2p.API, url: str, sha256: str, directory: str) -> str:
    options = {"dir": directory, "out": "got.bin", "checksum": f"sha-256={sha256}"}
    download = api.add_uris([url], options=options)
    gid = download.gid

    def probe():
        current = api.get_download(gid)
        current.update()
        check(not current.has_failed, f"{gid} failed: {current.error_code} {current.error_message}")
        check(not current.is_removed, f"{gid} was removed")
        return (current if current.is_complete else None), current.status

    done = wait_for(f"{gid} to be complete", 60, probe)
    target = Path(directory) / "got.bin"
    check(target.is_file(), f"{target} does not exist after completion")
    size = target.stat().st_size
    digest = sha256_file(target)
    check(digest == sha256.lower(), f"{target} has sha256 {digest}, wanted {sha256}")
    files = done.files
    check(len(files) >= 1, f"tellStatus has no files: {done._struct!r}")
    check(
        files[0].path.resolve() == target.resolve(),
        f"files[0].path is {str(files[0].path)!r}, not {str(target)!r}",
    )
    check(
        done.total_length == done.completed_length == size,
        f"totalLength {done.total_length}, completedLength {done.completed_length}, file size {size}",
    )
    check(Path(done.dir).resolve() == Path(directory).resolve(), f"dir is {str(done.dir)!r}, not {directory!r}")
    check(listed(api).get(gid) == "complete", f"get_downloads() does not show {gid} complete: {listed(api)}")
    return f"gid {gid}: {size} bytes, sha256 ok, files[0].path ok"


def step_d_stats_methods(api: aria2p.API) -> str:
    stats = api.get_stats()
    numbers = {
        "downloadSpeed": stats.download_speed,
        "uploadSpeed": stats.upload_speed,
        "numActive": stats.num_active,
        "numWaiting": stats.num_waiting,
        "numStopped": stats.num_stopped,
        "numStoppedTotal": stats.num_stopped_total,
    }
    for key, value in numbers.items():
        check(isinstance(value, int) and value >= 0, f"getGlobalStat {key} is {value!r}")
    check(stats.num_stopped >= 1, f"getGlobalStat numStopped is {stats.num_stopped}, the complete download is there")

    methods = api.client.list_methods()  # Sent without a token, as aria2p does.
    check(isinstance(methods, list), f"listMethods returned {methods!r}")
    for method in ("aria2.addUri", "aria2.tellStatus", "system.multicall", "system.listMethods"):
        check(method in methods, f"listMethods lacks {method}: {methods}")

    client = api.client
    answers = client.multicall2([(client.GET_VERSION, []), (client.GET_GLOBAL_STAT, [])])
    check(
        isinstance(answers, list)
        and len(answers) == 2
        and all(isinstance(a, list) and len(a) == 1 and isinstance(a[0], dict) for a in answers),
        f"system.multicall of getVersion and getGlobalStat returned {answers!r}",
    )
    check("version" in answers[0][0], f"multicall getVersion answer: {answers[0]!r}")
    return f"stats {numbers}; {len(methods)} methods; multicall ok"


def step_e_wrong_secret(host: str, port: int, secret: str) -> str:
    wrong = aria2p.Client(host=host, port=port, secret=secret + "-wrong", timeout=REQUEST_TIMEOUT)
    try:
        answer = wrong.get_version()
    except aria2p.ClientException as error:
        return f"rejected: code {error.code}: {error.message.splitlines()[-1]}"
    raise StepFailed(f"getVersion with a wrong secret was answered: {answer!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rpc-url", required=True, help="http://HOST:PORT/jsonrpc")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--file-url", required=True, help="a file to download to completion")
    parser.add_argument("--sha256", required=True, help="the file's sha256 (hex)")
    parser.add_argument("--dir", required=True, help="download folder (absolute)")
    parser.add_argument("--slow-url", help="a file big enough to be mid-transfer at 50 KB/s (default: --file-url)")
    args = parser.parse_args()

    parts = urlsplit(args.rpc_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        say(f"FAIL: --rpc-url {args.rpc_url!r} is not http://HOST:PORT/jsonrpc")
        return 2
    if parts.path.rstrip("/") != "/jsonrpc":
        say(f"FAIL: --rpc-url path must be /jsonrpc (aria2p always posts there), got {parts.path!r}")
        return 2
    host = f"{parts.scheme}://{parts.hostname}"
    directory = str(Path(args.dir).resolve())
    Path(directory).mkdir(parents=True, exist_ok=True)
    slow_url = args.slow_url or args.file_url

    client = aria2p.Client(host=host, port=parts.port, secret=args.secret, timeout=REQUEST_TIMEOUT)
    api = aria2p.API(client)
    say(f"aria2p {aria2p_version()} -> {client.server}")

    steps = [
        ("a) getVersion", lambda: step_a_version(api)),
        ("b) add slow, pause, resume, remove, purge", lambda: step_b_pause_resume_remove_purge(api, slow_url, directory)),
        ("b2) api.remove of an active download, purge", lambda: step_b2_api_remove(api, slow_url, directory)),
        ("c) download with checksum to completion", lambda: step_c_complete(api, args.file_url, args.sha256, directory)),
        ("d) getGlobalStat, listMethods, multicall", lambda: step_d_stats_methods(api)),
        ("e) a wrong secret is refused", lambda: step_e_wrong_secret(host, parts.port, args.secret)),
    ]
    for name, run in steps:
        started = time.monotonic()
        try:
            detail = run()
        except StepFailed as error:
            say(f"FAIL {name}: {error}")
            return 1
        except aria2p.ClientException as error:
            say(f"FAIL {name}: the endpoint answered an error: code {error.code}: {error.message}")
            return 1
        except Exception as error:  # noqa: BLE001 - any surprise is a failed step, with its trace
            say(f"FAIL {name}: {type(error).__name__}: {error}")
            traceback.print_exc(file=sys.stdout)
            return 1
        say(f"ok   {name} ({time.monotonic() - started:.1f} s): {detail}")
    say(f"passed: {len(steps)} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
