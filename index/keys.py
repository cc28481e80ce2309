"""Normalised keys for entity filters and facets.

The index stores one key per entity (lower-case, whitespace collapsed, Latin
look-alike letters folded to Cyrillic); the search filters turn user input
into the same keys, so ``--person "мая василева"`` and a page's «Мая
Василева» meet on one term.
"""

from __future__ import annotations

import re

from crawler.extract.codes import normalize_code

_WS = re.compile(r"\s+")
_QUOTES = re.compile(r"[\"'„“”«»‘’`]")
# Latin letters that look like Cyrillic ones; folded only inside words that
# also contain Cyrillic, so genuine Latin names stay Latin.
_LOOKALIKE = str.maketrans("aceopxyiABCEHKMOPTXI", "асеорхуіАВСЕНКМОРТХІ")
_HAS_CYR = re.compile(r"[\u0400-\u04ff]")
_HONORIFIC = re.compile(r"^(?:г-жа|г-н|г-ца|д-р|проф\.|доц\.|инж\.|арх\.|акад\.)\s*", re.I)


def fold_lookalikes(text: str) -> str:
    """Fold Latin look-alike letters inside words that contain Cyrillic."""
    return re.sub(
        r"\w+",
        lambda m: m.group(0).translate(_LOOKALIKE) if _HAS_CYR.search(m.group(0)) else m.group(0),
        text,
    )


def base_key(text: str) -> str:
    return _WS.sub(" ", fold_lookalikes(_QUOTES.sub("", text))).strip().casefold().replace("ё", "е")


def person_key(name: str) -> str:
    return base_key(_HONORIFIC.sub("", name.strip())).replace(" - ", "-")


def surname_key(name: str) -> str:
    parts = person_key(name).split(" ")
    return parts[-1] if parts else ""


def place_key(name: str) -> str:
    return base_key(name)


def institution_keys(name: str, abbr: str | None) -> set[str]:
    keys = {base_key(name)}
    if abbr:
        keys.add(base_key(abbr))
    return {k for k in keys if k}


def project_keys(code: str | None, name: str | None) -> set[str]:
    keys = set()
    if code:
        keys.add((normalize_code(code) or code).lower())
    if name:
        keys.add(base_key(name))
    return keys
