"""Normalised keys for entity filters and facets.

The index stores one key per entity (lower-case, whitespace collapsed, Latin
look-alike letters folded to Cyrillic); the search filters turn user input
into the same keys, so ``--person "мая василева"`` and a page's «Мая
Василева» meet on one term.
"""

from __future__ import annotations

import re

from crawler.extract.codes import code_prefixes, normalize_code
from crawler.extract.institutions import lookup_institution
from crawler.extract.people import canonical_person_key, person_query_forms
from crawler.extract.places import lookup_place
from crawler.extract.projects import project_name_key

_WS = re.compile(r"\s+")
_QUOTES = re.compile(r"[\"'„“”«»‘’`]")
# Latin letters that look like Cyrillic ones; folded only inside words that
# also contain Cyrillic, so genuine Latin names stay Latin.
_LOOKALIKE = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_HAS_CYR = re.compile(r"[\u0400-\u04ff]")


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
    """One person, one key across documents (see canonical_person_key)."""
    return canonical_person_key(name)


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
        code = normalize_code(code) or code
        keys.update(k.lower() for k in code_prefixes(code) or [code])
    if name:
        keys.add(project_name_key(name))
    return {k for k in keys if k}


# -- what users type, as the keys above ---------------------------------------------


def person_filter_keys(value: str) -> tuple[list[str], list[str]]:
    """(full-name keys, surname keys) for a ``--person`` value in any case or form."""
    forms = person_query_forms(value) or [person_key(value)]
    full = [f for f in forms if " " in f]
    surnames = [f for f in forms if f and " " not in f]
    return full, surnames


def institution_filter_keys(value: str) -> list[str]:
    """Name, abbreviation or variant (also «АСП-то») to the keys the index stores."""
    raw = re.sub(r"-(?:то|та|те)$", "", value.strip())
    keys = [base_key(raw)]
    canonical = lookup_institution(raw)
    if canonical is not None:
        keys += sorted(institution_keys(canonical.name, canonical.abbr))
    return [k for k in dict.fromkeys(keys) if k]


def project_filter_keys(value: str) -> list[str]:
    """A code in any spelling (look-alikes, missing hyphen, procedure prefix) or a name."""
    code = normalize_code(value.strip())
    if code:
        return [code.lower()]
    return [k for k in (project_name_key(value), base_key(value)) if k]


def place_filter_keys(value: str) -> list[str]:
    canonical = lookup_place(value)
    keys = [place_key(canonical)] if canonical else []
    keys.append(base_key(value))
    return [k for k in dict.fromkeys(keys) if k]
