"""Near-duplicate detection: realistic Bulgarian texts, measured thresholds, the index."""

from __future__ import annotations

import json
import random
from array import array
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crawler.dedup as dedup
from crawler.dedup import (
    DEFAULT_MAX_DISTANCE,
    UNCONFIRMED_MAX_DISTANCE,
    WINDOW_MAX_DISTANCE,
    DuplicateIndex,
    ShingleCache,
    as_hex,
    containment,
    fingerprint,
    from_hex,
    hamming,
    is_near_duplicate,
    jaccard_shingles,
    near_duplicate_keys,
    normalize,
    shingle_keys,
    shingles,
    simhash,
    simhash_of_hashes,
)

# An МТСП press release, written for these tests in the ministry's style:
# quote, eligibility paragraph, deputy minister, mayors, then the standard
# programme boilerplate and press-office footer.
RELEASE = """Министърът на труда и социалната политика Надежда Кънева подписа днес в София споразуменията с кметовете на 263 общини и райони за предоставяне на топъл обяд през 2026 г. Средствата по операцията са в размер на 98 млн. лв. и ще осигурят ежедневна топла храна за над 71 000 души в цялата страна.

„Топлият обяд отдавна не е временна мярка. Той е сигурност за хиляди възрастни хора, които живеят сами, и за семействата, които едва свързват двата края“, заяви министър Кънева по време на церемонията. Тя подчерта, че за първи път общините ще могат да включват в услугата и хора, които полагат грижи за близък с увреждане.

Право на топъл обяд имат лица и семейства с доходи под линията на бедност, самотно живеещи пенсионери, хора с увреждания и лица без подслон. Подборът на потребителите се извършва от дирекциите „Социално подпомагане“ по настоящ адрес на кандидатите, а общините организират приготвянето и доставката на храната, включително в домовете на хората, които не могат да се придвижват сами.

Заместник-министърът на труда и социалната политика Петър Генчев припомни, че през изминалата година услугата е достигнала до 68 400 души, като в някои малки общини топлият обяд е единствената социална услуга, достъпна за възрастните хора. По думите му министерството ще следи стриктно качеството на храната и спазването на санитарните изисквания, а при нарушения финансирането ще бъде спирано.

Кметовете, присъстващи на подписването, поставиха въпроса за по-ранното превеждане на авансовите плащания, за да не се прекъсва услугата в началото на годината. Министър Кънева пое ангажимент първите средства да бъдат преведени до края на януари.

Операцията „Топъл обяд“ се изпълнява по Програма „Храни и основно материално подпомагане“ 2021–2027, съфинансирана от Европейския социален фонд плюс. Управляващ орган на програмата е дирекция „Европейски фондове за социално включване“ в Министерството на труда и социалната политика.

За повече информация: Пресцентър на МТСП, тел. 02 8119 443, e-mail: press@mlsp.government.bg"""

# (a) A wire rewrite: dateline and byline, new lead sentence, eligibility
# paragraph moved up and reworded, quote attribution changed, the mayors'
# paragraph condensed, half of the deputy minister's paragraph and the
# managing-authority sentence dropped, sign-off.
REWRITE = """София, 12 ноември /Мария Петкова, БТА/ Над 71 000 души в 263 общини и райони ще получават топъл обяд през 2026 г., след като министърът на труда и социалната политика Надежда Кънева подписа днес споразуменията с кметовете. За операцията са предвидени 98 млн. лв., съобщиха от Министерството на труда и социалната политика.

Топъл обяд могат да получават хора и семейства с доходи под линията на бедност, самотно живеещи пенсионери, хора с увреждания и лица без подслон. Подборът на потребителите се извършва от дирекциите „Социално подпомагане“ по настоящ адрес на кандидатите, а общините организират приготвянето и доставката на храната, включително в домовете на хората, които не могат да се придвижват сами.

„Топлият обяд отдавна не е временна мярка. Той е сигурност за хиляди възрастни хора, които живеят сами, и за семействата, които едва свързват двата края“, каза министър Кънева на церемонията. Според нея за първи път общините ще могат да включват в услугата и хора, които полагат грижи за близък с увреждане.

Кметовете поискаха авансовите плащания да бъдат превеждани по-рано, за да не се прекъсва услугата в началото на годината, и министърът обеща първите средства да постъпят до края на януари.

Заместник-министър Петър Генчев припомни, че през изминалата година услугата е достигнала до 68 400 души, като в някои малки общини топлият обяд е единствената социална услуга, достъпна за възрастните хора.

Операцията се изпълнява по Програма „Храни и основно материално подпомагане“ 2021–2027, съфинансирана от Европейския социален фонд плюс. /МП/"""

