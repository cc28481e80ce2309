"""Low-level date grammar for Bulgarian (and English) news pages.

This module knows how dates are *written*; :mod:`crawler.extract.dates` decides
what they *mean* (publication date, event days).  Everything here is a pure
function over strings and precompiled regular expressions, so the event-date
scan over a long article costs a few regex passes, not a parser call per token.

Why our own grammar rather than dateparser?  dateparser (checked by hand on
1.5.0, the version in the project's venv) reads these pages wrongly in ways
that matter here; ``tests/test_dates.py`` pins our answers for these forms:

* ``05.04.2024`` and ``12/09/2017`` come out month-first (4 May, 9 Dec) unless
  ``DATE_ORDER="DMY"`` is set; Bulgarian numeric dates are always day-first.
* ``13.30 часа`` and ``10.00 ч.`` ("at 13:30") are read as a *relative* time and
  return "now minus N hours", a real-looking date out of a clock time; even
  ``STRICT_PARSING`` does not stop it.  ``преди 13 часа`` does the same.
* Yearless ``27 септември`` is completed with the *current* year (and
  ``вчера`` is relative to the wall clock), never with the publication date.
* It returns ``None`` for common printed forms: ``15 Април 2010, 1459 прочита``,
  ``Дата на публикуване: 05.04.2024 14:30``, ``Днес, 08 юни 2017 г.``,
  ``1-ви октомври 2017``, ``13 ноем. 2025``, ``12.IX.2017``, ``5 май т.г.``.
* ``search_dates`` reads ``от 5 до 7 декември 2023`` as two dates (``5 до 7``
  becomes 7 May of the current year), misses ``Постановление №176 от 18 юли
  2016 г.``, and turns ``30 часа`` into a date.
* A call costs about 1 ms, far too slow to run on every token of a long text.

So dateparser is only a guarded last resort in ``parse_date_text``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import NamedTuple

# Dates outside this window are treated as noise (epoch-zero meta tags,
# "© 1900" typos).  Bulgarian social-policy news on the web starts in the 1990s.
MIN_YEAR = 1990
MAX_YEAR = 2100

_BG_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("януари", "януарий", "яну", "ян"),
    2: ("февруари", "февруарий", "февр", "фев"),
    3: ("март", "мар"),
    4: ("април", "апр"),
    5: ("май",),
    6: ("юни",),
    7: ("юли",),
    8: ("август", "авг"),
    9: ("септември", "септемврий", "септ", "сеп"),
    10: ("октомври", "октомврий", "окт"),
    11: ("ноември", "ноемврий", "ноем", "ное"),
    12: ("декември", "декемврий", "дек"),
}
_EN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan"),
    2: ("february", "feb"),
    3: ("march", "mar"),
    4: ("april", "apr"),
    5: ("may",),
    6: ("june", "jun"),
    7: ("july", "jul"),
    8: ("august", "aug"),
    9: ("september", "sept", "sep"),
    10: ("october", "oct"),
    11: ("november", "nov"),
    12: ("december", "dec"),
}

MONTHS: dict[str, int] = {
    name: num
    for table in (_BG_MONTHS, _EN_MONTHS)
    for num, names in table.items()
    for name in names
}

# Longest names first so "септември" wins over "сеп"; the trailing guard means a
# month is a whole word ("майка", "марка", "декор" never match), optionally an
# abbreviation with its dot ("ноем.2025").
_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?:\.|(?![^\W\d_]))"

# A day of the month, optionally with a Bulgarian ordinal ending ("1-ви",
# "2-ри", "27-ми") or an English one ("12th").  The ordinal is tried before a range hyphen ("1-2").
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)(?:(?:-?(?:ви|ри|ти|ми)|st|nd|rd|th)(?![^\W\d_]))?"
# Between days of one expression: a range dash, "до", "и", or a list comma.
_SEP = r"(?:\s*[-‐‑–—]\s*|\s+(?:до|и)\s+|\s*,\s*)"
# "г.", "г", "год.", "година", glued or spaced: "2023г.", "2023 г.".
_YEAR_SUFFIX = r"(?:\s*г(?:од(?:ина)?)?(?:\.|(?![^\W\d_])))?"


def _year(name: str) -> str:
    return rf"(?P<{name}>(?:19|20)\d\d)(?!\d){_YEAR_SUFFIX}"


# One written date expression ("atom").  Alternatives, tried in this order:
#   iso    2025-11-13 (time and zone are read by ISO_RE when needed)
#   num    27.09.2023г. / 27. 09. 2023 г. / 12/09/2017 / 5-7.12.2017 / 27.09.
#   hy     12-09-2017 (hyphens only with a 4-digit year: "5-7" is a range)
#   txt    12 септември 2017 г. / 5, 6 и 7 декември / 1-ви октомври / 12 August 2016
#   en     August 12, 2016 / Nov 13th 2025
# A day never starts right after a letter, digit, dot, comma or slash, so
# codes ("OP001-3.006"), decimals ("29,5") and section numbers stay out.
# Case-sensitive and lower-case: run it on ``fold_case(normalize(s))``.
ATOM_RE = re.compile(
    # The cheap lookaheads first: the engine rejects most positions on one
    # character instead of trying every alternative (5x faster on long texts).
    r"(?:(?=\d)|(?=[a-z]))(?<![\w.,/])(?:"
    r"(?P<iso>(?P<iy>(?:19|20)\d\d)-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])(?!\d))"
    rf"|(?P<num>(?P<nd>{_DAY}(?:{_SEP}{_DAY})*)\s?(?P<ns>[./])\s?(?P<nm>1[0-2]|0?[1-9])(?!\d)"
    rf"(?:\s?(?P=ns)\s?{_year('ny')}|(?P=ns)(?!\s?\d)))"
    rf"|(?P<hy>(?P<hd>3[01]|[12]\d|0?[1-9])-(?P<hm>1[0-2]|0?[1-9])-{_year('hyy')})"
    rf"|(?P<txt>(?P<td>{_DAY}(?:{_SEP}{_DAY})*)\s*(?P<tm>{_MONTH})(?:\s*{_year('ty')})?)"
    rf"|(?P<en>(?P<em>{_MONTH})\s*(?P<ed>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?,?\s+{_year('ey')})"
    r")"
)

ISO_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?:[T ](?P<H>[01]\d|2[0-3]):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?",
    re.IGNORECASE,
)

_RUN_RE = re.compile(r"[0-9a-z]+")
_EN_STEMS = frozenset(name[:3] for names in _EN_MONTHS.values() for name in names)
_DAY_NUM_RE = re.compile(r"\d{1,2}")
_RANGE_SEP_RE = re.compile(r"[-‐‑–—]|\bдо\b")

# Latin letters that look like Cyrillic ones; pages mix them inside Cyrillic
# words ("мaй" with a Latin a).  Mapping is one character to one, so offsets
# in the folded string are offsets in the original.
_LATIN_TO_CYR = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_LATIN_RUN_RE = re.compile(r"[A-Za-z]+")
_CYR_LETTER_RE = re.compile(r"[а-яА-ЯёЁ]")
# Spaces that HTML-to-text conversion leaves behind, each replaced by one " ".
_ODD_SPACE_RE = re.compile(r"[\u00a0\u2007\u2009\u202f\t]")


def normalize(s: str) -> str:
    """Same-length cleanup: odd spaces to " ", Latin look-alikes inside Cyrillic words.

    Length is preserved so every offset found in the normalized text is valid
    in the original text too.
    """
    s = _ODD_SPACE_RE.sub(" ", s)
    parts: list[str] = []
    last = 0
    # Latin runs are rare in Bulgarian text, so scanning for them is fast.
    for m in _LATIN_RUN_RE.finditer(s):
        a, b = m.span()
        if (a and _CYR_LETTER_RE.match(s, a - 1)) or (b < len(s) and _CYR_LETTER_RE.match(s, b)):
            parts.append(s[last:a])
            parts.append(m.group(0).translate(_LATIN_TO_CYR))
            last = b
    if not parts:
        return s
    parts.append(s[last:])
    return "".join(parts)


def fold_case(s: str) -> str:
    """Lower-case, keeping every offset, so case-sensitive regexes can scan it.

    ``str.lower()`` is fast but may lengthen a string ("İ" becomes two
    characters); then each character is lowered alone, truncated to one.
    """
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c.lower()[:1] or c for c in s)


class Atom(NamedTuple):
    """One written date expression, before any context is applied.

    ``days`` has one entry per written day; ``links[i]`` says how ``days[i]``
    joins ``days[i + 1]``: ``"range"`` (5-7, 5 до 7) or ``"list"`` (5 и 7, 5, 7).
    ``year`` is ``None`` when the text gives none.
    """

    start: int
    end: int
    days: tuple[int, ...]
    links: tuple[str, ...]
    month: int
    year: int | None
    kind: str  # "iso" | "num" | "hy" | "txt" | "en"


def safe_date(year: int, month: int, day: int) -> date | None:
    """A real calendar date in the plausible window, or None (31 September, year 1900)."""
    if not (MIN_YEAR <= year <= MAX_YEAR):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_list(s: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Split "5, 6 и 7" or "23 – 24" into days and the links between them."""
    nums = list(_DAY_NUM_RE.finditer(s))
    days = tuple(int(m.group(0)) for m in nums)
    links = tuple(
        "range" if _RANGE_SEP_RE.search(s[a.end() : b.start()]) else "list"
        for a, b in zip(nums, nums[1:], strict=False)
    )
    return days, links


