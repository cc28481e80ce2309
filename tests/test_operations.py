"""Operator commands through the CLI: status, check, reprocess, and repair of a damaged index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixtures.serve import SiteServer
from search_cli import cli


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


@pytest.fixture()
def crawled(tmp_path: Path, seeds_server: SiteServer) -> Path:
    data = tmp_path / "data"
    code, out = run(
        [
            "--data-dir",
            str(data),
            "crawl",
            "--seed",
            seeds_server.base_url + "/bg/novini/",
            "--delay",
            "0",
        ]
    )
    assert code == 0, out
    return data


def test_status_reports_runs_sources_and_backlog(crawled: Path) -> None:
    code, out = run(["--data-dir", str(crawled), "status", "--format", "json"])
    assert code == 0, out
    st = json.loads(out)
    assert st["documents"] == 5 and st["not_indexed"] == 0
    assert st["runs"][0]["result"] == "ok"
    (host,) = st["sources"]
    assert st["sources"][host]["documents"] == 5
    assert st["sources"][host]["consecutive_failed_runs"] == 0
    assert st["sizes"]["archive_bytes"] > 0
    code, out = run(["--data-dir", str(crawled), "status"])
    assert code == 0 and "last runs:" in out


def test_check_passes_then_finds_a_damaged_index_and_index_repairs_it(crawled: Path) -> None:
    code, out = run(["--data-dir", str(crawled), "check"])
    assert code == 0 and "ok:" in out, out
    for seg in (crawled / "index").glob("MAIN_*.pst"):
        seg.write_bytes(seg.read_bytes()[:100])  # truncate every segment's postings
    code, out = run(["--data-dir", str(crawled), "check", "--format", "json"])
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert "socnews index --rebuild" in report["repairs"]
    code, out = run(["--data-dir", str(crawled), "index"])
    assert code == 0 and "(rebuilt)" in out, out
    code, out = run(["--data-dir", str(crawled), "search", "Етрополе", "--format", "json"])
    assert code == 0 and json.loads(out)["total"] == 1
    code, _ = run(["--data-dir", str(crawled), "check"])
    assert code == 0


def test_check_finds_lost_archive_and_unindexed_documents(crawled: Path) -> None:
    for f in (crawled / "archive").glob("*.warc.gz"):
        f.write_bytes(b"")
    code, out = run(["--data-dir", str(crawled), "check", "--format", "json"])
    report = json.loads(out)
    assert code == 1
    assert any("archive records unreadable" in p for p in report["problems"])


def test_reprocess_rebuilds_documents_from_the_archive(crawled: Path) -> None:
    shutil.rmtree(crawled / "index")
    code, out = run(["--data-dir", str(crawled), "reprocess"])
    assert code == 0, out
    assert "5 articles" in out
    code, out = run(["--data-dir", str(crawled), "search", "конференция", "--format", "json"])
    assert json.loads(out)["total"] >= 1


def test_commands_without_a_store_say_what_to_do(tmp_path: Path) -> None:
    for cmd in (["status"], ["reprocess"], ["show", "x"], ["export"]):
        code, out = run(["--data-dir", str(tmp_path), *cmd])
        assert code == 1, cmd
