"""The raw archive: every fetched response, headers and bytes, in WARC files.

Why WARC (via warcio): it is the web-archiving standard, readable by every
replay and analysis tool, and it lets any later version of the extractor be
re-run over years of crawls without the network (``socnews reprocess``).
Each record is gzipped on its own, so the store can point at (file, offset,
length) and read one record back without scanning the file.  A record is
flushed as soon as it is written: a killed process loses at most the record
being written, and a torn tail is ignored on read.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

MAX_FILE_BYTES = 512 * 1024 * 1024  # start a new WARC file past this size


@dataclass(slots=True)
class ArchivedResponse:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


class Archive:
    """Append-only WARC files under ``<data-dir>/archive/``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._file: io.BufferedWriter | None = None
        self._name: str | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        self._name = f"socnews-{stamp}-{os.getpid()}.warc.gz"
        self._file = open(self.root / self._name, "ab")  # noqa: SIM115 - kept open across writes
        self._writer = WARCWriter(self._file, gzip=True)

    def append(
        self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[str, int, int]:
        """Write one response record; returns (file name, offset, length) for the store."""
        if self._file is None or self._file.tell() > MAX_FILE_BYTES:
            self.close()
            self._open()
        assert self._file is not None and self._writer is not None and self._name is not None
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http_headers
        )
        offset = self._file.tell()
        self._writer.write_record(record)
        self._file.flush()
        return self._name, offset, self._file.tell() - offset

    def read(self, name: str, offset: int, length: int) -> ArchivedResponse:
        """Read back one record by its location."""
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"archive file outside the archive: {name!r}")
        with open(path, "rb") as f:
            f.seek(offset)
            chunk = f.read(length)
        for rec in ArchiveIterator(io.BytesIO(chunk)):
            hh = rec.http_headers
            return ArchivedResponse(
                url=rec.rec_headers.get_header("WARC-Target-URI"),
                status=int(hh.get_statuscode()) if hh else 0,
                headers={k: v for k, v in (hh.headers if hh else [])},
                body=rec.content_stream().read(),
            )
        raise ValueError(f"no WARC record at {name}:{offset}")

    def files(self) -> list[Path]:
        return sorted(self.root.glob("*.warc.gz"))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._writer = self._name = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
