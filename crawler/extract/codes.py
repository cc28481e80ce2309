"""EU programme project and procedure codes (ИСУН / НПВУ style).

Bulgarian pages cite funded projects by codes such as ``BG05M9OP001-3.006-0001``.
The same code is often typed with Cyrillic letters that look Latin (``BG05М9ОР001``
with Cyrillic М, О, Р), glued to ``№``, with a missing hyphen (``BG05M9OP0012.003``)
or with a contract suffix (``-C01``). Extraction and the search index must agree
on one spelling, so both use these pure functions.

Recognised schemes (anything else is left alone; ``BG03-ПС01-50`` is a genuinely
mixed code of another scheme and must not be "repaired"):

* 2014-2020 / 2021-2027 programmes: ``BG`` + 2 digits + 2-letter fund code + 2-letter
  programme type + 3 digits (``BG05M9OP001``, ``BG05SFPR002``, ``BG16RFOP002``,
  ``BG06RDNP001``), then procedure ``-N.NNN``, project ``-NNNN``, suffix ``-C01``.
* 2007-2013 programmes: ``BG051PO001`` / ``BG161PO001`` with procedures ``-5.2.07``.
* Recovery and Resilience Plan (НПВУ): ``BG-RRP-4.021-0001``.

Look-alike folding happens only inside a span that already has the shape of one of
these schemes, so ordinary Cyrillic text is never rewritten.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["CodeParts", "code_prefixes", "find_codes", "normalize_code", "parse_code"]

# Cyrillic letters that are visually identical to Latin capitals. Lower-case
# Cyrillic is folded too because people also type codes in lower case.
_CYR_TO_LAT = str.maketrans(
    "АВЕКМНОРСТХУавекмнорстху",
    "ABEKMHOPCTXYABEKMHOPCTXY",
)

# Character classes for the loose matcher: a Latin letter or its Cyrillic twin.
_LOOK = "АВЕКМНОРСТХУавекмнорстху"
_L = f"[A-Za-z{_LOOK}]"
_B = "[BbВв]"
_G = "[Gg]"
_O = "[OoОо0]"  # the "O" of "OP"/"PO" is often typed as a zero
_P = "[PpРр]"
_R = "[Rr]"
_HY = "[-\u2010\u2011\u2012\u2013\u2212]"  # hyphen, non-breaking hyphen, dashes, minus

# Boundaries: a code must not be glued to other letters or digits (but may be
# glued to "№", quotes, brackets or punctuation).
_LEFT = r"(?<![0-9A-Za-zА-Яа-яЁё])"
_RIGHT = r"(?![0-9A-Za-zА-Яа-яЁё])"

_LOOSE = re.compile(
    _LEFT
    + "(?:"
    # 2014+ programmes: BG05M9OP001, BG05SFPR002, BG06RDNP001 ...
    + rf"(?P<prog>{_B}{_G}\d\d{_L}[A-Za-z0-9{_LOOK}](?:{_L}{_L}|0{_P})\d{{3}})"
    + rf"(?:(?P<h1>{_HY}?)(?P<proc>\d{{1,2}}\.\d{{3}})"
    + rf"(?:{_HY}(?P<proj>\d{{4}})(?:{_HY}(?P<suf>{_L}\d{{2,4}}))?)?)?"
    + "|"
    # 2007-2013 programmes: BG051PO001-5.2.07-0001
    + rf"(?P<oprog>{_B}{_G}\d{{3}}{_P}{_O}\d{{3}})"
    + rf"(?:(?P<oh1>{_HY}?)(?P<oproc>\d\.\d{{1,2}}\.\d{{2}})"
    + rf"(?:{_HY}(?P<oproj>\d{{4}})(?:{_HY}(?P<osuf>{_L}\d{{2,4}}))?)?)?"
    + "|"
    # Recovery and Resilience Plan: BG-RRP-4.021-0001
    + rf"(?P<rprog>{_B}{_G}{_HY}{_R}{_R}{_P})"
    + rf"(?:{_HY}(?P<rproc>\d{{1,2}}\.\d{{3}})"
    + rf"(?:{_HY}(?P<rproj>\d{{3,4}})(?:{_HY}(?P<rsuf>{_L}\d{{2,4}}))?)?)?"
    + ")"
    + _RIGHT
)

# Strict shapes of the folded programme part: the fund code may mix letters and
# digits ("M9", "M1"), the programme type is letters only.
_STRICT_PROG = re.compile(r"BG\d\d[A-Z][A-Z0-9][A-Z]{2}\d{3}")
_STRICT_OPROG = re.compile(r"BG\d{3}PO\d{3}")

# A cheap pre-check: every code starts with "BG"/"ВG"/"bg" etc.
_HAS_BG = re.compile(r"[BbВв][Gg]")


class CodeParts(NamedTuple):
    """A normalised code split into its levels (later levels may be None)."""

    programme: str
    procedure: str | None
    project: str | None
    suffix: str | None

    def levels(self) -> list[str]:
        """Cumulative codes from the programme down to the full code."""
        out = [self.programme]
        code = self.programme
        for part in (self.procedure, self.project, self.suffix):
            if part is None:
                break
            code = f"{code}-{part}"
            out.append(code)
        return out

    @property
    def code(self) -> str:
        """The full normalised code."""
        return self.levels()[-1]


def _fold(s: str) -> str:
    """Upper-case and map Cyrillic look-alikes to Latin (only used inside a match)."""
    return s.translate(_CYR_TO_LAT).upper()


def _parts_from_match(m: re.Match[str]) -> CodeParts | None:
    """Turn a loose match into canonical parts, or None if it is not really a code."""
    if m.group("prog"):
        prog = _zero_to_o(_fold(m.group("prog")), 6)
        if not _STRICT_PROG.fullmatch(prog):
            return None
        suffix = m.group("suf")
        return CodeParts(prog, m.group("proc"), m.group("proj"), _fold(suffix) if suffix else None)
    if m.group("oprog"):
        prog = _zero_to_o(_fold(m.group("oprog")), 6)
        if not _STRICT_OPROG.fullmatch(prog):
            return None
        suffix = m.group("osuf")
        return CodeParts(
            prog, m.group("oproc"), m.group("oproj"), _fold(suffix) if suffix else None
        )
    suffix = m.group("rsuf")
    return CodeParts(
        "BG-RRP", m.group("rproc"), m.group("rproj"), _fold(suffix) if suffix else None
    )


def _zero_to_o(prog: str, index: int) -> str:
    """Repair a zero typed for the letter O of "OP"/"PO" (``BG05M90P001``)."""
    if prog[index] == "0":
        return prog[:index] + "O" + prog[index + 1 :]
    return prog


def parse_code(raw: str) -> CodeParts | None:
    """Parse one code (any accepted spelling) into its normalised levels.

    Leading ``№``/whitespace and trailing punctuation are tolerated because codes
    are usually cut out of running text; anything else around the code is not.
    """
    s = raw.strip().lstrip("№").strip().rstrip(".,;:")
    m = _LOOSE.fullmatch(s)
    if m is None:
        return None
    parts = _parts_from_match(m)
    return parts


def normalize_code(raw: str) -> str | None:
    """Return the canonical upper-case Latin spelling of a code, or None.

    >>> normalize_code("BG05М9ОР001-3.006-0001")  # Cyrillic М, О, Р
    'BG05M9OP001-3.006-0001'
    >>> normalize_code("BG05M9OP0012.003")  # missing hyphen
    'BG05M9OP001-2.003'
    >>> normalize_code("BG03-ПС01-50") is None  # other scheme: left alone
    True
    """
    parts = parse_code(raw)
    return parts.code if parts else None


def find_codes(text: str, *, include_programmes: bool = False) -> list[tuple[int, int, str]]:
    """Find codes in running text as ``(start, end, normalized_code)``.

    ``start``/``end`` delimit the code as written (without a glued ``№``). By
    default a bare programme code (``BG05M9OP001`` alone) is not reported, because
    operational programmes are institutions, not projects; the search index asks
    for them with ``include_programmes=True``.
    """
    if not _HAS_BG.search(text):
        return []
    found: list[tuple[int, int, str]] = []
    for m in _LOOSE.finditer(text):
        parts = _parts_from_match(m)
        if parts is None:
            continue
        if parts.procedure is None and not include_programmes:
            continue
        found.append((m.start(), m.end(), parts.code))
    return found


def code_prefixes(code: str) -> list[str]:
    """Programme, procedure, project and full code, shortest first.

    ``BG05M9OP001-2.003-0001-C01`` → ``[BG05M9OP001, BG05M9OP001-2.003,
    BG05M9OP001-2.003-0001, BG05M9OP001-2.003-0001-C01]``, so that searching for a
    procedure finds every project under it. Returns ``[]`` for a non-code.
    """
    parts = parse_code(code)
    return parts.levels() if parts else []
