"""Shared machinery for the gazetteer extractors (places, institutions).

Both extractors look up many hundreds of known names in running Bulgarian
text. Doing that with one Python loop per name would be far too slow, and
doing it with a flat ``a|b|c|...`` alternation is slow too (the regex engine
tries every branch at every position). So the names are compiled once, at
import, into a single *trie-shaped* regular expression: common prefixes are
shared, the first level is a set of literal characters, and CPython's ``re``
can then skip ahead to candidate positions in C.

The text is first passed through :func:`normalize`, which keeps every offset
(one character in, one character out) so that match positions point into the
original text, but folds the things that vary without changing a name: every
quote style becomes ``"``, every dash becomes ``-``, exotic spaces become a
plain space, and Latin letters that look Cyrillic inside a Cyrillic word
(«мултимедийнaта» with a Latin *a*) become Cyrillic.

Bulgarian inflects the *first* word of a name: «Агенция за социално
подпомагане» → «Агенцията за социално подпомагане», «Регионална дирекция» →
«Регионалната дирекция» / «регионалните дирекции», «Национален ... институт» →
«Националния ... институт». The inflection helpers below generate those forms
from the canonical (nominative, indefinite) name, so a data file only lists
the canonical name and genuinely different variants.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "LazyRegex",
    "SEP",
    "adjective_forms",
    "base_form",
    "fold",
    "noun_forms",
    "normalize",
    "phrase_forms",
    "read_json",
    "read_tsv",
    "trie_regex",
]

DATA_DIR = Path(__file__).with_name("data")

# --------------------------------------------------------------------------
# Loading data files
# --------------------------------------------------------------------------


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a tab-separated data file; ``#`` lines are comments, the first
    other line is the header. Kept as plain dicts so data files stay editable
    by hand without touching code."""
    path = DATA_DIR / name
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def read_json(name: str) -> Any:
    """A JSON data file next to this module."""
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Normalisation (offset-preserving)
# --------------------------------------------------------------------------

_QUOTES = "„“”\"«»‘’‚‛‟'`´″"
_DASHES = "‐‑‒–—―−﹣－"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000\t\r\f\v"
_BASIC_MAP = {
    **dict.fromkeys(_QUOTES, '"'),
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys(_SPACES, " "),
}
del _BASIC_MAP['"']
# str.translate looks every character up in a dict; a few C-level
# str.replace calls, each only for a character that occurs, are much faster.
_BASIC_ITEMS = tuple(_BASIC_MAP.items())
# Latin letters that look like Cyrillic ones; folded only inside words that
# also contain Cyrillic, so genuine Latin words and codes stay intact.
_LAT_TO_CYR = str.maketrans("aAeEoOpPcCxXyBKMHTiIjJsS", "аАеЕоОрРсСхХуВКМНТіІјЈѕЅ")
# (і/ј/ѕ are never in Bulgarian names, so a word with them simply won't match.)
# A Cyrillic letter next to a Latin one: the sign of a mixed-script word.
_MIXED_PAIR = re.compile(r"[a-zA-Z](?:(?<=[а-яА-Я][a-zA-Z])|(?=[а-яА-Я]))")


def normalize(text: str) -> str:
    """Fold quotes, dashes, spaces and look-alike Latin letters; same length.

    Newlines are kept (they matter for datelines and list layout); every
    other whitespace character becomes a plain space.
    """
    out = text
    for ch, rep in _BASIC_ITEMS:
        if ch in out:
            out = out.replace(ch, rep)
    m = _MIXED_PAIR.search(out)
    if m is None:
        return out
    pieces: list[str] = []
    done = 0
    while m is not None:
        i = m.start()
        a = i
        while a > done and out[a - 1].isalnum():
            a -= 1
        b = _WORD_REST.match(out, i).end()
        pieces.append(out[done:a])
        pieces.append(out[a:b].translate(_LAT_TO_CYR))
        done = b
        m = _MIXED_PAIR.search(out, done)
    pieces.append(out[done:])
    return "".join(pieces)


_WORD_REST = re.compile(r"\w*")
_FOLD_DROP = re.compile(r'["()\[\]/]')
_FOLD_SPACE = re.compile(r"[\s\-]+")


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """A lookup key: normalised, lower-case, no quotes, dashes as spaces.

    «Агенция „Социално подпомагане“», «агенция "социално подпомагане"» and
    «Агенция Социално подпомагане» all get the same key.
    """
    s = _FOLD_DROP.sub(" ", normalize(s)).lower()
    s = s.replace("ё", "е")
    s = _FOLD_SPACE.sub(" ", s)
    s = re.sub(r"\s*([.,+])\s*", r"\1 ", s)
    return " ".join(s.split()).strip(" ,;:")


