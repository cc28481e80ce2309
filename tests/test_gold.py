"""The gold annotations of every fixture site are well-formed and true to their pages.

The first test is the one that matters day to day: it runs the checker over
the repository's fixtures, so a gold typo fails CI instead of quietly lowering
an extraction score. The others make sure the checker itself still catches
the mistakes it exists for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.check_gold import (
    FIXTURES_DIR,
    Page,
    check_fixtures,
    decode_page,
    main,
    normalise_code,
    site_dirs,
)

ARTICLE = """<html><head><title>t</title></head><body>
<nav><a href="/">Начало</a> <a href="/novini">Новини</a></nav>
<h1>Кметът откри център</h1>
<div class="text"><p>На 5 май кметът на община Враца Иван Петров откри<br>
нов център в гр. Враца по проект BG05М9ОР001-2.003-0001.</p>
<p>Агенцията за социално подпомагане (АСП) ще помага на <b>общината</b>.</p></div>
<footer>ул. „Христо Ботев“ № 1, тел. 02 000 000</footer>
</body></html>"""

GOOD_RECORD = {
    "path": "/a/",
    "title": "Кметът откри център",
    "published": "2024-05-06",
    "event_dates": ["2024-05-05"],
    "people": [{"name": "Иван Петров", "role": "кмет на община Враца"}],
    "institutions": [
        {"name": "Община Враца", "abbr": None},
        {"name": "Агенция за социално подпомагане", "abbr": "АСП"},
    ],
    "projects": [{"code": "BG05M9OP001-2.003-0001", "name": None}],
    "places": ["Враца"],
    "must_include": [
        "На 5 май кметът на община Враца",
        "откри нов център в гр. Враца",
        "ще помага на общината.",
    ],
    "must_exclude": ["ул. „Христо Ботев“ № 1", "Начало Новини", "тел. 02 000 000"],
    "duplicate_of": None,
}


def make_site(root: Path, record: dict, page: bytes = ARTICLE.encode(), **site: object) -> Path:
    """A one-page fixture site under ``root/sites/t``."""
    d = root / "sites" / "t"
    (d / "www").mkdir(parents=True)
    (d / "www" / "a.html").write_bytes(page)
    meta = {"id": "t", "host": "t.example", "start": "/a/", "soft404": None, **site}
    (d / "site.json").write_text(json.dumps(meta), encoding="utf-8")
    routes = [{"path": "/a/", "file": "www/a.html"}]
    (d / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    (d / "gold.json").write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    return root


def test_repository_fixtures_are_consistent() -> None:
    """Every site under fixtures/sites passes the checker."""
    assert site_dirs(FIXTURES_DIR), "no fixture sites found"
    problems = check_fixtures(FIXTURES_DIR)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("site_dir", site_dirs(FIXTURES_DIR), ids=lambda p: p.name)
def test_every_site_has_gold(site_dir: Path) -> None:
    """A site without gold would make the benchmark silently skip it."""
    gold = json.loads((site_dir / "gold.json").read_text(encoding="utf-8"))
    assert isinstance(gold, list) and gold


def test_good_site_passes(tmp_path: Path) -> None:
    assert check_fixtures(make_site(tmp_path, GOOD_RECORD)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": "Кметът откри центъра"}, "title not found"),
        ({"must_include": ["На 5 май", "нов център", "несъществуващ текст"]}, "snippet not found"),
        ({"published": "06.05.2024"}, "not an ISO date"),
        ({"event_dates": ["2024-05-06", "2024-05-05"]}, "sorted"),
        ({"people": [{"name": "Иван Георгиев", "role": None}]}, "surname not on the page"),
        ({"places": ["Монтана"]}, "place 'Монтана'"),
        ({"projects": [{"code": "BG05M9OP001-2.004-0001", "name": None}]}, "not found on the page"),
        ({"projects": [{"code": "BG05М9ОР001-2.003-0001", "name": None}]}, "look-alike"),
        ({"projects": [{"code": None, "name": None}]}, "neither code nor name"),
        (
            {"institutions": [{"name": "Национален осигурителен институт", "abbr": "НОИ"}]},
            "not on the page",
        ),
        ({"duplicate_of": "t:/nowhere/"}, "duplicate_of"),
        ({"must_exclude": ["кметът на община Враца", "Начало", "тел."]}, "overlaps"),
        ({"path": "/b/"}, "not a route"),
        ({"extra": 1}, "unknown keys"),
    ],
)
def test_bad_gold_is_reported(tmp_path: Path, change: dict, expected: str) -> None:
    problems = check_fixtures(make_site(tmp_path, {**GOOD_RECORD, **change}))
    assert any(expected in p for p in problems), problems


def test_ministry_implied_by_ministerial_title(tmp_path: Path) -> None:
    page = ARTICLE.replace("Агенцията за социално подпомагане (АСП)", "министърът на труда")
    rec = {
        **GOOD_RECORD,
        "must_include": GOOD_RECORD["must_include"][:2] + ["министърът на труда ще помага"],
        "institutions": [{"name": "Министерство на труда и социалната политика", "abbr": "МТСП"}],
    }
    assert check_fixtures(make_site(tmp_path, rec, page.encode())) == []


def test_windows_1251_page_without_declaration(tmp_path: Path) -> None:
    """A cp1251 page with no charset anywhere is still checked correctly."""
    assert check_fixtures(make_site(tmp_path, GOOD_RECORD, ARTICLE.encode("cp1251"))) == []


def test_missing_soft404_file(tmp_path: Path) -> None:
    problems = check_fixtures(make_site(tmp_path, GOOD_RECORD, soft404="www/404.html"))
    assert any("soft404" in p for p in problems)


def test_decode_order() -> None:
    text = "Агенция „Социално подпомагане“"
    cp = text.encode("cp1251")
    assert decode_page(cp, "text/html; charset=windows-1251") == text
    assert decode_page(b'<meta charset="windows-1251">' + cp).endswith(text)
    assert decode_page(cp, "text/html") == text  # no declaration: cp1251 fallback
    assert decode_page(text.encode("utf-8"), "text/html") == text
    assert decode_page(b"\xef\xbb\xbf" + text.encode("utf-8"), "text/html; charset=cp1251") == text


def test_page_forms_span_tags() -> None:
    page = Page.from_bytes(ARTICLE.encode(), "text/html; charset=utf-8")
    assert page.has("откри нов център")  # across <br>
    assert page.has("помага на общината.")  # across <b>
    assert page.has("ул. „Христо Ботев“ № 1")
    assert page.has("Новини Кметът откри център")  # blocks are separated by a space


def test_image_alt_text_is_visible() -> None:
    page = Page.from_bytes(
        b'<td>Title</td><td><img src="p.png" alt="PDF" /></td><td><img alt="Print"></td>', None
    )
    assert page.has("Title PDF Print")


def test_normalise_code() -> None:
    assert normalise_code("BG05М9ОР001-3.006-0001") == normalise_code("BG05M9OP001-3.006-0001")
    assert normalise_code("BG05M9OP0012.003") == normalise_code("BG05M9OP001-2.003")
    assert normalise_code("bg03-пс01-50") == "BG03ПC0150"


def test_cli_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(tmp_path, {**GOOD_RECORD, "title": "липсва"})
    assert main(["--fixtures", str(root)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("t:/a/: title not found")