# (b) Another release of the same ministry on the same programme, with the
# same closing boilerplate and footer: related news, not a copy.
SIBLING = """Заместник-министърът на труда и социалната политика Петър Генчев провери днес как се предоставя топъл обяд в общините Видин, Брегово и Ново село. В трите общини услугата ползват 1 240 души, като близо половината от тях са самотно живеещи възрастни хора в малките населени места.

В Брегово заместник-министърът посети кухнята, в която храната се приготвя всеки ден, и разговаря с домашните помощници, които я разнасят по домовете. „Топлият обяд е услуга, която хората усещат всеки ден. Затова контролът върху качеството ѝ трябва да бъде също толкова ежедневен“, каза Генчев.

По време на посещението стана ясно, че в Ново село храната се доставя с един автомобил, който обслужва девет села, и при лошо време доставката закъснява. Кметът на общината Георги Стоянов поиска подкрепа за закупуване на втори автомобил, а заместник-министърът предложи общината да кандидатства по процедурата за подкрепа на социалните услуги в отдалечените райони.

Регионалната дирекция „Социално подпомагане“ – Видин ще провери списъците с потребители до края на месеца, за да бъдат включени хората, които са подали заявления през есента. Проверки на място ще бъдат извършени и в останалите общини от Северозападния регион.

Операцията „Топъл обяд“ се изпълнява по Програма „Храни и основно материално подпомагане“ 2021–2027, съфинансирана от Европейския социален фонд плюс. Управляващ орган на програмата е дирекция „Европейски фондове за социално включване“ в Министерството на труда и социалната политика.

За повече информация: Пресцентър на МТСП, тел. 02 8119 443, e-mail: press@mlsp.government.bg"""

# (c) Two short АСП notices from one template: different date, hour, region
# and agenda.  Different events, so not duplicates.
NOTICE_1 = """Информация за работна среща

На 14 септември 2017 г. от 10:00 ч. в зала 305 на Агенцията за социално подпомагане ще се проведе работна среща с директорите на регионалните дирекции за социално подпомагане от Северен централен район. На срещата ще бъдат обсъдени въпроси, свързани с изплащането на целевите помощи за отопление."""

NOTICE_2 = """Информация за работна среща

На 21 септември 2017 г. от 14:00 ч. в зала 305 на Агенцията за социално подпомагане ще се проведе работна среща с директорите на регионалните дирекции за социално подпомагане от Югозападен район. На срещата ще бъдат обсъдени въпроси, свързани с предоставянето на социални услуги в общността."""

# (c') A real copy of notice 1: the wire added a dateline and a sign-off.
NOTICE_1_COPY = """Велико Търново, 12 септември /БТА/ На 14 септември 2017 г. от 10:00 ч. в зала 305 на Агенцията за социално подпомагане ще се проведе работна среща с директорите на регионалните дирекции за социално подпомагане от Северен централен район. На срещата ще бъдат обсъдени въпроси, свързани с изплащането на целевите помощи за отопление. /ВК/"""

VERBATIM = "Пловдив, 12 ноември /БТА/ " + RELEASE + " /ПП/"

MLSP_URL = (
    "https://mlsp.government.bg/ministar-kaneva-podpisa-sporazumeniyata-za-topal-obyad-prez-2026-g"
)
BTA_URL = "https://www.bta.bg/bg/news/bulgaria/2025/11/12/912050-nad-71-000-dushi-shte-poluchavat-topal-obyad"
SIBLING_URL = (
    "https://mlsp.government.bg/zamestnik-ministar-genchev-proveri-topliya-obyad-vav-vidinsko"
)


