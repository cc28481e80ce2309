"""Wire-service furniture around a news text: datelines, bylines, sign-offs, captions.

Portals print agency copy as «Плевен, 13 ноември /Деница Христова, БТА/ Текст…
/ПП/».  The reporter is not a person of the story and the agency marks are not
text, so they leave the main text; the dateline is kept aside because it
anchors relative dates («днес», «вчера») of the story.
"""

from __future__ import annotations

import re

# «Плевен, 13 ноември /Име Фамилия, БТА/» or «София, 5 ноември 2025 (БТА)» at a paragraph start.
_WIRE_HEAD = re.compile(
    r"^\s*(?P<dateline>[А-ЯЁA-Z][\w.\- ]{1,40},\s+\d{1,2}\s+[а-яА-Я]{3,12}(?:\s+\d{4})?(?:\s*г\.)?)"
    r"\s*(?:/[^/\n]{2,80}/|\((?:БТА|BTA|Фокус|БГНЕС)\))\s*"
)
_AGENCY_ONLY = re.compile(r"^\s*/?(?:БТА|BTA)/?\s*[-–—]?\s*")
# «/ПП/», «/ИГ, ЕК/» at the very end of the story.
_SIGN_OFF = re.compile(r"\s*/[А-ЯA-Z]{1,4}(?:\s*,\s*[А-ЯA-Z]{1,4})*/\s*$")
_CREDIT = re.compile(
    r"^\s*(?:Снимк[аи]|Фото|Фотограф|Автор|Текст|Източник|Видео|Редактор)\s*:", re.I
)


def strip_wire(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Remove wire headers, sign-offs and credit lines; return (paragraphs, dateline)."""
    out = [p for p in paragraphs if not _CREDIT.match(p)]
    dateline = None
    if out:
        m = _WIRE_HEAD.match(out[0])
        if m:
            dateline = m.group("dateline")
            out[0] = out[0][m.end() :].strip()
    if out:
        out[-1] = _SIGN_OFF.sub("", out[-1]).strip()
    return [p for p in out if p], dateline
