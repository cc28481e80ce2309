"""Light Bulgarian stemming: Savoy's rules plus documented extensions.

``savoy_stem`` is an independent implementation of the light stemmer of
J. Savoy ("Searching strategies for the Bulgarian language", Information
Retrieval 10, 2007), the algorithm Lucene ships as ``BulgarianStemmer``. It is
kept verbatim-in-behaviour so that it can be tested against published examples.

``stem`` is what the index uses: Savoy's rules followed by a few deliberate
extensions (E1-E9 below) that close the gaps that matter for social-policy
news (агенция/агенции, семейство/семейства, министър/министри, дете/деца,
социален/социални). Each extension was checked on benchmarks/stemming_eval.py
for recall per part of speech *and* for precision (different lemmas merged).

``lemma_stem`` optionally puts the simplemma dictionary lemmatizer in front of
``stem``; it conflates verbs and suppletive forms far better, but only works when
``simplemma`` is installed, so an index records whether it used it.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "lemma_stem",
    "lemmatize",
    "savoy_stem",
    "simplemma_available",
    "stem",
]


# ---------------------------------------------------------------- Savoy (Lucene)


def _remove_article(w: str) -> str:
    """Strip a definite article (or what looks like one); Savoy's step 2."""
    n = len(w)
    if n > 6 and w.endswith("ият"):
        return w[:-3]
    if n > 5 and w.endswith(("ът", "то", "те", "та", "ия")):
        return w[:-2]
    if n > 4 and w.endswith("ят"):
        return w[:-2]
    return w


def _remove_plural(w: str) -> str:
    """Strip a plural ending, undoing the consonant alternations it caused."""
    n = len(w)
    if n > 6:
        if w.endswith("овци"):
            return w[:-3]  # дядовци -> дядо
        if w.endswith("ове"):
            return w[:-3]
        if w.endswith("еве"):
            return w[:-3] + "й"  # строеве -> строй
    if n > 5:
        if w.endswith("ища"):
            return w[:-3]
        if w.endswith("та"):
            return w[:-2]
        if w.endswith("ци"):
            return w[:-2] + "к"  # собственици -> собственик
        if w.endswith("зи"):
            return w[:-2] + "г"  # подлози -> подлог
        if w[-3] == "е" and w[-1] == "и":
            return w[:-3] + "я" + w[-2]  # промени -> промян
    if n > 4:
        if w.endswith("си"):
            return w[:-2] + "х"  # кожуси -> кожух
        if w.endswith("и"):
            return w[:-1]
    return w


def savoy_stem(word: str) -> str:
    """Savoy's light stemmer for one lower-case Bulgarian word.

    Words of three letters or fewer are returned unchanged, as in the original.
    """
    w = word
    if len(w) < 4:
        return w
    if len(w) > 5 and w.endswith("ища"):
        return w[:-3]
    w = _remove_article(w)
    w = _remove_plural(w)
    if len(w) > 3:
        if w.endswith("я"):
            w = w[:-1]
        if w.endswith(("а", "о", "е")):
            w = w[:-1]
    # -ен -> -н (песен/песни); Savoy's paper lists it twice, once is right.
    if len(w) > 4 and w.endswith("ен"):
        w = w[:-2] + "н"
    # fleeting ъ before the last consonant: център -> центр
    if len(w) > 5 and w[-2] == "ъ":
        w = w[:-2] + w[-1]
    return w


# ------------------------------------------------------------------- extensions
#
# Deliberate extensions over Savoy (E1-E9). Each closes a gap measured on
# benchmarks/stemming_eval.py; none may lower precision below the target.
#
# E1  a few suppletive plurals common in this domain (деца, хора, дни,
#     граждани).
# E2  conjugated verb endings that nouns never have (-хме, -хте, -йте, -ше).
# E3  the -ия/-ие family as one ending: агенция/агенции/агенциите and
#     решение/решения/решенията (Savoy splits them on the -ия "article").
# E4  neuter -ище nouns keep their -ищ (училище/училища); only short stems
#     (пътища) lose -ища as in Savoy.
# E5  the article -ът and the plurals -ове/-еве/-и also on shorter words
#     (мъжът, домове, броеве, жени), leaving at least three letters; -еен
#     adjectives keep their й (семеен/семейна).
# E6  yat alternation: я in the last syllable is read as е (мярка/мерки,
#     място/места, голям/големи, also бял/бели on three-letter words); this
#     also undoes Savoy's own е→я rewrite where it misfires (системи).
# E7  consonant alternations at the end of the stem are merged: ц~к, з~г,
#     с~х (месец/месеци, анализ/анализи, ресурс/ресурси) and fleeting е
#     before it (доброволец/доброволци), fleeting ъ also in 5-letter stems.
# E8  a stem-final т is not told apart from the article -та Savoy strips
#     (работа/работи, проекта/проект, заплата/заплати): it is dropped, then
#     any vowel it exposes.
# E9  verb person endings after a vowel on long stems (-м, -ш, -х, -й and
#     the -л participle), so организирам/организираш/организирах conflate.
#     Passive participles (-ан, -ен) are left alone: stripping them merged
#     verbal nouns (финансиране) with their verbs and cost precision.