# --------------------------------------------------------------------------
# Trie-shaped regular expressions
# --------------------------------------------------------------------------


class LazyRegex:
    """A regular expression built and compiled on first use.

    The gazetteer patterns take a few hundred milliseconds to build and
    compile; a command that only canonicalises a filter value
    (``socnews search --institution асп``) should not pay for them.
    """

    __slots__ = ("_build", "_flags", "_rx")

    def __init__(self, build: Callable[[], str], flags: int = 0) -> None:
        self._build = build
        self._flags = flags
        self._rx: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = re.compile(self._build(), self._flags)
        return self._rx

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text, pos, endpos)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(text, pos, endpos)


# Between two words of a name: whitespace (including a line break of
# hard-wrapped wire text), or a quote or dash with optional spaces around it
# («Агенция „Социално подпомагане“», «Румъния – България»).
SEP = r'(?:\s*["\-]\s*|\s+)'


def _fragments(form: str, tail_case_insensitive: bool) -> list[str]:
    """Split one name form into regex fragments (one per character or gap)."""
    frags: list[str] = []
    i = 0
    in_tail = False
    n = len(form)
    while i < n:
        ch = form[i]
        if ch == " ":
            frags.append(SEP)
            in_tail = True
        elif ch == ".":
            frags.append(r"\.\s*")
            if i + 1 < n and form[i + 1] == " ":
                i += 1
                in_tail = True
        elif ch == "-":
            frags.append(r"\s*-\s*")
            in_tail = True
        elif ch == ",":
            frags.append(r"\s*,")
        elif ch == "+":
            frags.append(r"\s*\+")
        elif ch.isalpha() and tail_case_insensitive and in_tail and ch.lower() != ch.upper():
            lo, up = ch.lower(), ch.upper()
            frags.append(f"[{lo}{up}]")
        else:
            frags.append(re.escape(ch))
        i += 1
    return frags


