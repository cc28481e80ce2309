"""The Scrapy side of ``bench_crawl``: the smallest spider that does socnews's crawl.

    /tmp/benchvenv/bin/python -m benchmarks.scrapy_spider --seed URL [--seed URL ...]
        --concurrency C --store FILE --result FILE

(or ``scrapy runspider benchmarks/scrapy_spider.py -a seeds=URL,URL -a store=FILE``).

Why a peer: Scrapy is the reference Python crawler, so "how fast is our crawl
loop" needs an answer relative to it on the same archive, the same server
and the same machine. To keep the comparison honest the spider does what
socnews's fetch side does and nothing more:

- the same seeds and the same scope (each seed's host:port; loopback sites
  differ only by port, so every request carries ``download_slot`` =
  host:port, otherwise Scrapy would put all sites in one "127.0.0.1" slot);
- one request in flight per site and ``C`` overall
  (``CONCURRENT_REQUESTS_PER_DOMAIN=1``, ``CONCURRENT_REQUESTS=C``), no delay,
  AutoThrottle off, robots.txt obeyed;
- the same link sources (``a[href]`` and ``link[rel=next]``) and the same
  skipped file extensions, unlimited depth;
- every body is stored, gzip-compressed per record like a WARC member.

It does not extract, deduplicate near-copies, keep resumable state or index:
that is the work socnews does on top, and ``bench_crawl`` reports socnews's
crawl with and without indexing so the reader sees the price of each.

This module imports nothing from socnews, so the Scrapy process's memory is
Scrapy's alone.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse

USER_AGENT = (
    "socnews/0.1 (+https://github.com/socnews/socnews; research crawler for social-policy news)"
)
# The extensions socnews refuses to fetch as pages (crawler.crawl keeps its own list).
SKIP_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".css", ".js", ".zip", ".rar",
    ".7z", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".mp3", ".mp4", ".avi",
)  # fmt: skip


def peak_rss_kib() -> int:
    """Own peak RSS (``VmHWM``): ``ru_maxrss`` also holds the spawning process's peak.

    The twin of ``bench_extraction.peak_rss_kib``, not imported from it: that
    module loads socnews's extractor, which would count in Scrapy's memory.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def settings(concurrency: int) -> dict[str, Any]:
    """Scrapy settings equivalent to socnews's ``delay=0, concurrency=C`` crawl."""
    return {
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "COOKIES_ENABLED": False,  # socnews sends none
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HTTPCACHE_ENABLED": False,
        # Scrapy's own advice for crawls over several sites: without it a LIFO queue
        # fills the C download slots with requests for one busy site, and the crawl
        # runs at one request at a time.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    }


class BenchSpider(scrapy.Spider):
    """Follow in-scope links from the seeds, store every body."""

    name = "socnews_bench"
    custom_settings = settings(4)

    def __init__(self, seeds: str | list[str] = "", store: str = "bodies.gz", **kw: Any) -> None:
        super().__init__(**kw)
        self.seeds = seeds.split(",") if isinstance(seeds, str) else list(seeds)
        self.scope = {urlsplit(s).netloc for s in self.seeds if s}
        self.store_path = Path(store)
        self.out: Any = None
        self.pages = 0
        self.stored_bytes = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BenchSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_response, signal=signals.response_received)
        return spider

    def on_response(self, response: Response, request: scrapy.Request, spider: Any) -> None:
        """Count every page response the way socnews counts fetches (robots.txt apart)."""
        if not response.url.endswith("/robots.txt"):
            self.pages += 1

    def _request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.failed,
            meta={"download_slot": urlsplit(url).netloc, "handle_httpstatus_list": [404, 410]},
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for seed in self.seeds:
            yield self._request(seed)

    def failed(self, failure: Any) -> None:
        """A failed fetch is counted by Scrapy's stats; nothing to store."""

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        if self.out is None:
            self.out = gzip.open(self.store_path, "ab", compresslevel=6)  # noqa: SIM115
        head = f"{response.status} {response.url} {len(response.body)}\n".encode()
        self.out.write(head + response.body + b"\n")
        self.stored_bytes += len(response.body)
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href), link[rel=next]::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            url = urldefrag(response.urljoin(href))[0]
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc not in self.scope:
                continue
            if parts.path.lower().endswith(SKIP_EXTENSIONS):
                continue
            yield self._request(url)

    def closed(self, reason: str) -> None:
        if self.out is not None:
            self.out.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", action="append", required=True)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--store", type=Path, required=True, help="gzip file for the bodies")
    ap.add_argument("--result", type=Path, required=True, help="JSON figures written here")
    args = ap.parse_args(argv)
    process = CrawlerProcess(settings(args.concurrency))
    crawler = process.create_crawler(BenchSpider)
    process.crawl(crawler, seeds=args.seed, store=str(args.store))
    started, cpu = time.perf_counter(), time.process_time()
    process.start()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": spider.pages,
        "stored_bytes": spider.stored_bytes,
        "maxrss_kib": peak_rss_kib(),
        "stats": {
            k: v
            for k, v in stats.items()
            if k.startswith(("downloader/response_status_count", "robotstxt/", "response_"))
            or k in ("downloader/request_count", "finish_reason", "item_scraped_count")
        },
    }
    args.result.write_text(json.dumps(result, default=str, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
