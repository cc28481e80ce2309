from __future__ import annotations

import codecs

from crawler.encoding import decode_html, repair_mojibake

TEXT = "Агенцията за социално подпомагане проведе работна среща в Плевен."
PAGE = f"<html><head><title>Новини</title></head><body><p>{TEXT}</p></body></html>"


def test_utf8_without_declaration() -> None:
    text, codec = decode_html(PAGE.encode("utf-8"))
    assert TEXT in text and codec == "utf-8"


def test_windows_1251_declared_in_header_only() -> None:
    text, codec = decode_html(
        PAGE.encode("cp1251"), {"Content-Type": "text/html; charset=windows-1251"}
    )
    assert TEXT in text and codec == "cp1251"


def test_windows_1251_declared_in_meta_only() -> None:
    page = PAGE.replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    )
    text, _ = decode_html(page.encode("cp1251"), {"Content-Type": "text/html"})
    assert TEXT in text


def test_windows_1251_declared_nowhere() -> None:
    text, codec = decode_html(PAGE.encode("cp1251"))
    assert TEXT in text and codec == "cp1251"


def test_wrong_declaration_falls_back_to_detection() -> None:
    # header says utf-8, bytes are windows-1251: the bytes win
    text, _ = decode_html(PAGE.encode("cp1251"), {"content-type": "text/html; charset=utf-8"})
    assert TEXT in text


def test_bom_wins() -> None:
    text, codec = decode_html(
        codecs.BOM_UTF8 + PAGE.encode("utf-8"), {"Content-Type": "text/html; charset=windows-1251"}
    )
    assert TEXT in text and codec == "utf-8"


def test_mojibake_is_repaired() -> None:
    broken = TEXT.encode("utf-8").decode("cp1251")
    assert repair_mojibake(broken) == TEXT
    # declared windows-1251 but really UTF-8: what a misconfigured server produces
    text, _ = decode_html(PAGE.encode("utf-8"), {"Content-Type": "text/html; charset=windows-1251"})
    assert TEXT in text


def test_clean_text_is_left_alone() -> None:
    s = "Република България, РДСП – Враца, СОС"
    assert repair_mojibake(s) == s