# (label, a, b, distance, jaccard, containment): the table in crawler/dedup.py
MEASURED = [
    ("(a) rewrite", RELEASE, REWRITE, 18, 0.431, 0.686),
    ("(b) sibling release", RELEASE, SIBLING, 25, 0.124, 0.254),
    ("(c) template notices", NOTICE_1, NOTICE_2, 15, 0.516, 0.688),
    ("(c') notice copy", NOTICE_1, NOTICE_1_COPY, 2, 0.818, 0.918),
    ("verbatim + dateline", RELEASE, VERBATIM, 4, 0.984, 1.000),
]


@pytest.mark.parametrize(("label", "a", "b", "dist", "jac", "cont"), MEASURED)
def test_measured_values(label: str, a: str, b: str, dist: int, jac: float, cont: float) -> None:
    """The figures behind the thresholds; if normalisation changes, update the module doc too."""
    got = (hamming(simhash(a), simhash(b)), jaccard_shingles(a, b), containment(a, b))
    print(f"{label:22} distance={got[0]:2} jaccard={got[1]:.3f} containment={got[2]:.3f}")
    assert got[0] == dist
    assert got[1] == pytest.approx(jac, abs=0.001)
    assert got[2] == pytest.approx(cont, abs=0.001)


def test_thresholds_separate_the_cases() -> None:
    assert is_near_duplicate(RELEASE, REWRITE)
    assert is_near_duplicate(RELEASE, VERBATIM)
    assert is_near_duplicate(NOTICE_1, NOTICE_1_COPY)
    assert not is_near_duplicate(RELEASE, SIBLING)
    assert not is_near_duplicate(REWRITE, SIBLING)
    assert not is_near_duplicate(NOTICE_1, NOTICE_2)
    # a distance alone cannot separate (a) from the template notices (c)
    assert hamming(simhash(NOTICE_1), simhash(NOTICE_2)) < hamming(
        simhash(RELEASE), simhash(REWRITE)
    )
    assert hamming(simhash(RELEASE), simhash(REWRITE)) <= WINDOW_MAX_DISTANCE
    assert hamming(simhash(RELEASE), simhash(VERBATIM)) <= UNCONFIRMED_MAX_DISTANCE


@pytest.mark.parametrize(("label", "a", "b", "dist", "jac", "cont"), MEASURED)
def test_shingle_keys_give_the_measured_ratios(
    label: str, a: str, b: str, dist: int, jac: float, cont: float
) -> None:
    """The crawler confirms on CRC-32 keys, not word tuples: same counts, same decisions."""
    ka, kb = shingle_keys(a), array("I", shingle_keys(b))  # the ShingleCache form
    assert (len(ka), len(kb)) == (len(shingles(a)), len(shingles(b)))
    common = len(ka.intersection(kb))
    assert common / (len(ka) + len(kb) - common) == pytest.approx(jac, abs=0.001)
    assert common / min(len(ka), len(kb)) == pytest.approx(cont, abs=0.001)
    assert near_duplicate_keys(ka, kb) == is_near_duplicate(a, b)
    assert fingerprint(a) == (simhash(a), ka)


def _majority_vote(hashes: set[int]) -> int:
    """SimHash the slow, obvious way: the reference for the packed-bytes count."""
    out = 0
    for bit in range(64):
        if 2 * sum(h >> bit & 1 for h in hashes) > len(hashes):
            out |= 1 << bit
    return out


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=2**64 - 1), max_size=70))
def test_simhash_vote_is_the_bitwise_majority(hashes: set[int]) -> None:
    assert simhash_of_hashes(hashes) == _majority_vote(hashes)


