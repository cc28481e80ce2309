"""RSS 2.0 / RSS 1.0 / Atom feeds and XML sitemaps, parsed defensively with the stdlib.

Why here and not in a library: feeds are how new articles are found cheaply
(one request instead of re-walking listings), so the crawler fetches them on
every run, from servers it does not control.  The parser therefore:

* refuses any document type declaration or entity declaration (checked in the
  bytes before parsing, and again by expat handlers while parsing), so entity
  expansion ("billion laughs") and external entities (XXE) never happen;
* caps input at :data:`MAX_BYTES` (20 MB), also after gunzip, so a small
  ``.xml.gz`` cannot inflate into gigabytes;
* turns HTML named entities (``&nbsp;``, ``&laquo;``), which sloppy CMS
  feeds use although XML does not define them, into character references
  instead of failing the whole feed;
* reports malformed XML as one :class:`FeedError` with line and column.

Dates become the Bulgarian local date (Europe/Sofia): ``Wed, 12 Nov 2025
22:30:00 GMT`` is 13 November in Sofia, which is what the site showed its
readers and what annotation uses.  URLs are resolved against the feed's URL
(and ``xml:base``) and only http(s) URLs are kept; canonicalisation is the
caller's job (:func:`crawler.urls.canonicalize`).
"""

from __future__ import annotations

import codecs
import html
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_tz
from html.entities import name2codepoint
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat
from zoneinfo import ZoneInfo

MAX_BYTES = 20 * 1024 * 1024
MAX_URLS = 50_000  # the sitemap protocol's limit per file
SOFIA = ZoneInfo("Europe/Sofia")

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_ATOM = "http://www.w3.org/2005/Atom"
_ATOM_03 = "http://purl.org/atom/ns#"
_GZIP_MAGIC = b"\x1f\x8b"
_HIDDEN = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.S)
_DECLARATION = re.compile(rb"<!\s*(\w*)")
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")

