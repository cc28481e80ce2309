"""The crawler against real sockets on loopback: fixture sites and fault routes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from crawler.archive import Archive
from crawler.crawl import CrawlConfig, Crawler, HostStats, run_crawl
from crawler.extract import Page
from crawler.record import Record
from crawler.store import Store
from crawler.urls import doc_id
from fixtures.serve import serve_sites

REPO = Path(__file__).resolve().parents[1]


def crawl(data: Path, seeds: list[str], **kw) -> dict:
    config = CrawlConfig(seeds=seeds, delay=0.0, respect_crawl_delay=False, **kw)
    return run_crawl(data / "db.sqlite3", data / "archive", config).to_json()


def documents(data: Path) -> list:
    with Store(data / "db.sqlite3") as s:
        return list(s.documents())


def make_site(
    root: Path, site_id: str, pages: dict[str, str], routes: list[dict] | None = None
) -> Path:
    """A tiny fixture site: path -> HTML, plus optional extra routes."""
    site = root / site_id
    (site / "www").mkdir(parents=True)
    (site / "site.json").write_text(
        json.dumps({"id": site_id, "host": f"{site_id}.example", "start": "/"})
    )
    entries = []
    for i, (path, html) in enumerate(pages.items()):
        f = site / "www" / f"p{i}.html"
        f.write_text(html, encoding="utf-8")
        entries.append({"path": path, "file": f"www/p{i}.html"})
    (site / "routes.json").write_text(json.dumps(entries + (routes or [])))
    return root


ARTICLE = (
    "<html><head><title>{t}</title></head><body><h1>{t}</h1><p>12.03.2024г.</p>"
    "<div class='content'><p>{body}</p><p>{body}</p></div></body></html>"
)
LONG = (
    "Агенцията за социално подпомагане проведе работна среща с директорите на дирекциите в страната. "
    * 3
)


def test_aliases_collapse_and_windows_1251_decodes(tmp_path: Path) -> None:
    with serve_sites(["dsd"]) as servers:
        srv = servers["dsd"]
        summary = crawl(tmp_path, [srv.base_url + srv.site.meta["start"]])
    docs = documents(tmp_path)
    gold = json.loads((REPO / "fixtures/sites/dsd/gold.json").read_text(encoding="utf-8"))
    assert len(docs) == len(gold), [
        d.url for d in docs
    ]  # the &amp; and reordered aliases collapsed
    for d in docs:
        assert "Р°" not in d.record.text and "Ð" not in d.record.text  # no mojibake
        assert re.search(r"[а-я]{4,} [а-я]{4,}", d.record.text)  # decoded as Cyrillic
    assert summary["sources"][srv.base_url.split("//")[1]]["skipped_robots"] > 0


def test_duplicate_release_is_linked_to_one_original(tmp_path: Path) -> None:
    with serve_sites(["mlsp", "bta"]) as servers:
        crawl(tmp_path, [s.base_url + s.site.meta["start"] for s in servers.values()])
    docs = {d.id: d for d in documents(tmp_path)}
    linked = [d for d in docs.values() if d.duplicate_of]
    assert len(linked) == 1
    copy = linked[0]
    original = docs[copy.duplicate_of]
    assert "Иванка Колева" in copy.record.title and "Иванка Колева" in original.record.title
    assert {copy.host, original.host} == {h for h in {d.host for d in docs.values()}}


def test_a_later_run_confirms_copies_against_the_stored_text(tmp_path: Path) -> None:
    """The text check reads what it has not cached (a new run) from the store."""
    from tests.test_dedup import RELEASE, REWRITE, SIBLING

    def save(crawler: Crawler, url: str, text: str) -> None:
        record = Record(url=url, title="Топъл обяд", published=date(2025, 11, 12), text=text)
        crawler.save_article(url, Page(record=record, is_article=True), HostStats())

    with Store(tmp_path / "db.sqlite3") as store, Archive(tmp_path / "archive") as archive:
        save(Crawler(store, archive, CrawlConfig()), "https://mlsp.government.bg/a", RELEASE)
        later_run = Crawler(store, archive, CrawlConfig())
        save(later_run, "https://www.bta.bg/b", REWRITE)  # too far to link without the text
        save(later_run, "https://mlsp.government.bg/c", SIBLING)
        assert later_run._shingles.misses == 1  # the release, read once from the store
    dup = {d.url: d.duplicate_of for d in documents(tmp_path)}
    assert dup["https://www.bta.bg/b"] == doc_id("https://mlsp.government.bg/a")
    assert dup["https://mlsp.government.bg/a"] is None  # the original
    assert dup["https://mlsp.government.bg/c"] is None  # the sibling release is not a copy


def test_feed_dates_fill_articles_that_print_none(tmp_path: Path) -> None:
    with serve_sites(["municipal"]) as servers:
        srv = servers["municipal"]
        crawl(tmp_path, [srv.base_url + "/"])
    docs = documents(tmp_path)
    assert len(docs) == 8
    assert all(d.record.published is not None for d in docs)
    undated = [d for d in docs if "/2024/03/" in d.url]
    assert [d.record.published.isoformat() for d in undated] == ["2024-03-12"]


def test_traps_are_not_followed_forever(tmp_path: Path) -> None:
    page = ARTICLE.format(t="Календар на събитията", body=LONG).replace(
        "</body>",
        "<a href='/_fault/calendar/2024/01'>Календар</a> <a href='/_fault/pager?page=1'>Архив</a></body>",
    )
    sites = make_site(tmp_path / "sites", "trap", {"/": page})
    with serve_sites(sites_dir=sites) as servers:
        srv = servers["trap"]
        summary = crawl(tmp_path, [srv.base_url + "/"], max_pages=400)
    hits = srv.hits
    calendar = sum(n for p, n in hits.items() if p.startswith("/_fault/calendar"))
    pager = sum(n for p, n in hits.items() if p.startswith("/_fault/pager"))
    assert calendar <= 30, calendar
    assert pager <= 30, pager
    assert summary["stopped"] is None  # the trap was cut, not the page budget


def test_retries_back_off_then_succeed_and_faults_are_recorded(tmp_path: Path) -> None:
    links = "".join(
        f"<a href='{u}'>x</a> "
        for u in [
            "/_fault/flaky/k1?fail=2&code=503",
            "/_fault/status/429?retry_after=1",
            "/_fault/huge?mb=3",
            "/_fault/gzipbomb?mb=200",
            "/_fault/redirect/9",
            "/_fault/loop/0",
            "/_fault/offhost?to=http://example.invalid/",
            "/_fault/binary",
            "/_fault/nested?depth=80000",
            "/_fault/reset",
        ]
    )
    page = ARTICLE.format(t="Страница с лоши връзки", body=LONG).replace(
        "</body>", links + "</body>"
    )
    sites = make_site(tmp_path / "sites", "faulty", {"/": page})
    started = time.monotonic()
    with serve_sites(sites_dir=sites) as servers:
        srv = servers["faulty"]
        crawl(tmp_path, [srv.base_url + "/"], max_bytes=1024 * 1024, max_attempts=3, timeout=10)
    assert time.monotonic() - started < 60
    hits = srv.hits
    assert hits["/_fault/flaky/k1?code=503&fail=2"] == 3  # two 503s, then success
    assert hits["/_fault/status/429?retry_after=1"] == 3  # retried after Retry-After, then gave up
    with Store(tmp_path / "db.sqlite3") as s:
        reasons = dict(s.db.execute("SELECT url, reason FROM frontier").fetchall())
    by_path = {u.split("/", 3)[3]: r for u, r in reasons.items()}
    assert "larger than" in by_path["_fault/huge?mb=3"]
    assert "larger than" in by_path["_fault/gzipbomb?mb=200"]
    assert "redirects" in by_path["_fault/redirect/9"]
    assert "loop" in by_path["_fault/loop/0"]
    assert "off the source" in next(r for p, r in by_path.items() if p.startswith("_fault/offhost"))
    assert by_path["_fault/flaky/k1?code=503&fail=2"] == "HTTP 200"
    assert by_path["_fault/nested?depth=80000"] == "HTTP 200"  # parsed in bounded time


def test_robots_5xx_defers_and_404_allows(tmp_path: Path) -> None:
    page = ARTICLE.format(t="Новина за социалните услуги", body=LONG)
    (tmp_path / "sites").mkdir()
    for sid, status in (("down", 503), ("open", 404)):
        make_site(
            tmp_path / "sites",
            sid,
            {"/": page},
            [{"path": "/robots.txt", "file": "www/p0.html", "status": status}],
        )
    with serve_sites(sites_dir=tmp_path / "sites") as servers:
        summary = crawl(
            tmp_path, [s.base_url + "/" for s in servers.values()], max_attempts=1, time_limit=5
        )
        hosts = {sid: s.base_url.split("//")[1] for sid, s in servers.items()}
    assert summary["sources"][hosts["open"]]["documents"] == 1
    assert summary["sources"][hosts["down"]]["fetched"] == 0
    assert servers["down"].hits.get("/") is None


def test_since_stops_walking_old_listings(tmp_path: Path) -> None:
    with serve_sites(["asp"]) as servers:
        srv = servers["asp"]
        from datetime import date

        crawl(tmp_path, [srv.base_url + srv.site.meta["start"]], since=date(2031, 1, 1))
    assert documents(tmp_path) == []


def _crawl_cmd(data: Path, seed: str, delay: float) -> list[str]:
    return [
        sys.executable,
        str(REPO / "search_cli.py"),
        "--data-dir",
        str(data),
        "crawl",
        "--seed",
        seed,
        "--delay",
        str(delay),
        "--no-index",
    ]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_run_resumes_and_loses_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    with serve_sites(["bta"]) as servers:
        srv = servers["bta"]
        seed = srv.base_url + srv.site.meta["start"]
        proc = subprocess.Popen(
            _crawl_cmd(tmp_path, seed, 0.15),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(srv.hits.values()) < 12:
            time.sleep(0.05)
        os.kill(proc.pid, sig)
        out, err = proc.communicate(timeout=30)
        if sig == signal.SIGTERM:
            assert proc.returncode == 0, err
            assert b"stopped early: SIGTERM" in out
        with Store(tmp_path / "socnews.sqlite3") as s:
            before = s.count_documents()
        assert before < 9
        done = subprocess.run(
            _crawl_cmd(tmp_path, seed, 0.0), capture_output=True, cwd=REPO, timeout=120
        )
        assert done.returncode == 0, done.stderr
    with Store(tmp_path / "socnews.sqlite3") as s:
        assert s.count_documents() == 9
        assert (
            s.db.execute("SELECT count(*) FROM frontier WHERE state='fetching'").fetchone()[0] == 0
        )
        urls = [r[0] for r in s.db.execute("SELECT url FROM documents")]
    assert len(urls) == len(set(urls))


def test_slow_dripping_and_unresolvable_sources_do_not_stop_the_others(tmp_path: Path) -> None:
    page = ARTICLE.format(t="Страница с бавни връзки", body=LONG).replace(
        "</body>",
        "<a href='/_fault/slow?seconds=6'>бавно</a> <a href='/_fault/drip?seconds=20'>капе</a></body>",
    )
    sites = make_site(tmp_path / "sites", "slow", {"/": page})
    started = time.monotonic()
    with serve_sites(sites_dir=sites) as servers:
        srv = servers["slow"]
        summary = crawl(
            tmp_path,
            [srv.base_url + "/", "http://no-such-host.invalid/"],
            timeout=1.0,
            max_attempts=1,
        )
    assert time.monotonic() - started < 30
    with Store(tmp_path / "db.sqlite3") as s:
        reasons = dict(s.db.execute("SELECT url, reason FROM frontier").fetchall())
    slow = next(r for u, r in reasons.items() if "/_fault/slow" in u)
    drip = next(r for u, r in reasons.items() if "/_fault/drip" in u)
    assert "timeout" in slow
    assert "too slow" in drip or "timeout" in drip
    assert summary["sources"]["no-such-host.invalid"]["errors"] >= 1
    assert summary["sources"][srv.base_url.split("//")[1]]["documents"] == 1


def test_a_failing_host_opens_its_circuit_and_keeps_its_queue(tmp_path: Path) -> None:
    links = "".join(f"<a href='/_fault/status/503?n={i}'>{i}</a> " for i in range(12))
    page = ARTICLE.format(t="Сайт в беда", body=LONG).replace("</body>", links + "</body>")
    sites = make_site(tmp_path / "sites", "storm", {"/": page})
    with serve_sites(sites_dir=sites) as servers:
        srv = servers["storm"]
        summary = crawl(tmp_path, [srv.base_url + "/"], max_attempts=1)
    host = srv.base_url.split("//")[1]
    assert summary["sources"][host]["circuit_open"] is True
    storm_hits = sum(n for p, n in srv.hits.items() if p.startswith("/_fault/status/503"))
    assert storm_hits == 5  # five failures in a row, then the host is left alone
    with Store(tmp_path / "db.sqlite3") as s:
        queued = s.db.execute("SELECT count(*) FROM frontier WHERE state='queued'").fetchone()[0]
    assert queued == 7  # kept for the next run, not marked failed
