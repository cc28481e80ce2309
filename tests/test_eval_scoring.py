"""The extraction benchmark scores what it claims to score.

Hand-made gold/prediction pairs only: the real extractor is never called
here, so a change in the extractor cannot hide a bug in the scoring.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.eval_extraction import (
    add_counts,
    boilerplate_people,
    empty_counts,
    format_misses,
    format_table,
    match_institutions,
    match_people,
    metrics,
    norm_label,
    norm_title,
    prf,
    request_headers,
    role_overlap,
    run_eval,
    score_page,
    score_sets,
)

GOLD = {
    "path": "/a/",
    "title": "Колева откри „Информационен ден“",
    "published": "2025-11-13",
    "event_dates": ["2025-11-13", "2025-11-20"],
    "people": [
        {"name": "Иванка Колева", "role": "заместник-министър на труда и социалната политика"},
        {"name": "Стефан Маринов", "role": "кмет на община Плевен"},
        {"name": "Мария Петрова", "role": None},
    ],
    "institutions": [
        {"name": "Министерство на труда и социалната политика", "abbr": "МТСП"},
        {"name": "Община Плевен", "abbr": None},
    ],
    "projects": [{"code": "BG05SFPR002-2.004-0003", "name": "Приемна грижа – шанс за всяко дете"}],
    "places": ["Плевен", "Ловеч"],
    "must_include": ["откри информационен ден", "в Ловеч и Габрово"],
    "must_exclude": ["Министър Десислава Кънева участва", "Споделете тази публикация"],
    "duplicate_of": None,
}

PRED = {
    "url": "https://example.bg/a/",
    "title": "Колева откри «Информационен  ден»",
    "published": "2025-11-14",
    "event_dates": ["2025-11-13", "2025-11-27"],
    "text": "Колева откри\nинформационен ден.\n\nСледват срещи в Ловеч и Габрово.",
    "people": [
        {"name": "иванка  колева", "role": "заместник-министър на труда"},
        {"name": "Стефан Маринов", "role": None},
        {"name": "Десислава Кънева", "role": "министър"},
    ],
    "institutions": [
        {"name": "МТСП", "abbr": "МТСП"},
        {"name": "Агенция за социално подпомагане", "abbr": "АСП"},
    ],
    "projects": [
        {"code": "BG05SFPR002-2.004-0003", "name": "„Приемна грижа – шанс за всяко дете“"}
    ],
    "places": ["плевен", "Габрово"],
}


def test_score_sets_counts_duplicates_as_false_positives() -> None:
    assert score_sets(["a", "b", "c"], ["b", "c", "d"]) == (2, 1, 1)
    assert score_sets(["a"], ["a", "a"]) == (1, 1, 0)
    assert score_sets([], []) == (0, 0, 0)
    assert score_sets(["a", "b"], []) == (0, 0, 2)


def test_prf() -> None:
    m = prf(2, 1, 1)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    nothing_predicted = prf(0, 0, 3)
    assert nothing_predicted["precision"] is None
    assert nothing_predicted["recall"] == 0.0
    assert nothing_predicted["f1"] == 0.0
    assert prf(0, 0, 0)["f1"] is None
    assert prf(0, 2, 0)["recall"] is None and prf(0, 2, 0)["precision"] == 0.0


def test_role_overlap() -> None:
    gold = "заместник-министър на труда и социалната политика"
    assert role_overlap(gold, gold) == 1.0
    assert role_overlap(gold, "Заместник-министър на труда") == pytest.approx(4 / 7)
    assert role_overlap(gold, None) == 0.0
    assert role_overlap(None, "кмет") is None


def test_match_people_by_normalised_name() -> None:
    pairs, missed, fps = match_people(GOLD["people"], PRED["people"])
    assert [g["name"] for g, _ in pairs] == ["Иванка Колева", "Стефан Маринов"]
    assert [g["name"] for g in missed] == ["Мария Петрова"]
    assert [p["name"] for p in fps] == ["Десислава Кънева"]


def test_match_institutions_by_name_or_abbreviation() -> None:
    gold = [
        {"name": "Агенция за социално подпомагане", "abbr": "АСП"},
        {"name": "Регионална дирекция „Социално подпомагане“", "abbr": "РДСП"},
        {"name": "Община Плевен", "abbr": None},
    ]
    pred = [
        {"name": "АСП", "abbr": "АСП"},  # abbreviation match
        {"name": 'регионална дирекция "Социално  подпомагане"', "abbr": None},  # name match
        {"name": "Община Ловеч", "abbr": None},
        {"name": "Агенция за социално подпомагане", "abbr": None},  # duplicate of the first
    ]
    pairs, missed, fps = match_institutions(gold, pred)
    assert len(pairs) == 2
    assert [g["name"] for g in missed] == ["Община Плевен"]
    assert {p["name"] for p in fps} == {"Община Ловеч", "АСП"}


def test_name_match_wins_over_abbreviation_match() -> None:
    gold = [{"name": "Агенция за социално подпомагане", "abbr": "АСП"}]
    pred = [
        {"name": "Нещо друго", "abbr": "АСП"},
        {"name": "Агенция за социално подпомагане", "abbr": None},
    ]
    pairs, missed, fps = match_institutions(gold, pred)
    assert pairs[0][1]["name"] == "Агенция за социално подпомагане"
    assert fps == [pred[0]] and missed == []


def test_null_abbreviations_never_match() -> None:
    pairs, _, _ = match_institutions(
        [{"name": "Община Враца", "abbr": None}], [{"name": "Община Лом", "abbr": None}]
    )
    assert pairs == []


def test_normalisers() -> None:
    assert (
        norm_title("„Да бъдеш“  родител")
        == norm_title("«Да бъдеш» родител")
        == norm_title('"Да бъдеш" родител')
    )
    assert norm_title("А") != norm_title("а")  # titles keep their case
    assert norm_label("Фондация „Лумос” ") == norm_label("фондация Лумос")


def test_score_page() -> None:
    counts, misses = score_page(GOLD, PRED)
    assert counts["title"] == [1, 1]  # quote style and double space are not errors
    assert counts["published"] == [0, 1]
    assert counts["event_dates"] == [1, 1, 1]
    assert counts["people"] == [2, 1, 1]
    # Колева: 4 of 7 gold role tokens; Маринов: 0 of 4; Петрова has no gold role
    assert counts["role"][1] == 2
    assert counts["role"][0] == pytest.approx(4 / 7)
    assert counts["institutions"] == [1, 1, 1]
    assert counts["project_codes"] == [1, 0, 0]
    assert counts["project_names"] == [1, 0, 0]  # quotes stripped
    assert counts["places"] == [1, 1, 1]
    assert counts["must_include"] == [2, 2]  # newlines collapse to spaces
    assert counts["must_exclude"] == [0, 2]
    assert counts["boilerplate_people"] == 1  # Кънева is only in a related-post teaser
    assert ("event_dates", "missed", "2025-11-20") in misses
    assert ("event_dates", "false positive", "2025-11-27") in misses
    assert ("people", "missed", "Мария Петрова") in misses
    assert ("places", "false positive", "габрово") in misses
    assert ("published", "missed", "2025-11-13") in misses


def test_leakage_in_any_field() -> None:
    pred = {**PRED, "people": [{"name": "Споделете", "role": "Споделете тази  публикация"}]}
    counts, misses = score_page(GOLD, pred)
    assert counts["must_exclude"] == [1, 2]
    assert ("must_exclude", "false positive", "Споделете тази публикация") in misses
    pred = {**PRED, "title": PRED["title"] + " Министър Десислава Кънева участва"}
    assert score_page(GOLD, pred)[0]["must_exclude"] == [1, 2]


def test_boilerplate_people_ignores_gold_surnames() -> None:
    gold = {**GOLD, "must_exclude": ["Иванка Колева откри", "Кънева участва"]}
    pred = {
        "people": [{"name": "И. Колева"}, {"name": "Десислава Кънева"}, {"name": "Петър Иванов"}]
    }
    assert boilerplate_people(gold, pred) == ["Десислава Кънева"]


def test_empty_prediction() -> None:
    counts, misses = score_page(GOLD, {})
    m = metrics(counts)
    assert m["title"]["accuracy"] == 0.0
    assert m["people"]["recall"] == 0.0 and m["people"]["precision"] is None
    assert m["must_include"]["recall"] == 0.0
    assert m["must_exclude"]["leakage"] == 0.0


def test_micro_average_over_pages() -> None:
    total = empty_counts()
    a, _ = score_page({**GOLD, "places": ["Плевен"]}, {"places": ["Плевен"]})
    b, _ = score_page({**GOLD, "places": ["Ловеч", "Габрово", "Враца"]}, {"places": []})
    add_counts(total, a)
    add_counts(total, b)
    m = metrics(total)
    assert m["pages"] == 2
    assert m["places"]["recall"] == pytest.approx(1 / 4)  # micro, not (1 + 0) / 2
    assert m["places"]["precision"] == 1.0


def test_request_headers_look_like_httpx() -> None:
    h = request_headers({"path": "/x", "file": "www/x.html", "headers": {"Last-Modified": "x"}})
    assert h == {"last-modified": "x", "content-type": "text/html"}
    h = request_headers(
        {"path": "/x", "file": "x.html", "content_type": "text/html; charset=windows-1251"}
    )
    assert h["content-type"] == "text/html; charset=windows-1251"


def test_format_misses() -> None:
    misses = [
        {
            "site": "mlsp",
            "path": "/a",
            "field": "people",
            "kind": "missed",
            "value": "Иванка Колева",
        }
    ]
    assert format_misses(misses) == "mlsp:/a people: missed Иванка Колева"


def test_run_eval_with_fake_extractor(tmp_path: Path) -> None:
    """run_eval wires bytes, URL and headers through and scores per site and overall."""
    site = tmp_path / "sites" / "t"
    (site / "www").mkdir(parents=True)
    (site / "www" / "a.html").write_bytes("<h1>Колева</h1>".encode("cp1251"))
    (site / "site.json").write_text(
        json.dumps({"id": "t", "host": "t.example", "start": "/a/", "soft404": None})
    )
    routes = [
        {"path": "/a/", "file": "www/a.html", "content_type": "text/html; charset=windows-1251"}
    ]
    (site / "routes.json").write_text(json.dumps(routes))
    (site / "gold.json").write_text(json.dumps([GOLD], ensure_ascii=False), encoding="utf-8")
    seen = {}

    def fake(raw: bytes, url: str, headers: dict[str, str]) -> dict:
        seen.update(raw=raw, url=url, headers=headers)
        return PRED

    result = run_eval(tmp_path, extract=fake)
    assert seen["url"] == "https://t.example/a/"
    assert seen["headers"]["content-type"] == "text/html; charset=windows-1251"
    assert seen["raw"] == "<h1>Колева</h1>".encode("cp1251")
    assert result["pages"] == 1
    assert result["sites"]["t"]["title"]["accuracy"] == 1.0
    assert result["overall"]["event_dates"]["tp"] == 1
    assert any(m["field"] == "places" and m["path"] == "/a/" for m in result["misses"])
    table = format_table(result)
    assert "title accuracy" in table and "overall" in table
    with pytest.raises(ValueError):
        run_eval(tmp_path, site="nope", extract=fake)


def test_run_eval_survives_extractor_errors(tmp_path: Path) -> None:
    site = tmp_path / "sites" / "t"
    (site / "www").mkdir(parents=True)
    (site / "www" / "a.html").write_text("<p>x</p>")
    (site / "site.json").write_text(json.dumps({"id": "t", "host": "t.example", "start": "/a/"}))
    (site / "routes.json").write_text(json.dumps([{"path": "/a/", "file": "www/a.html"}]))
    (site / "gold.json").write_text(json.dumps([GOLD], ensure_ascii=False), encoding="utf-8")

    def broken(raw: bytes, url: str, headers: dict[str, str]) -> dict:
        raise ValueError("boom")

    result = run_eval(tmp_path, extract=broken)
    assert result["overall"]["title"]["accuracy"] == 0.0
    assert any(m["field"] == "error" and "boom" in m["value"] for m in result["misses"])
