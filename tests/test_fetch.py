"""The fetcher and the WARC writer against a local server; nothing leaves the machine."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress

import pytest
from localweb import Web, install_guard, page, serve

from ledger.interchange import fetch, warc

warcio = pytest.importorskip("warcio")

OPEN = fetch.Limits(timeout=5, allow_private=True)


def test_page_body_and_sha256_are_the_bytes_served(web: Web):
    got = fetch.fetch(web.url("/page/a"), OPEN)
    assert got.final.status == 200
    assert got.final.body == page("a")
    assert got.sha256 == hashlib.sha256(page("a")).hexdigest()
    assert got.final.ip == "127.0.0.1"
    assert got.final.request.startswith(b"GET /page/a HTTP/1.0\r\nHost: 127.0.0.1:")


def test_loopback_is_refused_without_allow_private(web: Web):
    with pytest.raises(fetch.FetchError, match=r"127\.0\.0\.1 is a loopback address: refused"):
        fetch.fetch(web.url("/page/a"), fetch.Limits(timeout=5))
    assert web.hits == []  # refused before connecting
    with pytest.raises(fetch.FetchError, match=r"localhost is at 127\.0\.0\.1, which is a loopback address"):
        fetch.fetch(f"http://localhost:{web.port}/page/a", fetch.Limits(timeout=5))
    assert web.hits == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "a private"),
        ("192.168.1.1", "a private"),
        ("172.16.0.1", "a private"),
        ("169.254.169.254", "a link-local"),
        ("127.0.0.2", "a loopback"),
        ("0.0.0.0", "an unspecified"),
        ("[::1]", "a loopback"),
        ("[fe80::1]", "a link-local"),
        ("[fd00::1]", "a private"),
        ("[::ffff:10.0.0.1]", "a private"),
        ("100.64.0.1", "a non-public"),
        ("224.0.0.1", "a multicast"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str, monkeypatch: pytest.MonkeyPatch):
    install_guard(monkeypatch)
    with pytest.raises(fetch.FetchError, match=f"is {kind} address: refused"):
        fetch.fetch(f"http://{address}/x", fetch.Limits(timeout=5))


def test_public_addresses_pass_the_check():
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"):
        assert fetch.is_public(ipaddress.ip_address(address))


def test_a_resolved_name_is_checked_by_its_address(monkeypatch: pytest.MonkeyPatch):
    install_guard(monkeypatch)
    with pytest.raises(fetch.FetchError, match=r"news\.example is at 192\.168\.0\.9, which is a private address"):
        fetch.fetch("http://news.example/x", fetch.Limits(timeout=5), resolve=lambda host, port: ["192.168.0.9"])


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"])
def test_only_http_and_https(url: str):
    with pytest.raises(fetch.FetchError, match="only http and https URLs are fetched"):
        fetch.fetch(url, OPEN)


def test_redirects_are_followed_and_recorded(web: Web):
    got = fetch.fetch(web.url("/hop/2"), OPEN)
    assert [e.url for e in got.exchanges] == [
        web.url("/hop/2"),
        web.url("/hop/1"),
        web.url("/hop/0"),
        web.url("/page/hops"),
    ]
    assert [e.status for e in got.exchanges] == [302, 302, 302, 200]
    assert got.final.body == page("hops")


def test_the_redirect_limit(web: Web):
    with pytest.raises(fetch.FetchError, match="more than 2 redirects"):
        fetch.fetch(web.url("/hop/3"), fetch.Limits(timeout=5, allow_private=True, max_redirects=2))
    assert fetch.fetch(web.url("/hop/1"), fetch.Limits(timeout=5, allow_private=True, max_redirects=2))


def test_a_redirect_to_a_private_address_is_refused(web: Web, monkeypatch: pytest.MonkeyPatch):
    # Let the test server count as public, so the first step is allowed and the redirect is what is refused.
    real = fetch.is_public
    monkeypatch.setattr(fetch, "is_public", lambda a: str(a) == "127.0.0.1" or real(a))
    with pytest.raises(fetch.FetchError, match=r"10\.255\.255\.1 is a private address: refused"):
        fetch.fetch(web.url("/to-private"), fetch.Limits(timeout=5))
    with pytest.raises(fetch.FetchError, match="only http and https"):
        fetch.fetch(web.url("/to-ftp"), fetch.Limits(timeout=5))


def test_a_slow_page_times_out(web: Web):
    with pytest.raises(fetch.FetchError, match="timed out"):
        fetch.fetch(web.url("/slow"), fetch.Limits(timeout=0.5, allow_private=True))


def test_a_dribbling_page_cannot_outlast_the_time_budget(web: Web):
    with pytest.raises(fetch.FetchError, match="timed out"):
        fetch.fetch(web.url("/dribble"), fetch.Limits(timeout=0.7, allow_private=True))


def test_the_size_cap(web: Web):
    small = fetch.Limits(timeout=5, allow_private=True, max_bytes=100_000)
    with pytest.raises(fetch.FetchError, match="the page is 5,000,000 bytes, above the limit of 100,000"):
        fetch.fetch(web.url("/huge"), small)
    with pytest.raises(fetch.FetchError, match="larger than the limit of 100,000 bytes"):
        fetch.fetch(web.url("/endless"), small)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 'HTTP/1.0 404 Not Found'"),
        ("/broken", "answered 'HTTP/1.0 500 Internal Server Error'"),
        ("/garbage", "not an HTTP response"),
        ("/short", "the connection closed after 10 of 100 bytes"),
    ],
)
def test_errors_are_named(web: Web, path: str, message: str):
    with pytest.raises(fetch.FetchError, match=message):
        fetch.fetch(web.url(path), OPEN)


def test_a_closed_port_is_named(monkeypatch: pytest.MonkeyPatch):
    install_guard(monkeypatch)
    with serve() as web:
        port = web.port
    with pytest.raises(fetch.FetchError, match=rf"cannot connect to 127\.0\.0\.1 \(127\.0\.0\.1\) port {port}"):
        fetch.fetch(f"http://127.0.0.1:{port}/page/a", OPEN)


def test_the_warc_file_reads_back_with_warcio(web: Web):
    from warcio.archiveiterator import ArchiveIterator

    got = fetch.fetch(web.url("/hop/1"), OPEN)
    data = warc.build(got)
    assert data[:2] == b"\x1f\x8b"  # gzipped records
    import io

    records = [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
        for r in ArchiveIterator(io.BytesIO(data))
    ]
    assert [(t, u) for t, u, _ in records] == [
        ("warcinfo", None),
        ("response", web.url("/hop/1")),
        ("request", web.url("/hop/1")),
        ("response", web.url("/hop/0")),
        ("request", web.url("/hop/0")),
        ("response", web.url("/page/hops")),
        ("request", web.url("/page/hops")),
    ]
    assert records[-2][2] == page("hops")
    assert b"incident-ledger" in records[0][2]
    final = [r for r in ArchiveIterator(io.BytesIO(data)) if r.rec_type == "response"][-1]
    import base64

    digest = final.rec_headers.get_header("WARC-Payload-Digest")
    assert digest == "sha256:" + base64.b32encode(hashlib.sha256(page("hops")).digest()).decode()
    assert final.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert warc.responses(data)[-1].sha256 == got.sha256
    assert warc.capture_path(got.sha256) == f"evidence/{got.sha256[:2]}/{got.sha256}.warc.gz"


def test_warcio_finds_every_digest_valid(web: Web, tmp_path):
    from warcio.cli import main as warcio_main

    path = tmp_path / "x.warc.gz"
    path.write_bytes(warc.build(fetch.fetch(web.url("/page/b"), OPEN)))
    with pytest.raises(SystemExit) as stop:
        warcio_main(["check", str(path)])
    assert stop.value.code == 0


def test_a_tampered_warc_shows_another_hash(web: Web, tmp_path):
    got = fetch.fetch(web.url("/page/c"), OPEN)
    raw = gzip.decompress(warc.build(got)).replace(b"report c", b"report X")
    assert warc.responses(raw)[-1].sha256 != got.sha256
    with pytest.raises(ValueError, match="non-chunked gzip file detected"):
        warc.responses(gzip.compress(raw))  # one gzip member for the whole file: not a WARC as archives read it
    with pytest.raises(ValueError, match="is not a readable WARC file"):
        warc.responses(b"this is not a WARC file at all")
