"""The Haul window under Xvfb with software rendering (LIBGL_ALWAYS_SOFTWARE=1), for scenarios (f)
and (g) of bench.py: its resident memory and its frame times, read from the file the window
writes when `HAUL_FRAME_STATS=PATH` is set (app/src/gui/frame_stats.rs: it then redraws without
pause and rewrites PATH every second with the job rows and that second's frame intervals).
Standard library only.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path


class WindowError(Exception):
    pass


class Xvfb:
    """An X server of our own; picks a free display number itself (-displayfd)."""

    def __init__(self, work: Path):
        if not shutil.which("Xvfb"):
            raise WindowError("Xvfb is not installed (apt-get install xvfb)")
        r, w = os.pipe()
        self.log = open(work / "xvfb.log", "wb")
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     pass_fds=(w,), start_new_session=True)
        os.close(w)
        deadline = time.monotonic() + 15
        text = b""
        os.set_blocking(r, False)
        while time.monotonic() < deadline and not text.endswith(b"\n"):
            try:
                chunk = os.read(r, 64)
                if not chunk:
                    break
                text += chunk
            except BlockingIOError:
                time.sleep(0.05)
        os.close(r)
        if not text.strip():
            self.stop()
            raise WindowError("Xvfb did not start")
        self.display = ":" + text.decode().strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def read_stats(path: Path) -> dict | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        return {k: float(v) for k, v in (part.split("=", 1) for part in text.split())}
    except ValueError:
        return None


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(binary: str, haul_env: dict, xvfb: Xvfb, work: Path, name: str, rows: int, seconds: float = 3.0,
            timeout: float = 120.0, during=None) -> dict:
    """Opens the window on haul_env's service, waits until it shows `rows` job rows (None: any)
    and has drawn for `seconds`, then returns its RSS and frame figures and closes it.
    `during`, if given, is called once the rows are shown, and the window measured while it runs."""
    stats_path = work / f"frames-{name}.txt"
    stats_path.unlink(missing_ok=True)
    proc = _open(binary, haul_env, xvfb, work, name, {"HAUL_FRAME_STATS": str(stats_path)})
    out: dict = {"rows_expected": rows}
    try:
        started = time.monotonic()
        shown = None
        while time.monotonic() - started < timeout:
            if proc.poll() is not None:
                raise WindowError(f"the window exited with {proc.returncode}; see {work / f'window-{name}.log'}")
            s = read_stats(stats_path)
            if s and (rows is None or int(s["rows"]) == rows):
                shown = time.monotonic()
                break
            time.sleep(0.1)
        if shown is None:
            raise WindowError(f"the window did not show {rows} rows within {timeout:.0f} s "
                              f"(last stats: {read_stats(stats_path)})")
        out["rows_shown_after_s"] = shown - started
        samples = []
        runner = None
        if during is not None:
            runner = threading.Thread(target=lambda: out.update(during=during()), daemon=True)
            runner.start()
        end = shown + seconds
        seen = None
        while (runner.is_alive() if runner else time.monotonic() < end):
            time.sleep(0.25)
            s = read_stats(stats_path)
            if s and s != seen and (rows is None or int(s["rows"]) == rows):
                samples.append(s)
                seen = s
        if not samples:
            raise WindowError("the window wrote no frame figures while measured")
        # Each sample is one second of frames: the typical second's median, the worst second's p95.
        out.update(rows=int(samples[-1]["rows"]), seconds=len(samples),
                   frames_per_s=statistics.median(s["frames"] for s in samples),
                   median_ms=statistics.median(s["median_ms"] for s in samples),
                   p95_ms=max(s["p95_ms"] for s in samples), max_ms=max(s["max_ms"] for s in samples),
                   rss_kib=rss_kib(proc.pid))
        return out
    finally:
        _close(proc)


def while_open(binary: str, haul_env: dict, xvfb: Xvfb, work: Path, name: str, during, settle: float = 3.0) -> dict:
    """Opens the window as a user has it (it draws when something changes, no frame timer), lets it
    settle, and calls `during` (which returns its own duration) while it is open; returns that
    duration and the window's CPU seconds over it: what an open window costs a download."""
    proc = _open(binary, haul_env, xvfb, work, name, {})
    try:
        time.sleep(settle)
        if proc.poll() is not None:
            raise WindowError(f"the window exited with {proc.returncode}; see {work / f'window-{name}.log'}")
        before = cpu_s(proc.pid)
        took = during()
        after = cpu_s(proc.pid)
        return {"during": took, "window_cpu_s": after - before if before is not None and after is not None else None}
    finally:
        _close(proc)


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _open(binary: str, haul_env: dict, xvfb: Xvfb, work: Path, name: str, extra: dict) -> subprocess.Popen:
    home = work / f"window-{name}"
    home.mkdir(exist_ok=True)
    env = dict(haul_env, DISPLAY=xvfb.display, LIBGL_ALWAYS_SOFTWARE="1", XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"), **extra)
    for key in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(key, None)
    log = open(work / f"window-{name}.log", "wb")
    return subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _close(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
