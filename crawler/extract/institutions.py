"""Organisations named in Bulgarian social-policy news.

:func:`find_institutions` lists every institution that the title or text
names, once each, as a canonical nominative full name with its established
abbreviation (``shared/notes/annotation-conventions.md``, «institutions»):

* a curated gazetteer, ``data/institutions.json`` (ministries, agencies and
  their directorates, service types, programmes and funds, EU and
  international bodies, associations, parties), matched in every inflected
  form (the forms are generated, see :mod:`crawler.extract.gazetteer`), with
  any quote style, across line breaks, in any case — except the service
  types, which count only capitalised or abbreviated («Център за
  настаняване от семеен тип», «ЦНСТ», not «13-те центъра за настаняване …»);
* a minister's title that names the portfolio counts as the ministry
  («заместник-министрите на труда и социалната политика» → МТСП);
* abbreviations alone («АСП», colloquial «АСП-то»), except a few too
  ambiguous to count alone and reporters' initials («/НС/» at a paragraph end);
* municipalities keep their place: «община Враца», «Община Враца» and
  «общината» (the last municipality or settlement named) → «Община Враца»;
  «Общински съвет (ОбС) – Враца», «Областна администрация – Враца» likewise;
* territorial units of a national body («ДСП - Лом», «РДСП – Враца»,
  «Дирекция „Бюро по труда“ – Плевен») are the generic unit: the town is a
  place (:mod:`crawler.extract.places`), not part of the institution;
* institutions the gazetteer does not know are found from patterns: a head
  noun with a quoted name («Фондация „Де Пасарел“», «дирекция „Социални
  дейности и здравеопазване“», «Спортен клуб за хора с увреждания
  „Струма“»), a capitalised head in mid-sentence with its phrase («на Съвет
  за подпомагане на процеса по извеждане на децата»), a head with a
  capitalised name («Фондация Карин Дом»), and an abbreviation defined in
  parentheses or slashes right after a name (its initials must agree).

Not institutions: laws, regulations, the State Gazette, strategies,
campaigns, exhibitions, halls and other venues, and generic lowercase
plurals («районните администрации», «общините») — none of them is in the
gazetteer and none has a head noun the patterns accept.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import NamedTuple

from crawler.extract.gazetteer import (
    LazyRegex,
    adjective_forms,
    base_form,
    fold,
    normalize,
    noun_forms,
    phrase_forms,
    read_json,
    trie_regex,
)
from crawler.extract.places import PLACES, PlaceHit, _titlecase_allcaps, place_hits
from crawler.record import Institution

__all__ = [
    "INSTITUTIONS",
    "find_institutions",
    "institution_spans",
    "lookup_institution",
]


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    abbr: str | None
    kind: str
    cap: bool


def _clean_form(form: str) -> str:
    """A name form as the trie regex wants it: no quotes, single spaces."""
    return " ".join(normalize(form).replace('"', " ").split())


def _load() -> tuple[
    dict[str, _Entry], dict[str, str], dict[str, str], dict[str, str], dict[str, str], list[str]
]:
    data = read_json("institutions.json")["institutions"]
    entries: dict[str, _Entry] = {}
    forms: dict[str, str] = {}  # fold(form) -> name
    surfaces: dict[str, str] = {}  # cleaned surface form -> name
    aliases: dict[str, str] = {}  # exact short form -> name (case-sensitive)
    portfolios: dict[str, str] = {}  # fold(portfolio) -> ministry name
    titles: list[str] = []
    for item in data:
        name = item["name"]
        abbr = item.get("abbr")
        entry = _Entry(name, abbr, item.get("kind", ""), bool(item.get("cap")))
        entries[name] = entry
        bases = list(item.get("variants", []))
        if not item.get("only_variants"):
            bases.insert(0, name)
        for base in bases:
            for f in phrase_forms(base, plural=bool(item.get("plural"))):
                clean = _clean_form(f)
                surfaces.setdefault(clean, name)
                forms.setdefault(fold(f), name)
        for t in item.get("titles", []):
            surfaces.setdefault(_clean_form(t), name)
        if abbr and item.get("bare", True):
            aliases.setdefault(abbr, name)
        for a in item.get("aliases", []):
            aliases.setdefault(" ".join(normalize(a).split()), name)
        if abbr:
            forms.setdefault(fold(abbr), name)
        for a in item.get("aliases", []):
            forms.setdefault(fold(a), name)
        for p in item.get("portfolio", []):
            portfolios[fold(p)] = name
            titles.append(p)
    return entries, forms, surfaces, aliases, portfolios, titles


_ENTRIES, _FORMS, _SURFACES, _ALIASES, _PORTFOLIOS, _PORTFOLIO_TEXTS = _load()

#: The curated gazetteer as records (canonical name + abbreviation).
INSTITUTIONS: tuple[Institution, ...] = tuple(
    Institution(e.name, e.abbr) for e in _ENTRIES.values()
)


# All name forms, matched in the lower-cased text: ``re.IGNORECASE`` would stop
# the engine from skipping ahead to the possible first letters (so would a
# look-behind at the start; the left boundary is checked in Python).
def _names_source() -> str:
    forms = sorted({s.lower() for s in _SURFACES}, key=len, reverse=True)
    return r"\b(?:" + trie_regex(forms) + r")(?![^\W\d_])"


_NAMES_RX = LazyRegex(_names_source)
# For texts whose length lower() changes (a rare letter): case-insensitive.
_NAMES_RX_ICASE = LazyRegex(_names_source, re.IGNORECASE)
_SURFACE_KEYS = {fold(s): n for s, n in _SURFACES.items()}
# Abbreviations and short forms, case-sensitive, with a colloquial article
# («АСП-то», «НОИ-то»).
_ABBR_RX = re.compile(
    "(?:"
    + trie_regex(
        sorted({" ".join(a.replace('"', " ").split()) for a in _ALIASES}, key=len, reverse=True)
    )
    + r")(?:-(?:то|та|ът|а|те))?(?![^\W\d_+])"
)
_ABBR_KEYS = {" ".join(a.replace('"', " ").split()): n for a, n in _ALIASES.items()}
# A minister's title naming the portfolio.
_MINISTER_RX = re.compile(
    r"(?:министър|министъра|министърът|министри|министрите)\s+на\s+(?P<p>"
    + trie_regex(sorted(_PORTFOLIO_TEXTS, key=len, reverse=True))
    + r")(?![^\W\d_])"
)  # matched in the lower-cased text

# --------------------------------------------------------------------------
# Patterns for institutions the gazetteer does not know
# --------------------------------------------------------------------------


def _head_forms(nouns: list[str]) -> dict[str, str]:
    """Every form of the head nouns (both cases) → the nominative head."""
    heads: dict[str, str] = {}
    for n in nouns:
        nf = noun_forms(n)
        for key in ("sg", "def", "pl", "defpl", "count"):
            for f in nf[key]:
                for v in (f, f[:1].upper() + f[1:]):
                    heads.setdefault(v, n[:1].upper() + n[1:])
    return heads


# Heads that take a quoted name: «Фондация „…“», «дирекция „…“», «отдел „…“».
_QUOTE_HEADS = _head_forms(
    [
        "фондация",
        "сдружение",
        "асоциация",
        "дирекция",
        "отдел",
        "сектор",
        "център",
        "клуб",
        "съюз",
        "федерация",
        "конфедерация",
        "камара",
        "мрежа",
        "алианс",
        "комитет",
        "комисия",
        "съвет",
        "институт",
        "агенция",
        "фонд",
        "звено",
        "партия",
        "коалиция",
        "движение",
        "служба",
    ]
)
_QUOTE_HEADS.update(
    {
        "синдикат": "Синдикат",
        "Синдикат": "Синдикат",
        "синдиката": "Синдикат",
        "Синдиката": "Синдикат",
        "синдикатът": "Синдикат",
        "Синдикатът": "Синдикат",
        "ПП": "Партия",
        "СНЦ": "Сдружение",
    }
)
# One scan of the lower-cased text finds every head noun; what follows it
# decides the pattern (the first letters of a trie are literals, so ``re`` can
# skip ahead; the case of the words is then read from the original text).
_DEPT_FORMS = frozenset(("отдели", "отделите", "отдела"))
_DIRECTOR_FORMS = frozenset(("директор", "директора", "директорът"))
_NAMED_FORMS = frozenset(
    ("фондация", "фондацията", "сдружение", "сдружението", "асоциация", "асоциацията")
)
_PHRASE_NOUNS = [
    "съвет",
    "комисия",
    "комитет",
    "агенция",
    "дирекция",
    "институт",
    "фонд",
    "център",
    "асоциация",
    "сдружение",
    "фондация",
    "съюз",
    "мрежа",
    "алианс",
    "служба",
    "инспекция",
    "инспекторат",
    "академия",
    "камара",
    "федерация",
    "конфедерация",
    "министерство",
    "управление",
    "бюро",
    "звено",
    "организация",
]
_PHRASE_HEADS = {h.lower() for h in _head_forms(_PHRASE_NOUNS)}
_HEAD_KEYS = {h.lower(): b for h, b in _QUOTE_HEADS.items()}
_ALL_HEADS = set(_HEAD_KEYS) | _PHRASE_HEADS | _DEPT_FORMS | _DIRECTOR_FORMS
_HEADS_RX = re.compile(
    r"\b(?:" + trie_regex(sorted(_ALL_HEADS, key=len, reverse=True)) + r")(?![^\W\d_])"
)
# After a head: lowercase words, then a quoted name («Спортен клуб за хора с
# увреждания „Струма“», «дирекция „Социална политика“»).
_QUOTE_AFTER = re.compile(r"(?P<mid>(?:\s+[а-я][а-я\-]*){0,7}+)\s*\"(?P<q>[^\"\n]{1,100}?)\s*\"")
_DIRECT_QUOTE_AFTER = re.compile(r"\s*\"(?P<q>[^\"\n]{1,100}?)\s*\"")
_PREP_AFTER = re.compile(r"\s+(?:за|по|на)\s")
_ADJ_BEFORE_RX = re.compile(r"[А-Я][а-я]++(?<=ен|на|но|ни|ки|ка|ко|ия|ят|та|то)\s+$")
# Plural or counted departments followed by their quoted names: «двата нови
# отдела към Дирекцията - „А“ с началник … и „Б“ …».
_QUOTED_RX = re.compile(r'"(?P<q>[^"\n]{1,100}?)\s*"')
_DEPT_GAP_RX = re.compile(r"(?:^\s*|[\s\S]{0,60}?(?:-|:|,|\sи)\s*)$")
# A capitalised head (or a capitalised adjective and a head) in mid-sentence
# with its phrase: «на Съвет за подпомагане на процеса …».
_PHRASE_ADJ: set[str] = set()
for _adj in [
    "Национален",
    "Национална",
    "Национално",
    "Държавен",
    "Държавна",
    "Държавно",
    "Регионален",
    "Регионална",
    "Областен",
    "Областна",
    "Общински",
    "Обществен",
    "Обществена",
    "Консултативен",
    "Консултативна",
    "Междуведомствен",
    "Междуведомствена",
    "Постоянен",
    "Постоянна",
    "Експертен",
    "Експертна",
    "Координационен",
    "Координационна",
    "Европейски",
    "Европейска",
    "Български",
    "Българска",
    "Международен",
    "Международна",
    "Висш",
    "Висша",
    "Върховен",
    "Централен",
    "Централна",
    "Изпълнителна",
    "Главна",
    "Специализиран",
    "Специализирана",
    "Районен",
    "Районна",
    "Местен",
    "Местна",
    "Младежки",
    "Младежка",
    "Детски",
    "Обществено",
    "Граждански",
    "Гражданска",
]:
    for _forms in adjective_forms(_adj).values():
        _PHRASE_ADJ.update(_forms)
_PHRASE_LEAD_RX = re.compile(r"(?:(?<![^\W\d_])[А-Я][а-я]+\s+)(?:[а-я]+\s+)?$")
_TAIL_WORD_RX = re.compile(r"\s+([а-я][а-я\-]*)")
_PHRASE_STOP = frozenset(
    [
        "в",
        "във",
        "към",
        "при",
        "чрез",
        "със",
        "от",
        "до",
        "който",
        "която",
        "което",
        "които",
        "е",
        "са",
        "ще",
        "бе",
        "беше",
        "бяха",
        "се",
        "да",
        "че",
        "като",
        "след",
        "преди",
        "през",
        "върху",
        "или",
        "но",
        "а",
    ]
)
_TRAILING = frozenset(["и", "на", "за", "по", "с", "в", "от", "към"])
# A head with a capitalised, unquoted name: «Фондация Карин Дом».
_NAMED_AFTER = re.compile(
    r"\s+(?P<n>[A-ZА-Я][\w'&]*(?:-[\w'&]+)?(?:\s+[A-ZА-Я][\w'&]*(?:-[\w'&]+)?){0,3})"
)
# An abbreviation defined right after a name: «… (НАСО)», «/АСП/», «/ НАСО/».
_DEFINE_RX = re.compile(r"\s*(?:\(\s*|/\s*)(?P<a>[А-ЯA-Z][А-ЯA-Zа-я]{0,3}[А-ЯA-Z+]{1,7})\s*[)/]")
# An unknown abbreviation in parentheses or slashes, defined by the capitalised
# name before it («Българската асоциация за лица с интелектуални затруднения
# (БАЛИЗ)»): the name must end in an institution's head noun phrase and its
# initials must agree with the abbreviation.
_DEF_AT_RX = re.compile(r"(?:\(|/)\s*(?P<a>[А-Я][А-Яа-я]{0,3}[А-Я]{1,7})\s*(?:\)|/)")
_DEF_WORD_RX = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_DEF_HEADS = frozenset(
    [
        *_PHRASE_NOUNS,
        "партия",
        "коалиция",
        "движение",
        "клуб",
        "съд",
        "университет",
        "банка",
        "каса",
        "палата",
        "прокуратура",
        "парламент",
        "омбудсман",
    ]
)
# Cross-border programmes: «Програмата за трансгранично сътрудничество Румъния – България 2007–2013».
_CROSS_RX = re.compile(
    r"[Пп]рограма(?:та)?\s+за\s+трансгранично\s+сътрудничество\s+(?:(?:ИНТЕРРЕГ|Интеррег|INTERREG)\s+(?:[IVX]+-A\s+|ИПП\s+)?)?"
    r"(?P<a>[А-Я][а-я]+(?:\s+[А-Я][а-я]+)?)\s*-\s*(?P<b>[А-Я][а-я]+(?:\s+[А-Я][а-я]+)?)"
    r"(?:\s+(?P<y1>\d{4})\s*-\s*(?P<y2>\d{4}))?"
)
# Municipal and regional bodies that keep their place.
_COUNCIL_BEFORE = re.compile(
    r"(?:[Оо]бщински(?:ят|я)?\s+съвет|ОбС)\s*(?:\(\s*ОбС\s*\)\s*)?(?:-\s*|на\s+|в\s+)?"
    r"(?:(?:гр|с|общ)\.\s*|град\s+|община\s+)?$"
)
_REGIONAL_ADMIN_BEFORE = re.compile(
    r"[Оо]бластна(?:та)?\s+администрация\s*(?:-\s*|на\s+|в\s+)?(?:(?:гр|обл)\.\s*|град\s+|област\s+)?$"
)
_COUNTY_BEFORE = re.compile(r"[Оо]кръжни?(?:ят|я)?\s+съвет\s*(?:-\s*|на\s+)?(?:окръг\s+)?$")
_REPRESENTATIVES = re.compile(r"представител", re.IGNORECASE)
_ANAPHORA_RX = re.compile(r"[Оо]бщината(?![^\W\d_])")
PLACE_AFTER_RX = re.compile(r"\s+(?:гр\.\s*)?[А-Я]")
_BYLINE_END = re.compile(r"/\s*(?:\n|$)")


class _Cand(NamedTuple):
    start: int
    end: int
    name: str
    abbr: str | None
    rank: int  # 3 gazetteer, 2 municipal, 1 pattern
    #: Where the quoted proper name of a «head „name“» pattern begins (-1: none).
    quoted: int = -1


def _known(name: str) -> _Entry | None:
    key = _FORMS.get(fold(name))
    return _ENTRIES.get(key) if key else None


def _cand(start: int, end: int, name: str, abbr: str | None, rank: int, quoted: int = -1) -> _Cand:
    """A candidate; a pattern-made name the gazetteer knows becomes that entry."""
    entry = _known(name) if rank < 3 else None
    if entry is not None:
        return _Cand(start, end, entry.name, entry.abbr, rank)
    return _Cand(start, end, name, abbr, rank, quoted)


def _left_ok(norm: str, i: int) -> bool:
    return i == 0 or not norm[i - 1].isalpha()


def _mid_sentence(norm: str, i: int) -> bool:
    """True when the word at ``i`` is not the first of a sentence or heading."""
    j = i - 1
    while j >= 0 and norm[j] in " \t":
        j -= 1
    return j >= 0 and (norm[j].isalnum() or norm[j] in ",-–")


def _gazetteer_cands(norm: str, lower: str) -> list[_Cand]:
    out: list[_Cand] = []
    matches = _NAMES_RX.finditer(lower) if lower is not norm else _NAMES_RX_ICASE.finditer(norm)
    for m in matches:
        s, e = m.span()
        if not _left_ok(norm, s):
            continue
        surface = " ".join(norm[s:e].replace('"', " ").split())
        name = _SURFACES.get(surface) or _SURFACE_KEYS.get(fold(surface))
        if name is None:
            continue
        entry = _ENTRIES[name]
        if entry.cap and not norm[s].isupper():
            continue
        out.append(_Cand(s, e, name, entry.abbr, 3))
    for m in _ABBR_RX.finditer(norm):
        s, e = m.span()
        if not _left_ok(norm, s) or (s and norm[s - 1] == "-" and s > 1 and norm[s - 2].isalpha()):
            continue
        # Reporters' initials: «… /НС/» at the end of a paragraph.
        if s and norm[s - 1] == "/" and _BYLINE_END.match(norm, e):
            continue
        text = re.sub(r"-(?:то|та|ът|а|те)$", "", m.group(0))
        name = _ABBR_KEYS.get(" ".join(text.replace('"', " ").split()))
        if name is None:
            continue
        out.append(_Cand(s, e, name, _ENTRIES[name].abbr, 3))
    for m in _MINISTER_RX.finditer(lower) if lower is not norm else ():
        if not _left_ok(norm, m.start()):
            continue
        name = _PORTFOLIOS.get(fold(m.group("p")))
        if name:
            out.append(_Cand(m.start(), m.end(), name, _ENTRIES[name].abbr, 3))
    return out


def _quoted_after_head(norm: str, hs: int, he: int, head_key: str) -> _Cand | None:
    """«Фондация „X“», «Спортен клуб за … „X“», «дирекция „X“», «директор „X“»."""
    if head_key in _DIRECTOR_FORMS:
        m = _DIRECT_QUOTE_AFTER.match(norm, he)
        q = m.group("q").strip() if m else ""
        if q and q[0].isupper():
            return _cand(hs, m.end(), f"Дирекция „{q}“", None, 1)
        return None
    if head_key not in _HEAD_KEYS:
        return None
    m = _QUOTE_AFTER.match(norm, he)
    if m is None:
        return None
    q = m.group("q").strip()
    mid = m.group("mid")
    if not q or not (q[0].isupper() or q[0].isdigit()) or any(c.isupper() for c in mid):
        return None
    s = hs
    head = norm[hs:he]
    adj = _ADJ_BEFORE_RX.search(norm, max(0, hs - 30), hs)
    if adj and (head[:1].isupper() or mid):
        s = adj.start()
    elif mid and not head[:1].isupper():
        return None
    lead = base_form(" ".join(norm[s : m.start("mid")].split() + mid.split()))
    name = f"{lead[:1].upper()}{lead[1:]} „{q}“"
    return _cand(s, m.end(), name, None, 1, quoted=m.start("q"))


def _departments(norm: str, he: int) -> list[_Cand]:
    """Quoted names after «отдели/отделите/отдела» in the same sentence, each
    introduced by a dash, colon, comma or «и»."""
    out: list[_Cand] = []
    sentence_end = len(norm)
    for ch in ".!?\n":
        k = norm.find(ch, he, sentence_end)
        if k != -1:
            sentence_end = k
    anchor = he
    for q in _QUOTED_RX.finditer(norm, he, sentence_end):
        name = q.group("q").strip()
        if not name or not name[0].isupper() or not _DEPT_GAP_RX.match(norm[anchor : q.start()]):
            break
        out.append(_cand(q.start(), q.end(), f"Отдел „{name}“", None, 1))
        anchor = q.end()
    return out


def _phrase_after_head(norm: str, hs: int, he: int) -> _Cand | None:
    """«… на Съвет за подпомагане на процеса по извеждане на децата, …»."""
    if not _PREP_AFTER.match(norm, he):
        return None
    s = hs
    if not norm[hs].isupper():
        before = norm[max(0, hs - 40) : hs].split()
        if before and before[-1] in _PHRASE_ADJ:
            lead = before[-1]
        elif len(before) > 1 and before[-1].islower() and before[-2] in _PHRASE_ADJ:
            lead = before[-2]
        else:
            return None
        s = norm.rfind(lead, max(0, hs - 40), hs)
    if not _mid_sentence(norm, s):
        return None
    words: list[str] = []
    pos = end = he
    while len(words) < 12:
        w = _TAIL_WORD_RX.match(norm, pos)
        if not w or w.group(1) in _PHRASE_STOP:
            break
        words.append(w.group(1))
        pos = w.end()
        if w.group(1) not in _TRAILING:
            end = pos
    while words and words[-1] in _TRAILING:
        words.pop()
    if len(words) < 2 or words[0] not in ("за", "по", "на"):
        return None
    lead = base_form(" ".join(norm[s:he].split()))
    return _cand(s, end, " ".join([lead[:1].upper() + lead[1:], *words]), None, 1)


def _defined_abbreviations(norm: str) -> list[_Cand]:
    """Names known only through the abbreviation defined right after them."""
    out: list[_Cand] = []
    for m in _DEF_AT_RX.finditer(norm):
        abbr = m.group("a")
        if abbr in _ALIASES or len(abbr) < 3:
            continue
        lo = max(0, m.start() - 160)
        for ch in ".!?;:\n":
            k = norm.rfind(ch, lo, m.start())
            if k != -1:
                lo = max(lo, k + 1)
        words = list(_DEF_WORD_RX.finditer(norm, lo, m.start()))[-12:]
        for i in range(len(words)):
            first = words[i].group(0)
            if not first[:1].isupper():
                continue
            phrase = " ".join(w.group(0) for w in words[i:])
            if not _initials_agree(phrase, abbr):
                continue
            base = base_form(phrase)
            head = next((w for w in base.split()[:5] if w.lower() in _DEF_HEADS), None)
            if head is None:
                continue
            out.append(
                _Cand(words[i].start(), words[-1].end(), base[:1].upper() + base[1:], abbr, 1)
            )
            break
    return out


def _pattern_cands(norm: str, lower: str, known: list[_Cand] = ()) -> list[_Cand]:
    """Institutions from patterns; heads inside a gazetteer match are skipped."""
    out: list[_Cand] = []
    spans = sorted((c.start, c.end) for c in known)
    starts = [a for a, _b in spans]
    for m in _HEADS_RX.finditer(lower):
        hs, he = m.span()
        if not _left_ok(norm, hs):
            continue
        i = bisect_left(starts, hs + 1) - 1
        if i >= 0 and spans[i][1] >= he:
            continue
        key = m.group(0)
        c = _quoted_after_head(norm, hs, he, key)
        if c is not None:
            out.append(c)
            continue
        if key in _DEPT_FORMS:
            out.extend(_departments(norm, he))
        if key in _PHRASE_HEADS:
            c = _phrase_after_head(norm, hs, he)
            if c is not None:
                out.append(c)
                continue
        if key in _NAMED_FORMS:
            n = _NAMED_AFTER.match(norm, he)
            if n is not None:
                head = base_form(norm[hs:he])
                out.append(
                    _cand(hs, n.end(), f"{head[:1].upper()}{head[1:]} „{n.group('n')}“", None, 1)
                )
    out.extend(_defined_abbreviations(norm))
    pos = norm.find("трансгранично")
    while pos != -1:
        m = _CROSS_RX.search(norm, max(0, pos - 30), pos + 200)
        if m:
            years = f" {m.group('y1')}–{m.group('y2')}" if m.group("y1") else ""
            name = (
                f"Програма за трансгранично сътрудничество {m.group('a')} – {m.group('b')}{years}"
            )
            out.append(_Cand(m.start(), m.end(), name, None, 2))
        pos = norm.find("трансгранично", pos + 1)
    return out


def _municipal_cands(norm: str, hits: tuple[PlaceHit, ...]) -> list[_Cand]:
    out: list[_Cand] = []
    for h in hits:
        place = PLACES.get(h.name)
        if place is None:
            continue
        win = max(0, h.start - 70)
        if (
            h.after_municipality_word
            and place.municipality
            and (place.is_municipality or "municipality" in place.types)
        ):
            start = norm.rfind(" ", win, h.start - 1) + 1 if h.start else 0
            out.append(
                _Cand(
                    start,
                    h.end,
                    _municipality_name(place.municipality),
                    _muni_abbr(place.municipality),
                    2,
                )
            )
        elif h.in_municipality_list and place.is_municipality and place.municipality:
            # «представители … на общините Добрич, Балчик и Каварна»: the
            # municipalities as organisations; «деца от общините …» are places.
            line_start = norm.rfind("\n", 0, h.start) + 1
            list_start = norm.rfind("общини", line_start, h.start)
            if list_start != -1 and _REPRESENTATIVES.search(
                norm, max(line_start, list_start - 90), list_start
            ):
                out.append(_Cand(h.start, h.end, _municipality_name(place.municipality), None, 2))
        near = norm[win : h.start]
        if "съвет" not in near and "ОбС" not in near and "администрац" not in near:
            continue
        m = _COUNCIL_BEFORE.search(norm, win, h.start)
        if m and place.is_municipality and place.municipality:
            out.append(_Cand(m.start(), h.end, f"Общински съвет – {place.municipality}", "ОбС", 2))
            continue
        m = _REGIONAL_ADMIN_BEFORE.search(norm, win, h.start)
        if m and ("oblast" in place.types):
            out.append(_Cand(m.start(), h.end, f"Областна администрация – {place.name}", None, 2))
            continue
        m = _COUNTY_BEFORE.search(norm, win, h.start)
        if m:
            out.append(_Cand(m.start(), h.end, f"Окръжен съвет – {place.name}", None, 2))
    return out


def _municipality_name(muni: str) -> str:
    return "Столична община" if muni == "Столична" else f"Община {muni}"


def _muni_abbr(muni: str) -> str | None:
    return "СО" if muni == "Столична" else None


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping candidates: the gazetteer's always (its matches never
    overlap each other), then longer before shorter.

    One exception: a gazetteer name inside the quoted proper name of a
    «head „name“» pattern is part of that name («Фондация „Каритас София“» is
    not Каритас България), so the pattern wins there.
    """
    inner = [c for c in cands if c.quoted >= 0]
    if inner:
        shadowed = {
            i
            for i, c in enumerate(cands)
            if c.rank == 3 and any(p.quoted <= c.start and c.end <= p.end for p in inner)
        }
        if shadowed:
            cands = [c for i, c in enumerate(cands) if i not in shadowed]
    kept: list[_Cand] = []
    starts: list[int] = []
    ends: list[int] = []
    for c in sorted(cands, key=lambda c: (-c.rank, -(c.end - c.start), c.start)):
        i = bisect_left(starts, c.start)
        clash = (i < len(starts) and starts[i] < c.end) or (i > 0 and ends[i - 1] > c.start)
        if c.rank == 3 or not clash:
            kept.append(c)
            if not clash:
                starts.insert(i, c.start)
                ends.insert(i, c.end)
    return sorted(kept, key=lambda c: c.start)


