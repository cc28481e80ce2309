"""Crawler-trap detection: URLs that would keep a polite crawler busy forever.

Why: a crawler with a 1-request-per-second budget per host cannot afford an
events calendar that links to next month forever, a ``?page=N`` that answers
every N with the last page, a relative link that nests ``/a/b/a/b/…``, or a
session id that makes every page new.  Robots.txt sometimes disallows them
(the municipal fixture disallows ``/calendar/``); often it does not.

:class:`TrapDetector` is pure (no I/O; its only state is what it was shown),
and sees every candidate URL, canonicalised, before it is queued:

* :meth:`TrapDetector.check` — the reason to skip a URL, or None.  Rules:
  very long query strings and repeated parameters; session-id parameters and
  path tokens; too deep or repeating paths (a block of segments three times
  in a row, or one segment four times); pagination beyond ``max_page``
  (``page=``, ``paged=``, Liferay ``…_cur=``, ``/page/N/``, ``page-N``) and
  offsets beyond ``max_page`` pages (``limitstart=``, ``start=``,
  ``offset=``, with the page size learned as the gcd of the offsets seen);
  date views (a date ending the path, or ``year=``/``month=``/``date=``
  parameters; ``/2019/05/<slug>/`` is a dated item, not a view): on
  calendar-like ones (calendar/events words, or date parameters) a date
  farther than ``max_calendar_span_years`` from today or a run of more than
  ``max_calendar_months`` consecutive months; on others (WordPress month
  archives) a date after next month or before 1990, since news archives are
  legitimately old but never in the future.
* :meth:`TrapDetector.note_content` — after a fetch, the hash of what the page
  said.  URLs are grouped by "all but one numeric field fixed" (for
  ``/novini?page=7`` the group is ``/novini?page=#``); when ``max_repeats``
  URLs of one group bring content already seen in that group, the group is a
  trap and :meth:`check` skips the rest of it.  Pass a hash of the extracted
  text, not of the raw body: bodies carry timestamps and tokens.
* :meth:`TrapDetector.note_links` — the links found on a page.  When pages of
  a group have the same links once the group's own counter is blanked out
  (``?page=601`` links to the same articles as ``?page=600``, plus
  ``?page=602``), the pages differ only by an incrementing counter; after
  ``max_repeats`` such pages the group is a trap.

Memory: most groups hold one URL for good (an article URL with a date or an
id in it makes a group of its own per numeric field), so a run cannot keep
every group: groups live in an LRU of ``max_groups``, and each remembers at
most ``GROUP_MEMORY`` contents and link signatures.  A trap is what keeps
coming back, its group used by every new URL and its repeated content seen
again and again, so it stays remembered; what is forgotten is what did not
repeat.  After the 20,000 article pages of the synthetic benchmark archive
that is 10 MB instead of 21 MB (27,000 groups), and no longer growing.
Tripped groups are kept for the whole run.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.lru import LRU

_PAGE_PARAMS = frozenset({"page", "paged", "pg", "pagenum", "pageno", "pagenumber", "strana"})
_OFFSET_PARAMS = frozenset({"limitstart", "start", "offset", "skip", "from"})
_PAGE_SEGMENT = re.compile(r"^(?:page|strana|stranica)[-_]?(\d+)(?:\.\w{2,5})?$", re.I)
_PAGE_WORDS = frozenset({"page", "strana", "stranica"})
# Parameters whose value identifies a visitor, not a page: every visit mints a
# new URL.  Most are dropped by canonicalisation already; these are the rest.
_SESSION_PARAM = re.compile(
    r"^(?:[a-z0-9]*_)?(?:s|sid|sess|sessid|session|sessionid|session_id|jsessionid|phpsessid|"
    r"aspsessionid\w*|cfid|cftoken|oscsid|zenid|xtcsid|ssid)$",
    re.I,
)
_TOKEN_PARAM = re.compile(r"^(?:p_auth|_?csrf\w*|\w*_token|token|auth)$", re.I)
_TOKEN_VALUE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9%._~+/=-]{16,}$")
_PATH_SESSION = re.compile(
    r";(?:jsessionid|sid|phpsessid|sessionid)=|/\([SAF]\([A-Za-z0-9]{16,}\)\)", re.I
)
_CALENDAR_WORDS = re.compile(
    r"calend|kalend|календар|\bevents?\b|sabitiya|събития|\bagenda\b|\bcal\b|\bschedule\b", re.I
)
_YEAR_PARAMS = frozenset({"year", "yr", "y", "godina", "yyyy"})
_MONTH_PARAMS = frozenset({"month", "mon", "m", "mesec", "mm"})
_DAY_PARAMS = frozenset({"day", "d", "den", "dd"})
_DATE_PARAMS = frozenset({"date", "ym", "ymd", "cal", "calendar", "data", "datum", "dt"})
_DATE_VALUE = re.compile(
    r"^((?:19|20|21)\d{2})(?:[-./]?(0[1-9]|1[0-2])(?:[-./]?(0[1-9]|[12]\d|3[01]))?)?$", re.A
)
_YEAR = re.compile(r"(?:19|20|21)\d{2}", re.A)
_MONTH = re.compile(r"0?[1-9]|1[0-2]", re.A)
_DAY = re.compile(r"0?[1-9]|[12]\d|3[01]", re.A)
_NUMERIC_VALUE = re.compile(r"^\d+(?:[-./]\d+)*$", re.A)
_COUNTER_SEGMENT = re.compile(r"^\d+$|^[A-Za-z_-]{0,12}\d+(?:[-.]\d+)*(?:\.[a-z]{2,5})?$", re.A)
_DIGITS = re.compile(r"\d+", re.A)
_ASCII_INT = re.compile(r"[0-9]{1,12}")
_MAX_FIELDS = 8
GROUP_MEMORY = 1024  # contents and link signatures one group remembers


@dataclass(slots=True)
class _Group:
    """What was seen under one URL group (all numeric fields fixed but one)."""

    # content hash or link signature -> the counter value that first showed it: one
    # dict for both (a group is mostly one URL) and they cannot collide, one hashes a
    # hex digest, the other a list of URLs
    seen: dict[int, str] = field(default_factory=dict)
    repeats: int = 0


@dataclass(frozen=True, slots=True)
class _Field:
    """One numeric field of a URL: where it is, and the URL with it blanked."""

    value: str
    key: str


def _h64(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big"
    )


def _fields(url: str) -> tuple[_Field, ...]:
    """The URL's counters: numeric path segments (or short ``page-3.html``-like ones)
    and numeric query values; for each, the URL with only that counter blanked."""
    if len(url) > _CACHED_URL_LENGTH:  # a hostile href is not kept in the cache
        return _url_fields(url)
    return _cached_fields(url)


def _url_fields(url: str) -> tuple[_Field, ...]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    head = f"{parts.scheme}://{parts.netloc}"
    # tokens: ("lit", text) pieces and ("num", digits) pieces, in URL order
    pieces: list[tuple[bool, str]] = [(False, head)]
    for n, segment in enumerate(parts.path.split("/")):
        if n:
            pieces.append((False, "/"))
        if _COUNTER_SEGMENT.match(segment):
            pos = 0
            for m in _DIGITS.finditer(segment):
                pieces.append((False, segment[pos : m.start()]))
                pieces.append((True, m.group()))
                pos = m.end()
            pieces.append((False, segment[pos:]))
        else:
            pieces.append((False, segment))
    if parts.query:
        pieces.append((False, "?"))
        for i, pair in enumerate(parts.query.split("&")):
            name, eq, value = pair.partition("=")
            pieces.append((False, ("&" if i else "") + name + eq))
            if _NUMERIC_VALUE.match(value):
                pos = 0
                for m in _DIGITS.finditer(value):
                    pieces.append((False, value[pos : m.start()]))
                    pieces.append((True, m.group()))
                    pos = m.end()
                pieces.append((False, value[pos:]))
            else:
                pieces.append((False, value))
    numeric = [i for i, (num, _) in enumerate(pieces) if num][:_MAX_FIELDS]
    out = []
    for i in numeric:
        key = "".join("#" if j == i else text for j, (_, text) in enumerate(pieces))
        out.append(_Field(pieces[i][1], key))
    return tuple(out)


_CACHED_URL_LENGTH = 2048
_cached_fields = lru_cache(maxsize=4096)(_url_fields)  # a site's menus repeat on every page


def _as_int(value: str) -> int | None:
    """ASCII digits only (``"²".isdigit()`` is True, but ``int("²")`` fails)."""
    return int(value) if _ASCII_INT.fullmatch(value) else None


class TrapDetector:
    """Decides, URL by URL, whether a candidate leads into a crawler trap.

    One detector per crawl run (its memory is the run's); ``today`` is
    injectable so tests and re-runs of old archives are deterministic.
    """

    def __init__(
        self,
        max_page: int = 500,
        max_calendar_span_years: int = 2,
        today: date | None = None,
        *,
        max_calendar_months: int | None = None,
        max_query_length: int = 1024,
        max_path_segments: int = 16,
        max_repeats: int = 5,
        max_groups: int = 16_384,
    ) -> None:
        self.max_page = max_page
        self.span_years = max_calendar_span_years
        self.today = today or date.today()
        self.max_calendar_months = (
            max_calendar_months if max_calendar_months is not None else 12 * max_calendar_span_years
        )
        self.max_query_length = max_query_length
        self.max_path_segments = max_path_segments
        self.max_repeats = max_repeats
        self._offset_steps: dict[str, int] = {}
        self._calendar_months: dict[str, set[int]] = {}
        self._groups: LRU[int, _Group] = LRU(max_groups)
        self._tripped: dict[int, str] = {}

    # -- the decision -------------------------------------------------------------------
    def check(self, url: str) -> str | None:
        """Why ``url`` should not be queued, or None when it looks fine.

        It also remembers the calendar months and offsets it is shown, since
        "one month too many" and "the page size" only exist across URLs.
        """
        try:
            parts = urlsplit(url)
            params = parse_qsl(parts.query, keep_blank_values=True)
        except ValueError:
            return "unparseable URL"
        path = unquote(parts.path)
        return (
            self._query_rules(parts.query, params)
            or self._session_rules(parts.path, params)
            or self._path_rules(path)
            or self._pagination_rules(url, path, params)
            or self._calendar_rules(url, path, params)
            or self._group_rules(url)
        )

    def _query_rules(self, query: str, params: list[tuple[str, str]]) -> str | None:
        if len(query) > self.max_query_length:
            return f"query string of {len(query)} characters (limit {self.max_query_length})"
        counts: dict[str, int] = {}
        for name, _ in params:
            counts[name] = counts.get(name, 0) + 1
            if counts[name] > 3:
                return f"parameter {name!r} repeated {counts[name]} times"
        return None

    def _session_rules(self, raw_path: str, params: list[tuple[str, str]]) -> str | None:
        if _PATH_SESSION.search(raw_path):
            return "session id in the path"
        for name, value in params:
            if _SESSION_PARAM.match(name) and _TOKEN_VALUE.match(value):
                return f"session-like parameter {name!r}"
            if _TOKEN_PARAM.match(name) and len(value) >= 6:
                return f"per-visit token parameter {name!r}"
        return None

    def _path_rules(self, path: str) -> str | None:
        segments = [s for s in path.split("/") if s]
        if len(segments) > self.max_path_segments:
            return f"path of {len(segments)} segments (limit {self.max_path_segments})"
        n = len(segments)
        for size in range(1, n // 3 + 1):
            for start in range(n - 3 * size + 1):
                block = segments[start : start + size]
                if (
                    block
                    == segments[start + size : start + 2 * size]
                    == segments[start + 2 * size : start + 3 * size]
                ):
                    return f"path repeats {'/'.join(block)!r} three times"
        counts: dict[str, int] = {}
        for s in segments:
            counts[s] = counts.get(s, 0) + 1
            if counts[s] >= 4:
                return f"path segment {s!r} occurs {counts[s]} times"
        return None

    def _pagination_rules(self, url: str, path: str, params: list[tuple[str, str]]) -> str | None:
        segments = [s for s in path.split("/") if s]
        for i, seg in enumerate(segments):
            number = None
            if m := _PAGE_SEGMENT.match(seg):
                number = _as_int(m.group(1))
            elif seg.lower() in _PAGE_WORDS and i + 1 < len(segments):
                number = _as_int(segments[i + 1])
            if number is not None and number > self.max_page:
                return f"page {number} in the path, beyond {self.max_page}"
        for name, value in params:
            lname = name.lower()
            number = _as_int(value.strip())
            if number is None:
                if lname in _PAGE_PARAMS | _OFFSET_PARAMS and re.fullmatch(r"[0-9]{13,}", value):
                    return f"{name}={value[:20]}… is beyond any real listing"
                continue
            if lname in _PAGE_PARAMS or lname.endswith("_cur"):
                if number > self.max_page:
                    return f"{name}={number} beyond page {self.max_page}"
            elif lname in _OFFSET_PARAMS and number > 0:
                key = f"{url.split('?', 1)[0]}?{lname}"
                step = math.gcd(self._offset_steps.get(key, 0), number)
                self._offset_steps[key] = step
                page = number // min(max(step, 1), 100)
                if page > self.max_page:
                    return f"{name}={number} is page {page} at {min(step, 100)} per page, beyond {self.max_page}"
        return None

    def _calendar_rules(self, url: str, path: str, params: list[tuple[str, str]]) -> str | None:
        found = self._url_date(path, params)
        if found is None:
            return None
        (year, month, day), calendar = found
        if not calendar and _CALENDAR_WORDS.search(path):
            calendar = True
        label = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        when = year * 12 + (month or 1) - 1
        now = self.today.year * 12 + self.today.month - 1
        if calendar:
            if abs(when - now) > 12 * self.span_years:
                return (
                    f"calendar date {label} is more than {self.span_years} years from {self.today}"
                )
            if month:
                return self._consecutive_months(url, when, label)
            return None
        if year < 1990:
            return f"date {label} in the URL is before 1990"
        if when > now + 1:
            return f"date {label} in the URL is in the future"
        return None

    def _url_date(
        self, path: str, params: list[tuple[str, str]]
    ) -> tuple[tuple[int, int, int], bool] | None:
        """(year, month, day) of a date view (0 for missing parts), and whether the date
        came from calendar-style query parameters.

        Dates in the path count only when they end it: ``/2024/03/`` is a view
        of a month, ``/2024/03/<slug>/`` is one dated item and never a trap.
        """
        values = {name.lower(): value.strip() for name, value in params}
        year = next((values[n] for n in _YEAR_PARAMS if n in values), None)
        if year and _YEAR.fullmatch(year):
            month = next((values[n] for n in _MONTH_PARAMS if n in values), "")
            day = next((values[n] for n in _DAY_PARAMS if n in values), "")
            m = int(month) if _MONTH.fullmatch(month) else 0
            d = int(day) if m and _DAY.fullmatch(day) else 0
            return (int(year), m, d), True
        for name, value in params:
            dm = _DATE_VALUE.match(value.strip())
            if dm and name.lower() in _DATE_PARAMS | _MONTH_PARAMS | _DAY_PARAMS:
                return _ymd(dm), True
        segments = [s for s in path.split("/") if s]
        for i, seg in enumerate(segments):
            stem = re.sub(r"\.[a-z]{2,5}$", "", seg)
            if _YEAR.fullmatch(stem):
                month = segments[i + 1] if i + 1 < len(segments) else ""
                if not _MONTH.fullmatch(month):
                    continue  # a bare number such as an id, not a year
                day = segments[i + 2] if i + 2 < len(segments) else ""
                d = int(day) if _DAY.fullmatch(day) else 0
                if len(segments) > i + (3 if d else 2):
                    return None  # a dated item page (/2019/05/<slug>/), not a date view
                return (int(stem), int(month), d), False
            if (dm := _DATE_VALUE.match(stem)) and dm.group(2):
                if len(segments) > i + 1:
                    return None
                return _ymd(dm), False
        return None

    def _consecutive_months(self, url: str, when: int, label: str) -> str | None:
        key = _DIGITS.sub("#", url)
        months = self._calendar_months.setdefault(key, set())
        run = 1
        lo = when - 1
        while lo in months:
            run, lo = run + 1, lo - 1
        hi = when + 1
        while hi in months:
            run, hi = run + 1, hi + 1
        if run > self.max_calendar_months:
            return f"calendar: {label} would make {run} consecutive months (limit {self.max_calendar_months})"
        months.add(when)
        return None

    def _group_rules(self, url: str) -> str | None:
        for f in _fields(url):
            reason = self._tripped.get(_h64(f.key))
            if reason:
                return reason
        return None

    # -- what fetching taught us ----------------------------------------------------------
    def _group(self, gid: int) -> _Group:
        group = self._groups.get(gid)
        if group is None:
            group = _Group()
            self._groups.put(gid, group)
        return group

    def note_content(self, url: str, content_hash: str) -> str | None:
        """Record what ``url`` contained; returns the reason when this trips its group.

        An empty hash is ignored: pages without text (listings, when the hash
        is of extracted article text) must not all count as "the same content".
        """
        if not content_hash:
            return None
        digest = _h64(content_hash)
        tripped = None
        for f in _fields(url):
            gid = _h64(f.key)
            group = self._group(gid)
            first = _first_seen(group.seen, digest, f.value)
            if first != f.value:
                group.repeats += 1
                if group.repeats >= self.max_repeats and gid not in self._tripped:
                    self._tripped[gid] = (
                        f"no new content: {group.repeats} URLs like {f.key} repeated earlier pages"
                    )
                    tripped = tripped or self._tripped[gid]
        return tripped

    def note_links(self, page_url: str, links: Iterable[str]) -> str | None:
        """Record the links of a page; returns the reason when this trips its group."""
        page_fields = _fields(page_url)
        if not page_fields:  # most pages: no counter in the URL, nothing to compare
            return None
        links = list(dict.fromkeys(links))
        link_fields = [(link, {x.key for x in _fields(link)}) for link in links]
        tripped = None
        for f in page_fields:
            signature = sorted("#group" if f.key in keys else link for link, keys in link_fields)
            sig = _h64("\n".join(signature))
            gid = _h64(f.key)
            group = self._group(gid)
            first = _first_seen(group.seen, sig, f.value)
            if first != f.value:
                group.repeats += 1
                if group.repeats >= self.max_repeats and gid not in self._tripped:
                    self._tripped[gid] = (
                        f"counter trap: {group.repeats} pages like {f.key} differ only by the counter"
                    )
                    tripped = tripped or self._tripped[gid]
        return tripped


def _first_seen(seen: dict[int, str], key: int, value: str) -> str:
    """The counter value ``key`` was first seen at (``value`` when new).

    A plain dict kept in least-recently-seen order (a hit moves to the end):
    beyond ``GROUP_MEMORY`` keys the stalest goes, i.e. what did not repeat lately.
    """
    first = seen.pop(key, value)
    seen[key] = first
    if len(seen) > GROUP_MEMORY:
        del seen[next(iter(seen))]
    return first


def _ymd(m: re.Match[str]) -> tuple[int, int, int]:
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
