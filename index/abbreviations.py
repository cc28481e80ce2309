"""Institution abbreviations and their full names, for the search index.

Users search for «АСП» and expect pages that only say «Агенцията за социално
подпомагане», and the reverse. The table lives in ``index/data/abbreviations.tsv``
(abbreviation, canonical full name, variants).

Design choice: expand at index time, both ways; do nothing at query time.

* A page that contains a full name (any inflection: matched on the analysed,
  i.e. stemmed and stopword-free, term sequence) also gets the abbreviation's
  term at the name's first position, and again (with zero weight) at its last
  position, so that phrases on either side of the name work: «директор на
  АСП», «АСП организира».
* A page that contains the abbreviation also gets the full name's terms at
  consecutive positions starting at the abbreviation, and the positions of the
  rest of the text move up to make room (the abbreviation is repeated, with
  zero weight, at the last of those positions). So the phrase query «"Агенцията
  за социално подпомагане"» finds a page that only says «АСП», and phrases
  around the abbreviation still work.

Why not query time: Whoosh turns a multi-token analysis of one query word into
an AND (and a phrase into a word list), so synonym expansion inside the query
analyzer would break queries; query rewriting would need every caller of the
parser to cooperate. Index-time expansion keeps queries plain and works for any
caller. The cost is a few extra postings per mention and a rebuild when the
table changes.

This module holds the table and a small trie matcher. It does not analyse text
itself: ``build_matcher`` takes the analyzer's term function, so name terms are
always produced exactly as the index produces them (with or without the
optional lemmatizer).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "ABBREVIATIONS",
    "Abbreviation",
    "NameMatcher",
    "build_matcher",
    "full_name",
    "load_table",
]

DATA_FILE = Path(__file__).parent / "data" / "abbreviations.tsv"


@dataclass(frozen=True)
class Abbreviation:
    """One line of the table."""

    abbr: str
    name: str
    variants: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical name first, then the variants."""
        return (self.name, *self.variants)


def parse_table(text: str) -> tuple[Abbreviation, ...]:
    """Parse the TSV format (comments with #, variants separated by " | ")."""
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise ValueError(f"abbreviations line {lineno}: need ABBR<TAB>full name")
        variants = tuple(v.strip() for v in cols[2].split("|")) if len(cols) > 2 else ()
        rows.append(Abbreviation(cols[0].strip(), cols[1].strip(), tuple(v for v in variants if v)))
    return tuple(rows)


@lru_cache(maxsize=4)
def load_table(path: Path = DATA_FILE) -> tuple[Abbreviation, ...]:
    """The bundled table (cached)."""
    return parse_table(path.read_text(encoding="utf-8"))


ABBREVIATIONS: dict[str, str] = {row.abbr: row.name for row in load_table()}
"""Abbreviation (upper case, as written) → canonical full name."""


def full_name(abbr: str) -> str | None:
    """Canonical full name of an abbreviation, any case («асп» → «Агенция за …»)."""
    return ABBREVIATIONS.get(abbr.upper())


class NameMatcher:
    """Longest-match lookup of full names in a sequence of token slots.

    A slot is the set of terms indexed at one position (a compound and its
    parts share a position, so «заместник-министъра» offers both the compound
    and «министр»).
    """

    _END = ""  # key under which a trie node stores the abbreviation it completes

    def __init__(self, names: dict[tuple[str, ...], str]) -> None:
        self._root: dict[str, dict] = {}
        for terms, abbr in names.items():
            if not terms:
                continue
            node = self._root
            for term in terms:
                node = node.setdefault(term, {})
            node[self._END] = abbr  # type: ignore[assignment]
        self.first_terms = frozenset(self._root)
        # For a quick test before ``longest``: the first two terms of every
        # name, and the terms that are a whole name on their own.
        self.pairs = frozenset((a, b) for a, node in self._root.items() for b in node if b)
        self.single_terms = frozenset(a for a, node in self._root.items() if self._END in node)

    def match(self, slots: Sequence[Collection[str]], start: int) -> tuple[int, str] | None:
        """Longest name starting at ``slots[start]``: (number of slots, abbr)."""
        return self.longest(map(slots.__getitem__, range(start, len(slots))))

    def longest(self, slots: Iterable[Collection[str]]) -> tuple[int, str] | None:
        """Longest name at the start of ``slots``: (number of slots, abbr).

        ``slots`` is read only as far as a name could go, so it can be a
        generator that builds them on demand.
        """
        best: tuple[int, str] | None = None
        frontier = [self._root]
        for n, terms in enumerate(slots, 1):
            frontier = [node[t] for node in frontier for t in terms if t in node]
            for node in frontier:
                if self._END in node:
                    best = (n, node[self._END])  # type: ignore[assignment]
            if not frontier:
                break
        return best


def build_matcher(
    terms_of: Callable[[str], tuple[str, ...]],
    table: Sequence[Abbreviation] | None = None,
) -> tuple[NameMatcher, dict[str, tuple[str, ...]], dict[str, str]]:
    """Compile the table with the analyzer's own term function.

    Returns the matcher (full-name term sequences → abbreviation), the
    expansion of each abbreviation (the canonical name's terms), and the
    abbreviation's own index term (``terms_of(abbr)``, e.g. «асп»).
    """
    rows = load_table() if table is None else table
    names: dict[tuple[str, ...], str] = {}
    expansions: dict[str, tuple[str, ...]] = {}
    abbr_terms: dict[str, str] = {}
    for row in rows:
        abbr_term = terms_of(row.abbr)
        if len(abbr_term) != 1:
            raise ValueError(f"abbreviation {row.abbr!r} does not analyse to one term")
        abbr_terms[row.abbr] = abbr_term[0]
        expansions[abbr_term[0]] = terms_of(row.name)
        for name in row.names:
            terms = terms_of(name)
            if len(terms) >= 2:  # a one-word "name" would fire on every mention
                names.setdefault(terms, abbr_term[0])
    return NameMatcher(names), expansions, abbr_terms
