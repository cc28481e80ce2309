"""The crawl loop: polite, incremental, resumable.

Every decision the loop takes is recorded in the store before the next one
is made, so a run killed at any moment resumes where it stopped: the
frontier, page states (ETag, Last-Modified, content hash) and documents are
all in SQLite, and raw bodies are in the WARC archive.

Politeness: robots.txt per host (Crawl-delay honoured), one request at a time
per host with the source's rate limit between requests, a global concurrency
cap, exponential backoff with jitter on timeouts, 429 and 5xx (Retry-After
honoured), and a per-host circuit breaker that leaves a failing site alone
for the rest of the run.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import ipaddress
import json
import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from crawler.archive import Archive
from crawler.dedup import DuplicateIndex, ShingleCache, as_hex, fingerprint, near_duplicate_keys
from crawler.extract import Page, analyze_page, enrich
from crawler.extract.dates import parse_date_text
from crawler.feeds import FeedError, parse_feed, parse_sitemap
from crawler.lru import LRU
from crawler.robots import Robots
from crawler.sources import Source
from crawler.store import Store, content_hash
from crawler.traps import TrapDetector
from crawler.urls import BadURL, canonicalize, doc_id, host_of, https_twin

log = logging.getLogger("socnews.crawl")

USER_AGENT = (
    "socnews/0.1 (+https://github.com/socnews/socnews; research crawler for social-policy news)"
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
REDIRECTS = frozenset({301, 302, 303, 307, 308})  # not 304: httpx counts it as 3xx
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_FATAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})  # stop the run, not one page
BREAKER_FAILURES = 5  # consecutive failures that open a host's circuit for this run
# Link caches: the links worth remembering are the ones every page of a host
# repeats (menus, sidebars), and those are used again within a few pages.  On
# the 20,000-page synthetic archive 4096 entries already gave as many hits as
# an unbounded cache (whose keys took 29 MiB); twice that leaves room for
# sites with bigger menus.
CANONICAL_CACHE = 8192
SEEN_CACHE = 8192
_SKIP_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".css", ".js", ".zip", ".rar",
    ".7z", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".mp3", ".mp4", ".avi",
)  # fmt: skip
_LISTING_DATES = re.compile(
    r"\b\d{1,2}\.\d{1,2}\.(?:19|20)\d\d|\b\d{1,2}\s+[А-Яа-яA-Za-z]{3,10}\.?\s+(?:19|20)\d\d"
)


@dataclass(slots=True)
class CrawlConfig:
    seeds: list[str] = field(default_factory=list)  # ad hoc: scope is each seed's host
    sources: list[Source] = field(default_factory=list)  # from sources.toml
    max_pages: int = 10_000
    delay: float = 1.0  # seconds between requests to one host (ad hoc seeds)
    concurrency: int = 4  # requests in flight across all hosts
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_depth: int = 12
    max_attempts: int = 3
    time_limit: float | None = None  # seconds; stop scheduling after this
    since: date | None = None  # stop walking listings older than this
    user_agent: str = USER_AGENT
    respect_crawl_delay: bool = True  # off only for the loopback demo and benchmarks


def ad_hoc_source(seed: str, delay: float) -> Source:
    """A source for ``--seed URL``: the seed's host, no patterns, the given delay."""
    url = canonicalize(seed)
    return Source(
        name=host_of(url),
        start_urls=(url,),
        allowed_hosts=frozenset({host_of(url)}),
        rate_limit=delay,
        max_pages=1_000_000,
    )


@dataclass(slots=True)
class HostStats:
    fetched: int = 0
    not_modified: int = 0
    documents: int = 0
    changed: int = 0
    errors: int = 0
    missing: int = 0  # 404/410: broken links are the web's normal state, not a crawl failure
    skipped_robots: int = 0
    traps: int = 0
    duplicates: int = 0
    circuit_open: bool = False
    consecutive_failures: int = 0


