"""Publication dates and event dates of Bulgarian social-policy news.

Three public functions, each pure:

* :func:`parse_date_text` reads one date the way sites print it.
* :func:`find_published` finds the date the page itself shows as its
  publication date, trusting sources in the order of
  ``shared/notes/annotation-conventions.md`` and never reading boilerplate.
* :func:`find_event_dates` lists the days on which the reported happenings
  (meetings, forums, openings, signings...) take place.

The written forms are recognised by :mod:`crawler.extract.datefmt` (an own
grammar: dateparser misreads Bulgarian day-first dates and clock times, see
that module's docstring); this module supplies the meaning: which date on a
page is the publication date, and which dates in a text are events rather
than deadlines, decree dates or programme periods.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.datefmt import (
    ATOM_RE,
    ISO_RE,
    MAX_YEAR,
    MIN_YEAR,
    Atom,
    atom_from_match,
    fold_case,
    iso_local_date,
    iter_atoms,
    normalize,
    rfc2822_date,
    safe_date,
)

__all__ = ["find_event_dates", "find_published", "parse_date_text", "year_from_url"]

_URL_YEAR_RE = re.compile(r"/((?:19|20)\d\d)/(?:0[1-9]|1[0-2])(?:/|$)")


def year_from_url(url: str) -> int | None:
    """The year of a ``/YYYY/MM/`` URL path (WordPress permalinks), or None."""
    m = _URL_YEAR_RE.search(url.split("?", 1)[0])
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------
# parse_date_text
# --------------------------------------------------------------------------

# A string that names a clock time or a relative span is never handed to
# dateparser: it turns "13.30 часа" and "преди 13 часа" into "now minus N hours".
_TIMEY_RE = re.compile(r"час|\bч\.|мин|преди|след|днес|вчера|утре|ago|hour", re.IGNORECASE)
_YEAR4_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _atom_date(text: str, atom: Atom) -> date | None:
    """The first day of a full (year-bearing) atom; ISO atoms in Sofia local time."""
    if atom.kind == "iso":
        m = ISO_RE.match(text, atom.start)
        return iso_local_date(m) if m else None
    if atom.year is None:
        return None
    return safe_date(atom.year, atom.month, atom.days[0])


def _dateparser_fallback(s: str) -> date | None:
    """Last resort for forms our grammar lacks, with the guards dateparser needs.

    Day-first order, all three parts required, and the year must be written in
    the string, so a clock time or a relative phrase can never become a date.
    """
    if len(s) > 64 or _TIMEY_RE.search(s):
        return None
    years = set(_YEAR4_RE.findall(s))
    if not years:
        return None
    try:
        import dateparser  # slow import, rarely needed

        dt = dateparser.parse(
            s,
            languages=["bg", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month", "year"],
                "STRICT_PARSING": True,
            },
        )
    except Exception:  # dateparser raises a zoo of errors on odd input
        return None
    if dt is None or str(dt.year) not in years:
        return None
    return safe_date(dt.year, dt.month, dt.day)


def parse_date_text(s: str) -> date | None:
    """The first complete date written in ``s``, or None.

    Accepts what date lines print: ``27.09.2023г.``, ``27.09.2023 г.``,
    ``12 August 2016``, ``12 септември 2017 г.``, ``15 Април 2010, 1459
    прочита``, ``Дата на публикуване: 05.04.2024 14:30``, ``13 ноември 2025,
    18:01``, ISO ``2025-11-13T18:01:00+02:00`` and RSS ``Mon, 02 Dec 2024
    14:45:00 +0000`` (a time with a zone is converted to Bulgarian local time
    first).  Numeric dates are day-first,
    always.  A date without a year, a clock time (``13.30 часа``) or a two-digit
    year is not a complete date and gives None.
    """
    if not s:
        return None
    rfc = rfc2822_date(s[:100])
    if rfc is not None:
        return rfc
    text = fold_case(normalize(s[:2000]))
    for m in ATOM_RE.finditer(text):
        d = _atom_date(text, atom_from_match(m))
        if d is not None:
            return d
    return _dateparser_fallback(text.strip())


# --------------------------------------------------------------------------
# find_published
# --------------------------------------------------------------------------

_BLOCK_TAGS = frozenset({"aside", "footer", "nav"})
_BLOCK_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner"})
# Class/id words of boilerplate blocks in WordPress, Joomla, Liferay and the
# government CMSs, matched as whole dash/underscore-separated words.
_BLOCK_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:sidebar|side-bar|aside|related|relatedposts|related-posts|widget|widgets|"
    r"footer|teaser|teasers|latest|most-read|mostread|most-viewed|mostviewed|popular|recent|"
    r"nav|navbar|navigation|menu|topbar|top-bar|header-top|breadcrumb|breadcrumbs|comments?|"
    r"modifydate|modified|updated|last-modified|share|sharing|cookie|cookies|banner|ads|advert|"
    r"promo|read-also|more-news|copyright|calendar)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Headings that open a boilerplate block ("НАЙ-ЧЕТЕНИ", "Прочетете също").
_BLOCK_HEADING_RE = re.compile(
    r"\s*(?:най[-\s]*(?:четени|четено|популярни|коментирани|гледани)|последни(?:\s+новини)?|"
    r"последно\s+добавени|прочетете\s+(?:още|също)|вижте\s+(?:още|също)|още\s+по\s+темата|"
    r"още\s+новини|още\s+от\s+[^\W\d_]+|други\s+новини|свързани(?:\s+(?:новини|статии|публикации))?|"
    r"подобни(?:\s+новини)?|related(?:\s+(?:posts|news|articles))?|latest(?:\s+news)?|"
    r"most\s+read|popular(?:\s+posts)?|recent\s+posts)\s*:?\s*",
    re.IGNORECASE,
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "title", "option"})
_HEADINGISH_CLASS_RE = re.compile(r"title|heading|head|caption", re.IGNORECASE)
# Labels that mark a modification date, never a publication date.
_MODIFIED_RE = re.compile(
    r"последна\s+промяна|последно\s+(?:обновен|редактиран|променен)|обновен[оа]?\b|"
    r"променен[оа]?\b|редактиран[оа]?\b|актуализиран[оа]?\b|актуализация|updated|modified|"
    r"last\s+edit",
    re.IGNORECASE,
)
# Labels that introduce the publication date.
_PUBLISHED_LABEL_RE = re.compile(
    r"(?:дата\s+на\s+(?:публикуване|публикация|създаване)|публикуван[оа]?(?:\s+на)?|"
    r"създаден[оа]?(?:\s+на)?|добавен[оа]?(?:\s+на)?|posted(?:\s+on)?|published(?:\s+on)?|"
    r"дата|date)(?![^\W\d_])\s*[:\-–]?",
    re.IGNORECASE,
)
# What may surround a date in a date-only line: weekday, clock time, "г.",
# view counts, separators.  If anything else is left, the line is prose.
_DATE_LINE_RESIDUE_RE = re.compile(
    r"понеделник|вторник|сряда|четвъртък|петък|събота|неделя|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:ч(?:аса)?\.?|h)?|"
    r"\d+\s*(?:прочита(?:ния)?|преглеждания|гледания|коментара?|views|comments)|"
    r"\bг(?:од)?\.|[\s,.;:|/()\[\]•·–—-]+",
    re.IGNORECASE,
)
_DATE_CLASS_HINT_RE = re.compile(r"date|created|publish|posted|datum|dateline", re.IGNORECASE)
_NOT_PUBLISH_CLASS_RE = re.compile(r"update|modif|edit", re.IGNORECASE)

_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "date",
)
_ARTICLE_TYPES_RE = re.compile(r"article|posting|report", re.IGNORECASE)
_JSONLD_DATE_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')

_URL_YMD_RE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    r"|[/_-](?P<y2>(?:19|20)\d\d)-(?P<m2>0[1-9]|1[0-2])-(?P<d2>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)

_WEEKDAY_WORD = r"(?:понеделник|вторник|сряда|четвъртък|петък|събота|неделя)"
_BODY_TODAY_RE = re.compile(
    rf"\s*(?P<rel>днес|вчера)\b\s*[,–—-]?\s*(?:(?:в|във)\s+)?(?:{_WEEKDAY_WORD}\s*,?\s*)?",
    re.IGNORECASE,
)
_BODY_DATELINE_RE = re.compile(
    r"\s*(?:(?:[гГ]р|[сС])\.\s*|[гГ]рад\s+|[сС]ело\s+)?[А-ЯЁA-Z][^\W\d_]+(?:[\s-]+[А-ЯЁA-Z][^\W\d_]+){0,2}"
    r"\s*,\s*"
)
_SIGN_OFF_TAIL_RE = re.compile(r"[\s.,;:)(/–—-]*")


def _valid(d: date | None) -> date | None:
    return d if d is not None and MIN_YEAR <= d.year <= MAX_YEAR else None


def _classes(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip()


def _opens_block(sibling: LexborNode) -> bool | None:
    """True if a preceding sibling is a boilerplate heading, False if it is a
    real heading (stop looking), None if it is not a heading at all."""
    tag = sibling.tag
    if tag == "-text":
        txt = (sibling.text() or "").strip()
        return True if txt and len(txt) <= 40 and _BLOCK_HEADING_RE.fullmatch(txt) else None
    if tag in _HEADING_TAGS or _HEADINGISH_CLASS_RE.search(_classes(sibling)):
        txt = (sibling.text(deep=True) or "").strip()
        if len(txt) <= 60 and _BLOCK_HEADING_RE.fullmatch(txt):
            return True
        return False if tag in _HEADING_TAGS else None
    return None


def _is_boilerplate(node: LexborNode) -> bool:
    """Whether ``node`` lies in a sidebar, teaser list, footer, top bar or the like.

    Structure first (aside/footer/nav, a page-level header), then CMS class
    words, then a heading such as «НАЙ-ЧЕТЕНИ» opening the block it sits in.
    An article's own ``<header>`` holds its title and date, so only a
    ``<header>`` outside ``<article>``/``<main>`` counts as a top bar.
    """
    chain: list[LexborNode] = []
    n: LexborNode | None = node
    while n is not None and n.tag not in ("html", "body", "#document"):
        chain.append(n)
        n = n.parent
    for i, x in enumerate(chain):
        tag = x.tag
        if tag == "-text":
            continue
        if tag in _BLOCK_TAGS:
            return True
        if tag == "header" and not any(a.tag in ("article", "main") for a in chain[i + 1 :]):
            return True
        if (x.attributes.get("role") or "").lower() in _BLOCK_ROLES:
            return True
        marker = _classes(x)
        if marker and _BLOCK_CLASS_RE.search(marker):
            return True
    for x in chain:
        sib = x.prev
        for _ in range(25):
            if sib is None:
                break
            verdict = _opens_block(sib)
            if verdict is not None:
                if verdict:
                    return True
                if sib.tag == "h1":
                    return False  # inside the article under its headline: a rubric
                    # label such as «Последни новини» above it does not matter
                break
            sib = sib.prev
    return False


def _iter_jsonld(obj: Any) -> Iterator[dict]:
    """Every JSON object in a JSON-LD document (@graph, lists, nesting)."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            if isinstance(v, dict | list):
                yield from _iter_jsonld(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _iter_jsonld(v)


def _from_jsonld(tree: LexborHTMLParser) -> date | None:
    """``datePublished`` of the Article-like object, else of any object."""
    fallback: date | None = None
    for script in tree.css("script"):
        if "ld+json" not in (script.attributes.get("type") or "").lower():
            continue
        raw = script.text() or ""
        try:
            objects = list(_iter_jsonld(json.loads(raw, strict=False)))
        except ValueError:  # broken JSON is common; the field itself is usually fine
            m = _JSONLD_DATE_RE.search(raw)
            d = _valid(parse_date_text(m.group(1))) if m else None
            fallback = fallback or d
            continue
        for obj in objects:
            value = obj.get("datePublished")
            if not isinstance(value, str):
                continue
            d = _valid(parse_date_text(value))
            if d is None:
                continue
            kind = obj.get("@type")
            kinds = " ".join(kind) if isinstance(kind, list) else str(kind or "")
            if _ARTICLE_TYPES_RE.search(kinds):
                return d
            fallback = fallback or d
    return fallback


def _from_meta(tree: LexborHTMLParser) -> date | None:
    """The publication meta tags, by priority of key (never *modified_time)."""
    found: dict[str, date] = {}
    for meta in tree.css("meta"):
        attrs = meta.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _META_KEYS and key not in found:
            d = _valid(parse_date_text(attrs.get("content") or ""))
            if d is not None:
                found[key] = d
    return next((found[k] for k in _META_KEYS if k in found), None)


def _from_markup(tree: LexborHTMLParser) -> date | None:
    """``itemprop=datePublished`` and ``<time datetime>`` of the article itself."""
    for node in tree.css("[itemprop=datePublished]"):
        if node.tag == "meta" or _is_boilerplate(node):
            continue
        attrs = node.attributes
        value = attrs.get("datetime") or attrs.get("content") or node.text(deep=True)
        d = _valid(parse_date_text(value or ""))
        if d is not None:
            return d
    has_article = tree.css_first("article, main") is not None
    best: tuple[int, date] | None = None
    for order, node in enumerate(tree.css("time[datetime]")):
        marker = _classes(node)
        if _NOT_PUBLISH_CLASS_RE.search(marker) or _is_boilerplate(node):
            continue
        if has_article:
            p = node.parent
            while p is not None and p.tag not in ("article", "main"):
                p = p.parent
            if p is None:
                continue
        d = _valid(parse_date_text(node.attributes.get("datetime") or ""))
        if d is None:
            continue
        rank = 0 if re.search("publish|entry-date|pubdate", marker, re.I) else 1
        key = (rank * 10_000 + order, d)
        if best is None or key[0] < best[0]:
            best = key
    return best[1] if best else None


class _Candidate(NamedTuple):
    score: int
    order: int
    day: date


def _is_date_only(s: str, start: int, end: int) -> bool:
    """Whether a line holds nothing but the date (plus weekday, time, views)."""
    rest = s[:start] + " " + s[end:]
    rest = _PUBLISHED_LABEL_RE.sub(" ", rest, count=1)
    return not _DATE_LINE_RESIDUE_RE.sub("", rest).strip()


def _line_date(s: str, hinted: bool) -> date | None:
    """The publication date of a date line, or None when the line is not one."""
    s = fold_case(normalize(s)).strip()
    if not s or len(s) > 150 or _MODIFIED_RE.search(s):
        return None
    for m in ATOM_RE.finditer(s):
        atom = atom_from_match(m)
        d = _valid(_atom_date(s, atom))
        if d is None:
            continue
        labelled = bool(_PUBLISHED_LABEL_RE.match(s))
        if hinted or labelled or _is_date_only(s, atom.start, atom.end):
            return d
        return None
    return None


# a cheap first test for a text node: no digit, no date (\d covers every
# digit the date patterns accept)
_HAS_DIGIT = re.compile(r"\d").search


def _from_date_line(tree: LexborHTMLParser) -> date | None:
    """A date line near the headline: class-marked, labelled, or a bare date.

    Candidates are ranked by distance (in document order) from the headline,
    with bare unmarked dates slightly behind class-marked or labelled ones, so
    a page's own date line beats the same classes reused in related posts
    further down, and a today's-date widget far from the title loses.
    """
    body = tree.body
    if body is None:
        return None
    order: dict[int, int] = {}
    texts: list[LexborNode] = []
    headline: int | None = None
    fallback_head: int | None = None
    for i, node in enumerate(body.traverse(include_text=True)):
        order[node.mem_id] = i
        if node.tag == "-text":
            texts.append(node)
        elif node.tag == "h1" and headline is None and not _is_boilerplate(node):
            headline = i
        elif node.tag == "h2" and fallback_head is None and not _is_boilerplate(node):
            fallback_head = i
    if headline is None:
        headline = fallback_head

    # Every candidate's score is known before its text is parsed: the date
    # parse and the boilerplate test, the costly parts, run best first and
    # stop at the first candidate that holds a date (ties keep the earliest).
    pending: list[tuple[int, int, LexborNode, str, bool]] = []

    def add(node: LexborNode, text: str, hinted: bool, penalty: int) -> None:
        i = order.get(node.mem_id, 0)
        dist = abs(i - headline) if headline is not None else i
        pending.append((dist + penalty, i, node, text, hinted))

    hinted_sel = (
        "[class*=date], [class*=Date], [class*=created], [class*=publish], [class*=posted], "
        "[id*=date], time"
    )
    for node in tree.css(hinted_sel):
        marker = _classes(node)
        if marker and not _DATE_CLASS_HINT_RE.search(marker) and node.tag != "time":
            continue
        if _NOT_PUBLISH_CLASS_RE.search(marker):
            continue
        add(node, node.text(deep=True, separator=" ") or "", True, 0)
    for node in texts:
        raw = node.text() or ""
        if len(raw) > 200 or not _HAS_DIGIT(raw):
            continue
        if node.parent is not None and node.parent.tag in _NON_TEXT_TAGS:
            continue
        labelled = bool(_PUBLISHED_LABEL_RE.match(raw.strip()))
        add(node, raw, False, 0 if labelled else 3)
    pending.sort(key=lambda c: (c[0], c[1]))
    best: _Candidate | None = None
    for score, i, node, text, hinted in pending:
        if best is not None and (score, i) != (best.score, best.order):
            break
        d = _line_date(text, hinted=hinted)
        if d is not None and not _is_boilerplate(node):
            best = min(best, _Candidate(score, i, d)) if best else _Candidate(score, i, d)
    return best.day if best else None


def _paragraphs(tree: LexborHTMLParser, text: str) -> list[str]:
    """The article's paragraphs: from ``text`` if given, else the page's ``<p>``s."""
    if text:
        return [p.strip() for p in text.split("\n") if p.strip()]
    out = []
    for p in tree.css("p"):
        s = (p.text(deep=True) or "").strip()
        if s and not _is_boilerplate(p):
            out.append(s)
        if len(out) >= 40:
            break
    return out


def _from_body(paragraphs: list[str]) -> date | None:
    """«Днес, 08 юни 2017 г.» or a dateline «гр. София, 12 август 2016 г.».

    Openings are looked for in the first three paragraphs; a paragraph that is
    nothing but a dateline (a sign-off) counts anywhere.  «Вчера, <date>» puts
    publication one day after the date.
    """
    for idx, raw in enumerate(paragraphs):
        par = normalize(raw)
        low = fold_case(par)
        if idx < 3:
            m = _BODY_TODAY_RE.match(par)
            if m:
                a = ATOM_RE.match(low, m.end())
                d = _valid(_atom_date(low, atom_from_match(a))) if a else None
                if d is not None:
                    return d + timedelta(days=1) if m["rel"].lower() == "вчера" else d
        m = _BODY_DATELINE_RE.match(par)
        if not m:
            continue
        a = ATOM_RE.match(low, m.end())
        if not a:
            continue
        d = _valid(_atom_date(low, atom_from_match(a)))
        tail = _SIGN_OFF_TAIL_RE.match(par, a.end())
        sign_off = tail is not None and tail.end() == len(par)
        if d is not None and (idx < 3 or sign_off):
            return d
    return None


def _from_url(url: str) -> date | None:
    """``/2025/11/13/`` or ``/2025-11-13-slug`` in the path.

    A year and month alone (WordPress ``/2025/11/slug/``) give None: the
    publication date is a day, and inventing the 1st would be wrong 29 times
    in 30.  Digits in file names (``IMG_20170912.jpg``) are not looked at,
    since only the page's own path is read.
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_YMD_RE.search(path)
    if not m:
        return None
    if m["y"]:
        return _valid(safe_date(int(m["y"]), int(m["m"]), int(m["d"])))
    return _valid(safe_date(int(m["y2"]), int(m["m2"]), int(m["d2"])))


def find_published(tree: LexborHTMLParser, url: str, text: str = "") -> date | None:
    """The publication date the page shows, or None.

    Order of trust: JSON-LD ``datePublished``; publication meta tags;
    ``itemprop=datePublished`` / ``<time datetime>`` inside the article; a date
    line near the headline; «Днес, …» or a dateline in the body (``text`` if
    given, else the page's paragraphs); ``/YYYY/MM/DD/`` in the URL path.
    Never «Последна промяна» / modification dates, HTTP headers, sidebars,
    related posts, teasers, top bars, footers or copyright years.
    ``tree`` may be an empty document when only ``text`` and ``url`` are known.
    """
    for step in (_from_jsonld, _from_meta, _from_markup, _from_date_line):
        d = step(tree)
        if d is not None:
            return d
    d = _from_body(_paragraphs(tree, text))
    return d if d is not None else _from_url(url)


# --------------------------------------------------------------------------
# find_event_dates
# --------------------------------------------------------------------------
# The lexical regexes below are written in lower case and run on a
# case-folded copy of the text (``fold_case`` keeps offsets), which is several
# times faster than IGNORECASE on long articles.

# What makes a sentence report a happening: stems matched at word starts.
# "представител" (representative) is not "представи".
_CUE_RE = re.compile(
    r"\b(?:срещ|заседа|дискуси|дискусионн|форум|[^\W\d_]*конференци|семинар|уъркшоп|workshop|"
    r"обучени|кръгл[^\W\d_]*\s+мас|откри|отвор[^\W\d_]*\s+врати|отвар[^\W\d_]*\s+врати|подпис|"
    r"посещени|посети|визит|гостува|информационн[^\W\d_]*\s+(?:ден|дни|среща|сесия)|кампани|"
    r"церемони|събити|провед|провежда|състоя|организира|организатор|участ|присъства|"
    r"представ(?!ител)|презентаци|домакин|лекци|тържеств|чества|честван|отбеляз|връч|"
    r"разговар|обсъ[дж]|сесия|сесии|посрещ|[^\W\d_]*изложб|концерт|събрание|акци(?:я|и|ята)\b|"
    r"провер[кя]|инспекци|извърш|запозна|заседава|събраха)"
)
# «На 18 декември във Велико Търново представители … се запознаха …»: a sentence
# that opens with its date and reports what happened is a happening even
# without a cue word.
_COPULAS = frozenset({"бе", "беше", "бяха", "били", "бил", "била", "било"})  # «беше слънчево»
_SENTENCE_OPENING_ON_RE = re.compile(r"\s*(?:[-–—•*]\s*)?на\s*$")
# Words that make a nearby date a deadline, entry into force, application
# window, document date or service start instead of a happening.
_NEG_RE = re.compile(
    r"\b(?:влиза[^\W\d_]*\s+в\s+сила|влизане\s+в\s+сила|в\s+сила|се\s+прилага|считано|"
    r"прием(?:ат|а|ане|ът)?\b|заявлени|кандидатств|подаван|подава|[^\W\d_]*срок|изплаща|"
    r"постановлени|заповед|протокол|наредб|указ\b|обнародва|държавен\s+вестник|дв\b|"
    r"ще\s+се\s+предоставя|ще\s+функционира|валидн|изтича|почивн[^\W\d_]*\s+ден|неработн)"
)
# A deadline stated as a subject: «крайният срок за подаване ... е 30 април».
_DEADLINE_SUBJECT_RE = re.compile(r"срок")
_CLAUSE_START_RE = re.compile(r".*(?:;|,\s+а\s|,\s+но\s|,\s+като\s)", re.DOTALL)
# Immediately before a date: a limit, a start, a status-as-of or a recurring
# day, not the day of a happening.
_PRE_VETO_RE = re.compile(
    r"(?:\bдо|\bпреди|\bслед|\bсчитано\s+от|\bзапочвайки\s+от|\bс\s+дата|\bот\s+дата|"
    r"\bдатиран[^\W\d_]*|\bвсеки|\bвсяка|\bвсяко|\bза\s+периода?|\bотчетния\s+период|\bкъм|"
    r"\bнай-късно(?:\s+до)?|\bне\s+по-късно\s+от)\s*[:\-–]?\s*$"
)
_PRE_FROM_RE = re.compile(r"\bот\s*$")
_PRE_BETWEEN_RE = re.compile(r"\bмежду\s*$")
_PRE_ON_RE = re.compile(r"\bна\s*$")
_YEAR_WORD_RE = re.compile(
    r"\s*,?\s*(?:(?P<this>т\.\s?г\.|тази\s+година|текущата\s+година|настоящата\s+година)|"
    r"(?P<last>м\.\s?г\.|миналата\s+година)|(?P<next>следващата\s+година|догодина))"
)
_GROUP_GAP_RE = re.compile(r"\s*(?:[-‐‑–—]|до|и|,)\s*")
_RANGE_GAP_RE = re.compile(r"[-‐‑–—]|до")

_FUTURE_RE = re.compile(
    r"\b(?:ще|предстои|предстоящ[^\W\d_]*|очаква\s+се|насрочен[^\W\d_]*|планира[^\W\d_]*|"
    r"следващ(?:ия|ата|ото|ите))\b"
)
_PAST_RE = re.compile(
    r"\b(?:се\s+(?:проведе|проведоха|състоя|състояха)|проведе|проведоха|състоя|бе|беше|бяха|"
    r"били|бил|била|било|откри|откриха|посети|посетиха|подписа|подписаха|представи|представиха|"
    r"връчи|връчиха|обсъди|обсъдиха|участваха|присъстваха|взе|взеха|приключи|завърши|закри|"
    r"посрещна|посрещнаха|организираха|домакинства|включи|включиха|сподели|споделиха|запозна|"
    r"запознаха|приветства|поздрави|изнесе|обяви|обявиха|заяви|каза|подчерта|отбеляза|"
    r"отбелязаха|вчера|миналия|миналата|миналото|изминалия|изминалата)\b"
)
_WILL_BEFORE_RE = re.compile(r"\bще(?:\s+(?:се|бъде|бъдат))?\s+$")

_WEEKDAYS = ("понеделник", "вторник", "сряда", "четвъртък", "петък", "събота", "неделя")
# «днес», «вчера», «утре» and weekdays in one pass over the text.
# No leading \b: a pattern that starts with literals lets the engine skip
# ahead on their first letters; the word start is checked in code.
_ANCHOR_RE = re.compile(rf"(?:днес|вчера|утре|вдругиден|онзи\s+ден|{'|'.join(_WEEKDAYS)})\b")
_RELATIVE_OFFSET = {"днес": 0, "вчера": -1, "утре": 1, "вдругиден": 2, "онзи ден": -2}
_REL_PRE_VETO_RE = re.compile(r"(?:\bдо|\bот|\bкъм|\bслед|\bпреди|\bдоскоро)\s*$")
# What precedes a weekday: «в», «на», «миналия», and, in a list («в сряда и
# четвъртък»), the earlier weekdays.
_WD_PRE_RE = re.compile(
    r"(?:\b(?P<prep>в|във|на|през)\s+)?"
    r"(?:\b(?P<rel>миналия|миналата|изминалия|изминалата|предходния|предходната|следващия|"
    r"следващата|идния|идната|предстоящия|предстоящата|този|тази)\s+)?"
    rf"(?:(?:{'|'.join(_WEEKDAYS)})(?:\s*,\s*|\s+и\s+))*$"
)
_WD_BACK = ("минал", "изминал", "предходн")
_WD_FORWARD = ("следващ", "идн", "предстоящ")
_RECURRING_RE = re.compile(r"\b(?:всеки|всяка|всяко)\s*$")

# A sentence ends at punctuation, closing quotes, space, then a capital.  The
# match starts at the punctuation (a character class first scans fast).
_SENT_END_RE = re.compile(r"[.!?…][\"»“”')\]]*\s+(?=[„\"«(\[]?[A-ZА-ЯЁ0-9])")
# Words whose dot does not end a sentence ("гр. София", "д-р. Петков", "ул. ...").
_ABBREVIATIONS = frozenset(
    {
        "гр", "ул", "бул", "обл", "общ", "проф", "доц", "д-р", "инж", "арх", "зам", "ст",
        "кв", "ж.к", "бл", "вх", "ап", "тел", "напр", "вкл", "чл", "ал", "бр", "св", "стр",
        "им", "пл", "акад", "ген", "полк", "пр", "т.е", "вж", "изп", "и.д", "ср", "хил",
        "млн", "млрд", "лв",
    }
)  # fmt: skip
_LAST_WORD_RE = re.compile(r"(\S+)$")
# A line ending in a preposition or conjunction continues on the next line.
_DANGLING_WORDS = frozenset(
    {
        "на", "в", "във", "и", "от", "до", "за", "с", "със", "по", "към", "при", "между",
        "а", "но", "че", "да", "се", "г-н", "г-жа", "д-р",
    }
)  # fmt: skip
# One line break, not part of a blank line (a literal first: fast scanning).
_LINE_BREAK_RE = re.compile(r"\n(?![ \t]*\n)(?<!\n\n)")
# A place name and a comma at the start of a paragraph: «Плевен, 15 януари».
# («Утре, 16 март» and «Понеделник, 18 март» are not datelines.)
_DATELINE_HEAD_RE = re.compile(
    r"\s*(?!(?i:днес|вчера|утре|вдругиден|"
    + "|".join(_WEEKDAYS)
    + r")\b)(?:(?:[гГ]р|[сС])\.\s*)?[А-ЯЁ][а-яё]+(?:[\s-]+[А-ЯЁ][а-яё]+){0,2}\s*,\s*"
)
# Anchors other than «днес» that would name the day of a dateline's happening.
_OTHER_ANCHOR_RE = re.compile(
    rf"\b(?:вчера|утре|вдругиден|онзи\s+ден|(?:в|във|на)\s+(?:{'|'.join(_WEEKDAYS)}))\b"
)
_QUOTE_RE = re.compile(r"„[^“”\"\n]*[“”\"]?|«[^»\n]*»?|“[^”\n]*”|\"[^\"“”\n]*[\"“”]")

# A range longer than this is a period (a programme, a campaign season, an
# application window), not days of a happening.
MAX_RANGE_DAYS = 31
# An announcement («ще се проведе на 10 януари») that would fall more than
# this before publication is read as next year's.
_FUTURE_SLACK = timedelta(days=31)
# Sentences are looked for this far around a date; longer ones are cut.
_SENTENCE_WINDOW = 800
# A "sentence" this short that ends in "г." is an opening date phrase.
_OPENING_DATE_CHARS = 40


def _after_abbreviation(text: str, punct: int) -> bool:
    """Whether the dot at ``punct`` closes «гр.», «д-р.», an initial... rather than a sentence."""
    if text[punct] != ".":
        return False
    m = _LAST_WORD_RE.search(text, max(0, punct - 12), punct)
    word = m.group(1).lstrip('(„"«') if m else ""
    if word.lower() in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return word != "г"  # "2017 г. Срещата" ends; "с. Етрополе", "Г. Иванов" do not
    return False


def _unwrap(text: str) -> str:
    """Blank out the soft line breaks of hard-wrapped wire text, keeping offsets.

    «На 3 и 4 октомври в София се⏎проведе» is one sentence.  A line break is
    kept as a paragraph break after sentence punctuation, before or after a
    blank line, and between a short line and a capitalised one (a title over
    a date line); otherwise it is a wrap.  A line ending in an initial, an
    abbreviation or a preposition («ул. „Г. С.⏎Раковски“», «и на⏎27 ноември»)
    always continues.
    """
    if "\n" not in text:
        return text
    soft: list[int] = []
    for m in _LINE_BREAK_RE.finditer(text):
        a = m.start()
        line_start = text.rfind("\n", 0, a) + 1
        tail_start = max(line_start, a - 60)
        prev = text[tail_start:a].rstrip()
        head = text[a + 1 : a + 61].lstrip(" \t")
        if not prev or not head or head[0] == "\n":
            continue
        last = prev[-1]
        dangling = (last == "." and _after_abbreviation(text, tail_start + len(prev) - 1)) or prev[
            -12:
        ].rsplit(None, 1)[-1].lower() in _DANGLING_WORDS
        if last in ".!?…:;" and not dangling:
            continue
        if last in '"»“”)' and len(prev) > 1 and prev[-2] in ".!?…":
            continue
        if not head[0].islower() and not dangling:
            line_end = text.find("\n", a + 1)
            next_len = (len(text) if line_end < 0 else line_end) - (a + 1)
            if a - line_start < 40 or next_len < 30:
                continue
        soft.append(a)
    if not soft:
        return text
    parts: list[str] = []
    last_end = 0
    for a in soft:
        parts.append(text[last_end:a])
        parts.append(" ")
        last_end = a + 1
    parts.append(text[last_end:])
    return "".join(parts)


class _Doc:
    """A text prepared once: normalized, case-folded, sentences found on demand.

    Paragraph breaks always end a sentence; ". " before a capital does unless
    the word before the dot is an abbreviation.  "г." after a year does end a
    sentence when a capital follows.  Sentences are only looked for around the
    dates found, so a long text with few dates costs little.
    """

    def __init__(self, text: str) -> None:
        self.text = _unwrap(normalize(text))
        self.low = fold_case(self.text)
        self._sentences: dict[int, tuple[int, int]] = {}

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding ``pos``, at most _SENTENCE_WINDOW each way."""
        hit = self._sentences.get(pos)
        if hit is not None:
            return hit
        t = self.text
        par_start = t.rfind("\n", 0, pos) + 1
        par_end = t.find("\n", pos)
        if par_end < 0:
            par_end = len(t)
        start = max(par_start, pos - _SENTENCE_WINDOW)
        for m in _SENT_END_RE.finditer(t, start, min(par_end, pos + 2)):
            if m.end() <= pos and not _after_abbreviation(t, m.start()):
                start = m.end()
        end = min(par_end, pos + _SENTENCE_WINDOW)
        for m in _SENT_END_RE.finditer(t, pos, end):
            if _after_abbreviation(t, m.start()):
                continue
            # «На 12 март 2024 г. Министърът откри...»: a comma-less opening date
            # is not a sentence of its own; read on to the next boundary.
            if t[m.start() - 1 : m.start()] == "г" and m.start() - start < _OPENING_DATE_CHARS:
                continue
            end = m.start() + 1
            break
        self._sentences[pos] = (start, end)
        return start, end


class _Context(NamedTuple):
    """What the sentence around a date says about it."""

    is_event: bool
    tense: str  # "past" | "future" | ""


def _distance(m: re.Match[str], start: int, end: int) -> int:
    if m.end() <= start:
        return start - m.end()
    if m.start() >= end:
        return m.start() - end
    return 0


def _tense(low: str, ss: int, se: int, start: int, end: int) -> str:
    """Tense of the verb nearest to a date in its sentence; "" if none."""
    best: tuple[int, str] | None = None
    for rx, label in ((_PAST_RE, "past"), (_FUTURE_RE, "future")):
        for m in rx.finditer(low, ss, se):
            kind = label
            if label == "past" and _WILL_BEFORE_RE.search(low, max(ss, m.start() - 14), m.start()):
                kind = "future"  # «ще представи», «ще се проведе»
            dist = _distance(m, start, end)
            if best is None or dist < best[0]:
                best = (dist, kind)
    return best[1] if best else ""


def _context(doc: _Doc, start: int, end: int) -> _Context:
    """Is the date at ``doc.text[start:end]`` the day of a happening, and in what tense?

    A happening needs a cue word in the same sentence, and no word of a
    deadline / entry into force / application / document nearer to the date
    than the nearest cue; a clause whose subject is a «срок» states a deadline.
    """
    ss, se = doc.sentence(start)
    low = doc.low
    cue = min((_distance(m, start, end) for m in _CUE_RE.finditer(low, ss, se)), default=None)
    if cue is None:
        opening = _SENTENCE_OPENING_ON_RE.fullmatch(low, ss, start) is not None
        acted = any(m.group(0) not in _COPULAS for m in _PAST_RE.finditer(low, ss, se))
        if opening and acted and not _NEG_RE.search(low, ss, se):
            return _Context(True, "past")
        return _Context(False, "")
    neg = min((_distance(m, start, end) for m in _NEG_RE.finditer(low, ss, se)), default=None)
    if neg is not None and neg < cue:
        return _Context(False, "")
    head = low[ss:start]
    clause = _CLAUSE_START_RE.match(head)
    if _DEADLINE_SUBJECT_RE.search(head, clause.end() if clause else 0):
        return _Context(False, "")
    return _Context(True, _tense(low, ss, se, start, end))


class _Item(NamedTuple):
    day: int
    month: int
    year: int | None


def _group_atoms(text: str, atoms: list[Atom]) -> Iterator[list[Atom]]:
    """Join atoms written as one expression: «30 септември – 2 октомври», «5 май и 6 юни»."""
    group: list[Atom] = []
    for atom in atoms:
        if group and _GROUP_GAP_RE.fullmatch(text, group[-1].end, atom.start):
            group.append(atom)
            continue
        if group:
            yield group
        group = [atom]
    if group:
        yield group


def _items(low: str, group: list[Atom]) -> tuple[list[_Item], list[str]]:
    """Flatten a group into days and the links ("range"/"list") between them."""
    items: list[_Item] = []
    links: list[str] = []
    for k, atom in enumerate(group):
        if k:
            gap = low[group[k - 1].end : atom.start]
            links.append("range" if _RANGE_GAP_RE.search(gap) else "list")
        items.extend(_Item(d, atom.month, atom.year) for d in atom.days)
        links.extend(atom.links)
    return items, links


def _fill_years(items: list[_Item]) -> list[_Item]:
    """Give yearless days the year written later (or earlier) in the expression.

    «30 декември – 2 януари 2024»: 30 December is 2023, since a day written
    before a later day cannot fall after it.
    """
    out = list(items)
    carry: _Item | None = None
    for i in range(len(out) - 1, -1, -1):
        it = out[i]
        if it.year is not None:
            carry = it
        elif carry is not None and carry.year is not None:
            year = carry.year - 1 if (it.month, it.day) > (carry.month, carry.day) else carry.year
            out[i] = carry = _Item(it.day, it.month, year)
    carry = None
    for i, it in enumerate(out):
        if it.year is not None:
            carry = it
        elif carry is not None and carry.year is not None:
            year = carry.year + 1 if (it.month, it.day) < (carry.month, carry.day) else carry.year
            out[i] = carry = _Item(it.day, it.month, year)
    return out


def _yearless_dates(
    items: list[_Item],
    published: date | None,
    tense: str,
    year_word: int | None,
    year_hint: int | None = None,
) -> list[date | None]:
    """Complete a yearless expression from the publication date.

    The publication year (or the year «т.г.»/«м.г.» names); a past report that
    would then lie after publication steps back a year; an announcement that
    would lie more than a month before publication steps forward a year.
    """
    base = year_word if year_word is not None else (published.year if published else year_hint)
    if base is None:
        return []
    year = base
    dates: list[date | None] = []
    prev: _Item | None = None
    for it in items:
        if prev is not None and (it.month, it.day) < (prev.month, prev.day):
            year += 1  # «30 декември – 2 януари»
        dates.append(safe_date(year, it.month, it.day))
        prev = it
    if year_word is not None or published is None or any(d is None for d in dates):
        return dates
    shift = 0
    first, last = dates[0], dates[-1]
    if tense == "past" and first is not None and first > published:
        shift = -1
    elif tense == "future" and last is not None and last < published - _FUTURE_SLACK:
        shift = 1
    if shift:
        dates = [safe_date(d.year + shift, d.month, d.day) if d else None for d in dates]
    return dates


def _resolve_group(
    items: list[_Item],
    links: list[str],
    published: date | None,
    tense: str,
    year_word: int | None,
    year_hint: int | None = None,
) -> list[date]:
    """All days of one expression; ranges expanded day by day.

    A range longer than MAX_RANGE_DAYS is a period and yields nothing, and so
    does an expression with an impossible day (31 September).
    """
    filled = _fill_years(items)
    if any(it.year is None for it in filled):
        dates = _yearless_dates(filled, published, tense, year_word, year_hint)
    else:
        dates = [safe_date(it.year or 0, it.month, it.day) for it in filled]
    if not dates or any(d is None for d in dates):
        return []
    days = [d for d in dates if d is not None]
    out = [days[0]]
    for i, link in enumerate(links):
        a, b = days[i], days[i + 1]
        if link == "range":
            span = (b - a).days
            if span < 0 or span > MAX_RANGE_DAYS:
                return []
            out.extend(a + timedelta(days=k) for k in range(1, span + 1))
        else:
            out.append(b)
    return out


def _is_dateline(doc: _Doc, start: int) -> bool:
    """Whether the date at ``start`` follows a place name opening its paragraph."""
    par_start = doc.text.rfind("\n", 0, start) + 1
    return _DATELINE_HEAD_RE.fullmatch(doc.text, par_start, start) is not None


def _names_another_day(doc: _Doc, group: list[Atom], atom_starts: list[int]) -> bool:
    """Whether a dateline's sentence dates its happening otherwise (a date, «вчера»)."""
    ss, se = doc.sentence(group[0].start)
    lo, hi = bisect_right(atom_starts, ss - 1), bisect_right(atom_starts, se - 1)
    if hi - lo > len(group):
        return True
    return _OTHER_ANCHOR_RE.search(doc.low, ss, se) is not None


def _group_dates(
    doc: _Doc,
    group: list[Atom],
    atom_starts: list[int],
    published: date | None,
    year_hint: int | None = None,
) -> list[date]:
    """Event days of one written date expression, or [] if it is not an event.

    A dateline («Плевен, 15 януари /БТА/ ...») is the day of the happening its
    sentence reports only when that sentence names no other day.
    """
    low = doc.low
    start, end = group[0].start, group[-1].end
    ss, _se = doc.sentence(start)
    pre = low[max(ss, start - 60) : start]
    items, links = _items(low, group)
    if _PRE_VETO_RE.search(pre):
        return []
    if _PRE_FROM_RE.search(pre) and "range" not in links:
        return []  # «от 1 август влиза в сила», «Постановление №176 от 18 юли 2016 г.»
    if _PRE_BETWEEN_RE.search(pre) and links and links[0] == "list":
        links = ["range", *links[1:]]  # «между 10 и 12 май»
    yearless_numeric = all(a.year is None for a in group) and any(a.kind == "num" for a in group)
    if yearless_numeric and not _PRE_ON_RE.search(pre):
        return []  # «в 10.05.» is a clock time; only «на 27.09.» is a yearless date
    ctx = _context(doc, start, end)
    if not ctx.is_event:
        return []
    if _is_dateline(doc, start) and _names_another_day(doc, group, atom_starts):
        return []  # «Ловеч, 21 ноември /БТА/ ... се включиха вчера в информационния ден»
    year_word: int | None = None
    m = _YEAR_WORD_RE.match(low, end)
    if m and published is not None:
        year_word = published.year + (-1 if m["last"] else 1 if m["next"] else 0)
    return _resolve_group(items, links, published, ctx.tense, year_word, year_hint)


def _in_spans(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _anchor_dates(doc: _Doc, atom_starts: list[int], published: date) -> Iterator[date]:
    """«днес», «вчера», «утре» and weekdays, anchored on the publication date.

    Not anchors: words inside a quoted statement, «до днес» / «от днес»
    (historic spans), a word followed by the explicit date it stands for
    («Днес, 12 август 2016 г.»: the written date is used), a weekday without
    «в»/«на»/«миналия»..., and «всеки понеделник».  A weekday goes back for a
    past report and forward for an announcement; with no tense it is dropped.
    """
    text, low = doc.text, doc.low
    spans: list[tuple[int, int]] | None = None
    span_starts: list[int] = []
    for m in _ANCHOR_RE.finditer(low):
        a, b = m.span()
        if a and low[a - 1].isalnum():
            continue  # inside a word: «преднес...»
        i = bisect_right(atom_starts, b)
        if i < len(atom_starts) and not text[b : atom_starts[i]].strip(" ,(–-"):
            continue  # the explicit date that follows is used instead
        if spans is None:
            spans = [(q.start(), q.end()) for q in _QUOTE_RE.finditer(text)]
            span_starts = [s for s, _ in spans]
        if _in_spans(a, spans, span_starts):
            continue
        ss, _ = doc.sentence(a)
        word = re.sub(r"\s+", " ", m.group(0))
        if word in _RELATIVE_OFFSET:
            if _REL_PRE_VETO_RE.search(low, max(ss, a - 20), a):
                continue
            if _context(doc, a, b).is_event:
                yield published + timedelta(days=_RELATIVE_OFFSET[word])
            continue
        wd = _WD_PRE_RE.search(low, max(ss, a - 40), a)
        if wd is None or not (wd["prep"] or wd["rel"]):
            continue
        if _RECURRING_RE.search(low, max(ss, a - 12), a):
            continue
        ctx = _context(doc, a, b)
        if not ctx.is_event:
            continue
        rel = wd["rel"] or ""
        if rel.startswith(_WD_BACK):
            direction = "past"
        elif rel.startswith(_WD_FORWARD):
            direction = "future"
        else:
            direction = ctx.tense
        target = _WEEKDAYS.index(word)
        if direction == "past":
            yield published - timedelta(days=(published.weekday() - target) % 7 or 7)
        elif direction == "future":
            yield published + timedelta(days=(target - published.weekday()) % 7 or 7)


def find_event_dates(text: str, published: date | None, year_hint: int | None = None) -> list[date]:
    """Sorted unique days of the happenings the text reports or announces.

    An event date is a written date (or «днес»/«вчера»/«утре», a weekday)
    whose sentence has an event cue (среща, форум, конференция, откриване,
    подписване, посещение, информационен ден, се проведе, участваха...) and
    that is not a deadline («до 30 юни»), a start («от 1 август влиза в
    сила», any lone «от <date>»), an application window, a document date
    («Постановление №176 от 18 юли 2016 г.»), a period, a vague month or a
    clock time.  Yearless dates, relative words and weekdays resolve against
    ``published``; without it only dates with a written year are returned,
    plus yearless ones completed with ``year_hint`` (the year in a
    ``/YYYY/MM/`` URL of a page that prints no date).
    """
    if not text:
        return []
    if published is not None and not MIN_YEAR <= published.year <= MAX_YEAR:
        published = None  # a bogus anchor (date.min, year 9999) resolves nothing
    doc = _Doc(text)
    atoms = iter_atoms(doc.low)
    starts = [a.start for a in atoms]
    found: set[date] = set()
    for group in _group_atoms(doc.low, atoms):
        found.update(_group_dates(doc, group, starts, published, year_hint))
    if published is not None:
        found.update(_anchor_dates(doc, starts, published))
    return sorted(d for d in found if MIN_YEAR <= d.year <= MAX_YEAR)
