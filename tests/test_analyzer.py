"""The Bulgarian analyzer: tokens, query mode, and a real Whoosh index."""

from __future__ import annotations

import pickle
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

import index.analyzer as analyzer_module
from index.abbreviations import ABBREVIATIONS, NameMatcher, full_name, parse_table
from index.analyzer import analyze, bulgarian_analyzer, fold_lookalikes
from index.stemmer import simplemma_available, stem
from index.stopwords import HONORIFICS, STOPWORDS, is_stopword

LAT_A = "a"  # Latin a, written out so the test says what it tests


def terms(text: str, mode: str = "index", lemmatize: bool = False) -> list[str]:
    ana = bulgarian_analyzer(lemmatize=lemmatize)
    return [t.text for t in ana(text, positions=True, chars=True, mode=mode)]


def tokens(text: str, mode: str = "index") -> list[tuple[str, int, int, int]]:
    ana = bulgarian_analyzer(lemmatize=False)
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in ana(text, positions=True, chars=True, mode=mode)
    ]


# ------------------------------------------------------------------ tokens


def test_analyze_contract_shape_and_offsets() -> None:
    text = "Агенцията за социално подпомагане (АСП) откри заместник-министър Иванова."
    out = analyze(text, lemmatize=False)
    assert out and all(set(d) == {"text", "start", "end", "term"} for d in out)
    for d in out:
        assert d["text"] == text[d["start"] : d["end"]]
    surface_terms = {(d["text"], d["term"]) for d in out}
    assert ("Агенцията", stem("агенцията")) in surface_terms
    assert ("заместник-министър", "заместник-министр") in surface_terms
    assert ("министър", "министр") in surface_terms
    assert ("АСП", "асп") in surface_terms
    assert not any(d["text"] == "за" for d in out)  # stopword


def test_compound_whole_and_parts_share_a_position() -> None:
    toks = tokens("среща със заместник-министъра на труда")
    by_term = {text: pos for text, pos, _, _ in toks}
    assert by_term["заместник-министр"] == by_term["заместник"] == by_term["министр"]
    assert by_term["срещ"] == by_term["заместник-министр"] - 1
    assert by_term["труд"] == by_term["заместник-министр"] + 1
    # query mode: one token per position, the compound whole
    assert terms("заместник-министъра на труда", mode="query") == ["заместник-министр", "труд"]


def test_project_codes_one_token_plus_prefixes() -> None:
    text = "по проект №BG05\u041c9\u041e\u0420001-2.003-0001-C01 в Монтана"
    got = terms(text)
    assert got[1:5] == [
        "BG05M9OP001-2.003-0001-C01",
        "BG05M9OP001",
        "BG05M9OP001-2.003",
        "BG05M9OP001-2.003-0001",
    ]
    toks = tokens(text)
    assert len({pos for term, pos, _, _ in toks if term.startswith("BG")}) == 1
    assert terms("BG05M9OP0012.003", mode="query") == ["BG05M9OP001-2.003"]
    # a mixed code of another scheme is not folded into Latin
    assert "BG03-ПС01-50".lower() in terms("проект BG03-ПС01-50")


def test_lookalike_letters_are_folded_only_inside_words_of_the_other_script() -> None:
    assert terms(f"мултимедийн{LAT_A}та зала") == terms("мултимедийната зала")
    assert fold_lookalikes("Micr\u043esoft") == "Microsoft"
    assert terms("Facebook и IT") == ["facebook", "it"]
    assert fold_lookalikes("BG03-ПС01") == "BG03-ПС01"


def test_acronyms_are_not_stemmed_and_lose_colloquial_articles() -> None:
    assert terms("АСП-то", mode="query") == ["асп"]
    assert terms("МТСП", mode="query") == ["мтсп"]
    assert terms("НСОРБ", mode="query") == ["нсорб"]
    assert terms("ЕСФ+", mode="query") == ["есф+"]
    assert terms("ЦСРИ", mode="query") == terms("цсри", mode="query") == ["цсри"]
    # «АЗ» the agency is kept; «Аз» the pronoun is a stopword
    assert terms("АЗ", mode="query") == ["аз"]
    assert terms("Аз съм тук", mode="query") == []


def test_all_caps_headline_words_are_words() -> None:
    assert terms("СОЦИАЛНИТЕ УСЛУГИ ЗА ДЕЦА", mode="query") == terms(
        "социалните услуги за деца", mode="query"
    )
    # an acronym inside the headline is still an acronym
    assert terms("СРЕЩА НА АСП", mode="query") == [stem("среща"), "асп"]