_IRREGULAR = {
    "деца": "дете",
    "децата": "дете",
    "хора": "човек",
    "хората": "човек",
    "дни": "ден",
    "дните": "ден",
    "деня": "ден",
    "денят": "ден",
    "дена": "ден",
    "граждани": "гражданин",
    "гражданите": "гражданин",
}

_VOWELS = frozenset("аеиоуъюя")
_IE_FAMILY = ("иите", "ията", "ието", "ият", "ия", "ие", "ии", "ий")
_ISHTE = ("ищата", "ището", "ище", "ища")
_FINAL_CONSONANT = str.maketrans({"ц": "к", "з": "г", "с": "х"})


def _strip_verb_endings(w: str) -> str:
    """E2: endings of verb forms that no noun or adjective form has."""
    n = len(w)
    if n >= 7 and w.endswith(("хме", "хте")) and w[-4] in _VOWELS:
        return w[:-3]
    if n >= 7 and w.endswith("йте") and w[-4] in _VOWELS:
        return w[:-3]
    if n >= 7 and w.endswith("ше") and w[-3] in _VOWELS:
        return w[:-2]
    return w


def _strip_special_nouns(w: str) -> str | None:
    """E3/E4: whole ending classes Savoy mishandles; None when not applicable."""
    for end in _ISHTE:
        if w.endswith(end):
            root = w[: -len(end)]
            if len(root) <= 3:
                return root  # пътища -> път, like Savoy
            return root + "ищ"
    for end in _IE_FAMILY:
        if w.endswith(end) and len(w) - len(end) >= 3:
            return w[: -len(end)]
    return None


def _article(w: str) -> str:
    """Savoy's article step, plus E5 (-ът on five-letter words)."""
    if len(w) == 5 and w.endswith("ът"):
        return w[:-2]
    return _remove_article(w)


def _plural(w: str) -> str:
    """Savoy's plural step, plus E5 for six- and four-letter words."""
    n = len(w)
    if n == 6 and w.endswith("ове"):
        return w[:-3]
    if n == 6 and w.endswith("еве"):
        return w[:-3]
    return _remove_plural(w)


def _final_vowels(w: str) -> str:
    """Savoy's final -я / -а -о -е step, with a trailing -й treated like -я."""
    if len(w) > 3:
        if w.endswith(("я", "й")):
            w = w[:-1]
        if w.endswith(("а", "о", "е")):
            w = w[:-1]
    return w


def _yat(w: str) -> str:
    """E6: read я in the last syllable as е (мярка/мерки, голям/големи)."""
    i = w.rfind("я")
    if 0 < i < len(w) - 1 and all(ch not in _VOWELS for ch in w[i + 1 :]):
        return w[:i] + "е" + w[i + 1 :]
    return w


def _has_verb_tail(w: str) -> bool:
    """E9: an l-participle (long stems) or a vowel + person ending -м/-ш/-х."""
    if len(w) >= 9 and w.endswith(("ал", "ил")):
        return True
    return len(w) >= 6 and w[-1] in "мшх" and w[-2] in "аяеи"


def _normalise(w: str) -> str:
    """E6-E9: alternations and leftover endings, applied to the stem.

    E6 runs before and after the Savoy rewrites because either can expose a
    last-syllable я (качествяни -> качествен, постоянно -> постоянн).
    """
    if _has_verb_tail(w):
        w = w[:-2]
    w = _yat(w)
    # E8: final т, then the vowel it exposes (repeatedly: резултат/резултата).
    while len(w) > 4 and w[-1] == "т":
        w = w[:-1]
        if w[-1] in "аоея":
            w = w[:-1]
    # -ен -> -н and fleeting ъ (Savoy), ъ now also on five-letter stems.
    if len(w) > 4 and w.endswith("ен"):
        w = w[:-2] + "н"
    if len(w) > 4 and w[-2] == "ъ":
        w = w[:-2] + w[-1]
    w = _yat(w)
    # E7: fleeting е before ц/к, then ц~к, з~г, с~х at the end.
    if len(w) > 4 and w[-1] in "цк" and w[-2] == "е":
        w = w[:-2] + w[-1]
    return w[:-1] + w[-1].translate(_FINAL_CONSONANT) if w else w


