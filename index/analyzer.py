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

Speed: the stages are kept (for the pickles, and for Whoosh's ``no_morph``,
which skips the stemmer), but the chain this module builds does not run as
five generators wrapped in one another. The tokenizer returns a lazy stream
that the filters join; iterated, it runs all of them in one loop (``_fused``)
over the pieces of the text: the text is split into runs of word characters
by one regex and every run is looked up in a cache of its classified piece,
every word in a cache of its term (lower case, stopword, stem), so each
distinct word is analysed once per process; the abbreviation stage only
looks at the slots holding a term of its table. Any other chain, or a stream
that has already started, gets the stages one by one, token for token the
same (tests/test_analyzer.py checks both).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterator
from functools import lru_cache
from itertools import accumulate, compress
from operator import itemgetter
from typing import Any, NamedTuple

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

# Per-process caches of pure functions of one surface word (_RUN_INFO,
# _WORD_TERMS), bounded: one that fills up is emptied and refilled. News
# vocabulary is small, so that is rare and cheap.
_CACHE_LIMIT = 100_000


class _Piece:
    """A surface token before it becomes a Whoosh Token (the result of ``scan``)."""

    __slots__ = ("end", "kind", "parts", "start", "text")

    def __init__(self, text: str, start: int, end: int, kind: str, parts: list) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.kind = kind
        self.parts = parts  # [(text, start, end, kind)] for compounds


# Inside the tokenizer a piece is a plain tuple (cheaper than an object), its
# start offset kept apart: (text, kind, parts, flag, length, headline).
# ``parts`` are (text, start, end, kind) with offsets from the piece's start;
# ``length`` is its span in the source (``text`` can be shorter: soft hyphens
# and accents are dropped, codes normalised).
#
# A piece is classified (acronym, number with a suffix, compound) as soon as
# it is read, except for an unknown all-caps word, which is an acronym only
# when no neighbour makes it part of an all-caps headline: those get ``flag``
# _CHECK and are settled by _classify once all pieces are read. A neighbour
# counts as a headline word when it was an all-caps word as read and its text
# is not a known abbreviation, its text as read when it comes after the piece,
# as classified when before («ЦНСТ АСП-ТО» differs from «АСП-ТО ЦНСТ»):
# ``headline`` holds _AFTER and _BEFORE bits for the two cases.
_Info = tuple[str, str, tuple, int, int, int]
_PLAIN, _CHECK, _MULTI = 0, 1, 2
_AFTER, _BEFORE = 1, 2
_FLAG = itemgetter(3)

# A run of characters that can belong to a word; each holds one or more
# _WORD_RE matches and nothing else does. Most runs are one plain word.
_RUN_RE = re.compile(rf"([^\W_][{_HYPHENS}\w{_INVISIBLE}+]*)")

# run -> its piece, or (flag _MULTI) ("", "", ((offset in the run, piece), ...), 0, 0, 0)
_RUN_INFO: dict[str, _Info] = {}


def _kind_of(part: str) -> str:
    if part.isdigit():
        return NUMBER
    return WORD if _HAS_CYR.search(part) else LATIN


