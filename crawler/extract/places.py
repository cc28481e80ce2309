"""Geographic names in Bulgarian social-policy news.

:func:`find_places` lists the settlements, municipalities, oblasts, planning
regions, countries and foreign regions that a text names, in the nominative
and without the type word («гр. Велинград» → «Велинград», «община Враца» →
«Враца», but «Софийска област» keeps its word), each once, in order of first
appearance (title first). The conventions are those of
``shared/notes/annotation-conventions.md`` («places»).

The names come from a gazetteer, ``data/places.tsv`` (all 28 oblasts and 265
municipalities, their centres, a few thousand villages, the six planning
regions, countries and some foreign regions and cities). One trie-shaped
regex (see :mod:`crawler.extract.gazetteer`) finds every candidate in one
pass; each candidate is then judged on its context, because many Bulgarian
place names are also something else:

* common words, rivers and mountains («Бяла», «Лом», «Искър», «Рила», «Баня»,
  «Железница»): flag ``cue``, kept only after a cue such as «гр.», «с.»,
  «община», a preposition («в», «от», «до» …), an institution unit
  («ДСП – Лом») or inside a list with an unambiguous place;
* people («Гоце Делчев», «Левски», «Генерал Тошево»): flag ``person``, kept
  only after a type word, «в»/«във», an institution unit, in a dateline or in a
  list with an unambiguous place («общините Гоце Делчев, Гърмен и …»);
* first names («София», «Троян»): flag ``given``, dropped when a capitalised
  word (a surname) follows;
* municipalities that are not settlements («Родопи», «Марица», «Тунджа»):
  flag ``muni``, kept only after «община».

Never places: streets, quarters, venues and anything else whose quoted or
unquoted name follows «ул.», «бул.», «ж.к.», «кв.», «зала», «хотел» …
(«ул. „Васил Левски“», «зала „Плевен“», «кв. „Медковец“»); a country inside
an official name («Национално сдружение на общините в Република България»,
«УНИЦЕФ – България», «Фондация „Приемни семейства за България“»); the
adjectives («български», «софийски») which the gazetteer does not contain.
«Столична община» does not print the name София, so it gives no place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from crawler.extract.gazetteer import LazyRegex, fold, normalize, read_tsv, trie_regex

__all__ = [
    "PLACES",
    "Place",
    "PlaceHit",
    "find_places",
    "known_place_names",
    "lookup_place",
    "place_hits",
]


@dataclass(frozen=True, slots=True)
class Place:
    """One canonical place name with everything the gazetteer knows about it."""

    name: str
    types: frozenset[str]
    oblast: str
    #: The municipality whose «Община X» this place implies (its own name for
    #: a municipality centre, «Столична» for София), or None when unknown or
    #: ambiguous (two villages of the same name in different municipalities).
    municipality: str | None
    flags: frozenset[str]
    forms: tuple[str, ...]

    @property
    def is_country(self) -> bool:
        return "country" in self.types

    @property
    def is_municipality(self) -> bool:
        """True when «община <name>» is a real municipality."""
        return "centre" in self.flags


def _load() -> tuple[dict[str, Place], dict[str, str]]:
    rows = read_tsv("places.tsv")
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["name"], []).append(row)
    places: dict[str, Place] = {}
    forms: dict[str, str] = {}
    for name, group in grouped.items():
        types = frozenset(r["type"] for r in group)
        flags: set[str] = set()
        for r in group:
            flags.update(f for f in r["flags"].split(",") if f)
        if "muni" in flags and types != {"municipality"}:
            flags.discard("muni")
        centre_rows = [r for r in group if "centre" in r["flags"].split(",")]
        munis = {r["municipality"] for r in (centre_rows or group) if r["municipality"]}
        municipality = munis.pop() if len(munis) == 1 else None
        variants: list[str] = [name]
        for r in group:
            variants.extend(v.strip() for v in r["variants"].split("|") if v.strip())
        oblast = next((r["oblast"] for r in group if r["oblast"]), "")
        uniq = tuple(dict.fromkeys(variants))
        places[name] = Place(name, types, oblast, municipality, frozenset(flags), uniq)
        for v in uniq:
            forms.setdefault(fold(v), name)
    return places, forms


#: Canonical name → :class:`Place`.
PLACES, _FORMS = _load()

_SURFACE_FORMS = sorted(
    {" ".join(f.split()) for p in PLACES.values() for f in p.forms if f[:1].isupper()},
    key=len,
    reverse=True,
)
# No look-behind at the start: it would stop ``re`` from skipping ahead to
# the possible first letters; the left word boundary is checked in Python.
_RX = LazyRegex(
    lambda: "(?:" + trie_regex(_SURFACE_FORMS, tail_case_insensitive=True) + r")(?![^\W\d_])"
)
# Surface form as matched (single spaces) → canonical name; the general
# :func:`fold` key is the fallback for line breaks, dashes and quotes.
_EXACT = {f: p.name for p in PLACES.values() for f in p.forms}

# --------------------------------------------------------------------------
# Context: the few tokens before a candidate decide what it is
# --------------------------------------------------------------------------

# Tokens of the short window before a candidate: words (with a trailing
# abbreviation dot, «гр.», «ж.к.»), quotes, dashes, slashes, punctuation.
_TOK = re.compile(r'[^\W\d_]+(?:\.[^\W\d_]+)*\.?|\d+|["\-/,.;:!?()\n]')

# A type word right before the name: «гр.», «с.», «община», «селата» …
_TYPE_WORDS = frozenset(
    [
        "гр.",
        "гр",
        "с.",
        "общ.",
        "обл.",
        "окр.",
        "град",
        "града",
        "градът",
        "градове",
        "градовете",
        "село",
        "селото",
        "селата",
        "села",
        "селище",
        "селището",
        "селищата",
        "община",
        "общината",
        "общините",
        "общини",
        "област",
        "областта",
        "области",
        "областите",
        "окръг",
        "окръга",
        "столица",
        "столицата",
        "курорт",
        "курорта",
        "курортите",
        "махала",
    ]
)
_MUNI_WORDS = frozenset(("община", "общ.", "общината"))
_MUNI_PLURAL = frozenset(("общините", "общини"))
# «в»/«във» right before: a place reading («в Гоце Делчев», «във Враца»).
_IN_WORDS = frozenset(("в", "във"))
# Weaker prepositions: enough for a common-word name («от Бяла»), not for a
# person's name. «на» and «за» are left out: they precede common nouns
# («изпълнението на Плана за действие»).
_PREP_WORDS = frozenset(
    [
        "от",
        "до",
        "из",
        "към",
        "край",
        "около",
        "през",
        "след",
        "между",
        "срещу",
        "покрай",
        "отвъд",
        "с",
        "със",
        "жители",
        "жителите",
    ]
)
# Streets, quarters, venues, rivers, mountains … right before the name, or
# before the opening quote of a quoted name that contains it.
_NOT_PLACE_WORDS = frozenset(
    [
        "ул.",
        "ул",
        "бул.",
        "бул",
        "пл.",
        "кв.",
        "кв",
        "р.",
        "яз.",
        "вр.",
        "м.",
        "ж.к.",
        "ж.к",
        "жк",
        "бл.",
        "хот.",
        "р-н",
        "улица",
        "улицата",
        "булевард",
        "булевардът",
        "булеварда",
        "площад",
        "площада",
        "площадът",
        "квартал",
        "квартала",
        "кварталът",
        "район",
        "района",
        "жилищен",
        "комплекс",
        "комплекса",
        "зала",
        "залата",
        "хотел",
        "хотела",
        "ресторант",
        "ресторанта",
        "читалище",
        "читалището",
        "стадион",
        "стадиона",
        "парк",
        "парка",
        "река",
        "реката",
        "реки",
        "язовир",
        "язовира",
        "връх",
        "върха",
        "планина",
        "планината",
        "хижа",
        "хижата",
        "местност",
        "местността",
        "манастир",
        "манастира",
        "проход",
        "прохода",
        "нос",
        "залив",
        "залива",
        "езеро",
        "езерото",
        "гара",
        "гарата",
        "летище",
        "летището",
        "пристанище",
        "училище",
        "училището",
        "гимназия",
        "гимназията",
        "оу",
        "су",
        "соу",
        "пг",
        "дг",
        "цдг",
        "нч",
        "фк",
        "пфк",
        "клуб",
        "клуба",
        "клубът",
        "отбор",
        "отбора",
        "отборът",
        "вестник",
        "вестника",
        "списание",
        "радио",
        "телевизия",
        "кино",
        "театър",
        "театъра",
        "мол",
        "кафе",
        "бар",
        "салон",
        "сграда",
        "сградата",
        "аула",
        "аулата",
        "ансамбъл",
        "ансамбъла",
        "хор",
        "хора",
        "кораб",
        "кораба",
        "влак",
        "влака",
        "улиците",
        "площадите",
        "кварталите",
        "зона",
        "зоната",
        "блок",
        "блока",
        "къща",
        "къщата",
        "тец",
        "аец",
        "завод",
        "завода",
        "фабрика",
        "фабриката",
        "мина",
        "мината",
    ]
)
# Capitalised words that may stand right before a place without making it
# part of another name.
_OK_BEFORE_CAP = frozenset(
    [
        "в",
        "във",
        "от",
        "до",
        "за",
        "на",
        "и",
        "с",
        "със",
        "из",
        "към",
        "край",
        "около",
        "през",
        "след",
        "между",
        "при",
        "по",
        "община",
        "област",
        "град",
        "село",
        "република",
        "кралство",
        "федерация",
        "днес",
        "вчера",
        "утре",
    ]
)
_SENTENCE_END = frozenset((".", "!", "?", ":", ";", "\n", "(", ","))
# «Съвет на Европа», «Съвета на Европа»: an institution, not the continent.
_COUNCIL_OF = re.compile(r"Съвет(?:а|ът)?\s+на\s+$")
# A country inside an official name: «Президентът на Република България»,
# «Конституцията на Република България», «Народното събрание на …».
_OFFICIAL_BEFORE = re.compile(
    r"(?:[Пп]резидент|[Вв]ицепрезидент|[Кк]онституци|[Пп]равителств|[Пп]осолств|[Кк]онсулств|"
    r"[Пп]рокуратур|[Аа]рми|[Нн]ародн\w* банк|[Дд]ържавен вестник|[Нн]ародно\w* събрание|"
    r"[Мм]инистерски\w* съвет|[Оо]мбудсман|[Зз]акон|[Кк]одекс|[Сс]метн\w* палат|[Вв]ърховн\w* \w+ съд|"
    r"[Кк]онституционн\w* съд|[Сс]дружение|[Аа]социаци|[Сс]ъюз|[Фф]едераци|[Кк]онфедераци)"
    r"[^.;:!?\n]{0,80}?(?<![^\W\d_])(?:на|в|за)\s+$"
)
# Dateline: «Гоце Делчев, 8 януари /…/», «Плевен (БТА) –».
_MONTHS = "януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември"
_MONTH_SET = frozenset(_MONTHS.split("|"))
_DATELINE_AFTER = re.compile(
    rf"\s*,\s*(?:\d{{1,2}}\s*(?:{_MONTHS})|\d{{1,2}}\.\d{{1,2}}|днес|вчера)|\s*\(БТА\)",
    re.IGNORECASE,
)
# List separators between two places: «Кърджали, Стара Загора, Варна и Плевен».
_LIST_SEP = re.compile(r"\s*[,;]\s*(?:(?:и|или)\s+)?|\s+(?:и|или|както и)\s+|\s*/\s*")
# A capitalised word right after a name (a surname after «София», «Елена»).
_CAP_AFTER = re.compile(r"[ \t]+([А-Я][а-я]+(?:-[А-Я][а-я]+)?)")
_TYPEISH = frozenset(("град", "област", "община", "район", "столица"))
# Oblasts written as adjectives sharing one «област»: «Пазарджишка,
# Пловдивска и Смолянска област».
_OBLAST_ADJ = sorted(
    {
        p.name.split()[0]
        for p in PLACES.values()
        if "oblast" in p.types and p.name.endswith(" област")
    },
    key=len,
    reverse=True,
)
_ADJ_ALT = "|".join(_OBLAST_ADJ)
_OBLAST_LIST_BEFORE = re.compile(
    rf"(?<![^\W\d_])((?:{_ADJ_ALT})(?:\s*,\s*(?:{_ADJ_ALT}))*\s+(?:и|или)\s+(?:{_ADJ_ALT}))\s+$"
)
_OBLAST_ADJ_RX = re.compile(rf"(?:{_ADJ_ALT})")


class PlaceHit(NamedTuple):
    """One occurrence of a gazetteer name in the (normalised) text."""

    start: int
    end: int
    name: str
    accepted: bool
    #: The occurrence follows «община/Община/общ.» (singular): an institution.
    after_municipality_word: bool
    #: The occurrence follows the plural «общините» or is in a list after it.
    in_municipality_list: bool


def _is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 6 and tok.isalpha() and tok.isupper()


def _is_capitalised(tok: str) -> bool:
    return tok[:1].isupper() and tok[1:2].islower()


_LEAD_PUNCT = frozenset('"(/-')
_TRAIL_PUNCT = frozenset('"),;:!?/-')


def _prev_tokens(window: str) -> list[str]:
    """The last few tokens of ``window``: words (with an abbreviation dot:
    «гр.», «ж.к.», «Варна.»), and quotes, brackets, slashes and dashes split
    off the words («/РДСП/ –» → ``/ РДСП / -``)."""
    toks: list[str] = []
    for part in window.split()[-3:]:
        while part and part[0] in _LEAD_PUNCT:
            toks.append(part[0])
            part = part[1:]
        trail: list[str] = []
        while part and part[-1] in _TRAIL_PUNCT:
            trail.append(part[-1])
            part = part[:-1]
        if part:
            toks.append(part)
        toks.extend(reversed(trail))
    return toks


def _ends_sentence(tok: str) -> bool:
    return tok in _SENTENCE_END or (tok.endswith(".") and tok.lower() not in _TYPE_WORDS)


def _strength(norm: str, start: int, end: int, place: Place) -> tuple[str, bool, bool]:
    """Judge one candidate: 'strong', 'weak', 'no' (only in a list) or 'never'.

    Returns (verdict, follows «община», follows plural «общините»).
    """
    # Hard-wrapped wire text breaks lines anywhere: only a blank line (a new
    # paragraph) ends the context.
    para = norm.rfind("\n\n", max(0, start - 300), start)
    line_start = para + 2 if para != -1 else max(0, start - 300)
    window = norm[max(line_start, start - 36) : start]
    toks = _prev_tokens(window)
    # A line that starts with the name may be a dateline («Плевен, 13 ноември»).
    at_line_start = not window.strip(" \t") or window.rstrip(" \t").endswith("\n")
    prev = toks[-1] if toks else ""
    low = prev.lower()
    # Inside a quoted name: judge by the words before the opening quote, and a
    # capitalised word before the place inside the quotes makes it part of
    # another name («Фондация „Де Пасарел“»).
    if '"' in norm[line_start:start] and norm.count('"', line_start, start) % 2 == 1:
        q = norm.rfind('"', line_start, start)
        before_q = _prev_tokens(norm[max(line_start, q - 40) : q])
        if before_q and before_q[-1].lower() in _NOT_PLACE_WORDS:
            return "never", False, False
        inner = norm[q + 1 : start].split()
        if inner and _is_capitalised(inner[-1]) and inner[-1].lower() not in _OK_BEFORE_CAP:
            return "never", False, False
    if low in _NOT_PLACE_WORDS:
        return "never", False, False
    if place.is_country:
        if norm.startswith("Република", start) and _OFFICIAL_BEFORE.search(norm, line_start, start):
            return "never", False, False
        # «УНИЦЕФ – България», «Каритас България»: part of an organisation's name.
        p = toks[-2] if prev == "-" and len(toks) > 1 else prev
        if p and (_is_acronym(p) or (_is_capitalised(p) and p.lower() not in _OK_BEFORE_CAP)):
            before_p = (
                toks[-3] if prev == "-" and len(toks) > 2 else (toks[-2] if len(toks) > 1 else "")
            )
            if _is_acronym(p) or (
                before_p and not _ends_sentence(before_p) and not _ends_sentence(p)
            ):
                return "never", False, False
    if place.name == "Европа" and _COUNCIL_OF.search(norm, max(0, start - 30), start):
        return "never", False, False
    flags = place.flags
    if "given" in flags or "person" in flags:
        m = _CAP_AFTER.match(norm, end)
        word = m.group(1) if m else ""
        if (
            word
            and fold(word) not in _FORMS
            and word.lower() not in _TYPEISH
            and word.lower() not in _MONTH_SET
        ):
            return "never", False, False
    is_type = low in _TYPE_WORDS
    # A capitalised word right before, mid-sentence: part of another name
    # («Жан-Люк Мартен», «Васил Левски»), unless it is a cue word.
    if (
        not is_type
        and _is_capitalised(prev)
        and not _ends_sentence(prev)
        and low not in _OK_BEFORE_CAP
    ):
        before = toks[-2] if len(toks) > 1 else ""
        if before and not _ends_sentence(before) and not before.isdigit():
            return "never", False, False
    unit = _is_acronym(prev) or (
        prev == "-" and len(toks) > 1 and (_is_acronym(toks[-2]) or toks[-2] in ('"', "/"))
    )
    strong = (
        is_type
        or low in _IN_WORDS
        or unit
        or (at_line_start and _DATELINE_AFTER.match(norm, end) is not None)
    )
    muni_word = low in _MUNI_WORDS
    muni_list = low in _MUNI_PLURAL
    if "muni" in flags:
        return ("strong" if is_type else "no"), muni_word, muni_list
    if strong:
        return "strong", muni_word, muni_list
    if "person" in flags:
        return "no", False, False
    if "cue" in flags:
        if low in _PREP_WORDS or (prev == "-" and len(toks) > 1 and toks[-2][:1].isalpha()):
            return "weak", False, False
        return "no", False, False
    if "given" in flags:
        return "weak", False, False
    return "strong", False, False


def _titlecase_allcaps(text: str) -> str:
    """All-capitals lines («ОБЩИНА ВРАЦА ОТКРИ …») in title case; same length."""
    if "\n" not in text:
        return text.title() if text.isupper() and text.count(" ") >= 2 else text
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if line.isupper() and line.count(" ") >= 2:
            lines[i] = line.title()
            changed = True
    return "\n".join(lines) if changed else text


@lru_cache(maxsize=4)
def place_hits(norm: str) -> tuple[PlaceHit, ...]:
    """Every gazetteer name in an already :func:`normalize`-d text, judged.

    Exposed for the institutions extractor, which needs the places (with
    their positions) to build «Община X» and to resolve «общината». Cached:
    extraction asks for the institutions and the places of the same text.
    """
    raw: list[tuple[int, int, str, str, bool, bool]] = []
    for m in _RX.finditer(norm):
        if m.start() and norm[m.start() - 1].isalpha():
            continue
        surface = m.group(0)
        name = _EXACT.get(surface) or _FORMS.get(fold(surface))
        if name is None:
            continue
        verdict, mw, ml = _strength(norm, m.start(), m.end(), PLACES[name])
        raw.append((m.start(), m.end(), name, verdict, mw, ml))
    pos = norm.find(" област")
    while pos != -1:
        m = _OBLAST_LIST_BEFORE.search(norm, max(0, pos - 120), pos + 1)
        if m:
            for a in _OBLAST_ADJ_RX.finditer(m.group(1)):
                s = m.start(1) + a.start()
                raw.append((s, s + len(a.group(0)), f"{a.group(0)} област", "strong", False, False))
        pos = norm.find(" област", pos + 7)
    raw.sort()
    # Group list members («X, Y и Z») and let a strong member carry the rest.
    accepted = [v in ("strong", "weak") for *_x, v, _mw, _ml in raw]
    groups: list[list[int]] = []
    for i, (s, _e, *_rest) in enumerate(raw):
        if groups:
            j = groups[-1][-1]
            if _LIST_SEP.fullmatch(norm, raw[j][1], s):
                groups[-1].append(i)
                continue
        groups.append([i])
    muni_list_flags = [ml for *_x, ml in raw]
    for g in groups:
        if len(g) > 1 and any(raw[i][3] == "strong" for i in g):
            for i in g:
                if raw[i][3] != "never":
                    accepted[i] = True
        if muni_list_flags[g[0]]:
            for i in g:
                muni_list_flags[i] = True
    return tuple(
        PlaceHit(s, e, name, accepted[i], mw, muni_list_flags[i])
        for i, (s, e, name, _v, mw, _ml) in enumerate(raw)
    )


# A country that may be inside an institution's name: in quotes, or after
# «в/на/за» with an organisation's head word earlier in the clause
# («Национално сдружение на общините в Република България», «Програма за
# трансгранично сътрудничество Румъния – България»).
_ORG_HEAD_BEFORE = re.compile(
    r"(?:[Сс]дружени|[Фф]ондаци|[Аа]социаци|[Сс]ъюз|[Пп]рограм|[Мм]режа|[Аа]лианс|[Кк]онфедераци|"
    r"[Фф]едераци|[Кк]амар|[Сс]ъвет|[Кк]омитет|[Ии]нститут|[Цц]ентър|[Фф]онд|[Пп]артия|[Уу]ниверситет|"
    r"[Аа]кадеми|[Оо]мбудсман|[Дд]ирекци|[Аа]генци|[Мм]инистерств|[Кк]омиси|[Оо]рганизаци)"
)


def _maybe_in_name(norm: str, start: int) -> bool:
    win = max(0, start - 160)
    para = norm.rfind("\n\n", win, start)
    win = para + 2 if para != -1 else win
    line_start = norm.rfind("\n", win, start) + 1 or win
    if norm.count('"', line_start, start) % 2 == 1:
        return True
    clause = max(norm.rfind(c, win, start) for c in ".;:!?(")
    return _ORG_HEAD_BEFORE.search(norm, max(win, clause + 1), start) is not None


def _in_institution_name(norm: str, hit: PlaceHit) -> bool:
    """Whether an institution's name (looked for around the hit) contains it."""
    from crawler.extract.institutions import institution_spans  # circular at import time

    lo = max(0, hit.start - 200)
    return any(
        s <= hit.start and hit.end <= e for s, e in institution_spans(norm, lo, hit.end + 80)
    )