def _extended(word: str) -> str:
    w = _IRREGULAR.get(word, word)
    if len(w) < 4:
        return _yat(w) if len(w) == 3 else w  # E6 also on бял/бели, цял/цели
    if w.endswith("еен"):
        w = w[:-3] + "ейн"  # семеен/семейна: the masc. form hides the й
    w = _strip_verb_endings(w)
    special = _strip_special_nouns(w)
    if special is not None:
        return _normalise(special)
    stripped = _article(w)
    if stripped == w and len(w) == 4 and w.endswith("и") and w[-2] not in _VOWELS:
        stripped = w[:-1]  # E5: жени -> жен (Savoy needs five letters)
    else:
        stripped = _plural(stripped)
    return _normalise(_final_vowels(stripped))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index's stemmer: Savoy's rules plus the extensions E1-E9 above."""
    return _extended(word)


# ------------------------------------------------------------ optional lemmatizer
#
# simplemma (MIT, offline) knows many Bulgarian forms, conjugated verbs above
# all, where a light stemmer is helpless. Its answers are not all usable, so
# ``lemma_stem`` trusts a lemma only when
#   * the form is in simplemma's dictionary (``is_known``), or
#   * the guessed lemma is a verb lemma: -ам/-ям, or -а/-я for a form with a
#     verb ending (организирах -> организирам, проведоха -> проведа).
# Guessed lemmas of other unknown forms are often wrong (методическите ->
# "методическит"), so those fall back to the light stemmer. simplemma also
# marks reflexives as "изпълня-(се)"; the marker is dropped.

_REFLEXIVE_MARKS = ("-(се)", "-(си)")
_VERB_FORM_ENDINGS = (
    "х", "хме", "хте", "ха", "ше", "л", "ла", "ло", "ли", "еш", "иш", "ем", "им",
    "ете", "ат", "ят", "йте", "й", "ам", "ям", "аш", "яш", "аме", "яме", "ате", "яте",
    "ан", "ян", "ен", "ана", "ано", "ани", "яна", "яно", "яни", "ена", "ено", "ени",
)  # fmt: skip

# simplemma's low-memory dictionary reads its compressed front-coded file on
# demand instead of building a dict of every form: 4 MiB instead of 25 for
# Bulgarian, with the same answers (checked on every word of the fixtures and
# the stemming evaluation) at ~30 µs more per distinct word, which the caches
# here pay once.  The index step runs inside the crawler's process, so its
# peak memory is the crawl's.
LOW_MEMORY = True

_SIMPLEMMA: object | None = None
_SIMPLEMMA_CHECKED = False


def _simplemma() -> object | None:
    """Import simplemma once; None when it is not installed."""
    global _SIMPLEMMA, _SIMPLEMMA_CHECKED
    if not _SIMPLEMMA_CHECKED:
        _SIMPLEMMA_CHECKED = True
        try:
            import simplemma  # type: ignore[import-not-found]
        except ImportError:  # pragma: no cover - depends on the environment
            _SIMPLEMMA = None
        else:
            _SIMPLEMMA = simplemma
    return _SIMPLEMMA


def simplemma_available() -> bool:
    """True when the optional simplemma lemmatizer can be used."""
    return _simplemma() is not None


def _require_simplemma() -> object:
    sm = _simplemma()
    if sm is None:
        # Silently falling back would make query terms differ from the terms
        # of an index that was built with the lemmatizer.
        raise RuntimeError(
            "this analyzer was configured with the simplemma lemmatizer; "
            "install it with: pip install simplemma"
        )
    return sm


@lru_cache(maxsize=200_000)
def lemmatize(word: str) -> str:
    """simplemma's lemma of a lower-case word, reflexive marker removed.

    Lemmas of proper names come back capitalised (Десислава); the index is
    lower case, so they are lowered here.
    """
    sm = _require_simplemma()
    lemma: str = sm.lemmatize(word, lang="bg", low_memory=LOW_MEMORY).lower()  # type: ignore[attr-defined]
    for mark in _REFLEXIVE_MARKS:
        if lemma.endswith(mark):
            lemma = lemma[: -len(mark)]
    if not lemma or _is_cyrillic(lemma) != _is_cyrillic(word):
        return word
    return lemma


def _is_cyrillic(s: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in s)


@lru_cache(maxsize=200_000)
def lemma_stem(word: str) -> str:
    """Lemmatize with simplemma where its answer is reliable, then ``stem``."""
    lemma = lemmatize(word)
    if lemma == word:
        return stem(word)
    known = _require_simplemma().is_known(word, lang="bg", low_memory=LOW_MEMORY)  # type: ignore[attr-defined]
    verb_lemma = lemma.endswith(("ам", "ям")) or (
        lemma.endswith(("а", "я")) and word.endswith(_VERB_FORM_ENDINGS)
    )
    return stem(lemma) if known or verb_lemma else stem(word)
