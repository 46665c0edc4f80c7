"""Scenario (s) of bench.py: an HLS stream of 2,000 MPEG-TS segments (200 with --quick) on the
bench's nginx, saved by `haul add URL --wait` against `ffmpeg -i URL -c copy` (Debian's ffmpeg,
which fetches the segments one after the other on a kept-alive connection and remuxes them) and
against `curl -Z` over the segment list (parallel, 16 at once, one file per segment, no joining).

The stream is made once by ffmpeg itself (lavfi test picture with noise, libx264 ultrafast, a key
frame every 5 frames, 0.2 s segments), so ffmpeg can read it. Haul's file must be exactly the
segments joined in order (sha256); ffmpeg's is a remux (other bytes), checked only for its size;
curl's segments are checked by count and bytes. Without ffmpeg the scenario is not run.
Standard library only; bench.py passes in what it shares (Haul, log).
"""

from __future__ import annotations

import hashlib
import shutil
import statistics
import subprocess
import time
from pathlib import Path

CONTENDERS = ["haul", "ffmpeg", "curl-Z"]
COMMANDS = {
    "haul": "haul add URL --wait --dir D (segments in parallel, appended in order to one .ts)",
    "ffmpeg": "ffmpeg -v error -i URL -c copy -f mpegts D/out.ts",
    "curl-Z": "curl -Z --parallel-max 16 -K LIST (one file per segment, not joined)",
}
SEGMENT_S = 0.2
TIMEOUT_S = 900


def make_stream(www: Path, count: int, log) -> tuple[list[str], str, int]:
    """Writes www/stream/index.m3u8 and its segments; returns the segment names, the sha256 of
    their concatenation and its size."""
    folder = www / "stream"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    started = time.monotonic()
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25",
           "-vf", "noise=alls=30:allf=t", "-t", f"{count * SEGMENT_S:.1f}",
           "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-keyint_min", "5", "-sc_threshold", "0",
           "-f", "hls", "-hls_time", f"{SEGMENT_S}", "-hls_list_size", "0", "-hls_playlist_type", "vod",
           "-hls_segment_filename", str(folder / "seg%05d.ts"), str(folder / "index.m3u8")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg could not make the stream: {r.stderr.strip()[-400:]}")
    names = [line.strip() for line in (folder / "index.m3u8").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    digest, total = hashlib.sha256(), 0
    for name in names:
        data = (folder / name).read_bytes()
        digest.update(data)
        total += len(data)
    log(f"  stream made: {len(names)} segments, {total / 2**20:.1f} MiB ({time.monotonic() - started:.0f} s)")
    return names, digest.hexdigest(), total


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def one_run(contender: str, haul, url: str, segment_urls: list[str], dest: Path) -> None:
    """Runs one contender into the empty folder `dest`; raises if it failed."""
    if contender == "haul":
        r = haul.cli("add", url, "--wait", "--dir", str(dest), timeout=TIMEOUT_S)
    elif contender == "ffmpeg":
        r = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", url, "-c", "copy", "-f", "mpegts",
                            str(dest / "out.ts")], capture_output=True, text=True, timeout=TIMEOUT_S)
    else:
        listing = dest.parent / f"{dest.name}.curl-list"
        listing.write_text("".join(f'url = "{u}"\noutput = "{dest}/{i:05d}.ts"\n' for i, u in enumerate(segment_urls)))
        r = subprocess.run(["curl", "-sS", "-f", "-Z", "--parallel-max", "16", "-K", str(listing)],
                           capture_output=True, text=True, timeout=TIMEOUT_S)
        listing.unlink()
    if r.returncode != 0:
        raise RuntimeError(f"{contender} exited {r.returncode}: {(r.stderr or '').strip()[-300:]}")


def check(contender: str, dest: Path, count: int, sha: str, total: int) -> str | None:
    """What is wrong with a contender's result, if anything."""
    files = sorted(p for p in dest.iterdir() if p.is_file())
    if contender == "haul":
        if len(files) != 1 or files[0].suffix != ".ts":
            return f"haul left {[p.name for p in files]}"
        got = sha256_of(files[0])
        return None if got == sha else f"haul's {files[0].name} has sha256 {got}, the segments joined {sha}"
    if contender == "ffmpeg":
        size = files[0].stat().st_size if files else 0
        return None if size > total // 2 else f"ffmpeg wrote {size} bytes of {total}"
    size = sum(p.stat().st_size for p in files)
    return None if (len(files), size) == (count, total) else f"curl wrote {len(files)} files, {size} bytes"


def run(haul, www: Path, url_of, runs: int, work: Path, quick: bool, log, wrong: list[str]) -> dict | None:
    if not shutil.which("ffmpeg"):
        log("scenario (s) not run: no ffmpeg (apt-get install ffmpeg)")
        return None
    count = 200 if quick else 2000
    log(f"scenario (s) an HLS stream of {count} segments: {runs} run(s) x {len(CONTENDERS)} contenders")
    names, sha, total = make_stream(www, count, log)
    url = url_of("stream/index.m3u8")
    segment_urls = [url_of("stream/" + n) for n in names]
    results: dict[str, dict] = {}
    for contender in CONTENDERS:
        times = []
        for n in range(runs):
            dest = work / "dl" / f"stream-{contender}-{n}"
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            started = time.monotonic()
            try:
                one_run(contender, haul, url, segment_urls, dest)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                log(f"  {contender}: {e}")
                if contender == "haul":
                    wrong.append(f"stream: {e}")
                break
            wall = time.monotonic() - started
            problem = check(contender, dest, len(names), sha, total)
            if problem:
                log(f"  {contender}: WRONG: {problem}")
                if contender == "haul":
                    wrong.append(f"stream: {problem}")
            times.append(wall)
            log(f"  {contender} run {n + 1}: {wall:.2f} s")
            shutil.rmtree(dest, ignore_errors=True)
        if times:
            wall = statistics.median(times)
            results[contender] = {"wall_s": round(wall, 3), "mib_s": round(total / 2**20 / wall, 1)}
    return {"key": "s", "segments": len(names), "bytes": total, "contenders": results}


def report_lines(sc: dict, fmt) -> list[str]:
    out = [f"\n(s) an HLS stream of {sc['segments']} segments, {sc['bytes'] / 2**20:.1f} MiB in all"]
    out.append(f"  {'contender':<10} {'wall s':>8} {'MiB/s':>8} {'vs haul':>8}  command")
    haul = sc["contenders"].get("haul", {}).get("wall_s")
    for name in CONTENDERS:
        row = sc["contenders"].get(name)
        if not row:
            out.append(f"  {name:<10} {'failed':>8}")
            continue
        ratio = f"{row['wall_s'] / haul:.2f}x" if haul else "-"
        out.append(f"  {name:<10} {fmt(row['wall_s'], '.2f'):>8} {fmt(row['mib_s'], '.1f'):>8} {ratio:>8}  "
                   f"{COMMANDS[name]}")
    peer = sc["contenders"].get("ffmpeg", {}).get("wall_s")
    if haul and peer:
        verdict = "PASS" if haul <= peer else "MISS"
        out.append(f"  target: haul at least as fast as ffmpeg -c copy: {verdict} ({peer / haul:.1f}x)")
    return out
