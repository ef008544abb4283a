"""The source registry, the ledger policy and capture integrity, as `ledger validate` reports them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import REGISTRY, entry

ID = "2020-01-05-green-zone-rockets"
PATH = f"entries/2020/01/{ID}.toml"


def sourced(*sources: str, confidence: str = "reported", extra: str = "") -> str:
    """An entry whose [[sources]] tables are given as text."""
    text = entry(confidence=confidence, extra=extra)
    head = text[: text.index("[[sources]]")]
    return head + "\n".join(f"[[sources]]\n{s.strip()}\n" for s in sources)


def problems_of(cli, root: Path) -> tuple[int, list[str]]:
    result = cli("validate", "--ledger", str(root), "--quiet")
    assert "Traceback" not in result.out + result.err
    return result.status, result.out.splitlines()


# -- the registry ----------------------------------------------------------------------------


def test_names_match_the_registry_through_aliases_case_insensitively(make_ledger, cli):
    text = sourced('name = "deirezzor24"', 'name = "Deir ez-Zor 24"', 'name = "REUTERS"')
    root = make_ledger({ID: text}, config=REGISTRY)
    assert problems_of(cli, root) == (0, [])


def test_an_unknown_name_is_a_warning_with_did_you_mean(make_ledger, cli):
    root = make_ledger({ID: sourced('name = "Deir Ezor 24"', 'name = "Al Mayadeen"')}, config=REGISTRY)
    assert problems_of(cli, root) == (
        0,
        [
            f'{PATH}:13: sources[0].name: warning: "Deir Ezor 24" is not in the source registry of ledger.toml '
            '(did you mean "Deir Ezzor 24"?)',
            f'{PATH}:16: sources[1].name: warning: "Al Mayadeen" is not in the source registry of ledger.toml',
        ],
    )


def test_without_a_registry_any_name_goes(make_ledger, cli):
    root = make_ledger({ID: sourced('name = "Al Mayadeen"')}, config='tags = ["x"]\n')
    assert problems_of(cli, root) == (0, [])


def test_the_entry_grade_wins_and_a_disagreement_is_reported(make_ledger, cli):
    text = sourced('name = "DeirEzzor24"\nreliability = "A"', 'name = "Reuters"\nreliability = "B"')
    root = make_ledger({ID: text}, config=REGISTRY)
    assert problems_of(cli, root) == (
        0,
        [
            f'{PATH}:14: sources[0].reliability: warning: A, but the registry grades "Deir Ezzor 24" C '
            "(this entry's grade is used)"
        ],
    )


def test_a_broken_registry_is_an_error_with_its_line(make_ledger, cli):
    config = """\
    [sources.Reuters]
    reliability = "G"
    language = "english language"
    homepage = "x"

    [sources."Reuters Arabic"]
    aliases = ["reuters"]
    """
    root = make_ledger({ID: sourced('name = "Reuters"')}, config=config)
    status, found = problems_of(cli, root)
    assert status == 1
    assert found == [
        "ledger.toml:2: sources.Reuters.reliability: 'G' is not an Admiralty reliability grade (A-F)",
        'ledger.toml:3: sources.Reuters.language: expected a BCP 47 language tag ("ar", "en-GB"), '
        "found 'english language'",
        "ledger.toml:4: sources.Reuters.homepage: unknown key (expected one of: aliases, kind, language, reliability, url)",
        'ledger.toml:7: sources.Reuters Arabic.aliases: "reuters" also names the source "Reuters"',
    ]


# -- the policy ------------------------------------------------------------------------------


POLICY = (
    REGISTRY
    + """
