"""Crawler traps: calendars, endless pagination, repeating paths, sessions, no-new-content groups."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.traps import GROUP_MEMORY, TrapDetector

TODAY = date(2025, 11, 26)


def detector(**kw: object) -> TrapDetector:
    return TrapDetector(today=TODAY, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # ordinary article and listing URLs of the real sources pass
        ("https://www.bta.bg/bg/news/oblasts/2025/11/13/912345-zamestnik-ministar-ivanka-koleva-otkri-v-pleven", None),
        ("https://www.vratsa.bg/2010/04/%D0%BE%D1%82%D0%BA%D1%80%D0%B8%D1%82-%D0%B1%D0%B5-%D1%86%D0%B5%D0%BD%D1%82%D1%8A%D1%80/", None),
        ("https://www.vratsa.bg/2010/04/", None),  # an old monthly archive is news history
        ("https://mlsp.government.bg/novini?page=500", None),
        ("https://mlsp.government.bg/index.php?prid=1834&section=PRESS2", None),
        ("http://dsd.sofia.bg/index.php?Itemid=35&id=412&option=com_content&task=view", None),
        ("https://www.sofia.bg/web/guest/news/-/asset_publisher/Xk3Lp9/content/otkrit-nov-dneven-tsentar", None),
        ("https://www.vratsa.bg/?s=socialni", None),  # a search, not a session
        ("https://www.vratsa.bg/wp-content/uploads/2024/06/plan-socialni-uslugi-2025.pdf", None),
        ("https://www.vratsa.bg/calendar/?month=2025-10", None),  # near today
        ("https://www.vratsa.bg/calendar/2025-12.html", None),
        ("https://www.vratsa.bg/events/?month=7&year=2027", None),
        ("https://www.vratsa.bg/events/2019/05/otchet-za-foruma-na-sotsialnite-uslugi/", None),  # an old event report
        ("https://www.vratsa.bg/events/2027/06/forum/", None),  # an announced event
        ("https://x.bg/calendar/2019-05-14/", "calendar date 2019-05-14"),
        # calendars far from today
        ("https://www.vratsa.bg/calendar/2031/07", "calendar date 2031-07 is more than 2 years"),
        ("https://www.vratsa.bg/calendar/?month=2031-07", "calendar date 2031-07"),
        ("https://www.vratsa.bg/events/?month=7&year=2031", "calendar date 2031-07"),
        ("https://www.vratsa.bg/%D0%BA%D0%B0%D0%BB%D0%B5%D0%BD%D0%B4%D0%B0%D1%80/2019/01/15/", "calendar date 2019-01-15"),
        ("https://x.bg/index.php?month=3&option=com_jevents&task=month.calendar&year=1999", "calendar date 1999-03"),
        ("https://x.bg/sabitiya/?date=20300115", "calendar date 2030-01-15"),
        # dates on non-calendar URLs: history is fine, the future and prehistory are not
        ("https://www.vratsa.bg/2031/04/", "date 2031-04 in the URL is in the future"),
        ("https://www.vratsa.bg/1975/04/", "before 1990"),
        # pagination beyond the cap, in every spelling the sources use
        ("https://mlsp.government.bg/novini?page=501", "page=501 beyond page 500"),
        ("https://www.vratsa.bg/category/novini/page/812/", "page 812 in the path"),
        ("https://mlsp.government.bg/novini/page-9999.html", "page 9999 in the path"),
        ("https://www.vratsa.bg/?paged=100000", "paged=100000 beyond"),
        ("https://www.sofia.bg/news?_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Xk3Lp9_cur=9999", "_cur=9999 beyond"),
        ("https://mlsp.government.bg/novini?page=99999999999999999999", "beyond any real listing"),
        ("http://dsd.sofia.bg/index.php?Itemid=30&id=12&limitstart=1000000&option=com_content&task=blogcategory", "limitstart=1000000 is page 10000"),
        # repeating paths (relative-link loops)
        ("https://x.bg/a/b/a/b/a/b", "path repeats 'a/b' three times"),
        ("https://www.bta.bg/bg/news/bg/news/bg/news/", "path repeats 'bg/news'"),
        ("https://x.bg/novini/x/novini/y/novini/z/novini", "segment 'novini' occurs 4 times"),
        ("https://x.bg/" + "/".join(f"s{i}" for i in range(20)), "path of 20 segments"),
        # sessions and per-visit tokens
        ("https://x.bg/shop/?osCsid=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "session-like parameter 'osCsid'"),
        ("https://x.bg/novini;jsessionid=0123456789ABCDEF0123", "session id in the path"),
        ("https://x.bg/(S(lit3py55t21z5v55vlm25s55))/default.aspx", "session id in the path"),
        ("https://www.sofia.bg/w/novina?p_auth=Xy3dKq9Z", "per-visit token parameter 'p_auth'"),
        # long and repetitive query strings
        ("https://x.bg/search?q=" + "a" * 1100, "query string of 1102 characters"),
        ("https://x.bg/list?cat=1&cat=2&cat=3&cat=4", "parameter 'cat' repeated 4 times"),
        ("http://[::1", "unparseable URL"),
    ],
)  # fmt: skip
def test_check(url: str, reason: str | None) -> None:
    got = detector().check(url)
    if reason is None:
        assert got is None
    else:
        assert got is not None and reason in got, got


def test_offsets_learn_the_page_size() -> None:
    t = detector()
    base = "http://dsd.sofia.bg/index.php?Itemid=30&id=12&limitstart={}&option=com_content&task=blogcategory"
    assert t.check(base.format(10)) is None
    assert t.check(base.format(20)) is None
    assert t.check(base.format(4990)) is None  # page 499 at 10 per page
    reason = t.check(base.format(5010))
    assert reason is not None and "page 501 at 10 per page" in reason


def test_more_than_n_consecutive_calendar_months() -> None:
    """A calendar followed back through «Предишен месец» links, one month at a time."""
    t = detector(max_calendar_span_years=10, max_calendar_months=24)
    year, month = 2025, 11
    passed = 0
    for _ in range(40):
        reason = t.check(f"https://www.vratsa.bg/calendar/?month={year}-{month:02d}")
        if reason:
            break
        passed += 1
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    assert passed == 24
    assert reason is not None and "25 consecutive months" in reason
    # another calendar on the same site has its own count
    assert t.check("https://www.vratsa.bg/sabitiya/?month=2025-11") is None
    # seeing a month again is not a new month
    assert t.check("https://www.vratsa.bg/calendar/?month=2025-11") is None


def test_default_span_and_months_agree() -> None:
    t = detector()
    assert t.max_calendar_months == 24
    assert t.check("https://x.bg/calendar/2023/11") is None
    assert "more than 2 years" in (t.check("https://x.bg/calendar/2023/10") or "")


# -- what fetching taught us ---------------------------------------------------------


def test_pagination_past_the_end_trips_on_repeated_content() -> None:
    """mlsp-style /novini?page=N: 40 real pages, then every N shows the last page again."""
    t = detector(max_repeats=5)
    url = "https://mlsp.government.bg/novini?page={}"
    for n in range(1, 41):
        assert t.note_content(url.format(n), f"listing-{n}") is None
    tripped = None
    for n in range(41, 60):
        assert t.check(url.format(n)) is None or tripped
        tripped = tripped or t.note_content(url.format(n), "listing-40")
        if tripped:
            break
    assert n == 45 and tripped and "no new content" in tripped
    assert t.check(url.format(46)) == tripped
    # other listings of the site are not affected
    assert t.check("https://mlsp.government.bg/index.php?page=46&section=PRESS2") is None


def test_distinct_articles_never_trip() -> None:
    t = detector(max_repeats=3)
    url = "http://dsd.sofia.bg/index.php?Itemid=35&id={}&option=com_content&task=view"
    for n in range(100, 400):
        assert t.note_content(url.format(n), f"text of article {n}") is None
        assert t.check(url.format(n + 1)) is None
    # listings without text are not "the same content"
    for n in range(10):
        assert t.note_content(f"https://mlsp.government.bg/novini?page={n}", "") is None
    assert t.check("https://mlsp.government.bg/novini?page=11") is None


def test_itemid_variants_of_one_article_trip_only_that_article() -> None:
    """Joomla serves article 412 under any Itemid: the same text, URL after URL."""
    t = detector(max_repeats=5)
    url = "http://dsd.sofia.bg/index.php?Itemid={}&id=412&option=com_content&task=view"
    reasons = [t.note_content(url.format(i), "article-412") for i in range(1, 8)]
    assert reasons[:5] == [None] * 5 and reasons[5] is not None
    assert t.check(url.format(99)) is not None
    other = "http://dsd.sofia.bg/index.php?Itemid=3&id=413&option=com_content&task=view"
    assert t.check(other) is None


def test_pages_that_differ_only_by_a_counter() -> None:
    """Beyond the end, each ?page=N links to the same articles and to ?page=N+1."""
    t = detector(max_repeats=5)
    articles = [
        f"https://www.bta.bg/bg/news/bulgaria/2025/11/13/9123{i:02d}-novina" for i in range(20)
    ]
    tripped = None
    for n in range(300, 320):
        page = f"https://www.bta.bg/bg/news/bulgaria?page={n}"
        links = [*articles, f"https://www.bta.bg/bg/news/bulgaria?page={n + 1}",
                 f"https://www.bta.bg/bg/news/bulgaria?page={n - 1}", "https://www.bta.bg/bg/contacts"]  # fmt: skip
        tripped = t.note_links(page, links)
        if tripped:
            break
    assert n == 305 and tripped and "differ only by the counter" in tripped
    assert t.check("https://www.bta.bg/bg/news/bulgaria?page=306") == tripped


def test_memory_is_bounded_and_a_trap_is_still_caught() -> None:
    """Article URLs with ids make one group each; they must not pile up for a whole run,
    and forgetting them must not hide a trap whose URLs keep coming between them."""
    t = detector(max_repeats=5, max_groups=200)
    trap = "https://mlsp.government.bg/novini?page={}"
    t.note_content(trap.format(40), "listing-40")  # the last real page
    tripped = None
    for n in range(41, 60):
        for i in range(50):  # 150 new groups (3 per article) between two pages of the trap
            article = f"https://www.bta.bg/bg/news/2025/11/13/{n}{i:03d}-novina"
            t.note_content(article, f"text of {n}-{i}")
            t.note_links(article, [f"https://www.bta.bg/bg/news/2025/11/13/{n}{i + 1:03d}-x"])
        tripped = t.note_content(trap.format(n), "listing-40")
        if tripped:
            break
    assert n == 45 and tripped and t.check(trap.format(60)) == tripped
    assert len(t._groups) <= 200


def test_one_group_remembers_a_bounded_number_of_contents() -> None:
    t = detector(max_repeats=3)
    url = "http://dsd.sofia.bg/index.php?Itemid=35&id={}&option=com_content&task=view"
    for n in range(3 * GROUP_MEMORY):
        t.note_content(url.format(n), f"text of article {n}")
    assert all(len(g.seen) <= GROUP_MEMORY for g in t._groups._items.values())


def test_real_listing_pages_never_trip_the_link_rule() -> None:
    t = detector(max_repeats=2)
    for n in range(1, 60):
        page = f"https://www.bta.bg/bg/news/bulgaria?page={n}"
        links = [
            f"https://www.bta.bg/bg/news/bulgaria/2025/11/13/9{n:03d}{i:02d}-x" for i in range(20)
        ]
        links += [
            f"https://www.bta.bg/bg/news/bulgaria?page={n + 1}",
            "https://www.bta.bg/bg/contacts",
        ]
        assert t.note_links(page, links) is None
    assert t.check("https://www.bta.bg/bg/news/bulgaria?page=60") is None


# -- robustness ----------------------------------------------------------------------

segments = st.one_of(
    st.text(max_size=12),
    st.integers(0, 10**15).map(str),
    st.sampled_from(["page", "calendar", "2031", "07", "календар", "a", "b", "%D0%BA", "..", ""]),
)
params = st.tuples(
    st.sampled_from(
        ["page", "limitstart", "year", "month", "day", "date", "s", "sid", "p_auth", "x_cur", "id"]
    )
    | st.text(max_size=8),
    st.one_of(
        st.text(max_size=20),
        st.integers(-5, 10**14).map(str),
        st.sampled_from(["2031-07", "²", "٣", "20251112"]),
    ),
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "", "ftp", "HTTP"]))
    host = draw(st.sampled_from(["x.bg", "www.vratsa.bg", "[::1", "", "127.0.0.1:99999"]))
    path = "/".join(draw(st.lists(segments, max_size=25)))
    query = "&".join(f"{k}={v}" for k, v in draw(st.lists(params, max_size=8)))
    return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "")


@settings(max_examples=400, deadline=None)
@given(st.lists(urls() | st.text(max_size=200), min_size=1, max_size=6), st.text(max_size=10))
def test_never_crashes(candidates: list[str], content: str) -> None:
    t = detector(max_repeats=1)
    for url in candidates:
        reason = t.check(url)
        assert reason is None or (isinstance(reason, str) and reason)
        t.note_content(url, content)
        t.note_links(url, candidates)
        t.check(url)
