"""Tests for crawler.extract.dates: printed dates, publication dates, event dates.

Pages and sentences here are written for these tests in the styles of the real
sources (shared/notes/sources.md); the seed sentences come from
shared/seeds/.  Every expected value was worked out by hand from the
annotation conventions, not copied from the code's output.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from crawler.extract.datefmt import ISO_RE, iso_local_date, normalize, sofia_offset
from crawler.extract.dates import find_event_dates, find_published, parse_date_text

D = date

# ---------------------------------------------------------------------------
# parse_date_text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("27.09.2023г.", D(2023, 9, 27)),  # asp.government.bg, glued г.
        ("27.09.2023 г.", D(2023, 9, 27)),
        ("27.09.2023", D(2023, 9, 27)),
        ("05.04.2024", D(2024, 4, 5)),  # day-first even when both parts are <= 12
        ("03.04.2024 г.", D(2024, 4, 3)),
        ("27. 09. 2023 г.", D(2023, 9, 27)),
        ("12/09/2017", D(2017, 9, 12)),
        ("12-09-2017", D(2017, 9, 12)),
        ("12 August 2016", D(2016, 8, 12)),  # Joomla td.createdate
        ("August 12, 2016", D(2016, 8, 12)),
        ("12 септември 2017 г.", D(2017, 9, 12)),
        ("12 СЕПТЕМВРИ 2017 Г.", D(2017, 9, 12)),
        ("12 Септ. 2017 г.", D(2017, 9, 12)),
        ("13 ноем.2025", D(2025, 11, 13)),
        ("1-ви октомври 2017 г.", D(2017, 10, 1)),
        ("2 март 2020 год.", D(2020, 3, 2)),
        ("8 май 2019 година", D(2019, 5, 8)),
        ("15 Април 2010, 1459 прочита", D(2010, 4, 15)),
        ("Дата на публикуване: 05.04.2024 14:30", D(2024, 4, 5)),
        ("13 ноември 2025, 18:01", D(2025, 11, 13)),
        ("Четвъртък, 13 ноември 2025", D(2025, 11, 13)),
        ("2025-11-13T18:01:00+02:00", D(2025, 11, 13)),
        ("2025-11-13", D(2025, 11, 13)),
        ("2016-08-12 09:15:00", D(2016, 8, 12)),
        ("Публикувано на 12.09.2017 от Администратор", D(2017, 9, 12)),
        ("5 мaй 2020 г.", D(2020, 5, 5)),  # Latin "a" inside the Cyrillic month name
        ("12\u00a0август\u00a02016\u00a0г.", D(2016, 8, 12)),  # no-break spaces
    ],
)
def test_parse_date_text_printed_forms(printed: str, expected: date) -> None:
    assert parse_date_text(printed) == expected


@pytest.mark.parametrize(
    "printed",
    [
        "",
        "13.30 часа",  # a clock time; dateparser makes it "now minus 13.5 hours"
        "10.00 ч.",
        "преди 13 часа",
        "27 септември",  # no year: not a complete date
        "2014-2020",  # a programme period
        "© 2008 - 2024 Агенция за социално подпомагане",
        "IMG 20170912 100542",  # digits in an image name
        "31.09.2023",  # no 31st of September
        "30 февруари 2020 г.",
        "1459 прочита",
        "27.09.23",  # two-digit years are not read
        "Всички новини",
    ],
)
def test_parse_date_text_rejects_non_dates(printed: str) -> None:
    assert parse_date_text(printed) is None


def test_iso_with_zone_is_converted_to_sofia_time() -> None:
    # 23:30 UTC on 13 November is 01:30 on 14 November in Sofia (EET, +2).
    assert parse_date_text("2025-11-13T23:30:00Z") == D(2025, 11, 14)
    # 21:30 UTC on 1 July is 00:30 on 2 July in summer time (EEST, +3).
    assert parse_date_text("2024-07-01T21:30:00+00:00") == D(2024, 7, 2)
    # 20:30 UTC on 1 July is still 1 July in Sofia.
    assert parse_date_text("2024-07-01T20:30:00Z") == D(2024, 7, 1)
    # A naive time is already local.
    assert parse_date_text("2024-07-01T23:30:00") == D(2024, 7, 1)


def test_sofia_offset_switches_on_last_sundays() -> None:
    # 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC.
    assert sofia_offset(datetime(2024, 3, 31, 0, 59, tzinfo=UTC)) == timedelta(hours=2)
    assert sofia_offset(datetime(2024, 3, 31, 1, 0, tzinfo=UTC)) == timedelta(hours=3)
    assert sofia_offset(datetime(2024, 10, 27, 0, 59, tzinfo=UTC)) == timedelta(hours=3)
    assert sofia_offset(datetime(2024, 10, 27, 1, 0, tzinfo=UTC)) == timedelta(hours=2)


def test_normalize_keeps_length_and_folds_lookalikes() -> None:
    s = "мултимедийнaта среща на 5 мaй\u00a0BG05M9OP001"
    out = normalize(s)
    assert len(out) == len(s)
    assert "мултимедийната" in out and "5 май " in out
    assert out.endswith("BG05M9OP001")  # a pure Latin code is left alone


# ---------------------------------------------------------------------------
# find_published
# ---------------------------------------------------------------------------


def _tree(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


ASP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>АСП</title></head>
<body>
<header class="site"><div class="logo">logobgr</div>
 <div class="today">Сряда, 04 октомври 2023</div></header>
<nav><a href="/">Начало</a><a href="/bg/novini/">Новини</a></nav>
<div class="container">
 <a class="back" href="/bg/novini-i-akcenti-asp/">Всички</a>
 <div>27.09.2023г.</div>
 <h1>Заключителна конференция по проект „Повишаване на капацитета“</h1>
 <div class="text"><p>Агенцията за социално подпомагане (АСП) днес бе организатор и домакин
 на заключителна конференция по Проект № BG05M9OP001-3.006-0001.</p></div>
 <div class="col">
  <h3>НАЙ-ЧЕТЕНИ</h3>
  <div><a href="/x">Центровете в Шумен отварят врати</a><div>01.10.2023г.</div></div>
 </div>
</div>
<footer>© 2023 Агенция за социално подпомагане, ул. „Триадица“ 2, 02/930 05 50</footer>
</body></html>"""