def find_places(text: str, title: str = "") -> list[str]:
    """Places named in the title and text: nominative, each once, in order.

    >>> find_places("Срещата се проведе в гр.Велинград и с. Железница.")
    ['Велинград', 'Железница']
    >>> find_places("ДСП – Лом и зала „Плевен“ на ул. „Васил Левски“")
    ['Лом']
    """
    combined = f"{title}\n\n{text}" if title else text
    norm = _titlecase_allcaps(normalize(combined))
    hits = [h for h in place_hits(norm) if h.accepted]
    drop = {
        h
        for h in hits
        if PLACES[h.name].is_country
        and _maybe_in_name(norm, h.start)
        and _in_institution_name(norm, h)
    }
    if drop:
        hits = [h for h in hits if h not in drop]
    return list(dict.fromkeys(h.name for h in hits))


_TYPE_PREFIX = re.compile(
    r"^(?:гр|град|с|село|общ|община|обл|област|окр|окръг)\.?\s+", re.IGNORECASE
)


def lookup_place(name: str) -> str | None:
    """Canonical place name for a user's filter input, or None.

    Any case and spelling the gazetteer knows: «враца», «гр. Враца», «Община
    Враца», «област Хасково», «В. Търново», «софийската област».
    """
    key = fold(name)
    if not key:
        return None
    if key in _FORMS:
        return _FORMS[key]
    stripped = fold(_TYPE_PREFIX.sub("", key))
    if stripped in _FORMS:
        return _FORMS[stripped]
    return None


def known_place_names() -> set[str]:
    """Every canonical name and variant spelling in the gazetteer.

    The person extractor uses it to avoid taking a town named after a person
    («Гоце Делчев», «Генерал Тошево») for that person.
    """
    return {f for p in PLACES.values() for f in p.forms}


def places_of_type(kind: str) -> Iterable[Place]:
    """All places of one type (``oblast``, ``municipality``, ``town`` …)."""
    return (p for p in PLACES.values() if kind in p.types)
