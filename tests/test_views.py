"""Search filters and research views through the CLI, over all fixture sites crawled once."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.crawl import CrawlConfig, run_crawl
from crawler.store import Store
from fixtures.serve import serve_sites
from index.writer import update_index
from search_cli import cli


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("views")
    with serve_sites() as servers:
        seeds = [s.base_url + s.site.meta["start"] for s in servers.values()]
        run_crawl(
            root / "socnews.sqlite3",
            root / "archive",
            CrawlConfig(seeds=seeds, delay=0, respect_crawl_delay=False),
        )
    with Store(root / "socnews.sqlite3") as store:
        update_index(store, root / "index")
    return root


def cli_json(data: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--data-dir", str(data), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def titles(res: dict) -> list[str]:
    return [h["title"] for h in res["hits"]]


@pytest.mark.parametrize(
    "spelling",
    ["Мая Василева", "мая василева", "МАЯ ВАСИЛЕВА", "г-жа Мая Василева", "Мaя Вaсилевa"],
)
def test_person_filter_accepts_any_case_honorific_and_lookalikes(data: Path, spelling: str) -> None:
    res = cli_json(data, "search", "--person", spelling)
    assert res["total"] == 2
    assert all("Мая Василева" in h["people"] for h in res["hits"])


def test_full_name_never_degrades_to_the_surname(data: Path) -> None:
    res = cli_json(data, "search", "--person", "Цветелина Василева")
    assert res["total"] == 1  # not Мая Василева's pages
    assert cli_json(data, "search", "--person", "Василева")["total"] == 3


def test_institution_by_abbreviation_colloquial_form_and_name(data: Path) -> None:
    by_abbr = cli_json(data, "search", "--institution", "АСП")
    by_colloquial = cli_json(data, "search", "--institution", "АСП-то")
    by_name = cli_json(data, "search", "--institution", "агенция за социално подпомагане")
    assert by_abbr["total"] == by_colloquial["total"] == by_name["total"] > 3


def test_project_code_in_any_spelling_and_prefix(data: Path) -> None:
    exact = cli_json(data, "search", "--project", "BG05M9OP001-3.006-0001")
    lookalike = cli_json(data, "search", "--project", "BG05М9ОР001-3.006-0001")  # Cyrillic М, О, Р
    prefix = cli_json(data, "search", "--project", "BG05M9OP001-3.006")
    assert exact["total"] == lookalike["total"] >= 2
    assert prefix["total"] >= exact["total"]


def test_date_range_matches_publication_or_event_day(data: Path) -> None:
    res = cli_json(data, "search", "--from", "20.11.2025", "--to", "2025-11-20", "--limit", "50")
    # the Pleven release (published 13.11) announces the 20.11 information day
    assert any("Иванка Колева" in t for t in titles(res))


def test_facets_count_the_whole_result_set(data: Path) -> None:
    res = cli_json(data, "search", "социални", "--facets", "--limit", "1")
    assert len(res["hits"]) == 1
    assert sum(f["count"] for f in res["facets"]["source"]) == res["total"] > 1
    assert res["facets"]["year"] and res["facets"]["person"]


def test_collapse_keeps_one_of_a_release_and_its_rewrite(data: Path) -> None:
    plain = cli_json(data, "search", "Иванка Колева Плевен", "--limit", "20")
    collapsed = cli_json(data, "search", "Иванка Колева Плевен", "--limit", "20", "--collapse")
    assert collapsed["total"] == plain["total"] - 1
    assert any(h["duplicate_of"] for h in plain["hits"])


def test_query_syntax_error_is_a_one_line_usage_error(data: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "search", "title:(", "--format", "json"]
    )
    assert result.exit_code in (0, 2)  # whoosh is lenient; if it refuses, it is a usage error


def test_people_view_counts_dates_and_companions(data: Path) -> None:
    res = cli_json(data, "people", "--limit", "100")
    assert res["kind"] == "people"
    maya = next(e for e in res["entities"] if e["value"] == "Мая Василева")
    assert maya["count"] == 2 and maya["first"] == "2023-09-27" and maya["last"] == "2023-09-28"
    assert any(c["value"] == "Агенция за социално подпомагане" for c in maya["cooccurring"])


def test_timeline_fills_gaps_and_exports_csv(data: Path) -> None:
    res = cli_json(data, "timeline", "--institution", "АСП", "--by", "year")
    years = [r["period"] for r in res["timeline"]]
    assert years == [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
    out = (
        CliRunner()
        .invoke(
            cli,
            [
                "--data-dir",
                str(data),
                "timeline",
                "--institution",
                "АСП",
                "--by",
                "year",
                "--format",
                "csv",
            ],
        )
        .output
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["period", "count"] and len(rows) == len(years) + 1


def test_meetings_history_is_chronological_and_merges_rewrites(data: Path) -> None:
    res = cli_json(data, "meetings", "--person", "Иванка Колева")
    days = [m["date"] for m in res["meetings"]]
    assert days == sorted(days)
    pleven = [m for m in res["meetings"] if m["date"] == "2025-11-13"]
    assert len(pleven) == 1 and pleven[0]["copies"]
    assert "Иванка Колева" not in pleven[0]["people"]
    assert {m["kind"] for m in res["meetings"]} == {"report", "announcement"}


def test_export_jsonl_has_every_document(data: Path) -> None:
    out = CliRunner().invoke(cli, ["--data-dir", str(data), "export"]).output
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 47 and all("people" in x and "id" in x for x in lines)


def test_export_with_filters_exports_only_matches(data: Path) -> None:
    out = (
        CliRunner()
        .invoke(cli, ["--data-dir", str(data), "export", "--person", "Мая Василева"])
        .output
    )
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 2
