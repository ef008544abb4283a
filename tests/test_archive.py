"""`ledger archive` against a local server: captures as WARC, hashes in the entries, nothing else touched.

Every test runs with the network guard: a connection or name lookup outside loopback fails it.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tomllib
import zlib
from pathlib import Path

import pytest
from conftest import entry
from localweb import Web, page

pytest.importorskip("warcio")

A = "2020-01-05-green-zone-rockets"
B = "2020-01-06-strike-near-albukamal"
PATH_A = f"entries/2020/01/{A}.toml"
PATH_B = f"entries/2020/01/{B}.toml"


def with_sources(*sources: str, date: str = "2020-01-05", title: str = "Rockets hit the Green Zone") -> str:
    """An entry (with a comment) whose [[sources]] are given as (name, url) text."""
    text = entry(date=date, title=title, extra='tags = ["x"]\n')
    head = text[: text.index("[[sources]]")]
    return "# checked by hand\n" + head + "\n".join(f"[[sources]]\n{s.strip()}\n" for s in sources)


def source(name: str, url: str) -> str:
    return f'name = "{name}"  # the outlet\nurl = "{url}"'


def data_of(root: Path, rel: str) -> dict:
    return tomllib.loads((root / rel).read_text())


def archive(cli, root: Path, *args: str):
    result = cli("archive", "--ledger", str(root), *args)
    assert "Traceback" not in result.out + result.err
    return result


def test_loopback_is_refused_without_allow_private(make_ledger, cli, web: Web):
    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")))})
    before = (root / PATH_A).read_bytes()
    result = archive(cli, root)
    assert result.status == 1
    assert result.out == ""
    assert result.err.splitlines() == [
        f"ledger: {PATH_A}: sources[0]: cannot capture {web.url('/page/a')}: "
        "127.0.0.1 is a loopback address: refused (--allow-private allows it)",
        "0 sources captured in 0 entries (0 stored, 0 already in evidence/); 1 source failed: 1 entry left unchanged",
    ]
    assert (root / PATH_A).read_bytes() == before
    assert not (root / "evidence").exists()
    assert web.hits == []


def test_a_capture_is_a_warc_file_named_by_hash_and_recorded_in_the_entry(make_ledger, cli, web: Web):
    from warcio.archiveiterator import ArchiveIterator

    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")), 'name = "AFP"')})
    result = archive(cli, root, "--allow-private")
    sha = hashlib.sha256(page("a")).hexdigest()
    capture = f"evidence/{sha[:2]}/{sha}.warc.gz"
    assert (result.status, result.out) == (0, f"{PATH_A}: sources[0]: {web.url('/page/a')} -> {capture}\n")
    assert result.err == "1 source captured in 1 entry (1 stored, 0 already in evidence/)\n"
    written = data_of(root, PATH_A)["sources"]
    assert written[0]["sha256"] == sha
    assert written[0]["capture"] == capture
    assert written[0]["captured"].tzinfo is not None
    assert written[1] == {"name": "AFP"}
    text = (root / PATH_A).read_text()
    assert text.startswith("# checked by hand\n") and 'name = "Reuters"  # the outlet' in text  # comments kept
    with open(root / capture, "rb") as handle:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(handle)
        ]
    assert [(t, u) for t, u, _ in records] == [
        ("warcinfo", None),
        ("response", web.url("/page/a")),
        ("request", web.url("/page/a")),
    ]
    assert records[1][2] == page("a")
    from ledger import __version__

    assert f"software: incident-ledger {__version__}".encode() in records[0][2]
    with open(root / capture, "rb") as handle:
        agents = [r.http_headers.get_header("User-Agent") for r in ArchiveIterator(handle) if r.rec_type == "request"]
    assert agents == [f"incident-ledger/{__version__} (evidence capture)"]
    assert cli("validate", "--ledger", str(root), "--quiet").out == ""


def test_identical_pages_are_stored_once(make_ledger, cli, web: Web):
    root = make_ledger(
        {
            A: with_sources(source("Reuters", web.url("/page/a"))),
            B: with_sources(source("AFP", web.url("/same")), date="2020-01-06", title="Strike near Albukamal"),
        }
    )
    result = archive(cli, root, "--allow-private")
    assert result.status == 0
    assert result.err == "2 sources captured in 2 entries (1 stored, 1 already in evidence/)\n"
    assert [p.name for p in (root / "evidence").rglob("*") if p.is_file()] == [
        f"{hashlib.sha256(page('a')).hexdigest()}.warc.gz"
    ]
    assert data_of(root, PATH_A)["sources"][0]["capture"] == data_of(root, PATH_B)["sources"][0]["capture"]


def test_a_failing_source_leaves_its_entry_untouched_and_names_it(make_ledger, cli, web: Web):
    root = make_ledger(
        {
            A: with_sources(source("Reuters", web.url("/page/a")), source("AFP", web.url("/missing"))),
            B: with_sources(source("AFP", web.url("/page/b")), date="2020-01-06", title="Strike near Albukamal"),
        }
    )
    before = (root / PATH_A).read_bytes()
    result = archive(cli, root, "--allow-private")
    assert result.status == 1
    assert result.err.splitlines() == [
        f"ledger: {PATH_A}: sources[1]: cannot capture {web.url('/missing')}: "
        f"{web.url('/missing')} answered 'HTTP/1.0 404 Not Found'",
        "1 source captured in 1 entry (1 stored, 0 already in evidence/); 1 source failed: 1 entry left unchanged",
    ]
    assert (root / PATH_A).read_bytes() == before
    assert "capture" in data_of(root, PATH_B)["sources"][0]


@pytest.mark.parametrize(
    ("path", "args", "message"),
    [
        ("/slow", ("--timeout", "0.5"), "timed out"),
        ("/huge", ("--max-size", "100000"), "the page is 5,000,000 bytes, above the limit of 100,000"),
        ("/hop/3", ("--max-redirects", "2"), "more than 2 redirects"),
        ("/broken", (), "answered 'HTTP/1.0 500 Internal Server Error'"),
        ("/garbage", (), "not an HTTP response"),
    ],
)
def test_limits_and_errors(make_ledger, cli, web: Web, path: str, args: tuple[str, ...], message: str):
    root = make_ledger({A: with_sources(source("Reuters", web.url(path)))})
    before = (root / PATH_A).read_bytes()
    result = archive(cli, root, "--allow-private", *args)
    assert result.status == 1
    assert message in result.err.splitlines()[0]
    assert (root / PATH_A).read_bytes() == before


def test_a_redirect_to_a_private_address_is_refused(make_ledger, cli, web: Web, monkeypatch: pytest.MonkeyPatch):
    from ledger.interchange import fetch

    real = fetch.is_public  # the test server counts as public here, so the redirect is what is refused
    monkeypatch.setattr(fetch, "is_public", lambda a: str(a) == "127.0.0.1" or real(a))
    root = make_ledger({A: with_sources(source("Reuters", web.url("/to-private")))})
    result = archive(cli, root)
    assert result.status == 1
    assert "10.255.255.1 is a private address: refused (--allow-private allows it)" in result.err
    assert web.hits == ["/to-private"]


def test_dry_run_fetches_nothing_and_writes_nothing(make_ledger, cli, web: Web):
    root = make_ledger(
        {A: with_sources(source("Reuters", web.url("/page/a")), 'name = "AFP"', source("AP", web.url("/page/b")))}
    )
    before = (root / PATH_A).read_bytes()
    result = archive(cli, root, "--dry-run")
    assert (result.status, result.out.splitlines()) == (
        0,
        [f"{PATH_A}: sources[0]: {web.url('/page/a')}", f"{PATH_A}: sources[2]: {web.url('/page/b')}"],
    )
    assert result.err == "2 sources of 1 entry would be fetched\n"
    assert web.hits == [] and (root / PATH_A).read_bytes() == before and not (root / "evidence").exists()


def test_a_capture_is_never_overwritten(make_ledger, cli, web: Web):
    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")))})
    assert archive(cli, root, "--allow-private").status == 0
    after = (root / PATH_A).read_bytes()
    again = archive(cli, root, "--allow-private")
    assert (again.status, again.err) == (0, "nothing to capture: every selected source with a url has a capture\n")
    assert web.hits == ["/page/a"] and (root / PATH_A).read_bytes() == after


def test_a_foreign_file_at_the_capture_path_is_not_overwritten(make_ledger, cli, web: Web):
    sha = hashlib.sha256(page("a")).hexdigest()
    capture = f"evidence/{sha[:2]}/{sha}.warc.gz"
    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a"))), capture: "not a capture\n"})
    before = (root / PATH_A).read_bytes()
    result = archive(cli, root, "--allow-private")
    assert result.status == 1
    assert f"the capture {capture} is not a readable WARC file" in result.err
    assert "it is not overwritten" in result.err
    assert (root / capture).read_text() == "not a capture\n" and (root / PATH_A).read_bytes() == before


def test_a_hash_recorded_by_hand_must_match_the_page(make_ledger, cli, web: Web):
    wrong = "0" * 64
    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")) + f'\nsha256 = "{wrong}"')})
    result = archive(cli, root, "--allow-private")
    assert result.status == 1
    sha = hashlib.sha256(page("a")).hexdigest()
    assert f"now serves a page with sha256 {sha}, not the entry's {wrong}" in result.err


def test_filters_choose_the_entries(make_ledger, cli, web: Web):
    root = make_ledger(
        {
            A: with_sources(source("Reuters", web.url("/page/a"))),
            B: with_sources(source("AFP", web.url("/page/b")), date="2020-01-06", title="Strike near Albukamal"),
        }
    )
    result = archive(cli, root, "--allow-private", "--since", "2020-01-06")
    assert result.status == 0 and web.hits == ["/page/b"]
    assert "capture" not in data_of(root, PATH_A)["sources"][0]


def test_tampering_after_capture_is_caught_by_validate(make_ledger, cli, web: Web):
    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")))})
    assert archive(cli, root, "--allow-private").status == 0
    capture = data_of(root, PATH_A)["sources"][0]["capture"]
    path = root / capture
    data, members, position = path.read_bytes(), [], 0
    while position < len(data):  # rewrite the page inside its gzip member, as a careful forger would
        inflater = zlib.decompressobj(31)
        raw = inflater.decompress(data[position:])
        members.append(gzip.compress(raw.replace(b"report a", b"report b")))
        position = len(data) - len(inflater.unused_data)
    path.write_bytes(b"".join(members))
    result = cli("validate", "--ledger", str(root), "--quiet")
    forged = hashlib.sha256(page("a").replace(b"report a", b"report b")).hexdigest()
    assert result.status == 1
    assert f"the capture {capture} holds a page with sha256 {forged}, not the entry's sha256" in result.out
    path.unlink()
    assert f"the capture {capture} is missing" in cli("validate", "--ledger", str(root), "--quiet").out


def test_captures_show_and_travel_through_export_and_import(make_ledger, cli, web: Web, tmp_path: Path):
    import json

    root = make_ledger({A: with_sources(source("Reuters", web.url("/page/a")))})
    assert archive(cli, root, "--allow-private").status == 0
    written = data_of(root, PATH_A)["sources"][0]
    shown = cli("show", A, "--ledger", str(root))
    assert f"  captured {written['captured'].isoformat()}: {written['capture']}" in shown.out
    record = json.loads(cli("show", A, "--format", "json", "--ledger", str(root)).out)
    assert record["sources"][0]["captured"] == written["captured"].isoformat()
    for fmt in ("json", "csv"):
        exported = tmp_path / f"out.{fmt}"
        exported.write_text(cli("export", "--format", fmt, "--ledger", str(root)).out)
        other = tmp_path / f"other-{fmt}"
        (other / "entries").mkdir(parents=True)
        # the captures go along: import, like validate, refuses an entry whose capture is missing
        shutil.copytree(root / "evidence", other / "evidence")
        done = cli("import", str(exported), "--from", fmt, "--ledger", str(other))
        assert done.status == 0, done.err
        assert data_of(other, PATH_A)["sources"] == data_of(root, PATH_A)["sources"]
