"""Scenario (d) of bench.py: one file over HTTPS (TLS 1.3) from the bench's nginx, once from a
server that offers HTTP/1.1 only and once from one that offers HTTP/2 too (ALPN).

The certificate authority and the server's certificate (SAN 127.0.0.1 and localhost) are made
for the run by the `openssl` command line. Each contender trusts that CA its own way, never by
turning verification off: curl `--cacert`, aria2c `--ca-certificate`, haul `SSL_CERT_FILE` in the
service's environment (rustls-platform-verifier reads the system's roots through
rustls-native-certs on Linux, which honours it). nginx logs each request's protocol, TLS version
user agent and connection, so the report says what each contender negotiated and over how
many connections. Standard library only.
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

# Two TLS servers in the bench's nginx config: {h1_port} offers HTTP/1.1 only, {h2_port} HTTP/2 too.
NGINX_SERVERS = """\
    log_format tlsproto '$server_port $pid:$connection $server_protocol $ssl_protocol "$http_user_agent"';
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:tls:1m;
    server {{
        listen 127.0.0.1:{h1_port} ssl;
        root {www};
        access_log {work}/tls-access.log tlsproto;
    }}
    server {{
        listen 127.0.0.1:{h2_port} ssl http2;
        root {www};
        access_log {work}/tls-access.log tlsproto;
    }}
"""


def make_certificates(work: Path) -> dict:
    """A CA and a server certificate signed by it, with the openssl CLI; returns their paths."""
    d = work / "tls"
    d.mkdir(exist_ok=True)
    paths = {"ca": d / "ca.pem", "ca_key": d / "ca.key", "cert": d / "server.pem", "key": d / "server.key"}
    ext = d / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    steps = [
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(paths["ca_key"]), "-out", str(paths["ca"]), "-days", "2", "-subj", "/CN=Haul bench CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(paths["key"]), "-out", str(d / "server.csr"), "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(paths["ca"]), "-CAkey",
         str(paths["ca_key"]), "-CAcreateserial", "-out", str(paths["cert"]), "-days", "2", "-extfile", str(ext)],
    ]
    for cmd in steps:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed: {r.stderr.strip()[-300:]}")
    for p in paths.values():
        p.chmod(0o644)
    return paths


def negotiated(work: Path, ports: dict[str, int]) -> dict[str, list[str]]:
    """Per server ("h1", "h2"): "user agent: protocol TLS (requests over connections)", all runs
    together, from nginx's log."""
    log = work / "tls-access.log"
    requests: dict[tuple, int] = collections.Counter()
    connections: dict[tuple, set] = collections.defaultdict(set)
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            parts = line.split(" ", 4)
            if len(parts) == 5:
                agent = parts[4].strip('"').split(" ")[0] or "-"
                key = (parts[0], agent, parts[2], parts[3])
                requests[key] += 1
                connections[key].add(parts[1])
    by_port = {str(port): name for name, port in ports.items()}
    out: dict[str, list[str]] = {name: [] for name in ports}
    for key, n in sorted(requests.items()):
        port, agent, proto, tls_version = key
        if port in by_port:
            out[by_port[port]].append(f"{agent}: {proto} {tls_version} ({n} requests over "
                                      f"{len(connections[key])} connections)")
    return out
