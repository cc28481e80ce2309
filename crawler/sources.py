"""Crawl sources from a TOML file (``sources.toml``).

Why a config file: each real source has its own URL shapes (Joomla query
strings, Liferay portlet paths, WordPress permalinks, an old PHP archive next
to a new CMS), its own speed, and its own extraction hints.  Keeping those in
data, validated once at start-up, lets an operator add a municipality without
touching code, and a typo fails the run at once with ``file:line: what`` rather
than as a silent crawl of nothing.

Layout::

    [crawler]                      # optional; every key has a default
    user_agent = "socnews/0.1 (+https://…)"   # must name a contact URL
    contact = "https://…"          # URL or e-mail address
    concurrency = 4                # requests in flight across all hosts
    timeout = 30.0                 # seconds per request
    max_bytes = 10485760           # body cap per response
    max_depth = 12                 # link depth from the start URLs

    [[source]]
    name = "dsd"                   # unique slug
    start_urls = ["http://dsd.sofia.bg/"]
    allowed_hosts = ["dsd.sofia.bg"]      # default: the start URLs' hosts
    article_patterns = ['…']       # regexes searched in path + "?" + query
    listing_patterns = ['…']
    exclude_patterns = ['…']
    rate_limit = 2.0               # seconds between requests to the source
    max_pages = 5000
    feeds = ["…"]                  # RSS/Atom URLs
    sitemaps = ["…"]
    charset = "windows-1251"       # hint when the server does not say
    content_selector = "table.contentpaneopen"
    title_selector = "td.contentheading"
    date_selector = "td.createdate"
    allow_private_redirects = false

Patterns are matched with ``re.search`` against the *canonical* URL's path
plus query (see :func:`crawler.urls.canonicalize`): percent-encoding is
normalised (Cyrillic slugs are ``%D0%…``) and query parameters are sorted, so
match parameters with lookaheads, e.g.
``^/index\\.php\\?(?=(?:.*&)?task=view(?:&|$))``, never by their order.
"""

from __future__ import annotations

import codecs
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crawler.urls import BadURL, canonicalize, host_of

UrlKind = Literal["article", "listing", "excluded"]

DEFAULT_USER_AGENT = (
    "socnews/0.1 (+https://github.com/socnews/socnews; research crawler for social-policy news)"
)
DEFAULT_CONTACT = "https://github.com/socnews/socnews"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?"
)
_EMAIL = re.compile(r"(?:mailto:)?[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)
_KEY_LINE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")


class ConfigError(ValueError):
    """A problem in the sources file; the message is one line starting with ``file:line:``."""


@dataclass(frozen=True, slots=True)
class Source:
    """One site (or one part of a site) to crawl, with its URL rules and hints."""

    name: str
    start_urls: tuple[str, ...]
    allowed_hosts: frozenset[str]
    article_patterns: tuple[re.Pattern[str], ...] = ()
    listing_patterns: tuple[re.Pattern[str], ...] = ()
    exclude_patterns: tuple[re.Pattern[str], ...] = ()
    rate_limit: float = 1.0
    max_pages: int = 5000
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    charset: str | None = None
    content_selector: str | None = None
    title_selector: str | None = None
    date_selector: str | None = None
    allow_private_redirects: bool = False

    def owns(self, url: str) -> bool:
        """True when the URL's host is one of this source's hosts."""
        try:
            return host_of(canonicalize(url)) in self.allowed_hosts
        except BadURL:
            return False

    def classify(self, url: str) -> UrlKind | None:
        """What the URL is for this source, or None (not ours, or no pattern says).

        Exclusion wins over everything (a print view of an article is not an
        article), then article, then listing.  None leaves the decision to the
        extractor's own heuristics.
        """
        try:
            canonical = canonicalize(url)
        except BadURL:
            return None
        if host_of(canonical) not in self.allowed_hosts:
            return None
        target = _path_and_query(canonical)
        if any(p.search(target) for p in self.exclude_patterns):
            return "excluded"
        if any(p.search(target) for p in self.article_patterns):
            return "article"
        if any(p.search(target) for p in self.listing_patterns):
            return "listing"
        return None


@dataclass(frozen=True, slots=True)
class CrawlerSettings:
    """The whole file: global crawler settings and the sources, in file order."""

    sources: tuple[Source, ...]
    user_agent: str = DEFAULT_USER_AGENT
    contact: str = DEFAULT_CONTACT
    concurrency: int = 4
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 12
    path: Path | None = field(default=None, compare=False)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources)
        raise KeyError(f"no source named {name!r} (known: {known})")

    def source_for(self, url: str) -> Source | None:
        """The source whose hosts include the URL's host (hosts are never shared)."""
        for s in self.sources:
            if s.owns(url):
                return s
        return None


