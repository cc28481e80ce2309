"""Faults that must lose nothing, and hostile input that must never get through."""

from __future__ import annotations

import errno
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from crawler.archive import Archive
from crawler.crawl import CrawlConfig, Crawler, _is_private_host, run_crawl
from crawler.sources import Source
from crawler.store import Store
from fixtures.serve import serve_sites
from index.search import search
from index.writer import IndexBusy, update_index
from search_cli import cli, main

REPO = Path(__file__).resolve().parents[1]


def _crawl_seeds(data: Path) -> None:
    with serve_sites(["seeds"]) as servers:
        srv = servers["seeds"]
        run_crawl(
            data / "socnews.sqlite3",
            data / "archive",
            CrawlConfig(seeds=[srv.base_url + "/bg/novini/"], delay=0, respect_crawl_delay=False),
        )
    with Store(data / "socnews.sqlite3") as store:
        update_index(store, data / "index")


@pytest.fixture()
def stored(tmp_path: Path) -> Path:
    _crawl_seeds(tmp_path)
    return tmp_path


def test_escape_codes_in_crawled_text_never_reach_the_terminal(tmp_path: Path) -> None:
    evil = "Заседание\x1b[2J\x1b]0;pwned\x07 на съвета\x1b[31m"
    body = (
        "<p>"
        + ("Общинският съвет обсъди социалните услуги и \x1b[5mприемната грижа\x1b[0m. " * 8)
        + "</p>"
    )
    site = tmp_path / "sites" / "evil"
    (site / "www").mkdir(parents=True)
    (site / "www" / "index.html").write_text(
        f"<html><head><title>{evil}</title></head><body><h1>{evil}</h1><p>12.03.2024г.</p>{body}</body></html>",
        encoding="utf-8",
    )
    (site / "site.json").write_text(
        json.dumps({"id": "evil", "host": "evil.example", "start": "/"})
    )
    with serve_sites(sites_dir=tmp_path / "sites") as servers:
        seed = servers["evil"].base_url + "/"
        assert (
            main(["--data-dir", str(tmp_path / "d"), "crawl", "--seed", seed, "--delay", "0"]) == 0
        )
    for args in (
        ["search", "съвета"],
        ["search", "съвета", "--format", "csv"],
        ["people"],
        ["export"],
    ):
        out = (
            CliRunner()
            .invoke(
                cli,
                ["--data-dir", str(tmp_path / "d"), *args, "--format", "table"]
                if args == ["search", "съвета"]
                else ["--data-dir", str(tmp_path / "d"), *args],
            )
            .output
        )
        assert "\x1b" not in out and "\x07" not in out, args
    with Store(tmp_path / "d" / "socnews.sqlite3") as s:
        (doc,) = list(s.documents())
    assert "\x1b" not in doc.record.title and "\x1b" not in doc.record.text


def test_redirects_to_private_addresses_from_a_public_source_are_refused(tmp_path: Path) -> None:
    assert _is_private_host("127.0.0.1:8080") and _is_private_host("localhost")
    assert _is_private_host("10.1.2.3") and _is_private_host("[::1]:80")
    assert not _is_private_host("mlsp.government.bg") and not _is_private_host("8.8.8.8")
    public = Source(
        name="p",
        start_urls=("https://asp.government.bg/",),
        allowed_hosts=frozenset({"asp.government.bg", "127.0.0.1"}),
    )
    with Store(tmp_path / "s.db") as store, Archive(tmp_path / "a") as archive:
        crawler = Crawler(store, archive, CrawlConfig(sources=[public]))
        from crawler.crawl import FetchError

        with pytest.raises(FetchError, match="private address"):
            crawler._redirect_target("https://asp.government.bg/x", "http://127.0.0.1/admin", set())
        with pytest.raises(FetchError, match="off the source"):
            crawler._redirect_target("https://asp.government.bg/x", "https://evil.example/", set())