def _word_info(raw: str) -> _Info:
    """The piece one match of _WORD_RE becomes, classified as far as it can be alone."""
    word = raw
    if word[-1] == "+" and not _is_caps(word):
        word = word[:-1]
    length = len(word)
    if word.isalnum():  # the common case: one plain word
        text, kind, parts = fold_lookalikes(word), _kind_of(word), ()
    else:
        clean = _INVISIBLE_RE.sub("", word)
        folded = [fold_lookalikes(p) for p in _HYPHEN_SPLIT_RE.split(clean)]
        text = "-".join(folded)
        kind = _kind_of(text)
        rel: list = []
        if len(folded) > 1:
            # Offsets of the parts in the original text (each hyphen is one char).
            pos = 0
            for raw_part, part in zip(_HYPHEN_SPLIT_RE.split(word), folded, strict=True):
                rel.append((part, pos, pos + len(raw_part), _kind_of(part)))
                pos += len(raw_part) + 1
        parts = tuple(rel)
    head = parts[0][0] if parts else text
    caps = _is_caps(head) and text.isupper()
    after = caps and text not in _KNOWN_ABBR
    if parts and head.isdigit() and all(_NUMBER_SUFFIX_RE.fullmatch(q[0]) for q in parts[1:]):
        text, kind, parts = head, NUMBER, ()  # «28-те» -> 28
    elif (
        len(parts) == 2
        and parts[1][0].lower() in _ACRONYM_ARTICLES
        and (_is_caps(head) or head.lower() in _KNOWN_ABBR_LOWER)
    ):
        text, kind, parts = head.upper(), ACRONYM, ()  # «АСП-то», «асп-то»
    elif parts:
        # «ДСП-Лом», «НСОРБ-Актив»: an acronym inside a compound is one too
        parts = tuple((q[0], q[1], q[2], ACRONYM if _is_caps(q[0]) else q[3]) for q in parts)
    elif caps and text in _KNOWN_ABBR:
        kind = ACRONYM
    before = caps and text not in _KNOWN_ABBR
    flag = (
        _CHECK if before and not parts and kind != ACRONYM and not _word_like_caps(text) else _PLAIN
    )
    return (text, kind, parts, flag, length, (_AFTER if after else 0) | (_BEFORE if before else 0))


def _run_info(run: str) -> _Info:
    """The piece(s) of one run, cached."""
    matches = list(_WORD_RE.finditer(run))
    if len(matches) == 1:  # it starts the run
        info = _word_info(matches[0].group())
    else:
        subs = tuple((m.start(), _word_info(m.group())) for m in matches)
        info = ("", "", subs, _MULTI, 0, 0)
    if len(_RUN_INFO) >= _CACHE_LIMIT:
        _RUN_INFO.clear()
    _RUN_INFO[run] = info
    return info


def _runs(text: str, offset: int) -> tuple[list[_Info], list[int]]:
    """Pieces and start offsets of ``text`` (no codes in it), at ``offset``."""
    chunks = _RUN_RE.split(text)  # gap, run, gap, run, ..., gap
    runs = chunks[1::2]
    infos = list(map(_RUN_INFO.get, runs))
    if None in infos:
        for k, info in enumerate(infos):
            if info is None:
                infos[k] = _run_info(runs[k])
    starts = list(accumulate(map(len, chunks)))[0:-1:2]  # where each gap ends
    if offset:
        starts = [start + offset for start in starts]
    return infos, starts


def _code_info(code: str, length: int) -> _Info:
    caps = _is_caps(code) and code.isupper()  # (normalised codes are Latin)
    headline = _AFTER | _BEFORE if caps and code not in _KNOWN_ABBR else 0
    if caps and code in _KNOWN_ABBR:
        return (code, ACRONYM, (), _PLAIN, length, 0)
    flag = _CHECK if headline and not _word_like_caps(code) else _PLAIN
    return (code, CODE, (), flag, length, headline)


def _pieces(text: str) -> tuple[list[_Info], list[int]]:
    """Codes and words of ``text`` in order, classified, with their start offsets."""
    codes = find_codes(text, include_programmes=True)
    if codes:
        infos: list[_Info] = []
        starts: list[int] = []
        lo = 0
        for start, end, code in codes:
            more, at = _runs(text[lo:start], lo)
            infos += more
            starts += at
            infos.append(_code_info(code, end - start))
            starts.append(start)
            lo = end
        more, at = _runs(text[lo:], lo)
        infos += more
        starts += at
    else:
        infos, starts = _runs(text, 0)
    flags = list(map(_FLAG, infos))
    if any(flags):
        if _MULTI in flags:
            infos, starts = _unpack_runs(infos, starts)
            flags = list(map(_FLAG, infos))
        if _CHECK in flags:
            _classify(infos, list(compress(range(len(flags)), flags)))
    return infos, starts


def _unpack_runs(infos: list[_Info], starts: list[int]) -> tuple[list[_Info], list[int]]:
    """One piece per word: the runs of several words replaced by their words."""
    out: list[_Info] = []
    at: list[int] = []
    for info, start in zip(infos, starts, strict=True):
        if info[3] == _MULTI:
            for offset, sub in info[2]:
                out.append(sub)
                at.append(start + offset)
        else:
            out.append(info)
            at.append(start)
    return out, at


