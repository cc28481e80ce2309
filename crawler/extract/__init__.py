"""Extraction: a pure function from (bytes, URL, headers) to a :class:`Record`.

No I/O happens here, so every behaviour can be tested on fixture files and any
stored page can be re-extracted later from the raw archive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from crawler.encoding import decode_html
from crawler.extract.content import extract_content
from crawler.extract.dates import find_event_dates, find_published, year_from_url
from crawler.extract.htmlsafe import defuse_nesting, strip_controls
from crawler.extract.institutions import find_institutions
from crawler.extract.people import find_people
from crawler.extract.places import find_places
from crawler.extract.projects import find_projects
from crawler.record import Record

# Below this much main text a page is a listing, a menu page or an error page.
MIN_ARTICLE_CHARS = 250
# Service pages every Bulgarian public site has; long text, often a date, never news.
_UTILITY_TITLE = re.compile(
    r"^\s*(?:Контакти|Обществени поръчки|Профил на купувача|Свободни работни места|Кариери|"
    r"Карта на сайта|За нас|Структура|Ръководство|Достъп до (?:обществена )?информация|"
    r"Политика за (?:поверителност|бисквитките|бисквитки)|Декларация за достъпност|"
    r"Страницата не е намерена|Грешка 404|Търсене|Вход)\b",
    re.I,
)


@dataclass(slots=True)
class Page:
    """What the crawler needs from one fetched page."""

    record: Record
    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)  # RSS/Atom the page advertises
    is_article: bool = False


def _links(tree: LexborHTMLParser) -> list[str]:
    out = []
    for a in tree.css("a[href], link[rel=next][href]"):
        href = (a.attributes.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            out.append(href)
    return out


def _feeds(tree: LexborHTMLParser) -> list[str]:
    return [
        href
        for link in tree.css("link[rel=alternate][href]")
        if "rss" in (t := (link.attributes.get("type") or "").lower()) or "atom" in t
        if (href := (link.attributes.get("href") or "").strip())
    ]


def analyze_page(raw: bytes, url: str, headers: Mapping[str, str] | None = None) -> Page:
    """Decode, parse once, and extract the record plus the page's links."""
    html, _codec = decode_html(raw, headers)
    tree = LexborHTMLParser(strip_controls(defuse_nesting(html)))
    links = _links(tree)
    feeds = _feeds(tree)
    published = find_published(tree, url)
    content = extract_content(tree)
    record = Record(url=url, title=content.title, published=published, text=content.text)
    if published is None:
        record.published = find_published(LexborHTMLParser(""), url, content.text)
    enrich(record, dateline=content.dateline)
    is_article = (
        len(record.text) >= MIN_ARTICLE_CHARS
        and bool(record.title)
        and content.teasers < 3
        and not _UTILITY_TITLE.match(record.title)
    )
    return Page(record=record, links=links, feeds=feeds, is_article=is_article)


def enrich(record: Record, dateline: str | None = None) -> None:
    """Fill the fields that are read from the title and main text alone.

    A wire dateline removed from the text still anchors the story's dates.
    Only the title and main text are read, so nothing from navigation,
    sidebars or teasers can become a person, institution or place.
    """
    dated_text = f"{dateline} {record.text}" if dateline else record.text
    hint = year_from_url(record.url) if record.published is None else None
    record.event_dates = find_event_dates(dated_text, record.published, year_hint=hint)
    record.projects = find_projects(record.text, record.title)
    names = [p.name for p in record.projects if p.name]
    record.people = find_people(record.text, record.title, names)
    record.institutions = find_institutions(record.text, record.title)
    record.places = find_places(record.text, record.title)


def extract_page(raw: bytes, url: str, headers: Mapping[str, str] | None = None) -> Record:
    """The contract's extraction: page bytes to a record."""
    return analyze_page(raw, url, headers).record