def _path_and_query(canonical: str) -> str:
    rest = canonical.split("://", 1)[1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


# -- loading and validation -----------------------------------------------------------

_CRAWLER_KEYS = ("user_agent", "contact", "concurrency", "timeout", "max_bytes", "max_depth")
_SOURCE_KEYS = (
    "name", "start_urls", "allowed_hosts", "article_patterns", "listing_patterns",
    "exclude_patterns", "rate_limit", "max_pages", "feeds", "sitemaps", "charset",
    "content_selector", "title_selector", "date_selector", "allow_private_redirects",
)  # fmt: skip


class _Lines:
    """Approximate line numbers for TOML keys: tomllib reports none for valid files."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.keys: dict[tuple[str, int, str], int] = {}
        self.tables: dict[tuple[str, int], int] = {}
        table, index = "", -1
        counts: dict[str, int] = {}
        for no, line in enumerate(self.lines, 1):
            if m := _HEADER.match(line):
                table = m.group(2)
                if m.group(1) == "[[":
                    index = counts.get(table, -1) + 1
                    counts[table] = index
                else:
                    index = -1
                self.tables[(table, index)] = no
            elif m := _KEY_LINE.match(line):
                key = m.group(1) or m.group(2) or m.group(3)
                self.keys.setdefault((table, index, key), no)

    def of(self, table: str, index: int, key: str | None = None, needle: str | None = None) -> int:
        line = self.keys.get((table, index, key), 0) if key else 0
        if key and not line and not table:  # a top-level key that is a table
            line = self.tables.get((key, -1)) or self.tables.get((key, 0), 0)
        line = line or self.tables.get((table, index), 0)
        if needle and line:
            for no in range(line, min(line + 200, len(self.lines)) + 1):
                if needle in self.lines[no - 1]:
                    return no
        return line


class _Checker:
    """Validation helpers that know where in the file they are."""

    def __init__(self, path: Path, lines: _Lines, table: str, index: int, label: str) -> None:
        self.path, self.lines, self.table, self.index, self.label = path, lines, table, index, label

    def fail(self, key: str | None, msg: str, needle: str | None = None) -> ConfigError:
        line = self.lines.of(self.table, self.index, key, needle)
        where = f"{self.path}:{line}" if line else str(self.path)
        what = f"{key}: {msg}" if key else msg
        return ConfigError(f"{where}: {self.label}: {what}")

    def unknown_keys(self, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                allowed_s = ", ".join(allowed)
                raise self.fail(key, f"unknown key{hint}; allowed: {allowed_s}")

    def string(self, data: dict[str, Any], key: str, default: str | None = None) -> str | None:
        value = data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {value!r}")
        return value.strip()

    def number(
        self, data: dict[str, Any], key: str, default: float, *, integer: bool, minimum: float
    ) -> Any:
        value = data.get(key, default)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "an integer" if integer else "a number"
            raise self.fail(key, f"expected {kind}, got {value!r}")
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(key, f"expected a finite number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum:g}, got {value!r}")
        return value if integer else float(value)

    def boolean(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {value!r}")
        return value

    def string_list(self, data: dict[str, Any], key: str) -> list[str]:
        value = data.get(key, [])
        if isinstance(value, str):
            raise self.fail(key, f"expected a list of strings, got a string: write [{value!r}]")
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise self.fail(key, f"item {i} must be a non-empty string, got {item!r}")
        return value

    def urls(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        out = []
        for i, raw in enumerate(self.string_list(data, key)):
            if any(c.isspace() for c in raw):
                raise self.fail(key, f"[{i}] {raw!r}: URL contains whitespace", raw.strip())
            scheme = raw.split(":", 1)[0].lower() if ":" in raw else ""
            if scheme not in ("http", "https"):
                raise self.fail(key, f"[{i}] {raw!r}: only http and https URLs", raw)
            try:
                out.append(canonicalize(raw))
            except BadURL as e:
                raise self.fail(key, f"[{i}] {raw!r}: {e}", raw) from None
        return tuple(out)

    def patterns(self, data: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
        out = []
        for i, raw in enumerate(self.string_list(data, key)):
            try:
                out.append(re.compile(raw))
            except re.error as e:
                raise self.fail(key, f"[{i}] bad regex {raw!r}: {e}", raw) from None
        return tuple(out)


def _check_selector(check: _Checker, data: dict[str, Any], key: str) -> str | None:
    value = check.string(data, key)
    if value is None:
        return None
    from selectolax.lexbor import LexborHTMLParser

    try:
        LexborHTMLParser("<p></p>").css(value)
    except Exception as e:  # noqa: BLE001 - selectolax raises its own error types
        raise check.fail(key, f"bad CSS selector {value!r}: {e}", value) from None
    return value


def _load_crawler(check: _Checker, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise check.fail(None, "[crawler] must be a table")
    check.unknown_keys(data, _CRAWLER_KEYS)
    ua = check.string(data, "user_agent", DEFAULT_USER_AGENT) or DEFAULT_USER_AGENT
    if not ua.isascii() or not ua.isprintable():
        raise check.fail("user_agent", "must be printable ASCII (it is sent as an HTTP header)")
    if "http://" not in ua and "https://" not in ua:
        raise check.fail(
            "user_agent",
            "must name a contact URL so site owners can reach us, "
            "e.g. 'socnews/0.1 (+https://example.org/bot)'",
        )
    contact = check.string(data, "contact", DEFAULT_CONTACT) or DEFAULT_CONTACT
    if not (_EMAIL.fullmatch(contact) or re.match(r"https?://[^\s/]+", contact)):
        raise check.fail(
            "contact", f"expected an http(s) URL or an e-mail address, got {contact!r}"
        )
    return {
        "user_agent": ua,
        "contact": contact,
        "concurrency": check.number(data, "concurrency", 4, integer=True, minimum=1),
        "timeout": check.number(data, "timeout", 30.0, integer=False, minimum=0.001),
        "max_bytes": check.number(data, "max_bytes", 10 * 1024 * 1024, integer=True, minimum=1),
        "max_depth": check.number(data, "max_depth", 12, integer=True, minimum=0),
    }


def _load_source(check: _Checker, data: Any) -> Source:
    if not isinstance(data, dict):
        raise check.fail(None, "each [[source]] must be a table")
    if "name" not in data:
        raise check.fail(None, "missing required key 'name'")
    name = check.string(data, "name") or ""
    if not _NAME.fullmatch(name):
        raise check.fail("name", f"{name!r} must be a lower-case slug: letters, digits, '-', '_'")
    check.label = f"source {name!r}"
    check.unknown_keys(data, _SOURCE_KEYS)
    if "start_urls" not in data:
        raise check.fail(None, "missing required key 'start_urls'")
    start_urls = check.urls(data, "start_urls")
    if not start_urls:
        raise check.fail("start_urls", "needs at least one URL")
    if "allowed_hosts" in data:
        hosts = []
        for i, raw in enumerate(check.string_list(data, "allowed_hosts")):
            host = raw.lower().rstrip(".")
            if not _HOST.fullmatch(host):
                raise check.fail(
                    "allowed_hosts", f"[{i}] {raw!r} is not a host name (no scheme or path)", raw
                )
            hosts.append(host)
        allowed = frozenset(hosts)
        for url in start_urls:
            if host_of(url) not in allowed:
                raise check.fail(
                    "allowed_hosts", f"does not include {host_of(url)!r}, the host of {url}"
                )
    else:
        allowed = frozenset(host_of(u) for u in start_urls)
    charset = check.string(data, "charset")
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            raise check.fail("charset", f"unknown encoding {charset!r}", charset) from None
    source = Source(
        name=name,
        start_urls=start_urls,
        allowed_hosts=allowed,
        article_patterns=check.patterns(data, "article_patterns"),
        listing_patterns=check.patterns(data, "listing_patterns"),
        exclude_patterns=check.patterns(data, "exclude_patterns"),
        rate_limit=check.number(data, "rate_limit", 1.0, integer=False, minimum=0),
        max_pages=check.number(data, "max_pages", 5000, integer=True, minimum=1),
        feeds=check.urls(data, "feeds"),
        sitemaps=check.urls(data, "sitemaps"),
        charset=charset,
        content_selector=_check_selector(check, data, "content_selector"),
        title_selector=_check_selector(check, data, "title_selector"),
        date_selector=_check_selector(check, data, "date_selector"),
        allow_private_redirects=check.boolean(data, "allow_private_redirects", False),
    )
    for url in start_urls:
        if source.classify(url) == "excluded":
            raise check.fail("start_urls", f"{url} is matched by exclude_patterns")
    return source


def load_sources(path: Path) -> CrawlerSettings:
    """Read and validate a sources file; every problem is a one-line :class:`ConfigError`."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    return loads_sources(text, Path(path))


def loads_sources(text: str, path: Path = Path("<string>")) -> CrawlerSettings:
    """:func:`load_sources` for text already in memory (tests, ``--config -``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    lines = _Lines(text)
    top = _Checker(path, lines, "", -1, "top level")
    top.unknown_keys(data, ("crawler", "source"))
    settings = _load_crawler(
        _Checker(path, lines, "crawler", -1, "[crawler]"), data.get("crawler", {})
    )
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise top.fail(None, "needs at least one [[source]] table")
    sources: list[Source] = []
    owner: dict[str, str] = {}
    for i, raw in enumerate(raw_sources):
        check = _Checker(path, lines, "source", i, f"[[source]] #{i + 1}")
        source = _load_source(check, raw)
        for j, other in enumerate(sources):
            if other.name == source.name:
                raise check.fail(
                    "name", f"duplicate source name, first used by [[source]] #{j + 1}"
                )
        for host in sorted(source.allowed_hosts):
            if host in owner:
                key = "allowed_hosts" if "allowed_hosts" in raw else "start_urls"
                raise check.fail(key, f"host {host!r} already belongs to source {owner[host]!r}")
            owner[host] = source.name
        sources.append(source)
    return CrawlerSettings(sources=tuple(sources), path=path, **settings)