def _with_definitions(norm: str, kept: list[_Cand]) -> list[_Cand]:
    """Give unknown institutions the abbreviation defined right after them; an
    unknown (mistaken) name followed by a known abbreviation is that institution
    («Националният съвет на хората с увреждания (НСХУ)»)."""
    out: list[_Cand] = []
    for c in kept:
        if c.rank < 3 and c.abbr is None:
            m = _DEFINE_RX.match(norm, c.end)
            if m and m.group("a") in _ALIASES:
                entry = _ENTRIES[_ALIASES[m.group("a")]]
                if _initials_agree(c.name, m.group("a")):
                    c = c._replace(name=entry.name, abbr=entry.abbr)
            elif m and _initials_agree(c.name, m.group("a")):
                c = c._replace(abbr=m.group("a"))
        out.append(c)
    return out


_SMALL_WORDS = frozenset(["на", "за", "в", "и", "по", "от", "към", "с", "със", "до", "при"])


def _initials_agree(name: str, abbr: str) -> bool:
    """«Асоциация на родителите (АР)»: the capitals of the abbreviation are the
    initials of the name's words (small words may be skipped or kept)."""
    words = re.findall(r"[^\W\d_]+", name)
    caps = "".join(ch for ch in abbr if ch.isupper())
    full = "".join(w[0].upper() for w in words)
    content = "".join(w[0].upper() for w in words if w.lower() not in _SMALL_WORDS)
    return caps in (full, content) or (len(caps) >= 2 and content.startswith(caps))


