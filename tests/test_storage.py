"""Searches read index files through memory maps and give the answers plain files give."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from crawler.record import Record
from crawler.store import StoredDocument
from index.search import search
from index.storage import MappedStorage
from index.writer import COMPOUND_SEGMENTS, document_fields, open_or_create


def test_mapped_and_plain_storage_read_the_same_index(tmp_path: Path) -> None:
    path = tmp_path / "index"
    ix, _ = open_or_create(path)
    w = ix.writer(compound=COMPOUND_SEGMENTS)
    for i in range(30):
        rec = Record(
            url=f"http://x.bg/{i}",
            title=f"Заседание {i}",
            published=date(2024, 1, 1 + i % 28),
            text="Социалните услуги в общината. " * (1 + i % 5),
        )
        w.add_document(**document_fields(StoredDocument(f"d{i}", rec.url, "x.bg", rec, None, "h")))
    w.commit()
    mapped_ix, plain_ix = MappedStorage(str(path)).open_index(), FileStorage(str(path)).open_index()
    with mapped_ix.searcher() as mapped, plain_ix.searcher() as plain:
        assert list(mapped.all_stored_fields()) == list(plain.all_stored_fields())
        q = Term("text", "услуг")
        assert set(mapped.docs_for_query(q)) == set(plain.docs_for_query(q)) != set()
        assert [h["id"] for h in mapped.search(q)] == [h["id"] for h in plain.search(q)]
    res = search(path, "социални услуги", limit=5)
    assert res["total"] == 30 and len(res["hits"]) == 5
