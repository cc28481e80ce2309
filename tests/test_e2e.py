"""End to end through the CLI: serve a fixture site on loopback, crawl, search, show."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.serve import SiteServer
from search_cli import cli, main


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, seeds_server: SiteServer) -> Path:
    data = tmp_path_factory.mktemp("e2e") / "data"
    seed = seeds_server.base_url + "/bg/novini/"
    before = Counter(seeds_server.hits)  # the server is shared by the whole session
    code, out = run(
        ["--data-dir", str(data), "crawl", "--seed", seed, "--delay", "0", "--format", "json"]
    )
    assert code == 0, out
    summary = json.loads(out)
    host = seed.split("/")[2]
    assert summary["crawl"]["sources"][host]["documents"] == 5
    assert summary["index"]["total"] == 5
    CRAWL_HITS.update(Counter(seeds_server.hits) - before)
    return data


CRAWL_HITS: Counter = Counter()  # requests the crawl above made, by path


def test_crawl_respects_robots(crawled: Path) -> None:
    fetched = CRAWL_HITS
    assert not any(p.startswith("/bg/print/") for p in fetched), (
        "a robots-disallowed trap was fetched"
    )
    assert fetched.get("/robots.txt") == 1


def test_search_finds_a_seed_article_by_exact_word(crawled: Path) -> None:
    code, out = run(["--data-dir", str(crawled), "search", "Етрополе", "--format", "json"])
    assert code == 0, out
    result = json.loads(out)
    assert result["total"] == 1
    hit = result["hits"][0]
    assert hit["title"] == "Информация за работна среща"
    assert hit["published"] == "2017-09-14"
    assert set(hit) >= {
        "id",
        "url",
        "title",
        "published",
        "event_dates",
        "score",
        "snippet",
        "people",
        "institutions",
        "projects",
        "places",
        "source",
        "duplicate_of",
    }
    assert "<b>" in hit["snippet"]
    assert set(result["facets"]) == {"person", "institution", "project", "place", "year", "source"}


def test_search_table_and_show(crawled: Path) -> None:
    code, out = run(["--data-dir", str(crawled), "search", "конференция", "--format", "table"])
    assert code == 0 and "Заключителна конференция" in out
    code, out = run(["--data-dir", str(crawled), "search", "конференция", "--format", "json"])
    doc_id = json.loads(out)["hits"][0]["id"]
    code, out = run(["--data-dir", str(crawled), "show", doc_id, "--format", "json"])
    assert code == 0 and json.loads(out)["published"] == "2023-09-27"


def test_recrawl_is_incremental(crawled: Path, seeds_server: SiteServer) -> None:
    seed = seeds_server.base_url + "/bg/novini/"
    before = dict(seeds_server.hits)
    code, out = run(
        ["--data-dir", str(crawled), "crawl", "--seed", seed, "--delay", "0", "--format", "json"]
    )
    assert code == 0, out
    src = json.loads(out)["crawl"]["sources"][seed.split("/")[2]]
    # listings are revisited (and answer 304); articles already stored are not fetched again
    assert src["changed"] == 0 and src["not_modified"] >= 1
    article = "/bg/novini/informatsiya-za-rabotna-sreshta/"
    assert seeds_server.hits.get(article) == before.get(article)


def test_extract_prints_the_contract_object(tmp_path: Path) -> None:
    page = (
        Path(__file__).parents[1]
        / "fixtures/sites/seeds/www/bg/novini/informatsiya-za-rabotna-sreshta/index.html"
    )
    code, out = run(
        [
            "extract",
            str(page),
            "--url",
            "https://asp.government.bg/bg/novini/informatsiya-za-rabotna-sreshta/",
        ]
    )
    assert code == 0
    obj = json.loads(out)
    assert list(obj) == [
        "url",
        "title",
        "published",
        "event_dates",
        "text",
        "people",
        "institutions",
        "projects",
        "places",
    ]
    assert obj["title"] == "Информация за работна среща"
    assert "Етрополе" in obj["text"] and "НАЙ-ЧЕТЕНИ" not in obj["text"]


def test_usage_errors_are_one_line_exit_2(
    crawled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(crawled), "search", "x", "--from", "31.31.2023"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("socnews: error:") and "Traceback" not in err and err.count("\n") == 1
    assert main(["--data-dir", str(crawled), "search"]) == 2


def test_missing_index_is_a_clear_runtime_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "search", "агенция"]) == 1
    assert "run `socnews crawl`" in capsys.readouterr().err


def test_lock_held_exits_3(
    crawled: Path, seeds_server: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.lock import WriterLock

    with WriterLock(crawled / "writer.lock"):
        code = main(
            [
                "--data-dir",
                str(crawled),
                "crawl",
                "--seed",
                seeds_server.base_url + "/",
                "--delay",
                "0",
            ]
        )
    assert code == 3
    assert "another crawl" in capsys.readouterr().err
