"""sources.toml: the shipped file, every bad-config case, URL classification."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.sources import ConfigError, CrawlerSettings, load_sources, loads_sources

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "sources.toml"


@pytest.fixture(scope="module")
def shipped() -> CrawlerSettings:
    return load_sources(SHIPPED)


def test_shipped_file_loads(shipped: CrawlerSettings) -> None:
    names = [s.name for s in shipped.sources]
    assert names == ["asp", "mlsp", "aksu", "dsd", "sofia", "namrb", "bta", "vratsa", "lovech"]
    assert "https://" in shipped.user_agent
    dsd = shipped.source("dsd")
    assert dsd.charset == "windows-1251"
    assert dsd.rate_limit == 2.0 and dsd.max_pages == 5000
    assert dsd.allow_private_redirects is False
    assert dsd.date_selector == "td.createdate"
    assert shipped.source("aksu").feeds == ("https://aksu.government.bg/feed/",)
    assert shipped.source("bta").max_pages == 3000
    for source in shipped.sources:
        assert source.start_urls and source.allowed_hosts
        for url in source.start_urls:
            assert source.classify(url) in ("listing", None), url


@pytest.mark.parametrize(
    ("url", "name", "kind"),
    [
        # asp.government.bg: Latin slugs under the news section, print views excluded
        ("https://asp.government.bg/bg/novini-i-akcenti-asp/diskusiya-za-badeshtite-zadachi-i-tseli/", "asp", "article"),
        ("https://asp.government.bg/bg/novini-i-akcenti-asp/?page=3", "asp", "listing"),
        ("https://asp.government.bg/bg/print/diskusiya-za-badeshtite-zadachi/", "asp", "excluded"),
        # mlsp.government.bg: new slugs, /novini?page=N, the old PRESS2 archive in any order
        ("https://mlsp.government.bg/dopalnitelni-12-mln-lv-za-patronazhnata-grizha-v-41-obshtini", "mlsp", "article"),
        ("https://mlsp.government.bg/novini?page=12", "mlsp", "listing"),
        ("https://mlsp.government.bg/kontakti", "mlsp", None),
        ("https://mlsp.government.bg/index.php?section=PRESS2&prid=1834", "mlsp", "article"),
        ("https://www.mlsp.government.bg/index.php?prid=1834&amp;section=PRESS2", "mlsp", "article"),
        ("https://mlsp.government.bg/index.php?section=PRESS2", "mlsp", "listing"),
        ("https://mlsp.government.bg/index.php?section=PRESS1&prid=18", "mlsp", None),
        ("https://mlsp.government.bg/uploads/2025/11/programa.pdf", "mlsp", "excluded"),
        # aksu.government.bg: WordPress
        ("https://aksu.government.bg/2024/03/proverki-na-sotsialnite-uslugi-v-oblast-vidin/", "aksu", "article"),
        ("https://aksu.government.bg/2024/03/", "aksu", "listing"),
        ("https://aksu.government.bg/category/novini/page/4/", "aksu", "listing"),
        ("https://aksu.government.bg/2024/03/proverki/feed/", "aksu", "excluded"),
        ("https://aksu.government.bg/?s=%D0%BF%D1%80%D0%BE%D0%B2%D0%B5%D1%80%D0%BA%D0%B8", "aksu", "excluded"),
        # dsd.sofia.bg: Joomla 1.0, parameters in any order, &amp; in hrefs
        ("http://dsd.sofia.bg/index.php?option=com_content&task=view&id=412&Itemid=35", "dsd", "article"),
        ("http://dsd.sofia.bg/index.php?Itemid=35&id=412&task=view&option=com_content", "dsd", "article"),
        ("http://dsd.sofia.bg/index.php?option=com_content&amp;task=blogcategory&amp;id=12&amp;Itemid=30&amp;limitstart=20", "dsd", "listing"),
        ("http://dsd.sofia.bg/index.php?option=com_content&task=view&id=412&Itemid=35&pop=1", "dsd", "excluded"),
        ("http://dsd.sofia.bg/index2.php?option=com_content&do_pdf=1&id=412", "dsd", "excluded"),
        ("http://dsd.sofia.bg/index.php?option=com_content&task=emailform&id=412", "dsd", "excluded"),
        ("http://dsd.sofia.bg/index.php?option=com_search&searchword=%EF%EE%EC%EE%F9", "dsd", "excluded"),
        # sofia.bg: Liferay; redirect= is dropped by canonicalisation, not by a pattern
        ("https://www.sofia.bg/web/guest/news/-/asset_publisher/Xk3Lp9/content/otkrit-nov-dneven-tsentar?_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Xk3Lp9_redirect=%2Fnews", "sofia", "article"),
        ("https://www.sofia.bg/w/stolichna-obshtina-otkri-nov-dneven-tsentar", "sofia", "article"),
        ("https://www.sofia.bg/news?_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Xk3Lp9_cur=3", "sofia", "listing"),
        ("https://sofia.bg/documents/20121/356789/proekt.pdf", "sofia", "excluded"),
        # namrb.org
        ("https://www.namrb.org/novini/forum-na-obshtinite-za-sotsialnite-uslugi", "namrb", "article"),
        ("https://www.namrb.org/novini?page=2", "namrb", "listing"),
        # bta.bg: rubric news, other languages and print views excluded
        ("https://www.bta.bg/bg/news/oblasts/2025/11/13/912345-zamestnik-ministar-ivanka-koleva-otkri-v-pleven", "bta", "article"),
        ("https://www.bta.bg/bg/news/bulgaria?page=2", "bta", "listing"),
        ("https://www.bta.bg/en/news/bulgaria/2025/11/13/912346-deputy-minister-koleva", "bta", "excluded"),
        ("https://www.bta.bg/bg/search?tag=priemna-grizha", "bta", "excluded"),
        ("https://www.bta.bg/bg/print/912345", "bta", "excluded"),
        # municipal WordPress: Cyrillic permalinks encoded or not, calendars excluded
        ("https://www.vratsa.bg/2024/04/%D1%81%D0%B5%D0%BC%D0%B8%D0%BD%D0%B0%D1%80/", "vratsa", "article"),
        ("https://www.vratsa.bg/2024/04/семинар-за-доставчиците-на-социални-услуги/", "vratsa", "article"),
        ("https://www.vratsa.bg/2024/04/15/", "vratsa", None),
        ("https://www.vratsa.bg/category/novini/page/2/", "vratsa", "listing"),
        ("https://www.vratsa.bg/calendar/?month=2031-07", "vratsa", "excluded"),
        ("https://www.vratsa.bg/wp-json/wp/v2/posts/123", "vratsa", "excluded"),
        ("https://www.lovech.bg/2023/11/%D0%BF%D1%80%D0%B8%D0%B5%D0%BC%D0%BD%D0%B0-%D0%B3%D1%80%D0%B8%D0%B6%D0%B0/", "lovech", "article"),
    ],
)  # fmt: skip
def test_classifies_realistic_urls(
    shipped: CrawlerSettings, url: str, name: str, kind: str | None
) -> None:
    source = shipped.source_for(url)
    assert source is not None and source.name == name
    assert source.classify(url) == kind


def test_foreign_hosts_belong_to_no_source(shipped: CrawlerSettings) -> None:
    assert shipped.source_for("https://www.az.government.bg/bg/news/") is None
    assert shipped.source("bta").classify("https://mlsp.government.bg/novini") is None
    assert shipped.source("bta").classify("javascript:alert(1)") is None
    with pytest.raises(KeyError, match="known: asp"):
        shipped.source("nope")


def test_fixture_sites_classify_like_their_real_hosts(shipped: CrawlerSettings) -> None:
    """Every gold article of a fixture site is an article for the source of its real host."""
    for site in ("seeds", "mlsp", "bta", "municipal"):
        meta = json.loads((ROOT / "fixtures/sites" / site / "site.json").read_text("utf-8"))
        gold = json.loads((ROOT / "fixtures/sites" / site / "gold.json").read_text("utf-8"))
        for g in gold:
            url = f"https://{meta['host']}{g['path']}"
            source = shipped.source_for(url)
            assert source is not None, url
            assert source.classify(url) == "article", url


@given(st.text(max_size=300))
def test_classify_never_crashes(s: str) -> None:
    settings = load_sources(SHIPPED)
    for source in settings.sources[:3]:
        assert source.classify(s) in ("article", "listing", "excluded", None)
        assert source.classify("https://mlsp.government.bg/" + s) in (
            "article", "listing", "excluded", None,
        )  # fmt: skip


# -- bad configurations --------------------------------------------------------------

GOOD = """\
[crawler]
user_agent = "socnews/0.1 (+https://example.org/bot)"
concurrency = 2

