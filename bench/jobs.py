"""Scenario (g) of bench.py: many jobs. N suspended one-file jobs are created over the native
protocol (docs/PROTOCOL.md: `hello`, then `create_job` and `add_file` sent in batches of 500
without waiting for each answer) on a `haul service` of its own; the service is stopped and
started again, and the bench times:
  - from the fresh start (the process spawned) until it answers its first request (`hello` on
    the socket, polled every 5 ms), with N jobs and with none;
  - `haul list` (wall time, GNU time's CPU);
  - the service's RSS with the jobs loaded (after the list) and with none;
  - the window's RSS and frame times with those N rows and with none (bench/window.py).
Standard library only; bench.py passes in what it shares.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

import window

BATCH = 500


class JobsError(Exception):
    pass


class Conn:
    """A native protocol connection: one JSON object a line."""

    def __init__(self, path: str, timeout: float = 60):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("rwb")
        self.next_id = 0

    def send(self, method: str, params: dict) -> int:
        self.next_id += 1
        self.file.write(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                    "params": params}).encode() + b"\n")
        return self.next_id

    def answers(self, ids: list[int]) -> dict[int, dict]:
        self.file.flush()
        wanted, got = set(ids), {}
        while wanted - got.keys():
            line = self.file.readline()
            if not line:
                raise JobsError("the service closed the connection")
            msg = json.loads(line)
            if msg.get("id") in wanted:
                if "error" in msg:
                    raise JobsError(f"request {msg['id']}: {msg['error']}")
                got[msg["id"]] = msg["result"]
        return got

    def call(self, method: str, params: dict) -> dict:
        return self.answers([self.send(method, params)])[self.next_id]

    def close(self) -> None:
        self.sock.close()


def create_jobs(socket_path: str, count: int, url_of, dest: Path, log) -> float:
    """count suspended jobs of one file each; returns the seconds it took."""
    t0 = time.monotonic()
    conn = Conn(socket_path)
    try:
        conn.call("hello", {"protocol": 1, "client": "haul-bench/1"})
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            ids = [conn.send("create_job", {"display_name": f"job {start + i:06d}"}) for i in range(n)]
            jobs = conn.answers(ids)
            adds = [conn.send("add_file", {"job_id": jobs[rid]["job_id"], "remote_url": url_of(start + i),
                                           "local_name": str(dest / f"j{start + i:06d}.bin")})
                    for i, rid in enumerate(ids)]
            conn.answers(adds)
            if (start // BATCH) % 20 == 19:
                log(f"  {start + n} jobs created ({time.monotonic() - t0:.0f} s)")
    finally:
        conn.close()
    return time.monotonic() - t0


def first_answer(haul, timeout: float = 60) -> float:
    """Starts haul's service and returns the seconds until it answered `hello` on its socket."""
    path = haul.env["HAUL_SOCKET"]
    Path(path).unlink(missing_ok=True)
    haul.log = open(haul.work / haul.logname, "ab")
    t0 = time.monotonic()
    haul.proc = subprocess.Popen([haul.binary, "service"], env=haul.env, stdin=subprocess.DEVNULL,
                                 stdout=haul.log, stderr=subprocess.STDOUT, start_new_session=True)
    while time.monotonic() - t0 < timeout:
        if haul.proc.poll() is not None:
            raise JobsError(f"`haul service` exited with {haul.proc.returncode} at start")
        try:
            conn = Conn(path, timeout=max(1.0, timeout - (time.monotonic() - t0)))
        except OSError:
            time.sleep(0.005)
            continue
        try:
            conn.call("hello", {"protocol": 1, "client": "haul-bench/1"})
            return time.monotonic() - t0
        except (OSError, JobsError):
            time.sleep(0.005)
        finally:
            conn.close()
    raise JobsError(f"`haul service` did not answer within {timeout:.0f} s")


