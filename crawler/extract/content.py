"""Find the article's headline and main text in a parsed page.

Generic first: boilerplate is removed by structure (nav, aside, footer, forms)
and by the class/id vocabulary every CMS uses for menus, sidebars, related
posts, share bars and cookie banners; the main block is then the element that
holds the most non-link paragraph text (a readability-style score propagated
to parent and grandparent).  Nothing here knows about a particular site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.extract.wire import strip_wire

_DROP_TAGS = (
    "script, style, noscript, template, iframe, form, nav, aside, footer, "
    "button, select, svg, canvas, object, embed, head"
)
# Class/id words that mark boilerplate in the CMSs of the field (WordPress,
# Joomla, Liferay, custom government CMSs).  Matched as whole tokens, so
# "content" never matches "contents-menu" by accident.
_BOILER_WORDS = (
    "nav|navbar|navigation|menu|submenu|mainmenu|megamenu|sidebar|side|aside|widget|widgets|"
    "footer|foot|header-top|topbar|top-bar|breadcrumb|breadcrumbs|crumbs|share|sharing|social|"
    "socials|cookie|cookies|consent|gdpr|banner|related|related-posts|relatedposts|read-also|"
    "also|more-news|latest|latest-news|most-read|mostread|popular|teaser|teasers|tags|tagcloud|"
    "tag-cloud|comments|comment|pagination|pager|pagenav|print|buttonheading|modifydate|"
    "newsletter|subscribe|search|calendar|rubric|category-menu|oblasti|regions|ads|advert|"
    "promo|skip|visually-hidden|sr-only|hidden|byline|author|meta-author|post-navigation|"
    "nav-links|prev-next|back-link|logo"
)
_BOILER_RE = re.compile(rf"(?:^|[\s_-])(?:{_BOILER_WORDS})(?:$|[\s_-])", re.I)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "td",
        "th",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "main",
        "blockquote",
        "pre",
        "table",
        "tr",
        "tbody",
        "thead",
        "figure",
        "figcaption",
        "address",
        "center",
        "header",
        "hr",
    ]
)
_CANDIDATE_TAGS = frozenset(["div", "td", "article", "main", "section", "body"])
_WS = re.compile(r"[\s\u00a0\u2009\u202f\u200b]+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—:»·-]\s+|\s*\|\s*")
# Buttons glued to headlines on Joomla sites, and rubric labels.
_TITLE_JUNK = re.compile(r"(?:\s*(?:PDF|Печат|Е-мейл|E-mail|Print)\s*)+$", re.I)
_ONLY_DATE = re.compile(
    r"^\s*(?:(?:Дата на публикуване|Публикувано|Обновено|Дата)\s*:?\s*)?"
    r"(?:\w+,\s*)?\d{1,2}(?:[./]\d{1,2}[./]|\s+\w+\s+)\d{4}\s*(?:г\.?|год\.?)?"
    r"(?:[, ]+\d{1,2}[:.]\d{2}(?:\s*ч\.?)?)?(?:,?\s*\d+\s+прочита)?\s*$",
    re.I,
)
_MORE_LINK = re.compile(r"^\s*(?:ОЩЕ|Още|Прочетете (?:също|още)|Вижте (?:още|също))\s*:", re.I)


@dataclass(slots=True)
class Content:
    title: str
    text: str
    node: LexborNode | None
    dateline: str | None = None  # a wire dateline removed from the text («Плевен, 13 ноември»)
    teasers: int = 0  # linked headlines outside boilerplate: a listing has several


def clean_ws(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _is_boilerplate(node: LexborNode) -> bool:
    attrs = node.attributes
    marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
    if not marker.strip():
        return False
    # The main container often carries "content"; a content block is never boilerplate
    # even when a theme adds, say, "post-meta" to it.
    return bool(_BOILER_RE.search(marker)) and not re.search(
        r"(?:^|\s)(?:post__content|entry-content|article-content|contentpaneopen)(?:\s|$)",
        marker,
    )


def strip_boilerplate(tree: LexborHTMLParser) -> None:
    """Remove structural and class-marked boilerplate in place."""
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    body = tree.body
    if body is None:
        return
    doomed = [
        n for n in body.traverse(include_text=False) if n.tag != "body" and _is_boilerplate(n)
    ]
    for node in doomed:
        if node.parent is not None:  # may already be gone with an ancestor
            node.decompose()


def _score_candidates(root: LexborNode) -> LexborNode | None:
    """Readability-style: each text run scores its block parent and grandparent."""
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for node in root.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = (node.text_content or "").strip()
        if len(text) < 25:
            continue
        parent = node.parent
        if parent is None or parent.tag in ("a",):
            continue
        # climb inline wrappers (b, span, strong...) to the block that holds the run
        while parent is not None and parent.tag not in _BLOCK_TAGS and parent.tag != "body":
            if parent.tag == "a":
                break
            parent = parent.parent
        if parent is None or parent.tag == "a":
            continue
        weight = len(text) + 10 * text.count(",")
        for hop, factor in ((parent, 1.0), (parent.parent, 0.5), (None, 0.0)):
            if hop is None or factor == 0.0:
                continue
            container = hop
            while container is not None and container.tag not in _CANDIDATE_TAGS:
                container = container.parent
            if container is None:
                continue
            key = container.mem_id
            nodes[key] = container
            scores[key] = scores.get(key, 0.0) + weight * factor
    if not scores:
        return None
    best = None
    best_score = 0.0
    for key, score in scores.items():
        node = nodes[key]
        total = len(node.text(deep=True, separator=" ") or "") or 1
        linked = sum(len(a.text(deep=True) or "") for a in node.css("a"))
        adjusted = score * (1.0 - min(0.9, linked / total))
        if adjusted > best_score:
            best, best_score = node, adjusted
    return best


def paragraphs(node: LexborNode) -> list[str]:
    """The node's text as paragraphs: block boundaries split, ``<br>`` hard wraps join."""
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            para = clean_ws(" ".join(current))
            if para:
                parts.append(para)
            current.clear()

    # Iterative walk: deeply nested pages must not blow the recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(node, False)]
    while stack:
        n, leaving = stack.pop()
        if leaving:
            flush()
            continue
        if n.tag == "-text":
            current.append(n.text_content or "")
            continue
        if n.tag in ("-comment", "script", "style"):
            continue
        if n.tag == "br":
            current.append(" ")
            continue
        is_block = n.tag in _BLOCK_TAGS
        if is_block:
            flush()
            stack.append((n, True))
        children = list(n.iter(include_text=True))
        for child in reversed(children):
            stack.append((child, False))
    flush()
    return parts


