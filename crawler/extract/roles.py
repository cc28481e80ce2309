"""Role phrases around person names: «заместник-министъра на труда … Иван Петров».

The extracted role is a nominative singular indefinite phrase (conventions,
"people"), but the text inflects the head: «министъра», «кметът», «директорите»,
«изпълнителния директор», «областните координатори». Bulgarian puts the article
on the first word of the phrase and the plural on every word, so all inflected
forms of a head can be generated from its base form with a handful of rules; the
heads themselves live in ``data/roles.txt`` so that the list can grow without
code changes.

The complement after the head («на труда и социалната политика», «отдел
„Социални услуги …“», «на РДСП – София област») is read by a small scanner that
stops at the natural boundaries of a role phrase: a comma, a full stop, a verb,
«и» before another role or a name, the next person's name, or a quote followed
by anything but a preposition. It is deliberately conservative: a missing
complement loses detail, a runaway one produces a wrong role.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "RoleHead",
    "find_role_heads",
    "format_role",
    "head_at",
    "normalize_quotes",
    "opens_quote",
    "quote_end",
    "scan_complement",
]


def _words(s: str) -> frozenset[str]:
    """A word set written as one string (keeps long vocabulary lists readable)."""
    return frozenset(s.split())


_DATA = Path(__file__).with_name("data") / "roles.txt"

# Prepositions that may continue a role phrase after a quoted name or an
# abbreviation («директор „Информационно обслужване“ в АСП»).
PREPOSITIONS = _words("на в във за към при по от с със")

# Words that end a role phrase: particles, pronouns, conjunctions, auxiliaries
# and the reporting verbs of press releases. A verb is the surest sign that the
# noun phrase is over, and Bulgarian verbs cannot be told from nouns by their
# ending alone, so the common ones are listed.
_STOP_WORDS = _words("""
    е са бе беше бяха бил била било били ще се си не да ли който която което които
    чийто чиято чието чиито че когато където като а но или също още вече днес вчера
    утре тя той те то ние вие аз тук там както така този тази това тези обаче защото
    докато след преди заедно лично г-жа г-н г-ца д-р проф доц инж арх акад
    откри откриха каза казаха заяви заявиха подчерта подчертаха подчертава посочи посочва
    представи представиха представя участва участваха присъства присъстваха проведе
    проведоха поздрави поздравиха приветства добави разказа обясни отбеляза изтъкна
    съобщи коментира връчи връчиха посети посетиха благодари призова направи направиха
    запозна разясни акцентира сподели споделиха пожела увери настоя информира допълни
    апелира открои обсъди обсъдиха подписа подписаха пристигна предложи отговори изрази
    изказа поясни уточни припомни напомни декларира обеща призна прие приеха ръководи
    води водеше модерира поднесе поднесоха връчва открива казва заявява отбелязва
    обяснява дари дариха получи получиха взе взеха има имаше бяха организира
    """)

_MAX_QUOTE = 300
_MAX_WORDS = 14

_HS = r"[ \t\u00a0]"  # horizontal space (a role never crosses a blank line)


class RoleHead(NamedTuple):
    """One role head found in the text.

    ``base`` is already normalised to the output form, prefixes included
    («заместник-министър», «и.д. директор»); ``plural`` says the text used a
    plural form, so the role is shared by every name that follows.
    """

    start: int
    end: int
    base: str
    plural: bool


# --------------------------------------------------------------------------
# Inflection of heads


def _noun_forms(noun: str, plural: str | None) -> tuple[str, str, str, str]:
    """Short article, full article, plural, plural with article of a noun."""
    if noun.endswith(("а", "я")):
        short = full = noun + "та"
        pl = plural or noun[:-1] + "и"
    else:
        if noun.endswith(("тел", "ар")):  # председателя/-ят, секретаря/-ят
            short, full = noun + "я", noun + "ят"
        elif noun.endswith("й"):
            short, full = noun[:-1] + "я", noun[:-1] + "ят"
        else:
            short, full = noun + "а", noun + "ът"
        if plural:
            pl = plural
        elif noun.endswith("ър"):  # министър → министри
            pl = noun[:-2] + "ри"
        elif noun.endswith("ец"):
            pl = noun[:-2] + "ци"
        elif noun.endswith("к"):  # началник → началници
            pl = noun[:-1] + "ци"
        elif noun.endswith("г"):  # психолог → психолози
            pl = noun[:-1] + "зи"
        elif noun.endswith("х"):
            pl = noun[:-1] + "си"
        else:
            pl = noun + "и"
    return short, full, pl, pl + "те"


def _adjective_stem(adj: str, plural: str | None) -> str:
    """The stem that takes -ия/-ият/-и/-ите (областен → областн-)."""
    if plural:
        return plural[:-1]
    if adj.endswith("и"):  # европейски, старши
        return adj[:-1]
    if adj.endswith("ен"):  # fleeting «е»: областен → областни
        return adj[:-2] + "н"
    return adj


def inflect_head(base: str, plural: str | None = None) -> dict[str, bool]:
    """All surface forms of a head, lower-case, each mapped to "is plural"."""
    forms: dict[str, bool] = {base: False}
    if plural == "=":
        return forms
    words = base.split()
    pl_words = plural.split() if plural else [None] * len(words)
    if len(pl_words) != len(words):
        raise ValueError(f"roles.txt: plural of {base!r} has a different word count")
    noun_short, noun_full, noun_pl, noun_pl_def = _noun_forms(words[-1], pl_words[-1])
    if len(words) == 1:
        forms.update({noun_short: False, noun_full: False, noun_pl: True, noun_pl_def: True})
        return forms
    stems = [_adjective_stem(w, p) for w, p in zip(words[:-1], pl_words[:-1], strict=True)]
    rest_sg = " ".join(words[1:])
    pl_adjs = [s + "и" for s in stems]
    forms[f"{stems[0]}ия {rest_sg}"] = False
    forms[f"{stems[0]}ият {rest_sg}"] = False
    forms[" ".join([*pl_adjs, noun_pl])] = True
    forms[" ".join([stems[0] + "ите", *pl_adjs[1:], noun_pl])] = True
    return forms


@lru_cache(maxsize=1)
def _head_table() -> dict[str, tuple[str, bool]]:
    """Surface form (lower-case, single spaces) → (base, plural)."""
    table: dict[str, tuple[str, bool]] = {}
    for raw in _DATA.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        base, _, plural = (p.strip() for p in line.partition("|"))
        for form, is_plural in inflect_head(base, plural or None).items():
            table.setdefault(form, (base, is_plural))
    return table


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation built as a character trie.

    Python's backtracking engine tries alternatives one by one; a trie makes the
    failing case (almost every text position) cost one character comparison
    instead of hundreds, which keeps a whole-text scan well under a millisecond.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = []
        ends = "" in node
        for ch in sorted(k for k in node if k):
            piece = (r"[ \t\u00a0]+" if ch == " " else re.escape(ch)) + emit(node[ch])
            alts.append(piece)
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


_ACTING_PREFIXES = ("и.д.", "и. д.", "врид", "ВрИД", "временно")
_DEPUTY_PREFIXES = ("заместник", "зам")


@lru_cache(maxsize=1)
def _head_re() -> re.Pattern[str]:
    """The full head pattern, anchored with ``match`` at a candidate start."""
    table = _head_table()
    acting = (
        rf"(?P<act>(?:и\.{_HS}?д\.|врид|временно{_HS}+изпълняващ(?:ия|ият)?"
        rf"(?:{_HS}+(?:длъжността|функциите))?){_HS}*)?"
    )
    deputy = rf"(?P<dep>(?:заместник|зам\.|зам)(?:{_HS}*[-‐‑]{_HS}*|{_HS}+)|зам\.)?"
    return re.compile(
        acting + deputy + "(?P<head>" + _trie_pattern(list(table)) + r")(?![\w-])",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _start_re() -> re.Pattern[str]:
    """Where a head may start: the first letters of any head or prefix.

    Case-sensitive, with both spellings of the first letter and no look-behind
    in front (the word boundary is checked in Python): that shape lets the
    regex engine skip ahead on a character set instead of trying every
    position, and the full (case-insensitive) pattern then runs only at the
    few candidate starts.
    """
    firsts = {re.split(r"[ -]", form)[0] for form in _head_table()}
    firsts.update(_ACTING_PREFIXES + _DEPUTY_PREFIXES)
    variants = {v for w in firsts for v in (w, w[:1].upper() + w[1:])}
    return re.compile(_trie_pattern(sorted(variants)))


def _make_head(m: re.Match[str]) -> RoleHead | None:
    key = " ".join(m.group("head").lower().split())
    hit = _head_table().get(key)
    if hit is None:
        return None
    base, plural = hit
    if m.group("dep") and not base.startswith("заместник"):
        base = "заместник-" + base
    act = m.group("act")
    if act:
        act_l = " ".join(act.lower().split())
        prefix = "и.д." if act_l.startswith(("и.", "врид")) else act_l
        base = f"{prefix} {base}"
    return RoleHead(m.start(), m.end(), base, plural)


def find_role_heads(text: str, start: int = 0, end: int | None = None) -> list[RoleHead]:
    """Every role head that starts in ``text[start:end]``, in order.

    Offsets are positions in the whole ``text``; a head may run past ``end``.
    """
    out: list[RoleHead] = []
    full = _head_re()
    last = 0
    for m in _start_re().finditer(text, start, len(text) if end is None else end):
        pos = m.start()
        if pos < last or (pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "_.")):
            continue
        hm = full.match(text, pos)
        if hm is None:
            continue
        h = _make_head(hm)
        if h is not None:
            out.append(h)
            last = h.end
    return out


def head_at(text: str, pos: int) -> RoleHead | None:
    """The role head that starts exactly at ``pos``, if any."""
    if pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "_."):
        return None
    m = _head_re().match(text, pos)
    return _make_head(m) if m else None


# --------------------------------------------------------------------------
# Quotes


def quote_end(text: str, pos: int) -> int:
    """Index just after the quote that opens at ``pos``, or -1 if it never closes.

    Nested „…“ inside „…“ are balanced; the closer may be any of the closing
    styles found in the wild („…”, „…", "…“), and a quote never spans a blank
    line or more than a few hundred characters.
    """
    opener = text[pos]
    if opener in "„«":
        closers, nesters = '“”"»', "„«"
    elif opener == '"':
        closers, nesters = '"“”', ""
    elif opener == "“":
        closers, nesters = '”"“', ""
    else:
        return -1
    depth = 1
    limit = min(len(text), pos + _MAX_QUOTE)
    for i in range(pos + 1, limit):
        ch = text[i]
        if ch == "\n" and text[i + 1 : i + 2] == "\n":
            return -1
        if ch in nesters or (
            # a straight quote between a space and a letter opens a nested quote
            ch == '"' and nesters and text[i - 1] == " " and text[i + 1 : i + 2].isalpha()
        ):
            depth += 1
        elif ch in closers:
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def opens_quote(text: str, pos: int) -> bool:
    """Whether the quote character at ``pos`` opens a quote.

    „ and « always open; the ambiguous " and “ open only after a space, a
    bracket or a dash and when glued to the next word.
    """
    ch = text[pos]
    if ch in "„«":
        return True
    if ch not in '"“':
        return False
    prev = text[pos - 1] if pos else " "
    nxt = text[pos + 1 : pos + 2]
    return prev in " \t\n\u00a0(–—-/" and bool(nxt) and not nxt.isspace()


def normalize_quotes(s: str) -> str:
    """Rewrite every quote pair as „…“ (the Bulgarian typographic style).

    Whether a quote opens or closes is decided by its neighbours: an opening
    quote follows a space, a dash or the start and is glued to the next word.
    """
    if not any(q in s for q in '„«“”"»'):
        return s
    out = []
    n = len(s)
    for i, ch in enumerate(s):
        if ch in "„«":
            out.append("„")
        elif ch in '“”"»':
            prev = s[i - 1] if i else " "
            nxt = s[i + 1] if i + 1 < n else " "
            opening = ch != "»" and ch != "”" and prev in " (–—-/\u00a0" and not nxt.isspace()
            out.append("„" if opening else "“")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------
# Complement scanner

_SCAN = re.compile(
    r"(?P<para>[ \t\u00a0]*\n[ \t\u00a0]*\n)"
    r"|(?P<ws>[ \t\u00a0]*\n[ \t\u00a0]*|[ \t\u00a0]+)"
    r"|(?P<quote>[„«\"“])"
    r"|(?P<dash>[–—−]|-(?=[ \t\u00a0]))"
    r"|(?P<word>[^\W\d_][^\W_]*(?:[-‐‑][^\W_]+)*|\d[\w./-]*|№)"
    r"|(?P<other>.)",
    re.DOTALL,
)
# Abbreviations whose full stop does not end a role («кмет на гр. Етрополе»).
_DOT_ABBR = _words("гр с обл общ ул бул кв пл ж.к")


def _verb_like(w: str) -> bool:
    """Crude but safe: aorist/imperfect plurals and imperfects end in -ха/-ше."""
    return len(w) > 4 and w.endswith(("ха", "ше"))


def _next_word(text: str, pos: int, limit: int) -> tuple[str, int] | None:
    m = _SCAN.match(text, pos)
    while m and m.lastgroup == "ws" and m.end() < limit:
        m = _SCAN.match(text, m.end())
    if m and m.lastgroup == "word" and m.start() < limit:
        return m.group(), m.start()
    return None


def scan_complement(
    text: str, pos: int, limit: int, blocked: frozenset[int] | set[int] = frozenset()
) -> int:
    """End of the role complement that starts at ``pos`` (``pos`` if there is none).

    ``limit`` bounds the scan (the name that follows, in the role-before case);
    ``blocked`` holds the start offsets of person names, which a role never
    swallows.
    """
    end = pos
    words = 0
    after_quote = False
    i = pos
    n = min(len(text), limit)
    while i < n:
        if i in blocked:
            break
        m = _SCAN.match(text, i)
        if m is None:
            break
        kind = m.lastgroup
        if kind == "ws":
            i = m.end()
            continue
        if kind == "quote":
            if not opens_quote(text, i):
                break  # the closing quote of a quote the role sits in
            q = quote_end(text, i)
            if q < 0 or q > n:
                break
            words += 1
            i = end = q
            after_quote = True
            continue
        if kind == "dash":
            # «РДСП – София област», «ДСП - Лом»: a territorial unit.
            j = m.end()
            while j < n and text[j] in " \t\u00a0":
                j += 1
            if j < n and text[j].isupper() and j not in blocked:
                i = j
                after_quote = False
                continue
            break
        if kind != "word":
            break
        w = m.group()
        wl = w.lower()
        w_end = m.end()
        if wl in _DOT_ABBR and text[w_end : w_end + 1] == ".":
            w_end += 1
        elif wl in _STOP_WORDS or _verb_like(wl):
            break
        if after_quote and wl not in PREPOSITIONS:
            break
        if wl == "и":
            # «на труда и социалната политика» goes on; «… и главен директор»,
            # «… и г-жа …» and «… и представи …» do not.
            nxt = _next_word(text, w_end, n)
            if nxt is None:
                break
            nw, npos = nxt
            nwl = nw.lower()
            if (
                not nw[0].islower()
                or nwl in _STOP_WORDS
                or _verb_like(nwl)
                or npos in blocked
                or head_at(text, npos) is not None
            ):
                break
            i = w_end
            continue
        words += 1
        if words > _MAX_WORDS:
            break
        i = end = w_end
        after_quote = False
    return end


# --------------------------------------------------------------------------
# Output form


_WS_RUN = re.compile(r"\s+")
_SPACED_DASH = re.compile(r"\s+[-–—−]\s+")
_SPACE_IN_QUOTES = re.compile(r"(„)\s+|\s+“")


def format_role(base: str, complement: str) -> str:
    """Join a normalised head and its complement into the output role."""
    comp = _WS_RUN.sub(" ", complement).strip()
    comp = _SPACED_DASH.sub(" – ", comp)
    comp = normalize_quotes(comp).strip(" ,;:")
    # Quotes with a space inside them: „ Име “ → „Име“.
    comp = _SPACE_IN_QUOTES.sub(lambda m: "„" if m.group(1) else "“", comp)
    return f"{base} {comp}".strip() if comp else base
