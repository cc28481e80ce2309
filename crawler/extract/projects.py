"""Named projects, operations and procedures, with their EU codes.

A project is recognised by what introduces it: the words «проект», «операция»,
«процедура» (any form) or a project code, followed by a quoted title. Quotes
come in every style the field uses („…“, „…”, „…", «…», "…“, "…", a space
before the closing quote, one quote missing), so the quoted span is read by
the same balanced-quote scanner the role extractor uses, with fall-backs for
unbalanced quotes.

Things that look like «проект „…“» but are not projects are refused by their
context: a draft («проект на Закон за …», «проект на наредба»), or a quote that
belongs to an institution, campaign, strategy, forum or programme named between
the keyword and the quote («проект на Оперативна програма „…“»).

Codes come from :mod:`crawler.extract.codes`: upper-case Latin, Cyrillic
look-alikes mapped, a missing hyphen restored. A code and a name printed next
to each other are one project; the same project written twice with small
wording differences («Повишаване капацитета на …» / «Повишаване на капацитета
на …», seeds 001 and 004) is merged, keeping the name printed beside the code.
When a page has exactly one project code without a name and one project name
without a code, the two are the same project and are paired.

Codes of other schemes (``BG03-ПС01-50``, EEA and Norway grants) are not
repaired by ``codes``; when one directly follows «проект» / «проект №» it is
kept exactly as printed, because there it clearly labels a project and is the
only handle a researcher has on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.codes import find_codes, parse_code
from crawler.extract.roles import normalize_quotes, quote_end
from crawler.record import Project

__all__ = ["find_projects", "project_name_key"]


def _words(s: str) -> frozenset[str]:
    """A word set written as one string (keeps long vocabulary lists readable)."""
    return frozenset(s.split())


_HS = r"[ \t\u00a0]"
_TRIGGER = re.compile(
    r"(?<![\w-])(?P<kw>проект(?:а|ът|и|ите)?|проектно"
    + _HS
    + r"+предложение(?:то)?|операция(?:та)?|операции(?:те)?|процедура(?:та)?|процедури(?:те)?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_PLURAL_KW = ("проекти", "проектите", "операции", "операциите", "процедури", "процедурите")

# A code of another scheme, kept as printed: letters+digits groups joined by
# hyphens, with at least one digit and one hyphen («BG03-ПС01-50»).
_OTHER_CODE = re.compile(
    r"(?<![\w-])(?=[\w-]*\d)[A-ZА-Я]{2,}[A-ZА-Я0-9.]*(?:-[A-ZА-Я0-9.]+){1,4}(?![\w-])"
)

# What may stand between the keyword and the quoted title.
_NAMING = re.compile(
    rf"{_HS}*(?:[:–—-]|с{_HS}+наименование|със{_HS}+заглавие|озаглавен[аи]?|наречен[аи]?|"
    rf"под{_HS}+надслов|с{_HS}+име)?{_HS}*",
    re.IGNORECASE,
)
_FILLER_WORD = re.compile(rf"{_HS}*(?P<w>[^\W\d_][\w-]*\.?)", re.UNICODE)
_FILLER_START = frozenset({"на", "за", "по", "от", "към", "в", "са"})
_MAX_FILLER = 8

# «проект на закон» is a draft, not a project.
_DRAFT_WORDS = _words("""
    закон закона законa наредба наредбата наредби постановление постановлението решение
    решението правилник правилника бюджет бюджета стратегия стратегията план плана
    програма програмата споразумение споразумението договор договора документ доклад
    доклада методика методиката указания концепция концепцията кодекс кодекса тарифа
    заповед заповедта инструкция инструкцията правила изменение изменения изменението
    становище становището дневен устав устава
    """)
# A quote right after one of these names that thing, not the project.
_TYPE_NOUNS = _words("""
    програма програмата програми фонд фонда фондът дирекция дирекцията агенция агенцията
    сдружение сдружението фондация фондацията община общината център центъра отдел отдела
    кампания кампанията кампании стратегия стратегията форум форума тема темата изложба
    изложбата закон закона наредба наредбата конкурс конкурса инициатива инициативата
    мрежа мрежата платформа платформата министерство министерството конференция
    конференцията награда наградата ос оста приоритет приоритета схема схемата мярка мярката
    сдружение асоциация асоциацията съюз съюза оп пррр прчр опрчр
    клуб клуба клубът читалище читалището училище училището градина градината дом дома
    хор хора ансамбъл ансамбъла театър театъра вестник вестника
    """)
_STOP_IN_FILLER = _words("е бе беше бяха се ще не да че който която което които като и а но или")
_UNBALANCED_END = re.compile(
    r"[.;!?](?=\s|$)|\n|\(|,\s+(?:финансиран|съфинансиран|който|която|което|които|изпълняван|"
    r"реализиран|по\s|чрез|на\s+стойност|с\s+бюджет|с\s+продължителност)"
)
_FUNCTION_WORDS = _words("на за в във и с със по от до към при а или чрез о у")
_LAT_TO_CYR = str.maketrans("aeopcxyAEOPCXYKMHTB", "аеорсхуАЕОРСХУКМНТВ")
_MAX_NAME = 300
_SENTENCES = re.compile(r"(?P<word>[\w-]*)[.!?]\s+[А-ЯA-Z]")
# «… в гр. Ихтиман»: a period after these is an abbreviation, not a sentence end
_ABBREV_DOT = _words(
    "гр с ул бул обл общ кв ж.к жк пл д-р проф доц инж арх г-жа г-н св бл ап вх ет"
)
_NUMBER_SIGN = re.compile(rf"{_HS}*(?:№{_HS}*)?")
_COMMA = re.compile(rf"{_HS}*,?")
_SPACES = re.compile(rf"{_HS}*")
_LIST_SEP = re.compile(rf"{_HS}*(?:,|и){_HS}*")
_CODE_TO_NAME = re.compile(r"[ \t\u00a0,:–—-]*")
_NAME_TO_CODE = re.compile(r"[“”\"»][ \t\u00a0]*[,(–—-]?[ \t\u00a0]*(?:№[ \t\u00a0]*)?$")


@dataclass(slots=True)
class _Item:
    pos: int
    code: str | None
    name: str | None


def project_name_key(name: str) -> str:
    """Normalised token sequence of a name, short function words dropped.

    Two spellings of one project title usually differ only in prepositions
    («Повишаване капацитета на …» / «Повишаване на капацитета на …»), quotes,
    case or a Latin look-alike letter; they get the same key.
    """
    s = name.translate(_LAT_TO_CYR).casefold()
    return " ".join(t for t in re.findall(r"\w+", s) if t not in _FUNCTION_WORDS)


def _clean(name: str) -> str | None:
    name = normalize_quotes(" ".join(name.split())).strip(" ,;:–—-")
    name = re.sub(r"„\s+", "„", re.sub(r"\s+“", "“", name))
    if not name or not re.search(r"\w", name) or len(name) > _MAX_NAME:
        return None
    # Project titles are capitalised single phrases; a lower-case term
    # («професията „социален работник“») or a quoted statement of several
    # sentences is something else.
    if not (name[0].isupper() or name[0].isdigit()):
        return None
    if any(m.group("word").lower() not in _ABBREV_DOT for m in _SENTENCES.finditer(name)):
        return None
    return name


def _quoted_at(doc: str, pos: int) -> tuple[str | None, int]:
    """The title quoted at ``pos`` (an opening quote) and the index after it."""
    q = quote_end(doc, pos)
    if q > 0:
        return _clean(doc[pos + 1 : q - 1]), q
    # Unbalanced: no closing quote, read to the end of the title's sentence.
    m = _UNBALANCED_END.search(doc, pos + 1, min(len(doc), pos + 1 + _MAX_NAME))
    end = m.start() if m else min(len(doc), pos + 1 + _MAX_NAME)
    if end - pos > 220:
        return None, pos + 1
    return _clean(doc[pos + 1 : end]), end


def _closing_only(doc: str, pos: int) -> tuple[str | None, int]:
    """«по проект Социално включване“»: the opening quote is missing."""
    if pos >= len(doc) or not doc[pos].isupper():
        return None, pos
    window = doc[pos : pos + 200]
    m = re.search(r"[“”\"»]", window)
    if m is None or re.search(r"[„«.;\n]", window[: m.start()]):
        return None, pos
    return _clean(window[: m.start()]), pos + m.end()


def _skip_filler(doc: str, pos: int) -> int | None:
    """Skip «на Агенция социално подпомагане» etc. before a quoted title.

    Returns the position of the opening quote, or None when the words in
    between make the quote something other than this project's title.
    """
    i = pos
    words: list[str] = []
    while len(words) <= _MAX_FILLER:
        m = _NAMING.match(doc, i)
        j = m.end() if m else i
        if j < len(doc) and doc[j] in '„«"“':
            if words and words[-1].lower() in _TYPE_NOUNS:
                return None
            return j
        w = _FILLER_WORD.match(doc, i)
        if w is None:
            return None
        word = w.group("w")
        wl = word.lower()
        if not words and wl not in _FILLER_START:
            return None
        if wl in _STOP_IN_FILLER or wl.endswith("."):
            return None
        if len(words) == 1 and words[0].lower() == "на" and wl in _DRAFT_WORDS:
            return None  # «проект на закон»: a draft
        words.append(word)
        i = w.end()
    return None


def _after_keyword(
    doc: str, kw_start: int, kw_end: int, codes_at: dict[int, tuple[int, str]]
) -> tuple[_Item | None, int]:
    """Parse what follows one keyword: an optional code, then a quoted title.

    Returns the item (or None) and the position where the title ended, so that
    a plural keyword can read further titles of a list.
    """
    j = _NUMBER_SIGN.match(doc, kw_end).end()
    i = kw_end
    code = None
    if j in codes_at:
        i, code = codes_at[j]
    else:
        other = _OTHER_CODE.match(doc, j)
        if other and ("№" in doc[kw_end:j] or doc[j : j + 2].isupper()):
            code = other.group().rstrip(".")
            i = other.end()
    # Title: right after (code,) naming words or filler, or with no opening quote.
    q = _skip_filler(doc, _COMMA.match(doc, i).end())
    name = None
    if q is not None:
        name, i = _quoted_at(doc, q)
    elif code is None:
        name, i = _closing_only(doc, _SPACES.match(doc, i).end())
    if code is None and name is None:
        return None, i
    return _Item(kw_start, code, name), i


_SENTENCE_END = re.compile(r"[.!?;](?=\s+[А-ЯA-Z„«\"]|\s*$)|\n")
_LIST_TAIL = re.compile(r"(?:^|,|\sи|\sкакто\s+и)[ \t\u00a0]*$")


def _more_titles(doc: str, pos: int) -> list[_Item]:
    """Further titles of a list after a plural keyword, up to the sentence end.

    «по проектите „А“, „Б“ и „В“», but also «проектите са „А“ на Сдружение „Б“
    от Пазарджик, "В" на Фондация „Г“ …»: a quote right after an organisation
    noun names the owner, not another project.
    """
    out = []
    stop = _SENTENCE_END.search(doc, pos)
    end = stop.start() if stop else len(doc)
    i = pos
    while i < end:
        j = next((k for k in range(i, end) if doc[k] in '„«"“'), None)
        if j is None:
            break
        name, after = _quoted_at(doc, j)
        if after <= j:
            break
        # a further title follows a list separator; anything else before the
        # quote («на Спортен клуб за хора с увреждания „Струма“») names its owner
        if name is not None and _LIST_TAIL.search(doc[i:j]) is not None:
            out.append(_Item(j, None, name))
        i = after
    return out


def find_projects(text: str, title: str = "") -> list[Project]:
    """Projects named in the title and text, each once, in order of first mention."""
    doc = f"{title}\n\n{text}" if title else text
    codes = find_codes(doc)
    codes_at = {s: (e, c) for s, e, c in codes}
    items: list[_Item] = []
    taken_codes: set[int] = set()

    for m in _TRIGGER.finditer(doc):
        item, end = _after_keyword(doc, m.start(), m.end(), codes_at)
        if item is None:
            continue
        items.append(item)
        if item.code:
            taken_codes.add(_NUMBER_SIGN.match(doc, m.end()).end())
        if item.name and m.group("kw").lower() in _PLURAL_KW:
            items.extend(_more_titles(doc, end))

    # Codes not introduced by a keyword: «… BG05M9OP001-2.003-0001 „Име“» or
    # «„Име“ (BG05M9OP001-2.003-0001)».
    for s, e, code in codes:
        if s in taken_codes:
            continue
        name = None
        k = _CODE_TO_NAME.match(doc, e).end()
        if k < len(doc) and doc[k] in '„«"“' and k - e <= 6:
            name, _ = _quoted_at(doc, k)
        else:
            bm = _NAME_TO_CODE.search(doc, max(0, s - 16), s)
            if bm:
                name = _name_ending_at(doc, bm.start())
        items.append(_Item(s, code, name))

    return _merge(items)


def _name_ending_at(doc: str, close: int) -> str | None:
    """The quoted title whose closing quote is at ``close``."""
    start = max(0, close - _MAX_NAME)
    for k in range(close - 1, start - 1, -1):
        if doc[k] in "„«":
            if quote_end(doc, k) == close + 1:
                return _clean(doc[k + 1 : close])
            return None
        if doc[k] == "\n":
            return None
    return None


def _merge(items: list[_Item]) -> list[Project]:
    """One project per code; uncoded names folded into the matching project."""
    items.sort(key=lambda it: it.pos)
    groups: list[dict] = []
    by_code: dict[str, dict] = {}
    for it in items:
        if it.code is None:
            continue
        g = by_code.get(it.code)
        if g is None:
            g = {"pos": it.pos, "code": it.code, "name": it.name}
            by_code[it.code] = g
            groups.append(g)
        elif g["name"] is None and it.name:
            g["name"] = it.name
    by_key: dict[str, dict] = {}
    for g in groups:
        if g["name"]:
            by_key.setdefault(project_name_key(g["name"]), g)
    for it in items:
        if it.code is not None or not it.name:
            continue
        key = project_name_key(it.name)
        if not key:
            continue
        g = by_key.get(key)
        if g is None:
            g = {"pos": it.pos, "code": None, "name": it.name}
            by_key[key] = g
            groups.append(g)
        else:
            g["pos"] = min(g["pos"], it.pos)
    _pair_lonely(groups)
    groups.sort(key=lambda g: g["pos"])
    return [Project(code=g["code"], name=g["name"]) for g in groups]


def _pair_lonely(groups: list[dict]) -> None:
    """One project code without a name + one project name without a code → one project.

    A page about a single project often prints the title once («по проект
    „…“») and the code once, far apart («Проект № BG05… е финансиран …»).
    Only the unambiguous case is paired, and only with a code down to the
    project level: a procedure code is a different thing from a project.
    """
    nameless = [g for g in groups if g["code"] and not g["name"]]
    codeless = [g for g in groups if g["name"] and not g["code"]]
    if len(nameless) != 1 or len(codeless) != 1:
        return
    code_group, name_group = nameless[0], codeless[0]
    parts = parse_code(code_group["code"])
    if parts is None or parts.project is None:
        return
    code_group["name"] = name_group["name"]
    code_group["pos"] = min(code_group["pos"], name_group["pos"])
    groups.remove(name_group)
