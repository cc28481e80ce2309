"""Re-extract every archived page without the network.

Extraction improves; the pages fetched years ago do not change.  Because every
response is kept in the WARC archive, a new extractor can be run over the
whole history (``socnews reprocess``), and the index then picks up exactly
the documents whose extracted fields changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.archive import Archive
from crawler.crawl import CrawlConfig, Crawler, HostStats
from crawler.extract import analyze_page
from crawler.store import Store
from crawler.urls import doc_id

HTML = ("text/html", "application/xhtml+xml")


@dataclass(slots=True)
class ReprocessStats:
    pages: int = 0
    articles: int = 0
    changed: int = 0
    removed: int = 0
    unreadable: int = 0


def reprocess(
    store: Store, archive: Archive, progress: Callable[[int, int], None] | None = None
) -> ReprocessStats:
    """Run extraction again over every archived HTML page; documents follow the new output."""
    crawler = Crawler(store, archive, CrawlConfig())
    stats = ReprocessStats()
    rows = [r for r in store.archived_pages() if not r[5] or r[5].startswith(HTML)]
    for i, (url, _host, name, offset, length, _ctype) in enumerate(rows, 1):
        try:
            stored = archive.read(name, offset, length)
        except (OSError, ValueError):
            stats.unreadable += 1
            continue
        stats.pages += 1
        page = analyze_page(stored.body, url, stored.headers)
        if page.is_article:
            host_stats = HostStats()
            crawler.save_article(url, page, host_stats)
            stats.articles += 1
            stats.changed += host_stats.changed
        elif store.delete_document(doc_id(url)):
            stats.removed += 1  # the new extractor no longer takes it for an article
        if progress:
            progress(i, len(rows))
    return stats
