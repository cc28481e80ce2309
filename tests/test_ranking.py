"""The block-by-block BM25F ranking gives Whoosh's scores and an exact top k.

Whoosh's own top-k collector skips blocks whose best score only ties the
current tenth hit, so it can drop tied documents; the reference here is
Whoosh scoring every match (``limit=None``), sorted by score then docnum.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from whoosh.query import And, Or, Phrase, Term

from crawler.record import Record
from crawler.store import StoredDocument
from index import ranking
from index.search import _searcher, parse_query, search
from index.writer import COMPOUND_SEGMENTS, document_fields, open_or_create

WORDS = [
    "заседание",
    "социални",
    "услуги",
    "приемна",
    "грижа",
    "дете",
    "деца",
    "среща",
    "проект",
    "община",
    "агенция",
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(11)
    path = tmp_path_factory.mktemp("ranking") / "index"
    ix, _ = open_or_create(path)
    for seg in range(3):
        w = ix.writer(compound=COMPOUND_SEGMENTS)
        for i in range(seg * 120, seg * 120 + 120):
            rec = Record(
                url=f"http://x.bg/{i}",
                title=" ".join(rng.choices(WORDS, k=rng.randrange(2, 6))),
                published=date(2022, 1, 1) + timedelta(days=i),
                text=" ".join(rng.choices(WORDS, k=rng.randrange(5, 120))),
            )
            w.add_document(
                **document_fields(StoredDocument(f"d{i}", rec.url, "x.bg", rec, None, "h"))
            )
        w.commit(merge=False)
    w = ix.writer()
    for i in range(0, 360, 9):
        w.delete_by_term("id", f"d{i}")
    w.commit(merge=False)
    return path


def _reference(searcher, q, k: int) -> list[tuple[int, float]]:  # noqa: ANN001
    hits = [(h.docnum, h.score) for h in searcher.search(q, limit=None)]
    return sorted(hits, key=lambda x: (-x[1], x[0]))[:k]


QUERIES = ["социални", "грижа дете", "общината", "среща OR проект", "услуги агенцията деца"]


@pytest.mark.parametrize("text", QUERIES)
def test_top_k_equals_whoosh_scoring_every_match(index_dir: Path, text: str) -> None:
    ix, searcher = _searcher(index_dir)
    q = parse_query(ix, text)
    matched = set(searcher.docs_for_query(q))
    assert matched
    for k in (1, 10, 50):
        got = ranking.top_k(searcher, q, matched, k)
        want = _reference(searcher, q, k)
        assert got is not None
        assert [d for d, _ in got] == [d for d, _ in want]
        assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(got, want, strict=True))
        assert ranking.top_k(searcher, q, matched, k) == got  # from the cached scores


def test_restricted_to_a_filtered_set(index_dir: Path) -> None:
    ix, searcher = _searcher(index_dir)
    q = parse_query(ix, "социални")
    matched = {d for d in searcher.docs_for_query(q) if d % 3 == 0}
    got = ranking.top_k(searcher, q, matched, 10)
    want = [x for x in _reference(searcher, q, 10_000) if x[0] in matched][:10]
    assert got is not None and [d for d, _ in got] == [d for d, _ in want]


def test_anything_but_words_is_left_to_whoosh(index_dir: Path) -> None:
    _, searcher = _searcher(index_dir)
    assert ranking.word_terms(Or([Term("text", "a"), And([Term("title", "b")])])) is not None
    assert ranking.word_terms(Phrase("text", ["социалн", "услуг"])) is None
    assert ranking.word_terms(Term("text", "a", boost=2.0)) is None
    assert ranking.top_k(searcher, Phrase("text", ["социалн", "услуг"]), {1, 2}, 10) is None


def test_search_pages_through_the_same_ranking(index_dir: Path) -> None:
    first = search(index_dir, "грижа дете", limit=5)
    rest = search(index_dir, "грижа дете", limit=5, offset=5)
    both = search(index_dir, "грижа дете", limit=10)
    assert [h["id"] for h in first["hits"] + rest["hits"]] == [h["id"] for h in both["hits"]]
