"""The synthetic archive generator: fixture-compatible layout, served pages, honest ground truth.

A small archive (60 pages over 4 sites) is generated once per module; every
check reads the files the generator wrote, or fetches them over loopback
from ``fixtures.serve``, exactly as a benchmark would.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from fixtures import check_gold, generate
from fixtures import synth_data as D
from fixtures.serve import Site, load_sites, serve_sites

SEED = "42"
PAGES = 60

# Where each style prints the article body (start marker, end marker).
BODY = {
    "ministry": ('<div class="post__content">\n', '<div class="share-bar">'),
    "portal": ('<div class="post__content">\n', '<div class="post__tags">'),
    "joomla": ('<td valign="top" colspan="2">\n', "</td>"),
    "wordpress": ('<div class="entry-content">\n', '<footer class="entry-footer">'),
}
HREF = re.compile(r'href="([^"]*)"')
LOOKALIKES = str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")
# every «Име Фамилия[-Фамилия]» starting at a word start, overlapping («Пловдив Емил Калчев»)
FULL_NAME = re.compile(r"(?<![А-Яа-я])(?=([А-Я][а-я]+ [А-Я][а-я]+(?:-[А-Я][а-я]+)?))")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "archive"
    generate.generate(PAGES, out, seed=SEED, sites=4)
    return out


@pytest.fixture(scope="module")
def manifest(archive: Path) -> dict:
    return json.loads((archive / "manifest.json").read_text(encoding="utf-8"))


def page_text(archive: Path, manifest: dict, article: dict) -> str:
    """The article file decoded in the encoding its style is written in."""
    encoding = manifest["sites"][article["site"]]["encoding"]
    return (archive / article["site"] / article["file"]).read_bytes().decode(encoding)


def body_text(page: str, style: str) -> str:
    """Visible text of the article body only: sidebars and teasers name other people."""
    start, end = BODY[style]
    i = page.index(start) + len(start)
    body = page[i : page.index(end, i)]
    body = re.sub(r"<p>ОЩЕ: .*?</p>", " ", body)  # a link to another story, not this one
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def articles_with_bodies(archive: Path, manifest: dict) -> Iterator[tuple[dict, str, str]]:
    for a in manifest["articles"]:
        page = page_text(archive, manifest, a)
        yield a, page, body_text(page, manifest["sites"][a["site"]]["style"])


def links(site: Site, path: str) -> list[str]:
    """Same-site paths linked from a page, resolved like a browser (dsd uses <base href="/">)."""
    route = site.resolve(path)
    assert route is not None, path
    raw = route.file.read_bytes()
    text = raw.decode("cp1251" if b"windows-1251" in raw or site.id == "dsd" else "utf-8")
    base = "/" if '<base href="/"' in text else path
    out = []
    for href in HREF.findall(text):
        url = urljoin(base, html.unescape(href))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


# -- layout ------------------------------------------------------------------------------------


def test_layout_is_a_fixture_site_layout(archive: Path, manifest: dict) -> None:
    sites = load_sites(sites_dir=archive)
    assert [s.id for s in sites] == ["bta", "dsd", "mlsp", "vratsa"]
    assert {manifest["sites"][s.id]["style"] for s in sites} == set(generate.STYLES)
    for site in sites:
        root = archive / site.id
        assert check_gold.check_site_json(root, check_gold.load_json(root / "site.json")) == []
        assert check_gold.check_routes(root, check_gold.load_json(root / "routes.json")) == []
        assert (root / "www" / "robots.txt").read_text().startswith("User-agent: *")
    counts = manifest["sites"]
    assert sum(c["articles"] for c in counts.values()) == PAGES == len(manifest["articles"])
    assert all(c["listing_pages"] == 1 for c in counts.values())  # 15 articles, 20 a page
    # URL schemes map to files: only query-string pages need routes
    assert counts["vratsa"]["routes"] == 0 and counts["mlsp"]["routes"] == 1


def test_every_article_path_resolves_to_its_file(archive: Path, manifest: dict) -> None:
    sites = {s.id: s for s in load_sites(sites_dir=archive)}
    for a in manifest["articles"]:
        route = sites[a["site"]].resolve(a["path"])
        assert route is not None, a["path"]
        assert route.file == (archive / a["site"] / a["file"]).resolve()


def test_listings_and_archives_reach_every_article(tmp_path: Path) -> None:
    """With several listing pages, start page -> pagination/archive -> article stays shallow."""
    out = tmp_path / "big"
    generate.generate(130, out, seed=SEED, sites=4)  # 33/33/32/32 articles: 2 listing pages
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for site in load_sites(sites_dir=out):
        wanted = {a["path"] for a in manifest["articles"] if a["site"] == site.id}
        start = site.meta["start"]
        seen, frontier = {start}, [start]
        for _depth in range(3):
            nxt = []
            for path in frontier:
                for link in links(site, path):
                    if link not in seen and site.resolve(link) is not None:
                        seen.add(link)
                        if link not in wanted:
                            nxt.append(link)
            frontier = nxt
        assert wanted <= seen, f"{site.id}: {len(wanted - seen)} articles unreachable in 3 hops"


# -- serving ----------------------------------------------------------------------------------------


def test_served_listing_links_to_articles_that_load(archive: Path, manifest: dict) -> None:
    with serve_sites(sites_dir=archive) as servers, httpx.Client() as client:
        assert set(servers) == set(manifest["sites"])
        for sid, server in servers.items():
            start = server.site.meta["start"]
            listing = client.get(server.base_url + start)
            assert listing.status_code == 200, (sid, start)
            linked = set(links(server.site, start))
            articles = [a for a in manifest["articles"] if a["site"] == sid]
            assert {a["path"] for a in articles} <= linked
            for a in articles[:5]:
                r = client.get(server.base_url + a["path"])
                assert r.status_code == 200, (sid, a["path"])
                assert r.headers["content-type"].startswith("text/html")
                encoding = manifest["sites"][sid]["encoding"]
                assert html.escape(a["title"], quote=False) in r.content.decode(encoding)
            assert client.get(server.base_url + "/robots.txt").status_code == 200


def test_joomla_site_is_windows_1251(archive: Path, manifest: dict) -> None:
    routes = {
        r["path"]: r for r in json.loads((archive / "dsd" / "routes.json").read_text("utf-8"))
    }
    for a in (a for a in manifest["articles"] if a["site"] == "dsd"):
        raw = (archive / "dsd" / a["file"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp1251")
        assert re.search("[а-я]{4}", text) and a["title"] in text
        declared = routes[a["path"]].get("content_type", "")
        assert declared in ("", "text/html; charset=windows-1251")


# -- determinism ----------------------------------------------------------------------------------


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_archive_whatever_the_jobs(archive: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate.generate(PAGES, again, seed=SEED, sites=4, jobs=2)  # the module archive: jobs=1
    assert (again / "manifest.json").read_bytes() == (archive / "manifest.json").read_bytes()
    assert tree_digest(again) == tree_digest(archive)
    other = tmp_path / "other"
    generate.generate(PAGES, other, seed=SEED + "x", sites=4)
    assert (other / "manifest.json").read_bytes() != (archive / "manifest.json").read_bytes()


# -- ground truth ----------------------------------------------------------------------------------


def institution_in(inst: dict, body: str) -> bool:
    """Name, abbreviation, the name after its (inflected) head word («Агенцията за
    социално подпомагане»), or its quoted proper part («ОП „Развитие на …“»);
    «общините Враца, …» names Община Враца."""
    name, text = inst["name"].casefold(), body.casefold()
    tail = name.split(" ", 1)[1] if " " in name else name
    if name.startswith("община "):
        return tail in text
    quoted = re.search(r"„[^“]+“", name)
    return (
        name in text
        or tail in text
        or bool(inst["abbr"] and inst["abbr"].casefold() in text)
        or bool(quoted and quoted.group(0) in text)
    )


def test_manifest_entities_occur_in_their_article_bodies(archive: Path, manifest: dict) -> None:
    regions = dict(D.REGIONS.values())
    for a, page, body in articles_with_bodies(archive, manifest):
        label = f"{a['site']}:{a['path']}"
        assert a["title"] in html.unescape(page), label
        for person in a["people"]:
            assert person["name"] in body, (label, person)
            if person["role"]:  # the complement is printed as is; only the head inflects
                complement = person["role"].split(" на ", 1)[-1].split(" в ", 1)[-1]
                assert complement in body, (label, person)
        for place in a["places"]:
            assert place in body or regions.get(place, "\0") in body, (label, place)
        for inst in a["institutions"]:
            assert institution_in(inst, body), (label, inst)
        folded = re.sub(r"[\s-]", "", body.translate(LOOKALIKES))
        for project in a["projects"]:
            assert project["code"].replace("-", "") in folded, (label, project)
            assert project["name"] in body, (label, project)
        assert a["event_dates"] == sorted(set(a["event_dates"]))
        assert len(a["people"]) == len({p["name"] for p in a["people"]})


def test_every_person_named_in_a_body_is_in_the_manifest(archive: Path, manifest: dict) -> None:
    """Completeness: no invented person reaches the article text without ground truth."""
    world = generate.World(SEED)
    everyone = [
        world.minister,
        *world.deputies,
        *world.national,
        *world.oblast_people.values(),
        *(p for people in world.town_people.values() for p in people),
    ]
    names = {p.name for p in everyone}
    for a, _page, body in articles_with_bodies(archive, manifest):
        # whole names only: «Мария Петрова» must not match inside «Мария Петрова-Иванова»
        named = set(FULL_NAME.findall(body)) & names
        assert named == {p["name"] for p in a["people"]}, f"{a['site']}:{a['path']}"


def test_publication_date_is_printed_in_the_site_style(archive: Path, manifest: dict) -> None:
    for a in manifest["articles"]:
        page = html.unescape(page_text(archive, manifest, a))
        d = date.fromisoformat(a["published"])
        style = manifest["sites"][a["site"]]["style"]
        if not a["date_line"]:
            # Joomla puts the date in the body; WordPress leaves it to the listing and URL
            assert style in ("joomla", "wordpress"), a["path"]
            if style == "joomla":
                assert f"Днес, {generate.bg_day_year(d)}" in page
            else:
                assert f"/{d.year}/{d.month:02d}/" in a["path"]
            continue
        expected = {
            "ministry": [generate.numeric(d)],
            "portal": [f"{generate.bg_day(d)} {d.year}, "],
            "joomla": [f"{d.day:02d} {D.EN_MONTHS[d.month - 1]} {d.year}"],
            "wordpress": [
                f"Дата на публикуване: {generate.numeric(d)}",
                f"{d.day} {D.BG_MONTHS[d.month - 1].capitalize()} {d.year}, ",
            ],
        }[style]
        assert any(e in page for e in expected), (a["path"], expected)


# -- command line and helpers ------------------------------------------------------------------------


def test_cli_writes_an_archive_and_refuses_foreign_directories(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    assert generate.main(["--pages", "6", "--out", str(out), "--sites", "2", "--seed", "3"]) == 0
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(first["articles"]) == 6 and set(first["sites"]) == {"mlsp", "bta"}
    # a rerun replaces the earlier archive (it carries the marker) ...
    assert generate.main(["--pages", "4", "--out", str(out), "--sites", "1"]) == 0
    assert not (out / "bta").exists()
    # ... but a directory the generator did not make is never emptied
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit):
        generate.main(["--pages", "4", "--out", str(foreign)])
    assert (foreign / "keep.txt").read_text() == "mine"


def test_more_sites_than_identities_get_distinct_ids() -> None:
    specs = generate.plan_sites(30)
    assert len({s.id for s in specs}) == 30
    assert [s.style for s in specs[:4]] == list(generate.STYLES)


def test_text_helpers() -> None:
    assert generate.v_town("Враца") == "във Враца" and generate.v_town("Лом") == "в Лом"
    slug = generate.cyrillic_slug("Национална конференция за социалните услуги " * 5)
    assert len(slug.encode()) <= 240 and slug.startswith("%D0%BD%D0%B0")
    assert generate.latin_slug("Заместник-министър Колева откри център") == (
        "zamestnik-ministar-koleva-otkri-tsentar"
    )
    assert generate.sofia_offset(datetime(2025, 7, 1, 12)) == 3
    assert generate.sofia_offset(datetime(2025, 1, 15, 12)) == 2
    assert generate.sofia_offset(datetime(2025, 3, 30, 2, 30)) == 2  # before the 03:00 switch
    assert generate.wrap_br("дума " * 40, 30).count("<br>") >= 5
