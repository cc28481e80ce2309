"""Feeds and sitemaps: realistic Bulgarian feeds, Sofia dates, hostile and broken input."""

from __future__ import annotations

import gzip
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.feeds import MAX_BYTES, FeedEntry, FeedError, parse_date, parse_feed, parse_sitemap

ROOT = Path(__file__).resolve().parent.parent

# A WordPress municipal feed: CDATA everywhere, percent-encoded Cyrillic
# permalinks, an atom:link self reference in the channel, &nbsp; in a title
# (not an XML entity, but WordPress themes emit it), a relative link, a
# guid-only item and a non-permalink guid-only item.
WORDPRESS_RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
	<title>Община Враца</title>
	<atom:link href="https://www.vratsa.bg/feed/" rel="self" type="application/rss+xml" />
	<link>https://www.vratsa.bg</link>
	<lastBuildDate>Wed, 12 Nov 2025 22:30:00 +0000</lastBuildDate>
	<item>
		<title><![CDATA[Социалната трапезария във Враца приема заявления до 20 ноември]]></title>
		<link>https://www.vratsa.bg/2025/11/%D1%81%D0%BE%D1%86%D0%B8%D0%B0%D0%BB%D0%BD%D0%B0%D1%82%D0%B0-%D1%82%D1%80%D0%B0%D0%BF%D0%B5%D0%B7%D0%B0%D1%80%D0%B8%D1%8F/</link>
		<dc:creator><![CDATA[Пресцентър]]></dc:creator>
		<pubDate>Wed, 12 Nov 2025 22:30:00 +0000</pubDate>
		<guid isPermaLink="false">https://www.vratsa.bg/?p=2211</guid>
		<description><![CDATA[<p>Заявления се приемат в Дирекция „Социални дейности“ &#8211; ул. „Стефанаки Савов“ 6 […]</p>]]></description>
		<content:encoded><![CDATA[<!-- wp:paragraph --><p>Текст на <b>новината</b>.</p><!DOCTYPE-looking text inside CDATA is only text>]]></content:encoded>
	</item>
	<item>
		<title>Кметът&nbsp;посети Дневния център за деца с увреждания</title>
		<link>
			/2025/11/%D0%B4%D0%BD%D0%B5%D0%B2%D0%B5%D0%BD-%D1%86%D0%B5%D0%BD%D1%82%D1%8A%D1%80/
		</link>
		<pubDate>Tue, 11 Nov 2025 09:15:00 +0200</pubDate>
	</item>
	<item>
		<title>Съобщение за работна среща</title>
		<guid>https://www.vratsa.bg/2025/11/rabotna-sreshta/</guid>
		<pubDate>Mon, 10 Nov 2025 08:00:00 EET</pubDate>
	</item>
	<item>
		<title>Без адрес</title>
		<guid isPermaLink="false">2211-draft</guid>
	</item>
	<item>
		<title>Опасна връзка</title>
		<link>javascript:alert(1)</link>
	</item>
</channel>
</rss>
""".encode()

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.namrb.org/">
  <title>НСОРБ – Новини</title>
  <link rel="self" href="https://www.namrb.org/feed.atom"/>
  <updated>2025-11-13T09:00:00+02:00</updated>
  <entry>
    <title type="html">Форум &lt;em&gt;„Социалните услуги в общините“&lt;/em&gt;</title>
    <link rel="enclosure" type="application/pdf" href="files/programa-forum.pdf"/>
    <link rel="alternate" type="text/html" href="novini/forum-socialni-uslugi-v-obshtinite"/>
    <id>tag:namrb.org,2025:news-1187</id>
    <published>2025-11-12T23:40:00+02:00</published>
    <updated>2025-11-13T10:00:00+02:00</updated>
  </entry>
  <entry>
    <title>Конференция за патронажната грижа</title>
    <link href="https://www.namrb.org/novini/konferentsiya-patronazhna-grizha"/>
    <id>https://www.namrb.org/novini/konferentsiya-patronazhna-grizha</id>
    <updated>2025-11-12T22:30:00Z</updated>
  </entry>
  <entry>
    <title>Само идентификатор</title>
    <id>https://www.namrb.org/novini/samo-id</id>
    <updated>2025-11-01</updated>
  </entry>
</feed>
""".encode()


def test_wordpress_rss() -> None:
    entries = parse_feed(WORDPRESS_RSS, "https://www.vratsa.bg/feed/")
    assert entries == [
        FeedEntry(
            "https://www.vratsa.bg/2025/11/%D1%81%D0%BE%D1%86%D0%B8%D0%B0%D0%BB%D0%BD%D0%B0%D1%82%D0%B0-%D1%82%D1%80%D0%B0%D0%BF%D0%B5%D0%B7%D0%B0%D1%80%D0%B8%D1%8F/",
            date(2025, 11, 13),  # 22:30 UTC is 00:30 on the 13th in Sofia
            "Социалната трапезария във Враца приема заявления до 20 ноември",
        ),
        FeedEntry(
            "https://www.vratsa.bg/2025/11/%D0%B4%D0%BD%D0%B5%D0%B2%D0%B5%D0%BD-%D1%86%D0%B5%D0%BD%D1%82%D1%8A%D1%80/",
            date(2025, 11, 11),
            "Кметът посети Дневния център за деца с увреждания",  # &nbsp; becomes a space
        ),
        FeedEntry(
            "https://www.vratsa.bg/2025/11/rabotna-sreshta/",
            date(2025, 11, 10),
            "Съобщение за работна среща",
        ),
    ]


def test_fixture_feeds_parse() -> None:
    bta = parse_feed(
        (ROOT / "fixtures/sites/bta/www/rss.xml").read_bytes(), "https://www.bta.bg/rss"
    )
    assert bta and all(e.url.startswith("https://www.bta.bg/bg/news/") for e in bta)
    assert bta[0].published == date(2025, 11, 24)
    vratsa = parse_feed(
        (ROOT / "fixtures/sites/municipal/www/feed.xml").read_bytes(), "https://www.vratsa.bg/feed/"
    )
    assert vratsa[0].title == "Коледен благотворителен базар „Ръка за помощ“ от 5 до 7 декември"
    assert "%D0%BA%D0%BE%D0%BB%D0%B5%D0%B4%D0%B5%D0%BD" in vratsa[0].url


def test_atom() -> None:
    entries = parse_feed(ATOM, "https://www.namrb.org/feed.atom")
    assert entries == [
        FeedEntry(
            "https://www.namrb.org/novini/forum-socialni-uslugi-v-obshtinite",
            date(2025, 11, 12),  # published wins over updated
            "Форум „Социалните услуги в общините“",
        ),
        FeedEntry(
            "https://www.namrb.org/novini/konferentsiya-patronazhna-grizha",
            date(2025, 11, 13),
            "Конференция за патронажната грижа",
        ),
        FeedEntry("https://www.namrb.org/novini/samo-id", date(2025, 11, 1), "Само идентификатор"),
    ]


def test_rss_1_0_rdf() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://aksu.government.bg/"><title>\xd0\x90\xd0\x9a\xd0\xa1\xd0\xa3</title></channel>
  <item rdf:about="https://aksu.government.bg/2025/11/proverka/">
    <title>\xd0\x9f\xd1\x80\xd0\xbe\xd0\xb2\xd0\xb5\xd1\x80\xd0\xba\xd0\xb0</title>
    <link>https://aksu.government.bg/2025/11/proverka/</link>
    <dc:date>2025-11-12T22:30:00Z</dc:date>
  </item>
</rdf:RDF>"""
    assert parse_feed(body, "https://aksu.government.bg/feed/rdf/") == [
        FeedEntry("https://aksu.government.bg/2025/11/proverka/", date(2025, 11, 13), "Проверка")
    ]


def test_windows_1251_joomla_feed() -> None:
    """dsd.sofia.bg-style Joomla 1.0 feed: windows-1251 bytes, &amp; in links."""
    body = (
        '<?xml version="1.0" encoding="windows-1251"?>\n'
        '<rss version="2.0"><channel><title>Дирекция „Социални дейности“</title>'
        "<item><title>Обява за набиране на социални асистенти</title>"
        "<link>http://dsd.sofia.bg/index.php?option=com_content&amp;task=view&amp;id=412&amp;Itemid=35</link>"
        "<pubDate>Fri, 12 Aug 2016 10:00:00 +0300</pubDate></item></channel></rss>"
    ).encode("cp1251")
    assert parse_feed(body, "http://dsd.sofia.bg/index2.php?option=com_rss") == [
        FeedEntry(
            "http://dsd.sofia.bg/index.php?option=com_content&task=view&id=412&Itemid=35",
            date(2016, 8, 12),
            "Обява за набиране на социални асистенти",
        )
    ]


def test_utf16_feed() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-16"?><rss><channel><item><title>Новина</title>'
        "<link>https://www.sofia.bg/w/novina</link></item></channel></rss>"
    ).encode("utf-16")
    assert parse_feed(body, "https://www.sofia.bg/") == [
        FeedEntry("https://www.sofia.bg/w/novina", None, "Новина")
    ]


# -- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 12 Nov 2025 22:30:00 GMT", date(2025, 11, 13)),
        ("Wed, 12 Nov 2025 21:59:59 GMT", date(2025, 11, 12)),
        ("Wed, 12 Nov 2025 22:30:00 +0200", date(2025, 11, 12)),
        ("Wed, 12 Nov 2025 22:30:00 -0000", date(2025, 11, 13)),
        ("12 Nov 2025 22:30 UT", date(2025, 11, 13)),
        ("Mon, 24 Nov 2025 13:05:00 EET", date(2025, 11, 24)),
        ("Сря, 12 Ное 2025 23:30:00 +0200", date(2025, 11, 12)),
        ("12 ноември 2025", date(2025, 11, 12)),
        ("Wed, 12 Nov 2025", date(2025, 11, 12)),
        # summer time: UTC+3 from the last Sunday of March to the last Sunday of October
        ("Sat, 29 Mar 2025 21:30:00 GMT", date(2025, 3, 29)),
        ("Sat, 29 Mar 2025 22:30:00 GMT", date(2025, 3, 30)),
        ("Sat, 25 Oct 2025 21:30:00 GMT", date(2025, 10, 26)),
        ("Sun, 26 Oct 2025 21:30:00 GMT", date(2025, 10, 26)),
        ("2025-11-12T22:30:00Z", date(2025, 11, 13)),
        ("2025-11-12T22:30:00.000+00:00", date(2025, 11, 13)),
        ("2025-11-12T23:40:00+02:00", date(2025, 11, 12)),
        ("2025-07-12T21:30:00+00:00", date(2025, 7, 13)),
        ("2025-11-12T23:40:00", date(2025, 11, 12)),  # no zone: Sofia local time
        ("2025-11-12", date(2025, 11, 12)),
        (" 2025-11-12\n", date(2025, 11, 12)),
        ("2025-11", None),
        ("Thu, 01 Jan 1970 00:00:00 +0000", None),
        ("Mon, 31 Feb 2025 10:00:00 +0000", None),
        ("вчера", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_sofia_dates(raw: str | None, expected: date | None) -> None:
    assert parse_date(raw) == expected


# -- sitemaps ------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.bta.bg/bg/news/bulgaria/2025/11/13/912301-pravitelstvoto-osigurjava-oshte-42-mln-leva</loc>
    <lastmod>2025-11-14T08:00:00+02:00</lastmod>
    <news:news><news:publication><news:name>\xd0\x91\xd0\xa2\xd0\x90</news:name><news:language>bg</news:language></news:publication>
      <news:publication_date>2025-11-12T22:45:00Z</news:publication_date>
      <news:title>\xd0\x9f\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd1\x82\xd0\xb5\xd0\xbb\xd1\x81\xd1\x82\xd0\xb2\xd0\xbe\xd1\x82\xd0\xbe \xd0\xbe\xd1\x81\xd0\xb8\xd0\xb3\xd1\x83\xd1\x80\xd1\x8f\xd0\xb2\xd0\xb0 \xd0\xbe\xd1\x89\xd0\xb5 42 \xd0\xbc\xd0\xbb\xd0\xbd. \xd0\xbb\xd0\xb5\xd0\xb2\xd0\xb0</news:title>
    </news:news></url>
  <url><loc> https://www.bta.bg/bg/news/oblasts/2025/11/12/912100-nad-900-dushi </loc><lastmod>2025-11-12</lastmod></url>
  <url><loc>https://www.bta.bg/bg/news/</loc><changefreq>hourly</changefreq></url>
  <url><loc>ftp://www.bta.bg/archive.zip</loc></url>
  <url><lastmod>2025-11-12</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://aksu.government.bg/wp-sitemap-posts-post-1.xml</loc><lastmod>2025-11-12T10:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>/wp-sitemap-posts-page-1.xml</loc></sitemap>
  <sitemap><loc>https://aksu.government.bg/wp-sitemap-posts-post-1.xml</loc></sitemap>
</sitemapindex>"""


def test_urlset_prefers_news_publication_date() -> None:
    sm = parse_sitemap(URLSET, "https://www.bta.bg/sitemap-news.xml")
    assert sm.sitemaps == []
    assert sm.urls == [
        FeedEntry(
            "https://www.bta.bg/bg/news/bulgaria/2025/11/13/912301-pravitelstvoto-osigurjava-oshte-42-mln-leva",
            date(2025, 11, 13),
            "Правителството осигурява още 42 млн. лева",
        ),
        FeedEntry(
            "https://www.bta.bg/bg/news/oblasts/2025/11/12/912100-nad-900-dushi", date(2025, 11, 12)
        ),
        FeedEntry("https://www.bta.bg/bg/news/"),
    ]


def test_sitemap_index_and_gzip() -> None:
    expected = [
        "https://aksu.government.bg/wp-sitemap-posts-post-1.xml",
        "https://aksu.government.bg/wp-sitemap-posts-page-1.xml",
    ]
    base = "https://aksu.government.bg/wp-sitemap.xml"
    assert parse_sitemap(INDEX, base).sitemaps == expected
    assert parse_sitemap(gzip.compress(INDEX), base + ".gz").sitemaps == expected
    assert parse_sitemap(gzip.compress(URLSET), base).urls[0].published == date(2025, 11, 13)


def test_fixture_sitemap_and_text_sitemap() -> None:
    sm = parse_sitemap(
        (ROOT / "fixtures/sites/seeds/www/sitemap.xml").read_bytes(),
        "https://asp.government.bg/sitemap.xml",
    )
    assert len(sm.urls) == 7 and sm.urls[-1].published == date(2016, 8, 12)
    text = b"https://www.vratsa.bg/2024/03/a/\r\nhttps://www.vratsa.bg/2024/04/b/\n\n"
    assert [e.url for e in parse_sitemap(text, "https://www.vratsa.bg/sitemap.txt").urls] == [
        "https://www.vratsa.bg/2024/03/a/",
        "https://www.vratsa.bg/2024/04/b/",
    ]


# -- hostile input -------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel><item><title>&lol9;</title><link>https://x.bg/</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><link>https://x.bg/</link></item></channel></rss>"""

PARAMETER_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<urlset><url><loc>https://x.bg/</loc></url></urlset>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        PARAMETER_XXE,
        b'<!-- a comment first --><!doctype rss SYSTEM "http://127.0.0.1:9/rss.dtd"><rss/>',
        b'<?xml version="1.0"?>\n<!ENTITY x "y"><rss/>',
        BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"),
        gzip.compress(XXE),
    ],
)  # fmt: skip
def test_entities_and_dtds_are_refused_not_expanded(body: bytes) -> None:
    started = time.perf_counter()
    for parse in (parse_feed, parse_sitemap):
        with pytest.raises(FeedError, match="refused"):
            parse(body, "https://x.bg/feed")
    assert time.perf_counter() - started < 1.0