def _anaphora(norm: str, kept: list[_Cand], hits: tuple[PlaceHit, ...]) -> list[_Cand]:
    """«общината» refers to the last municipality (or settlement) named before
    it, or, when none comes before (a title), to the first one after it."""
    if "бщината" not in norm:
        return []
    anchors: list[tuple[int, str, str | None]] = []
    for c in kept:
        if c.name == "Столична община" or c.name.startswith("Община "):
            anchors.append((c.start, c.name, c.abbr))
    for h in hits:
        place = PLACES.get(h.name)
        if (
            h.accepted
            and place is not None
            and place.municipality
            and "foreign" not in place.flags
            and place.types & {"town", "village", "municipality"}
        ):
            anchors.append(
                (h.start, _municipality_name(place.municipality), _muni_abbr(place.municipality))
            )
    if not anchors:
        return []
    anchors.sort()
    keys = [a[0] for a in anchors]
    hit_starts = {h.start for h in hits}
    out: list[_Cand] = []
    for m in _ANAPHORA_RX.finditer(norm):
        if not _left_ok(norm, m.start()):
            continue
        nxt = PLACE_AFTER_RX.match(norm, m.end())
        if nxt and nxt.end() - 1 in hit_starts:
            continue  # «общината Враца» is explicit, not anaphora
        i = bisect_left(keys, m.start())
        pick = anchors[i - 1] if i > 0 else anchors[0]
        out.append(_Cand(m.start(), m.end(), pick[1], pick[2], 2))
    return out


