"""The crawl loop: polite, incremental, resumable.

Every decision the loop takes is recorded in the store before the next one
is made, so a run killed at any moment resumes where it stopped: the
frontier, page states (ETag, Last-Modified, content hash) and documents are
all in SQLite, and raw bodies are in the WARC archive.

Politeness: robots.txt per host (Crawl-delay honoured), one request at a time
per host with a delay between requests, a global concurrency cap, and
exponential backoff with jitter on timeouts, 429 and 5xx (Retry-After
honoured).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from crawler.archive import Archive
from crawler.extract import analyze_page
from crawler.robots import Robots
from crawler.store import Store
from crawler.urls import BadURL, canonicalize, doc_id, host_of

USER_AGENT = (
    "socnews/0.1 (+https://github.com/socnews/socnews; research crawler for social-policy news)"
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = frozenset({301, 302, 303, 307, 308})  # not 304: httpx counts it as 3xx
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_SKIP_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".css", ".js", ".zip", ".rar",
    ".7z", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".mp3", ".mp4", ".avi",
)  # fmt: skip


@dataclass(slots=True)
class CrawlConfig:
    seeds: list[str]
    max_pages: int = 10_000
    delay: float = 1.0  # seconds between requests to one host
    concurrency: int = 4  # requests in flight across all hosts
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_depth: int = 12
    max_attempts: int = 3
    user_agent: str = USER_AGENT
    respect_crawl_delay: bool = True  # off only for the loopback demo and benchmarks
    allowed_hosts: set[str] = field(default_factory=set)  # empty: the seeds' hosts


@dataclass(slots=True)
class HostStats:
    fetched: int = 0
    not_modified: int = 0
    documents: int = 0
    changed: int = 0
    errors: int = 0
    missing: int = 0  # 404/410: broken links are the web's normal state, not a crawl failure
    skipped_robots: int = 0


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
                    "errors": s.errors,
                    "missing": s.missing,
                    "skipped_robots": s.skipped_robots,
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
        self.robots: dict[str, Robots] = {}
        self.host_locks: dict[str, asyncio.Lock] = {}
        self.host_next: dict[str, float] = {}
        self.scope: set[str] = set(config.allowed_hosts)
        self._stop = False

    def request_stop(self, why: str) -> None:
        """Stop after the requests in flight (SIGINT/SIGTERM)."""
        self._stop = True
        self.summary.stopped = why

    # -- scope and politeness -----------------------------------------------------
    def in_scope(self, url: str) -> bool:
        if host_of(url) not in self.scope:
            return False
        path = url.split("?", 1)[0].lower()
        return not path.endswith(_SKIP_EXTENSIONS)

    async def _robots(self, client: httpx.AsyncClient, url: str) -> Robots:
        host = host_of(url)
        if host not in self.robots:
            robots_url = url.split("://", 1)[0] + "://" + host + "/robots.txt"
            try:
                resp = await self._get(client, robots_url, {}, follow=True)
                self.robots[host] = Robots.from_response(resp.status, resp.body)
            except FetchError:
                self.robots[host] = Robots.unreachable()
        return self.robots[host]

    async def _wait_turn(self, host: str) -> None:
        robots = self.robots.get(host)
        delay = self.config.delay
        if robots is not None and self.config.respect_crawl_delay:
            delay = max(delay, robots.crawl_delay(self.config.user_agent) or 0.0)
        now = time.monotonic()
        wait = self.host_next.get(host, 0.0) - now
        if wait > 0:
            await asyncio.sleep(wait)
        self.host_next[host] = time.monotonic() + delay

    # -- HTTP -----------------------------------------------------------------------
    async def _get(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], follow: bool
    ) -> Response:
        """GET with a body cap; follows redirects by hand so each hop is scope-checked."""
        current = url
        for _hop in range(self.config.max_redirects + 1):
            try:
                async with client.stream("GET", current, headers=headers) as resp:
                    if resp.status_code in REDIRECTS and "location" in resp.headers and follow:
                        location = resp.headers.get("location", "")
                        try:
                            nxt = canonicalize(location, base=current)
                        except BadURL as e:
                            raise FetchError(f"bad redirect: {e}") from None
                        if nxt != current and host_of(nxt) not in self.scope:
                            raise FetchError(f"redirect out of scope to {host_of(nxt)}")
                        if nxt == current:
                            raise FetchError("redirect loop")
                        current = nxt
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

    # -- one URL --------------------------------------------------------------------
    async def _process(self, client: httpx.AsyncClient, url: str, depth: int) -> None:
        host = host_of(url)
        stats = self.summary.host(host)
        robots = await self._robots(client, url)
        if robots.unavailable:
            self.store.defer(url, time.time() + 60, "robots.txt unavailable")
            stats.errors += 1
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
        async with self.host_locks.setdefault(host, asyncio.Lock()):
            await self._wait_turn(host)
            try:
                resp = await self._get(client, url, headers, follow=True)
            except FetchError as e:
                self._failed(url, host, e)
                return
        self.progress("fetched", {"url": url, "status": resp.status, "host": host})
        if resp.url != url:
            self.store.add_alias(url, resp.url)
        if resp.status == 304 and state is not None:
            stats.not_modified += 1
            self._revisit_links(url, depth)
            self.store.mark(url, "done", "not modified")
            return
        stats.fetched += 1
        ctype = resp.headers.get("content-type", "")
        archive_loc = self.archive.append(
            resp.url, resp.status, resp.reason, list(resp.headers.multi_items()), resp.body
        )
        sha1 = hashlib.sha1(resp.body).hexdigest()
        changed = state is None or state.sha1 != sha1
        if resp.status != 200:
            kind = "error"
        elif not ctype.startswith(HTML_TYPES) and ctype:
            kind = "other"
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
        page = analyze_page(resp.body, resp.url, dict(resp.headers))
        self._enqueue_links(page.links, resp.url, depth)
        if not page.is_article:
            return "listing"
        record = page.record
        content_hash = hashlib.sha1(
            repr(sorted(record.to_json().items())).encode("utf-8")
        ).hexdigest()
        stats.documents += 1
        if self.store.save_document(doc_id(resp.url), record, host_of(resp.url), content_hash):
            stats.changed += 1
        return "article"

    def _enqueue_links(self, links: list[str], base: str, depth: int) -> None:
        if depth >= self.config.max_depth:
            return
        for href in links:
            try:
                url = canonicalize(href, base=base)
            except BadURL:
                continue
            if self.in_scope(url):
                self.store.enqueue(url, host_of(url), depth + 1, self.summary.run_id)

    def _revisit_links(self, url: str, depth: int) -> None:
        """A 304 listing still leads somewhere: re-read its links from the archive."""
        row = self.store.db.execute(
            "SELECT archive_file, archive_offset, archive_length, kind FROM pages WHERE url=?",
            (url,),
        ).fetchone()
        if not row or row[0] is None or row[3] != "listing":
            return
        stored = self.archive.read(row[0], row[1], row[2])
        page = analyze_page(stored.body, url, stored.headers)
        self._enqueue_links(page.links, url, depth)

    def _failed(self, url: str, host: str, e: FetchError) -> None:
        stats = self.summary.host(host)
        stats.errors += 1
        attempts = self.store.attempts(url) + 1
        self.progress("error", {"url": url, "reason": str(e), "host": host})
        if e.retry and attempts < self.config.max_attempts:
            backoff = e.retry_after if e.retry_after is not None else 2**attempts
            backoff = min(backoff, 3600) * (1 + random.random() * 0.25)
            self.store.defer(url, time.time() + backoff, str(e))
        else:
            self.store.mark(url, "failed", str(e))

    # -- the loop -------------------------------------------------------------------
    def _seed(self) -> None:
        self.store.reset_in_flight()  # what a killed run was fetching is fetched again
        for seed in self.config.seeds:
            url = canonicalize(seed)
            self.scope.add(host_of(url))
            self.store.requeue(url, host_of(url), 0)
        # listings are revisited every run: they are where new articles appear
        for (url,) in self.store.db.execute(
            "SELECT url FROM pages WHERE kind='listing'"
        ).fetchall():
            if host_of(url) in self.scope:
                self.store.requeue(url, host_of(url), 1)

    async def run(self) -> CrawlSummary:
        started = time.monotonic()
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
                busy = set(in_flight.values())
                # one request in flight per host; fill free slots host by host
                for host in sorted(self.scope - busy):
                    if len(in_flight) >= self.config.concurrency or budget <= 0:
                        break
                    nxt = self.store.next_for_host(host)
                    if nxt is None:
                        continue
                    url, depth = nxt
                    self.store.mark(url, "fetching", None)
                    budget -= 1
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
        result = "ok" if self.summary.fetched or not self.summary.errors else "failed"
        self.store.end_run(self.summary.run_id, result, self.summary.to_json())
        return self.summary

    async def _guarded(self, client: httpx.AsyncClient, url: str, depth: int) -> None:
        try:
            await self._process(client, url, depth)
        except Exception as e:  # noqa: BLE001 - one broken page must not end the crawl
            self.summary.host(host_of(url)).errors += 1
            self.store.mark(url, "failed", f"internal error: {type(e).__name__}: {e}"[:500])
            self.progress("error", {"url": url, "reason": f"internal error: {e}"})

    def _next_deferred(self) -> float | None:
        row = self.store.db.execute(
            "SELECT min(not_before) FROM frontier WHERE state='queued'"
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return max(0.0, row[0] - time.time())


def run_crawl(
    db_path: Path, archive_dir: Path, config: CrawlConfig, progress: ProgressFn | None = None
) -> CrawlSummary:
    """Synchronous entry point for the CLI."""
    with Store(db_path) as store, Archive(archive_dir) as archive:
        crawler = Crawler(store, archive, config, progress)
        return asyncio.run(crawler.run())