def test_disk_full_stops_with_one_line_and_the_next_run_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = {"n": 0}
    real_append = Archive.append

    def failing_append(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003
        calls["n"] += 1
        if calls["n"] > 6:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_append(self, *a, **kw)

    with serve_sites(["seeds"]) as servers:
        seed = servers["seeds"].base_url + "/bg/novini/"
        monkeypatch.setattr(Archive, "append", failing_append)
        code = main(["--data-dir", str(tmp_path), "crawl", "--seed", seed, "--delay", "0"])
        err = capsys.readouterr().err
        assert code == 1 and "disk full" in err and err.count("\n") == 1 and "Traceback" not in err
        with sqlite3.connect(tmp_path / "socnews.sqlite3") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        monkeypatch.setattr(Archive, "append", real_append)
        assert main(["--data-dir", str(tmp_path), "crawl", "--seed", seed, "--delay", "0"]) == 0
    with Store(tmp_path / "socnews.sqlite3") as s:
        assert s.count_documents() == 5
        assert (
            s.db.execute("SELECT count(*) FROM frontier WHERE state='fetching'").fetchone()[0] == 0
        )


KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from crawler.store import Store
import index.writer as w
mode, data = sys.argv[1], Path(sys.argv[2])
if mode == "before-commit":
    import whoosh.writing
    real = whoosh.writing.SegmentWriter.add_document  # update_document ends here too
    n = {"i": 0}
    def dying(self, **fields):
        n["i"] += 1
        if n["i"] == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, **fields)
    whoosh.writing.SegmentWriter.add_document = dying
else:  # after the index commit, before the store learns of it
    Store.mark_indexed = lambda self, pairs: os.kill(os.getpid(), signal.SIGKILL)
with Store(data / "socnews.sqlite3") as store:
    w.update_index(store, data / "index", rebuild=True)
"""


@pytest.mark.parametrize("mode", ["before-commit", "after-commit"])
def test_index_writer_killed_leaves_a_usable_index_and_no_duplicates(
    stored: Path, mode: str
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, mode, str(stored)],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    assert whoosh_index.exists_in(str(stored / "index"))
    with Store(stored / "socnews.sqlite3") as store:
        stats = update_index(store, stored / "index")  # the next run finishes the job
    assert stats.total == 5
    with whoosh_index.open_dir(str(stored / "index")).searcher() as s:
        ids = [f["id"] for f in s.reader().all_stored_fields()]
    assert len(ids) == len(set(ids)) == 5


def test_search_works_while_a_writer_holds_the_index(stored: Path) -> None:
    ix = whoosh_index.open_dir(str(stored / "index"))
    writer = ix.writer()
    try:
        assert search(stored / "index", "Етрополе")["total"] == 1  # readers never block
        with Store(stored / "socnews.sqlite3") as store:
            store.reset_indexed()
            with pytest.raises(IndexBusy):
                update_index(store, stored / "index", timeout=0.3)
    finally:
        writer.cancel()


def test_second_crawl_while_one_runs_exits_3_or_waits(stored: Path) -> None:
    from crawler.lock import WriterLock

    with WriterLock(stored / "writer.lock"):
        r = subprocess.run(
            [sys.executable, str(REPO / "search_cli.py"), "--data-dir", str(stored), "index"],
            capture_output=True, text=True, cwd=REPO, timeout=60,
        )  # fmt: skip
    assert r.returncode == 3
    assert r.stderr.startswith("socnews: error: another crawl or index writer is running")
    assert r.stderr.count("\n") == 1


def test_hostile_pages_extract_in_bounded_time(tmp_path: Path) -> None:
    import os
    import time

    from crawler.extract import extract_page

    cases = {
        "nested": b"<html><body>" + b"<div>" * 200_000 + "дълбоко".encode() + b"</div>" * 200_000,
        "binary": os.urandom(200_000),
        "mixed": "<p>Агенция</p>".encode() + "<p>Община</p>".encode("cp1251") + b"\xff\xfe\x00",
        "controls": b"<title>\x00\x01\x02</title><p>" + b"\x1b[31m" * 1000 + b"</p>",
        "huge_attr": b"<div class='" + b"x" * 5_000_000 + b"'>text</div>",
    }
    for name, raw in cases.items():
        started = time.perf_counter()
        rec = extract_page(raw, "https://example.bg/" + name, {"content-type": "text/html"})
        assert time.perf_counter() - started < 10, name
        assert "\x1b" not in rec.text and "\x00" not in rec.title, name