def _classify(pieces: list[_Info], flagged: list[int]) -> None:
    """The unknown all-caps words: acronyms unless a neighbour is a headline word."""
    last = len(pieces) - 1
    for i in flagged:
        if (i > 0 and pieces[i - 1][5] & _BEFORE) or (i < last and pieces[i + 1][5] & _AFTER):
            continue  # part of an all-caps headline
        text, kind, parts, flag, length, headline = pieces[i]
        pieces[i] = (text, ACRONYM, parts, flag, length, headline)


def _scan(text: str) -> list[tuple[str, int, int, str, tuple]]:
    """``_pieces`` as (text, start, end, kind, parts), parts' offsets absolute."""
    out = []
    for (word, kind, parts, _flag, length, _hl), start in zip(*_pieces(text), strict=True):
        if parts:
            parts = tuple((p, start + s, start + e, k) for p, s, e, k in parts)
        out.append((word, start, start + length, kind, parts))
    return out


def scan(text: str) -> list[_Piece]:
    """Codes and words of ``text`` in order (the tokenizer's first step)."""
    return [_Piece(p[0], p[1], p[2], p[3], list(p[4])) for p in _scan(text)]


class BulgarianTokenizer(Tokenizer):
    """Words, compounds (whole + parts), acronyms and project codes.

    Token attributes added for the filters: ``kind`` (word, acronym, code,
    number, latin) and ``secondary`` (True for compound parts and code
    prefixes, which share the position of their whole).

    A call returns a lazy ``_Stream``: the filters of this module, applied to
    it, join it instead of wrapping it, and the joined chain runs as one fused
    loop (see ``_fused``). Iterated as is, or by any other filter, it yields
    the tokens described here.
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
        args = _Args(
            value,
            positions,
            chars,
            keeporiginal,
            removestops,
            start_pos,
            start_char,
            tokenize,
            mode,
            kwargs,
        )
        return _Stream(args, ())

    @staticmethod
    def _tokens(a: _Args) -> Iterator[Token]:
        """The tokenizer on its own (the unfused path)."""
        value, start_char, keeporiginal = a.value, a.start_char, a.keeporiginal
        t = Token(a.positions, a.chars, removestops=a.removestops, mode=a.mode, **a.kwargs)
        if not value:
            return
        if not a.tokenize:
            code = find_codes(value, include_programmes=True)
            whole = code[0][2] if code and code[0][:2] == (0, len(value)) else None
            t.text = whole or fold_lookalikes(_INVISIBLE_RE.sub("", value))
            t.kind = CODE if whole else _kind_of(t.text)
            t.secondary = False
            t.boost = 1.0
            t.stopped = False
            t.pos, t.startchar, t.endchar = a.start_pos, start_char, start_char + len(value)
            if keeporiginal:
                t.original = value
            yield t
            return
        index_mode = a.mode != "query"
        for n, (text, start, end, kind, parts) in enumerate(_scan(value)):
            pos = a.start_pos + n
            t.boost = 1.0
            t.stopped = False
            t.text, t.kind, t.secondary, t.pos = text, kind, False, pos
            t.startchar, t.endchar = start_char + start, start_char + end
            if keeporiginal:
                t.original = value[start:end]
            yield t
            if not index_mode:
                continue
            if kind == CODE:
                for prefix in code_prefixes(text)[:-1]:
                    t.boost = 1.0
                    t.stopped = False
                    t.text, t.kind, t.secondary, t.pos = prefix, CODE, True, pos
                    t.startchar, t.endchar = start_char + start, start_char + end
                    yield t
            for ptext, ps, pe, pkind in parts:
                if not ptext:
                    continue
                t.boost = 1.0
                t.stopped = False
                t.text, t.kind, t.secondary, t.pos = ptext, pkind, True, pos
                t.startchar, t.endchar = start_char + ps, start_char + pe
                if keeporiginal:
                    t.original = value[ps:pe]
                yield t


class _Args(NamedTuple):
    """The arguments of one tokenizer call."""

    value: str
    positions: bool
    chars: bool
    keeporiginal: bool
    removestops: bool
    start_pos: int
    start_char: int
    tokenize: bool
    mode: str
    kwargs: dict[str, Any]


class _Stream:
    """The token stream of one tokenizer call, with the filters that joined it.

    Whoosh's CompositeAnalyzer calls each filter on the previous stage's
    output. The filters of this module, given a stream that has not started,
    return a longer stream instead of a generator around it; iterating it
    then runs the whole chain at once: ``_fused`` for the chains this module
    builds, the stages' own generators one around the other for anything else.
    Either way the tokens are the same.
    """

    __slots__ = ("_it", "args", "stages")

    def __init__(self, args: _Args, stages: tuple) -> None:
        self.args = args
        self.stages = stages
        self._it: Iterator[Token] | None = None

    def __iter__(self) -> Iterator[Token]:
        if self._it is None:
            self._it = self._run()
        return self._it

    def __next__(self) -> Token:
        return next(iter(self))

    def _run(self) -> Iterator[Token]:
        plan = _PLANS.get(tuple(map(type, self.stages))) if self.args.tokenize else None
        if plan is not None:
            stem_at, abbr_at = plan
            fn = None
            if stem_at:
                fn = lemma_stem if self.stages[stem_at].lemmatize else stem
            return _fused(self.args, fn, self.stages[abbr_at] if abbr_at else None)
        gen = BulgarianTokenizer._tokens(self.args)
        for stage in self.stages:
            gen = stage._filter(gen)
        return gen


def _joined(stage: Filter, tokens: Iterator[Token]) -> Iterator[Token] | None:
    """The stream with ``stage`` added, if it is a stream that has not started."""
    if type(tokens) is _Stream and tokens._it is None:
        return _Stream(tokens.args, (*tokens.stages, stage))
    return None


# ------------------------------------------------------------------- filters
#
# Each filter's ``_filter`` is its behaviour on any token stream; ``_fused``
# below does the same work for the standard chain in one loop.


class BulgarianLowercaseFilter(Filter):
    """Lower-cases everything but project codes (canonical upper-case Latin)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        return _joined(self, tokens) or self._filter(tokens)

    def _filter(self, tokens: Iterator[Token]) -> Iterator[Token]:
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
        return _joined(self, tokens) or self._filter(tokens)

    def _filter(self, tokens: Iterator[Token]) -> Iterator[Token]:
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
        return _joined(self, tokens) or self._filter(tokens)

    def _filter(self, tokens: Iterator[Token]) -> Iterator[Token]:
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
        return _joined(self, tokens) or self._filter(tokens)

    def _filter(self, tokens: Iterator[Token]) -> Iterator[Token]:
        t = next(tokens, None)
        if t is None:
            return
        if t.mode == "query":
            yield t
            yield from tokens
            return
        matcher, expansions, _, _ = _compiled_table(self.lemmatize)
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

    matcher, expansions, abbr_terms = build_matcher(terms_of)
    # terms that can start a name or be an expandable acronym
    known = matcher.first_terms | frozenset(expansions)
    return matcher, expansions, abbr_terms, known


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


