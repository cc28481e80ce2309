"""People named in an article, with the first role the text gives them.

Detection leans on Bulgarian name morphology rather than on a model: a person
is a known given name followed by a capitalised surname with a surname ending
(-ов/-ова, -ев/-ева, -ски/-ска, -ин/-ина, …), optionally with a middle name or
a double-barrelled surname. An honorific (г-жа, д-р, проф. …) or an adjacent
role phrase vouches for surnames without a Bulgarian ending («г-н Фреди Уудс»).
Names come from one regex pass for capitalised runs plus set look-ups; role
heads are searched only in the stretch before each name. About 1.3 ms per
1,000 words on the (name-dense) seed articles.

What looks like a name but is not a person is filtered by context: settlements
named after people («гр. Гоце Делчев»), streets, saints, schools and
foundations («ул. „Иванка Ботева“», «СУ „Христо Ботев“»), names that fill a
quote, and bylines («Снимка: Иван Иванов», «/Иван Иванов, БТА/»).

Later references by surname alone («Василева подчерта…», «Зам. министър
Петрова») attach to the person already named and never create a new one; when
two people share a surname, a bare surname goes to the one named most recently.

Roles come from :mod:`crawler.extract.roles`; this module decides which role
phrase belongs to which name (before the name, after it with a comma, a dash or
a glued hyphen, or shared by a plural head) and resolves anaphora in it
(«кмета на общината» → «кмет на община Враца»).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from crawler.extract.roles import (
    RoleHead,
    find_role_heads,
    format_role,
    head_at,
    quote_end,
    scan_complement,
)
from crawler.record import Institution, Person

__all__ = [
    "canonical_person_key",
    "expand_abbreviations",
    "find_people",
    "given_names",
    "person_query_forms",
]


def _words(s: str) -> frozenset[str]:
    """A word set written as one string (keeps long vocabulary lists readable)."""
    return frozenset(s.split())


_DATA = Path(__file__).with_name("data")

_HS = r"[ \t\u00a0]"
_UP = "А-ЯЁЍ"
_LO = "а-яёѝ"
# One capitalised word, optionally double-barrelled («Клисурска-Жекова»,
# «Попова - Иванова»). A hyphen followed by a lower-case word is not part of the
# name («Попова-изпълняващ функциите на кмет»).
_CAP_REST = rf"[{_LO}]+(?:(?:[-‐‑]|{_HS}-{_HS})[{_UP}][{_LO}]+)?"
_CAP = rf"[{_UP}]{_CAP_REST}"
_INITIAL = rf"[{_UP}]\."
# Tokens of one name may be split by a single line break (hard-wrapped wire
# text), never by a blank line.
_SEP = rf"(?:{_HS}+|{_HS}*\n{_HS}*)"
# The word boundary is checked after the first capital (``(?<![\w-].)``), not
# before it: a pattern that starts with a character set lets the regex engine
# skip ahead in C, which makes this scan several times faster.
_RUN = re.compile(rf"[{_UP}](?<![\w-].){_CAP_REST}(?:{_SEP}(?:{_CAP}|{_INITIAL}(?!\w)))*")
_TOKEN = re.compile(rf"{_CAP}|{_INITIAL}")

# Honorifics, also capitalised, spaced («г- жа») or glued to the name
# («инж.Иван Петров»). Several may stack: «проф. д-р».
_HON = (
    rf"(?:[гГ][-‐‑]{_HS}?(?:жа|н|ца)|[дД][-‐‑]р\.?|[пП]роф\.|[дД]оц\.|[иИ]нж\.|[аА]рх\.|"
    rf"[аА]кад\.|[гГ]лавен{_HS}+асистент|[аА]дв\.)"
)
_HON_BEFORE = re.compile(rf"(?:{_HON}{_HS}*)+$")
_HON_LEADING = re.compile(rf"^\s*(?:{_HON}\s*)+", re.IGNORECASE)

_SURNAME_ENDINGS = (
    "ов",
    "ова",
    "ев",
    "ева",
    "ски",
    "ска",
    "цки",
    "цка",
    "шки",
    "шка",
    "ин",
    "ина",
    "ян",
    "ич",
    "ак",
    "ук",
    "ли",  # Turkish-Bulgarian «Кадерли», Greek-style «Пападопули»
)

# Capitalised adjectives of institution and place names, never given names.
_ADJECTIVE_ENDINGS = (
    "ска",
    "ски",
    "цка",
    "ния",
    "ната",
    "ното",
    "ският",
    "ската",
    "ен",
    "на",
    "но",
)

# Words right before a name that make it a place, a street, a saint or a
# named institution rather than a person.
_PLACE_CUES = _words(
    "гр. гр град града градът с. с село селото община общината общ. област областта обл. "
    "в във от до край из през"
)
# Only the forms that name a thing («фондация Иван Вазов», «улица Христо
# Ботев»); the articled forms end a phrase («председателят на фондацията
# Анна Кръстева») and say nothing about the name that follows.
_THING_CUES = _words(
    "ул. ул улица бул. бул булевард пл. площад кв. квартал ж.к. жк "
    "св. св свети света светия светите храм църква параклис манастир "
    "су оу пг дг ну соу еу сг пмг нпг читалище училище гимназия университет фондация "
    "сдружение награда премия стипендия хижа връх язовир парк зала"
)
_SAINT = re.compile(rf"(?:[сС]в\.|[сС]вет[иа]я?|[сС]в\.{_HS}*[сС]в\.){_HS}*$")
_BYLINE = re.compile(
    r"(?:^|\n)[ \t\u00a0]*(?:Автор|Автори|Снимк[аи]|Фото(?:графи[яи])?|Източник|Текст|"
    r"Репортер|Оператор|Редактор|Кореспондент|Видео|Материал)[ \t\u00a0]*:[^\n:]{0,80}$",
    re.IGNORECASE,
)
_OPENING_QUOTES = '„«"“'
_CLOSING_QUOTES = '“”"»'

# Settlements that carry a person's full name. The places module knows all
# settlements; this short list keeps the filter working without it.
_PERSON_NAMED_PLACES = frozenset(
    s.casefold()
    for s in (
        "Гоце Делчев",
        "Елин Пелин",
        "Генерал Тошево",
        "Георги Дамяново",
        "Васил Левски",
        "Христо Ботев",
        "Братя Даскалови",
        "Никола Козлево",
        "Христо Даново",
        "Иван Шишманово",
        "Стефан Караджово",
        "Петко Каравелово",
        "Захари Стояново",
        "Панайот Волово",
        "Стефан Стамболово",
        "Райко Даскалово",
        "Колю Мариново",
        "Кирил Маджарово",
        "Бойчо Огнянов",
    )
)

# Latin letters that look Cyrillic, for words typed in a mix of scripts.
_LAT_TO_CYR = str.maketrans("aeopcxyAEOPCXYKMHTB", "аеорсхуАЕОРСХУКМНТВ")
_LATIN_RUN = re.compile(r"[a-zA-Z]+")
# How far before a name its role phrase may end (characters).
_MAX_ROLE_BEFORE = 250
_HYPHEN = re.compile(r"\s*[-‐‑]\s*")
_INITIAL_TOKEN = re.compile(r"\w\.?")
_CLAUSE_IN_QUOTE = re.compile(r"[.!?;:]|\s(?:е|са|каза|заяви)\s")
_AFTER_SEP = re.compile(r"\s*(?:,|[-–—(])\s*")
_SENTENCE_END = re.compile(r"[.!?;]\s|\n\n")
_CLAUSE_END = re.compile(r"[.,;!?]|\n\n")
_LIST_JOIN = re.compile(r"\s*(?:,|и)\s*")
# «Name, role», «Name – role», «Name (role)», «Name-role» (glued, lower-case).
_ROLE_AFTER_SEP = re.compile(
    r"(?:[ \t\u00a0]*(?:,|[–—−]|\(|-(?=[ \t\u00a0]))[ \t\u00a0\n]*|[-‐‑](?=[а-я]))"
)
_CYRILLIC = re.compile(r"[а-яА-Я]")

# What «общината» refers back to: the last municipality named, or else the
# last town (a town's mayor is the mayor of the municipality named after it).
_MUNICIPALITY = re.compile(
    rf"(?P<sof>Столична{_HS}+община)"
    rf"|(?:[оО]бщина|общ\.){_HS}*(?P<town>{_CAP}(?:{_HS}+{_CAP})?)"
    rf"|(?<!\w)(?:гр\.|град){_HS}*(?P<city>{_CAP}(?:{_HS}+{_CAP})?)"
)
_OBLAST = re.compile(
    rf"(?:[оО]бласт{_HS}+(?P<a>{_CAP}(?:{_HS}+{_CAP})?)|(?P<b>[{_UP}][{_LO}]+ска){_HS}+област)"
)
_PROJECT_IN_ROLE = re.compile(r"на проекта\b[^„“]*?„(?P<name>[^“]+)“")
_KEEP_ABBR_AFTER = _words("от за по с със")
_COMMA_MUNICIPALITY = re.compile(
    rf"{_HS}*,{_HS}*[оО]бщина{_HS}+(?P<town>{_CAP}(?:{_HS}+{_CAP})?){_HS}*(?=[;,.\n]|$)"
)
_QUOTE_THEN_WITH = re.compile(rf"[“”\"»]{_HS}+с{_HS}+$")
_UNIT_NOUN = re.compile(
    r"(?<!\w)(?:отдел|отдела|отдели|отделите|сектор|сектора|сектори|секторите|дирекция|"
    r"дирекцията|дирекции|дирекциите|звено|звеното|звена|звената|служба|службата|служби)(?!\w)",
    re.IGNORECASE,
)
_UNIT_NOMINATIVE = (
    ("отдел", "отдел"),
    ("сектор", "сектор"),
    ("дирекци", "дирекция"),
    ("звен", "звено"),
    ("служб", "служба"),
)
_ABBR_IN_ROLE = re.compile(
    rf"(?:(?P<prep>на|в|във|към|при|от|за|по|с|със){_HS}+)?(?<![\w-])(?P<abbr>[{_UP}]{{2,6}})(?![\w-])"
)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The shipped given-name list (``data/given_names.txt``)."""
    text = (_DATA / "given_names.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Case-folded names of places, from the places module when it is there."""
    names = set(_PERSON_NAMED_PLACES)
    try:
        from crawler.extract.places import known_place_names
    except ImportError:  # places.py not written yet: the short list still works
        return frozenset(names)
    names.update(n.casefold() for n in known_place_names())
    return frozenset(names)


def _fold_mixed(text: str) -> str:
    """Map Latin look-alikes inside Cyrillic words to Cyrillic (length-preserving).

    Only words that mix both scripts are touched, so codes and Latin names stay.
    """
    out: list[str] = []
    last = 0
    for m in _LATIN_RUN.finditer(text):
        a, b = m.start(), m.end()
        if a < last:
            continue
        while a > 0 and text[a - 1].isalpha():
            a -= 1
        while b < len(text) and text[b].isalpha():
            b += 1
        word = text[a:b]
        if _CYRILLIC.search(word):
            out += [text[last:a], word.translate(_LAT_TO_CYR)]
            last = b
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _unshout(text: str) -> str:
    """Title-case lines written in capitals («ЗАМЕСТНИК-МИНИСТЪР МАЯ ВАСИЛЕВА …»).

    Some sites print headlines in capitals; name detection relies on «Име
    Фамилия» capitalisation, and title-casing keeps every offset.
    """
    lines = text.split("\n")
    changed = False
    for k, line in enumerate(lines):
        if line.isupper() and len(line.split()) >= 2:
            lines[k] = line.title()
            changed = True
    return "\n".join(lines) if changed else text


def _surname_like(word: str) -> bool:
    """A Bulgarian surname ending; for a double surname, on one of its parts."""
    if "-" not in word and " " not in word:
        return len(word) >= 4 and word.endswith(_SURNAME_ENDINGS)
    parts = _HYPHEN.split(word)
    return all(len(p) >= 3 for p in parts) and any(
        len(p) >= 4 and p.endswith(_SURNAME_ENDINGS) for p in parts
    )


def _clean_name(s: str) -> str:
    """Whitespace collapsed, double-surname hyphens unspaced."""
    s = " ".join(s.split())
    return _HYPHEN.sub("-", s) if "-" in s or "‐" in s or "‑" in s else s


# --------------------------------------------------------------------------
# Keys for grouping and searching


def canonical_person_key(name: str) -> str:
    """The key that groups one person across documents.

    Case-folded, honorifics stripped, whitespace collapsed, hyphens of double
    surnames unspaced, Latin look-alike letters folded to Cyrillic, and middle
    names or initials dropped: «Г-жа МАЯ  Петрова Василева» and «Мая Василева»
    are the same person for the index (pages print the middle name only
    sometimes, and two namesakes differing only in it are far rarer).
    """
    s = _HON_LEADING.sub("", name)
    s = _clean_name(s)
    if _CYRILLIC.search(s):
        s = s.translate(_LAT_TO_CYR)
    tokens = [t for t in s.casefold().split() if not _INITIAL_TOKEN.fullmatch(t)]
    if len(tokens) > 2:
        tokens = [tokens[0], tokens[-1]]
    return " ".join(tokens)


# Reverse of the official Bulgarian transliteration, so that «Maya Vasileva»
# typed on a Latin keyboard finds «Мая Василева».
_TRANSLIT = [
    ("sht", "щ"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    *zip("abvgdezijklmnoprstufhy", "абвгдезийклмнопрстуфхй", strict=True),
]


def _from_latin(s: str) -> str:
    out = s.lower()
    for lat, cyr in _TRANSLIT:
        out = out.replace(lat, cyr)
    return out


def person_query_forms(user_input: str) -> list[str]:
    """Normalised forms to look up for a ``--person`` filter value.

    Each form is either a full key (compare with :func:`canonical_person_key`
    of the stored name) or, for a one-word input, a surname (compare with the
    last word of the stored key). Honorifics and role words in front of the
    name are dropped («министър Василева», «г-жа Василева»), any case and mixed
    scripts are accepted, and a name typed in Latin letters also yields its
    Cyrillic transliteration. A full name never degrades to its surname, so
    «Мая Василева» does not find Цветелина Василева.
    """
    s = user_input.strip()
    while True:  # «заместник-министър г-жа Мая Василева» → «Мая Василева»
        s = _HON_LEADING.sub("", s)
        h = head_at(s, 0)
        if h is None or not s[h.end :].strip():
            break
        s = s[h.end :].lstrip()
    words = s.split()
    key = canonical_person_key(" ".join(words))
    forms = [key] if key else []
    if key and re.fullmatch(r"[a-z\s'-]+", key):
        forms.append(canonical_person_key(_from_latin(key)))
    return list(dict.fromkeys(f for f in forms if f))


# --------------------------------------------------------------------------
# Detection


class _Role:
    """A role phrase found for a mention, formatted only if it is used.

    Most mentions of a person repeat a role already known, so the formatting
    and anaphora resolution run at most once per person.
    """

    __slots__ = ("_make", "_value", "bare", "plural")

    def __init__(self, make: Callable[[], str], plural: bool, bare: bool = False) -> None:
        self._make = make
        self._value: str | None = None
        self.plural = plural
        self.bare = bare  # a head without complement («министър»)

    def value(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value


@dataclass(slots=True)
class _Mention:
    start: int  # first letter of the name
    end: int
    hon_start: int  # first letter of the honorific chain, or start
    person: int = -1
    full: bool = True
    role_before: _Role | None = None
    role_after: _Role | None = None


@dataclass(slots=True)
class _Candidate:
    name: str
    key: str
    surname_parts: tuple[str, ...]


def _prev_word(doc: str, pos: int) -> str:
    """The word (with a trailing full stop) just before ``pos``, lower-case."""
    words = doc[max(0, pos - 40) : pos].split()
    return words[-1].lower().lstrip('(„«"“') if words else ""


def _honorific_start(doc: str, pos: int) -> int:
    """Start of the honorifics glued or spaced before ``pos`` («проф. д-р »)."""
    if pos == 0 or doc[pos - 1] not in " \t\u00a0\n.":
        return pos
    window = doc[max(0, pos - 30) : pos]
    if "-" not in window and "." not in window and "асистент" not in window:
        return pos  # every honorific has a hyphen or a full stop
    m = _HON_BEFORE.search(doc, max(0, pos - 30), pos)
    return m.start() if m else pos


def _inside_name_quote(doc: str, start: int, end: int) -> bool:
    """«СУ „Христо Ботев“», «ул. „Проф. Иван Шишманов“»: a name that fills a quote."""
    i = start
    while i > 0 and doc[i - 1] in " \t\u00a0":
        i -= 1
    head = doc[max(0, i - 30) : i]
    if not any(q in head for q in _OPENING_QUOTES):
        return False
    # skip honorifics and saints inside the quote
    m = _HON_BEFORE.search(head) or _SAINT.search(head)
    if m:
        i = max(0, i - 30) + m.start()
    if i == 0 or doc[i - 1] not in _OPENING_QUOTES:
        return False
    tail = doc[end : end + 40]
    close = next((k for k, ch in enumerate(tail) if ch in _CLOSING_QUOTES), -1)
    return close >= 0 and not _CLAUSE_IN_QUOTE.search(tail, 0, close)


def _rejected(
    doc: str, start: int, end: int, hon_start: int, name: str, cued: Callable[[], bool]
) -> bool:
    """Context filters for things that look like names but are not people."""
    before = _prev_word(doc, hon_start)
    if before in _THING_CUES or (
        "в" in doc[max(0, start - 12) : start] and _SAINT.search(doc, max(0, start - 12), start)
    ):
        return True
    if _inside_name_quote(doc, start, end):
        return True
    if start > 0 and doc[start - 1] == "/":
        return True
    line_start = doc.rfind("\n", max(0, start - 120), start) + 1
    if (line_start or start < 120) and _BYLINE.search("\n" + doc[line_start:start]):
        return True
    if name.casefold() in _place_names():
        return before in _PLACE_CUES or not (hon_start < start or cued())
    return False


def _cued(doc: str, start: int, end: int, hon_start: int) -> bool:
    """An honorific or an adjacent role phrase vouches for an unusual name."""
    if hon_start < start:
        return True
    m = _AFTER_SEP.match(doc, end, end + 6)
    if m and head_at(doc, m.end()) is not None:
        return True
    return _role_just_before(doc, start)


def _role_just_before(doc: str, pos: int) -> bool:
    """A role phrase runs right up to ``pos`` («кметът на Ловеч |Сийка Маринова»).

    The same complement scanner that reads roles decides it, so a head further
    back with a verb, a clause or another name in between does not count
    («представители на общините Ботевград и |Елин Пелин»).
    """
    heads = [h for h in find_role_heads(doc, max(0, pos - _MAX_ROLE_BEFORE), pos) if h.end <= pos]
    for h in reversed(heads[-2:]):
        end = scan_complement(doc, h.end, pos)
        if not doc[end:pos].strip(" \t\u00a0\n,"):
            return True
    return False


def _is_place_pair(doc: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Two tokens that spell a settlement («Гоце Делчев», «Елин Пелин»).

    An honorific in front still makes them a person («г-н Васил Левски»).
    """
    if f"{a[2]} {b[2]}".casefold() not in _place_names():
        return False
    return _honorific_start(doc, a[0]) == a[0]


def _is_given(word: str, gn: frozenset[str]) -> bool:
    """A listed given name, or a hyphenated pair of them («Ана-Мария»)."""
    if word in gn:
        return True
    return "-" in word and all(p in gn for p in word.split("-"))


def _split_run(doc: str, run_start: int, run_end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(doc, run_start, run_end)]


def _accept(toks: list[tuple[int, int, str]], i: int, doc: str) -> tuple[int, int] | None:
    """Decide whether a name starts at token ``i``; return (first, last) token index."""
    gn = given_names()
    w0 = toks[i][2]
    if w0.endswith(".") or i + 1 >= len(toks):
        return None
    w1 = toks[i + 1][2]
    given = _is_given(w0, gn)
    hon = _honorific_start(doc, toks[i][0]) < toks[i][0] if i == 0 else False
    # An unlisted given name is still trusted right after a role phrase
    # («кметът на Ловеч Корнелия Маринова»), if the surname is Bulgarian; but
    # in «кметът на Враца Калин Каменов» the name starts at the listed «Калин».
    if (
        not given
        and not hon
        and not (
            w1 not in gn
            and _surname_like(w1)
            and not w0.endswith(_ADJECTIVE_ENDINGS)
            and w0.casefold() not in _place_names()
            and _role_just_before(doc, toks[i][0])
        )
    ):
        return None
    # Three tokens: given, middle (patronymic, initial or a second given
    # name such as «Петър Берон Иванов»), surname.
    if i + 2 < len(toks):
        w2 = toks[i + 2][2]
        if (
            _surname_like(w2)
            and w2 not in gn
            and "-" not in w1
            and (w1.endswith(".") or _surname_like(w1) or w1 not in gn)
        ):
            return i, i + 2
    if w1.endswith("."):
        return None
    if _surname_like(w1):
        return i, i + 1
    if given and w1 in gn and w1[-1] not in "аяоеи" and w0 != w1:  # «Айше Хасан»
        return i, i + 1
    start, end = toks[i][0], toks[i + 1][1]
    if hon or _cued(doc, start, end, start):
        return i, i + 1
    return None


def _find_full_names(doc: str) -> tuple[list[_Mention], list[str], list]:
    """Full-name mentions, their printed names, and unused single tokens."""
    mentions: list[_Mention] = []
    names: list[str] = []
    leftovers: list[tuple[int, int, str]] = []
    for run in _RUN.finditer(doc):
        g = run.group()
        if " " not in g and "\n" not in g and "\u00a0" not in g and "\t" not in g:
            leftovers.append((run.start(), run.end(), g))  # a single word
            continue
        toks = _split_run(doc, run.start(), run.end())
        i = 0
        while i < len(toks):
            if i + 1 < len(toks) and _is_place_pair(doc, toks[i], toks[i + 1]):
                # «в Гоце Делчев Нина Жекова»: the town, then the person
                leftovers += toks[i : i + 2]
                i += 2
                continue
            span = _accept(toks, i, doc)
            if span is None:
                leftovers.append(toks[i])
                i += 1
                continue
            a, b = span
            start, end = toks[a][0], toks[b][1]
            hon_start = _honorific_start(doc, start)
            name = _clean_name(" ".join(t[2] for t in toks[a : b + 1]))
            if _rejected(
                doc, start, end, hon_start, name, partial(_cued, doc, start, end, hon_start)
            ):
                i = b + 1
                continue
            mentions.append(_Mention(start, end, hon_start))
            names.append(name)
            i = b + 1
    return mentions, names, leftovers


# --------------------------------------------------------------------------
# Roles


def _resolve_role(role: str, doc: str, pos: int, projects: Callable[[], list[str]]) -> str:
    """Resolve anaphora inside a role phrase: «общината», «областта», «проекта»."""
    if "общината" in role:
        named = town = None
        for m in _MUNICIPALITY.finditer(doc, 0, pos):
            if m.group("city"):
                town = m
            else:
                named = m
        last = named or town
        if last is not None:
            if last.group("sof"):
                place = "Столична община"
            else:
                words = (last.group("town") or last.group("city")).split()
                if len(words) > 1 and words[1] in given_names():
                    words = words[:1]  # «община Враца Иван Петров»
                place = "община " + " ".join(words)
            role = role.replace("общината", place, 1)
    if "областта" in role:
        last = None
        for m in _OBLAST.finditer(doc, 0, pos):
            last = m
        if last is not None:
            place = f"област {last.group('a')}" if last.group("a") else f"{last.group('b')} област"
            role = role.replace("областта", place, 1)
    m = _PROJECT_IN_ROLE.search(role)
    if m:
        role = role[: m.start()] + f"на проект „{m.group('name')}“" + role[m.end() :]
    elif role.endswith("на проекта") and (names := projects()):
        role = role[: -len("на проекта")] + f"на проект „{names[0]}“"
    return role


def _definite(name: str) -> str:
    """The form an institution name takes after «на»/«в»: Агенция → Агенцията.

    Names built around a quoted proper name («Регионална дирекция „Социално
    подпомагане“», «Оперативна програма „…“») and municipalities («Столична
    община», «Община Враца») are used without the article.
    """
    if "„" in name or name.startswith(("Столична община", "Община ")):
        return name
    first, _, rest = name.partition(" ")
    if first.endswith(("я", "а")):
        first += "та"
    elif first.endswith(("о", "е")):
        first += "то"
    elif first.endswith("и"):
        first += "я"
    elif first.endswith("ен") and not first.endswith("ствен"):
        first = first[:-2] + "ния"
    elif first[-1:].isalpha():
        first += "а"
    return f"{first} {rest}".strip()


@lru_cache(maxsize=1)
def _load_institution_lookup() -> Callable[[str], Institution | None] | None:
    try:
        from crawler.extract.institutions import lookup_institution
    except ImportError:
        return None
    return lookup_institution


def _institution_lookup() -> Callable[[str], Institution | None] | None:
    """The institutions gazetteer's look-up, or None while that module is absent."""
    return _load_institution_lookup()


def expand_abbreviations(role: str) -> str:
    """«директор на АСП» → «директор на Агенцията за социално подпомагане».

    Roles keep an abbreviation as printed by default (the lead's brief and
    the seed gold: «изпълнителен директор на АСП»); the seed NOTES.md once
    asked for full names instead, so the expansion is kept ready behind
    ``find_people(..., expand_abbreviations=True)``. A bare abbreviation
    («ръководител екип НСОРБ») gets «в». The names come from the institutions
    gazetteer; without it the role is returned unchanged.
    """
    lookup = _institution_lookup()
    if lookup is None:
        return role

    def repl(m: re.Match[str]) -> str:
        inst = lookup(m.group("abbr"))
        if inst is None or not inst.name or inst.name == m.group("abbr"):
            return m.group()
        if m.group("prep") in _KEEP_ABBR_AFTER:
            return m.group()  # «депутат от ГЕРБ»: membership, not a workplace
        prep = m.group("prep") or "в"
        return f"{prep} {_definite(inst.name)}"

    return _ABBR_IN_ROLE.sub(repl, role)


def _role_after(doc: str, mention: _Mention, blocked: set[int]) -> tuple[RoleHead, int, int] | None:
    """A role printed right after the name: «Name, role», «Name – role», «Name-role»."""
    m = _ROLE_AFTER_SEP.match(doc, mention.end)
    if m is None or "\n\n" in m.group():
        return None
    h = head_at(doc, m.end())
    if h is None:
        return None
    end = scan_complement(doc, h.end, len(doc), blocked)
    k = end
    while k < len(doc) and doc[k] in " \t\u00a0\n":
        k += 1
    if k in blocked:
        # «Мария Иванова, заместник кмет Петър Стоянов и …»: the role runs
        # straight into the next name, so it is that name's role.
        return None
    return h, h.end, end


def _municipality_tail(doc: str, end: int, role: str) -> str:
    """«директор дирекция „…“, община Пловдив;» → «… в Община Пловдив».

    Lists of officials print the municipality after a comma; it belongs to the
    role (the same directorate name exists in every municipality).
    """
    if "община" in role.lower():
        return role
    m = _COMMA_MUNICIPALITY.match(doc, end)
    return f"{role} в Община {m.group('town')}" if m else role


def _unit_of_bare_head(doc: str, h: RoleHead) -> str | None:
    """«отдел „А“ с началник X и „Б“ с началник Y»: the unit each head leads."""
    m = _QUOTE_THEN_WITH.search(doc, max(0, h.start - 8), h.start)
    if m is None:
        return None
    close = m.start()
    k = close - 1
    while k > 0 and doc[k] not in "„«\n":
        k -= 1
    if k <= 0 or doc[k] == "\n" or quote_end(doc, k) != close + 1:
        return None
    sentence_start = max(doc.rfind(". ", 0, k), doc.rfind("\n", 0, k)) + 1
    unit = None
    for u in _UNIT_NOUN.finditer(doc, sentence_start, k):
        # «отдела към Дирекцията – „А“»: the unit after a preposition only
        # says where the named ones sit.
        if _prev_word(doc, u.start()) not in {"към", "при", "в", "във", "от"}:
            unit = u
    if unit is None:
        return None
    stem = unit.group().lower()
    noun = next(v for pre, v in _UNIT_NOMINATIVE if stem.startswith(pre))
    return f"{noun} „{' '.join(doc[k + 1 : close].split())}“"


def _role_before(
    doc: str,
    mention: _Mention,
    heads: list[RoleHead],
    heads_end: list[int],
    used: set[int],
    blocked: set[int],
) -> tuple[RoleHead, int, int] | None:
    """A role printed before the name: «заместник-министъра на труда … г-жа Name»."""
    limit = mention.hon_start
    k = bisect_right(heads_end, limit) - 1
    tries = 0
    while k >= 0 and tries < 2:
        h = heads[k]
        if limit - h.end > _MAX_ROLE_BEFORE:
            break
        tries += 1
        if h.start in used:
            k -= 1
            continue
        end = scan_complement(doc, h.end, limit, blocked)
        gap = doc[end:limit]
        if not gap.strip(" \t\u00a0\n,") and "\n\n" not in gap:
            return h, h.end, end
        k -= 1
    return None


def _heads_near(doc: str, mentions: list[_Mention]) -> list[RoleHead]:
    """Role heads in the stretches of text a role-before could come from.

    Only the few hundred characters before each name can hold its role, so a
    page with few names is scanned only there (the head scan is the costliest
    regex pass of this module).
    """
    reach = _MAX_ROLE_BEFORE + 40  # a head may start up to its length earlier
    heads: list[RoleHead] = []
    covered = 0
    for mt in mentions:
        a, b = max(covered, mt.hon_start - reach, 0), mt.hon_start
        if a < b:
            for h in find_role_heads(doc, a, b):
                if not heads or h.start >= heads[-1].end:
                    heads.append(h)
            covered = b
    return heads


def _assign_roles(
    doc: str,
    mentions: list[_Mention],
    heads: list[RoleHead],
    projects: Callable[[], list[str]],
    expand: bool = False,
) -> None:
    heads_end = [h.end for h in heads]
    blocked = {m.start for m in mentions} | {m.hon_start for m in mentions}
    used: set[int] = set()

    def make(h: RoleHead, a: int, b: int, pos: int, after: bool = False) -> _Role:
        def build() -> str:
            role = _resolve_role(format_role(h.base, doc[a:b]), doc, pos, projects)
            if expand:
                role = expand_abbreviations(role)
            if after:
                role = _municipality_tail(doc, b, role)
            elif a == b and (unit := _unit_of_bare_head(doc, h)):
                role = f"{h.base} на {unit}"
            return role

        return _Role(build, h.plural, bare=a == b)

    for idx, mt in enumerate(mentions):
        hit = _role_after(doc, mt, blocked)
        if hit is None:
            continue
        h, a, b = hit
        used.add(h.start)
        mt.role_after = make(h, a, b, mt.start, after=True)
        if h.plural:  # «Иван Петров и Мария Иванова, експерти в …»
            j = idx
            while j > 0 and _LIST_JOIN.fullmatch(doc, mentions[j - 1].end, mentions[j].hon_start):
                if mentions[j - 1].role_after is None:
                    mentions[j - 1].role_after = mt.role_after
                j -= 1
    for idx, mt in enumerate(mentions):
        hit = _role_before(doc, mt, heads, heads_end, used, blocked)
        if hit is not None:
            mt.role_before = make(*hit, mt.start)
            continue
        if idx and _LIST_JOIN.fullmatch(doc, mentions[idx - 1].end, mt.hon_start):
            prev = mentions[idx - 1].role_before
            if prev is not None and prev.plural:  # a plural head shared by both names
                mt.role_before = prev


# --------------------------------------------------------------------------
# Public entry point


def _surname_parts(name: str) -> tuple[str, ...]:
    last = name.split()[-1]
    parts = tuple(p for p in last.split("-") if p)
    return (last, *parts) if len(parts) > 1 else (last,)


def find_people(
    text: str,
    title: str = "",
    projects: list[str] | None = None,
    *,
    expand_abbreviations: bool = False,
) -> list[Person]:
    """Every person named in the title and text, once, in order of first mention.

    ``projects`` (project names of the same page) lets «координатор на
    проекта» name the project; when omitted they are read from the text.
    ``expand_abbreviations`` writes institutions abbreviated inside a role
    under their full name (see :func:`expand_abbreviations`).
    """
    doc = f"{title}\n\n{text}" if title else text
    doc = _unshout(_fold_mixed(doc))
    mentions, names, leftovers = _find_full_names(doc)
    if not mentions:
        return []

    # Group full mentions into people by key.
    people: list[_Candidate] = []
    by_key: dict[str, int] = {}
    for mt, name in zip(mentions, names, strict=True):
        key = canonical_person_key(name)
        idx = by_key.get(key)
        if idx is None:
            idx = by_key[key] = len(people)
            people.append(_Candidate(name, key, _surname_parts(name)))
        elif len(name.split()) > len(people[idx].name.split()):
            people[idx].name = name  # keep a middle name when one is printed
        mt.person = idx

    # Surname-only back-references.
    surname_index: dict[str, list[int]] = {}
    for idx, p in enumerate(people):
        for part in p.surname_parts:
            surname_index.setdefault(part, []).append(idx)
    full_starts = [mt.start for mt in mentions]
    for s, e, word in leftovers:
        owners = surname_index.get(word)
        if not owners:
            continue
        hon_start = _honorific_start(doc, s)
        if _rejected(doc, s, e, hon_start, word, lambda: True):
            continue
        k = bisect_left(full_starts, s) - 1
        owner = None
        while k >= 0:  # the most recent full mention of one of the namesakes
            if mentions[k].person in owners:
                owner = mentions[k].person
                break
            k -= 1
        if owner is None:
            owner = owners[0]
        mentions.append(_Mention(s, e, hon_start, owner, full=False))
    mentions.sort(key=lambda m: m.start)

    project_cache: list[list[str]] = [projects] if projects is not None else []

    def project_names() -> list[str]:
        # Only «… на проекта» needs them, so the page is parsed for projects
        # at most once and usually not at all.
        if not project_cache:
            from crawler.extract.projects import find_projects

            project_cache.append([p.name for p in find_projects(text, title) if p.name])
        return project_cache[0]

    _assign_roles(doc, mentions, _heads_near(doc, mentions), project_names, expand_abbreviations)

    # The first role the text gives wins; only a bare head («Заместник-министрите
    # Генчева и Енчева …» in a headline) is completed by a later mention of
    # the same role with its complement («… на труда и социалната политика»).
    roles: dict[int, _Role | None] = {}
    order: list[int] = []
    for mt in mentions:
        if mt.person not in roles:
            roles[mt.person] = None
            order.append(mt.person)
        current = roles[mt.person]
        for cand in (mt.role_before, mt.role_after):
            if cand is None:
                continue
            if current is None or (
                current.bare and not cand.bare and cand.value().startswith(current.value() + " ")
            ):
                roles[mt.person] = cand
            break
    return [Person(people[i].name, (r := roles[i]) and r.value()) for i in order]
