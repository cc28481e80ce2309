from __future__ import annotations

import time

from selectolax.lexbor import LexborHTMLParser

from crawler.extract.htmlsafe import defuse_nesting, strip_controls


def test_deep_nesting_is_bounded_and_keeps_text() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "дълбоко" + "</div>" * 100_000 + "</body></html>"
    start = time.perf_counter()
    tree = LexborHTMLParser(defuse_nesting(html))
    assert time.perf_counter() - start < 5
    assert "дълбоко" in tree.body.text()


def test_normal_pages_are_untouched() -> None:
    html = "<html><body>" + "<p>абзац</p>" * 2000 + "<div><div><p>x</p></div></div></body></html>"
    assert defuse_nesting(html) == html


def test_terminal_escapes_are_removed() -> None:
    s = "Заглавие\x1b[31m червено\x1b[0m\x1b]0;hijack\x07 край\x07\x00"
    assert strip_controls(s) == "Заглавие червено край"
    assert strip_controls("ред\nнов\tтаб") == "ред\nнов\tтаб"