MLSP_PAGE = """<html><head><title>МТСП</title></head><body>
<div class="cookie-banner">Този сайт използва бисквитки. 01.01.2020</div>
<div class="page-title"><h1>Министър Шалапатова откри информационен ден</h1></div>
<div class="post">
 <h3 class="post__title">Министър Шалапатова откри информационен ден</h3>
 <div class="post__created-at">14.03.2024</div>
 <div class="post__content"><p>Днес министърът на труда и социалната политика откри
 информационен ден в Русе.</p></div>
 <div class="share">Сподели</div>
</div>
<div class="related-posts">
 <div class="post"><h3 class="post__title">Друга новина</h3>
  <div class="post__created-at">13.03.2024</div></div>
 <div class="post"><h3 class="post__title">Трета новина</h3>
  <div class="post__created-at">11.03.2024</div></div>
</div>
</body></html>"""

MLSP_UNMARKED_RELATED = """<html><body>
<h1>Заседание на Националния съвет за хората с увреждания</h1>
<div class="post__created-at">22.02.2024</div>
<div class="post__content"><p>Текст на новината.</p></div>
<div class="box"><h2>Свързани новини</h2>
 <ul><li><span class="post__created-at">23.02.2024</span> Следваща новина</li></ul>
</div></body></html>"""

JOOMLA_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
</head><body><table class="contentpaneopen"><tr>
<td class="contentheading" width="100%">Работна среща за подобряване практиките
 по предоставяне на социални услуги</td>
<td class="buttonheading"><img alt="PDF"> <img alt="Печат"> <img alt="Е-мейл"></td></tr></table>
<table class="contentpaneopen">
<tr><td class="createdate">12 August 2016</td></tr>
<tr><td><p>Днес, 12 август 2016 г., г-жа Албена Атанасова проведе работна среща.</p>
<p>гр. София, 12 август 2016 г.</p></td></tr>
<tr><td class="modifydate">Последна промяна ( 20 August 2016 )</td></tr>
</table>
<div class="pagenav">&lt;&lt; Първа &lt; Предишна 1 2 3 Следваща &gt; Последна &gt;&gt;</div>
</body></html>"""

JOOMLA_ONLY_MODIFIED = """<html><body><table class="contentpaneopen">
<tr><td class="contentheading">Обявление</td></tr>
<tr><td><p>Дирекцията обявява свободно работно място.</p></td></tr>
<tr><td class="modifydate">Последна промяна ( 20 August 2016 )</td></tr>
</table></body></html>"""


def test_published_asp_plain_date_before_title_ignores_sidebar_and_top_bar() -> None:
    assert find_published(_tree(ASP_PAGE), "https://asp.government.bg/bg/x/") == D(2023, 9, 27)


def test_published_mlsp_class_line_beats_related_posts_and_cookie_banner() -> None:
    assert find_published(_tree(MLSP_PAGE), "https://mlsp.government.bg/x") == D(2024, 3, 14)


def test_published_related_block_recognised_by_its_heading() -> None:
    tree = _tree(MLSP_UNMARKED_RELATED)
    assert find_published(tree, "https://mlsp.government.bg/y") == D(2024, 2, 22)


def test_published_joomla_createdate_not_modifydate() -> None:
    url = "https://dsd.sofia.bg/index.php?option=com_content&task=view&id=12&Itemid=3"
    assert find_published(_tree(JOOMLA_PAGE), url) == D(2016, 8, 12)


def test_published_never_from_modifydate() -> None:
    url = "https://dsd.sofia.bg/index.php?option=com_content&task=view&id=13&Itemid=3"
    assert find_published(_tree(JOOMLA_ONLY_MODIFIED), url) is None


def test_published_jsonld_first_even_with_graph() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "БТА"},
      {"@type": "WebPage", "datePublished": "2025-11-10T08:00:00+02:00"},
      {"@type": "NewsArticle", "headline": "Форум", "datePublished": "2025-11-13T18:01:00+02:00",
       "dateModified": "2025-11-14T09:00:00+02:00"}]}
    </script></head><body><h1>Форум</h1><div class="date">10 ноември 2025, 08:00</div></body></html>"""
    assert find_published(_tree(html), "https://www.bta.bg/bg/news/x") == D(2025, 11, 13)