def test_shingle_cache_loads_once_and_stays_within_its_budget() -> None:
    texts = {"release": RELEASE, "rewrite": REWRITE, "sibling": SIBLING}
    loads: list[str] = []

    def load(doc_id: str) -> str | None:
        loads.append(doc_id)
        return texts.get(doc_id)

    size = {doc_id: len(shingle_keys(text)) for doc_id, text in texts.items()}
    cache = ShingleCache(load, max_keys=size["release"] + max(size["rewrite"], size["sibling"]))
    assert set(cache.get("release") or ()) == shingle_keys(RELEASE)  # a miss: loaded
    assert cache.get("release") is not None and loads == ["release"]  # then a hit
    assert cache.get("gone") is None and len(cache) == 1  # nothing kept for a missing document
    cache.put("rewrite", shingle_keys(REWRITE))
    cache.get("release")  # now the most recently used
    cache.put("sibling", shingle_keys(SIBLING))  # over budget: the least recently used goes
    assert len(cache) == 2
    assert cache.get("release") is not None and loads == ["release", "gone"]
    assert cache.get("rewrite") is not None and loads[-1] == "rewrite"  # evicted: loaded again
    cache.put("rewrite", shingle_keys(NOTICE_1))  # a re-extracted document replaces its keys
    assert set(cache.get("rewrite") or ()) == shingle_keys(NOTICE_1)


def test_portal_that_kept_only_the_first_half_is_a_copy() -> None:
    paragraphs = RELEASE.split("\n\n")
    teaser = "София, 12 ноември /БТА/ " + "\n\n".join(paragraphs[:3])
    assert jaccard_shingles(RELEASE, teaser) < 0.6
    assert is_near_duplicate(RELEASE, teaser)


def test_fixture_pair_from_gold_is_confirmed() -> None:
    """fixtures/sites/bta gold says 912345 is a copy of the mlsp Плевен release."""
    from crawler.extract import analyze_page

    root = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
    mlsp = (
        root
        / "mlsp/www/posts/zamestnik-ministar-ivanka-koleva-otkri-informatsionen-den-v-pleven.html"
    )
    bta = root / "bta/www/bg/news/oblasts/2025/11/13/912345.html"
    gold = json.loads((root / "bta/gold.json").read_text("utf-8"))
    assert any((g.get("duplicate_of") or "").startswith("mlsp:") for g in gold)
    a = analyze_page(mlsp.read_bytes(), "https://mlsp.government.bg/x", {}).record.text
    b = analyze_page(
        bta.read_bytes(), "https://www.bta.bg/bg/news/oblasts/2025/11/13/912345-x", {}
    ).record.text
    dist = hamming(simhash(a), simhash(b))
    print(f"fixture pair distance={dist} jaccard={jaccard_shingles(a, b):.3f}")
    assert dist <= DEFAULT_MAX_DISTANCE
    assert is_near_duplicate(a, b)


# -- normalisation -------------------------------------------------------------------


def test_latin_lookalikes_fold_inside_cyrillic_words_only() -> None:
    mixed = "Агенцията за сoциално пoдпомагане в гр. Coфия"  # Latin o and C
    clean = "Агенцията за социално подпомагане в гр. София"
    assert normalize(mixed) == normalize(clean)
    assert simhash(mixed) == simhash(clean)
    # Latin words and codes stay Latin; digits are kept
    assert normalize("код BG05SFPR002-2.004 по ОПРЧР, e-mail: press@mlsp.government.bg") == [
        "код", "bg05sfpr002", "2", "004", "по", "опрчр", "e", "mail", "press", "mlsp", "government", "bg",
    ]  # fmt: skip
    # an upper-case Latin look-alike (В, Н, К, М, Т) folds after casefolding
    assert normalize("ТОПЪЛ ОБЯД") == normalize("TOПЪЛ OБЯД")


def test_punctuation_case_and_spacing_do_not_count() -> None:
    a = "„Топлият обяд“ – сигурност за хиляди хора!"
    b = "топлият   обяд\u00a0сигурност, за хиляди хора"
    assert shingles(a) == shingles(b)
    assert simhash(a) == simhash(b)


