"""Fast result sets, facets and filter-only ordering agree with Whoosh's own answers.

The index has several segments and deleted documents, because both change
document numbers and are where a hand-written posting reader would go wrong.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.query import And, AndNot, Every, Not, Or, Term, TermRange

from crawler.record import Institution, Person, Record
from crawler.store import StoredDocument
from index import docsets
from index.facets import facet_counts
from index.search import Filters, _searcher, parse_query, search
from index.writer import document_fields, open_or_create, unpack_facets

PEOPLE = ["Мая Василева", "Деница Сачева", "Иван Петров", "Гълъб Донев"]
INSTITUTIONS = [("Агенция за социално подпомагане", "АСП"), ("Община Плевен", None)]
WORDS = ["заседание", "социални", "услуги", "приемна", "грижа", "дете", "среща", "проект"]


def _doc(i: int, rng: random.Random) -> StoredDocument:
    published = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1500))
    words = rng.choices(WORDS, k=40)
    rec = Record(
        url=f"http://x.bg/{i}",
        title=" ".join(rng.choices(WORDS, k=4)),
        published=published,
        event_dates=[published + timedelta(days=rng.randrange(1, 40))] if i % 3 == 0 else [],
        text=" ".join(words) + ".",
        people=[Person(p) for p in rng.sample(PEOPLE, rng.randrange(0, 3))],
        institutions=[Institution(n, a) for n, a in rng.sample(INSTITUTIONS, rng.randrange(0, 2))],
        places=["Плевен"] if i % 4 == 0 else [],
    )
    return StoredDocument(f"d{i}", rec.url, f"s{i % 3}.bg", rec, None, f"h{i}")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("docsets") / "index"
    ix, _ = open_or_create(path)
    docs = [_doc(i, rng) for i in range(600)]
    for start in range(0, 600, 150):  # four commits: four segments
        w = ix.writer()
        for d in docs[start : start + 150]:
            w.add_document(**document_fields(d))
        w.commit(merge=False)
    w = ix.writer()
    for i in range(0, 600, 7):  # deletions in every segment
        w.delete_by_term("id", f"d{i}")
    w.commit(merge=False)
    return path


QUERIES = [
    Term("text", "заседан"),
    Or([Term("text", "приемн"), Term("title", "грижа")]),
    And([Term("text", "социалн"), Term("person", "мая василева")]),
    AndNot(Term("text", "дете"), Term("place", "плевен")),
    Not(Term("source", "s1.bg")),
    Every(),
    TermRange("dates", "2022-03-01", "2022-09-30"),
    Term("text", "няма-такава-дума"),
]


@pytest.mark.parametrize("q", QUERIES, ids=repr)
def test_docsets_equal_whoosh_docs_for_query(index_dir: Path, q) -> None:  # noqa: ANN001
    _, searcher = _searcher(index_dir)
    assert len(list(searcher.leaf_searchers())) > 1
    expected = set(searcher.docs_for_query(q))
    assert docsets.docs(searcher, q) == expected
    assert docsets.docs(searcher, q) == expected  # again, from the filter cache


def _naive(index_dir: Path, text: str, f: Filters) -> tuple[set[str], Counter]:
    """Expected ids and facet counts by reading every stored document."""
    ix, searcher = _searcher(index_dir)
    q = parse_query(ix, text) if text else Every()
    text_ids = {searcher.stored_fields(d)["id"] for d in searcher.docs_for_query(q)}
    ids, counts = set(), Counter()
    for d in searcher.reader().all_doc_ids():
        fields = searcher.stored_fields(d)
        days = [fields["published"], *fields["event_dates"]]
        if fields["id"] not in text_ids:
            continue
        if f.person and "Мая Василева" not in fields["people_display"]:
            continue
        if f.date_from and not any(f.date_from <= x <= (f.date_to or "9999") for x in days if x):
            continue
        ids.add(fields["id"])
        raw = searcher.reader().column_reader("facets")[d]
        counts.update(unpack_facets(raw))
    return ids, counts


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("социални", Filters()),
        ("социални", Filters(person=["Мая Василева"])),
        ('"социални услуги"', Filters(date_from="2022-01-15")),
        ("", Filters(date_from="2021-06-10", date_to="2023-02-03")),
        ("", Filters(person=["Мая Василева"], date_from="2022-01-01", date_to="2022-12-31")),
    ],
)
def test_total_and_facets_count_the_whole_result_set(
    index_dir: Path, text: str, filters: Filters
) -> None:
    ids, counts = _naive(index_dir, text, filters)
    res = search(index_dir, text, filters, limit=5, with_facets=True)
    assert res["total"] == len(ids) > 0
    assert {h["id"] for h in res["hits"]} <= ids
    for kind, values in res["facets"].items():
        assert {v["value"]: v["count"] for v in values} == {
            v: n for (k, v), n in counts.items() if k == kind and v
        }


def test_filter_only_results_come_newest_first(index_dir: Path) -> None:
    res = search(index_dir, "", Filters(person=["Иван Петров"]), limit=20)
    days = [h["published"] for h in res["hits"]]
    assert len(days) == 20 and days == sorted(days, reverse=True)
    oldest = search(index_dir, "", Filters(person=["Иван Петров"]), limit=20, sort="date")
    assert [h["published"] for h in oldest["hits"]] == sorted(
        h["published"] for h in oldest["hits"]
    )
    assert oldest["hits"][0]["published"] < days[-1]


def test_phrase_pages_agree_with_the_full_ranking(index_dir: Path) -> None:
    first = search(index_dir, '"социални услуги"', limit=10)
    second = search(index_dir, '"социални услуги"', limit=10, offset=10)
    both = search(index_dir, '"социални услуги"', limit=20)
    assert [h["id"] for h in first["hits"] + second["hits"]] == [h["id"] for h in both["hits"]]
    assert first["total"] == second["total"] == both["total"]


def test_facet_counts_survive_a_new_generation(index_dir: Path, tmp_path: Path) -> None:
    index_dir = Path(shutil.copytree(index_dir, tmp_path / "index"))  # this test writes
    _, searcher = _searcher(index_dir)
    before = facet_counts(searcher, set(searcher.reader().all_doc_ids()))
    ix = whoosh_index.open_dir(str(index_dir))
    w = ix.writer()
    w.delete_by_term("id", "d1")
    w.commit(merge=False)
    _, fresh = _searcher(index_dir)
    assert fresh is not searcher
    after = facet_counts(fresh, set(fresh.reader().all_doc_ids()))
    assert sum(v["count"] for v in after["source"]) == sum(v["count"] for v in before["source"]) - 1


def test_merge_policy_merges_small_segments_and_rewrites_deleted_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import writer
    from index.writer import SMALL_SEGMENTS_BEFORE_MERGE, merge_small_segments

    monkeypatch.setattr(writer, "SMALL_SEGMENT", 50)  # a "batch-sized" segment is 50 here
    rng = random.Random(3)
    ix, _ = open_or_create(tmp_path / "index")
    counts = []
    for i in range(3 * SMALL_SEGMENTS_BEFORE_MERGE):  # nightly runs of one document
        w = ix.writer()
        w.add_document(**document_fields(_doc(i, rng)))
        w.commit(mergetype=merge_small_segments)
        counts.append(len(ix._segments()))
    assert max(counts) == SMALL_SEGMENTS_BEFORE_MERGE
    assert min(counts[SMALL_SEGMENTS_BEFORE_MERGE:]) <= 2  # merged, then growing again
    w = ix.writer()
    for i in range(100, 220):  # one batch-sized segment
        w.add_document(**document_fields(_doc(i, rng)))
    w.commit(mergetype=merge_small_segments)
    before = len(ix._segments())
    w = ix.writer()
    for i in range(100, 160):  # half of the big segment deleted: rewritten without them
        w.delete_by_term("id", f"d{i}")
    w.commit(mergetype=merge_small_segments)
    with ix.searcher() as s:
        assert s.doc_count_all() == s.doc_count() == 3 * SMALL_SEGMENTS_BEFORE_MERGE + 60
    assert len(ix._segments()) <= before


def _three_document_commits(ix, rng: random.Random, commits: int) -> list[list[int]]:  # noqa: ANN001
    """Commit ``commits`` batches of 3 documents under the merge policy; the
    segment sizes (sorted) after each commit."""
    from index.writer import merge_small_segments

    sizes = []
    for batch in range(commits):
        w = ix.writer()
        for i in range(3):
            w.add_document(**document_fields(_doc(10 * batch + i, rng)))
        w.commit(mergetype=merge_small_segments)
        sizes.append(sorted(seg.doc_count_all() for seg in ix._segments()))
    return sizes


def test_merge_policy_caps_the_number_of_big_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import writer

    monkeypatch.setattr(writer, "SMALL_SEGMENT", 2)
    monkeypatch.setattr(writer, "MAX_SEGMENTS", 4)
    monkeypatch.setattr(writer, "MERGE_FAN_IN", 3)
    ix, _ = open_or_create(tmp_path / "index")
    counts = [len(sizes) for sizes in _three_document_commits(ix, random.Random(5), 12)]
    assert max(counts) == 4 and counts[:4] == [1, 2, 3, 4]
    with ix.searcher() as s:
        assert s.doc_count() == 36


def test_merge_policy_never_merges_more_than_its_document_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge holds every posting it merges in memory, so big segments stop merging."""
    from index import writer

    monkeypatch.setattr(writer, "SMALL_SEGMENT", 2)
    monkeypatch.setattr(writer, "MAX_SEGMENTS", 4)
    monkeypatch.setattr(writer, "MERGE_FAN_IN", 3)
    monkeypatch.setattr(writer, "MERGE_MAX_DOCS", 9)  # a batch of 3 and two old ones, not three
    ix, _ = open_or_create(tmp_path / "index")
    sizes = _three_document_commits(ix, random.Random(9), 14)
    assert max(max(s) for s in sizes) == 9  # merged in pairs, never beyond the budget
    assert len(sizes[-1]) > 4  # so past the cap, big segments stay as they are
    with ix.searcher() as s:
        assert s.doc_count() == 42
