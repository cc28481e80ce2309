"""Turn a page's bytes into text the way a browser would, then repair mojibake.

Order of evidence: HTTP ``Content-Type`` charset, byte-order mark, ``<meta>``
charset in the first bytes, then detection.  Detection matters here because
old Bulgarian government sites (Joomla 1.0 era) serve windows-1251 with no
declaration at all; a declared charset that does not decode cleanly is treated
as a lie and detection takes over, because a page that decodes to replacement
characters would poison the index.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UTF-8 Cyrillic read as windows-1251 turns every letter into "Р" or "С" plus
# another character: "Агенция" becomes "РђРіРµРЅС†РёСЏ".
# Runs of two or more such pairs are tried; a run only changes when its bytes
# really are UTF-8, which genuine Bulgarian text never is.
_MOJIBAKE = re.compile(
    r"(?:[РС][\u0400-\u045f\u0490\u0491\u00a0-\u00bf\u2010-\u203a\u20ac\u2116\u2122])"
    r"(?:[РСТ][\u0400-\u045f\u0490\u0491\u00a0-\u00bf\u2010-\u203a\u20ac\u2116\u2122]|[ -~])*"
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    aliases = {"cp-1251": "cp1251", "win-1251": "cp1251", "x-cp1251": "cp1251"}
    name = aliases.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_headers(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "content-type":
            m = _HEADER_CHARSET.search(value)
            return normalize_charset(m.group(1)) if m else None
    return None


def sniff_meta_charset(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:4096])
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def detect(raw: bytes) -> str:
    """Guess the codec of undeclared bytes; Bulgarian sites are UTF-8 or windows-1251."""
    if _strict(raw, "utf-8") is not None:
        return "utf-8"
    text = raw.decode("cp1251", errors="replace")
    letters = sum(1 for ch in text if ch.isalpha())
    cyr = len(_CYRILLIC.findall(text))
    if letters and cyr / letters > 0.3:
        return "cp1251"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:65536]).best()
        if best is not None and best.encoding:
            return normalize_charset(best.encoding) or "utf-8"
    except Exception:  # noqa: BLE001 - detection is best effort; fall back below
        pass
    return "utf-8"


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as windows-1251, run by run, when it round-trips."""
    if not _MOJIBAKE.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        try:
            return m.group(0).encode("cp1251").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return m.group(0)

    return _MOJIBAKE.sub(fix, text)


def decode_html(raw: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, codec used)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec, errors="replace"), codec
    for declared in (charset_from_headers(headers), sniff_meta_charset(raw)):
        if declared:
            text = _strict(raw, declared)
            if text is not None:
                return repair_mojibake(text), declared
    codec = detect(raw)
    return repair_mojibake(raw.decode(codec, errors="replace")), codec