def test_stopwords_and_honorifics() -> None:
    got = terms("г-жа Мая Василева, г- жа Стоянова, д-р Петко Петков и проф. Иванов", mode="query")
    assert got == [stem(w) for w in ("мая", "василева", "стоянова", "петко", "петков", "иванов")]
    assert terms("по-висока ефективност") == [
        "по-висок",
        stem("висока"),
        stem("ефективност"),
    ]


@pytest.mark.parametrize(
    "word",
    ["аз", "него", "ѝ", "техните", "който", "всички", "във", "между", "обаче", "ще", "ли"]
    + ["съм", "бяха", "бъдат", "били", "г-жа", "г-н", "д-р", "проф", "доц", "инж", "арх"],
)
def test_stopword_classes(word: str) -> None:
    assert is_stopword(word)


@pytest.mark.parametrize(
    "word", ["има", "няма", "може", "бъдещ", "бъдещите", "дете", "социален", "помощ", "съвет"]
)
def test_content_words_are_not_stopwords(word: str) -> None:
    assert not is_stopword(word)


def test_stopwords_are_lower_case_cyrillic() -> None:
    assert HONORIFICS <= STOPWORDS
    assert all(w == w.lower() and not any("a" <= c <= "z" for c in w) for w in STOPWORDS)


def test_numbers_with_suffixes() -> None:
    assert terms("28-те области", mode="query") == ["28", stem("области")]


def test_stopwords_kept_but_marked_for_highlighting() -> None:
    ana = bulgarian_analyzer(lemmatize=False)
    toks = [(t.text, t.stopped) for t in ana("среща на АСП", mode="index", removestops=False)]
    assert ("на", True) in toks


def test_tokenize_false_gives_one_token() -> None:
    ana = bulgarian_analyzer(lemmatize=False)
    assert [t.text for t in ana("BG05M9OP0012.003", tokenize=False, mode="query")] == [
        "BG05M9OP001-2.003"
    ]
    assert [t.text for t in ana("агенц*", tokenize=False, mode="query")] == ["агенц*"]


# ----------------------------------------------------------- golden streams
#
# Full token streams (term@position:start-end, /boost when not 1), recorded
# from the analyzer before it was made faster: the fast path must not change
# a single token. Light stemmer (no simplemma), index and query mode.

_GOLDEN = [
    (
        "Агенцията за социално подпомагане организира среща с приемните семейства в Монтана.",
        "агенк@0:0-9 асп@0:0-33 социалн@1:13-21 подпомаган@2:22-33 асп@2:22-33/0.0"
        " организир@3:34-44 срещ@4:45-50 приемн@5:53-62 семейств@6:63-72 монтан@7:75-82",
        "агенк@0:0-9 социалн@1:13-21 подпомаган@2:22-33 организир@3:34-44 срещ@4:45-50"
        " приемн@5:53-62 семейств@6:63-72 монтан@7:75-82",
    ),
    (
        "Директорът на АСП-то и г-жа Мая Василева поздравиха заместник-министъра.",
        "директор@0:0-10 асп@1:14-20 агенк@1:14-20 социалн@2:14-20 подпомаган@3:14-20"
        " асп@3:14-20/0.0 мая@4:28-31 василев@5:32-40 поздрав@6:41-51"
        " заместник-министр@7:52-71 заместник@7:52-61 министр@7:62-71",
        "директор@0:0-10 асп@1:14-20 мая@2:28-31 василев@3:32-40 поздрав@4:41-51"
        " заместник-министр@5:52-71",
    ),
    (
        "Проект №BG05\u041c9\u041e\u0420001-2.003-0001-C01 се изпълнява от ДСП-Лом.",
        "прок@0:0-6 BG05M9OP001-2.003-0001-C01@1:8-34 BG05M9OP001@1:8-34"
        " BG05M9OP001-2.003@1:8-34 BG05M9OP001-2.003-0001@1:8-34 изпълнев@2:38-47"
        " дсп-лом@3:51-58 дсп@3:51-54 дирекк@3:51-54 социалн@4:51-54 подпомаган@5:51-54"
        " лом@3:55-58 дсп-лом@5:55-58/0.0 дсп@5:55-58/0.0 лом@5:55-58/0.0",
        "прок@0:0-6 BG05M9OP001-2.003-0001-C01@1:8-34 изпълнев@2:38-47 дсп-лом@3:51-58",
    ),
    (
        f"СОЦИАЛНИ УСЛУГИ В ОБЩИНАТА: 28-те деца и хората в мултимедийн{LAT_A}та зала на ЕСФ+.",
        "социалн@0:0-8 услуг@1:9-15 общин@2:18-26 28@3:28-33 дет@4:34-38 човк@5:41-47"
        " мултимедийн@6:50-64 зал@7:65-69 есф+@8:73-77 европейск@8:73-77 социалн@9:73-77"
        " фонд@10:73-77 плюх@11:73-77 есф+@11:73-77/0.0",
        "социалн@0:0-8 услуг@1:9-15 общин@2:18-26 28@3:28-33 дет@4:34-38 човк@5:41-47"
        " мултимедийн@6:50-64 зал@7:65-69 есф+@8:73-77",
    ),
]