def trie_regex(forms: Iterable[str], *, tail_case_insensitive: bool = False) -> str:
    """One regex source matching any of ``forms`` (longest first at a position).

    ``forms`` are written with single spaces between words and ``"``-free;
    a space matches any run of whitespace or a quote/dash gap. With
    ``tail_case_insensitive`` the first word must match exactly (place names
    are capitalised: «Бяла» is a town, «бяла» a colour) but later words match
    in any case («Долна баня» / «Долна Баня»).
    """
    trie: dict[str, Any] = {}
    end = ""  # key marking the end of a form
    for form in forms:
        node = trie
        for frag in _fragments(form, tail_case_insensitive):
            node = node.setdefault(frag, {})
        node[end] = {}

    def emit(node: dict[str, Any]) -> str:
        terminal = end in node
        branches = []
        # Longer alternatives first, so that the engine prefers the longest
        # match at a position ("Бяла Слатина" over "Бяла").
        for frag in sorted((k for k in node if k != end), key=len, reverse=True):
            branches.append(frag + emit(node[frag]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            return f"(?:{body})?"
        return body

    return emit(trie)


# --------------------------------------------------------------------------
# Inflection of Bulgarian names
# --------------------------------------------------------------------------

# Head nouns of institution and place names with their forms:
# (indefinite singular, definite singular forms, indefinite plural,
# definite plural, counted plural). Only the heads that names actually start
# with; the table is small on purpose, so that a form is never guessed wrong.
_NOUNS: dict[str, tuple[str, tuple[str, ...], str, str, str]] = {
    "агенция": ("агенция", ("агенцията",), "агенции", "агенциите", "агенции"),
    "министерство": (
        "министерство",
        ("министерството",),
        "министерства",
        "министерствата",
        "министерства",
    ),
    "дирекция": ("дирекция", ("дирекцията",), "дирекции", "дирекциите", "дирекции"),
    "отдел": ("отдел", ("отдела", "отделът"), "отдели", "отделите", "отдела"),
    "сектор": ("сектор", ("сектора", "секторът"), "сектори", "секторите", "сектора"),
    "център": ("център", ("центъра", "центърът"), "центрове", "центровете", "центъра"),
    "дом": ("дом", ("дома", "домът"), "домове", "домовете", "дома"),
    "фонд": ("фонд", ("фонда", "фондът"), "фондове", "фондовете", "фонда"),
    "съвет": ("съвет", ("съвета", "съветът"), "съвети", "съветите", "съвета"),
    "съюз": ("съюз", ("съюза", "съюзът"), "съюзи", "съюзите", "съюза"),
    "институт": ("институт", ("института", "институтът"), "институти", "институтите", "института"),
    "алианс": ("алианс", ("алианса", "алиансът"), "алианси", "алиансите", "алианса"),
    "комитет": ("комитет", ("комитета", "комитетът"), "комитети", "комитетите", "комитета"),
    "парламент": (
        "парламент",
        ("парламента", "парламентът"),
        "парламенти",
        "парламентите",
        "парламента",
    ),
    "съд": ("съд", ("съда", "съдът"), "съдилища", "съдилищата", "съда"),
    "университет": (
        "университет",
        ("университета", "университетът"),
        "университети",
        "университетите",
        "университета",
    ),
    "инспекторат": (
        "инспекторат",
        ("инспектората", "инспекторатът"),
        "инспекторати",
        "инспекторатите",
        "инспектората",
    ),
    "механизъм": (
        "механизъм",
        ("механизма", "механизмът"),
        "механизми",
        "механизмите",
        "механизма",
    ),
    "план": ("план", ("плана", "планът"), "планове", "плановете", "плана"),
    "кръст": ("кръст", ("кръста", "кръстът"), "кръстове", "кръстовете", "кръста"),
    "омбудсман": (
        "омбудсман",
        ("омбудсмана", "омбудсманът"),
        "омбудсмани",
        "омбудсманите",
        "омбудсмана",
    ),
    "приют": ("приют", ("приюта", "приютът"), "приюти", "приютите", "приюта"),
    "патронаж": ("патронаж", ("патронажа", "патронажът"), "патронажи", "патронажите", "патронажа"),
    "клуб": ("клуб", ("клуба", "клубът"), "клубове", "клубовете", "клуба"),
    "комплекс": ("комплекс", ("комплекса", "комплексът"), "комплекси", "комплексите", "комплекса"),
    "орган": ("орган", ("органа", "органът"), "органи", "органите", "органа"),
    "район": ("район", ("района", "районът"), "райони", "районите", "района"),
    "комисия": ("комисия", ("комисията",), "комисии", "комисиите", "комисии"),
    "програма": ("програма", ("програмата",), "програми", "програмите", "програми"),
    "община": ("община", ("общината",), "общини", "общините", "общини"),
    "администрация": (
        "администрация",
        ("администрацията",),
        "администрации",
        "администрациите",
        "администрации",
    ),
    "инспекция": ("инспекция", ("инспекцията",), "инспекции", "инспекциите", "инспекции"),
    "служба": ("служба", ("службата",), "служби", "службите", "служби"),
    "каса": ("каса", ("касата",), "каси", "касите", "каси"),
    "мрежа": ("мрежа", ("мрежата",), "мрежи", "мрежите", "мрежи"),
    "организация": (
        "организация",
        ("организацията",),
        "организации",
        "организациите",
        "организации",
    ),
    "асоциация": ("асоциация", ("асоциацията",), "асоциации", "асоциациите", "асоциации"),
    "фондация": ("фондация", ("фондацията",), "фондации", "фондациите", "фондации"),
    "федерация": ("федерация", ("федерацията",), "федерации", "федерациите", "федерации"),
    "конфедерация": (
        "конфедерация",
        ("конфедерацията",),
        "конфедерации",
        "конфедерациите",
        "конфедерации",
    ),
    "камара": ("камара", ("камарата",), "камари", "камарите", "камари"),
    "палата": ("палата", ("палатата",), "палати", "палатите", "палати"),
    "банка": ("банка", ("банката",), "банки", "банките", "банки"),
    "академия": ("академия", ("академията",), "академии", "академиите", "академии"),
    "прокуратура": (
        "прокуратура",
        ("прокуратурата",),
        "прокуратури",
        "прокуратурите",
        "прокуратури",
    ),
    "партия": ("партия", ("партията",), "партии", "партиите", "партии"),
    "коалиция": ("коалиция", ("коалицията",), "коалиции", "коалициите", "коалиции"),
    "трапезария": ("трапезария", ("трапезарията",), "трапезарии", "трапезариите", "трапезарии"),
    "област": ("област", ("областта",), "области", "областите", "области"),
    "сдружение": ("сдружение", ("сдружението",), "сдружения", "сдруженията", "сдружения"),
    "управление": ("управление", ("управлението",), "управления", "управленията", "управления"),
    "събрание": ("събрание", ("събранието",), "събрания", "събранията", "събрания"),
    "движение": ("движение", ("движението",), "движения", "движенията", "движения"),
    "представителство": (
        "представителство",
        ("представителството",),
        "представителства",
        "представителствата",
        "представителства",
    ),
    "поделение": ("поделение", ("поделението",), "поделения", "поделенията", "поделения"),
    "жилище": ("жилище", ("жилището",), "жилища", "жилищата", "жилища"),
    "звено": ("звено", ("звеното",), "звена", "звената", "звена"),
    "бюро": ("бюро", ("бюрото",), "бюра", "бюрата", "бюра"),
    "пространство": (
        "пространство",
        ("пространството",),
        "пространства",
        "пространствата",
        "пространства",
    ),
}


def noun_forms(noun: str) -> dict[str, tuple[str, ...]]:
    """Forms of a known head noun, keyed ``sg``, ``def``, ``pl``, ``defpl``, ``count``.

    Unknown nouns get only their own form (no guessing): a wrong generated
    form is worse than a missing one.
    """
    low = noun.lower()
    entry = _NOUNS.get(low)
    if entry is None:
        return {"sg": (noun,), "def": (), "pl": (), "defpl": (), "count": ()}
    sg, defs, pl, defpl, count = entry
    keep = _case_like(noun)
    return {
        "sg": (keep(sg),),
        "def": tuple(keep(x) for x in defs),
        "pl": (keep(pl),),
        "defpl": (keep(defpl),),
        "count": (keep(count),),
    }


def _case_like(model: str):
    """Re-apply the capitalisation of ``model`` (Capitalised or lower)."""
    if model[:1].isupper():
        return lambda w: w[:1].upper() + w[1:]
    return lambda w: w


def is_known_noun(word: str) -> bool:
    """Whether ``word`` is one of the head nouns the helpers know."""
    return word.lower() in _NOUNS


def adjective_forms(adj: str) -> dict[str, tuple[str, ...]]:
    """Forms of an adjective that opens a name, by the gender its ending shows.

    * feminine «-а»/«-я» (Регионална, Софийска): def «-ата», pl «-и», defpl «-ите»;
    * neuter «-о»/«-е» (Национално): def «-ото»/«-ето», pl «-и»;
    * masculine «-и» (Европейски, Български): def «-ия»/«-ият», pl «-и»;
    * masculine «-ен» after a consonant (Национален, Дневен, Кризисен,
      Северозападен): the «е» drops: «Националния», pl «Национални»;
    * other masculine (Висш, Нов): def «-ия»/«-ият», pl «-и».
    """
    w = adj
    vowels = "аъоуеияю"
    if w.endswith(("а", "я")):
        stem = w[:-1]
        return {"sg": (w,), "def": (w + "та",), "pl": (stem + "и",), "defpl": (stem + "ите",)}
    if w.endswith(("о", "е")):
        stem = w[:-1]
        return {"sg": (w,), "def": (w + "то",), "pl": (stem + "и",), "defpl": (stem + "ите",)}
    if w.endswith("и"):
        return {"sg": (w,), "def": (w + "я", w + "ят"), "pl": (w,), "defpl": (w + "те",)}
    if w.endswith("ен") and len(w) > 3 and w[-3].lower() not in vowels:
        stem = w[:-2] + "н"
        return {
            "sg": (w,),
            "def": (stem + "ия", stem + "ият"),
            "pl": (stem + "и",),
            "defpl": (stem + "ите",),
        }
    return {"sg": (w,), "def": (w + "ия", w + "ият"), "pl": (w + "и",), "defpl": (w + "ите",)}


_ADJ_ENDINGS = (
    "на",
    "ска",
    "цка",
    "жка",
    "шка",
    "чка",
    "но",
    "ско",
    "ен",
    "ски",
    "чки",
    "шки",
    "жки",
    "ни",
    "ов",
    "ова",
    "ово",
    "ев",
    "ева",
)


def _looks_adjective(word: str) -> bool:
    low = word.lower()
    if is_known_noun(low):
        return False
    return low.endswith(_ADJ_ENDINGS) or low in {
        "висш",
        "главна",
        "главен",
        "главно",
        "нова",
        "нов",
        "ново",
    }


def phrase_forms(name: str, *, plural: bool = True) -> set[str]:
    """Inflected forms of a name that opens with adjectives and a head noun.

    «Регионална дирекция „Социално подпомагане“» gives «Регионалната дирекция
    …», «регионални дирекции …», «регионалните дирекции …»; «Агенция за
    социално подпомагане» gives «Агенцията за …». Only the first word takes
    the article (Bulgarian grammar), adjectives and the head agree in number.
    A name whose head noun is not known is returned unchanged.
    """
    words = name.split(" ")
    head_i = None
    for i, w in enumerate(words[:5]):
        core = w.strip('"„“')
        if is_known_noun(core):
            head_i = i
            break
        # «Икономически и социален съвет»: coordinated adjectives.
        if not _looks_adjective(core) and not (core == "и" and i > 0):
            break
    forms = {name}
    if head_i is None:
        return forms
    head = words[head_i]
    nf = noun_forms(head)
    adjs = words[:head_i]
    rest = words[head_i + 1 :]
    adj_forms = [
        adjective_forms(a) if a != "и" else dict.fromkeys(("sg", "def", "pl", "defpl"), ("и",))
        for a in adjs
    ]

    def build(adj_key_first: str, adj_key_rest: str, head_forms: tuple[str, ...]) -> None:
        for hf in head_forms:
            if adjs:
                firsts = adj_forms[0][adj_key_first]
                others = [af[adj_key_rest][0] for af in adj_forms[1:]]
                for f0 in firsts:
                    forms.add(" ".join([f0, *others, hf, *rest]))
            else:
                forms.add(" ".join([hf, *rest]))

    if adjs:
        build("def", "sg", nf["sg"])  # Регионалната дирекция
    else:
        build("sg", "sg", nf["def"])  # Агенцията за ...
    if plural:
        build("pl", "pl", nf["pl"])  # регионални дирекции
        if adjs:
            build("defpl", "pl", nf["pl"])  # регионалните дирекции
        else:
            build("sg", "sg", nf["defpl"])  # дирекциите ...
        if nf["count"] and nf["count"] != nf["pl"]:
            build("pl", "pl", nf["count"])  # двата центъра
    return {" ".join(f.split()) for f in forms}


def _base_noun(word: str) -> str | None:
    """The indefinite singular of a known head noun in any of its forms."""
    low = word.lower()
    for sg, defs, pl, defpl, count in _NOUNS.values():
        if low == sg or low in defs or low in (pl, defpl, count):
            return _case_like(word)(sg)
    return None


_ADJ_INFLECTIONS = ("ата", "ото", "ето", "ите", "ият", "ия", "та", "то", "а", "о", "е", "и")


def _base_adjective(word: str, gender: str) -> str:
    """An adjective agreeing with a head noun of ``gender`` (``m``/``f``/``n``)."""
    stem = word
    for suf in _ADJ_INFLECTIONS:
        if word.lower().endswith(suf) and len(word) - len(suf) >= 3:
            stem = word[: -len(suf)]
            break
    if gender == "f":
        return stem + "а"
    if gender == "n":
        return stem + "о"
    low = stem.lower()
    if low.endswith(("ск", "цк", "шк", "чк", "жк", "йск")):
        return stem + "и"
    if low.endswith("н") and len(low) > 2 and low[-2] not in "аъоуеияю":
        return stem[:-1] + "ен"
    return stem


@lru_cache(maxsize=16384)
def base_form(name: str) -> str:
    """The nominative indefinite singular of a name found inflected in text.

    Inverts :func:`phrase_forms` for the opening adjectives and head noun:
    «Националния алианс за …» → «Национален алианс за …», «регионалните
    дирекции» → «регионална дирекция», «Сдружението „Х“» → «Сдружение „Х“».
    The adjectives take the gender of the head noun. Words after the head
    are left alone; a name without a known head noun is returned unchanged.
    """
    words = name.split()
    for i, w in enumerate(words[:4]):
        noun = _base_noun(w)
        if noun is None:
            continue
        gender = "f" if noun.endswith(("а", "я")) else "n" if noun.endswith(("о", "е")) else "m"
        adjs = [_base_adjective(a, gender) for a in words[:i]]
        return " ".join([*adjs, noun, *words[i + 1 :]])
    return name