# ------------------------------------------------------------------- fused chain


# The chains that ``_fused`` runs: lower case and stopwords, then optionally
# the stemmer (skipped by Whoosh with no_morph), then optionally the
# abbreviations. Stage types -> (index of the stemmer, of the abbreviations),
# 0 when absent.
_PLANS = {
    (BulgarianLowercaseFilter, BulgarianStopFilter): (0, 0),
    (BulgarianLowercaseFilter, BulgarianStopFilter, BulgarianStemFilter): (2, 0),
    (BulgarianLowercaseFilter, BulgarianStopFilter, AbbreviationFilter): (0, 2),
    (BulgarianLowercaseFilter, BulgarianStopFilter, BulgarianStemFilter, AbbreviationFilter): (
        2,
        3,
    ),
}


# (stem function or None) -> {word as scanned -> (lower case, term or None for a stopword)}
_WORD_TERMS: dict[Any, dict[str, tuple[str, str | None]]] = {}


def _word_term(text: str, fn: Any, cache: dict[str, tuple[str, str | None]]) -> tuple:
    """Lower case, stopword test and stemming of one WORD token, cached."""
    low = text.lower().replace("ѝ", "и")
    if low in STOPWORDS:
        entry: tuple[str, str | None] = (low, None)
    else:
        entry = (low, stem_term(low, fn) if fn is not None else low)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[text] = entry
    return entry


