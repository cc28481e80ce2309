from __future__ import annotations

from crawler.extract.wire import strip_wire


def test_wire_header_byline_and_sign_off_leave_the_text() -> None:
    paras = [
        "Снимка: Деница Христова, БТА",
        "Плевен, 13 ноември /Деница Христова, БТА/ Заместник-министърът на труда откри днес информационен ден.",
        "Следващите срещи са на 20 ноември в Ловеч и на 27 ноември в Габрово. /ПП/",
    ]
    out, dateline = strip_wire(paras)
    assert dateline == "Плевен, 13 ноември"
    assert out == [
        "Заместник-министърът на труда откри днес информационен ден.",
        "Следващите срещи са на 20 ноември в Ловеч и на 27 ноември в Габрово.",
    ]


def test_ordinary_paragraphs_are_untouched() -> None:
    paras = [
        "На 27 септември се проведе среща между директорите.",
        "Обсъдиха се целите /за 2024 г./ и задачите.",
    ]
    assert strip_wire(paras) == (paras, None)