def atom_from_match(m: re.Match[str]) -> Atom:
    """Turn one ATOM_RE match into an :class:`Atom` (no validation of the day)."""
    g = m.group
    if g("iso"):
        return Atom(m.start(), m.end(), (int(g("id")),), (), int(g("im")), int(g("iy")), "iso")
    if g("num"):
        days, links = _day_list(g("nd"))
        year = int(g("ny")) if g("ny") else None
        return Atom(m.start(), m.end(), days, links, int(g("nm")), year, "num")
    if g("hy"):
        return Atom(m.start(), m.end(), (int(g("hd")),), (), int(g("hm")), int(g("hyy")), "hy")
    if g("txt"):
        days, links = _day_list(g("td"))
        month = MONTHS[g("tm").rstrip(".").lower()]
        year = int(g("ty")) if g("ty") else None
        return Atom(m.start(), m.end(), days, links, month, year, "txt")
    month = MONTHS[g("em").rstrip(".").lower()]
    return Atom(m.start(), m.end(), (int(g("ed")),), (), month, int(g("ey")), "en")


def iter_atoms(text: str) -> list[Atom]:
    """All written date expressions in ``text`` (``fold_case(normalize(...))``), in order.

    ATOM_RE is only tried where a run of digits or Latin letters starts (and a
    Latin run only if it begins like an English month): scanning for those runs
    is a fast character-class search, while trying ATOM_RE at every position
    of a 5,000-word article costs milliseconds.  Inside a run ATOM_RE could
    not match anyway, since a date never starts right after a letter or digit.
    """
    out: list[Atom] = []
    done = 0
    for run in _RUN_RE.finditer(text):
        pos = run.start()
        if pos < done or (not text[pos].isdigit() and text[pos : pos + 3] not in _EN_STEMS):
            continue
        m = ATOM_RE.match(text, pos)
        if m:
            out.append(atom_from_match(m))
            done = m.end()
    return out