[policy]
require_capture = true
min_sources = 2
require_grades = true
"""
)


def test_each_policy_breach_is_an_error_with_path_and_line(make_ledger, cli):
    text = sourced(
        'name = "Reuters"\nurl = "https://example.org/a"\ncredibility = "2"',
        'name = "Al Mayadeen"',
        confidence="confirmed",
    )
    root = make_ledger({ID: text}, config=POLICY)
    status, found = problems_of(cli, root)
    assert status == 1
    assert found == [
        f"{PATH}:14: sources[0].url: has a url but no capture (policy require_capture): run `ledger archive`",
        f'{PATH}:17: sources[1]: "Al Mayadeen" has no credibility grade (policy require_grades)',
        f'{PATH}:17: sources[1]: "Al Mayadeen" has no reliability grade, its own or the registry\'s (policy require_grades)',
        f'{PATH}:18: sources[1].name: warning: "Al Mayadeen" is not in the source registry of ledger.toml',
    ]


def test_min_sources_counts_distinct_sources_aliases_merged(make_ledger, cli):
    text = sourced(
        'name = "DeirEzzor24"\ncredibility = "3"', 'name = "Deir ez-Zor 24"\ncredibility = "3"', confidence="confirmed"
    )
    root = make_ledger({ID: text}, config=POLICY)
    assert problems_of(cli, root) == (
        1,
        [
            f'{PATH}:5: confidence: "confirmed" needs at least 2 distinct sources (policy min_sources); '
            "this entry cites 1: Deir Ezzor 24"
        ],
    )
    text = sourced(
        'name = "DeirEzzor24"\ncredibility = "3"', 'name = "Reuters"\ncredibility = "2"', confidence="confirmed"
    )
    root = make_ledger({ID: text}, config=POLICY)
    assert problems_of(cli, root) == (0, [])


def test_a_withdrawn_entry_is_held_to_no_policy(make_ledger, cli):
    extra = 'status = "withdrawn"\nwithdrawn_reason = "wrong date"\n'
    text = sourced('name = "Al Mayadeen"\nurl = "https://example.org/x"', confidence="confirmed", extra=extra)
    root = make_ledger({ID: text}, config=POLICY)
    status, found = problems_of(cli, root)
    assert (status, [line.split(": ", 2)[1] for line in found]) == (0, ["sources[0].name"])  # the registry warning only


def test_a_broken_policy_is_an_error(make_ledger, cli):
    config = "[policy]\nrequire_capture = 1\nmin_sources = -1\nrequire_everything = true\n"
    root = make_ledger({ID: sourced('name = "Reuters"')}, config=config)
    assert problems_of(cli, root) == (
        1,
        [
            "ledger.toml:2: policy.require_capture: expected true or false, found 1",
            "ledger.toml:3: policy.min_sources: expected a whole number >= 0, found -1",
            "ledger.toml:4: policy.require_everything: unknown key "
            "(expected one of: min_sources, require_capture, require_grades)",
        ],
    )


# -- capture fields and integrity ------------------------------------------------------------


def captured_source(sha: str, capture: str | None = None, captured: str = "2026-11-30T09:15:00Z") -> str:
    capture = capture or f"evidence/{sha[:2]}/{sha}.warc.gz"
    return (
        f'name = "Reuters"\nurl = "https://example.org/a"\ncaptured = {captured}\n'
        f'sha256 = "{sha}"\ncapture = "{capture}"'
    )


def store_capture(root: Path, body: bytes) -> str:
    """Write a capture of `body` the way `ledger archive` does; return its sha256."""
    from ledger.interchange import fetch, warc

    sha = hashlib.sha256(body).hexdigest()
    response = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    import datetime as dt

    exchange = fetch.Exchange(
        "https://example.org/a",
        "93.184.216.34",
        b"GET /a HTTP/1.0\r\nHost: example.org\r\n\r\n",
        response,
        response.index(b"\r\n\r\n") + 4,
        200,
        dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC),
    )
    path = root / warc.capture_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(warc.build(fetch.Fetched("https://example.org/a", (exchange,))))
    return sha


def test_a_sound_capture_passes(make_ledger, cli):
    pytest.importorskip("warcio")
    root = make_ledger({})
    sha = store_capture(root, b"<p>the report</p>")
    make_ledger({ID: sourced(captured_source(sha))}, root=root)
    assert problems_of(cli, root) == (0, [])


def test_a_missing_capture_is_an_error_naming_file_and_hash(make_ledger, cli):
    sha = hashlib.sha256(b"gone").hexdigest()
    root = make_ledger({ID: sourced(captured_source(sha))})
    capture = f"evidence/{sha[:2]}/{sha}.warc.gz"
    assert problems_of(cli, root) == (
        1,
        [f"{PATH}:17: sources[0].capture: the capture {capture} is missing (the entry's sha256 is {sha})"],
    )


def test_a_tampered_capture_is_an_error_naming_both_hashes(make_ledger, cli):
    pytest.importorskip("warcio")
    import gzip

    root = make_ledger({})
    sha = store_capture(root, b"<p>the report as it was</p>")
    make_ledger({ID: sourced(captured_source(sha))}, root=root)
    path = root / f"evidence/{sha[:2]}/{sha}.warc.gz"
    # Rewrite the payload, keeping each record its own gzip member (as a careful forger would).
    from ledger.interchange import warc

    members = []
    data = path.read_bytes()
    offsets = _member_offsets(data)
    for start, end in zip(offsets, [*offsets[1:], len(data)], strict=True):
        members.append(gzip.compress(gzip.decompress(data[start:end]).replace(b"as it was", b"as it WAS")))
    path.write_bytes(b"".join(members))
    forged = hashlib.sha256(b"<p>the report as it WAS</p>").hexdigest()
    assert warc.page_sha256(path) == forged
    capture = f"evidence/{sha[:2]}/{sha}.warc.gz"
    assert problems_of(cli, root) == (
        1,
        [
            f"{PATH}:17: sources[0].capture: the capture {capture} holds a page with sha256 {forged}, "
            f"not the entry's sha256 {sha}"
        ],
    )


def _member_offsets(data: bytes) -> list[int]:
    import zlib

    offsets, position = [], 0
    while position < len(data):
        offsets.append(position)
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[position:])
        position = len(data) - len(inflater.unused_data)
    return offsets


def test_a_capture_that_is_not_a_warc_is_an_error(make_ledger, cli):
    pytest.importorskip("warcio")
    sha = hashlib.sha256(b"x").hexdigest()
    capture = f"evidence/{sha[:2]}/{sha}.warc.gz"
    root = make_ledger({ID: sourced(captured_source(sha)), capture: "just some text\n"})
    status, found = problems_of(cli, root)
    assert status == 1
    assert found[0] == (
        f"{PATH}:17: sources[0].capture: the capture {capture} is not a readable WARC file "
        f"(Unknown archive format, first line: ['just', 'some', 'text']) (the entry's sha256 is {sha})"
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            captured_source("a" * 64, captured="2026-11-30T09:15:00"),
            "15: sources[0].captured: 2026-11-30T09:15:00 has no UTC offset (write 2020-01-05T21:30:00Z or +03:00)",
        ),
        (
            captured_source("a" * 64, captured='"yesterday"'),
            "15: sources[0].captured: expected an offset date-time, found a string "
            "(write a TOML offset date-time without quotes: 2020-01-05T21:30:00Z)",
        ),
        (captured_source("ABC"), '16: sources[0].sha256: "ABC" does not match ^[0-9a-f]{64}$'),
        (
            captured_source("a" * 64, capture="/etc/passwd"),
            '17: sources[0].capture: "/etc/passwd" does not match ^evidence/[^\\\\]+$',
        ),
        (
            captured_source("a" * 64, capture="evidence/../../secret"),
            '17: sources[0].capture: "evidence/../../secret" has an empty, "." or ".." part',
        ),
        (
            'name = "Reuters"\ncapture = "evidence/aa/x.warc.gz"',
            "14: sources[0].capture: a capture needs the sha256 of its page (`ledger archive` writes both)",
        ),
        (
            'name = "Reuters"\narchive_url = "web.archive.org/web/2020/x"',
            '14: sources[0].archive_url: "web.archive.org/web/2020/x" does not match ^[hH][tT][tT][pP][sS]?://[^\\s]+$',
        ),
    ],
)
def test_capture_fields_are_checked(make_ledger, cli, fields: str, expected: str):
    root = make_ledger({ID: sourced(fields)})
    status, found = problems_of(cli, root)
    assert status == 1
    assert f"{PATH}:{expected}" in found, found