[[source]]
name = "asp"
start_urls = ["https://asp.government.bg/bg/novini-i-akcenti-asp/"]
article_patterns = ['^/bg/novini-i-akcenti-asp/[a-z0-9-]+/$']

[[source]]
name = "dsd"
start_urls = ["http://dsd.sofia.bg/"]
charset = "windows-1251"
"""


def test_minimal_file_and_defaults() -> None:
    s = loads_sources(GOOD)
    assert s.concurrency == 2 and s.timeout == 30.0 and s.max_depth == 12
    asp = s.source("asp")
    assert asp.allowed_hosts == frozenset({"asp.government.bg"})
    assert asp.rate_limit == 1.0 and asp.max_pages == 5000 and asp.feeds == ()
    assert asp.charset is None and asp.content_selector is None


def _error(text: str, tmp_path: Path) -> str:
    path = tmp_path / "sources.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(path))
    return msg.removeprefix(str(path))


def _line(msg: str) -> int:
    m = re.match(r":(\d+):", msg)
    assert m, msg
    return int(m.group(1))


@pytest.mark.parametrize(
    ("old", "new", "expected", "line"),
    [
        # unknown keys, with a suggestion
        ("charset = ", "rate_limt = 2\ncharset = ", r"source 'dsd': rate_limt: unknown key \(did you mean 'rate_limit'\?\)", 13),
        ("concurrency = 2", "concurency = 2", r"\[crawler\]: concurency: unknown key \(did you mean 'concurrency'\?\)", 3),
        ("[crawler]", "[crawl]\nx = 1\n[crawler]", r"top level: crawl: unknown key \(did you mean 'crawler'\?\)", 1),
        # regexes
        ("[a-z0-9-]+/$'", "[a-z0-9-+/$'", r"source 'asp': article_patterns: \[0\] bad regex .*unterminated character set", 8),
        # URLs and schemes
        ('"http://dsd.sofia.bg/"', '"ftp://dsd.sofia.bg/"', r"start_urls: \[0\] 'ftp://dsd.sofia.bg/': only http and https", 12),
        ('"http://dsd.sofia.bg/"', '"dsd.sofia.bg/index.php"', r"start_urls: \[0\] 'dsd.sofia.bg/index.php': only http and https", 12),
        ('"http://dsd.sofia.bg/"', '"http:///index.php"', r"start_urls: \[0\] .*URL has no host", 12),
        ('"http://dsd.sofia.bg/"', '"http://dsd.sofia.bg/a b"', r"URL contains whitespace", 12),
        ('"http://dsd.sofia.bg/"', '"javascript:alert(1)"', r"only http and https", 12),
        ('charset = "windows-1251"', 'charset = "windows-1251"\nfeeds = ["file:///etc/passwd"]', r"feeds: \[0\] 'file:///etc/passwd': only http and https", 14),
        ('charset = "windows-1251"', 'allowed_hosts = ["https://dsd.sofia.bg"]', r"allowed_hosts: \[0\] 'https://dsd.sofia.bg' is not a host name", 13),
        ('charset = "windows-1251"', 'allowed_hosts = ["www.sofia.bg"]', r"allowed_hosts: does not include 'dsd.sofia.bg'", 13),
        # negative numbers and wrong types
        ('charset = "windows-1251"', "rate_limit = -0.5", r"source 'dsd': rate_limit: must be at least 0, got -0.5", 13),
        ('charset = "windows-1251"', "max_pages = -10", r"max_pages: must be at least 1, got -10", 13),
        ('charset = "windows-1251"', "max_pages = 0", r"max_pages: must be at least 1, got 0", 13),
        ('charset = "windows-1251"', "max_pages = 10.5", r"max_pages: expected an integer, got 10.5", 13),
        ('charset = "windows-1251"', "rate_limit = true", r"rate_limit: expected a number, got True", 13),
        ('charset = "windows-1251"', 'rate_limit = "2s"', r"rate_limit: expected a number, got '2s'", 13),
        ('charset = "windows-1251"', "rate_limit = nan", r"rate_limit: expected a finite number", 13),
        ("concurrency = 2", "concurrency = 0", r"\[crawler\]: concurrency: must be at least 1, got 0", 3),
        ("concurrency = 2", "timeout = -5", r"\[crawler\]: timeout: must be at least 0.001, got -5", 3),
        ("concurrency = 2", "max_bytes = -1", r"max_bytes: must be at least 1", 3),
        ("concurrency = 2", "max_depth = -1", r"max_depth: must be at least 0", 3),
        ('charset = "windows-1251"', "allow_private_redirects = 1", r"allow_private_redirects: expected true or false", 13),
        # duplicates
        ('name = "dsd"', 'name = "asp"', r"source 'asp': name: duplicate source name, first used by \[\[source\]\] #1", 11),
        ('"http://dsd.sofia.bg/"', '"https://asp.government.bg/bg/"', r"start_urls: host 'asp.government.bg' already belongs to source 'asp'", 12),
        # other values
        ('charset = "windows-1251"', 'charset = "cp-cyrillic"', r"charset: unknown encoding 'cp-cyrillic'", 13),
        ('charset = "windows-1251"', 'content_selector = "table.contentpaneopen >> td"', r"content_selector: bad CSS selector", 13),
        ('name = "dsd"', 'name = "ДСД"', r"name: 'ДСД' must be a lower-case slug", 11),
        ('name = "dsd"\n', "", r"\[\[source\]\] #2: missing required key 'name'", 10),
        ('start_urls = ["http://dsd.sofia.bg/"]', 'start_urls = "http://dsd.sofia.bg/"', r"start_urls: expected a list of strings, got a string", 12),
        ('start_urls = ["http://dsd.sofia.bg/"]', "start_urls = []", r"start_urls: needs at least one URL", 12),
        ('charset = "windows-1251"', "exclude_patterns = ['^/$']", r"start_urls: http://dsd.sofia.bg/ is matched by exclude_patterns", 12),
        ('"socnews/0.1 (+https://example.org/bot)"', '"Mozilla/5.0"', r"user_agent: must name a contact URL", 2),
        ("concurrency = 2", 'contact = "somebody"', r"contact: expected an http\(s\) URL or an e-mail address", 3),
    ],
)  # fmt: skip
def test_bad_config_is_one_clear_line(
    tmp_path: Path, old: str, new: str, expected: str, line: int
) -> None:
    assert old in GOOD
    msg = _error(GOOD.replace(old, new, 1), tmp_path)
    assert re.search(expected, msg), msg
    if line:
        assert _line(msg) == line, msg


def test_not_toml_names_the_line(tmp_path: Path) -> None:
    msg = _error(GOOD.replace("concurrency = 2", "concurrency = 2,"), tmp_path)
    assert "not valid TOML" in msg and "line 3" in msg


def test_missing_file_and_no_sources(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(tmp_path / "absent.toml")
    msg = _error('[crawler]\nuser_agent = "x (+https://example.org/)"\n', tmp_path)
    assert "needs at least one [[source]]" in msg


def test_bad_regex_line_points_at_the_pattern(tmp_path: Path) -> None:
    text = GOOD.replace(
        "article_patterns = ['^/bg/novini-i-akcenti-asp/[a-z0-9-]+/$']",
        "article_patterns = [\n    '^/bg/novini/$',\n    '^/index\\.php\\?(?=.*id=\\d+',\n]",
    )
    msg = _error(text, tmp_path)
    assert _line(msg) == 10, msg
    assert "article_patterns: [1] bad regex" in msg and "missing )" in msg
