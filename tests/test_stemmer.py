"""Savoy's light stemmer, the project's extensions, and the optional lemmatizer."""

from __future__ import annotations

import pytest

from index import stemmer
from index.stemmer import lemma_stem, savoy_stem, simplemma_available, stem

# Published examples of Savoy's rules (the conflation classes that Lucene's
# BulgarianStemmer documents in its tests), written as: stem, forms.
SAVOY_EXAMPLES = [
    # masculine nouns: -и, -ове, -ища, -а, -е, брат/братя
    ("град", "град града градът градове градовете"),
    ("народ", "народ народа народът народи народите народе"),
    ("път", "път пътя пътят пътища пътищата"),
    ("градец", "градец градеца градецът"),
    ("градовц", "градовце градовцете"),
    ("дяд", "дядо дядото дядовци дядовците"),
    ("мъж", "мъж мъжа мъже мъжете мъжо"),
    ("мъжът", "мъжът"),  # too short for -ът in Savoy
    ("крак", "крак крака кракът краката"),
    ("брат", "брат брата братът братя братята брате"),
    # feminine and neuter nouns
    ("вест", "вест вестта вести вестите"),
    ("дърв", "дърво дървото дърва дървета дървата дърветата"),
    ("мор", "море морето морета моретата"),
    ("изключени", "изключение изключението изключенията"),
    ("изключн", "изключения"),
    # adjectives
    ("красив", "красив красивия красивият красива красивата красиво красивото красиви красивите"),
    # rewrites: ци→к, зи→г, си→х, ъ deletion, е*и→я*, ен→н, -еве→й
    ("собственик", "собственик собственика собственикът собственици собствениците"),
    ("подлог", "подлог подлога подлогът подлози подлозите"),
    ("кожух", "кожух кожуха кожухът кожуси кожусите"),
    ("центр", "център центъра центърът центрове центровете"),
    ("промян", "промяна промяната промени промените"),
    ("песн", "песен песента песни песните"),
    ("строй", "строй строеве строевете"),
    ("стр", "строя строят"),
]


@pytest.mark.parametrize(("expected", "forms"), SAVOY_EXAMPLES)
def test_savoy_published_examples(expected: str, forms: str) -> None:
    assert {form: savoy_stem(form) for form in forms.split()} == dict.fromkeys(
        forms.split(), expected
    )


def test_savoy_never_touches_short_words() -> None:
    for word in ("аз", "дом", "кой", "със", "ще", "е"):
        assert savoy_stem(word) == word


def test_savoy_known_gaps_are_real() -> None:
    """The gaps the extensions exist for: if Savoy handled these, drop the extension."""
    assert savoy_stem("агенция") != savoy_stem("агенции")
    assert savoy_stem("работа") != savoy_stem("работи")
    assert savoy_stem("система") != savoy_stem("системи")


# The social-policy vocabulary that must conflate with the extended stemmer.
CONFLATE = [
    "агенция агенцията агенции агенциите",
    "семейство семейството семейства семействата",
    "приемна приемни приемните приемно приемното приемен",
    "дете детето деца децата",
    "услуга услугата услуги услугите",
    "министър министъра министърът министри министрите",
    "община общината общини общините",
    "социален социална социално социални социалните социалния социалният",
    "помощ помощта помощи помощите",
    "дейност дейността дейности дейностите",
    "работа работата работи работите",
    "решение решението решения решенията",
    "подпомагане подпомагането",
    "центрове център центъра",
    "мярка мярката мерки мерките",
    "място мястото места местата",
    "месец месеца месеци месеците",
    "доброволец доброволеца доброволци доброволците",
    "училище училището училища училищата",
    "критерий критерия критерият критерии критериите",
    "проект проекта проектът проекти проектите",
    "резултат резултата резултатът резултати резултатите",
    "система системата системи системите",
    "семеен семейна семейното семейни",
    "голям голяма големи големите",
    "дом дома домът домове домовете",
    "организирам организира организираме организирах организираха организираше",
]


@pytest.mark.parametrize("forms", CONFLATE)
def test_extended_stemmer_conflates(forms: str) -> None:
    stems = {form: stem(form) for form in forms.split()}
    assert len(set(stems.values())) == 1, stems


# Different words that must stay apart (precision).
KEEP_APART = [
    ("работа", "работник"),
    ("работник", "работодател"),
    ("дете", "детство"),
    ("община", "общински"),
    ("социален", "социализация"),
    ("услуга", "услужлив"),
    ("помощ", "помощник"),
    ("агенция", "агент"),
    ("семейство", "семеен"),
    ("закон", "законодателство"),
    ("министър", "министерство"),
    ("център", "централен"),
    ("финансиране", "финансирам"),
]


@pytest.mark.parametrize(("a", "b"), KEEP_APART)
def test_extended_stemmer_keeps_lemmas_apart(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_extended_stemmer_short_words_and_foreign_text() -> None:
    assert stem("аз") == "аз"
    assert stem("бял") == stem("бели") == stem("бялата")  # E6 on three letters
    assert stem("") == ""
    assert stem("covid") == "covid"  # not Cyrillic: the analyzer never sends it, but no crash


def test_stem_is_deterministic_and_cached() -> None:
    stem.cache_clear()
    first = stem("агенциите")
    assert stem("агенциите") == first
    assert stem.cache_info().hits >= 1


def test_benchmark_targets_hold_for_the_light_stemmer() -> None:
    """The stemming benchmark doubles as a regression test."""
    from benchmarks.stemming_eval import load_groups, score

    groups = load_groups()
    assert len(groups) >= 300
    result = score(groups, stem)
    assert result["recall"]["nouns"] >= 0.97
    assert result["recall"]["adjectives"] >= 0.97
    assert result["precision"] >= 0.96
    # and the extensions are a real gain over Savoy alone
    savoy = score(groups, savoy_stem)
    assert result["recall_all"] > savoy["recall_all"] + 0.2


def test_lemmatizer_missing_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stemmer, "_SIMPLEMMA", None)
    monkeypatch.setattr(stemmer, "_SIMPLEMMA_CHECKED", True)
    stemmer.lemmatize.cache_clear()
    stemmer.lemma_stem.cache_clear()
    try:
        assert not simplemma_available()
        with pytest.raises(RuntimeError, match="pip install simplemma"):
            lemma_stem("организирахме")
    finally:
        stemmer.lemmatize.cache_clear()
        stemmer.lemma_stem.cache_clear()


needs_simplemma = pytest.mark.skipif(not simplemma_available(), reason="simplemma not installed")


@needs_simplemma
def test_lemmatizer_conflates_verbs_and_cleans_output() -> None:
    forms = "проведа проведе проведоха проведохме проведем"
    assert len({lemma_stem(f) for f in forms.split()}) == 1
    assert len({lemma_stem(f) for f in ["кажа", "каза", "казаха", "казах"]}) == 1
    # proper-name lemmas come back lower case; reflexive markers are dropped
    assert lemma_stem("десислава").islower()
    assert "(" not in stemmer.lemmatize("изпълня")


@needs_simplemma
def test_benchmark_targets_hold_with_the_lemmatizer() -> None:
    from benchmarks.stemming_eval import load_groups, score

    result = score(load_groups(), lemma_stem)
    assert result["recall"]["nouns"] >= 0.97
    assert result["recall"]["adjectives"] >= 0.97
    assert result["recall"]["verbs"] >= 0.90
    assert result["precision"] >= 0.96
