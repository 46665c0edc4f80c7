"""Scenario (r) of bench.py: many downloads added through the aria2 RPC endpoint
(one `system.multicall` of `aria2.addUri`) against the same downloads added with
`haul add` — as one job of N files (`haul add URL1 … URLN`), and as N jobs
(`haul add URL` N times, which is what a multicall of N addUri makes).

Two figures per contender: "add" (until the service has accepted every download:
the multicall's answer, the `haul add` processes' exits) and "total" (until every
file is published under its name in the folder, watched the same way for all).
Files are checked by sha256. The service is a `haul service` of its own with the
endpoint on a free loopback port; finished jobs are forgotten between runs.
Standard library only; bench.py passes in what it shares (Haul, verify, log).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

CONTENDERS = ["rpc-multicall", "haul-add-list", "haul-add-each"]
COMMANDS = {
    "rpc-multicall": "one POST /jsonrpc: system.multicall of N aria2.addUri(token, [URL], {dir, out})",
    "haul-add-list": "haul add --dir D URL1 … URLN (one job of N files)",
    "haul-add-each": "haul add --dir D URL, N times in a row (N jobs, as the multicall makes)",
}
TIMEOUT_S = 300


class RpcError(Exception):
    pass


def rpc(url: str, method: str, params: list, timeout: float = 120):
    body = json.dumps({"jsonrpc": "2.0", "id": "bench", "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RpcError(f"{method}: {answer['error']}")
    return answer["result"]


def endpoint(haul) -> tuple[str, str]:
    """`haul --json rpc` until the endpoint listens: (url, secret)."""
    deadline = time.monotonic() + 20
    last = ""
    while time.monotonic() < deadline:
        r = haul.cli("--json", "rpc", timeout=10)
        last = (r.stdout + r.stderr).strip()
        if r.returncode == 0:
            info = json.loads(r.stdout)
            if info.get("url") and info.get("secret"):
                return info["url"], info["secret"]
        time.sleep(0.1)
    raise RpcError(f"`haul --json rpc` gave no endpoint: {last[-300:]}")


def published(dest: Path, names: set[str]) -> bool:
    try:
        return names.issubset(os.listdir(dest))
    except FileNotFoundError:
        return False


def wait_published(dest: Path, names: set[str], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if published(dest, names):
            return True
        time.sleep(0.02)
    return published(dest, names)


def add(contender: str, haul, rpc_url: str, secret: str, urls: list[str], names: list[str], dest: Path) -> None:
    """Hands the downloads to the service the contender's way; raises on a refusal."""
    if contender == "rpc-multicall":
        calls = [{"methodName": "aria2.addUri", "params": [f"token:{secret}", [u], {"dir": str(dest), "out": n}]}
                 for u, n in zip(urls, names)]
        results = rpc(rpc_url, "system.multicall", [calls])
        refused = [r for r in results if not isinstance(r, list)]
        if refused:
            raise RpcError(f"{len(refused)} addUri call(s) refused, first: {refused[0]}")
    elif contender == "haul-add-list":
        r = haul.cli("add", "--dir", str(dest), *urls, timeout=120)
        if r.returncode != 0:
            raise RpcError(f"haul add exited {r.returncode}: {r.stderr.strip()[-300:]}")
    else:
        for u in urls:
            r = haul.cli("add", "--dir", str(dest), u, timeout=30)
            if r.returncode != 0:
                raise RpcError(f"haul add {u} exited {r.returncode}: {r.stderr.strip()[-300:]}")


