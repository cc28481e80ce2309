"""CLI habits every command shares: --help with an example, JSON output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_cli import cli, main

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, name


def test_analyze_shows_what_the_index_stores() -> None:
    result = CliRunner().invoke(
        cli, ["analyze", "Агенцията за социално подпомагане (АСП-то)", "--format", "json"]
    )
    assert result.exit_code == 0
    tokens = json.loads(result.output)
    assert all(set(t) == {"text", "start", "end", "term"} for t in tokens)
    terms = {t["term"] for t in tokens}
    assert "асп" in terms  # the colloquial article is stripped, the acronym kept whole
    assert "за" not in terms  # stopword
    text = "Агенцията за социално подпомагане (АСП-то)"
    assert all(
        text[t["start"] : t["end"]].lower().startswith(t["text"][:1].lower()) for t in tokens
    )


def test_extract_reads_stdin() -> None:
    html = (
        "<html><head><title>Среща в Плевен</title></head><body><h1>Среща в Плевен</h1><p>"
        + "Днес, 12 март 2024 г., в Плевен се проведе среща на социалните работници от областта. "
        * 4
        + "</p></body></html>"
    )
    result = CliRunner().invoke(
        cli, ["extract", "-", "--url", "https://example.bg/a"], input=html.encode()
    )
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["title"] == "Среща в Плевен" and obj["published"] == "2024-03-12"
    assert obj["event_dates"] == ["2024-03-12"] and "Плевен" in obj["places"]


def test_unknown_option_and_missing_file_are_one_line_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["search", "--no-such-option"]) == 2
    assert main(["extract", str(tmp_path / "missing.html")]) == 2
    assert main(["crawl", "--seed", "ftp://x.bg/"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("socnews: error:") for line in err)


def test_bad_config_file_points_at_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(
        '[[source]]\nname = "x"\nstart_urls = ["https://x.bg/"]\nrate_limit = -1\n',
        encoding="utf-8",
    )
    assert main(["--data-dir", str(tmp_path / "d"), "crawl", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "sources.toml:" in err and "rate_limit" in err and err.count("\n") == 1


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "0.1.0" in result.output
