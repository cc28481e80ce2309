"""Make hostile HTML safe to parse, and text safe to print.

Lexbor's tree building is quadratic in nesting depth: 100,000 nested ``<div>``
take half a minute to parse.  Real article pages nest well under a hundred
levels, so tags beyond a generous depth are dropped before parsing, which
keeps their text and bounds the parse time.
"""

from __future__ import annotations

import re

MAX_DEPTH = 400
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# Elements whose end tag is optional in practice: counting them would make a
# page with a thousand unclosed <p> look deep when it is flat.
_IMPLIED_END = frozenset(
    ["p", "li", "td", "th", "tr", "dt", "dd", "option", "tbody", "thead", "tfoot", "colgroup"]
)
# C0/C1 control characters and ANSI/OSC escape sequences: crawled text must
# never drive the user's terminal.
_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b.?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def defuse_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop opening (and matching closing) tags nested deeper than ``max_depth``."""
    if html.count("<") < max_depth:
        return html
    out: list[str] = []
    last = 0
    depth = excess = 0
    for m in _TAG.finditer(html):
        closing, name, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or name in _IMPLIED_END or selfclose:
            continue
        drop = False
        if not closing:
            if depth >= max_depth:
                excess += 1
                drop = True
            else:
                depth += 1
        elif excess:
            excess -= 1
            drop = True
        else:
            depth = max(0, depth - 1)
        if drop:
            out.append(html[last : m.start()])
            last = m.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (keeps \\t and \\n)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))
