"""Cost per document of storing an article, near-duplicate detection included, as the store grows.

    python -m benchmarks.bench_dedup [--pages 20000] [--slice 5000]

Why: ``Crawler.save_article`` runs for every article of a crawl, and the
near-duplicate search behind it looks at stored documents (SimHash index,
same-week window, text check of the candidates).  Anything in it that grows
with the store makes a crawl's cost per page grow with its size, which a
full crawl benchmark shows only after 15 minutes and mixed with everything
else.  This one isolates it.

How: the articles of the synthetic archive (``fixtures.generate``, the same
one ``bench_crawl`` serves) are extracted once and cached as JSON lines under
``benchmarks/work/``, in crawl-like order (the sites in turn, each newest
first, as their listings present them).  Then each goes through
``Crawler.save_article`` on a fresh store, exactly as in a crawl minus the
fetch and the extraction; the CPU time of each slice of ``--slice`` documents
is reported, so growth shows as rising figures from slice to slice.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.bench_crawl import WORK, ensure_archive
from benchmarks.bench_extraction import RESULTS_DIR, git_head, machine_info, now_iso, save_json

RESULTS_PATH = RESULTS_DIR / "bench_dedup.json"


def crawl_order(archive: Path) -> list[dict[str, Any]]:
    """Manifest articles, the sites in turn, each site's articles in manifest (newest-first) order."""
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    by_site: dict[str, list[dict[str, Any]]] = {}
    for article in manifest["articles"]:
        by_site.setdefault(article["site"], []).append(article)
    queues = list(by_site.values())
    out = []
    for i in range(max(map(len, queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def extracted_articles(archive: Path, cache: Path) -> list[dict[str, Any]]:
    """``{url, title, published, text}`` of every article, extracted once and cached."""
    if not cache.exists():
        from crawler.extract import analyze_page

        tmp = cache.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            for a in crawl_order(archive):
                url = f"https://{a['site']}.synth.test{a['path']}"
                rec = analyze_page((archive / a["site"] / a["file"]).read_bytes(), url).record
                row = {"url": url, "title": rec.title, "text": rec.text}
                row["published"] = rec.published.isoformat() if rec.published else None
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(cache)
    with cache.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def run(articles: list[dict[str, Any]], slice_size: int) -> dict[str, Any]:
    """Feed the articles through ``Crawler.save_article``; CPU ms per document by slice."""
    from crawler.archive import Archive
    from crawler.crawl import CrawlConfig, Crawler, HostStats
    from crawler.extract import Page
    from crawler.record import Record
    from crawler.store import Store

    slices: list[float] = []
    stats = HostStats()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(Path(tmp) / "store.sqlite3") as store,
        Archive(Path(tmp) / "archive") as archive,
    ):
        crawler = Crawler(store, archive, CrawlConfig())
        started = tick = time.process_time()
        for n, a in enumerate(articles, 1):
            published = date.fromisoformat(a["published"]) if a["published"] else None
            record = Record(url=a["url"], title=a["title"], published=published, text=a["text"])
            crawler.save_article(a["url"], Page(record=record, is_article=True), stats)
            if n % slice_size == 0 or n == len(articles):
                now = time.process_time()
                slices.append((now - tick) * 1e3 / (n - slice_size * len(slices)))
                tick = now
        total = time.process_time() - started
        cache = getattr(crawler, "_shingles", None)  # absent before the ShingleCache
    return {
        "documents": len(articles),
        "cpu_ms_per_document": round(total * 1e3 / max(1, len(articles)), 3),
        "cpu_ms_per_document_by_slice": [round(x, 3) for x in slices],
        "duplicates": stats.duplicates,
        "shingle_cache": {"hits": cache.hits, "misses": cache.misses} if cache else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=20_000, help="articles in the archive")
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--slice", type=int, default=5_000, help="documents per reported slice")
    ap.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = ap.parse_args(argv)
    archive, _ = ensure_archive(args.pages, args.sites, args.seed, WORK)
    cache = WORK / f"dedup-texts-p{args.pages}-k{args.sites}-s{args.seed}.jsonl"
    articles = extracted_articles(archive, cache)
    result = {
        "benchmark": "bench_dedup",
        "date": now_iso(),
        "socnews_commit": git_head(),
        "machine": machine_info(),
        "archive": str(archive),
        "slice": args.slice,
        **run(articles, args.slice),
    }
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))
    save_json(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
