"""EU programme codes: normalisation, finding them in text, prefixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.extract.codes import code_prefixes, find_codes, normalize_code, parse_code

# Cyrillic look-alikes spelled out, so the test says what it tests.
CYR_M, CYR_O, CYR_R, CYR_S, CYR_V = "\u041c", "\u041e", "\u0420", "\u0421", "\u0412"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BG05M9OP001-3.006-0001", "BG05M9OP001-3.006-0001"),
        # seed 004: Cyrillic М, О, Р inside the programme code
        (f"BG05{CYR_M}9{CYR_O}{CYR_R}001-3.006-0001", "BG05M9OP001-3.006-0001"),
        (f"№BG05{CYR_M}9{CYR_O}{CYR_R}001-3.006-0001", "BG05M9OP001-3.006-0001"),
        ("BG05M9OP0012.003", "BG05M9OP001-2.003"),  # missing hyphen restored
        ("BG05M9OP001-2.003-0001-C01", "BG05M9OP001-2.003-0001-C01"),
        (f"BG05M9OP001-2.003-0001-{CYR_S}01", "BG05M9OP001-2.003-0001-C01"),
        ("bg05sfpr002-2.001-0012", "BG05SFPR002-2.001-0012"),
        ("BG05SFOP001-1.002-0003", "BG05SFOP001-1.002-0003"),
        ("BG16RFOP002-2.040-0135-C01", "BG16RFOP002-2.040-0135-C01"),
        ("BG06RDNP001-19.001", "BG06RDNP001-19.001"),
        ("BG-RRP-4.021-0001", "BG-RRP-4.021-0001"),
        (f"{CYR_V}G-RR{CYR_R}-4.021-0001-C01", "BG-RRP-4.021-0001-C01"),
        ("BG051PO001-5.2.07-0001", "BG051PO001-5.2.07-0001"),
        ("BG05M90P001-1.001", "BG05M9OP001-1.001"),  # zero typed for the O of OP
        ("BG05M9OP001\u20133.006\u20130001", "BG05M9OP001-3.006-0001"),  # en dashes
        ("BG16RFOP002", "BG16RFOP002"),  # a bare programme code is a code too
        ("  BG05M9OP001-2.003. ", "BG05M9OP001-2.003"),
    ],
)
def test_normalize_code(raw: str, expected: str) -> None:
    assert normalize_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "BG03-ПС01-50",  # another scheme with genuine Cyrillic: not ours
        "BG05M9OP01-3.006",  # programme number too short
        "XBG05M9OP001-3.006",  # glued to other letters
        "Проект за социално включване",
        "BG",
        "",
        "BG05M9OP001-3.006 и още",
    ],
)
def test_normalize_code_rejects(raw: str) -> None:
    assert normalize_code(raw) is None


def test_find_codes_offsets_and_normalisation() -> None:
    text = (
        "по Проект № BG05M9OP001-3.006-0001 „Повишаване на капацитета“, "
        f"по проект №BG05{CYR_M}9{CYR_O}{CYR_R}001-2.003-0001-C01 и процедура BG05M9OP0012.003."
    )
    found = find_codes(text)
    assert [code for _, _, code in found] == [
        "BG05M9OP001-3.006-0001",
        "BG05M9OP001-2.003-0001-C01",
        "BG05M9OP001-2.003",
    ]
    # offsets cover the code as written, without the glued №
    assert [text[s:e] for s, e, _ in found] == [
        "BG05M9OP001-3.006-0001",
        f"BG05{CYR_M}9{CYR_O}{CYR_R}001-2.003-0001-C01",
        "BG05M9OP0012.003",
    ]


def test_find_codes_leaves_other_schemes_alone() -> None:
    text = "Проект BG03-ПС01-50 по Норвежкия механизъм и проект BG-RRP-4.021-0001."
    assert find_codes(text) == [(text.index("BG-RRP"), len(text) - 1, "BG-RRP-4.021-0001")]


def test_find_codes_programmes_only_on_request() -> None:
    text = "Оперативна програма BG05M9OP001 финансира процедура BG05M9OP001-1.018."
    assert [c for _, _, c in find_codes(text)] == ["BG05M9OP001-1.018"]
    assert [c for _, _, c in find_codes(text, include_programmes=True)] == [
        "BG05M9OP001",
        "BG05M9OP001-1.018",
    ]


def test_find_codes_no_false_positives_in_plain_text() -> None:
    text = "Общо 20 000 служители, 29,5 млн. лева, 2014 – 2020 г., тел. 02/8119 443, BGN 500."
    assert find_codes(text, include_programmes=True) == []


def test_code_prefixes() -> None:
    assert code_prefixes("BG05M9OP001-2.003-0001-C01") == [
        "BG05M9OP001",
        "BG05M9OP001-2.003",
        "BG05M9OP001-2.003-0001",
        "BG05M9OP001-2.003-0001-C01",
    ]
    assert code_prefixes("BG-RRP-4.021-0001") == ["BG-RRP", "BG-RRP-4.021", "BG-RRP-4.021-0001"]
    # any accepted spelling works, and a non-code has no prefixes
    assert code_prefixes(f"BG05{CYR_M}9{CYR_O}{CYR_R}0012.003")[-1] == "BG05M9OP001-2.003"
    assert code_prefixes("BG03-ПС01-50") == []


def test_parse_code_levels() -> None:
    parts = parse_code("BG05SFPR002-2.001-0012")
    assert parts is not None
    assert (parts.programme, parts.procedure, parts.project, parts.suffix) == (
        "BG05SFPR002",
        "2.001",
        "0012",
        None,
    )


_LOOKALIKE = {"M": CYR_M, "O": CYR_O, "P": CYR_R, "C": CYR_S, "B": CYR_V}


@given(
    fund=st.sampled_from(["M9", "SF", "RF", "RD", "M1"]),
    kind=st.sampled_from(["OP", "PR", "NP"]),
    prog=st.integers(1, 999),
    proc=st.tuples(st.integers(1, 19), st.integers(1, 999)),
    proj=st.one_of(st.none(), st.integers(1, 9999)),
    cyrillic=st.lists(st.booleans(), min_size=16, max_size=16),
    before=st.sampled_from([" ", "№", " №", " № ", " (", " „"]),
    after=st.sampled_from(["", ".", ",", ")", "“", " и"]),
)
def test_any_spelling_round_trips(fund, kind, prog, proc, proj, cyrillic, before, after) -> None:
    canonical = f"BG05{fund}{kind}{prog:03d}-{proc[0]}.{proc[1]:03d}"
    if proj is not None:
        canonical += f"-{proj:04d}"
    # Replace some letters with their Cyrillic twins, as pages do.
    spelled = "".join(
        _LOOKALIKE.get(ch, ch) if flip and ch in _LOOKALIKE else ch
        for ch, flip in zip(canonical, cyrillic + [False] * len(canonical), strict=False)
    )
    assert normalize_code(spelled) == canonical
    text = f"Проект{before}{spelled}{after} в Монтана"
    found = find_codes(text)
    assert [c for _, _, c in found] == [canonical]
    start, end, _ = found[0]
    assert text[start:end] == spelled
    # normalisation is idempotent and prefixes end with the code itself
    assert normalize_code(canonical) == canonical
    assert code_prefixes(spelled)[-1] == canonical
