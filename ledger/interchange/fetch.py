"""Fetch a web page for the evidence folder: one careful HTTP(S) GET, recorded byte for byte.

Entries come from many hands, so a source `url` is untrusted input. `fetch` therefore:

- speaks only `http` and `https` (a redirect to anything else is refused);
- resolves the host itself and connects only to an address it has checked: loopback,
  private, link-local, shared, multicast and reserved addresses are refused unless
  `Limits.allow_private` (the check is on the resolved IP, for every redirect too, and the
  socket goes to that very IP, so a second DNS answer cannot slip past it);
- keeps to a time budget for the whole URL (redirects included), a size cap on the body and
  a redirect limit;
- sends an HTTP/1.0 request with `Accept-Encoding: identity`, so the server sends the body
  as it is (no chunked framing, no compression): the body as received is the page a reader
  downloads, and its SHA-256 is what `sha256sum` gives for that download;
- returns every request and response exactly as sent and received (status line, headers,
  body), for the WARC records (`interchange.warc`).

Only a 2xx answer is a capture; anything else raises `FetchError` naming the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from ledger.core import version

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_HEADER_BYTES = 64 * 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one fetch may do."""

    timeout: float = 30.0  # seconds for one URL, redirects included
    max_bytes: int = 50_000_000  # the largest body kept
    max_redirects: int = 5
    allow_private: bool = False  # loopback, private and link-local addresses too (tests, intranets)
    user_agent: str = version.USER_AGENT


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, byte for byte."""

    url: str
    ip: str
    request: bytes
    response: bytes  # status line, headers and body as received
    body_start: int  # offset of the body in `response`
    status: int
    date: dt.datetime  # UTC, when the response was complete

    @property
    def body(self) -> bytes:
        return self.response[self.body_start :]

    @property
    def location(self) -> str | None:
        """Return the Location header of a redirect, if any."""
        for line in self.response[: self.body_start].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"location":
                return value.strip().decode("latin-1")
        return None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page and the way to it: the redirects first, the final response last."""

    url: str
    exchanges: tuple[Exchange, ...]

    @property
    def final(self) -> Exchange:
        return self.exchanges[-1]

    @property
    def sha256(self) -> str:
        """Return the SHA-256 (hex) of the final body, exactly as received."""
        return hashlib.sha256(self.final.body).hexdigest()


class FetchError(Exception):
    """The page could not be captured; the message says why."""


def is_public(address: Address) -> bool:
    """Return whether an address is on the public internet (not loopback, private, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise FetchError(f"cannot resolve {host}: {err.strerror}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def fetch(url: str, limits: Limits = Limits(), *, resolve: Resolve = _resolve) -> Fetched:
    """GET `url` within `limits`, following redirects; raise FetchError when it cannot be captured."""
    deadline = time.monotonic() + limits.timeout
    exchanges: list[Exchange] = []
    current = url
    while True:
        exchange = _get(current, limits, deadline, resolve)
        exchanges.append(exchange)
        if exchange.status in REDIRECTS and exchange.location:
            if len(exchanges) > limits.max_redirects:
                raise FetchError(f"more than {limits.max_redirects} redirects")
            current = urljoin(current, exchange.location)
            continue
        if not 200 <= exchange.status < 300:
            reason = exchange.response.split(b"\r\n", 1)[0].decode("latin-1").strip()
            raise FetchError(f"{current} answered {reason!r}")
        return Fetched(url, tuple(exchanges))


def _target(url: str) -> tuple[str, str, int, str, str]:
    """Split a URL into (scheme, host, port, Host header, request target); refuse other schemes."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise FetchError(f"not a valid URL: {url} ({err})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {url!r}")
    host = parts.hostname or ""
    if not host:
        raise FetchError(f"no host in {url!r}")
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchError(f"cannot encode the host name {host!r}") from None
    default = 443 if scheme == "https" else 80
    port = port or default
    shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    header = shown if port == default else f"{shown}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return scheme, ascii_host, port, header, path + (f"?{query}" if query else "")