_BG_MONTHS = {
    "яну": "Jan", "фев": "Feb", "мар": "Mar", "апр": "Apr", "май": "May", "юни": "Jun",
    "юли": "Jul", "авг": "Aug", "сеп": "Sep", "окт": "Oct", "ное": "Nov", "дек": "Dec",
}  # fmt: skip
_BG_MONTH = re.compile(r"\b(" + "|".join(_BG_MONTHS) + r")[а-я]*\.?", re.I)
_BG_WEEKDAY = re.compile(r"^\s*(?:пон|вто|сря|чет|пет|съб|нед)[а-я]*\.?,?\s*", re.I)
# Zone names RFC 822 does not know but Bulgarian servers print.
_LOCAL_ZONES = {"EET": "+0200", "EEST": "+0300", "CET": "+0100", "CEST": "+0200"}
_ZONE_NAME = re.compile(r"\b(EEST|EET|CEST|CET)\b")
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b", re.I
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class FeedError(ValueError):
    """A feed or sitemap that cannot be used: too big, refused, malformed, or not a feed."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed or sitemap.

    ``published`` is the Sofia date of the item; for sitemaps it is
    ``news:publication_date`` when given, else ``lastmod``, which is a
    modification time: good for scheduling, not a publication date.
    """

    url: str
    published: date | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A ``urlset`` fills ``urls``; a ``sitemapindex`` fills ``sitemaps`` (to fetch next)."""

    urls: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


# -- dates ----------------------------------------------------------------------------


def parse_date(value: str | None) -> date | None:
    """Sofia date of an RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) timestamp; None if unusable.

    A timestamp without a zone: RFC 822 ones are taken as UTC (``-0000``
    means exactly that), ISO ones as Sofia local time.  A bare date is
    returned as is.  Years outside 1990-2100 (epoch zero, typos) are None.
    """
    if not value:
        return None
    text = _SPACES.sub(" ", value).strip()
    if not text:
        return None
    day = _iso_date(text)
    if day is None:
        day = _rfc822_date(text)
    if day is None or not 1990 <= day.year <= 2100:
        return None
    return day


def _local(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(SOFIA).date()


def _iso_date(text: str) -> date | None:
    if not text[:4].isdigit():
        return None
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return _local(datetime.fromisoformat(text))
    except ValueError:
        return None


def _rfc822_date(text: str) -> date | None:
    text = _BG_WEEKDAY.sub("", text)
    text = _BG_MONTH.sub(lambda m: _BG_MONTHS[m.group(1).lower()], text)
    text = _ZONE_NAME.sub(lambda m: _LOCAL_ZONES[m.group(1)], text)
    parts = parsedate_tz(text)
    if parts is not None:
        try:
            offset = timezone(timedelta(seconds=parts[9] or 0))
            return _local(datetime(*parts[:6], tzinfo=offset))  # type: ignore[misc]
        except (ValueError, OverflowError, TypeError):
            return None
    m = _DAY_MONTH_YEAR.search(text)  # a date without a time: no zone to convert from
    if m:
        try:
            return date(int(m.group(3)), _MONTHS.index(m.group(2)[:3].lower()) + 1, int(m.group(1)))
        except ValueError:
            return None
    return None


# -- safe XML -------------------------------------------------------------------------


def _gunzip(body: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_BYTES + 1)
    except zlib.error as e:
        raise FeedError(f"broken gzip data: {e}") from None
    if len(out) > MAX_BYTES or inflater.unconsumed_tail:
        raise FeedError(f"refused: more than {MAX_BYTES} bytes after gunzip")
    if not inflater.eof:
        raise FeedError("broken gzip data: truncated")
    return out


_WIDE_STARTS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def _to_ascii_compatible(body: bytes) -> bytes:
    """UTF-16/32 documents are re-encoded as UTF-8 so the byte-level checks can see them."""
    codec = next((c for start, c in _WIDE_STARTS if body.startswith(start)), None)
    if codec is None:
        if b"\x00" in body[:4]:
            raise FeedError("not XML: NUL bytes at the start")
        return body
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as e:
        raise FeedError(f"not valid {codec}: {e.reason}") from None
    text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text)
    return text.encode("utf-8")


def _prepare(body: bytes) -> bytes:
    if len(body) > MAX_BYTES:
        raise FeedError(f"refused: larger than {MAX_BYTES} bytes")
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body)
    body = _to_ascii_compatible(body)
    visible = _HIDDEN.sub(b"", body)
    for m in _DECLARATION.finditer(visible):
        kind = m.group(1).decode("ascii", "replace").upper() or "markup"
        raise FeedError(f"refused: <!{kind} declaration (DTDs and entities are not accepted)")

    def entity(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        code = name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code is not None else m.group(0)

    return _NAMED_ENTITY.sub(entity, body)


def _refuse(*_args: object) -> None:
    raise FeedError("refused: document type or entity declaration")


def _parse_xml(body: bytes) -> Element:
    """Parse with expat directly so DTD and entity handlers can refuse, then build an ElementTree."""
    data = _prepare(body)
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse

    def name(raw: str) -> str:
        ns, _, local = raw.rpartition(" ")
        return f"{{{ns}}}{local}" if ns else local

    parser.StartElementHandler = lambda tag, attrs: builder.start(
        name(tag), {name(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise FeedError(
            f"not well-formed XML at line {e.lineno}, column {e.offset + 1}: "
            f"{expat.ErrorString(e.code)}"
        ) from None
    except (LookupError, UnicodeError) as e:  # an encoding expat and Python cannot decode
        raise FeedError(f"unusable XML encoding: {e}") from None
    return builder.close()


# -- element helpers ------------------------------------------------------------------


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ns(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _children(el: Element, local: str) -> list[Element]:
    return [c for c in el if _local_name(c.tag) == local]


def _text(el: Element | None) -> str:
    if el is None:
        return ""
    return _SPACES.sub(" ", "".join(el.itertext())).strip()


def _first_text(el: Element, *locals_: str) -> str:
    for local in locals_:
        for child in _children(el, local):
            text = _text(child)
            if text:
                return text
    return ""


def _title(el: Element | None) -> str | None:
    if el is None:
        return None
    text = _text(el)
    if el.get("type") in ("html", "xhtml") or "<" in text:
        text = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()
    return text or None


def _resolve(base: str, href: str) -> str | None:
    href = href.strip()
    if not href:
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.split(":", 1)[0].lower() in ("http", "https") else None


def _base(el: Element, base: str) -> str:
    xml_base = el.get(f"{{{_XML_NS}}}base")
    if not xml_base:
        return base
    return _resolve(base, xml_base) or base


# -- feeds ----------------------------------------------------------------------------


def _rss_link(item: Element) -> str:
    """The item's own ``<link>``, else a permalink ``<guid>``, else an Atom link inside it."""
    for link in _children(item, "link"):
        if _ns(link.tag) != _ATOM and (text := _text(link)):
            return text
    for guid in _children(item, "guid"):
        if guid.get("isPermaLink", "true").strip().lower() != "false" and (text := _text(guid)):
            return text
    return _atom_link(item)