def _render(text: str, mode: str) -> str:
    ana = bulgarian_analyzer(lemmatize=False)
    return " ".join(
        f"{t.text}@{t.pos}:{t.startchar}-{t.endchar}" + ("" if t.boost == 1.0 else f"/{t.boost}")
        for t in ana(text, positions=True, chars=True, mode=mode)
    )


@pytest.mark.parametrize(("text", "index_stream", "query_stream"), _GOLDEN)
def test_golden_token_streams(text: str, index_stream: str, query_stream: str) -> None:
    assert _render(text, "index") == index_stream
    assert _render(text, "query") == query_stream


# ------------------------------------------------------------ abbreviations


def test_full_name_in_any_inflection_adds_the_abbreviation() -> None:
    for text in (
        "Агенцията за социално подпомагане",
        "Агенция „Социално подпомагане“",
        "агенциите за социалното подпомагане",
    ):
        assert "асп" in terms(text), text
    assert "рдсп" in terms("Регионалната дирекция „Социално подпомагане“ – Враца")
    assert "дсп" not in terms("Регионалната дирекция „Социално подпомагане“ – Враца")
    assert "мтсп" in terms("заместник-министъра на труда и социалната политика")
    assert "опрчр" in terms('ОП "Развитие на човешките ресурси"')


def test_abbreviation_adds_the_full_name_at_consecutive_positions() -> None:
    toks = tokens("АСП организира среща")
    positions = {text: pos for text, pos, _, _ in toks}
    name = [stem(w) for w in ("агенция", "социално", "подпомагане")]
    assert [positions[t] for t in name] == [0, 1, 2]
    # the abbreviation is also at the last name position, so «АСП организира» is a phrase
    asp = sorted(pos for text, pos, _, _ in toks if text == "асп")
    assert asp == [0, 2]
    assert positions[stem("организира")] == 3
    # expansions point at the abbreviation for highlighting
    assert all((s, e) == (0, 3) for text, _, s, e in toks if text in name)


def test_acronym_inside_a_compound_is_expanded() -> None:
    got = terms("ДСП-Лом организира")
    assert "дсп" in got and stem("дирекция") in got


def test_query_mode_never_expands() -> None:
    assert terms("АСП", mode="query") == ["асп"]
    assert terms("Агенцията за социално подпомагане", mode="query") == [
        stem(w) for w in ("агенцията", "социално", "подпомагане")
    ]


def test_abbreviation_table() -> None:
    for abbr in ("АСП", "МТСП", "РДСП", "ДСП", "ОЗД", "АКСУ", "АЗ", "ДБТ", "ГИТ", "ДАЗД", "АХУ"):
        assert abbr in ABBREVIATIONS
    for abbr in ("НОИ", "НСОРБ", "СО", "СОС", "ЕК", "ОПРЧР", "ПРЧР", "ЕСФ", "ЕСФ+", "НПВУ"):
        assert abbr in ABBREVIATIONS
    for abbr in ("РУО", "БЧК", "ЦНСТ", "ЦСРИ", "ЦОП"):
        assert abbr in ABBREVIATIONS
    assert full_name("асп") == "Агенция за социално подпомагане"
    assert full_name("XYZ") is None
    rows = parse_table("# comment\nАБВ\tАгенция за всичко\tвар1 | вар2\n")
    assert rows[0].names == ("Агенция за всичко", "вар1", "вар2")
    with pytest.raises(ValueError):
        parse_table("само една колона\n")


# -------------------------------------------------------- stream invariants