def _fused(a: _Args, fn: Any, abbr: AbbreviationFilter | None) -> Iterator[Token]:
    """Tokenizer, lower case, stopwords, [stemmer], [abbreviations] in one loop.

    The same tokens as the stages one after the other: each piece goes
    through what each filter would do to it, the per-word work (lower case,
    stopword, stem) looked up in ``_WORD_TERMS``. The tokens are collected as
    records, the abbreviation stage adds its terms around the slots that hold
    a term of its table, and the records are replayed through one Token.
    """
    value, keep, removestops = a.value, a.keeporiginal, a.removestops
    t = Token(a.positions, a.chars, removestops=removestops, mode=a.mode, **a.kwargs)
    if not value:
        return
    index_mode = a.mode != "query"
    cache = _WORD_TERMS.get(fn)
    if cache is None:
        cache = _WORD_TERMS.setdefault(fn, {})
    lookup = cache.get
    table = _compiled_table(abbr.lemmatize) if abbr is not None and index_mode else None
    known = table[3] if table is not None else frozenset()
    start_char = a.start_char
    records: list[_Record] = []
    add = records.append
    # A slot is a kept piece with its kept parts (they share its position);
    # ``hits`` are the slots (index of the piece's record) holding a term of
    # the abbreviation table.
    hits: list[int] = []
    new_pos = None  # renumbered position of the last piece kept
    pos = a.start_pos - 1  # position of the piece in the tokenizer's stream
    for (text, kind, parts, _flag, length, _hl), start in zip(*_pieces(value), strict=True):
        pos += 1
        if kind == WORD:
            low, term = lookup(text) or _word_term(text, fn, cache)
            if term is None:  # a stopword: dropped, or kept marked for highlighting
                if not removestops:
                    sc = start_char + start
                    original = value[start : start + length] if keep else None
                    add((low, pos, sc, sc + length, 1.0, True, WORD, False, original))
                    if parts and index_mode:
                        _add_parts(records, a, start, parts, pos, None, fn, hits, known)
                continue
        elif kind == CODE:
            term = text
        else:
            term = text.lower().replace("ѝ", "и")
        new_pos = pos if new_pos is None else new_pos + 1
        if term in known:
            hits.append(len(records))
        sc = start_char + start
        original = value[start : start + length] if keep else None
        add((term, new_pos, sc, sc + length, 1.0, False, kind, False, original))
        if index_mode:
            if parts:
                _add_parts(records, a, start, parts, pos, new_pos, fn, hits, known)
            elif kind == CODE:
                slot = len(records) - 1
                for prefix in code_prefixes(text)[:-1]:
                    if prefix in known:
                        hits.append(slot)
                    add((prefix, new_pos, sc, sc + length, 1.0, False, CODE, True, original))
    segments = _expand_slots(records, hits, table) if hits else [(records, 0)]
    for seg, shift in segments:
        for text, p, sc, ec, boost, stopped, kind, secondary, original in seg:
            t.text = text
            t.pos = p + shift
            t.startchar = sc
            t.endchar = ec
            t.boost = boost
            t.stopped = stopped
            t.kind = kind
            t.secondary = secondary
            if keep:
                t.original = original
            yield t


def _add_parts(
    records: list[_Record],
    a: _Args,
    start: int,
    parts: tuple,
    pos: int,
    new_pos: int | None,
    fn: Any,
    hits: list[int],
    known: frozenset[str],
) -> None:
    """The records of a compound's parts (``new_pos`` None: the compound was dropped)."""
    value, start_char = a.value, a.start_char
    cache = _WORD_TERMS[fn]
    slot = len(records) - 1
    for ptext, ps, pe, pkind in parts:
        if not ptext:
            continue
        if pkind == WORD:
            low, term = cache.get(ptext) or _word_term(ptext, fn, cache)
        else:
            low = term = ptext if pkind == CODE else ptext.lower().replace("ѝ", "и")
        original = value[start + ps : start + pe] if a.keeporiginal else None
        sc, ec = start_char + start + ps, start_char + start + pe
        if new_pos is None or term is None:
            if not a.removestops:
                records.append((low, pos, sc, ec, 1.0, True, pkind, True, original))
            continue
        if term in known:
            hits.append(slot)
        records.append((term, new_pos, sc, ec, 1.0, False, pkind, True, original))


