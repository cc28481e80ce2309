"""`socnews eval` runs the evaluation through the CLI and reports every field."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search_cli import cli


def test_eval_reports_every_field_as_json() -> None:
    result = CliRunner().invoke(cli, ["eval", "--site", "seeds", "--format", "json"])
    assert result.exit_code == 0, result.output
    ext = json.loads(result.output)["extraction"]
    overall = ext["overall"]
    for field in (
        "title",
        "published",
        "event_dates",
        "people",
        "institutions",
        "places",
        "must_include",
        "must_exclude",
        "project_codes",
    ):
        assert any(k.startswith(field) for k in overall), field
    assert ext["pages"] == 5


def test_eval_unknown_site_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["eval", "--site", "nosuchsite"])
    assert result.exit_code == 2
