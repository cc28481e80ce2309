"""The index manifest catches truncated or missing segment files, and only for its generation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.record import Record
from crawler.store import StoredDocument
from index.manifest import IndexDamaged, verify_manifest, write_manifest
from index.writer import COMPOUND_SEGMENTS, document_fields, open_or_create


def _doc(i: int) -> StoredDocument:
    rec = Record(
        url=f"http://x.bg/{i}", title="Среща", published=date(2024, 1, i + 1), text="текст"
    )
    return StoredDocument(f"d{i}", rec.url, "x.bg", rec, None, f"h{i}")


def _commit(ix, docs: list[StoredDocument], path: Path) -> None:  # noqa: ANN001
    w = ix.writer(compound=COMPOUND_SEGMENTS)
    for d in docs:
        w.add_document(**document_fields(d))
    w.commit()
    write_manifest(ix, path)


def test_truncated_and_missing_files_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "index"
    ix, _ = open_or_create(path)
    _commit(ix, [_doc(0), _doc(1)], path)
    verify_manifest(path)  # intact
    postings = next(path.glob("MAIN_*.pst"))
    postings.write_bytes(postings.read_bytes()[:-1])
    with pytest.raises(IndexDamaged, match="bytes"):
        verify_manifest(path)
    postings.unlink()
    with pytest.raises(IndexDamaged, match="missing"):
        verify_manifest(path)


def test_a_manifest_of_another_generation_proves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index"
    ix, _ = open_or_create(path)
    _commit(ix, [_doc(0)], path)
    stale = (path / "SOCNEWS_FILES.json").read_text()
    _commit(ix, [_doc(1)], path)  # a writer killed before its manifest leaves the old one
    (path / "SOCNEWS_FILES.json").write_text(stale)
    for f in path.glob("MAIN_*.pst"):
        f.write_bytes(b"")  # even damage goes unnoticed here: the manifest cannot speak for it
    verify_manifest(path)
    (path / "SOCNEWS_FILES.json").write_text("{not json")
    verify_manifest(path)  # an unreadable manifest is no evidence either
