"""Scenario (e) of bench.py: a far server. A small TCP proxy on loopback in front of the bench's
nginx holds every byte a client sends for 80 ms before passing it on, so each response's first
byte comes 80 ms later than it would (connection set-up stays instant: the proxy accepts at
once). Responses flow back untouched with os.splice (socket → pipe → socket, no copy through
Python), so the proxy is not the bottleneck; nginx still caps each connection (limit_rate).

One thread per direction of each connection. Standard library only; Linux only (os.splice).
"""

from __future__ import annotations

import fcntl
import os
import queue
import socket
import threading
import time

DELAY_S = 0.080
PIPE_SIZE = 1 << 20


class DelayProxy:
    """Listens on a free loopback port and forwards to 127.0.0.1:upstream_port."""

    def __init__(self, upstream_port: int, delay_s: float = DELAY_S):
        self.upstream_port, self.delay_s = upstream_port, delay_s
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        held: queue.Queue = queue.Queue()
        threads = [threading.Thread(target=self._read_requests, args=(client, held), daemon=True),
                   threading.Thread(target=self._send_requests, args=(held, upstream), daemon=True),
                   threading.Thread(target=self._splice, args=(upstream, client), daemon=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        client.close()
        upstream.close()

    def _read_requests(self, client: socket.socket, held: queue.Queue) -> None:
        while True:
            try:
                data = client.recv(65536)
            except OSError:
                data = b""
            held.put((time.monotonic() + self.delay_s, data))
            if not data:
                return

    def _send_requests(self, held: queue.Queue, upstream: socket.socket) -> None:
        while True:
            due, data = held.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if not data:
                    upstream.shutdown(socket.SHUT_WR)
                    return
                upstream.sendall(data)
            except OSError:
                return

    def _splice(self, upstream: socket.socket, client: socket.socket) -> None:
        r, w = os.pipe()
        try:
            try:
                fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
            except OSError:
                pass
            src, dst = upstream.fileno(), client.fileno()
            while True:
                n = os.splice(src, w, PIPE_SIZE)
                if n == 0:
                    break
                while n:
                    n -= os.splice(r, dst, n)
        except OSError:
            pass
        finally:
            os.close(r)
            os.close(w)
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
