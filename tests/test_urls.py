from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.urls import BadURL, canonicalize, doc_id, host_of, https_twin


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # &amp; in hrefs and parameter order collapse to one spelling
        (
            "http://dsd.sofia.bg/index.php?option=com_content&amp;task=view&amp;id=12&amp;Itemid=3",
            "http://dsd.sofia.bg/index.php?Itemid=3&id=12&option=com_content&task=view",
        ),
        (
            "http://dsd.sofia.bg/index.php?id=12&task=view&Itemid=3&option=com_content",
            "http://dsd.sofia.bg/index.php?Itemid=3&id=12&option=com_content&task=view",
        ),
        # fragments, tracking and session parameters go
        ("https://bta.bg/bg/news/1?utm_source=fb&fbclid=x#top", "https://bta.bg/bg/news/1"),
        ("https://sofia.bg/web/x?PHPSESSID=abc&page=2", "https://sofia.bg/web/x?page=2"),
        # index.html, default ports, host case, double slashes
        ("HTTP://WWW.Vratsa.BG:80//novini/index.html", "http://www.vratsa.bg/novini/"),
        # percent-encoding case is normalised, Cyrillic slugs stay encoded
        (
            "https://www.vratsa.bg/2024/04/%d1%81%d0%b5%d0%bc%d0%b8%d0%bd%d0%b0%d1%80/",
            "https://www.vratsa.bg/2024/04/%D1%81%D0%B5%D0%BC%D0%B8%D0%BD%D0%B0%D1%80/",
        ),
        (
            "https://www.vratsa.bg/2024/04/семинар/",
            "https://www.vratsa.bg/2024/04/%D1%81%D0%B5%D0%BC%D0%B8%D0%BD%D0%B0%D1%80/",
        ),
    ],
)
def test_canonical_forms(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_relative_links_resolve_against_base() -> None:
    assert (
        canonicalize("../b/?page=2", base="https://mlsp.government.bg/a/x")
        == "https://mlsp.government.bg/b/?page=2"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "mailto:a@b.bg",
        "ftp://x.bg/f",
        "file:///etc/passwd",
        "http://",
        "http://x.bg/" + "a" * 3000,
    ],
)
def test_refuses_hostile_urls(bad: str) -> None:
    with pytest.raises(BadURL):
        canonicalize(bad)


def test_ids_and_hosts() -> None:
    u = canonicalize("http://127.0.0.1:8123/bg/novini/")
    assert host_of(u) == "127.0.0.1:8123"
    assert doc_id(u) == doc_id(canonicalize("http://127.0.0.1:8123/bg/novini/index.html"))
    assert https_twin("http://a.bg/x") == "https://a.bg/x"


@given(st.text(max_size=200))
def test_canonicalize_never_crashes_and_is_idempotent(s: str) -> None:
    try:
        once = canonicalize("https://asp.government.bg/" + s)
    except BadURL:
        return
    assert canonicalize(once) == once


def test_long_hrefs_are_canonicalized_but_not_cached() -> None:
    """The canonical-URL cache holds 4,096 entries: a page of megabyte-long hrefs
    (whitespace around a real URL) must not pin gigabytes in it."""
    from crawler import urls

    padded = " " * 100_000 + "http://x.bg/a/index.html?b=2&a=1" + "\n" * 100_000
    before = urls._cached_canonicalize.cache_info().currsize
    assert canonicalize(padded) == "http://x.bg/a/?a=1&b=2"
    assert urls._cached_canonicalize.cache_info().currsize == before
    probe = "http://x.bg/cache-probe-7f3a/index.html?b=2&a=1"  # seen by no other test
    assert canonicalize(probe) == "http://x.bg/cache-probe-7f3a/?a=1&b=2"
    assert urls._cached_canonicalize.cache_info().currsize == before + 1