def test_size_caps() -> None:
    with pytest.raises(FeedError, match="larger than"):
        parse_feed(b" " * (MAX_BYTES + 1), "https://x.bg/")
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_BYTES + 10) + b"</urlset>")
    assert len(bomb) < 100_000
    with pytest.raises(FeedError, match="after gunzip"):
        parse_sitemap(bomb, "https://x.bg/sitemap.xml.gz")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (WORDPRESS_RSS[:1500], "not well-formed XML at line"),
        (b"<rss><channel><item><title>a</item></channel></rss>", "mismatched tag"),
        (b"<rss><channel><item><title>R&D &copy2025</title></item></channel></rss>", "not well-formed"),
        (b"", "not well-formed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not XML|not well-formed"),
        (b'<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>', "refused"),
        (b"<html><body><p>Page not found</p></body></html>", "root element is <html>"),
        (URLSET, "not an RSS or Atom feed"),
        (b"\x1f\x8b\x08\x00garbage", "broken gzip"),
    ],
)  # fmt: skip
def test_broken_input_is_a_clear_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "https://x.bg/feed")


def test_broken_sitemaps() -> None:
    with pytest.raises(FeedError, match="not a sitemap: the root element is <rss>"):
        parse_sitemap(WORDPRESS_RSS, "https://x.bg/sitemap.xml")
    with pytest.raises(FeedError, match="neither XML nor a list of URLs"):
        parse_sitemap(b'{"urls": []}', "https://x.bg/sitemap.xml")
    with pytest.raises(FeedError, match="line 2"):
        parse_sitemap(b"<urlset>\n<url><loc>https://x.bg/</url></urlset>", "https://x.bg/s.xml")


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"<rss><channel><item><link>", b"<urlset><url><loc>", b"\x1f\x8b", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='"]),
    junk=st.binary(max_size=300) | st.text(max_size=200).map(str.encode),
)  # fmt: skip
def test_arbitrary_bytes_never_crash(prefix: bytes, junk: bytes) -> None:
    for parse in (parse_feed, parse_sitemap):
        try:
            result = parse(prefix + junk, "https://x.bg/feed")
        except FeedError:
            continue
        entries = result if isinstance(result, list) else result.urls
        assert all(e.url.startswith(("http://", "https://")) for e in entries)


def test_expat_handlers_refuse_even_if_the_byte_scan_missed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: with the byte-level scan disabled, expat's handlers still refuse."""
    import re

    import crawler.feeds as feeds

    monkeypatch.setattr(feeds, "_DECLARATION", re.compile(rb"(?!x)x"))
    for body in (BILLION_LAUGHS, XXE, PARAMETER_XXE):
        with pytest.raises(FeedError, match="refused"):
            parse_feed(body, "https://x.bg/feed")


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=60)
    | st.from_regex(r"(Mon, )?[0-9]{1,3} (Nov|ное|Feb) [0-9]{2,5}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?( [+-][0-9]{4,9}| EEST| XYZ)?", fullmatch=True)
    | st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?)?", fullmatch=True)
)  # fmt: skip
def test_parse_date_never_crashes(text: str) -> None:
    got = parse_date(text)
    assert got is None or 1990 <= got.year <= 2100