def run(haul, files: list[tuple[str, int, str]], url_of, runs: int, work: Path, verify, log, wrong: list[str],
        cpu_of) -> dict:
    """Runs the scenario on `haul` (a started bench.Haul with the endpoint on)."""
    rpc_url, secret = endpoint(haul)
    urls = [url_of(n) for n, _, _ in files]
    names = [n for n, _, _ in files]
    results = {c: [] for c in CONTENDERS}
    log(f"scenario (r) {len(files)} downloads through the aria2 RPC vs haul add: {runs} run(s) x {len(CONTENDERS)}")
    for r in range(runs):
        order = CONTENDERS[r % len(CONTENDERS):] + CONTENDERS[:r % len(CONTENDERS)]
        for c in order:
            dest = work / "dl" / f"r-{c}-run{r + 1}"
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            os.sync()
            cpu0 = cpu_of(haul.pid)
            problems = []
            t0 = time.monotonic()
            try:
                add(c, haul, rpc_url, secret, urls, names, dest)
            except (RpcError, OSError, subprocess.TimeoutExpired) as e:
                problems.append(f"add failed: {e}")
            t_add = time.monotonic() - t0
            if not problems and not wait_published(dest, set(names), t0 + TIMEOUT_S):
                problems.append(f"not every file was published within {TIMEOUT_S} s")
            t_total = time.monotonic() - t0
            cpu = cpu_of(haul.pid) - cpu0
            problems += verify(files, dest)
            m = {"add_s": t_add, "total_s": t_total, "service_cpu_s": cpu, "problems": problems}
            results[c].append(m)
            log(f"  run {r + 1} {c:<13} add {t_add:7.2f} s  total {t_total:7.2f} s  service cpu {cpu:.2f} s"
                + (f"  PROBLEMS: {len(problems)}" if problems else "  files ok"))
            for p in problems[:10]:
                wrong.append(f"WRONG FILE/RUN: (r) {c} run {r + 1}: {p}")
            try:  # forget the finished jobs, so the next run starts from the same list
                rpc(rpc_url, "aria2.purgeDownloadResult", [f"token:{secret}"])
            except (RpcError, OSError) as e:
                log(f"  purgeDownloadResult failed: {e}")
    for c in CONTENDERS:
        for r in range(runs):
            shutil.rmtree(work / "dl" / f"r-{c}-run{r + 1}", ignore_errors=True)

    def med(values):
        return statistics.median(values) if values else None

    summary = {}
    for c in CONTENDERS:
        ok = [m for m in results[c] if not m["problems"]]
        summary[c] = {
            "command": COMMANDS[c],
            "runs": results[c],
            "ok_runs": len(ok),
            "add_s": med([m["add_s"] for m in ok]),
            "total_s": med([m["total_s"] for m in ok]),
            "service_cpu_s": med([m["service_cpu_s"] for m in ok]),
        }
    return {"key": "r", "files": len(files), "runs": runs, "contenders": summary}


def report_lines(sc: dict, fmt) -> list[str]:
    out = [f"== (r) {sc['files']} downloads added through the aria2 RPC vs haul add, median of {sc['runs']} ==",
           f"{'contender':<14} {'add s':>8} {'total s':>8} {'service CPU s':>14}  ok"]
    for c, e in sc["contenders"].items():
        out.append(f"{c:<14} {fmt(e['add_s'], '8.2f')} {fmt(e['total_s'], '8.2f')} "
                   f"{fmt(e['service_cpu_s'], '14.2f')}  {e['ok_runs']}/{sc['runs']}")
    for c, e in sc["contenders"].items():
        out.append(f"  {c}: {e['command']}")
    return out


def targets(sc: dict | None, add_target, fmt) -> None:
    """(r): the multicall's N downloads take no longer than the same N downloads through
    `haul add`; one job of N files (`haul-add-list`) is printed for reference."""
    get = (lambda c, f: (sc or {}).get("contenders", {}).get(c, {}).get(f))
    m, each, listed = get("rpc-multicall", "total_s"), get("haul-add-each", "total_s"), get("haul-add-list", "total_s")
    add_target("(r) rpc-multicall total time <= haul-add-each's (the same N downloads)",
               None if not (m and each) else m <= each, f"multicall {fmt(m, '.2f')} s vs haul-add-each {fmt(each, '.2f')} s"
               + (f" = {each / m:.1f}x faster" if m and each else "")
               + f"; reference, one job of N files: haul-add-list {fmt(listed, '.2f')} s")