_VOCAB = [
    "Агенцията",
    "за",
    "социално",
    "подпомагане",
    "АСП",
    "АСП-то",
    "МТСП",
    "заместник-министъра",
    "на",
    "труда",
    "и",
    "социалната",
    "политика",
    "г-жа",
    "Василева",
    "приемните",
    "семейства",
    "BG05M9OP001-2.003-0001-C01",
    "ЦСРИ",
    "28-те",
    "СРЕЩА",
    "„Социално",
    "подпомагане“",
    "Регионална",
    "дирекция",
    "ДСП-Лом",
    "подпомагане",
]


def _assert_stream_order(text: str) -> None:
    ana = bulgarian_analyzer(lemmatize=False)
    last_pos: dict[str, int] = defaultdict(lambda: -1)
    last_start = -1
    for t in ana(text, positions=True, chars=True, mode="index"):
        assert t.pos >= last_pos[t.text], (t.text, t.pos)
        last_pos[t.text] = t.pos
        assert t.startchar >= last_start, (t.text, t.startchar)
        last_start = t.startchar
        assert 0 <= t.startchar < t.endchar <= len(text)


def test_stream_order_with_a_name_that_starts_with_a_compound() -> None:
    _assert_stream_order("заместник-министъра на труда и социалната политика и АСП-то")
    _assert_stream_order("ДСП-Лом подпомагане ДСП-Лом социално подпомагане")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=25))
def test_positions_per_term_and_chars_never_go_backwards(words: list[str]) -> None:
    """Whoosh's phrase matcher bisects each term's positions, and its
    highlighter walks tokens in character order: both orders must hold."""
    text = " ".join(words)
    _assert_stream_order(text)
    ana = bulgarian_analyzer(lemmatize=False)
    # query mode: strictly one token per position
    qpos = [t.pos for t in ana(text, positions=True, mode="query")]
    assert qpos == sorted(set(qpos))


def test_name_matcher_reads_slots_only_as_far_as_a_name_can_go() -> None:
    matcher = NameMatcher({("а", "б"): "АБ", ("а", "б", "в"): "АБВ"})
    read: list[set[str]] = []

    def slots():
        for terms in ({"а"}, {"б"}, {"г"}, {"в"}):
            read.append(terms)
            yield terms

    assert matcher.longest(slots()) == (2, "АБ")
    assert len(read) == 3
    assert matcher.match([{"х"}, {"а"}, {"б", "у"}, {"в"}], 1) == (3, "АБВ")
    assert matcher.match([{"а"}, {"в"}], 0) is None


# ------------------------------------------------------------- fused chain
#
# The analyzer runs its chain as one fused loop; each stage on its own (what
# any other composition gets) must give exactly the same tokens.

_MORE_WORDS = ["г-н", "и-и", "АСП-ТО", "ЦНСТ", "НАП", "ВНИМАНИЕ", "ЕСФ+", "A-Б", "x_y", "1-ви"]
_SEPARATORS = [" ", " ", ", ", ". ", " — ", "-", "", "\n", "(", ") ", "\u00ad"]
_CALLS = [
    {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "chars": True, "mode": "query"},
    {"chars": True, "mode": "index", "removestops": False, "keeporiginal": True},
    {"chars": True, "mode": "query", "removestops": False},
    {"positions": True, "mode": "index", "no_morph": True, "boosts": True},
    {"positions": True, "chars": True, "mode": "index", "start_pos": 3, "start_char": 7},
]


def _stage_by_stage(ana, text: str, no_morph: bool = False, **kwargs) -> list[dict]:
    tokens = iter(ana.items[0](text, **kwargs))  # a started stream: no fusion
    for stage in ana.items[1:]:
        if not (no_morph and getattr(stage, "is_morph", False)):
            tokens = stage(tokens)
    return [dict(t.__dict__) for t in tokens]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_VOCAB + _MORE_WORDS), st.sampled_from(_SEPARATORS)),
        min_size=1,
        max_size=20,
    )
)
def test_fused_chain_gives_the_tokens_of_the_stages_one_by_one(words: list) -> None:
    text = "".join(w + sep for w, sep in words)
    for lemmatize in (False, True):
        if lemmatize and not simplemma_available():
            continue
        ana = bulgarian_analyzer(lemmatize=lemmatize)
        for kwargs in _CALLS:
            fused = [dict(t.__dict__) for t in ana(text, **kwargs)]
            assert fused == _stage_by_stage(ana, text, **kwargs), kwargs


