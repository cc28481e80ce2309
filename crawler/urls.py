"""URL canonicalisation and crawl scope.

One document per page: the same article is reachable under many spellings
(``&amp;`` in hrefs, parameter order, fragments, tracking and session
parameters, ``index.html``, percent-encoding case, http vs https).  Every URL
the crawler sees goes through :func:`canonicalize` before it is queued,
stored or compared, so aliases collapse without any site-specific rule.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})
# Parameters that never change a page's content: analytics, sessions, Liferay
# portlet chrome.  Matched case-insensitively on the whole name or a prefix.
_DROP_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|_ga|ref|referrer|share|"
    r"phpsessid|jsessionid|sid|sessionid|session_id|cfid|cftoken|"
    r"redirect|p_p_state|p_p_mode|p_p_lifecycle|p_p_col_id|p_p_col_count|p_p_col_pos|"
    r"_com_liferay\w*_redirect|print|tmpl|lang_switch)$",
    re.I,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_FILE = re.compile(r"/(?:index|default)\.html?$", re.I)
# index.php is the front page only without a query; with one it is a router (Joomla).
_INDEX_SCRIPT = re.compile(r"/(?:index|default)\.(?:php|aspx?)$", re.I)
_PCT = re.compile(r"%[0-9a-fA-F]{2}")


class BadURL(ValueError):
    """A URL the crawler refuses: wrong scheme, no host, absurdly long."""


def _requote(part: str, safe: str) -> str:
    """Normalise percent-encoding: decode, then encode the same way every time."""
    if _plain(safe).fullmatch(part):  # nothing to decode or encode: the common case
        return part
    return quote(unquote(part), safe=safe)


@lru_cache(maxsize=8)
def _plain(safe: str) -> re.Pattern[str]:
    """Text that ``quote(unquote(text), safe)`` leaves as it is."""
    return re.compile("[A-Za-z0-9_.~" + re.escape(safe.replace("%", "")) + "-]*")


def canonicalize(url: str, base: str | None = None) -> str:
    """The one spelling of ``url`` used as its identity in the store.

    Scheme and host lower-cased, default port dropped, https and http kept as
    written (the store links the two as aliases), fragment dropped, ``&amp;``
    repaired, tracking/session parameters dropped, the rest sorted, percent-
    encoding normalised, ``index.html`` removed.
    """
    if len(url) > MAX_URL_LENGTH or (base and len(base) > MAX_URL_LENGTH):
        return _canonicalize(url, base)  # (a hostile href is not kept in the cache)
    return _cached_canonicalize(url, base)


def _canonicalize(url: str, base: str | None) -> str:
    url = url.strip().replace("&amp;", "&")
    if base and not url.startswith(("http://", "https://")):
        url = urljoin(base, url)  # (on an absolute URL urljoin only re-splits it)
    if len(url) > MAX_URL_LENGTH:
        raise BadURL(f"URL longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BadURL(f"unsupported URL scheme {scheme!r}")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise BadURL("URL has no host")
    try:
        port = parts.port
    except ValueError as e:
        raise BadURL(str(e)) from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _requote(parts.path or "/", safe="/:@!$&'()*+,;=~-._")
    path = _INDEX_FILE.sub("/", path)
    path = re.sub(r"/{2,}", "/", path)
    pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _DROP_PARAMS.match(k)
    ]
    query = ""
    if pairs:
        query = urlencode(sorted(pairs), quote_via=quote, safe="/:@!$'()*,;~-._")
    else:
        path = _INDEX_SCRIPT.sub("/", path)
    return urlunsplit((scheme, netloc, path, query, ""))


# a page's menu links, and scope checks of queued URLs, repeat
_cached_canonicalize = lru_cache(maxsize=4096)(_canonicalize)


def https_twin(url: str) -> str:
    """The same URL under the other scheme, to detect http/https duplicates."""
    if url.startswith("http://"):
        return "https://" + url[len("http://") :]
    if url.startswith("https://"):
        return "http://" + url[len("https://") :]
    return url


def host_of(url: str) -> str:
    """``host[:port]`` of a canonical URL: the unit of scope and politeness."""
    return urlsplit(url).netloc


def doc_id(canonical_url: str) -> str:
    """A short stable id for a document, derived from its canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def looks_like_pct(s: str) -> bool:
    return bool(_PCT.search(s))