def _last_sunday(year: int, month: int) -> int:
    """Day of the month of the last Sunday (months with 31 days only: March, October)."""
    last = date(year, month, 31)
    return 31 - (last.weekday() + 1) % 7


def sofia_offset(utc: datetime) -> timedelta:
    """Bulgaria's UTC offset at a UTC instant: EET +2, EEST +3.

    Bulgaria follows the EU rule (since 1997): summer time from 01:00 UTC on
    the last Sunday of March to 01:00 UTC on the last Sunday of October.
    Written out here so the result never depends on the host's tz database.
    """
    y = utc.year
    start = datetime(y, 3, _last_sunday(y, 3), 1, tzinfo=UTC)
    end = datetime(y, 10, _last_sunday(y, 10), 1, tzinfo=UTC)
    return timedelta(hours=3) if start <= utc < end else timedelta(hours=2)


def iso_local_date(m: re.Match[str]) -> date | None:
    """The Bulgarian calendar day of an ISO_RE match.

    A time with a zone (``2025-11-13T23:30:00Z``) is converted to Sofia time
    first, since the product reports dates as the site shows them locally; a
    naive time or a bare date is taken as already local.
    """
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if d is None or not m["tz"] or m["H"] is None:
        return d
    tz = m["tz"].upper()
    if tz == "Z":
        offset = timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    local = datetime(d.year, d.month, d.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
    return sofia_date((local - offset).replace(tzinfo=UTC))


def sofia_date(moment: datetime) -> date | None:
    """The Bulgarian calendar day of a zone-aware instant (a naive one is local)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return safe_date(moment.year, moment.month, moment.day)
    utc = moment.astimezone(UTC)
    sofia = utc + sofia_offset(utc)
    return safe_date(sofia.year, sofia.month, sofia.day)


# RSS/e-mail dates: "Mon, 02 Dec 2024 14:45:00 +0000" (feeds give the crawler
# a date for pages that print none).
RFC2822_RE = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d\d(?::\d\d)?"
    r"\s*(?:[+-]\d{4}|[A-Za-z]{1,5})\s*"
)


def rfc2822_date(s: str) -> date | None:
    """The Sofia calendar day of an RFC 2822 date-time, or None if ``s`` is not one."""
    if not RFC2822_RE.fullmatch(s):
        return None
    try:
        moment = parsedate_to_datetime(s.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return sofia_date(moment)