def test_word_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(_VOCAB + _MORE_WORDS) + " " + " ".join(f"дума{n}та" for n in range(50))
    expected = tokens(text)
    monkeypatch.setattr(analyzer_module, "_CACHE_LIMIT", 5)
    monkeypatch.setattr(analyzer_module, "_RUN_INFO", {})
    monkeypatch.setattr(analyzer_module, "_WORD_TERMS", {})
    assert tokens(text) == expected
    assert len(analyzer_module._RUN_INFO) <= 5
    assert all(len(cache) <= 5 for cache in analyzer_module._WORD_TERMS.values())


# ------------------------------------------------------------- whoosh index

DOCS = {
    "asp": "Агенцията за социално подпомагане организира среща с приемните семейства в Монтана.",
    "code": "Проект №BG05\u041c9\u041e\u0420001-2.003-0001-C01 се изпълнява от АСП-то.",
    "mtsp": "Заместник-министърът на труда и социалната политика откри форума.",
    "abbr": "Директорите на дирекциите се срещнаха. АСП организира обучение.",
    "other": "Общината ремонтира детската градина и пътищата в селото.",
    "lom": "ДСП-Лом организира кампания за семейства.",
}


@pytest.fixture(params=[False, True], ids=["light", "lemmatizer"])
def searcher_and_parser(request: pytest.FixtureRequest, tmp_path: Path):
    lemmatize = request.param
    if lemmatize:
        pytest.importorskip("simplemma")
    schema = Schema(
        id=ID(stored=True, unique=True),
        body=TEXT(analyzer=bulgarian_analyzer(lemmatize=lemmatize), stored=True),
    )
    assert pickle.loads(pickle.dumps(schema))["body"].analyzer == schema["body"].analyzer
    ix = index.create_in(tmp_path, schema)
    with ix.writer() as writer:
        for doc_id, body in DOCS.items():
            writer.add_document(id=doc_id, body=body)
    reopened = index.open_dir(tmp_path)  # the schema is unpickled from disk
    searcher = reopened.searcher()
    yield searcher, QueryParser("body", reopened.schema)
    searcher.close()


def found(searcher_and_parser, query: str) -> set[str]:
    searcher, parser = searcher_and_parser
    return {hit["id"] for hit in searcher.search(parser.parse(query), limit=None)}


@pytest.mark.parametrize(
    ("query", "must_find"),
    [
        # «Агенцията» in "asp"; the others via the expansion of «АСП»
        ("агенции", {"asp", "code", "abbr"}),
        ("приемно семейство", {"asp"}),
        ('"приемни семейства"', {"asp"}),
        ("BG05M9OP001-2.003", {"code"}),
        ("BG05M9OP0012.003", {"code"}),
        ("BG05M9OP001", {"code"}),
        ("АСП", {"asp", "code", "abbr"}),
        ("асп", {"asp", "code", "abbr"}),
        ("ДСП", {"lom"}),
        ('"Агенцията за социално подпомагане"', {"asp", "code", "abbr"}),
        ('"АСП организира"', {"asp", "abbr"}),
        ('"министър на труда"', {"mtsp"}),
        ("МТСП", {"mtsp"}),
        ("заместник-министър", {"mtsp"}),
        ("пътя", {"other"}),
        ('"Лом организира"', {"lom"}),
        ('"ДСП-Лом организира"', {"lom"}),
        ('"дирекция социално подпомагане организира"', {"lom"}),
    ],
)
def test_search(searcher_and_parser, query: str, must_find: set[str]) -> None:
    assert found(searcher_and_parser, query) == must_find


def test_search_misses_what_is_not_there(searcher_and_parser) -> None:
    assert found(searcher_and_parser, "BG05M9OP001-3.006") == set()
    assert found(searcher_and_parser, '"семейства приемни"') == set()
    assert found(searcher_and_parser, "НОИ") == set()


def test_highlighting_marks_the_inflected_form(searcher_and_parser) -> None:
    searcher, parser = searcher_and_parser
    hits = searcher.search(parser.parse("агенции"))
    by_id = {hit["id"]: hit.highlights("body") for hit in hits}
    assert '<b class="match term0">Агенцията</b>' in by_id["asp"]
    hits = searcher.search(parser.parse("BG05M9OP001-2.003"))
    assert "BG05\u041c9\u041e\u0420001-2.003-0001-C01</b>" in hits[0].highlights("body")