def _address(host: str, port: int, limits: Limits, resolve: Resolve) -> str:
    """Resolve the host and return the first address we may connect to."""
    literal = _literal(host)
    candidates = [literal] if literal else resolve(host, port)
    if not candidates:
        raise FetchError(f"cannot resolve {host}")
    for candidate in candidates:
        if limits.allow_private or is_public(ipaddress.ip_address(candidate.split("%")[0])):
            return candidate
    first = ipaddress.ip_address(candidates[0].split("%")[0])
    where = "" if literal else f" is at {first}, which"
    raise FetchError(f"{host}{where} is {_kind(first)} address: refused (--allow-private allows it)")


def _literal(host: str) -> str | None:
    """Return the host as an address when it is an IP literal."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _kind(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for name in ("unspecified", "loopback", "link_local", "private", "multicast", "reserved"):
        if getattr(address, f"is_{name}"):
            return ("an " if name[0] in "aeiou" else "a ") + name.replace("_", "-")
    return "a non-public"


def _get(url: str, limits: Limits, deadline: float, resolve: Resolve) -> Exchange:
    scheme, host, port, host_header, target = _target(url)
    ip = _address(host, port, limits, resolve)
    request = (
        f"GET {target} HTTP/1.0\r\nHost: {host_header}\r\nUser-Agent: {limits.user_agent}\r\n"
        "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    ).encode("ascii")
    try:
        sock: Any = socket.create_connection((ip, port), timeout=_left(deadline, limits))
    except OSError as err:
        raise FetchError(f"cannot connect to {host} ({ip}) port {port}: {_why(err)}") from None
    try:
        if scheme == "https":
            import ssl

            try:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            except ssl.SSLError as err:
                raise FetchError(f"TLS with {host} failed: {err.reason or err}") from None
        sock.settimeout(_left(deadline, limits))
        sock.sendall(request)
        response, body_start, status = _receive(sock, url, limits, deadline)
    except OSError as err:
        raise FetchError(f"{url}: {_why(err)}") from None
    finally:
        sock.close()
    return Exchange(url, ip, request, response, body_start, status, dt.datetime.now(dt.UTC).replace(microsecond=0))


def _receive(sock: Any, url: str, limits: Limits, deadline: float) -> tuple[bytes, int, int]:
    """Read a whole response (the server closes the connection); return it, the body offset and the status."""
    buffer = bytearray()
    head: int | None = None
    length: int | None = None
    status = 0
    while True:
        sock.settimeout(_left(deadline, limits))
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
        if head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEADER_BYTES:
                    raise FetchError(f"{url}: the response headers exceed {MAX_HEADER_BYTES} bytes")
                continue
            head = end + 4
            status, length = _head(bytes(buffer[:end]), url)
            if length is not None and length > limits.max_bytes:
                raise FetchError(f"{url}: the page is {length:,} bytes, above the limit of {limits.max_bytes:,}")
        if head is not None:
            body = len(buffer) - head
            if body > limits.max_bytes:
                raise FetchError(f"{url}: the page is larger than the limit of {limits.max_bytes:,} bytes")
            if length is not None and body >= length:
                del buffer[head + length :]
                break
    if head is None:
        raise FetchError(f"{url}: the server closed the connection before a complete answer")
    if length is not None and len(buffer) - head < length:
        raise FetchError(f"{url}: the connection closed after {len(buffer) - head:,} of {length:,} bytes")
    return bytes(buffer), head, status


def _head(head: bytes, url: str) -> tuple[int, int | None]:
    """Return the status code and Content-Length of a response head."""
    lines = head.split(b"\r\n")
    words = lines[0].split(None, 2)
    if len(words) < 2 or not words[0].startswith(b"HTTP/") or not words[1].isdigit() or len(words[1]) != 3:
        raise FetchError(f"{url}: not an HTTP response ({lines[0][:60]!r})")
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            if not value.strip().isdigit():
                raise FetchError(f"{url}: a bad Content-Length ({value.strip()[:30]!r})")
            length = int(value.strip())
    return int(words[1]), length


def _left(deadline: float, limits: Limits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"timed out (more than {limits.timeout:g} s)")
    return left


def _why(err: OSError) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    return err.strerror or str(err) or type(err).__name__