def _expand_slots(records: list[_Record], hits: list[int], table: Any) -> list:
    """``_expand`` for the fused chain: it visits only the slots in ``hits``
    (given by the index of their first record), as the other slots hold no
    term of the table and ``_expand`` passes over them.

    Returns the output as runs of records, each with the position shift to
    add to its records.
    """
    matcher, expansions, _, _ = table
    first_terms, pairs, single_terms = matcher.first_terms, matcher.pairs, matcher.single_terms
    n = len(records)
    # Slot k: records first[k] to first[k + 1] - 1, the stopped ones (kept
    # for highlighting) not counted. A kept piece opens a slot; the chain
    # gave each its own position.
    first = [k for k, r in enumerate(records) if not (r[7] or r[5])]
    nslots = len(first)
    first.append(n)

    def terms(k: int) -> Collection[str]:
        lo, hi = first[k], first[k + 1]
        if hi - lo == 1:
            return (records[lo][0],)
        return {r[0] for r in records[lo:hi] if not r[5]}

    def last(k: int) -> int:
        """Index of the slot's last kept record."""
        i = first[k + 1] - 1
        while records[i][5]:
            i -= 1
        return i

    after: dict[int, list[_Record]] = {}  # extra records to emit after records[idx]
    shifts: dict[int, int] = {}  # record index -> extra positions from there on
    last_match_end: dict[str, int] = {}  # abbreviation -> last slot of a name
    resume = 0  # the first slot not inside a name found so far
    for i in sorted({bisect_left(first, lo, 0, nslots) for lo in hits}):
        if i < resume:
            continue
        lo = first[i]
        hi = last(i)
        head = records[lo]
        if hi == lo:  # one token (most slots)
            may_start = head[0] in first_terms
            if may_start and head[0] not in single_terms:
                # no name when the next slot, one token too, cannot follow
                nxt = first[i + 1]
                if i + 1 == nslots or (
                    first[i + 2] - nxt == 1 and (head[0], records[nxt][0]) not in pairs
                ):
                    may_start = False
        else:
            may_start = not first_terms.isdisjoint(terms(i))
        found = matcher.longest(map(terms, range(i, nslots))) if may_start else None
        if found:
            length, abbr = found
            j = i + length - 1
            end_at = last(j)
            tail = records[end_at]
            after.setdefault(lo, []).append(_extra(head, abbr, head[1], head[2], tail[3], 1.0))
            if length > 1:
                after.setdefault(end_at, []).append(
                    _extra(tail, abbr, records[first[j]][1], tail[2], tail[3], 0.0)
                )
            last_match_end[abbr] = j
            resume = i + length
            continue
        resume = i + 1
        # the acronym: the slot's token itself, or a part of «ДСП-Лом»
        for ai in range(lo, hi + 1):
            rec = records[ai]
            if rec[6] == ACRONYM and not rec[5] and rec[0] in expansions:
                break
        else:
            continue
        if last_match_end.get(rec[0]) == i - 1:
            continue
        names = expansions[rec[0]]
        p, s, e = head[1], rec[2], rec[3]
        extra = [_extra(rec, term, p + k, s, e, 1.0) for k, term in enumerate(names)]
        if len(names) > 1:
            top, tail = p + len(names) - 1, records[hi]
            after.setdefault(hi, []).extend(
                _extra(records[k], records[k][0], top, tail[2], tail[3], 0.0)
                for k in range(lo, hi + 1)
                if not records[k][5]
            )
            shifts[hi + 1] = len(names) - 1
        after.setdefault(ai, [])[:0] = extra
    n = len(records)
    segments: list[tuple[list[_Record], int]] = []
    shift = done = 0
    for idx in sorted({*after, *(k for k in shifts if k < n)}):
        if done < idx:
            segments.append((records[done:idx], shift))
        shift += shifts.get(idx, 0)
        segments.append(([records[idx], *after.get(idx, ())], shift))
        done = idx + 1
    if done < n:
        segments.append((records[done:], shift))
    return segments


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