def measure_service(haul, label: str, run_measured, proc_status_kib, work: Path, runs: int,
                    start_timeout: float = 60) -> dict:
    """Fresh starts (runs of them): first answer, `haul list` time, RSS after the list."""
    starts, lists, cpus, rss, stops = [], [], [], [], []
    list_error = None
    for _ in range(runs):
        t0 = time.monotonic()
        haul.stop(timeout=300)  # with 100,000 jobs `haul service stop` took more than 15 s
        stops.append(time.monotonic() - t0)
        starts.append(first_answer(haul, start_timeout))
        m = run_measured([haul.binary, "list"], 120, work / f"list-{label}.out", work / f"list-{label}.err",
                         env=haul.env)
        rss.append(proc_status_kib(haul.pid, "VmRSS"))
        if m["exit"] != 0:
            # Kept, not raised: the start time and the RSS are still worth reporting.
            error = (work / f"list-{label}.err").read_text(errors="replace").strip().splitlines()
            list_error = f"haul list exited {m['exit']}: {' / '.join(error)[-300:]}"
            continue
        lists.append(m["wall_s"])
        cpus.append(m["cpu_s"])
    lines = (work / f"list-{label}.out").read_text().count("\n")
    med = lambda v: sorted(v)[len(v) // 2] if v else None  # noqa: E731
    return {"first_answer_s": med(starts), "first_answer_all_s": starts, "list_s": med(lists),
            "list_cpu_s": med(cpus), "list_lines": lines, "service_rss_mib": max(rss) / 1024,
            "stop_s": med(stops), "list_error": list_error}


def run(haul_cls, binary, work: Path, count: int, url_of, runs: int, run_measured, proc_status_kib, log,
        xvfb: window.Xvfb | None) -> dict:
    """The scenario: an empty service, then one with `count` suspended jobs."""
    out: dict = {"key": "g", "jobs": count, "runs": runs}
    empty = haul_cls(binary, work, "haul-empty")
    full = haul_cls(binary, work, "haul-jobs")
    dest = work / "dl" / "g"
    dest.mkdir(parents=True, exist_ok=True)
    try:
        empty.start()
        out["empty"] = measure_service(empty, "empty", run_measured, proc_status_kib, work, runs)
        full.start()
        log(f"scenario (g): creating {count} suspended one-file jobs over the native protocol")
        out["create_s"] = create_jobs(full.env["HAUL_SOCKET"], count, url_of, dest, log)
        log(f"  {count} jobs created in {out['create_s']:.1f} s; timing fresh starts")
        # With 100,000 jobs a fresh start took more than 60 s to answer (Dec 2026): wait longer.
        out["full"] = measure_service(full, "full", run_measured, proc_status_kib, work, runs,
                                      start_timeout=60 + count / 400)
        log(f"  first answer {out['full']['first_answer_s'] * 1000:.0f} ms (empty "
            f"{out['empty']['first_answer_s'] * 1000:.0f} ms), haul list {out['full']['list_s'] or float('nan'):.2f} s, "
            f"RSS {out['full']['service_rss_mib']:.1f} MiB (empty {out['empty']['service_rss_mib']:.1f})")
        if xvfb is not None:
            for label, haul, rows in (("empty", empty, 0), ("full", full, count)):
                try:
                    out[label]["window"] = window.measure(binary, haul.env, xvfb, work, f"g-{label}", rows,
                                                          seconds=4.0, timeout=180)
                    w = out[label]["window"]
                    log(f"  window ({label}, {w['rows']} rows): RSS {w['rss_kib'] / 1024:.1f} MiB, frame median "
                        f"{w['median_ms']:.1f} ms, p95 {w['p95_ms']:.1f} ms; rows shown after "
                        f"{w['rows_shown_after_s']:.1f} s")
                except window.WindowError as e:
                    log(f"  window ({label}) not measured: {e}")
                    out[label]["window_error"] = str(e)
    finally:
        empty.stop()
        full.stop(timeout=300)
        shutil.rmtree(dest, ignore_errors=True)
    return out


def report_lines(sc: dict, fmt) -> list[str]:
    e, f = sc.get("empty", {}), sc.get("full", {})
    ms = lambda v: fmt(v * 1000 if v is not None else None, '10.0f')  # noqa: E731
    out = [f"== (g) {sc['jobs']} suspended one-file jobs (created in {fmt(sc.get('create_s'), '.1f')} s over the "
           f"native protocol), median of {sc['runs']} fresh starts ==",
           f"{'service':<10} {'1st answer ms':>14} {'haul list s':>12} {'list CPU s':>11} {'RSS MiB':>8} "
           f"{'window RSS MiB':>15} {'frame ms med/p95':>17}"]
    for label, d in (("empty", e), (f"{sc['jobs']} jobs", f)):
        w = d.get("window", {})
        frames = (f"{w['median_ms']:.1f}/{w['p95_ms']:.1f}" if w else "n/a")
        out.append(f"{label:<10} {ms(d.get('first_answer_s')):>14} {fmt(d.get('list_s'), '12.3f')} "
                   f"{fmt(d.get('list_cpu_s'), '11.2f')} {fmt(d.get('service_rss_mib'), '8.1f')} "
                   f"{fmt(w['rss_kib'] / 1024 if w.get('rss_kib') else None, '15.1f')} {frames:>17}")
    for label, d in (("empty", e), ("jobs", f)):
        if d.get("list_error"):
            out.append(f"  haul list ({label}) failed: {d['list_error']}")
        if d.get("window_error"):
            out.append(f"  window ({label}) not measured: {d['window_error']}")
    out.append(f"  stopping the service (`haul service stop` until it exited, before each fresh start): "
               f"{fmt(f.get('stop_s'), '.2f')} s with the jobs, {fmt(e.get('stop_s'), '.2f')} s empty")
    out.append("  1st answer: from spawning `haul service` until `hello` is answered on its socket (polled every 5 ms); "
               "RSS: VmRSS after `haul list`; window: `haul` under Xvfb, LIBGL_ALWAYS_SOFTWARE=1, redrawing without pause")
    return out


def targets(sc: dict | None, add, fmt) -> None:
    if not sc:
        return
    n = sc["jobs"]
    f, e = sc.get("full", {}), sc.get("empty", {})
    limit = 0.3 if n <= 10_000 else 1.0
    first = f.get("first_answer_s")
    add(f"(g) first answer < {limit * 1000:.0f} ms after start with {n} jobs",
        None if first is None else first < limit, f"{fmt(first * 1000 if first else None, '.0f')} ms")
    ls = f.get("list_s")
    add(f"(g) haul list < 0.3 s with {n} jobs", False if f.get("list_error") else (None if ls is None else ls < 0.3),
        f.get("list_error") or f"{fmt(ls, '.3f')} s")
    rss = f.get("service_rss_mib")
    add(f"(g) service RSS < 30 MiB with {n} jobs", None if rss is None else rss < 30,
        f"{fmt(rss, '.1f')} MiB (empty {fmt(e.get('service_rss_mib'), '.1f')} MiB)")
    wf, we = f.get("window", {}).get("rss_kib"), e.get("window", {}).get("rss_kib")
    add(f"(g) window RSS with {n} rows <= empty + 30 MiB", None if not (wf and we) else (wf - we) / 1024 <= 30,
        f"{fmt(wf / 1024 if wf else None, '.1f')} MiB vs {fmt(we / 1024 if we else None, '.1f')} MiB empty"
        + (f" (+{(wf - we) / 1024:.1f})" if wf and we else ""))
