"""The Bulgarian analyzer of the search index (Whoosh).

Pipeline (each stage a module-level class, because Whoosh pickles the analyzer
into the index schema: renaming or moving these classes makes old indexes
unreadable, so this module path and these class names are part of the index
format):

1. ``BulgarianTokenizer`` — finds EU project codes first (one token, normalised,
   plus their procedure prefixes); splits the rest into words, keeping
   hyphenated compounds whole *and* emitting their parts at the same position;
   folds Latin look-alike letters inside Cyrillic words (and Cyrillic ones inside
   Latin words); recognises upper-case acronyms (АСП, «АСП-то» → АСП) and tells
   them from words of an all-caps headline.
2. ``BulgarianLowercaseFilter`` — lower case (codes stay upper-case Latin).
3. ``BulgarianStopFilter`` — drops stopwords and honorifics, renumbering
   positions so that phrase queries skip them as Whoosh's own StopFilter does.
4. ``BulgarianStemFilter`` — the light stemmer (optionally behind simplemma) on
   Cyrillic words; acronyms, codes, numbers and Latin words are left alone.
5. ``AbbreviationFilter`` — index-time expansion abbreviation ↔ full name
   (see index/abbreviations.py for why it is index-time).

Query mode (``mode="query"``) emits one token per position: compounds whole
(no parts), codes without prefixes, no abbreviation expansion. Whoosh builds
phrase queries from the plain list of query tokens, so extra same-position
tokens would break phrases; the index side carries the extra tokens instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, Token, Tokenizer

from crawler.extract.codes import code_prefixes, find_codes
from index.abbreviations import ABBREVIATIONS, build_matcher
from index.stemmer import lemma_stem, simplemma_available, stem
from index.stopwords import STOPWORDS

__all__ = [
    "AbbreviationFilter",
    "BulgarianLowercaseFilter",
    "BulgarianStemFilter",
    "BulgarianStopFilter",
    "BulgarianTokenizer",
    "analyze",
    "bulgarian_analyzer",
]

# --------------------------------------------------------------- characters

_HYPHENS = "-\u2010\u2011"
# Characters that may sit inside a word without splitting it, and are dropped
# from the indexed term: soft hyphen, zero-width (non-)joiners, combining marks
# (stress accents such as «а̀»).
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u0300-\u036f"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_WORD_RE = re.compile(
    rf"[^\W_][^\W_{_INVISIBLE}]*(?:[{_INVISIBLE}]+[^\W_]+)*"
    rf"(?:[{_HYPHENS}][^\W_](?:[^\W_]|[{_INVISIBLE}])*)*\+?"
)
_HYPHEN_SPLIT_RE = re.compile(f"[{_HYPHENS}]")

_LAT_TO_CYR = str.maketrans("aeopcxyABEKMHOPCTXY", "аеорсхуАВЕКМНОРСТХУ")
_CYR_TO_LAT = str.maketrans("аеорсхуАВЕКМНОРСТХУ", "aeopcxyABEKMHOPCTXY")
_LAT_LOOKALIKES = frozenset("aeopcxyABEKMHOPCTXY")
_CYR_LOOKALIKES = frozenset("аеорсхуАВЕКМНОРСТХУ")
_CYR_VOWELS = frozenset("АЕИОУЪЮЯаеиоуъюя")

# Colloquial articles glued to acronyms: «АСП-то», «ЦНСТ-тата», «НОИ-а».
_ACRONYM_ARTICLES = frozenset(
    ["то", "та", "те", "ът", "ят", "а", "я", "и", "ите", "ове", "овете", "тата", "ата", "ото"]
)
# Ordinal and article suffixes glued to numbers: «28-те», «1-ви», «2-ри».
_NUMBER_SUFFIX_RE = re.compile(r"[а-яА-Я]{1,3}")

_KNOWN_ABBR = frozenset(ABBREVIATIONS)
_KNOWN_ABBR_LOWER = frozenset(a.lower() for a in ABBREVIATIONS)

WORD, ACRONYM, CODE, NUMBER, LATIN = "word", "acronym", "code", "number", "latin"


_HAS_CYR = re.compile("[\u0400-\u04ff]")
_HAS_LAT = re.compile("[A-Za-z]")
_CAPS_RE = re.compile("[\u0400-\u042f]{2,}\\+?")  # upper-case Cyrillic (ЕСФ+ too)


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def fold_lookalikes(part: str) -> str:
    """Make a mixed-script word single-script when only look-alikes differ.

    «мултимедийнaта» (Latin a) → all Cyrillic; «Micrоsoft» (Cyrillic о) → all
    Latin; «BG03-ПС01» style mixtures with letters that have no twin stay as
    they are.
    """
    if not _HAS_LAT.search(part) or not _HAS_CYR.search(part):
        return part
    cyr = [ch for ch in part if _is_cyr(ch)]
    lat = [ch for ch in part if ch.isascii() and ch.isalpha()]
    latin_all_twins = all(ch in _LAT_LOOKALIKES for ch in lat)
    cyr_all_twins = all(ch in _CYR_LOOKALIKES for ch in cyr)
    if latin_all_twins and (len(cyr) >= len(lat) or not cyr_all_twins):
        return part.translate(_LAT_TO_CYR)
    if cyr_all_twins:
        return part.translate(_CYR_TO_LAT)
    return part


def _is_caps(part: str) -> bool:
    """Two or more upper-case Cyrillic letters and nothing else (a trailing + allowed)."""
    return _CAPS_RE.fullmatch(part) is not None


def _word_like_caps(word: str) -> bool:
    """A long all-caps word with normal vowel density is a shouted word, not an acronym."""
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) < 6:
        return False
    return sum(ch in _CYR_VOWELS for ch in letters) / len(letters) >= 0.35


# ----------------------------------------------------------------- tokenizer


class _Piece:
    """A surface token before it becomes a Whoosh Token (internal)."""

    __slots__ = ("end", "kind", "parts", "start", "text")

    def __init__(self, text: str, start: int, end: int, kind: str, parts: list) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.kind = kind
        self.parts = parts  # [(text, start, end, kind)] for compounds


def _kind_of(part: str) -> str:
    if part.isdigit():
        return NUMBER
    return WORD if _HAS_CYR.search(part) else LATIN


def _scan_words(text: str, lo: int, hi: int, out: list[_Piece]) -> None:
    """Tokenize ``text[lo:hi]`` into pieces (no codes in that range)."""
    for m in _WORD_RE.finditer(text, lo, hi):
        start, end = m.span()
        raw = m.group()
        if raw[-1] == "+" and not _is_caps(raw):
            raw, end = raw[:-1], end - 1
        if raw.isalnum():  # the common case: one plain word
            out.append(_Piece(fold_lookalikes(raw), start, end, _kind_of(raw), []))
            continue
        clean = _INVISIBLE_RE.sub("", raw)
        folded = [fold_lookalikes(p) for p in _HYPHEN_SPLIT_RE.split(clean)]
        whole = "-".join(folded)
        parts: list = []
        if len(folded) > 1:
            # Offsets of the parts in the original text (each hyphen is one char).
            pos = start
            for raw_part, part in zip(_HYPHEN_SPLIT_RE.split(raw), folded, strict=True):
                parts.append((part, pos, pos + len(raw_part), _kind_of(part)))
                pos += len(raw_part) + 1
        out.append(_Piece(whole, start, end, _kind_of(whole), parts))


def _classify(pieces: list[_Piece]) -> None:
    """Second pass: acronyms (with context), numbers with suffixes, compounds."""
    caps = [_is_caps(p.parts[0][0] if p.parts else p.text) and p.text.isupper() for p in pieces]
    for i, p in enumerate(pieces):
        head = p.parts[0][0] if p.parts else p.text
        if (
            p.parts
            and head.isdigit()
            and all(_NUMBER_SUFFIX_RE.fullmatch(q[0]) for q in p.parts[1:])
        ):
            p.text, p.kind, p.parts = head, NUMBER, []  # «28-те» -> 28
            continue
        article = len(p.parts) == 2 and p.parts[1][0].lower() in _ACRONYM_ARTICLES
        if article and (_is_caps(head) or head.lower() in _KNOWN_ABBR_LOWER):
            p.text, p.kind, p.parts = head.upper(), ACRONYM, []  # «АСП-то», «асп-то»
            continue
        if p.parts:
            # «ДСП-Лом», «НСОРБ-Актив»: an acronym inside a compound is one too
            p.parts = [(q[0], q[1], q[2], ACRONYM if _is_caps(q[0]) else q[3]) for q in p.parts]
            continue
        if not caps[i]:
            continue
        if p.text in _KNOWN_ABBR:
            p.kind = ACRONYM
            continue
        if _word_like_caps(p.text):
            continue
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(pieces)]
        if any(caps[j] and pieces[j].text not in _KNOWN_ABBR for j in neighbours):
            continue  # part of an all-caps headline
        p.kind = ACRONYM


def scan(text: str) -> list[_Piece]:
    """Codes and words of ``text`` in order (the tokenizer's first step)."""
    pieces: list[_Piece] = []
    lo = 0
    for start, end, code in find_codes(text, include_programmes=True):
        _scan_words(text, lo, start, pieces)
        pieces.append(_Piece(code, start, end, CODE, []))
        lo = end
    _scan_words(text, lo, len(text), pieces)
    _classify(pieces)
    return pieces


class BulgarianTokenizer(Tokenizer):
    """Words, compounds (whole + parts), acronyms and project codes.

    Token attributes added for the filters: ``kind`` (word, acronym, code,
    number, latin) and ``secondary`` (True for compound parts and code
    prefixes, which share the position of their whole).
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not value:
            return
        if not tokenize:
            code = find_codes(value, include_programmes=True)
            whole = code[0][2] if code and code[0][:2] == (0, len(value)) else None
            t.text = whole or fold_lookalikes(_INVISIBLE_RE.sub("", value))
            t.kind = CODE if whole else _kind_of(t.text)
            t.secondary = False
            t.boost = 1.0
            t.stopped = False
            t.pos, t.startchar, t.endchar = start_pos, start_char, start_char + len(value)
            if keeporiginal:
                t.original = value
            yield t
            return
        index_mode = mode != "query"
        for n, piece in enumerate(scan(value)):
            pos = start_pos + n
            t.boost = 1.0
            t.stopped = False
            t.text, t.kind, t.secondary, t.pos = piece.text, piece.kind, False, pos
            t.startchar, t.endchar = start_char + piece.start, start_char + piece.end
            if keeporiginal:
                t.original = value[piece.start : piece.end]
            yield t
            if not index_mode:
                continue
            if piece.kind == CODE:
                for prefix in code_prefixes(piece.text)[:-1]:
                    t.boost = 1.0
                    t.stopped = False
                    t.text, t.kind, t.secondary, t.pos = prefix, CODE, True, pos
                    t.startchar, t.endchar = start_char + piece.start, start_char + piece.end
                    yield t
            for text, ps, pe, kind in piece.parts:
                if not text:
                    continue
                t.boost = 1.0
                t.stopped = False
                t.text, t.kind, t.secondary, t.pos = text, kind, True, pos
                t.startchar, t.endchar = start_char + ps, start_char + pe
                if keeporiginal:
                    t.original = value[ps:pe]
                yield t


# ------------------------------------------------------------------- filters


class BulgarianLowercaseFilter(Filter):
    """Lower-cases everything but project codes (canonical upper-case Latin)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if getattr(t, "kind", WORD) != CODE:
                t.text = t.text.lower().replace("ѝ", "и")
            yield t


class BulgarianStopFilter(Filter):
    """Removes stopwords and honorifics; renumbers positions over the gaps.

    Positions are renumbered per *position group* (a compound and its parts
    share one), so that the query «министър на труда» and the indexed text line
    up the same way Whoosh's StopFilter(renumber=True) would. With
    ``removestops=False`` (highlighting) stopwords are kept, marked ``stopped``.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        last_src: int | None = None
        new_pos: int | None = None
        whole_stopped_at: int | None = None
        for t in tokens:
            secondary = getattr(t, "secondary", False)
            is_stop = getattr(t, "kind", WORD) == WORD and t.text in STOPWORDS
            if secondary and whole_stopped_at == t.pos:
                is_stop = True  # the parts of «г-жа» go with it
            if not secondary:
                whole_stopped_at = t.pos if is_stop else None
            if is_stop:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.pos != last_src:
                last_src = t.pos
                new_pos = t.pos if new_pos is None else new_pos + 1
            t.pos = new_pos
            t.stopped = False
            yield t


class BulgarianStemFilter(Filter):
    """Stems Cyrillic words; optionally through the simplemma lemmatizer.

    ``lemmatize`` is stored in the pickled schema, so an index and the queries
    against it always use the same stemming; an index built with the
    lemmatizer refuses to analyse without simplemma instead of silently
    producing different terms.
    """

    is_morph = True

    def __init__(self, lemmatize: bool = False) -> None:
        self.lemmatize = lemmatize

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        fn = lemma_stem if self.lemmatize else stem
        for t in tokens:
            if getattr(t, "kind", WORD) == WORD and not t.stopped:
                t.text = stem_term(t.text, fn)
            yield t


_CYR_WORD_RE = re.compile(r"[а-яѐ-џ]+(?:-[а-яѐ-џ0-9a-z]+)*")


def stem_term(text: str, fn: Any = stem) -> str:
    """Index term of one lower-case word; compounds are stemmed on the last part."""
    if text in _KNOWN_ABBR_LOWER or not _CYR_WORD_RE.fullmatch(text):
        return text
    head, sep, last = text.rpartition("-")
    if not last or not last.isalpha() or not _is_cyr(last[0]):
        return text
    return head + sep + fn(last)


class AbbreviationFilter(Filter):
    """Index-time abbreviation ↔ full-name expansion (see index/abbreviations.py).

    Must come last. In query mode it passes tokens through untouched.
    """

    def __init__(self, lemmatize: bool = False) -> None:
        self.lemmatize = lemmatize

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        t = next(tokens, None)
        if t is None:
            return
        if t.mode == "query":
            yield t
            yield from tokens
            return
        matcher, expansions, _ = _compiled_table(self.lemmatize)
        # Snapshot the stream as plain tuples (cheaper than Token copies), then
        # replay it through the same reused Token object.
        records = [_record(t)]
        for t in tokens:
            records.append(_record(t))
        keep_original = hasattr(t, "original")
        for rec in _expand(records, matcher, expansions):
            t.text, t.pos, t.startchar, t.endchar, t.boost, t.stopped, t.kind = rec[:7]
            t.secondary = rec[7]
            if keep_original:
                t.original = rec[8]
            yield t


# text, pos, startchar, endchar, boost, stopped, kind, secondary, original
_Record = tuple[str, int, int, int, float, bool, str, bool, Any]


def _record(t: Token) -> _Record:
    return (
        t.text,
        t.pos,
        t.startchar,
        t.endchar,
        t.boost,
        t.stopped,
        getattr(t, "kind", WORD),
        getattr(t, "secondary", False),
        getattr(t, "original", None),
    )


@lru_cache(maxsize=2)
def _compiled_table(lemmatize: bool) -> tuple:
    """The abbreviation table compiled with this analyzer's own terms."""
    base = _base_chain(lemmatize)

    def terms_of(name: str) -> tuple[str, ...]:
        return tuple(
            t.text
            for t in base(name, positions=True, mode="query")
            if not getattr(t, "secondary", False)
        )

    return build_matcher(terms_of)


def _expand(items: list[_Record], matcher: Any, expansions: dict) -> Iterator[_Record]:
    """Replay ``items`` with abbreviation terms added (see index/abbreviations.py)."""
    # Slots: one per position, over the tokens that are not stopped.
    slot_pos: list[int] = []
    slot_terms: list[set[str]] = []
    slot_first: list[int] = []  # index in items of the slot's primary token
    slot_last: list[int] = []  # index of its last token (parts follow the whole)
    for idx, (text, pos, *_rest) in enumerate(items):
        if items[idx][5]:  # stopped (kept only for highlighting)
            continue
        if slot_pos and slot_pos[-1] == pos:
            slot_terms[-1].add(text)
            slot_last[-1] = idx
        else:
            slot_pos.append(pos)
            slot_terms.append({text})
            slot_first.append(idx)
            slot_last.append(idx)

    after: dict[int, list[_Record]] = {}  # extra records to emit after items[idx]
    shifts: dict[int, int] = {}  # item index -> extra positions from there on
    last_match_end: dict[str, int] = {}
    i = 0
    while i < len(slot_pos):
        found = matcher.match(slot_terms, i) if slot_terms[i] & matcher.first_terms else None
        if found:
            length, abbr = found
            j = i + length - 1
            first, last = items[slot_first[i]], items[slot_last[j]]
            # right after the name's first token (before its compound parts),
            # so that start offsets never go backwards
            after.setdefault(slot_first[i], []).append(
                _extra(first, abbr, slot_pos[i], first[2], last[3], 1.0)
            )
            if length > 1:  # zero-weight copy at the end of the name, for phrases
                after.setdefault(slot_last[j], []).append(
                    _extra(last, abbr, slot_pos[j], last[2], last[3], 0.0)
                )
            last_match_end[abbr] = j
            i += length
            continue
        # the acronym: the slot's token itself, or a part of «ДСП-Лом»
        ai = next(
            (
                k
                for k in range(slot_first[i], slot_last[i] + 1)
                if items[k][6] == ACRONYM and not items[k][5] and items[k][0] in expansions
            ),
            None,
        )
        if ai is not None and last_match_end.get(items[ai][0]) != i - 1:
            rec, terms = items[ai], expansions[items[ai][0]]
            p, s, e = slot_pos[i], rec[2], rec[3]
            extra = [_extra(rec, term, p + k, s, e, 1.0) for k, term in enumerate(terms)]
            if len(terms) > 1:
                # The rest of the text moves up to make room for the name, so
                # the slot's own terms (the acronym, and the rest of «ДСП-Лом»)
                # are repeated, weightless, next to the text that follows.
                # They follow the slot's last token and point at it, keeping
                # both orders (offsets, and each term's positions) intact.
                last, tail = p + len(terms) - 1, items[slot_last[i]]
                after.setdefault(slot_last[i], []).extend(
                    _extra(items[k], items[k][0], last, tail[2], tail[3], 0.0)
                    for k in range(slot_first[i], slot_last[i] + 1)
                    if not items[k][5]
                )
                shifts[slot_last[i] + 1] = len(terms) - 1
            after.setdefault(ai, [])[:0] = extra
        i += 1

    shift = 0
    for idx, rec in enumerate(items):
        shift += shifts.get(idx, 0)
        yield (rec[0], rec[1] + shift, *rec[2:]) if shift else rec
        for extra in after.get(idx, ()):
            yield (extra[0], extra[1] + shift, *extra[2:])


def _extra(like: _Record, text: str, pos: int, start: int, end: int, boost: float) -> _Record:
    """An added abbreviation or name term, pointing at the text that caused it."""
    return (text, pos, start, end, boost, False, ACRONYM, True, like[8])


# ------------------------------------------------------------------- factory


def _base_chain(lemmatize: bool) -> Any:
    return (
        BulgarianTokenizer()
        | BulgarianLowercaseFilter()
        | BulgarianStopFilter()
        | BulgarianStemFilter(lemmatize=lemmatize)
    )


def bulgarian_analyzer(lemmatize: bool | None = None) -> Any:
    """The analyzer for Whoosh TEXT fields (indexing and querying).

    ``lemmatize=None`` uses the simplemma lemmatizer when it is installed.
    The choice is pickled with the schema, so it stays fixed for an index.
    """
    if lemmatize is None:
        lemmatize = simplemma_available()
    return _base_chain(lemmatize) | AbbreviationFilter(lemmatize=lemmatize)


@lru_cache(maxsize=2)
def _default_analyzer(lemmatize: bool) -> Any:
    return bulgarian_analyzer(lemmatize)


def analyze(text: str, *, lemmatize: bool | None = None) -> list[dict[str, Any]]:
    """What the index stores for ``text``: surface text, offsets, indexed term.

    This is the JSON of ``socnews analyze``: ``[{"text", "start", "end",
    "term"}]`` in stream order, including compound parts, code prefixes and
    abbreviation expansions (whose surface is the abbreviation or name that
    triggered them).
    """
    if lemmatize is None:
        lemmatize = simplemma_available()
    ana = _default_analyzer(lemmatize)
    return [
        {
            "text": text[t.startchar : t.endchar],
            "start": t.startchar,
            "end": t.endchar,
            "term": t.text,
        }
        for t in ana(text, positions=True, chars=True, mode="index")
    ]