def test_simhash_is_stable_across_runs() -> None:
    # blake2b, not the salted built-in hash: this value must never change
    # (stored hashes are compared with new ones across runs)
    assert as_hex(simhash(NOTICE_1)) == "47802a7fbf7e8dcd"
    assert simhash("") == 0


def test_short_and_empty_texts() -> None:
    assert shingles("") == set()
    assert shingles("Съобщение") == {("съобщение",)}
    assert jaccard_shingles("", "") == 0.0
    assert containment("", "текст") == 0.0
    assert not is_near_duplicate("", "")
    assert not is_near_duplicate("", RELEASE)


def test_hex_store_form() -> None:
    for h in (0, 1, 2**63, 2**64 - 1, simhash(RELEASE)):
        s = as_hex(h)
        assert len(s) == 16 and from_hex(s) == h
    for bad in ("", "123", "g" * 16, "0x" + "0" * 14, " " * 16, "0" * 15 + " ", "_" + "0" * 15):
        with pytest.raises(ValueError):
            from_hex(bad)
    with pytest.raises(ValueError):
        as_hex(-1)
    with pytest.raises(ValueError):
        as_hex(2**64)


# -- the index --------------------------------------------------------------------


def _index_with(*docs: tuple[str, str, date | None, str]) -> DuplicateIndex:
    index = DuplicateIndex()
    for doc_id, text, published, url in docs:
        index.add(doc_id, simhash(text), published, url)
    return index


TEXTS = {"release": RELEASE, "rewrite": REWRITE, "sibling": SIBLING}


def _confirm(text: str):
    return lambda cand: is_near_duplicate(text, TEXTS[cand])


def test_rewrite_points_to_the_ministry_original() -> None:
    index = _index_with(
        ("release", RELEASE, date(2025, 11, 12), MLSP_URL),
        ("sibling", SIBLING, date(2025, 11, 14), SIBLING_URL),
    )
    h = simhash(REWRITE)
    got = index.earliest_duplicate(
        "rewrite", h, date(2025, 11, 12), BTA_URL, confirm=_confirm(REWRITE)
    )
    assert got == "release"  # same day: the URL decides (mlsp < www.bta)
    # without a text check the heavy rewrite is too far to link blindly
    assert index.earliest_duplicate("rewrite", h, date(2025, 11, 12), BTA_URL) is None
    # the sibling release is no one's duplicate
    index.add("rewrite", h, date(2025, 11, 12), BTA_URL)
    hs = simhash(SIBLING)
    assert (
        index.earliest_duplicate(
            "sibling", hs, date(2025, 11, 14), SIBLING_URL, confirm=_confirm(SIBLING)
        )
        is None
    )


def test_heavy_rewrite_needs_the_date_window() -> None:
    """Distance 18 is beyond the index radius; only same-week documents are scanned that far."""
    index = _index_with(("release", RELEASE, date(2025, 11, 12), MLSP_URL))
    h = simhash(REWRITE)
    assert index.find(h) == []
    assert [c for c, _ in index.candidates(h, date(2025, 11, 13))] == ["release"]
    assert index.candidates(h, date(2026, 3, 1)) == []
    assert index.candidates(h, None) == []


def test_original_found_after_its_copy_takes_over() -> None:
    index = _index_with(("rewrite", REWRITE, date(2025, 11, 13), BTA_URL))
    h = simhash(RELEASE)
    args = ("release", h, date(2025, 11, 12), MLSP_URL)
    assert index.earliest_duplicate(*args, confirm=_confirm(RELEASE)) is None
    assert index.later_copies(*args, confirm=_confirm(RELEASE)) == ["rewrite"]
    assert index.later_copies(*args, confirm=lambda c: False) == []


def test_verbatim_copy_is_linked_without_a_text_check() -> None:
    index = _index_with(("release", RELEASE, date(2025, 11, 12), MLSP_URL))
    h = simhash(VERBATIM)
    assert index.earliest_duplicate("copy", h, date(2025, 11, 13), BTA_URL) == "release"
    # an undated copy never becomes the original of a dated one
    assert index.earliest_duplicate("copy", h, None, "https://a.bg/") == "release"
    assert index.later_copies("copy", h, None, "https://a.bg/") == []