def test_published_jsonld_broken_json_still_read() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "Среща "в" София", "datePublished": "2024-05-06T10:00:00+03:00",}
    </script></head><body><h1>Среща</h1></body></html>"""
    assert find_published(_tree(html), "https://example.bg/a") == D(2024, 5, 6)


def test_published_meta_published_time_not_modified_time() -> None:
    html = """<html><head>
    <meta property="article:modified_time" content="2024-02-01T10:00:00+02:00">
    <meta property="og:updated_time" content="2024-02-01T10:00:00+02:00">
    <meta property="article:published_time" content="2024-01-18T09:30:00+02:00">
    </head><body><h1>Новина</h1></body></html>"""
    assert find_published(_tree(html), "https://example.bg/b") == D(2024, 1, 18)


def test_published_wordpress_time_published_not_updated_nor_widget() -> None:
    html = """<html><body>
    <article class="post"><header class="entry-header"><h1 class="entry-title">Обучение</h1>
    <div class="entry-meta"><span class="posted-on">
      <time class="updated" datetime="2023-06-20T11:00:00+03:00">20 юни 2023</time>
      <time class="entry-date published" datetime="2023-06-15T09:00:00+03:00">15 юни 2023</time>
    </span></div></header>
    <div class="entry-content"><p>Текст.</p></div></article>
    <aside class="widget-area"><section class="widget widget_recent_entries">
      <time datetime="2023-06-30T09:00:00+03:00">30 юни 2023</time></section></aside>
    </body></html>"""
    assert find_published(_tree(html), "https://aksu.government.bg/2023/06/obuchenie/") == D(
        2023, 6, 15
    )


def test_published_time_outside_article_is_ignored() -> None:
    html = """<html><body><div class="top"><time datetime="2026-11-26">26.11.2026</time></div>
    <main><h1>Кръгла маса</h1><p class="meta">Дата на публикуване: 05.04.2024 14:30</p>
    <p>Текст на новината.</p></main></body></html>"""
    assert find_published(_tree(html), "https://obshtina.bg/?p=5") == D(2024, 4, 5)


def test_published_municipal_views_line() -> None:
    html = """<html><body><div id="content"><h2 class="title">Откриване на Дневен център</h2>
    <div class="info">15 Април 2010, 1459 прочита</div><p>В присъствието на кмета...</p>
    </div><div id="right"><h3>Последни новини</h3><div>16 Април 2010, 25 прочита</div></div>
    </body></html>"""
    assert find_published(_tree(html), "https://obshtina.bg/news.php?id=3") == D(2010, 4, 15)


def test_published_bta_meta_line_and_sidebars() -> None:
    html = """<html><body>
    <div class="top-bar">Четвъртък, 26 ноември 2026</div>
    <div class="article"><h1>Областният управител откри форум</h1>
    <div class="article-meta">13 ноември 2025, 18:01</div>
    <div class="post__content"><p>Плевен, 13 ноември /БТА/ Форумът беше открит днес.</p></div></div>
    <div class="sidebar"><h2>НАЙ-ЧЕТЕНИ</h2><div class="date">12 ноември 2025, 10:00</div></div>
    <div class="most-read"><div>11 ноември 2025, 09:00</div></div>
    </body></html>"""
    url = "https://www.bta.bg/bg/news/bulgaria/2025/11/12/123-slug"
    assert find_published(_tree(html), url) == D(2025, 11, 13)


def test_published_body_today_phrase_when_no_date_line() -> None:
    html = """<html><body><h1>Работна среща</h1>
    <p>Днес, 08 юни 2017 г., в сградата на общината се проведе работна среща.</p>
    <p>Участваха представители на ДСП.</p></body></html>"""
    assert find_published(_tree(html), "https://obshtina.bg/novini/123") == D(2017, 6, 8)


def test_published_body_sign_off_dateline() -> None:
    text = "Срещата завърши с дискусия.\n\nгр. София, 12 август 2016 г."
    assert find_published(_tree(""), "https://dsd.sofia.bg/?id=1", text) == D(2016, 8, 12)


def test_published_body_opening_dateline() -> None:
    text = "Плевен, 15 януари 2024 г. – Областният управител откри нов център.\nТекст."
    assert find_published(_tree(""), "https://example.bg/z", text) == D(2024, 1, 15)


def test_published_body_event_date_is_not_publication() -> None:
    # «На 12 септември 2017 г. ... се проведе» is an event date, not a date line.
    text = "На 12 септември 2017 г., по инициатива на координаторите, се проведе работна среща."
    assert find_published(_tree(""), "https://example.bg/z", text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bta.bg/bg/news/bulgaria/2025/11/13/1234-forum", D(2025, 11, 13)),
        ("https://example.bg/2025/11/13/", D(2025, 11, 13)),
        ("https://example.bg/news/2024-03-05-forum-v-pleven", D(2024, 3, 5)),
        ("https://aksu.government.bg/2025/11/obuchenie/", None),  # month only: no day
        ("https://asp.government.bg/uploads/IMG_20170912_100542.jpg", None),
        ("https://asp.government.bg/bg/novini-i-akcenti-asp/konferencia/", None),
        ("https://example.bg/2025/13/40/", None),
    ],
)
def test_published_from_url(url: str, expected: date | None) -> None:
    assert find_published(_tree(""), url) == expected


def test_published_page_date_line_beats_url() -> None:
    html = "<html><body><h1>Новина</h1><div class='date'>14.11.2025</div></body></html>"
    assert find_published(_tree(html), "https://example.bg/2025/11/13/x") == D(2025, 11, 14)


def test_published_none_when_only_copyright_and_sidebar() -> None:
    html = """<html><body><h1>Проекти</h1><p>Списък на одобрените проекти.</p>
    <aside><div class="date">01.02.2024</div></aside>
    <div id="footer">© 2024 Община Враца. Всички права запазени.</div></body></html>"""
    assert find_published(_tree(html), "https://vratza.bg/proekti") is None


def test_published_ignores_header_today_widget() -> None:
    html = """<html><body><header><div>Днес е 26.11.2026</div><div>26.11.2026</div></header>
    <div class="content"><h1>Отчет</h1><p>Текст без дата.</p></div></body></html>"""
    assert find_published(_tree(html), "https://example.bg/otchet") is None


def test_published_prose_with_date_is_not_a_date_line() -> None:
    html = """<html><body><h1>Конкурс</h1>
    <div>Документи се приемат до 30.06.2024 г. в деловодството.</div></body></html>"""
    assert find_published(_tree(html), "https://example.bg/konkurs") is None


def test_published_on_empty_document() -> None:
    assert find_published(_tree(""), "") is None
    assert find_published(_tree("<html></html>"), "not a url") is None


# ---------------------------------------------------------------------------
# find_event_dates: the seeds
# ---------------------------------------------------------------------------

SEED_000 = (
    "На 27 септември, се проведе среща между изпълнителния директор на АСП и регионалните "
    "директори на дирекции „Социално подпомагане“. Тя разясни ангажимента на регионалните "
    "директори да организират общественото й обсъждане във всяка една област и община в срок "
    "до десет дни. Очаква се Картата на социалните услуги да бъде финализирана на национално "
    "ниво до края на годината."
)
SEED_001 = (
    "Агенцията за социално подпомагане (АСП) днес бе организатор и домакин на заключителна "
    "конференция по Проект № BG05M9OP001-3.006-0001, финансиран от Оперативна програма "
    "„Развитие на човешките ресурси“ 2014 – 2020 г.\n"
    "Г-жа Весела Минковска и г-жа Венелина Богданова представиха в детайли заложените от "
    "2016 г. до днес дейности и постигнатите резултати."
)
SEED_003 = (
    "Днес, 12 август 2016 г., г-жа Албена Атанасова - заместник кмет на Столична община, "
    "проведе работна среща за подобряване междуинституционалното взаимодействие.\n"
    "Срещата завърши с дискусия.\n"
    "гр. София, 12 август 2016 г.\n"
    "Последна промяна ( 12 August 2016 )"
)
SEED_004 = (
    "IMG 20170912 100542\n"
    "На 12 септември 2017 г., по инициатива на областните координатори на проекта, Мила "
    "Пашова и Адриана Сълева, се проведе работна среща с ръководителите на социални услуги "
    "от Софийска област - ЦСРИ , ЦОП и ДЦ.\n"
    "Проект №BG05М9ОР001-3.006-0001, финансиран от Оперативна програма „Развитие на "
    "човешките ресурси“ 2014-2020, съфинансирана от Европейския съюз."
)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (SEED_000, D(2023, 9, 28), [D(2023, 9, 27)]),
        (SEED_001, D(2023, 9, 27), [D(2023, 9, 27)]),
        (SEED_003, D(2016, 8, 12), [D(2016, 8, 12)]),
        (SEED_004, D(2017, 9, 14), [D(2017, 9, 12)]),
    ],
    ids=["seed000", "seed001", "seed003", "seed004"],
)
def test_event_dates_seeds(text: str, published: date, expected: list[date]) -> None:
    assert find_event_dates(text, published) == expected


def test_explicit_date_after_today_wins_over_publication_day() -> None:
    # Published a day late: «Днес, 12 август» names the day itself.
    assert find_event_dates(SEED_003, D(2016, 8, 13)) == [D(2016, 8, 12)]


# ---------------------------------------------------------------------------
# find_event_dates: positives
# ---------------------------------------------------------------------------

PUB = D(2023, 9, 28)  # a Thursday


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "Форумът ще се проведе от 5 до 7 декември в Боровец.",
            D(2023, 11, 20),
            [D(2023, 12, 5), D(2023, 12, 6), D(2023, 12, 7)],
        ),
        (
            "Конференцията ще се състои на 23-24 октомври в София.",
            D(2023, 10, 2),
            [D(2023, 10, 23), D(2023, 10, 24)],
        ),
        (
            "Националната конференция 23 – 24 октомври събира експерти от 28-те области.",
            D(2023, 10, 2),
            [D(2023, 10, 23), D(2023, 10, 24)],
        ),
        (
            "Обученията ще се проведат на 3 и 4 октомври в Плевен.",
            PUB,
            [D(2023, 10, 3), D(2023, 10, 4)],
        ),
        (
            "Семинарът ще се проведе между 10 и 12 май в Банско.",
            D(2024, 4, 20),
            [D(2024, 5, 10), D(2024, 5, 11), D(2024, 5, 12)],
        ),
        (
            "Международният форум ще се проведе от 30 септември до 2 октомври 2024 г. във Варна.",
            D(2024, 9, 1),
            [D(2024, 9, 30), D(2024, 10, 1), D(2024, 10, 2)],
        ),
        (
            "Летният семинар, 30 септември – 2 октомври, ще събере социални работници.",
            PUB,
            [D(2023, 9, 30), D(2023, 10, 1), D(2023, 10, 2)],
        ),
        (
            "Вчера заместник-министърът посети Центъра за социална рехабилитация в Ловеч.",
            PUB,
            [D(2023, 9, 27)],
        ),
        (
            "Утре ще бъде открит нов Дневен център за деца с увреждания в Добрич.",
            PUB,
            [D(2023, 9, 29)],
        ),
        (
            "В понеделник министърът откри Център за настаняване от семеен тип в Шумен.",
            PUB,
            [D(2023, 9, 25)],
        ),
        (
            "В сряда ще се проведе информационен ден за работодателите в Русе.",
            PUB,
            [D(2023, 10, 4)],
        ),
        (
            "Миналия петък кметът участва в кръгла маса за приемната грижа.",
            PUB,
            [D(2023, 9, 22)],
        ),
        (
            "Споразумението за сътрудничество бе подписано на 5 май т.г. в Министерството.",
            D(2024, 6, 10),
            [D(2024, 5, 5)],
        ),
        (
            "На 20 декември се проведе коледно тържество за децата от ЦНСТ.",
            D(2024, 1, 5),
            [D(2023, 12, 20)],  # a report published in January: last December
        ),
        (
            "Кръглата маса ще се проведе на 10 януари в зала „Витоша“.",
            D(2023, 12, 20),
            [D(2024, 1, 10)],  # an announcement in December: next January
        ),
        (
            "Плевен, 15 януари (БТА) – Областният управител откри нов център за възрастни хора.",
            D(2024, 1, 16),
            [D(2024, 1, 15)],
        ),
        (
            "На 27.09.2023 г. в зала „Пловдив“ се проведе кръгла маса за деинституционализацията.",
            PUB,
            [D(2023, 9, 27)],
        ),
        (
            "Както беше обявено, на 26.09. се проведе работна среща с кметовете.",
            PUB,
            [D(2023, 9, 26)],
        ),
        (
            "Националната кампания „Аз мога“ стартира на 1 юни с концерт в Пловдив.",
            D(2023, 5, 25),
            [D(2023, 6, 1)],
        ),
        (
            "Министърът и кметът подписаха договор за изграждане на социални жилища на "
            "14 март 2024 г.",
            D(2024, 3, 15),
            [D(2024, 3, 14)],
        ),
        (
            "Информационният ден ще се проведе на 5 март, а крайният срок за подаване на "
            "заявления е 30 април.",
            D(2024, 2, 20),
            [D(2024, 3, 5)],
        ),
        (
            "Партньорските срещи в Брюксел на 5, 6 и 7 юни бяха посветени на ЕСФ+.",
            D(2024, 6, 10),
            [D(2024, 6, 5), D(2024, 6, 6), D(2024, 6, 7)],
        ),
        (
            "От 05.12. до 07.12.2023 г. ще се проведе обучение на социалните работници.",
            D(2023, 11, 30),
            [D(2023, 12, 5), D(2023, 12, 6), D(2023, 12, 7)],
        ),
        (
            "Във вторник, 10 октомври, ще се проведе среща с неправителствените организации.",
            PUB,
            [D(2023, 10, 10)],
        ),
        (
            "На 5 мaй 2020 г. се проведе видеоконференция с директорите на РДСП.",
            D(2020, 5, 6),
            [D(2020, 5, 5)],
        ),
        (
            "На 1-ви октомври се проведе честване на Международния ден на възрастните хора.",
            D(2023, 10, 2),
            [D(2023, 10, 1)],
        ),
        (
            "Г-н Петров присъства на откриването на 5 юни и на церемонията на 6 юни.",
            D(2023, 6, 8),
            [D(2023, 6, 5), D(2023, 6, 6)],
        ),
        (
            "Посещението на делегацията от 30 декември 2023 г. – 2 януари 2024 г. премина успешно.",
            D(2024, 1, 3),
            [D(2023, 12, 30), D(2023, 12, 31), D(2024, 1, 1), D(2024, 1, 2)],
        ),
    ],
)
def test_event_dates_positive(text: str, published: date, expected: list[date]) -> None:
    assert find_event_dates(text, published) == expected


# ---------------------------------------------------------------------------
# find_event_dates: negatives (not events)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Заявленията за участие в обучението се приемат до 30 юни 2024 г.",
        "Постановление №176 от 18 юли 2016 г. за определяне на детайлни правила влиза в сила "
        "от 1 август.",
        "От 1 до 15 март се приемат заявления за участие в обучението.",
        "Наредбата, обсъдена на срещата, влиза в сила от 1 август 2024 г.",
        "Проектът се изпълнява по Оперативна програма „Развитие на човешките ресурси“ 2014-2020.",
        "Експертите представиха заложените от 2016 г. до днес дейности.",
        "Целта е до 2030 г. да бъдат закрити всички специализирани институции.",
        "Кампанията ще се проведе през февруари.",
        "Очаква се картата да бъде финализирана до края на годината.",
        "Публикувано преди 13 часа",
        "Срещата започва в 13.30 часа в зала 1.",
        "Обучението ще започне в 10.00 ч. в сградата на общината.",
        "Среща в 10.05. в кабинета на кмета.",
        "„Днес отбелязваме важна стъпка в реформата“, каза министърът на церемонията.",
        "Със Заповед № РД01-512 от 12.06.2023 г. на изпълнителния директор е утвърден списъкът "
        "на одобрените проекти.",
        "Услугата ще се предоставя от 1 септември 2023 г. в новата сграда на центъра.",
        "Считано от 1 януари 2024 г. размерът на помощта за участие в обучения се увеличава.",
        "Крайният срок за подаване на документи за участие във форума е 15 май 2024 г.",
        "Общественото обсъждане на проекта ще продължи до 30 юни.",
        "В срок до 15 ноември общините трябва да представят анализите от срещите.",
        "Кампанията ще се проведе от 1 юни до 30 септември 2024 г.",  # a season, not days
        "Всеки понеделник в центъра се провеждат срещи с родителите.",
        "Решението е подписано с дата 5 май 2020 г.",
        "Проектът е на стойност 29,5 млн. лева и обхваща 28-те области.",
        "Към 30 юни 2024 г. в програмата участват 1200 лица.",
        "Списък на одобрените проекти по процедура BG05SFPR002-2.001, 12.04.2024 г.",
        "Центровете за настаняване от семеен тип в Шумен отварят врати през септември.",
    ],
)
def test_event_dates_negative(text: str) -> None:
    assert find_event_dates(text, D(2024, 2, 20)) == []


def test_yearless_date_needs_publication_date() -> None:
    assert find_event_dates("На 27 септември се проведе среща.", None) == []
    assert find_event_dates("На 27 септември 2023 г. се проведе среща.", None) == [D(2023, 9, 27)]


def test_relative_words_need_publication_date() -> None:
    assert find_event_dates("Днес министърът откри центъра.", None) == []


def test_quoted_today_is_not_an_anchor_but_narrative_today_is() -> None:
    text = (
        "„Днес е важен ден за всички нас“, каза кметът. "
        "Днес в Ловеч се проведе среща на кметовете от областта."
    )
    assert find_event_dates(text, PUB) == [PUB]


def test_weekday_without_tense_is_dropped() -> None:
    assert find_event_dates("Срещата в сряда е важна за общината.", PUB) == []


def test_document_date_and_meeting_in_one_sentence() -> None:
    text = (
        "На 3 октомври се проведе работна среща за изпълнението на Постановление №176 от "
        "18 юли 2016 г."
    )
    assert find_event_dates(text, D(2023, 10, 4)) == [D(2023, 10, 3)]


def test_sentence_break_after_abbreviation_does_not_split() -> None:
    # «гр.» and «с.» do not end the sentence, so the cue «се проведе» stays with the date.
    text = "На 12 септември в гр. Етрополе и с. Лопян се проведе работна среща."
    assert find_event_dates(text, D(2017, 9, 14)) == [D(2017, 9, 12)]


def test_cue_in_another_sentence_does_not_count() -> None:
    text = "Срещата беше ползотворна. На 12 септември 2017 г. беше слънчево."
    assert find_event_dates(text, D(2017, 9, 14)) == []


def test_dateline_sign_off_alone_is_not_an_event() -> None:
    assert find_event_dates("Текст на съобщението.\nгр. София, 12 август 2016 г.", None) == []


def test_empty_text() -> None:
    assert find_event_dates("", PUB) == []


# ---------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------


def test_event_dates_fast_on_long_text() -> None:
    paragraph = SEED_000 + "\n" + SEED_001 + "\n" + SEED_004 + "\n"
    text = paragraph * (5000 // len(paragraph.split()) + 1)
    assert len(text.split()) >= 5000
    find_event_dates(text, PUB)  # warm the regex caches
    start = time.perf_counter()
    for _ in range(5):
        result = find_event_dates(text, PUB)
    per_call = (time.perf_counter() - start) / 5
    assert result == [D(2017, 9, 12), D(2023, 9, 27), D(2023, 9, 28)]
    assert per_call < 0.05, f"{per_call * 1000:.1f} ms per 5,000 words"


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

BG_MONTHS = [
    "януари",
    "февруари",
    "март",
    "април",
    "май",
    "юни",
    "юли",
    "август",
    "септември",
    "октомври",
    "ноември",
    "декември",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

dates_st = st.dates(min_value=D(1991, 1, 1), max_value=D(2099, 12, 31))

WORDS = [
    "На", "на", "от", "до", "и", "между", "днес", "вчера", "утре", "в", "понеделник",
    "сряда", "се", "проведе", "ще", "среща", "форум", "заявления", "срок", "г.", "т.г.",
    "септември", "май", "Май", "декември", "2023", "2024", "27", "5", "31", "0", "13.30",
    "часа", "27.09.2023г.", "05.12.", "-", "–", ",", ".", "\n", "„", "“", "Постановление",
    "№176", "2014-2020", "1-ви", "мaй", "събота", "следващата", "всеки", "(", ")",
]  # fmt: skip


@given(st.lists(st.sampled_from(WORDS), max_size=60), st.one_of(st.none(), dates_st))
@settings(max_examples=400, deadline=None)
def test_event_dates_never_crash_and_are_valid(words: list[str], published: date | None) -> None:
    out = find_event_dates(" ".join(words), published)
    assert out == sorted(set(out))
    assert all(isinstance(d, date) and 1990 <= d.year <= 2100 for d in out)


@given(st.text(max_size=300), st.one_of(st.none(), dates_st))
@settings(max_examples=300, deadline=None)
def test_event_dates_arbitrary_text(text: str, published: date | None) -> None:
    out = find_event_dates(text, published)
    assert out == sorted(set(out))


@given(
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 27),
    st.integers(1995, 2090),
    st.sampled_from(["от {a} до {b}", "{a}-{b}", "{a} – {b}", "между {a} и {b}"]),
)
@settings(max_examples=300, deadline=None)
def test_ranges_listed_day_by_day(month: int, a: int, extra: int, year: int, form: str) -> None:
    b = min(a + extra, 28)
    text = f"Форумът ще се проведе {form.format(a=a, b=b)} {BG_MONTHS[month - 1]} {year} г."
    out = find_event_dates(text, None)
    assert out == [D(year, month, day) for day in range(a, b + 1)]


@given(dates_st, dates_st)
@settings(max_examples=200, deadline=None)
def test_cross_month_range_is_ordered_and_contiguous(first: date, published: date) -> None:
    last = first + timedelta(days=3)
    text = (
        f"Конференцията ще се проведе от {first.day} {BG_MONTHS[first.month - 1]} "
        f"до {last.day} {BG_MONTHS[last.month - 1]} {last.year} г."
    )
    out = find_event_dates(text, published)
    assert out == [first + timedelta(days=k) for k in range(4)]


@given(dates_st, st.sampled_from(["past", "future"]))
@settings(max_examples=200, deadline=None)
def test_yearless_report_never_after_publication(published: date, tense: str) -> None:
    verb = "се проведе" if tense == "past" else "ще се проведе"
    day = published + timedelta(days=10)
    text = f"На {day.day} {BG_MONTHS[day.month - 1]} {verb} среща."
    out = find_event_dates(text, published)
    if tense == "past":
        assert len(out) <= 1 and all(d <= published for d in out)
    else:
        assert out == [day]


@given(dates_st)
@settings(max_examples=300, deadline=None)
def test_parse_date_text_round_trips_printed_forms(d: date) -> None:
    forms = [
        f"{d.day:02d}.{d.month:02d}.{d.year}г.",
        f"{d.day:02d}.{d.month:02d}.{d.year} г.",
        f"{d.day} {BG_MONTHS[d.month - 1]} {d.year} г.",
        f"{d.day} {BG_MONTHS[d.month - 1].capitalize()} {d.year}, 120 прочита",
        f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}",
        f"Дата на публикуване: {d.day:02d}.{d.month:02d}.{d.year} 14:30",
        d.isoformat(),
        f"{d.isoformat()}T12:00:00+02:00",
    ]
    for form in forms:
        assert parse_date_text(form) == d, form


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_parse_date_text_never_crashes(s: str) -> None:
    out = parse_date_text(s)
    assert out is None or 1990 <= out.year <= 2100


@given(st.datetimes(min_value=datetime(1997, 1, 1), max_value=datetime(2037, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_sofia_offset_matches_tz_database(naive_utc: datetime) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        sofia = zoneinfo.ZoneInfo("Europe/Sofia")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no tz database on this host")
    utc = naive_utc.replace(tzinfo=UTC)
    assert sofia_offset(utc) == utc.astimezone(sofia).utcoffset()
    m = ISO_RE.match(utc.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert m is not None
    assert iso_local_date(m) == utc.astimezone(sofia).date()


@given(st.text(alphabet="<>/=\"' abcdivpsantimehdr1209.-:", max_size=300), st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_find_published_never_crashes_on_junk_html(html: str, url: str) -> None:
    out = find_published(LexborHTMLParser(html), url)
    assert out is None or 1990 <= out.year <= 2100


# ---------------------------------------------------------------------------
# Cases added after mutation testing showed them uncovered
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # A lone «от <date>» after a document noun the negative list does not know.
        "Министърът присъства на церемонията по повод решението от 5 май 2020 г.",
        "Участниците в срещата обсъдиха писмото от 12 март.",
        "Приемът на документи ще продължи до 29 март, а на 2 април ще бъде обявено класирането.",
    ],
)
def test_event_dates_negative_lone_from_and_deadlines(text: str) -> None:
    assert find_event_dates(text, D(2024, 3, 15)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No comma after the opening date: «г. Срещата» does not split the sentence.
        ("На 12 март 2024 г. Срещата се проведе в зала 3.", [D(2024, 3, 12)]),
        (
            "Обучението ще се проведе в два етапа: 18-19 март и 25-26 март.",
            [D(2024, 3, 18), D(2024, 3, 19), D(2024, 3, 25), D(2024, 3, 26)],
        ),
        ("Кметът на община Симитли участва в заседание на 11 март т.г.", [D(2024, 3, 11)]),
        ("На 2 април се проведе среща на кметовете.", [D(2023, 4, 2)]),
        ("Събитието се проведе на 3-ти март в Плевен.", [D(2024, 3, 3)]),
    ],
)
def test_event_dates_more_positives(text: str, expected: list[date]) -> None:
    assert find_event_dates(text, D(2024, 3, 15)) == expected


def test_published_modification_label_in_plain_text_is_skipped() -> None:
    html = """<html><body><div class="box"><h1>Отчет за дейността</h1>
    <div>Последна промяна: 20.03.2024</div><p>Текст на отчета.</p>
    <div>Публикувано: 14.03.2024</div></div></body></html>"""
    assert find_published(_tree(html), "https://example.bg/otchet") == D(2024, 3, 14)


def test_published_rubric_heading_above_article_does_not_hide_it() -> None:
    html = """<html><body><div class="wrap"><h2>Последни новини</h2>
    <div class="article"><h1>Кръгла маса за приемната грижа</h1>
    <div class="meta">21.02.2024</div><p>Текст.</p></div></div></body></html>"""
    assert find_published(_tree(html), "https://example.bg/a") == D(2024, 2, 21)


# ---------------------------------------------------------------------------
# Wire text, weekday lists, datelines, feeds
# ---------------------------------------------------------------------------


def test_hard_wrapped_wire_text_is_read_as_sentences() -> None:
    text = (
        "Русе, 9 октомври /Петя Колева, БТА/ На 7 и 8 октомври в Русе се \n"
        "проведе регионална среща на директорите на ДСП от Северен \n"
        "централен район.\n"
        "Следващите срещи ще бъдат на 16 октомври във Видин и на \n"
        "23 октомври в Монтана. /ИВ/"
    )
    # The dateline names 9 October but its sentence dates the meeting itself.
    assert find_event_dates(text, D(2024, 10, 9)) == [
        D(2024, 10, 7),
        D(2024, 10, 8),
        D(2024, 10, 16),
        D(2024, 10, 23),
    ]


def test_wrap_after_initials_keeps_the_sentence() -> None:
    text = (
        "На 14 февруари в сградата на ул. „Г. С. \n"
        "Раковски“ № 5 се проведе работна среща с доставчиците на социални услуги."
    )
    assert find_event_dates(text, D(2024, 2, 16)) == [D(2024, 2, 14)]


def test_title_line_over_date_line_is_not_merged() -> None:
    text = "Работна среща за подобряване на социалните услуги в София\n12 August 2016"
    assert find_event_dates(text, D(2016, 8, 12)) == []


def test_weekday_list_in_past_report() -> None:
    # Published on Friday 27 September 2024.
    text = "В сряда и четвъртък в гр. Хисаря се проведе работно съвещание и среща с директорите."
    assert find_event_dates(text, D(2024, 9, 27)) == [D(2024, 9, 25), D(2024, 9, 26)]


def test_future_weekday_from_a_friday() -> None:
    text = "Последният информационен ден ще се проведе в Габрово в четвъртък."
    assert find_event_dates(text, D(2025, 11, 21)) == [D(2025, 11, 27)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The dateline sentence has its own day («вчера»): the dateline is not it.
        (
            "Ловеч, 21 ноември /БТА/ Над 60 души се включиха вчера в информационния ден.",
            [D(2025, 11, 20)],
        ),
        # The dateline sentence reports a happening with no other day: the dateline is it.
        (
            "Габрово, 20 ноември /БТА/ Заместник-министърът откри обновения Дневен център.",
            [D(2025, 11, 20)],
        ),
        # «днес» and the dateline agree.
        (
            "Плевен, 21 ноември /БТА/ Кметът откри днес информационен ден за приемната грижа.",
            [D(2025, 11, 21)],
        ),
    ],
)
def test_datelines(text: str, expected: list[date]) -> None:
    assert find_event_dates(text, D(2025, 11, 21)) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Mon, 02 Dec 2024 14:45:00 +0000", D(2024, 12, 2)),
        ("Mon, 02 Dec 2024 23:30:00 +0000", D(2024, 12, 3)),  # 01:30 in Sofia
        ("Fri, 21 Jun 2024 07:20:00 GMT", D(2024, 6, 21)),
    ],
)
def test_parse_date_text_rss_dates(printed: str, expected: date) -> None:
    assert parse_date_text(printed) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Утре, 16 март, ще бъде открит Център за настаняване от семеен тип.", [D(2024, 3, 16)]),
        ("Понеделник, 18 март, ще се проведе работна среща в Кърджали.", [D(2024, 3, 18)]),
        ("Днес, 15 март, заместник-министърът откри конференцията.", [D(2024, 3, 15)]),
        ("Министърът и днес посети социални услуги в Перник.", [D(2024, 3, 15)]),
    ],
)
def test_relative_word_before_its_date_is_not_a_dateline(text: str, expected: list[date]) -> None:
    assert find_event_dates(text, D(2024, 3, 15)) == expected


def test_out_of_range_publication_date_is_ignored() -> None:
    assert find_event_dates("Днес министърът откри центъра.", date.max) == []
    assert find_event_dates("Вчера се проведе среща.", date.min) == []


def test_year_from_url_completes_yearless_events_on_undated_pages() -> None:
    from crawler.extract.dates import year_from_url

    url = "https://www.vratsa.bg/2024/03/%D0%BF%D0%B0%D1%82/"
    assert year_from_url(url) == 2024
    assert year_from_url("https://www.bta.bg/bg/news/912345") is None
    text = "На 11 март в читалището в с. Паволче се проведе среща с жителите."
    assert find_event_dates(text, None) == []
    assert find_event_dates(text, None, year_hint=2024) == [date(2024, 3, 11)]


def test_inspections_are_visits_and_count_as_events() -> None:
    text = "На 16 и 17 юни агенцията извърши извънредна проверка на Центъра за обществена подкрепа в Генерал Тошево."
    assert find_event_dates(text, D(2025, 6, 20)) == [D(2025, 6, 16), D(2025, 6, 17)]


def test_sentence_opening_with_its_date_and_an_action_is_an_event() -> None:
    text = "На 18 декември във Велико Търново представители на 36 общини се запознаха с условията на програмата."
    assert find_event_dates(text, D(2024, 1, 10)) == [
        D(2023, 12, 18)
    ]  # a report: stepped back a year
    assert find_event_dates("На 18 декември влиза в сила новата наредба.", D(2024, 1, 10)) == []
