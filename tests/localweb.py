"""A web server on 127.0.0.1 for the evidence tests, and a guard that keeps them off the network.

`serve()` starts the server in a thread and stops it when the `with` block ends. Pages:

    /page/NAME       200, a small HTML page naming NAME (Content-Length given)
    /same            200, the very bytes of /page/a (captures are shared by content)
    /hop/N           302 to /hop/N-1; /hop/0 redirects to /page/hops
    /to-private      302 to http://10.255.255.1/secret (a private address)
    /to-ftp          302 to ftp://127.0.0.1/file
    /slow            answers after `Web.slow_seconds` (or when the server stops)
    /dribble         sends its body one byte every 0.2 s, without end
    /huge            announces and sends 5,000,000 bytes
    /endless         sends bytes without a Content-Length until the client hangs up
    /short           announces 100 bytes and sends 10
    /missing         404; /broken: 500; /garbage: not HTTP at all

`guard` (a fixture in the test modules) makes every socket connect and name lookup outside
loopback fail the test: nothing here may leave the machine.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


def page(name: str) -> bytes:
    return f"<!doctype html><title>{name}</title><p>report {name}</p>\n".encode()


@dataclass
class Web:
    port: int
    stop: threading.Event = field(default_factory=threading.Event)
    slow_seconds: float = 30.0
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class _Handler(http.server.BaseHTTPRequestHandler):
    web: Web

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        web = self.web
        web.hits.append(self.path)
        path = self.path
        try:
            if path.startswith("/page/"):
                self._send(200, page(path.removeprefix("/page/")), Content_Type="text/html")
            elif path == "/same":
                self._send(200, page("a"), Content_Type="text/html")
            elif path.startswith("/hop/"):
                n = int(path.removeprefix("/hop/"))
                self._send(302, b"", Location=f"/hop/{n - 1}" if n > 0 else "/page/hops")
            elif path == "/to-private":
                self._send(302, b"", Location="http://10.255.255.1/secret")
            elif path == "/to-ftp":
                self._send(302, b"", Location="ftp://127.0.0.1/file")
            elif path == "/slow":
                web.stop.wait(web.slow_seconds)
                self._send(200, page("slow"))
            elif path == "/dribble":
                self.send_response(200)
                self.end_headers()
                while not web.stop.wait(0.2):
                    self.wfile.write(b"x")
                    self.wfile.flush()
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Length", "5000000")
                self.end_headers()
                for _ in range(50):
                    self.wfile.write(b"y" * 100_000)
            elif path == "/endless":
                self.send_response(200)
                self.end_headers()
                while not web.stop.is_set():
                    self.wfile.write(b"z" * 65536)
            elif path == "/short":
                self._send(200, b"0123456789", Content_Length="100")
            elif path == "/missing":
                self._send(404, b"not here")
            elif path == "/broken":
                self._send(500, b"oops")
            elif path == "/garbage":
                self.wfile.write(b"hello, this is not HTTP\r\n\r\n")
            else:
                self._send(404, b"no such test page")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should on /huge and /endless


@contextlib.contextmanager
def serve() -> Iterator[Web]:
    """Run the test server on 127.0.0.1 (a free port) for the `with` block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    web = Web(server.server_address[1])
    handler = type("Handler", (_Handler,), {"web": web})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        web.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _loopback(host: object) -> bool:
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def install_guard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail on any connection or name lookup that would leave this machine; return the list of attempts."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(host):
            attempts.append(f"connect to {address!r}")
            pytest.fail(f"the test tried to leave the machine: connect to {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _loopback(host):
            attempts.append(f"look up {host!r}")
            pytest.fail(f"the test tried to leave the machine: look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts
