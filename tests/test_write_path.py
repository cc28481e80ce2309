"""The faster write path (index.textfield, index.codec, index.postingpool) writes what Whoosh's own path writes.

Both replace Whoosh code on the hot path of index building, so the check is
equivalence with Whoosh itself: the same postings for the same text, the
same index read back, on the real seed articles.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Positions
from whoosh.query import Phrase, Term
from whoosh.writing import PostingPool

from crawler.extract import extract_page
from index.analyzer import bulgarian_analyzer
from index.codec import SocnewsCodec
from index.postingpool import CompactPostingPool
from index.textfield import BulgarianText, encode_positions

SEED_PAGES = sorted(
    (Path(__file__).parents[1] / "fixtures" / "sites" / "seeds" / "www" / "bg" / "novini").glob(
        "*/index.html"
    )
)
ANALYZER = bulgarian_analyzer(lemmatize=True)


def _texts() -> list[str]:
    records = [
        extract_page(p.read_bytes(), f"http://seeds.test/{p.parent.name}/") for p in SEED_PAGES
    ]
    texts = [r.title + "\n" + r.text for r in records]
    assert len(texts) >= 5 and all(len(t) > 500 for t in texts)
    # and the hard bits: codes, acronyms, compounds, look-alike letters, repeats
    texts.append(
        "АСП-то и Агенцията за социално подпомагане (АСП) подписаха по проект "
        "BG05M9OP001-2.040 в София-град; Cофия (с латинско C), кмет, кметове, кмет."
    )
    texts.append("")
    return texts


@pytest.mark.parametrize("field_boost", [1.0, 2.0])
def test_same_postings_as_whoosh_text(field_boost: float) -> None:
    ours = BulgarianText(analyzer=ANALYZER, field_boost=field_boost)
    theirs = TEXT(analyzer=ANALYZER, field_boost=field_boost)
    for text in _texts():
        assert sorted(ours.index(text)) == sorted(theirs.index(text))


def test_encode_positions_matches_whoosh() -> None:
    fmt = Positions()
    for positions in ([0], [5], [4095], [4096], [70000], [0, 1], [3, 17, 18, 900, 5000]):
        assert encode_positions(positions) == fmt.encode(positions)
        assert fmt.decode_positions(encode_positions(positions)) == positions


def test_list_values_take_whoosh_path() -> None:
    field = BulgarianText(analyzer=ANALYZER)
    assert sorted(field.index(["кмет", "община"])) == sorted(
        TEXT(analyzer=ANALYZER).index(["кмет", "община"])
    )


def _build(
    path: Path, field_type: type, codec: SocnewsCodec | None, pool: bool = False
) -> whoosh_index.Index:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), Schema(text=field_type(analyzer=ANALYZER, stored=True)))
    texts = [t for t in _texts() if t] * 3  # repeats: several blocks per common term
    kwargs = {"codec": codec} if codec else {}

    def writer():  # noqa: ANN202
        w = ix.writer(**kwargs)
        if pool:
            w.pool = CompactPostingPool()
        return w

    for start in (0, len(texts) // 2):  # two segments, then a merge of both
        w = writer()
        for t in texts[start : start + len(texts) // 2]:
            w.add_document(text=t)
        w.commit()
    w = writer()
    w.add_document(text=texts[0])  # new documents come before the merged ones
    w.commit(optimize=True)
    return ix


def test_index_reads_back_the_same(tmp_path: Path) -> None:
    fast = _build(tmp_path / "fast", BulgarianText, SocnewsCodec(), pool=True)
    plain = _build(tmp_path / "plain", TEXT, None)
    with fast.searcher() as a, plain.searcher() as b:
        ra, rb = a.reader(), b.reader()
        assert list(ra.all_terms()) == list(rb.all_terms()) != []
        for _, term in list(ra.all_terms())[::7]:
            ma, mb = ra.postings("text", term), rb.postings("text", term)
            assert list(ma.items_as("positions")) == list(mb.items_as("positions"))
            assert (
                ra.term_info("text", term).max_weight() == rb.term_info("text", term).max_weight()
            )
            assert (
                ra.term_info("text", term).min_length() == rb.term_info("text", term).min_length()
            )
        lengths = [ra.doc_field_length(d, "text") for d in range(ra.doc_count_all())]
        assert lengths == [rb.doc_field_length(d, "text") for d in range(rb.doc_count_all())]
        q = Phrase("text", ["социалн", "подпомаг"])
        assert [h.docnum for h in a.search(q, limit=None)] == [
            h.docnum for h in b.search(q, limit=None)
        ]
        assert len(a.search(Term("text", "асп"), limit=None)) > 0


def test_pool_yields_what_whoosh_pool_yields(tmp_path: Path) -> None:
    rng = random.Random(7)
    terms = [w.encode() for w in ("асп", "кмет", "община", "проект", "услуг", "дете")]
    postings = []
    for docnum in [*range(300), *range(350, 400), *range(300, 350)]:  # some out of order
        for field in rng.sample(["title", "text", "person"], 2):
            for term in rng.sample(terms, 3):
                value = rng.choice(
                    [None, b"\x00\x00\x00\x01", bytes(rng.randrange(256) for _ in range(12))]
                )
                postings.append((field, term, docnum, float(rng.randrange(1, 4)), value))
    ours = CompactPostingPool()
    theirs = PostingPool(RamStorage(), None, limitmb=1)
    for p in postings:
        ours.add(p)
        theirs.add(p)
    assert list(ours.iter_postings()) == list(theirs.iter_postings())
    assert ours.fieldnames == theirs.fieldnames
    assert len(ours) == 0  # yielded terms are freed