# The last analyses, by normalised text: extraction asks for the institutions
# and then for the places of the same text, and the places extractor needs the
# institutions' spans.
_RECENT: dict[str, tuple[list[_Cand], tuple[PlaceHit, ...]]] = {}


def _analyse(norm: str) -> tuple[list[_Cand], tuple[PlaceHit, ...]]:
    cached = _RECENT.get(norm)
    if cached is not None:
        return cached
    hits = place_hits(_titlecase_allcaps(norm))
    lower = norm.lower()
    # A rare letter whose lower case is longer would shift every offset:
    # then the names are matched case-insensitively in the text itself.
    if len(lower) != len(norm):
        lower = norm
    gaz = _gazetteer_cands(norm, lower)
    cands = gaz + _municipal_cands(norm, hits) + _pattern_cands(norm, lower, gaz)
    kept = _with_definitions(norm, _resolve(cands))
    if len(_RECENT) >= 2:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[norm] = (kept, hits)
    return kept, hits


def institution_spans(norm: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of institution names in a :func:`normalize`-d text (or in the
    window ``norm[start:end]``), from the gazetteer and the name patterns.

    The places extractor uses them: a country inside an institution's name
    («Фондация „Приемни семейства за България“») is not a place.
    """
    cached = _RECENT.get(norm)
    if cached is not None:
        stop = len(norm) if end is None else end
        return [(c.start, c.end) for c in cached[0] if c.start < stop and c.end > start]
    piece = norm[start:end]
    lower = piece.lower()
    if len(lower) != len(piece):
        lower = piece
    gaz = _gazetteer_cands(piece, lower)
    kept = _resolve(gaz + _pattern_cands(piece, lower, gaz))
    return [(c.start + start, c.end + start) for c in kept]


def find_institutions(text: str, title: str = "") -> list[Institution]:
    """Institutions named in the title and text, each once, in order of first
    appearance, as canonical nominative name plus established abbreviation.

    >>> [i.abbr for i in find_institutions("Директорът на ДСП - Лом и АСП-то")]
    ['ДСП', 'АСП']
    """
    combined = f"{title}\n\n{text}" if title else text
    norm = normalize(combined)
    kept, hits = _analyse(norm)
    kept = sorted(kept + _anaphora(norm, kept, hits), key=lambda c: c.start)
    out: dict[str, Institution] = {}
    for c in kept:
        if c.name not in out or out[c.name].abbr is None and c.abbr:
            out[c.name] = Institution(c.name, c.abbr)
    return list(out.values())


_LOOKUP_MUNI = re.compile(r"^(?:община|общ\.?)\s+(?P<p>.+)$", re.IGNORECASE)


def lookup_institution(name_or_abbr: str) -> Institution | None:
    """Canonicalise a user's filter input: a name in any form or case, a
    variant or mistaken name, or an abbreviation («асп», «АСП-то», «агенцията
    за социално подпомагане», «община враца»)."""
    text = " ".join(name_or_abbr.split())
    text = re.sub(r"(?<=[А-ЯA-Z+])\s*-\s*(?:то|та|ът|а|те)$", "", text)  # «АСП-то»
    if not text:
        return None
    key = fold(text)
    name = _FORMS.get(key) or _SURFACE_KEYS.get(key)
    if name is None:
        upper = {fold(a): n for a, n in _ALIASES.items()}
        name = upper.get(key)
    if name is None:
        base = fold(base_form(text))
        name = _FORMS.get(base)
    if name is not None:
        e = _ENTRIES[name]
        return Institution(e.name, e.abbr)
    m = _LOOKUP_MUNI.match(text)
    if m:
        from crawler.extract.places import lookup_place

        place = lookup_place(m.group("p"))
        info = PLACES.get(place) if place else None
        if (
            info is not None
            and info.municipality
            and (info.is_municipality or "municipality" in info.types)
        ):
            return Institution(_municipality_name(info.municipality), _muni_abbr(info.municipality))
    return None
