"""Highlighted snippets from the stored main text, without re-analysing whole documents.

Whoosh's highlighter runs every hit's full text through the analyzer (with
the lemmatizer, ~30 ms per hit). Here a word is analysed only when it could
match (it shares its first letters with a query term), each distinct word at
most once per process, and scanning stops as soon as the snippet is full.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.analyzer import analyze

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_LOOKALIKE = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
MAX_CHARS = 200
CONTEXT = 60


@lru_cache(maxsize=65536)
def word_terms(word: str) -> frozenset[str]:
    """The index terms of one surface word (cached: news vocabulary is small)."""
    return frozenset(t["term"] for t in analyze(word))


def _esc(s: str) -> str:
    """Escape markup only (the snippet carries ``<b>``); quotes stay readable."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _prefix(s: str) -> str:
    return s.casefold().translate(_LOOKALIKE)[:2]


def snippet(text: str, query_terms: set[str], max_chars: int = MAX_CHARS) -> str:
    """Up to two fragments around matching words, ``<b>``-marked; the text's start if none."""
    if not text:
        return ""
    if not query_terms:  # a filter-only query: the opening of the text
        return _esc(text[:max_chars]) + ("…" if len(text) > max_chars else "")
    prefixes = {_prefix(t) for t in query_terms}
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _prefix(word) not in prefixes:
            continue
        if word_terms(word) & query_terms:
            spans.append((m.start(), m.end()))
            if len(spans) >= 8 or (spans and m.end() - spans[0][0] > 2 * max_chars):
                break
    if not spans:
        return _esc(text[:max_chars]) + ("…" if len(text) > max_chars else "")
    fragments: list[tuple[int, int]] = []
    for start, end in spans:
        if fragments and start < fragments[-1][1]:
            fragments[-1] = (fragments[-1][0], max(fragments[-1][1], min(len(text), end + CONTEXT)))
            continue
        if len(fragments) == 2:
            break
        fragments.append((max(0, start - CONTEXT), min(len(text), end + CONTEXT)))
    out = []
    for lo, hi in fragments:
        # widen to word boundaries so no word is cut in half
        while lo > 0 and text[lo - 1].isalnum():
            lo -= 1
        while hi < len(text) and text[hi].isalnum():
            hi += 1
        pieces, pos = [], lo
        for start, end in spans:
            if start >= lo and end <= hi:
                pieces.append(_esc(text[pos:start]))
                pieces.append("<b>" + _esc(text[start:end]) + "</b>")
                pos = end
        pieces.append(_esc(text[pos:hi]))
        out.append(" ".join("".join(pieces).split()))
    return " … ".join(out)