@dataclass(slots=True)
class CrawlSummary:
    run_id: int = 0
    hosts: dict[str, HostStats] = field(default_factory=dict)
    stopped: str | None = None  # why the run stopped early, if it did
    seconds: float = 0.0

    def host(self, host: str) -> HostStats:
        return self.hosts.setdefault(host, HostStats())

    @property
    def fetched(self) -> int:
        return sum(h.fetched + h.not_modified for h in self.hosts.values())

    @property
    def errors(self) -> int:
        return sum(h.errors for h in self.hosts.values())

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "seconds": round(self.seconds, 2),
            "stopped": self.stopped,
            "sources": {
                h: {
                    "fetched": s.fetched,
                    "not_modified": s.not_modified,
                    "documents": s.documents,
                    "changed": s.changed,
                    "duplicates": s.duplicates,
                    "errors": s.errors,
                    "missing": s.missing,
                    "skipped_robots": s.skipped_robots,
                    "traps": s.traps,
                    "circuit_open": s.circuit_open,
                }
                for h, s in sorted(self.hosts.items())
            },
        }


ProgressFn = Callable[[str, dict], None]


class FetchError(Exception):
    """A fetch that failed for a reason worth recording (and maybe retrying)."""

    def __init__(self, reason: str, retry: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.retry = retry
        self.retry_after = retry_after


@dataclass(slots=True)
class Response:
    url: str  # final canonical URL after redirects
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _is_private_host(host: str) -> bool:
    """Loopback, private, link-local or reserved addresses (and localhost) by name."""
    if host.startswith("["):
        name = host[1 : host.find("]")]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved


def _is_disk_full(e: BaseException) -> bool:
    if isinstance(e, OSError) and e.errno in _FATAL_ERRNOS:
        return True
    return isinstance(e, sqlite3.OperationalError) and "disk is full" in str(e)


def listing_is_older_than(html: bytes, since: date) -> bool:
    """True when every date a listing page shows is before ``since`` (and it shows some)."""
    text = html[:2_000_000].decode("utf-8", "ignore")
    dates = [d for m in _LISTING_DATES.finditer(text) if (d := parse_date_text(m.group(0)))]
    return bool(dates) and max(dates) < since


class Crawler:
    def __init__(
        self,
        store: Store,
        archive: Archive,
        config: CrawlConfig,
        progress: ProgressFn | None = None,
    ) -> None:
        self.store = store
        self.archive = archive
        self.config = config
        self.progress = progress or (lambda event, data: None)
        self.summary = CrawlSummary()
        self.sources = list(config.sources) + [ad_hoc_source(s, config.delay) for s in config.seeds]
        self.by_host: dict[str, Source] = {h: s for s in self.sources for h in s.allowed_hosts}
        self.robots: dict[str, Robots] = {}
        self.host_next: dict[str, float] = {}
        self.host_budget: dict[str, int] = {}
        self.feed_urls: set[str] = set()
        self.traps = TrapDetector()
        self.dups = DuplicateIndex.from_rows(store.simhashes())
        self._shingles = ShingleCache(self._stored_text)
        self._canonical: LRU[tuple[str, str], str] = LRU(CANONICAL_CACHE)  # (href, base) -> URL
        self._seen: LRU[str, bool] = LRU(SEEN_CACHE)  # URLs recently decided on in this run
        self._stop = False
        self._fatal: OSError | None = None

    def request_stop(self, why: str) -> None:
        """Stop after the requests in flight (SIGINT/SIGTERM)."""
        self._stop = True
        self.summary.stopped = why

    # -- scope and politeness -----------------------------------------------------
    def source_of(self, url: str) -> Source | None:
        return self.by_host.get(host_of(url))

    def scope_check(self, url: str) -> str | None:
        """Why a URL must not be fetched, or None when it may be."""
        source = self.source_of(url)
        if source is None:
            return "out of scope"
        if source.classify(url) == "excluded":
            return "excluded by source patterns"
        if url.split("?", 1)[0].lower().endswith(_SKIP_EXTENSIONS):
            return "not a page"
        return self.traps.check(url)

    async def _robots(self, client: httpx.AsyncClient, url: str) -> Robots:
        host = host_of(url)
        if host not in self.robots:
            robots_url = url.split("://", 1)[0] + "://" + host + "/robots.txt"
            try:
                resp = await self._get(client, robots_url, {})
                self.robots[host] = Robots.from_response(resp.status, resp.body)
            except FetchError as e:
                log.warning("robots.txt of %s unavailable: %s", host, e)
                self.robots[host] = Robots.unreachable()
            for sitemap in self.robots[host].sitemaps():
                self._add_feed(sitemap)
        return self.robots[host]

    def _delay_for(self, host: str) -> float:
        source = self.by_host.get(host)
        delay = source.rate_limit if source is not None else self.config.delay
        robots = self.robots.get(host)
        if robots is not None and self.config.respect_crawl_delay:
            delay = max(delay, robots.crawl_delay(self.config.user_agent) or 0.0)
        return delay

    async def _wait_turn(self, host: str) -> None:
        wait = self.host_next.get(host, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.host_next[host] = time.monotonic() + self._delay_for(host)

    # -- HTTP -----------------------------------------------------------------------
    async def _get(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Response:
        """GET with a body cap; follows redirects by hand so each hop is scope-checked."""
        current = url
        seen = {url}
        for _hop in range(self.config.max_redirects + 1):
            try:
                async with client.stream("GET", current, headers=headers) as resp:
                    if resp.status_code in REDIRECTS and "location" in resp.headers:
                        current = self._redirect_target(current, resp.headers["location"], seen)
                        continue
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in resp.aiter_bytes():
                        size += len(chunk)
                        if size > self.config.max_bytes:
                            raise FetchError(f"body larger than {self.config.max_bytes} bytes")
                        chunks.append(chunk)
                    if resp.status_code in RETRY_STATUSES:
                        raise FetchError(
                            f"HTTP {resp.status_code}",
                            retry=True,
                            retry_after=_retry_after(resp.headers.get("retry-after")),
                        )
                    return Response(
                        current,
                        resp.status_code,
                        resp.reason_phrase,
                        resp.headers,
                        b"".join(chunks),
                    )
            except httpx.TimeoutException:
                raise FetchError("timeout", retry=True) from None
            except httpx.TransportError as e:
                raise FetchError(f"network error: {type(e).__name__}", retry=True) from None
            except httpx.HTTPError as e:  # decoding errors and the like: not worth retrying
                raise FetchError(f"HTTP error: {type(e).__name__}") from None
        raise FetchError(f"more than {self.config.max_redirects} redirects")

    def _redirect_target(self, current: str, location: str, seen: set[str]) -> str:
        try:
            nxt = canonicalize(location, base=current)
        except BadURL as e:
            raise FetchError(f"bad redirect: {e}") from None
        if nxt in seen:
            raise FetchError("redirect loop")
        seen.add(nxt)
        source = self.source_of(current)
        if host_of(nxt) != host_of(current):
            if self.source_of(nxt) is not source:
                raise FetchError(f"redirect off the source to {host_of(nxt)}")
            private = _is_private_host(host_of(nxt)) and not _is_private_host(host_of(current))
            if private and not (source and source.allow_private_redirects):
                raise FetchError(f"redirect to a private address {host_of(nxt)} refused")
        return nxt

    # -- one URL --------------------------------------------------------------------
    async def _process(self, client: httpx.AsyncClient, url: str, depth: int) -> None:
        host = host_of(url)
        stats = self.summary.host(host)
        robots = await self._robots(client, url)
        if robots.unavailable:
            # no rules known (5xx, DNS failure, timeout): not a licence to crawl. Leave
            # the host alone for this run; its queue waits for the next one.
            self.store.defer(url, time.time() + 300, "robots.txt unavailable")
            stats.errors += 1
            if not stats.circuit_open:
                stats.circuit_open = True
                log.warning("%s: robots.txt unavailable; host skipped for this run", host)
            return
        if not robots.allowed(url, self.config.user_agent):
            self.store.mark(url, "skipped", "robots.txt")
            stats.skipped_robots += 1
            return
        state = self.store.page_state(url)
        headers = {}
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        await self._wait_turn(host)
        try:
            # a whole-response deadline: a server dripping one byte at a time never
            # trips the per-read timeout, but must not hold the host forever
            resp = await asyncio.wait_for(
                self._get(client, url, headers), timeout=self.config.timeout * 3
            )
        except FetchError as e:
            self._failed(url, host, e)
            return
        except TimeoutError:
            self._failed(url, host, FetchError("response too slow (total deadline)", retry=True))
            return
        stats.consecutive_failures = 0
        self.progress("fetched", {"url": url, "status": resp.status, "host": host})
        log.info("%s %s", resp.status, url)
        if resp.url != url:
            self.store.add_alias(url, resp.url)
        if resp.status == 304 and state is not None:
            stats.not_modified += 1
            self._revisit_links(url, depth)
            self.store.mark(url, "done", "not modified")
            return
        stats.fetched += 1
        ctype = resp.headers.get("content-type", "").lower()
        archive_loc = self.archive.append(
            resp.url, resp.status, resp.reason, list(resp.headers.multi_items()), resp.body
        )
        sha1 = hashlib.sha1(resp.body).hexdigest()
        changed = state is None or state.sha1 != sha1
        if resp.status != 200:
            kind = "error"
        elif url in self.feed_urls or ctype.startswith(XML_TYPES):
            kind = self._handle_feed(resp, depth)
        elif ctype and not ctype.startswith(HTML_TYPES):
            kind = "other"  # PDFs and the like: archived, not parsed
        else:
            kind = self._handle_html(resp, depth, stats)
        with self.store.transaction():
            self.store.save_page(
                url=resp.url, host=host, status=resp.status, content_type=ctype,
                etag=resp.headers.get("etag"), last_modified=resp.headers.get("last-modified"),
                sha1=sha1, kind=kind, archive=archive_loc, changed=changed,
            )  # fmt: skip
            self.store.mark(url, "done" if resp.status == 200 else "failed", f"HTTP {resp.status}")
            if resp.url != url:
                self.store.mark(resp.url, "done", "redirect target")
        if resp.status in (404, 410):
            stats.missing += 1
        elif resp.status >= 400:
            stats.errors += 1

    def _handle_html(self, resp: Response, depth: int, stats: HostStats) -> str:
        source = self.source_of(resp.url)
        page = analyze_page(resp.body, resp.url, dict(resp.headers))
        kind = source.classify(resp.url) if source else None
        is_article = kind == "article" or (kind is None and page.is_article)
        walk = not (
            not is_article
            and self.config.since is not None
            and listing_is_older_than(resp.body, self.config.since)
        )
        for feed in page.feeds:
            self._add_feed(feed, base=resp.url)
        if walk:
            self._enqueue_links(page.links, resp.url, depth)
        self.traps.note_links(resp.url, page.links)
        if not is_article:
            return "listing"
        self.save_article(resp.url, page, stats)
        return "article"

    def save_article(self, url: str, page: Page, stats: HostStats) -> None:
        """Store an extracted article: feed-date hint, near-duplicate link, content hash."""
        record = page.record
        if record.published is None:
            record.published = self.store.published_hint(url)
            if record.published is not None:
                enrich(record)  # yearless and relative dates now have their anchor
        did = doc_id(url)
        h, keys = fingerprint(record.text)  # shingled once, whatever the number of candidates
        self.dups.remove(did)

        def same_text(other_id: str) -> bool:
            other = self._shingles.get(other_id)
            return other is not None and near_duplicate_keys(keys, other)

        dup, later = self.dups.relations(did, h, record.published, url, confirm=same_text)
        stats.documents += 1
        chash = content_hash(record)
        self.traps.note_content(url, chash)
        with self.store.transaction():
            if self.store.save_document(did, record, host_of(url), chash, as_hex(h), dup):
                stats.changed += 1
            for copy in later if dup is None else ():
                self.store.set_duplicate_of(copy, did)
        if dup is not None:
            stats.duplicates += 1
        self.dups.add(did, h, record.published, url)
        self._shingles.put(did, keys)  # the next documents' likeliest candidate

    def _stored_text(self, doc_id: str) -> str | None:
        """A stored document's text, for the near-duplicate check of documents not cached."""
        row = self.store.db.execute("SELECT record FROM documents WHERE id=?", (doc_id,)).fetchone()
        return json.loads(row[0]).get("text", "") if row else None

    def _handle_feed(self, resp: Response, depth: int) -> str:
        """RSS/Atom entries and sitemap URLs go to the frontier; their dates become hints."""
        try:
            if b"<urlset" in resp.body[:2048] or b"<sitemapindex" in resp.body[:2048]:
                sm = parse_sitemap(resp.body, resp.url)
                for child in sm.sitemaps:
                    self._add_feed(child)
                entries = sm.urls
            else:
                entries = parse_feed(resp.body, resp.url)
        except FeedError as e:
            log.warning("unreadable feed %s: %s", resp.url, e)
            return "other"
        for entry in entries:
            try:
                url = canonicalize(entry.url)
            except BadURL:
                continue
            if self.config.since and entry.published and entry.published < self.config.since:
                continue
            if entry.published is not None:
                self.store.set_published_hint(url, entry.published)
            if self.scope_check(url) is None:
                self.store.enqueue(url, host_of(url), depth + 1, self.summary.run_id)
        return "feed"

    def _add_feed(self, url: str, base: str | None = None) -> None:
        """Queue a feed or sitemap ahead of pages: its dates fill undated articles."""
        try:
            url = canonicalize(url, base=base)
        except BadURL:
            return
        if url in self.feed_urls or self.source_of(url) is None:
            return
        self.feed_urls.add(url)
        if self.store.page_state(url) is None or self.store.frontier_state(url) != "queued":
            self.store.requeue(url, host_of(url), 0)

    def _enqueue_links(self, links: list[str], base: str, depth: int) -> None:
        if depth >= self.config.max_depth:
            return
        origin = base.split("/", 3)[:3]
        origin_key = "/".join(origin)
        directory = base.split("?", 1)[0].rsplit("/", 1)[0] + "/"
        for href in dict.fromkeys(links):  # menus repeat the same links on every page
            # absolute and root-relative links resolve the same from every page of
            # a host, and relative ones from every page of a directory; only "",
            # "?..." and "#..." depend on the page itself
            if href.startswith(("/", "http://", "https://")) and not href.startswith("//"):
                key = (href, origin_key)
            elif href and href[0] not in "?#":
                key = (href, directory)
            else:
                key = (href, base)
            url = self._canonical.get(key)
            if url is None:
                try:
                    url = canonicalize(href, base=base)
                except BadURL:
                    url = ""
                self._canonical.put(key, url)
            if not url or url in self._seen:
                continue  # every page links the same menu: decide once, not on every page
            self._seen.put(url, True)
            reason = self.scope_check(url)
            if reason is None:
                twin = https_twin(url)  # one page, whichever scheme a link happens to use
                if self.store.frontier_state(url) is None and self.store.frontier_state(twin):
                    continue
                self.store.enqueue(url, host_of(url), depth + 1, self.summary.run_id)
            elif reason not in ("out of scope", "not a page", "excluded by source patterns"):
                self.summary.host(host_of(url)).traps += 1

    def _revisit_links(self, url: str, depth: int) -> None:
        """A 304 listing still leads somewhere: re-read its links from the archive."""
        loc = self.store.archive_location(url)
        if loc is None or loc[3] != "listing":
            return
        stored = self.archive.read(loc[0], loc[1], loc[2])
        page = analyze_page(stored.body, url, stored.headers)
        self._enqueue_links(page.links, url, depth)

    def _count_failure(self, host: str) -> None:
        stats = self.summary.host(host)
        stats.consecutive_failures += 1
        if stats.consecutive_failures >= BREAKER_FAILURES and not stats.circuit_open:
            stats.circuit_open = True
            log.warning(
                "%s: %d failures in a row; leaving it alone for this run", host, BREAKER_FAILURES
            )
            self.progress("circuit", {"host": host})

    def _failed(self, url: str, host: str, e: FetchError) -> None:
        stats = self.summary.host(host)
        stats.errors += 1
        if e.retry:
            self._count_failure(host)
        attempts = self.store.attempts(url) + 1
        self.progress("error", {"url": url, "reason": str(e), "host": host})
        log.warning("failed %s: %s", url, e)
        if e.retry and attempts < self.config.max_attempts:
            backoff = e.retry_after if e.retry_after is not None else 2**attempts
            backoff = min(backoff, 3600) * (1 + random.random() * 0.25)
            self.store.defer(url, time.time() + backoff, str(e))
        else:
            self.store.mark(url, "failed", str(e))

    # -- the loop -------------------------------------------------------------------
    def _seed(self) -> None:
        self.store.reset_in_flight()  # what a killed run was fetching is fetched again
        for source in self.sources:
            self.host_budget.update({h: source.max_pages for h in source.allowed_hosts})
            for start in source.start_urls:
                url = canonicalize(start)
                self.store.requeue(url, host_of(url), 0)
            for feed in (*source.feeds, *source.sitemaps):
                self._add_feed(feed)
        # listings are revisited every run: they are where new articles appear
        for url in self.store.urls_of_kind("listing"):
            if self.source_of(url) is not None and self.traps.check(url) is None:
                self.store.requeue(url, host_of(url), 1)

    async def run(self) -> CrawlSummary:
        started = time.monotonic()
        deadline = started + self.config.time_limit if self.config.time_limit else None
        self.summary.run_id = self.store.start_run()
        self._seed()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        timeout = httpx.Timeout(self.config.timeout, connect=min(10.0, self.config.timeout))
        async with httpx.AsyncClient(
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            in_flight: dict[asyncio.Task, str] = {}  # task -> host it occupies
            budget = self.config.max_pages
            while not self._stop:
                if deadline is not None and time.monotonic() > deadline:
                    self.summary.stopped = "time limit reached"
                    break
                busy = set(in_flight.values())
                # one request in flight per host; fill free slots host by host
                for host in sorted(self.by_host.keys() - busy):
                    if len(in_flight) >= self.config.concurrency or budget <= 0:
                        break
                    if self._circuit_open(host) or self.host_budget.get(host, 1) <= 0:
                        continue
                    nxt = self.store.next_for_host(host)
                    if nxt is None:
                        continue
                    url, depth = nxt
                    self.store.claim(url)
                    budget -= 1
                    self.host_budget[host] = self.host_budget.get(host, 1) - 1
                    in_flight[asyncio.create_task(self._guarded(client, url, depth))] = host
                if not in_flight:
                    if budget <= 0:
                        self.summary.stopped = "max pages reached"
                        break
                    delay = self._next_deferred()
                    if delay is None:
                        break
                    await asyncio.sleep(min(delay, 5.0))
                    continue
                done, _pending = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for t in done:
                    del in_flight[t]
                    t.result()
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
        self.summary.seconds = time.monotonic() - started
        if self._fatal is not None:
            self.store.end_run(self.summary.run_id, "failed", self.summary.to_json())
            raise self._fatal
        result = "ok" if self.summary.fetched or not self.summary.errors else "failed"
        self.store.end_run(self.summary.run_id, result, self.summary.to_json())
        return self.summary

    async def _guarded(self, client: httpx.AsyncClient, url: str, depth: int) -> None:
        try:
            await self._process(client, url, depth)
        except Exception as e:  # noqa: BLE001 - one broken page must not end the crawl
            if _is_disk_full(e):
                # A full disk fails every page alike: stop cleanly instead of marking
                # the whole frontier failed. The URL stays claimed and is fetched
                # again by the next run.
                self._fatal = e if isinstance(e, OSError) else OSError(errno.ENOSPC, str(e))
                self.request_stop("disk full")
                return
            self.summary.host(host_of(url)).errors += 1
            self.store.mark(url, "failed", f"internal error: {type(e).__name__}: {e}"[:500])
            log.exception("internal error on %s", url)
            self.progress("error", {"url": url, "reason": f"internal error: {e}"})

    def _circuit_open(self, host: str) -> bool:
        stats = self.summary.hosts.get(host)  # no entry: the host has done nothing yet
        return stats is not None and stats.circuit_open

    def _next_deferred(self) -> float | None:
        hosts = [
            h for h in self.by_host
            if not self._circuit_open(h) and self.host_budget.get(h, 1) > 0
        ]  # fmt: skip
        when = self.store.next_due(hosts)
        return None if when is None else max(0.0, when - time.time())


def run_crawl(
    db_path: Path, archive_dir: Path, config: CrawlConfig, progress: ProgressFn | None = None
) -> CrawlSummary:
    """Synchronous entry point for scripts and benchmarks."""
    with Store(db_path) as store, Archive(archive_dir) as archive:
        crawler = Crawler(store, archive, config, progress)
        return asyncio.run(crawler.run())
