"""The fixture server must behave like a real site where a crawler can tell."""

from __future__ import annotations

import httpx

from fixtures.serve import SiteServer


def test_article_served_with_etag_and_304(seeds_server: SiteServer) -> None:
    base = seeds_server.base_url
    with httpx.Client(base_url=base) as c:
        r = c.get("/bg/novini/")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        etag = r.headers["etag"]
        again = c.get("/bg/novini/", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        since = c.get("/bg/novini/", headers={"If-Modified-Since": r.headers["last-modified"]})
        assert since.status_code == 304


def test_missing_slash_redirects_and_unknown_is_404(seeds_server: SiteServer) -> None:
    with httpx.Client(base_url=seeds_server.base_url) as c:
        r = c.get("/bg/novini")
        assert r.status_code == 301 and r.headers["location"] == "/bg/novini/"
        assert c.get("/no/such/page/").status_code == 404


def test_robots_txt_and_path_traversal(seeds_server: SiteServer) -> None:
    with httpx.Client(base_url=seeds_server.base_url) as c:
        r = c.get("/robots.txt")
        assert r.status_code == 200 and "Disallow" in r.text
        assert c.get("/../../site.json").status_code == 404
        assert c.get("/%2e%2e/gold.json").status_code == 404


def test_fault_routes(seeds_server: SiteServer) -> None:
    with httpx.Client(base_url=seeds_server.base_url) as c:
        r = c.get("/_fault/status/503?retry_after=7")
        assert r.status_code == 503 and r.headers["retry-after"] == "7"
        r = c.get("/_fault/redirect/2", follow_redirects=True)
        assert r.status_code == 200 and len(r.history) == 2
        assert c.get("/_fault/loop/0").status_code == 302
