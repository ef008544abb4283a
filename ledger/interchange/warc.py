"""Captures as WARC files (ISO 28500, the web-archiving standard), written and read with warcio.

A capture file holds one `warcinfo` record (who made it), then a `request` and a `response`
record for every step of the fetch: the redirects first, the page last. Records are
gzipped one by one (`.warc.gz`), as archives and replay tools expect. Digests are SHA-256:
`WARC-Payload-Digest` is over the body exactly as received, so it is the entry's `sha256`
(in base 32, as WARC writes digests); `WARC-Block-Digest` covers the headers too.

The file is named by the page's SHA-256 (`evidence/ab/abcdef....warc.gz`): the same page
fetched twice, or by two entries, is stored once.

warcio is imported inside the functions: only `archive` and a `validate` of a ledger with
captures pay for it.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.interchange.fetch import Fetched

FOLDER = "evidence"
SUFFIX = ".warc.gz"


def capture_path(sha256: str) -> str:
    """Return where the capture of a page with this SHA-256 lives, relative to the ledger root."""
    return f"{FOLDER}/{sha256[:2]}/{sha256}{SUFFIX}"


def _digest(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def build(fetched: Fetched, software: str = "incident-ledger") -> bytes:
    """Return the WARC file (gzipped records) of a fetch: warcinfo, then request and response per step.

    `software` names what made it in the warcinfo record (the command line adds its version).
    """
    from warcio.utils import Digester
    from warcio.warcwriter import WARCWriter

    class Writer(WARCWriter):  # type: ignore[misc]
        @staticmethod
        def _create_digester() -> Any:  # SHA-256 rather than warcio's default SHA-1
            return Digester("sha256")

    out = io.BytesIO()
    writer = Writer(out, gzip=True, warc_version="1.1")
    info = {"software": software, "format": "WARC File Format 1.1"}
    writer.write_record(writer.create_warcinfo_record(capture_path(fetched.sha256).rsplit("/", 1)[1], info))
    for exchange in fetched.exchanges:
        date = exchange.date.strftime("%Y-%m-%dT%H:%M:%SZ")
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.response),
            length=len(exchange.response),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-IP-Address": exchange.ip,
                "WARC-Payload-Digest": _digest(exchange.body),
            },
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request),
            length=len(exchange.request),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_request_response_pair(request, response)
    return out.getvalue()


class _NotWarc(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Record:
    """A response record of a capture file, read back."""

    uri: str
    date: str
    status: str
    sha256: str  # of the body, exactly as stored


def responses(data: bytes | Iterable[bytes] | Any) -> list[Record]:
    """Return the response records of a WARC file (bytes or a binary stream), in file order.

    Raises ValueError when the data is not a readable WARC file.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    found = []
    try:
        for record in ArchiveIterator(stream):
            if record.format != "warc":  # warcio reads ARC files and plain text leniently: not captures
                raise _NotWarc("ARC records or plain text, not WARC records")
            if record.rec_type != "response":
                continue
            digest = hashlib.sha256()
            while chunk := record.raw_stream.read(65536):
                digest.update(chunk)
            status = record.http_headers.get_statuscode() if record.http_headers else ""
            found.append(
                Record(
                    record.rec_headers.get_header("WARC-Target-URI") or "",
                    record.rec_headers.get_header("WARC-Date") or "",
                    status or "",
                    digest.hexdigest(),
                )
            )
    except (_NotWarc, ArchiveLoadFailed, OSError, EOFError, ValueError) as err:
        why = " ".join(str(err).split())[:120] or type(err).__name__
        raise ValueError(f"is not a readable WARC file ({why})") from None
    return found


def page_sha256(path: Path) -> str:
    """Return the SHA-256 of the page a capture file holds (its last response's body).

    Raises ValueError when the file is not a readable capture, OSError when it cannot be read.
    """
    with open(path, "rb") as handle:
        found = responses(handle)
    if not found:
        raise ValueError("holds no WARC response record")
    return found[-1].sha256