def _rss_item(item: Element, base: str) -> FeedEntry | None:
    link = _rss_link(item)
    url = _resolve(base, link) if link else None
    if url is None:
        return None
    when = _first_text(item, "pubDate", "date", "published", "updated", "issued")
    return FeedEntry(url, parse_date(when), _title(next(iter(_children(item, "title")), None)))


def _atom_link(entry: Element) -> str:
    best = ""
    for link in _children(entry, "link"):
        href = link.get("href") or _text(link)
        rel = link.get("rel", "alternate")
        if not href or rel != "alternate":
            continue
        if link.get("type", "text/html") in ("text/html", "application/xhtml+xml"):
            return href
        best = best or href
    return best


def _atom_entry(entry: Element, base: str) -> FeedEntry | None:
    base = _base(entry, base)
    link = _atom_link(entry)
    if not link:
        ident = _first_text(entry, "id")
        link = ident if ident.startswith(("http://", "https://")) else ""
    url = _resolve(base, link) if link else None
    if url is None:
        return None
    when = _first_text(entry, "published", "updated", "issued", "created")
    return FeedEntry(url, parse_date(when), _title(next(iter(_children(entry, "title")), None)))


def parse_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order, one per URL.

    Raises :class:`FeedError` for anything that is not a usable feed.
    """
    root = _parse_xml(body)
    kind = _local_name(root.tag)
    base = _base(root, base_url)
    entries: list[FeedEntry | None]
    if kind == "rss":
        channels = _children(root, "channel")
        items = [i for ch in channels for i in _children(ch, "item")]
        entries = [_rss_item(i, _base(i, base)) for i in items]
    elif kind == "RDF":
        entries = [_rss_item(i, _base(i, base)) for i in _children(root, "item")]
    elif kind == "feed" and _ns(root.tag) in (_ATOM, _ATOM_03, ""):
        entries = [_atom_entry(e, base) for e in _children(root, "entry")]
    else:
        raise FeedError(f"not an RSS or Atom feed: the root element is <{kind}>")
    return _unique(entries)


def _unique(entries: list[FeedEntry | None]) -> list[FeedEntry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e is not None and e.url not in seen:
            seen.add(e.url)
            out.append(e)
    return out[:MAX_URLS]


# -- sitemaps -------------------------------------------------------------------------


def _text_sitemap(body: bytes, base_url: str) -> Sitemap:
    text = body.decode("utf-8", "replace")
    urls = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("http://", "https://")) and (url := _resolve(base_url, line)):
            urls.append(FeedEntry(url))
    if not urls and text.strip():
        raise FeedError("not a sitemap: neither XML nor a list of URLs")
    return Sitemap(urls=_unique(list(urls)))


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    """A ``urlset`` (with ``lastmod`` and Google News fields) or a ``sitemapindex``.

    Plain-text sitemaps (one URL per line) are accepted too, as the protocol
    allows; gzipped bodies are recognised by their magic bytes.
    """
    if len(body) > MAX_BYTES:
        raise FeedError(f"refused: larger than {MAX_BYTES} bytes")
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body)
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head and not head.startswith(b"<") and b"\x00" not in head[:4]:
        return _text_sitemap(body, base_url)
    root = _parse_xml(body)
    kind = _local_name(root.tag)
    base = _base(root, base_url)
    if kind == "urlset":
        entries: list[FeedEntry | None] = []
        for node in _children(root, "url"):
            loc = _first_text(node, "loc")
            url = _resolve(base, loc) if loc else None
            if url is None:
                entries.append(None)
                continue
            published, title = None, None
            for news in _children(node, "news"):  # Google News sitemap extension
                published = parse_date(_first_text(news, "publication_date"))
                title = _first_text(news, "title") or None
            if published is None:
                published = parse_date(_first_text(node, "lastmod"))
            entries.append(FeedEntry(url, published, title))
        return Sitemap(urls=_unique(entries))
    if kind == "sitemapindex":
        locs = []
        for node in _children(root, "sitemap"):
            loc = _first_text(node, "loc")
            url = _resolve(base, loc) if loc else None
            if url is not None and url not in locs:
                locs.append(url)
        return Sitemap(sitemaps=locs[:MAX_URLS])
    raise FeedError(f"not a sitemap: the root element is <{kind}>")