def _title_candidates(tree: LexborHTMLParser) -> tuple[list[str], str]:
    heads = [clean_ws(h.text(deep=True) or "") for h in tree.css("h1")]
    meta = tree.css_first('meta[property="og:title"]')
    og = clean_ws(meta.attributes.get("content") or "") if meta else ""
    title_node = tree.css_first("title")
    doc_title = clean_ws(title_node.text() or "") if title_node else ""
    cands = [h for h in heads if h]
    for extra in (og,):
        if extra:
            cands.append(extra)
    if doc_title:
        pieces = [p for p in _TITLE_SEPARATORS.split(doc_title) if p]
        cands.append(max(pieces, key=len) if pieces else doc_title)
    return cands, doc_title


def find_title(tree: LexborHTMLParser, main: LexborNode | None) -> str:
    """The headline alone: prefer an h1/h2 that the <title> or og:title agrees with."""
    cands, doc_title = _title_candidates(tree)
    for sel in ("td.contentheading", ".contentheading", "h1", "h2.post__title", "h3.post__title"):
        for node in tree.css(sel):
            text = _TITLE_JUNK.sub("", clean_ws(node.text(deep=True) or ""))
            if len(text) >= 8 and (not doc_title or text[:20] in doc_title or text in cands):
                return text
    for c in cands:
        c = _TITLE_JUNK.sub("", c)
        if len(c) >= 8:
            return c
    return ""


def extract_content(tree: LexborHTMLParser) -> Content:
    """Headline and main text; the tree is modified (boilerplate removed)."""
    title = find_title(tree, None)
    strip_boilerplate(tree)
    teasers = len(
        {
            a.attributes.get("href")
            for a in tree.css(
                "h1 a[href], h2 a[href], h3 a[href], h4 a[href], .contentheading a[href], "
                "a.contentpagetitle, .entry-title a[href], .post__title a[href]"
            )
        }
    )
    root = tree.body or tree.root
    main = _score_candidates(root) if root is not None else None
    paras = paragraphs(main) if main is not None else []
    norm_title = clean_ws(title).casefold()
    kept = []
    for p in paras:
        if p.casefold() == norm_title or _ONLY_DATE.match(p) or _MORE_LINK.match(p):
            continue
        kept.append(p)
    kept, dateline = strip_wire(kept)
    return Content(
        title=title, text="\n\n".join(kept), node=main, dateline=dateline, teasers=teasers
    )
