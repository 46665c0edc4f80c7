#!/usr/bin/env python3
"""Haul download benchmark: haul vs curl vs aria2c against nginx on 127.0.0.1.

Scenarios (same run, same files, interleaved runs):
  (a) one big file, unthrottled            (default 2 GiB)
  (b) one file, nginx limit_rate 20m/conn  (default 512 MiB)
  (c) many small files in one job          (default 1,000 x 100 KiB)
  (r) the same small files as 1,000 downloads through the aria2 RPC (one
      system.multicall of addUri) vs haul add (bench/rpc_add.py)
  (s) an HLS stream of 2,000 segments vs ffmpeg -c copy and curl -Z
      (bench/stream.py; only with --only ...s..., needs ffmpeg)
plus a resume-correctness check: the file changes on the server between an
interruption and the resume; only a client that sends If-Range gets it right.

Python 3.11 standard library only. Run from the repo root:
    python3 bench/bench.py [--quick] [--runs N] [--haul PATH] [--json-out PATH]
Exit status: 0, unless a downloaded file was wrong or missing (then 1), or the
benchmark could not run at all (2).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import far
import jobs
import rpc_add
import stream
import tls
import window

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30
REPO = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Per-connection rate of scenario (b), and of the correctness check before the interruption.
THROTTLE_MIB = 20
# (b) also runs haul with its per-job connection maximum raised: aria2c -x16 is
# aria2's own maximum, and haul's default of 32 connections caps it at 32 x 20 MiB/s.
HAUL_WIDE = "haul-c64"
WIDE_CONNECTIONS = 64
# `--against BIN`: another build of haul, run as one more contender beside `haul` (its own service),
# in the same interleaved order: an A/B of two builds on the same server, disk and load.
HAUL_BASE = "haul-base"
# (b)'s target: haul at its default connection count gets this share of the server's ceiling.
DEFAULT_CONNECTIONS = 32
CEILING_SHARE = 0.88
RESUME_THROTTLE_MIB = 2
INTERRUPT_AT = 0.25

# Contender command lines (recorded in the output, so a reader knows what ran).
CURL_BASE = ["curl", "-sS", "--fail"]
ARIA_BASE = [
    "aria2c", "-q", "-x16", "-s16", "--file-allocation=falloc", "--allow-overwrite=true",
    "--auto-file-renaming=false", "--summary-interval=0", "--console-log-level=warn",
]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Fatal(Exception):
    pass


# --------------------------------------------------------------------------- tools


def run_quiet(cmd, timeout, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, **kw)


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def ensure_tools(allow_install: bool) -> dict:
    """nginx, curl and aria2c; installs the missing ones from Debian when root."""
    missing = []
    if not find_nginx():
        missing.append("nginx")
    if not shutil.which("curl"):
        missing.append("curl")
    if not shutil.which("aria2c"):
        missing.append("aria2")
    if not os.access(TIME_BIN, os.X_OK):
        missing.append("time")
    if missing and allow_install and os.geteuid() == 0 and shutil.which("apt-get"):
        packages = [m for m in missing if m != "nginx"]
        if "nginx" in missing:
            light = run_quiet(["apt-cache", "show", "nginx-light"], 60)
            packages.append("nginx-light" if light.returncode == 0 and light.stdout.strip() else "nginx")
        log(f"installing {' '.join(packages)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        upd = run_quiet(["apt-get", "update"], 300, env=env)
        if upd.returncode != 0:
            log(f"apt-get update failed: {upd.stderr.strip()[-500:]}")
        inst = run_quiet(["apt-get", "install", "-y", "--no-install-recommends", *packages], 600, env=env)
        if inst.returncode != 0:
            log(f"apt-get install failed: {inst.stderr.strip()[-500:]}")
    tools = {"nginx": find_nginx(), "curl": shutil.which("curl"), "aria2c": shutil.which("aria2c"),
             "wget": shutil.which("wget")}
    if not tools["nginx"]:
        raise Fatal("nginx is not installed and could not be installed (apt-get install nginx-light)")
    if not tools["curl"]:
        raise Fatal("curl is not installed and could not be installed")
    if not os.access(TIME_BIN, os.X_OK):
        log(f"{TIME_BIN} is missing: client CPU/RSS come from wait4 (RSS then includes this Python's)")
    if not tools["aria2c"]:
        log("aria2c is not available: it is left out (apt-get install aria2)")
    return tools


def version_of(cmd) -> str:
    try:
        r = run_quiet(cmd, 20)
        text = (r.stdout or r.stderr).strip().splitlines()
        return text[0] if text else "?"
    except Exception as e:  # noqa: BLE001 - informational only
        return f"? ({e})"


# --------------------------------------------------------------------------- files


def write_random(path: Path, size: int) -> str:
    h = hashlib.sha256()
    chunk = 8 * MiB
    with open(path, "wb") as f:
        left = size
        while left:
            block = os.urandom(min(chunk, left))
            h.update(block)
            f.write(block)
            left -= len(block)
    os.chmod(path, 0o644)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * MiB):
            h.update(block)
    return h.hexdigest()


def scale_sizes(sizes: dict, work_parent: Path) -> tuple[dict, str | None]:
    """Scales the big files down when the disk has less than 8 GiB free."""
    free = shutil.disk_usage(work_parent).free
    if free >= 8 * GiB:
        return sizes, None
    # Served copies + downloads of (a), (b), (c) and the resume files, plus 1 GiB to spare.
    need = lambda s: 2 * (s["big"] + s["throttled"] + s["small_count"] * s["small"]) + 3 * s["resume"] + GiB  # noqa: E731
    scaled = dict(sizes)
    while need(scaled) > free and scaled["big"] > 32 * MiB:
        scaled["big"] //= 2
        scaled["throttled"] = max(16 * MiB, scaled["throttled"] // 2)
    note = (f"only {free / GiB:.1f} GiB free under {work_parent} (< 8 GiB): scaled down to "
            f"{scaled['big'] // MiB} MiB / {scaled['throttled'] // MiB} MiB")
    if need(scaled) > free:
        raise Fatal(f"not enough disk space under {work_parent}: {free / GiB:.1f} GiB free")
    return scaled, note


# --------------------------------------------------------------------------- nginx


NGINX_CONF = """\
worker_processes 2;
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 75s;
    default_type application/octet-stream;
    types {{ }}
    client_body_temp_path {work}/nginx-tmp/body;
    proxy_temp_path {work}/nginx-tmp/proxy;
    fastcgi_temp_path {work}/nginx-tmp/fastcgi;
    uwsgi_temp_path {work}/nginx-tmp/uwsgi;
    scgi_temp_path {work}/nginx-tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location /throttled/ {{
            limit_rate {throttle};
        }}
        # Throttled while {www}/resume.slow exists (before the interruption), then not.
        location /resume/ {{
            set $resume_rate 0;
            if (-f {www}/resume.slow) {{
                set $resume_rate {resume_throttle};
            }}
            limit_rate $resume_rate;
        }}
    }}
{tls}}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, binary: str, work: Path, www: Path, certs: dict | None = None):
        self.binary, self.work, self.www, self.certs = binary, work, www, certs
        self.port = free_port()
        # Scenario (d)'s TLS servers: HTTP/1.1 only, and HTTP/2 by ALPN.
        self.tls_ports = {"h1": free_port(), "h2": free_port()} if certs else {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        (self.work / "nginx-tmp").mkdir(exist_ok=True)
        conf = self.work / "nginx.conf"
        servers = tls.NGINX_SERVERS.format(cert=self.certs["cert"], key=self.certs["key"], www=self.www,
                                           work=self.work, h1_port=self.tls_ports["h1"],
                                           h2_port=self.tls_ports["h2"]) if self.certs else ""
        conf.write_text(NGINX_CONF.format(work=self.work, www=self.www, port=self.port, throttle=f"{THROTTLE_MIB}m",
                                          resume_throttle=f"{RESUME_THROTTLE_MIB}m", tls=servers))
        test = run_quiet([self.binary, "-t", "-p", str(self.work), "-e", str(self.work / "nginx-error.log"),
                          "-c", str(conf)], 30)
        if test.returncode != 0:
            raise Fatal(f"nginx rejects its config: {test.stderr.strip()}")
        self.log = open(self.work / "nginx.out", "wb")
        self.proc = subprocess.Popen(
            [self.binary, "-p", str(self.work), "-e", str(self.work / "nginx-error.log"), "-c", str(conf)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fatal(f"nginx exited at start; see {self.work / 'nginx-error.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise Fatal("nginx did not start listening within 15 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def tls_url(self, server: str, path: str) -> str:
        return f"https://127.0.0.1:{self.tls_ports[server]}/{path}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


# --------------------------------------------------------------------------- measuring


TIME_BIN = "/usr/bin/time"


def run_measured(cmd, timeout: float, out: Path, err: Path, env=None) -> dict:
    """Runs cmd under GNU time: wall time (ours), the client's user/sys CPU and peak RSS (time's).

    GNU time, not wait4 here: a child forked from this Python process would carry
    Python's own RSS into its ru_maxrss (the high-water mark survives exec)."""
    result: dict = {}
    timefile = out.with_suffix(".time")
    timefile.unlink(missing_ok=True)
    use_time = os.access(TIME_BIN, os.X_OK)
    full = [TIME_BIN, "-f", "%U %S %M", "-o", str(timefile), *cmd] if use_time else list(cmd)
    with open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.monotonic()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe, env=env,
                                start_new_session=True)

        def reap():
            _, status, usage = os.wait4(proc.pid, 0)
            result.update(t1=time.monotonic(), status=status, usage=usage)

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(timeout)
        timed_out = waiter.is_alive()
        if timed_out:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiter.join(15)
    if "status" not in result:
        raise Fatal(f"could not reap {cmd[0]} (pid {proc.pid})")
    proc.returncode = os.waitstatus_to_exitcode(result["status"])  # reaped by wait4, tell Popen
    usage = result["usage"]
    user, system, rss_kib = usage.ru_utime, usage.ru_stime, usage.ru_maxrss
    if use_time and timefile.exists():
        lines = timefile.read_text().strip().splitlines()
        try:
            u, s_, m = lines[-1].split()
            user, system, rss_kib = float(u), float(s_), int(m)
        except (IndexError, ValueError):
            pass
    return {
        "wall_s": result["t1"] - t0,
        "cpu_s": user + system,
        "user_s": user,
        "sys_s": system,
        "peak_rss_kib": rss_kib,
        "exit": proc.returncode,
        "timed_out": timed_out,
    }


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a whole process (all threads), from /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid: int) -> bool:
    """Resets VmHWM to the current RSS (the owner may write 5 to clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------- haul


class Haul:
    def __init__(self, binary: Path, work: Path, name: str = "haul", rpc_listen: str = "off", ca_file: Path | None = None):
        self.binary = str(binary)
        self.env = dict(os.environ, HAUL_DATA_DIR=str(work / f"{name}-data"), HAUL_SOCKET=str(work / f"{name}.sock"),
                        HAUL_RPC_LISTEN=rpc_listen)
        self.env.pop("RUST_LOG", None)
        if ca_file:
            # (d): the run's CA, the OpenSSL way (rustls-platform-verifier reads it through rustls-native-certs).
            self.env["SSL_CERT_FILE"] = str(ca_file)
        self.work = work
        self.logname = f"{name}-service.log"
        self.proc: subprocess.Popen | None = None

    def cli(self, *args, timeout=30) -> subprocess.CompletedProcess:
        return run_quiet([self.binary, *args], timeout, env=self.env)

    def start(self) -> None:
        self.log = open(self.work / self.logname, "wb")
        self.proc = subprocess.Popen([self.binary, "service"], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Fatal(f"`haul service` exited with {self.proc.returncode} at start; "
                            f"see {self.work / self.logname}")
            if Path(self.env["HAUL_SOCKET"]).exists():
                r = self.cli("--json", "list", "--all", timeout=10)
                if r.returncode == 0:
                    return
            time.sleep(0.1)
        raise Fatal("`haul service` did not answer within 30 s")

    @property
    def pid(self) -> int:
        assert self.proc
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def info(self, job: str) -> dict:
        r = self.cli("--json", "info", job, timeout=15)
        if r.returncode != 0:
            raise RuntimeError(f"haul --json info {job} exited {r.returncode}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        try:
            r = self.cli("service", "stop", timeout=timeout)
            if r.returncode != 0:
                log(f"`haul service stop` exited {r.returncode}: {r.stderr.strip()}")
        except subprocess.TimeoutExpired:
            log(f"`haul service stop` did not return within {timeout:.0f} s")
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"the haul service did not stop within {timeout:.0f} s of `haul service stop`; killing it")
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


# --------------------------------------------------------------------------- scenarios


def contender_cmds(name: str, tools: dict, haul: Haul, urls: list[str], names: list[str], dest: Path,
                   listfile: Path, extra: dict | None = None) -> list[str]:
    """The command line of one contender downloading urls into dest/names (extra: options per
    peer, e.g. the CA file of scenario (d))."""
    more = (extra or {}).get(name.split("-")[0], [])
    cmd = contender_cmds_plain(name, tools, haul, urls, names, dest, listfile)
    return [*cmd[:1], *more, *cmd[1:]] if more else cmd


def contender_cmds_plain(name: str, tools: dict, haul: Haul, urls: list[str], names: list[str], dest: Path,
                         listfile: Path) -> list[str]:
    if name in ("haul", HAUL_BASE):
        return [haul.binary, "add", "--dir", str(dest), "--wait", *urls]
    if name == HAUL_WIDE:
        return [haul.binary, "add", "--connections", str(WIDE_CONNECTIONS), "--dir", str(dest), "--wait", *urls]
    if name in ("curl", "curl-seq"):
        if len(urls) == 1:
            return [*CURL_BASE, "-o", str(dest / names[0]), urls[0]]
        listfile.write_text("".join(f'url = "{u}"\noutput = "{dest / n}"\n' for u, n in zip(urls, names)))
        parallel = ["-Z", "--parallel-max", "16"] if name == "curl" else []
        return [*CURL_BASE, *parallel, "-K", str(listfile)]
    if name == "aria2c":
        if len(urls) == 1:
            return [*ARIA_BASE, "-d", str(dest), "-o", names[0], urls[0]]
        listfile.write_text("".join(f"{u}\n  out={n}\n" for u, n in zip(urls, names)))
        return [*ARIA_BASE, "-j16", "-d", str(dest), "-i", str(listfile)]
    raise ValueError(name)


def describe(name: str, multi: bool) -> str:
    if name == "haul":
        return "haul add --dir D --wait URL..." if multi else "haul add --dir D --wait URL"
    if name == HAUL_BASE:
        return f"{describe('haul', multi)} (--against: the other build)"
    if name == HAUL_WIDE:
        return f"haul add --connections {WIDE_CONNECTIONS} --dir D --wait URL (the per-job maximum raised from 32)"
    if name == "curl":
        return "curl -sS --fail -Z --parallel-max 16 -K list (url+output pairs)" if multi else "curl -sS --fail -o F URL"
    if name == "curl-seq":
        return "curl -sS --fail -K list (sequential, one keep-alive connection)"
    if name == "aria2c":
        opts = " ".join(ARIA_BASE[1:])
        return f"aria2c {opts} -j16 -d D -i list" if multi else f"aria2c {opts} -d D -o F URL"
    return name


def verify(files: list[tuple[str, int, str]], dest: Path) -> list[str]:
    """Problems with the downloaded files (empty: all present with the right sha256)."""
    problems = []
    for name, size, digest in files:
        path = dest / name
        if not path.is_file():
            problems.append(f"{name}: MISSING")
            continue
        got_size = path.stat().st_size
        if got_size != size:
            problems.append(f"{name}: WRONG SIZE {got_size} (expected {size})")
            continue
        got = sha256_of(path)
        if got != digest:
            problems.append(f"{name}: WRONG SHA256 {got[:16]}… (expected {digest[:16]}…)")
    return problems


def job_phases(haul: Haul, err: Path) -> dict:
    """How long a finished `haul add --wait` job took to be transferred and then completed, by the
    service's own times (its id is the first line the client wrote to stderr)."""
    lines = err.read_text(errors="replace").split()
    try:
        times = haul.info(lines[0])["times"] if lines else None
    except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired):
        times = None
    if not times or not times.get("transfer_completed"):
        return {}
    at = {k: parse_utc(v) for k, v in times.items() if v}
    return {"transfer_s": (at["transfer_completed"] - at["created"]).total_seconds(),
            "complete_s": (at["modified"] - at["transfer_completed"]).total_seconds()}


def parse_utc(text: str) -> datetime.datetime:
    """An RFC 3339 UTC time as the service writes it (`...T02:56:06.148236363Z`); Python before 3.11
    parses neither nanoseconds nor `Z`."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.datetime.fromisoformat(f"{whole}.{(fraction + '000000')[:6]}")


def median(values):
    return statistics.median(values) if values else None


def run_scenario(sc: dict, contenders: list[str], runs: int, tools: dict, hauls: dict[str, Haul], work: Path,
                 wrong: list[str]) -> dict:
    files = sc["files"]
    total = sum(size for _, size, _ in files)
    urls = [sc["url"](n) for n, _, _ in files]
    names = [n for n, _, _ in files]
    multi = len(files) > 1
    results = {c: [] for c in contenders}
    log(f"scenario ({sc['key']}) {sc['title']}: {runs} run(s) x {len(contenders)} contenders")
    for r in range(runs):
        order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
        for c in order:
            # Many files: a fresh folder per run, all deleted when the benchmark ends
            # (with `work`), not after the scenario: deleting thousands of files slows
            # the file creations of the next minutes (ext4 skips recently freed inodes),
            # which would tax the next scenario (bench/README.md has the figures).
            dest = work / "dl" / (f"{c}-run{r + 1}" if multi else c)
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            os.sync()  # no writeback left over from earlier runs (outside the timed region)
            # haul-c64 has a service of its own, so its memory does not count against haul's.
            haul = hauls.get(c, hauls["haul"])
            cmd = contender_cmds(c, tools, haul, urls, names, dest, work / f"list-{c}.txt", sc.get("extra"))
            env = haul.env if c.startswith("haul") else None
            svc_cpu0 = svc_ok = None
            if c.startswith("haul"):
                if not haul.alive():
                    raise Fatal(f"the haul service (pid {haul.pid}) is gone; see {work / haul.logname}")
                svc_ok = reset_peak_rss(haul.pid)
                svc_cpu0 = proc_cpu_s(haul.pid)
            m = run_measured(cmd, sc["timeout"], work / f"{c}.out", work / f"{c}.err", env=env)
            if c.startswith("haul"):
                if haul.alive():
                    m["client_cpu_s"] = m["cpu_s"]
                    m["client_peak_rss_kib"] = m["peak_rss_kib"]
                    m["service_cpu_s"] = proc_cpu_s(haul.pid) - svc_cpu0
                    m["cpu_s"] = m["client_cpu_s"] + m["service_cpu_s"]
                    m["service_peak_rss_kib"] = proc_status_kib(haul.pid, "VmHWM")
                    m["service_peak_rss_reset"] = svc_ok
                    m["peak_rss_kib"] = m["service_peak_rss_kib"]
                else:
                    m["service_died"] = True
            problems = []
            if m["timed_out"]:
                problems.append(f"TIMED OUT after {sc['timeout']:.0f} s (killed)")
            elif m["exit"] != 0:
                err = (work / f"{c}.err").read_text(errors="replace").strip()[-400:]
                problems.append(f"exit status {m['exit']}: {err}")
            problems += verify(files, dest)
            if c.startswith("haul") and multi and not problems:
                m.update(job_phases(haul, work / f"{c}.err"))
            if c.startswith("haul") and m.get("service_died"):
                problems.append(f"the haul service died during the run; see {work / haul.logname}")
            m["problems"] = problems
            results[c].append(m)
            rate = total / MiB / m["wall_s"]
            log(f"  run {r + 1} {c:<9} {m['wall_s']:8.2f} s {rate:9.1f} MiB/s  cpu {m['cpu_s']:.2f} s"
                + (f"  PROBLEMS: {len(problems)}" if problems else "  files ok"))
            for p in problems[:10]:
                msg = f"WRONG FILE/RUN: ({sc['key']}) {c} run {r + 1}: {p}"
                log(msg)
                wrong.append(msg)
            if len(problems) > 10:
                wrong.append(f"WRONG FILE/RUN: ({sc['key']}) {c} run {r + 1}: … {len(problems) - 10} more problems")
            if c.startswith("haul") and m["timed_out"]:
                # Leave no job behind that would skew the next runs.
                job = (work / f"{c}.err").read_text(errors="replace").strip().splitlines()[:1]
                if job:
                    haul.cli("cancel", job[0].strip())
            if not multi:
                shutil.rmtree(dest, ignore_errors=True)
    summary = {}
    for c in contenders:
        ok = [m for m in results[c] if not m["problems"]]
        walls = [m["wall_s"] for m in ok]
        med = median(walls)
        cpu = median([m["cpu_s"] for m in ok])
        entry = {
            "command": describe(c, multi) + "".join(
                f" {a}" for a in (sc.get("extra") or {}).get(c.split("-")[0], [])),
            "runs": results[c],
            "ok_runs": len(ok),
            "median_s": med,
            "mib_s": (total / MiB / med) if med else None,
            "cpu_s": cpu,
            "cpu_s_per_gib": (cpu / (total / GiB)) if cpu is not None else None,
            "peak_rss_mib": (max(m["peak_rss_kib"] for m in ok) / KiB) if ok else None,
        }
        if c.startswith("haul") and ok:
            entry["client_cpu_s"] = median([m.get("client_cpu_s", 0) for m in ok])
            entry["service_cpu_s"] = median([m.get("service_cpu_s", 0) for m in ok])
            entry["client_peak_rss_mib"] = max(m.get("client_peak_rss_kib", 0) for m in ok) / KiB
            entry["service_peak_rss_mib"] = entry["peak_rss_mib"]
            entry["service_cpu_s_per_gib"] = entry["service_cpu_s"] / (total / GiB)
            for phase in ("transfer_s", "complete_s"):
                if all(phase in m for m in ok):
                    entry[phase] = median([m[phase] for m in ok])
        summary[c] = entry
    ratios = {}
    h = summary.get("haul", {})
    for c in contenders:
        if c.startswith("haul"):
            continue
        p = summary[c]
        ratios[c] = {
            "throughput": (p["median_s"] / h["median_s"]) if h.get("median_s") and p["median_s"] else None,
            "cpu": (h["cpu_s"] / p["cpu_s"]) if h.get("cpu_s") is not None and p["cpu_s"] else None,
        }
    return {"key": sc["key"], "title": sc["title"], "bytes": total, "files": len(files), "runs": runs,
            "contenders": summary, "haul_ratio_to": ratios}


def window_during_many(haul: Haul, xvfb, work: Path, sc: dict, wrong: list[str]) -> dict:
    """(f): one more haul run (not timed with the others) with the window open on the service."""
    files = sc["files"]
    dest = work / "dl" / "f-window"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    urls = [sc["url"](n) for n, _, _ in files]

    def download():
        t0 = time.monotonic()
        r = run_quiet([haul.binary, "add", "--dir", str(dest), "--wait", *urls], sc["timeout"], env=haul.env)
        took = time.monotonic() - t0
        problems = ([f"exit status {r.returncode}: {r.stderr.strip()[-300:]}"] if r.returncode else []) + verify(files, dest)
        for p in problems[:10]:
            wrong.append(f"WRONG FILE/RUN: (f) haul with the window open: {p}")
        return took

    def fresh_download():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        return download()

    log("scenario (f): two more haul runs with the window open (as a user has it; then with the frame timer)")
    try:
        plain = window.while_open(haul.binary, haul.env, xvfb, work, "f-plain", fresh_download)
        timed = window.measure(haul.binary, haul.env, xvfb, work, "f", None, timeout=60, during=fresh_download)
        return dict(timed, plain=plain)
    except (window.WindowError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}
    finally:
        shutil.rmtree(dest, ignore_errors=True)


# --------------------------------------------------------------------------- correctness


def wait_for(pred, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    return None


class ResumeCase:
    """The file under nginx's /resume/ and its old and new contents."""

    def __init__(self, www: Path, work: Path, size: int):
        self.www, self.size = www, size
        self.served = www / "resume" / "file.bin"
        self.old = work / "resume-old.bin"
        self.new = work / "resume-new.bin"
        self.flag = www / "resume.slow"
        self.old_sha = write_random(self.old, size)
        self.new_sha = write_random(self.new, size)

    def serve_old(self) -> None:
        tmp = self.served.with_suffix(".tmp")
        shutil.copyfile(self.old, tmp)
        os.chmod(tmp, 0o644)
        past = time.time() - 3600
        os.utime(tmp, (past, past))
        os.replace(tmp, self.served)
        self.flag.write_text("")
        os.chmod(self.flag, 0o644)

    def serve_new(self) -> None:
        """New content, new mtime (so a new ETag and Last-Modified); the throttle is lifted."""
        tmp = self.served.with_suffix(".tmp")
        shutil.copyfile(self.new, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.served)
        self.flag.unlink(missing_ok=True)

    def judge(self, path: Path) -> str:
        if not path.is_file():
            return "MISSING"
        if path.stat().st_size != self.size:
            return f"CORRUPT (size {path.stat().st_size}, expected {self.size})"
        digest = sha256_of(path)
        if digest == self.new_sha:
            return "correct"
        if digest == self.old_sha:
            return "STALE (the old file)"
        return "CORRUPT (old and new bytes mixed)"


def on_disk(path: Path, sparse: bool) -> int:
    try:
        st = path.stat()
    except FileNotFoundError:
        return 0
    return st.st_blocks * 512 if sparse else st.st_size


def peer_resume(name: str, case: ResumeCase, url: str, dest: Path, work: Path) -> dict:
    """Start, interrupt at ~25 %, change the file on the server, resume with the peer's own option."""
    target = dest / "file.bin"
    sparse = False
    if name == "curl":
        first = [*CURL_BASE, "-o", str(target), url]
        again = [*CURL_BASE, "-C", "-", "-o", str(target), url]
        stop_sig = signal.SIGTERM
    elif name == "wget":
        first = ["wget", "-q", "-P", str(dest), url]
        again = ["wget", "-q", "-c", "-P", str(dest), url]
        stop_sig = signal.SIGTERM
    elif name == "aria2c":
        # none: the file grows sparsely, so allocated blocks show the progress.
        opts = [o if not o.startswith("--file-allocation") else "--file-allocation=none" for o in ARIA_BASE]
        first = [*opts, "-d", str(dest), "-o", "file.bin", url]
        again = [*opts, "-c", "-d", str(dest), "-o", "file.bin", url]
        stop_sig = signal.SIGINT  # Ctrl-C: aria2c saves its .aria2 control file, as a user's would
        sparse = True
    else:
        raise ValueError(name)
    row = {"contender": name, "first": " ".join(first), "resume": " ".join(again)}
    log(f"correctness: {name}")
    case.serve_old()
    with open(work / f"resume-{name}-1.log", "wb") as lf:
        proc = subprocess.Popen(first, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                start_new_session=True)
        reached = wait_for(lambda: proc.poll() is not None or on_disk(target, sparse) >= INTERRUPT_AT * case.size,
                           120)
        finished_early = proc.poll() is not None
        if not finished_early:
            os.killpg(proc.pid, stop_sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    row["interrupted_at"] = round(on_disk(target, sparse) / case.size, 3)
    if finished_early or not reached:
        row["result"] = "NOT INTERRUPTED (finished or failed before 25 %; check invalid)"
        return row
    case.serve_new()
    try:
        r = run_quiet(again, 180)
        row["resume_exit"] = r.returncode
    except subprocess.TimeoutExpired:
        row["resume_exit"] = "timeout"
    row["result"] = case.judge(target)
    return row


def haul_resume(haul: Haul, case: ResumeCase, url: str, dest: Path) -> dict:
    row = {"contender": "haul", "first": "haul add --dir D URL; haul suspend JOB",
           "resume": "haul resume JOB; poll haul --json info JOB until acknowledged"}
    log("correctness: haul")
    case.serve_old()
    r = haul.cli("add", "--dir", str(dest), url, timeout=30)
    if r.returncode != 0:
        row["result"] = f"ERROR: haul add exited {r.returncode}: {r.stderr.strip()}"
        return row
    job = r.stdout.strip().splitlines()[-1].strip()
    row["job"] = job
    state = {}

    def progressed():
        info = haul.info(job)
        state.update(info)
        p = info.get("progress", {})
        total = p.get("bytes_total") or case.size
        if info.get("state") in ("transferred", "acknowledged", "error", "cancelled"):
            return True
        return p.get("bytes_transferred", 0) >= INTERRUPT_AT * total

    try:
        wait_for(progressed, 120, 0.02)
        if state.get("state") in ("transferred", "acknowledged", "error", "cancelled"):
            row["result"] = f"NOT INTERRUPTED (state {state.get('state')} before 25 %; check invalid)"
            row["error"] = state.get("error")
            return row
        s = haul.cli("suspend", job)
        if s.returncode != 0:
            row["result"] = f"ERROR: haul suspend exited {s.returncode}: {s.stderr.strip()}"
            return row
        if not wait_for(lambda: haul.info(job).get("state") == "suspended", 20, 0.1):
            row["result"] = f"ERROR: the job did not reach 'suspended' within 20 s (state {haul.info(job).get('state')})"
            return row
        info = haul.info(job)
        p = info.get("progress", {})
        row["interrupted_at"] = round(p.get("bytes_transferred", 0) / case.size, 3)
        case.serve_new()
        s = haul.cli("resume", job)
        if s.returncode != 0:
            row["result"] = f"ERROR: haul resume exited {s.returncode}: {s.stderr.strip()}"
            return row
        final = {}

        def finished():
            info = haul.info(job)
            final.update(info)
            return info.get("state") in ("acknowledged", "error", "cancelled")

        if not wait_for(finished, 180, 0.2):
            row["result"] = (f"ERROR: not acknowledged within 180 s after resume (state {final.get('state')}, "
                             f"error {final.get('error')})")
            return row
        if final.get("state") != "acknowledged":
            row["result"] = f"ERROR: job ended {final.get('state')}: {final.get('error')}"
            return row
        row["result"] = case.judge(dest / "file.bin")
        return row
    except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
        row["result"] = f"ERROR: {e}"
        return row


# --------------------------------------------------------------------------- report


def fmt(v, spec):
    """format(v, spec), or "n/a" padded to the spec's width when there is no figure."""
    if v is not None:
        return format(v, spec)
    width = "".join(ch for ch in spec.split(".")[0] if ch.isdigit())
    return "n/a".rjust(int(width or 0))


def report(meta: dict, scenarios: list[dict], targets: list[dict], correctness: list[dict], wrong: list[str],
           rpc_scenario: dict | None = None, jobs_scenario: dict | None = None) -> str:
    out = []
    w = out.append
    w(f"Haul benchmark — {meta['date']}  ({meta['cpus']} CPUs, {meta['kernel']})")
    w(f"haul: {meta['versions']['haul']}  |  {meta['versions']['curl']}  |  {meta['versions']['aria2c']}"
      f"  |  {meta['versions']['nginx']}")
    w(f"nginx on 127.0.0.1, worker_processes 2, sendfile on; downloads to {meta['download_fs']}; runs per "
      f"scenario: {meta['runs']}{' (--quick)' if meta['quick'] else ''}; page cache left as is")
    # The benchmark itself keeps about 1-2 runnable (client, nginx, service); a build on the side adds 2+.
    busy = meta["loadavg_start"][0] > 0.7 or meta["loadavg_end"][1] > 3.0
    w(f"load average 1/5/15 min: start {'/'.join(f'{x:.2f}' for x in meta['loadavg_start'])}, end "
      f"{'/'.join(f'{x:.2f}' for x in meta['loadavg_end'])}"
      + ("  — WARNING: the machine was not idle; figures are noisy" if busy else ""))
    if meta.get("scaled"):
        w(f"NOTE: {meta['scaled']}")
    w("haul CPU = `haul add --wait` client + service (/proc/PID/stat delta); haul RSS = service VmHWM "
      "(reset per run via clear_refs); clients: GNU time (user+sys, max RSS).")
    for sc in scenarios:
        w("")
        w(f"== ({sc['key']}) {sc['title']} — {sc['bytes'] / MiB:.0f} MiB in {sc['files']} file(s), "
          f"median of {sc['runs']} ==")
        w(f"{'contender':<10} {'median s':>9} {'MiB/s':>9} {'CPU s':>8} {'CPU s/GiB':>10} {'peak RSS MiB':>13}  ok")
        for c, e in sc["contenders"].items():
            w(f"{c:<10} {fmt(e['median_s'], '9.3f')} {fmt(e['mib_s'], '9.1f')} {fmt(e['cpu_s'], '8.2f')} "
              f"{fmt(e['cpu_s_per_gib'], '10.2f')} {fmt(e['peak_rss_mib'], '13.1f')}  {e['ok_runs']}/{sc['runs']}")
        h = sc["contenders"].get("haul", {})
        if h.get("client_cpu_s") is not None:
            w(f"  haul detail: client CPU {h['client_cpu_s']:.2f} s + service CPU {h['service_cpu_s']:.2f} s; "
              f"client peak RSS {h['client_peak_rss_mib']:.1f} MiB, service {h['service_peak_rss_mib']:.1f} MiB")
        for c, e in sc["contenders"].items():
            if e.get("transfer_s") is not None:
                w(f"  {c} job times (service's clock): created -> transferred {e['transfer_s']:.3f} s, "
                  f"transferred -> complete (temp files renamed into place) {e['complete_s']:.3f} s")
        for c, r in sc["haul_ratio_to"].items():
            w(f"  haul vs {c:<9}: {fmt(r['throughput'], '.2f')}x throughput, {fmt(r['cpu'], '.2f')}x CPU")
        for c, e in sc["contenders"].items():
            w(f"  {c}: {e['command']}")
        for server, lines in sc.get("negotiated", {}).items():
            w(f"  negotiated with the {server} server (nginx's log): " + ("; ".join(lines) or "nothing logged"))
        if sc.get("note"):
            w(f"  {sc['note']}")
        win = sc.get("window")
        if win:
            if win.get("error"):
                w(f"  window: not measured: {win['error']}")
            else:
                w(f"  window (haul under Xvfb, LIBGL_ALWAYS_SOFTWARE=1, redrawing without pause) during one more haul "
                  f"run ({fmt(win.get('during'), '.2f')} s with the window open): {win['rows']} job row(s), "
                  f"{win['frames_per_s']:.0f} frames/s, frame median {win['median_ms']:.1f} ms, worst second's p95 "
                  f"{win['p95_ms']:.1f} ms, max {win['max_ms']:.1f} ms, window RSS {win['rss_kib'] / 1024:.1f} MiB")
                plain = win.get("plain") or {}
                w(f"  window as a user has it (draws on changes, no frame timer) during one more haul run: "
                  f"{fmt(plain.get('during'), '.2f')} s, window CPU {fmt(plain.get('window_cpu_s'), '.2f')} s")
    if jobs_scenario:
        w("")
        out.extend(jobs.report_lines(jobs_scenario, fmt))
    if rpc_scenario:
        w("")
        out.extend(rpc_add.report_lines(rpc_scenario, fmt))
    w("")
    w("== targets (checked by this benchmark only) ==")
    for t in targets:
        w(f"{t['verdict']:<4}  {t['name']}: {t['detail']}")
    w("")
    if not correctness:
        w("(resume correctness not checked in this run)")
        w("")
        return finish(out, wrong)
    w("== resume correctness: the file changes on the server between interruption and resume ==")
    w(f"({meta['resume_size'] // MiB} MiB file, {RESUME_THROTTLE_MIB} MiB/s per connection until interrupted at "
      f"~{INTERRUPT_AT:.0%}, then unthrottled; expected: haul correct, peers (no If-Range) CORRUPT)")
    w(f"{'contender':<10} {'interrupted at':>14}  result")
    for row in correctness:
        at = row.get("interrupted_at")
        w(f"{row['contender']:<10} {fmt(at * 100 if at is not None else None, '13.0f')}%  {row['result']}")
    w("")
    return finish(out, wrong)


def finish(out: list[str], wrong: list[str]) -> str:
    w = out.append
    if wrong:
        w(f"!!! {len(wrong)} WRONG OR MISSING FILE(S) / FAILED RUN(S) — exit status 1 !!!")
        for line in wrong:
            w(f"!!! {line}")
    else:
        w("All downloaded files matched their sha256.")
    return "\n".join(out)


def check_targets(scenarios: dict, rpc_scenario: dict | None = None) -> list[dict]:
    targets = []

    def add(name, ok, detail):
        targets.append({"name": name, "verdict": "n/a" if ok is None else ("PASS" if ok else "MISS"),
                        "pass": ok, "detail": detail})

    def get(key, c, field):
        return scenarios.get(key, {}).get("contenders", {}).get(c, {}).get(field)

    a_h, a_c = get("a", "haul", "mib_s"), get("a", "curl", "mib_s")
    add("(a) haul >= 1.3x curl throughput", None if not (a_h and a_c) else a_h >= 1.3 * a_c,
        f"haul {fmt(a_h, '.1f')} MiB/s vs curl {fmt(a_c, '.1f')} MiB/s"
        + (f" = {a_h / a_c:.2f}x" if a_h and a_c else ""))
    b_h, b_a = get("b", "haul", "mib_s"), get("b", "aria2c", "mib_s")
    ceiling = DEFAULT_CONNECTIONS * THROTTLE_MIB
    add(f"(b) haul >= {CEILING_SHARE:.0%} of the server's ceiling at {DEFAULT_CONNECTIONS} connections "
        f"({DEFAULT_CONNECTIONS} x {THROTTLE_MIB} = {ceiling} MiB/s)",
        None if not b_h else b_h >= CEILING_SHARE * ceiling,
        f"haul {fmt(b_h, '.1f')} MiB/s = {fmt(b_h / ceiling * 100 if b_h else None, '.1f')} % of {ceiling} MiB/s "
        f"(aria2c {fmt(b_a, '.1f')} MiB/s)")
    b_w = get("b", HAUL_WIDE, "mib_s")
    add(f"(b) {HAUL_WIDE} (--connections {WIDE_CONNECTIONS}) >= 2.5x aria2c throughput",
        None if not (b_w and b_a) else b_w >= 2.5 * b_a,
        f"{HAUL_WIDE} {fmt(b_w, '.1f')} MiB/s vs aria2c {fmt(b_a, '.1f')} MiB/s"
        + (f" = {b_w / b_a:.2f}x" if b_w and b_a else ""))
    c_h, c_c = get("c", "haul", "median_s"), get("c", "curl", "median_s")
    add("(c) haul time <= curl time (curl -Z --parallel-max 16)", None if not (c_h and c_c) else c_h <= c_c,
        f"haul {fmt(c_h, '.2f')} s vs curl {fmt(c_c, '.2f')} s")
    # The issue's own figure for (c), "curl 0.40 s", is plain curl with the URL list: curl-seq here.
    c_s = get("c", "curl-seq", "median_s")
    add("(c) haul time <= curl-seq time (plain curl -K list, as the issue measured curl)",
        None if not (c_h and c_s) else c_h <= c_s, f"haul {fmt(c_h, '.2f')} s vs curl-seq {fmt(c_s, '.2f')} s")
    h, c = get("c", "haul", "cpu_s_per_gib"), get("c", "curl-seq", "cpu_s_per_gib")
    add("(c) haul CPU s/GiB <= curl-seq's", None if h is None or c is None else h <= c,
        f"haul {fmt(h, '.2f')} vs curl-seq {fmt(c, '.2f')} CPU s/GiB")
    for key in ("a", "b", "c"):
        h, c = get(key, "haul", "cpu_s_per_gib"), get(key, "curl", "cpu_s_per_gib")
        add(f"({key}) haul CPU s/GiB <= curl's", None if h is None or c is None else h <= c,
            f"haul {fmt(h, '.2f')} vs curl {fmt(c, '.2f')} CPU s/GiB")
    for key in ("a", "b", "c"):
        rss = get(key, "haul", "service_peak_rss_mib")
        add(f"({key}) haul service peak RSS < 40 MiB", None if rss is None else rss < 40,
            f"{fmt(rss, '.1f')} MiB")
    rss = get("b", HAUL_WIDE, "service_peak_rss_mib")
    add(f"(b) {HAUL_WIDE} service peak RSS < 40 MiB", None if rss is None else rss < 40, f"{fmt(rss, '.1f')} MiB")
    for key in ("d1", "d2"):
        h, c = get(key, "haul", "median_s"), get(key, "curl", "median_s")
        add(f"({key}) haul >= 1.3x curl throughput", None if not (h and c) else c >= 1.3 * h,
            f"haul {fmt(h, '.2f')} s vs curl {fmt(c, '.2f')} s" + (f" = {c / h:.2f}x" if h and c else ""))
        h, c = get(key, "haul", "service_cpu_s_per_gib"), get(key, "curl", "cpu_s_per_gib")
        add(f"({key}) haul service CPU s/GiB <= curl's", None if h is None or c is None else h <= c,
            f"haul service {fmt(h, '.2f')} vs curl {fmt(c, '.2f')} CPU s/GiB "
            f"(haul client + service {fmt(get(key, 'haul', 'cpu_s_per_gib'), '.2f')})")
    for key in ("e1", "e2"):
        h, a = get(key, "haul", "median_s"), get(key, "aria2c", "median_s")
        add(f"({key}) haul >= 2x aria2c -x16 throughput", None if not (h and a) else a >= 2 * h,
            f"haul {fmt(h, '.2f')} s vs aria2c {fmt(a, '.2f')} s" + (f" = {a / h:.2f}x" if h and a else ""))
    h, c = get("f", "haul", "median_s"), get("f", "curl", "median_s")
    add("(f) haul throughput >= curl -Z's", None if not (h and c) else h <= c,
        f"haul {fmt(h, '.2f')} s vs curl -Z {fmt(c, '.2f')} s")
    rss = get("f", "haul", "service_peak_rss_mib")
    add("(f) haul service peak RSS < 60 MiB", None if rss is None else rss < 60, f"{fmt(rss, '.1f')} MiB")
    jobs.targets(scenarios.get("g"), add, fmt)
    rpc_add.targets(rpc_scenario, add, fmt)
    return targets


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--haul", help="the haul binary (default $HAUL_BIN, else target/release/haul in the repo)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 256 MiB / 128 MiB / 200 files, 1 run each")
    ap.add_argument("--runs", type=int, help="runs per contender and scenario (default 3; 1 with --quick)")
    ap.add_argument("--json-out", type=Path, help="also write the results as JSON here")
    ap.add_argument("--tmp", type=Path, default=Path("/tmp"), help="parent of the temp dir (default /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (files, logs, haul data)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get install missing peers/nginx")
    ap.add_argument("--skip-correctness", action="store_true", help="leave out the resume-correctness check")
    ap.add_argument("--only", default="abcdefgr",
                    help="scenarios to run, e.g. 'c' or 'ab' (default abcdefgr; 's', the HLS stream, only when asked)")
    ap.add_argument("--jobs-scale", action="store_true",
                    help="(g) with 100,000 jobs instead of 10,000 (creating them takes minutes)")
    ap.add_argument("--against", type=Path, metavar="BIN",
                    help=f"another haul binary, run as contender {HAUL_BASE} beside haul in every scenario of "
                         "haul against peers (interleaved runs, its own service): an A/B of two builds")
    ap.add_argument("--no-window", action="store_true", help="(f), (g): leave the window (Xvfb) out")
    args = ap.parse_args()

    haul_bin = Path(args.haul or os.environ.get("HAUL_BIN") or REPO / "target" / "release" / "haul").resolve()
    if not os.access(haul_bin, os.X_OK):
        print(f"bench: no haul binary at {haul_bin} (build it: cargo build --release -p haul, or pass --haul PATH)",
              file=sys.stderr)
        return 2
    runs = args.runs or (1 if args.quick else 3)
    sizes = ({"big": 256 * MiB, "throttled": 128 * MiB, "small": 100 * KiB, "small_count": 200, "resume": 32 * MiB,
              "tls": 256 * MiB, "far_small": 2 * MiB, "far_count": 50, "many": 16 * KiB, "many_count": 2000,
              "jobs": 2000}
             if args.quick else
             {"big": 2 * GiB, "throttled": 512 * MiB, "small": 100 * KiB, "small_count": 1000, "resume": 64 * MiB,
              "tls": GiB, "far_small": 2 * MiB, "far_count": 200, "many": 16 * KiB, "many_count": 10_000,
              "jobs": 10_000})
    if args.jobs_scale:
        sizes["jobs"] = 100_000

    try:
        tools = ensure_tools(not args.no_install)
        sizes, scaled = scale_sizes(sizes, args.tmp)
        if scaled:
            log("NOTE: " + scaled)
    except Fatal as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    load_start = os.getloadavg()
    if load_start[0] > 0.7:
        log(f"WARNING: load average {load_start[0]:.2f} at start: something else is using the CPUs")
    work = Path(tempfile.mkdtemp(prefix="haul-bench-", dir=args.tmp))
    os.chmod(work, 0o755)  # nginx workers run as nobody when started by root
    www = work / "www"
    folders = ("throttled", "throttled/far", "small", "resume", "many")
    for d in folders:
        (www / d).mkdir(parents=True)
    os.chmod(www, 0o755)
    for d in folders:
        os.chmod(www / d, 0o755)
    certs = None
    if "d" in args.only:
        try:
            certs = tls.make_certificates(work)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            log(f"scenario (d) not run: {e}")
    nginx = Nginx(tools["nginx"], work, www, certs)
    haul = Haul(haul_bin, work, ca_file=certs["ca"] if certs else None)
    proxy = xvfb = None
    hauls = {"haul": haul, HAUL_WIDE: Haul(haul_bin, work, HAUL_WIDE),
             "haul-rpc": Haul(haul_bin, work, "haul-rpc", rpc_listen=f"127.0.0.1:{free_port()}")}
    if args.against:
        hauls[HAUL_BASE] = Haul(args.against.resolve(), work, HAUL_BASE, ca_file=certs["ca"] if certs else None)
    wrong: list[str] = []
    started = time.monotonic()
    try:
        log(f"work dir {work}; generating random files")
        big_sha = write_random(www / "big.bin", sizes["big"])
        thr_sha = write_random(www / "throttled" / "mid.bin", sizes["throttled"])
        small = []
        for i in range(sizes["small_count"]):
            name = f"f{i:04d}.bin"
            small.append((name, sizes["small"], write_random(www / "small" / name, sizes["small"])))
        case = ResumeCase(www, work, sizes["resume"])
        tls_sha = write_random(www / "tls.bin", sizes["tls"]) if certs else None
        far_small = [(f"g{i:03d}.bin", sizes["far_small"], write_random(www / "throttled" / "far" / f"g{i:03d}.bin",
                                                                           sizes["far_small"]))
                     for i in range(sizes["far_count"] if "e" in args.only else 0)]
        many = [(f"m{i:05d}.bin", sizes["many"], write_random(www / "many" / f"m{i:05d}.bin", sizes["many"]))
                for i in range(sizes["many_count"] if "f" in args.only else 0)]
        os.sync()  # write the new files back now, not during the first runs (the page cache keeps them)
        log(f"files ready ({time.monotonic() - started:.0f} s)")

        nginx.start()
        haul.start()
        if HAUL_BASE in hauls:
            hauls[HAUL_BASE].start()
        if "b" in args.only:
            hauls[HAUL_WIDE].start()
        log(f"nginx on 127.0.0.1:{nginx.port}; haul service pid {haul.pid}")
        if "e" in args.only:
            proxy = far.DelayProxy(nginx.port)
        if ("f" in args.only or "g" in args.only) and not args.no_window:
            try:
                xvfb = window.Xvfb(work)
            except window.WindowError as e:
                log(f"the window is not measured: {e}")
        versions = {
            "haul": version_of([str(haul_bin), "--version"]),
            "curl": version_of(["curl", "--version"]).split(" (")[0],
            "aria2c": version_of(["aria2c", "--version"]) if tools["aria2c"] else "aria2c missing",
            "nginx": version_of([tools["nginx"], "-v"]).replace("nginx version: ", ""),
            "wget": version_of(["wget", "--version"]) if tools["wget"] else None,
        }
        peers = ["curl"] + (["aria2c"] if tools["aria2c"] else [])
        gib_ish = lambda n: f"{n / GiB:g} GiB" if n >= GiB else f"{n // MiB} MiB"  # noqa: E731
        scenario_defs = [
            {"key": "a", "title": f"one {gib_ish(sizes['big'])} file, unthrottled",
             "files": [("big.bin", sizes["big"], big_sha)], "url": lambda n: nginx.url(n),
             "timeout": sizes["big"] / (20 * MiB) + 60, "contenders": ["haul", *peers]},
            {"key": "b", "title": f"one {gib_ish(sizes['throttled'])} file, nginx limit_rate {THROTTLE_MIB}m ({THROTTLE_MIB} MiB/s) per connection",
             "files": [("mid.bin", sizes["throttled"], thr_sha)], "url": lambda n: nginx.url("throttled/" + n),
             "timeout": sizes["throttled"] / (5 * MiB) + 60, "contenders": ["haul", HAUL_WIDE, *peers]},
            {"key": "c", "title": f"{sizes['small_count']} files of {sizes['small'] // KiB} KiB in one job",
             "files": small, "url": lambda n: nginx.url("small/" + n),
             "timeout": 240, "contenders": ["haul", "curl", "curl-seq", *peers[1:]]},
        ]
        if certs:
            ca = str(certs["ca"])
            for key, server in (("d1", "h1"), ("d2", "h2")):
                scenario_defs.append(
                    {"key": key, "title": f"one {gib_ish(sizes['tls'])} file over HTTPS (TLS 1.3), server offers "
                     + ("HTTP/1.1 only" if server == "h1" else "HTTP/2 and HTTP/1.1 (ALPN)"),
                     "files": [("tls.bin", sizes["tls"], tls_sha)], "url": lambda n, s=server: nginx.tls_url(s, n),
                     "timeout": sizes["tls"] / (10 * MiB) + 60, "contenders": ["haul", *peers],
                     "extra": {"curl": ["--cacert", ca], "aria2c": [f"--ca-certificate={ca}"]},
                     "note": f"haul's service runs with SSL_CERT_FILE={ca}; CPU target: haul's service CPU "
                             "(without the `haul add` client) vs curl's"})
        if proxy:
            far_note = (f"through a loopback proxy that holds each request {far.DELAY_S * 1000:.0f} ms (every response's "
                        f"first byte 80 ms late), nginx limit_rate {THROTTLE_MIB}m per connection")
            scenario_defs += [
                {"key": "e1", "title": f"far server: one {gib_ish(sizes['throttled'])} file, +80 ms first byte, "
                 f"{THROTTLE_MIB} MiB/s per connection",
                 "files": [("mid.bin", sizes["throttled"], thr_sha)], "url": lambda n: proxy.url("throttled/" + n),
                 "timeout": sizes["throttled"] / (5 * MiB) + 60, "contenders": ["haul", *peers[1:]], "note": far_note},
                {"key": "e2", "title": f"far server: {sizes['far_count']} files of {sizes['far_small'] // MiB} MiB in one "
                 f"job, +80 ms first byte, {THROTTLE_MIB} MiB/s per connection",
                 "files": far_small, "url": lambda n: proxy.url("throttled/far/" + n),
                 "timeout": 600, "contenders": ["haul", *peers[1:]], "note": far_note},
            ]
        if many:
            scenario_defs.append(
                {"key": "f", "title": f"{sizes['many_count']} files of {sizes['many'] // KiB} KiB in one job",
                 "files": many, "url": lambda n: nginx.url("many/" + n), "timeout": 900, "contenders": ["haul", "curl"],
                 # aria2c -j16 took 29 s for 2,000 of these files (about 15 ms a file, whatever the
                 # load): it would add minutes per run to a default run and has no target here.
                 "note": "aria2c left out: it takes about 15 ms a file here (29 s for 2,000), minutes for 10,000"})
        scenarios = []
        for sc in scenario_defs:
            if sc["key"][0] not in args.only:
                continue
            if HAUL_BASE in hauls:
                sc["contenders"] = ["haul", HAUL_BASE, *sc["contenders"][1:]]
            result = run_scenario(sc, sc["contenders"], runs, tools, hauls, work, wrong)
            result["note"] = sc.get("note")
            if certs and sc["key"] in ("d1", "d2"):
                result["negotiated"] = tls.negotiated(work, nginx.tls_ports)
                result["negotiated"] = {k: v for k, v in result["negotiated"].items()
                                        if k == ("h1" if sc["key"] == "d1" else "h2")}
            if sc["key"] == "f" and xvfb:
                result["window"] = window_during_many(haul, xvfb, work, sc, wrong)
            scenarios.append(result)
        jobs_scenario = None
        if "g" in args.only:
            try:
                jobs_scenario = jobs.run(Haul, haul_bin, work, sizes["jobs"],
                                         lambda i: nginx.url(f"small/j{i:06d}.bin"), runs, run_measured,
                                         proc_status_kib, log, xvfb)
            except (jobs.JobsError, OSError, Fatal, subprocess.TimeoutExpired) as e:
                log(f"scenario (g) not run: {e}")
        rpc_scenario = None
        if "r" in args.only:
            try:
                hauls["haul-rpc"].start()
                rpc_scenario = rpc_add.run(hauls["haul-rpc"], small, lambda n: nginx.url("small/" + n), runs, work,
                                           verify, log, wrong, proc_cpu_s)
            except rpc_add.RpcError as e:
                log(f"scenario (r) not run: {e}")
            finally:
                hauls["haul-rpc"].stop()
        stream_scenario = None
        if "s" in args.only:
            try:
                stream_scenario = stream.run(haul, www, nginx.url, runs, work, args.quick, log, wrong)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                log(f"scenario (s) not run: {e}")
        correctness = []
        if not args.skip_correctness:
            url = nginx.url("resume/file.bin")
            for name in ["haul", "curl", *(["wget"] if tools["wget"] else []), *(["aria2c"] if tools["aria2c"] else [])]:
                dest = work / "dl" / f"resume-{name}"
                shutil.rmtree(dest, ignore_errors=True)
                dest.mkdir(parents=True)
                row = (haul_resume(haul, case, url, dest) if name == "haul"
                       else peer_resume(name, case, url, dest, work))
                log(f"  {name}: {row['result']}")
                correctness.append(row)
                shutil.rmtree(dest, ignore_errors=True)
            haul_row = next((r for r in correctness if r["contender"] == "haul"), None)
            if haul_row and haul_row["result"] != "correct":
                wrong.append(f"resume correctness: haul's file is not the new file: {haul_row['result']}")

        by_key = {s["key"]: s for s in scenarios}
        if jobs_scenario:
            by_key["g"] = jobs_scenario
        targets = check_targets(by_key, rpc_scenario)
        meta = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "cpus": os.cpu_count(),
            "kernel": platform.release(),
            "versions": versions,
            "haul_bin": str(haul_bin),
            "runs": runs,
            "quick": args.quick,
            "sizes": sizes,
            "scaled": scaled,
            "resume_size": sizes["resume"],
            "download_fs": f"{work / 'dl'} (same disk as the served files)",
            "elapsed_s": None,
            "loadavg_start": load_start,
            "loadavg_end": os.getloadavg(),
        }
        meta["elapsed_s"] = round(time.monotonic() - started, 1)
        text = report(meta, scenarios, targets, correctness, wrong, rpc_scenario, jobs_scenario)
        if stream_scenario:
            text += "\n" + "\n".join(stream.report_lines(stream_scenario, fmt))
        print(text)
        print(f"\n(benchmark took {meta['elapsed_s']:.0f} s)")
        if args.json_out:
            args.json_out.write_text(json.dumps(
                {"meta": meta, "scenarios": scenarios, "rpc_scenario": rpc_scenario, "stream_scenario": stream_scenario,
                 "jobs_scenario": jobs_scenario,
                 "targets": targets,
                 "correctness": correctness, "wrong": wrong}, indent=2) + "\n")
            log(f"JSON written to {args.json_out}")
        return 1 if wrong else 0
    except Fatal as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    finally:
        try:
            for h in hauls.values():
                h.stop()
        finally:
            if proxy:
                proxy.stop()
            if xvfb:
                xvfb.stop()
            nginx.stop()
            if args.keep:
                log(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