def test_earliest_among_several_copies() -> None:
    h = simhash(RELEASE)
    index = DuplicateIndex()
    index.add("late", h, date(2025, 11, 14), "https://b.bg/1")
    index.add("undated", h, None, "https://a.bg/1")
    index.add("first", h ^ 0b101, date(2025, 11, 12), "https://z.bg/1")
    index.add("tie", h ^ 0b1, date(2025, 11, 12), "https://y.bg/1")
    assert index.earliest_duplicate("new", h, date(2025, 11, 13), "https://c.bg/") == "tie"
    assert index.earliest_duplicate("tie", h ^ 1, date(2025, 11, 12), "https://y.bg/1") is None
    assert index.later_copies("tie", h ^ 1, date(2025, 11, 12), "https://y.bg/1") == [
        "first", "late", "undated",
    ]  # fmt: skip


def test_add_replaces_and_remove_forgets() -> None:
    index = DuplicateIndex()
    index.add("a", 0xFFFF, date(2025, 1, 1), "u")
    index.add("a", 0xFFFF << 48, date(2025, 1, 2), "u")
    assert len(index) == 1
    assert index.find(0xFFFF, 3) == []
    assert index.find(0xFFFF << 48, 0) == [("a", 0)]
    index.remove("a")
    index.remove("a")
    assert len(index) == 0 and "a" not in index
    assert index.candidates(0xFFFF << 48, date(2025, 1, 2)) == []


def test_from_store_rows() -> None:
    rows = [
        ("d1", as_hex(simhash(RELEASE)), "2025-11-12", MLSP_URL),
        ("d2", None, "2025-11-12", "https://x.bg/"),
        ("d3", as_hex(simhash(SIBLING)), None, SIBLING_URL),
    ]
    index = DuplicateIndex.from_rows(rows)
    assert len(index) == 2 and "d2" not in index
    assert index.find(simhash(RELEASE), 0) == [("d1", 0)]


hashes = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=200, deadline=None)
@given(
    base=hashes,
    flips=st.lists(st.lists(st.integers(0, 63), max_size=24), max_size=40),
    others=st.lists(hashes, max_size=20),
    max_distance=st.integers(-1, 20),
)
def test_find_equals_a_linear_scan(
    base: int, flips: list[list[int]], others: list[int], max_distance: int
) -> None:
    stored = []
    for bits in flips:
        h = base
        for b in bits:
            h ^= 1 << b
        stored.append(h)
    stored += others
    index = DuplicateIndex()
    for i, h in enumerate(stored):
        index.add(f"d{i}", h, None, f"https://x.bg/{i}")
    expected = sorted(
        (
            (f"d{i}", hamming(base, h))
            for i, h in enumerate(stored)
            if hamming(base, h) <= max_distance
        ),
        key=lambda x: (x[1], x[0]),
    )
    assert index.find(base, max_distance) == expected


def test_lookup_is_sublinear_on_100k_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20251112)
    index = DuplicateIndex()
    stored = [rng.getrandbits(64) for _ in range(100_000)]
    for i, h in enumerate(stored):
        index.add(str(i), h, None, "")
    compared = 0
    real = dedup.hamming

    def counting(a: int, b: int) -> int:
        nonlocal compared
        compared += 1
        return real(a, b)

    monkeypatch.setattr(dedup, "hamming", counting)
    queries = stored[:20]
    for i, q in enumerate(queries):
        near = q ^ (1 << 3) ^ (1 << 20) ^ (1 << 41) ^ (1 << 62) ^ (1 << 9)  # distance 5
        found = dict(index.find(near))
        assert found[str(i)] == 5
    per_query = compared / len(queries)
    print(f"hamming computations per query: {per_query:.0f} of {len(stored)}")
    assert per_query < 0.1 * len(stored)


def test_hamming() -> None:
    assert hamming(0, 0) == 0
    assert hamming(0, 2**64 - 1) == 64
    assert hamming(0b1011, 0b0001) == 2
