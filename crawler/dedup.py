"""Near-duplicate detection across sources.

Portals rewrite ministry press releases: the BTA copy of an МТСП release
carries a wire dateline («София, 12 ноември /БТА/»), a sign-off («/МП/»),
paragraphs in another order and sentences paraphrased or dropped.  Such
copies must be linked to the original (``duplicate_of`` = the EARLIEST copy),
not indexed as unrelated news.

How it works
------------
1. :func:`normalize` applies NFKC, casefolds, keeps letters and digits, and
   folds Latin look-alike letters to Cyrillic inside words that contain
   Cyrillic, so «Сoфия» typed with a Latin ``o`` is the word «София».
2. The text becomes the set of its 3-word shingles; each shingle is hashed
   with blake2b (stable across runs and machines, unlike the salted built-in
   ``hash``) and :func:`simhash` is the bitwise majority vote of those hashes.
   :func:`fingerprint` gives the SimHash and the shingle keys of step 5 from
   one normalisation, so a new document is shingled once.
3. :class:`DuplicateIndex` finds stored hashes within a Hamming distance with
   the block trick: the 64 bits are cut into 4 blocks of 16, each block keys
   a table.  Two hashes within distance 3 agree exactly on one block
   (pigeonhole); within ``4r + 3`` they agree on one block up to ``r``
   flipped bits, so a query probes each table with every key at most
   ``r = d // 4`` bits away (multi-index hashing).  Recall is exact; the
   number of probed keys depends on the distance only, and each probe finds
   about N/65536 documents, so at distance 15 a query against 100k documents
   compares ~4k hashes (5 ms) where a Python scan compares all (10 ms at
   best).  That is still proportional to N: 1.5 ms a document on average
   over the 20,000 articles of ``benchmarks/bench_dedup.py``, whose hashes
   cluster more than random ones, and the largest part of storing one.
4. Heavily rewritten copies sit farther away than the index can reach
   cheaply, but they appear within days of the original, so
   :meth:`DuplicateIndex.candidates` also scans the documents published
   within ``WINDOW_DAYS`` with a looser distance.
5. Candidates are confirmed on the texts with :func:`is_near_duplicate`
   (shingle Jaccard or containment, stricter for short texts): a distance
   alone cannot tell a rewrite from a sibling release sharing boilerplate.
   The crawler compares :func:`shingle_keys` (a CRC-32 per shingle) and keeps
   recent documents' keys in a :class:`ShingleCache`, so a candidate's text
   is neither re-read nor re-shingled for every new document.

Measurements (``tests/test_dedup.py::test_measured_values`` pins them)
-------------------------------------------------------------------------
==========================================================  ========  =======  ===========
pair                                                        distance  Jaccard  containment
==========================================================  ========  =======  ===========
(a) BTA rewrite of an МТСП release (330 words): dateline,      18      0.431     0.686
    reordered paragraphs, paraphrase, a sentence dropped
(b) another МТСП release: same boilerplate, same programme     25      0.124     0.254
(c) two short АСП notices from one template (49 shingles)      15      0.516     0.688
(c') a verbatim copy of notice (c) with dateline and sign-off   2      0.818     0.918
verbatim copy of (a) with a dateline and a sign-off             4      0.984     1.000
the fixture pair mlsp ↔ bta (Плевен, приемна грижа)             8      0.693     0.860
703 pairs of unrelated fixture articles                      31.7±4.2  ≤0.02
                                                            (min 19)
==========================================================  ========  =======  ===========

Thresholds chosen from these:

* ``DEFAULT_MAX_DISTANCE = 15`` for the index: typical copies (0-8) are well
  inside; unrelated pairs start at 19 and average 32, so a random pair is
  within 15 with probability under 1e-4 (a handful of text checks per new
  document in a 100k index).  15 is also where probing stays cheaper than a
  scan (2788 keys; distance 19 would need 10068).
* ``WINDOW_MAX_DISTANCE = 24`` within ``WINDOW_DAYS = 7`` of the candidate's
  date: the heavy rewrite (a) is at 18, and a SimHash distance has a spread
  of about ±4 at that similarity, so 24 keeps roughly 9 in 10 such rewrites;
  a week of news is a few hundred documents, of which about 4% come that
  close by chance and are rejected by the text check.
* ``UNCONFIRMED_MAX_DISTANCE = 7``: without a text check only near-verbatim
  copies (measured 0-5) are linked; the closest non-duplicates were 15
  (template notices) and 19.
* :func:`is_near_duplicate`: Jaccard ≥ ``0.30`` (rewrite 0.43, sibling 0.12)
  or containment of the shorter text ≥ ``0.60`` (rewrite 0.69, sibling 0.25;
  catches a portal that kept only the first half).  When either text has
  fewer than ``SHORT_TEXT_SHINGLES = 60`` shingles (about 60 words), Jaccard
  ≥ ``0.70`` is required: short notices are mostly template, so two different
  ones share half their shingles (0.52) while a real copy is verbatim plus a
  dateline (0.82).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, combinations, compress
from operator import attrgetter

BITS = 64
BLOCKS = 4
BLOCK_BITS = BITS // BLOCKS
_BLOCK_MASK = (1 << BLOCK_BITS) - 1
_ALL = (1 << BITS) - 1

SHINGLE_WORDS = 3
DEFAULT_MAX_DISTANCE = 15
UNCONFIRMED_MAX_DISTANCE = 7
WINDOW_DAYS = 7
WINDOW_MAX_DISTANCE = 24
MIN_JACCARD = 0.30
MIN_CONTAINMENT = 0.60
SHORT_TEXT_SHINGLES = 60
MIN_JACCARD_SHORT = 0.70

# Latin letters that look like Cyrillic ones, after casefolding.  Upper-case
# look-alikes (В Н К М Т) casefold to b h k m t, which is why those are here.
_LOOKALIKES = str.maketrans("aceopxybhkmt", "асеорхувнкмт")
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_HEX16 = re.compile(r"[0-9a-fA-F]{16}")


def normalize(text: str) -> list[str]:
    """The words of ``text`` as compared: casefolded, punctuation gone, digits kept.

    NFKC first so that typographic variants (non-breaking spaces, ligatures,
    full-width digits) do not count as changes; «ѝ» (the accented pronoun)
    becomes «и», which is how most portals type it.
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ѝ", "и")
    words = _WORD.findall(text)
    return [
        w.translate(_LOOKALIKES) if _CYRILLIC.search(w) and _LATIN.search(w) else w for w in words
    ]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The set of ``size``-word shingles; a text shorter than that is one shingle."""
    words = normalize(text)
    if not words:
        return set()
    if len(words) < size:
        return {tuple(words)}
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _shingle_strings(text: str) -> set[str]:
    """The distinct shingles of :func:`shingles`, each as its words joined by U+001F."""
    words = normalize(text)
    if len(words) < SHINGLE_WORDS:
        return {"\x1f".join(words)} if words else set()
    n = len(words) - SHINGLE_WORDS + 1
    return {"\x1f".join(words[i : i + SHINGLE_WORDS]) for i in range(n)}


def _digest64(joined: str) -> int:
    digest = hashlib.blake2b(joined.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _keys(strings: Iterable[str]) -> set[int]:
    return set(map(zlib.crc32, map(str.encode, strings)))


# _BIT_OF[k] maps a byte to 1 when its bit k is set, else to 0 (for bytes.translate).
_BIT_OF = [bytes((v >> k) & 1 for v in range(256)) for k in range(8)]


def simhash_of_hashes(hashes: Collection[int]) -> int:
    """SimHash of a set of 64-bit feature hashes: bit i is set when most hashes have it.

    Counted column by column on the packed bytes (``translate`` and ``count``
    run in C) rather than bit by bit in Python: 64 passes over n bytes instead
    of 64·n interpreted steps, 17 times faster on an article.
    """
    n = len(hashes)
    packed = b"".join(h.to_bytes(8, "big") for h in hashes)
    out = 0
    for byte in range(8):  # byte 0 is the most significant
        column = packed[byte::8]
        shift = 8 * (7 - byte)
        for bit in range(8):
            if 2 * column.translate(_BIT_OF[bit]).count(1) > n:
                out |= 1 << (shift + bit)
    return out


def simhash(text: str) -> int:
    """64-bit SimHash of the text's 3-word shingles; 0 for a text without words.

    Each distinct shingle counts once: a sentence repeated by a sloppy
    template should not outweigh the rest of the article.
    """
    return simhash_of_hashes({_digest64(s) for s in _shingle_strings(text)})


def shingle_keys(text: str) -> set[int]:
    """The CRC-32 of each distinct shingle: what the text check compares.

    Not the blake2b hashes SimHash votes with: the check only counts common
    shingles, and CRC-32 is deterministic, several times cheaper and 4 bytes a
    shingle in :class:`ShingleCache`.  Two distinct shingles share a CRC with
    probability 2⁻³², so two 400-shingle texts show one spurious common
    shingle once in 27,000 pairs, which moves their Jaccard by 1/400.
    """
    return _keys(_shingle_strings(text))


def fingerprint(text: str) -> tuple[int, set[int]]:
    """``(simhash(text), shingle_keys(text))`` from one normalisation: what a new document needs."""
    strings = _shingle_strings(text)
    return simhash_of_hashes({_digest64(s) for s in strings}), _keys(strings)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes."""
    return ((a ^ b) & _ALL).bit_count()


def as_hex(h: int) -> str:
    """Store form: 16 lower-case hex digits (SQLite integers are signed, hashes are not)."""
    if not 0 <= h <= _ALL:
        raise ValueError(f"not a 64-bit hash: {h!r}")
    return f"{h:016x}"


def from_hex(s: str) -> int:
    """Parse :func:`as_hex` output; anything else is a ValueError, never a silent 0.

    Strict on purpose: ``int(s, 16)`` would also take ``0x``, ``_`` and spaces.
    """
    if not isinstance(s, str) or not _HEX16.fullmatch(s):
        raise ValueError(f"simhash must be 16 hex digits, got {s!r}")
    return int(s, 16)


def jaccard_shingles(a: str, b: str) -> float:
    """|A ∩ B| / |A ∪ B| over the 3-word shingles of two texts (0.0 when both are empty)."""
    sa, sb = shingles(a), shingles(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def containment(a: str, b: str) -> float:
    """Share of the smaller text's shingles found in the other (a shortened copy scores high)."""
    sa, sb = shingles(a), shingles(b)
    smaller = min(len(sa), len(sb))
    return len(sa & sb) / smaller if smaller else 0.0


def is_near_duplicate(a: str, b: str) -> bool:
    """Confirm a SimHash candidate on the texts; thresholds are explained in the module doc."""
    return near_duplicate_keys(shingle_keys(a), shingle_keys(b))


def near_duplicate_keys(a: set[int] | frozenset[int], b: Collection[int]) -> bool:
    """:func:`is_near_duplicate` on :func:`shingle_keys` output.

    ``a`` is a set (the new document's, computed once); ``b`` any collection
    of distinct keys, such as the arrays :class:`ShingleCache` keeps.
    """
    if not a or not b:
        return False
    common = len(a.intersection(b))
    smaller = min(len(a), len(b))
    jaccard = common / (len(a) + len(b) - common)
    if smaller < SHORT_TEXT_SHINGLES:
        return jaccard >= MIN_JACCARD_SHORT
    return jaccard >= MIN_JACCARD or common / smaller >= MIN_CONTAINMENT


_KEY_TYPE = "I" if array("I").itemsize == 4 else "L"  # 32-bit unsigned


class ShingleCache:
    """Stored documents' :func:`shingle_keys` for the text check, least recently used out first.

    The text check used to read a candidate's text from the store and
    shingle both texts again, candidate after candidate: 12 normalisations per
    new document.  Candidates are mostly documents stored moments ago (the
    same week of news), so the crawler hands each document it stores to
    :meth:`put`; a miss loads the text (``load(doc_id)``; None when the
    document is gone) and keys it.

    Bounded by shingles, not documents: entries are ``array('I')`` (4 bytes a
    shingle), and ``max_keys`` = 2M is 8 MB, about 5,000 articles of 400 words
    or 15,000 short notices.  Several sites crawled newest first move back in
    time at different speeds, so a document is needed again when a slower
    site reaches its week; the bound is sized for that.
    """

    def __init__(self, load: Callable[[str], str | None], max_keys: int = 2_000_000) -> None:
        self._load = load
        self._max_keys = max_keys
        self._entries: OrderedDict[str, array[int]] = OrderedDict()
        self._keys = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, doc_id: str) -> array[int] | None:
        """The document's shingle keys, or None when it cannot be loaded."""
        entry = self._entries.get(doc_id)
        if entry is not None:
            self.hits += 1
            self._entries.move_to_end(doc_id)
            return entry
        self.misses += 1
        text = self._load(doc_id)
        return None if text is None else self.put(doc_id, shingle_keys(text))

    def put(self, doc_id: str, keys: Iterable[int]) -> array[int]:
        """Remember (or replace) a document's keys; the least recently used go when over budget."""
        self.discard(doc_id)
        entry = self._entries[doc_id] = array(_KEY_TYPE, keys)
        self._keys += len(entry)
        while self._keys > self._max_keys and len(self._entries) > 1:
            _, old = self._entries.popitem(last=False)
            self._keys -= len(old)
        return entry

    def discard(self, doc_id: str) -> None:
        """Forget a document (no error when it is not there)."""
        old = self._entries.pop(doc_id, None)
        if old is not None:
            self._keys -= len(old)


def _blocks(h: int) -> tuple[int, ...]:
    return tuple((h >> (BLOCK_BITS * i)) & _BLOCK_MASK for i in range(BLOCKS))


def _flips(radius: int) -> list[int]:
    """Every 16-bit mask with at most ``radius`` bits set."""
    masks = [0]
    for r in range(1, radius + 1):
        for bits in combinations(range(BLOCK_BITS), r):
            m = 0
            for b in bits:
                m |= 1 << b
            masks.append(m)
    return masks


def _bucket_add(buckets: dict, key: object, entry: _Entry) -> None:
    buckets[key] = buckets.get(key, ()) + (entry,)


def _bucket_remove(buckets: dict, key: object, entry: _Entry) -> None:
    rest = tuple(e for e in buckets[key] if e is not entry)
    if rest:
        buckets[key] = rest
    else:
        del buckets[key]


_HASH = attrgetter("h")  # of an _Entry


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity, hashed cheaply
class _Entry:
    doc_id: str
    h: int
    published: date | None
    url: str

    def order(self) -> tuple[bool, date, str]:
        # Undated copies sort after dated ones: a page without a date cannot
        # claim to be the original of one that has one.
        return (self.published is None, self.published or date.min, self.url)


class DuplicateIndex:
    """In-memory SimHash index of stored documents, rebuilt from the store at start.

    Pure: no I/O.  Load it with :meth:`from_rows` (``Store.simhashes()``
    yields exactly those rows), then :meth:`add` each new document.  About
    600 bytes per document, its id and URL included: 100k documents take 60 MB.
    """

    def __init__(self) -> None:
        self._docs: dict[str, _Entry] = {}
        # Buckets are tuples of entries, not sets of ids: a table bucket holds
        # about N/65536 entries, a one-entry tuple takes 64 bytes where a set
        # takes 216, and the scans read the hash from the entry without a lookup.
        self._tables: list[dict[int, tuple[_Entry, ...]]] = [{} for _ in range(BLOCKS)]
        self._by_day: dict[date, tuple[_Entry, ...]] = {}
        self._masks: dict[int, list[int]] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str | None, str | None, str]]) -> DuplicateIndex:
        """Build from ``(id, simhash_hex, published_iso, url)`` rows; rows without a hash are skipped."""
        index = cls()
        for doc_id, hex_hash, published, url in rows:
            if hex_hash:
                pub = date.fromisoformat(published[:10]) if published else None
                index.add(doc_id, from_hex(hex_hash), pub, url)
        return index

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def add(self, doc_id: str, h: int, published: date | None, url: str) -> None:
        """Add or replace a document (a re-extracted page gets its new hash)."""
        if not 0 <= h <= _ALL:
            raise ValueError(f"not a 64-bit hash: {h!r}")
        self.remove(doc_id)
        entry = self._docs[doc_id] = _Entry(doc_id, h, published, url)
        for table, key in zip(self._tables, _blocks(h), strict=True):
            _bucket_add(table, key, entry)
        if published is not None:
            _bucket_add(self._by_day, published, entry)

    def remove(self, doc_id: str) -> None:
        """Forget a document (no error when it is not there)."""
        entry = self._docs.pop(doc_id, None)
        if entry is None:
            return
        for table, key in zip(self._tables, _blocks(entry.h), strict=True):
            _bucket_remove(table, key, entry)
        if entry.published is not None:
            _bucket_remove(self._by_day, entry.published, entry)

    def _probe_masks(self, max_distance: int) -> list[int]:
        radius = max_distance // BLOCKS
        if radius not in self._masks:
            self._masks[radius] = _flips(radius)
        return self._masks[radius]

    def find(self, h: int, max_distance: int = DEFAULT_MAX_DISTANCE) -> list[tuple[str, int]]:
        """``(doc_id, distance)`` of every stored hash within ``max_distance``, nearest first.

        Exact: the same answer as a linear scan.  The number of probed keys
        depends only on ``max_distance`` (4 up to 3, 68 up to 7, 548 up to 11,
        2788 up to 15); when probing would touch more keys than there are
        documents, a scan is cheaper and is used instead.
        """
        if max_distance < 0:
            return []
        masks = self._probe_masks(min(max_distance, BITS))
        entries: Iterable[_Entry]
        if BLOCKS * len(masks) >= len(self._docs):
            entries = self._docs.values()
        else:
            entries = set()
            for table, key in zip(self._tables, _blocks(h), strict=True):
                # probes and bucket merging in C (map, filter, set.update): the
                # per-candidate distance below is the only interpreted step
                entries.update(
                    chain.from_iterable(filter(None, map(table.get, map(key.__xor__, masks))))
                )
        # distances and the threshold test in C (map, compress): at a few
        # thousand candidates per document this was the crawl's largest step
        h &= _ALL  # what hamming() compares
        near = compress(
            entries,
            map(max_distance.__ge__, map(int.bit_count, map(h.__xor__, map(_HASH, entries)))),
        )
        return sorted(((e.doc_id, hamming(h, e.h)) for e in near), key=lambda x: (x[1], x[0]))

    def candidates(
        self, h: int, published: date | None, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> list[tuple[str, int]]:
        """Near-duplicate candidates: :meth:`find`, plus same-week documents up to
        ``WINDOW_MAX_DISTANCE`` (heavy rewrites appear within days of the original,
        and a week of news is small enough to scan)."""
        found = dict(self.find(h, max_distance))
        if published is not None:
            for offset in range(-WINDOW_DAYS, WINDOW_DAYS + 1):
                for entry in self._by_day.get(published + timedelta(days=offset), ()):
                    if entry.doc_id not in found:
                        dist = hamming(h, entry.h)
                        if dist <= WINDOW_MAX_DISTANCE:
                            found[entry.doc_id] = dist
        return sorted(found.items(), key=lambda x: (x[1], x[0]))

    def _related(
        self, doc_id: str, h: int, published: date | None, confirmed: bool
    ) -> list[tuple[_Entry, int]]:
        out = []
        for cand, dist in self.candidates(h, published):
            if cand == doc_id or (not confirmed and dist > UNCONFIRMED_MAX_DISTANCE):
                continue
            out.append((self._docs[cand], dist))
        return out

    def earliest_duplicate(
        self,
        doc_id: str,
        h: int,
        published: date | None,
        url: str,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> str | None:
        """Id of the earliest near-duplicate, or None when this document is itself the earliest.

        Order: published date (undated last), then URL.  ``confirm(candidate_id)``
        should compare the texts, e.g. ``is_near_duplicate(text, stored_text(id))``;
        it is asked earliest-first and only about candidates earlier than this
        document.  Without it only near-verbatim copies (distance up to
        ``UNCONFIRMED_MAX_DISTANCE``) are linked, because a SimHash distance
        alone cannot tell a rewrite from a sibling release.
        """
        return self.relations(doc_id, h, published, url, confirm=confirm, want_later=False)[0]

    def relations(
        self,
        doc_id: str,
        h: int,
        published: date | None,
        url: str,
        *,
        confirm: Callable[[str], bool] | None = None,
        want_later: bool = True,
    ) -> tuple[str | None, list[str]]:
        """:meth:`earliest_duplicate` and :meth:`later_copies` from one candidate search.

        Later copies are looked for only when this document is itself the earliest.
        """
        me = _Entry(doc_id, h, published, url).order()
        related = [e for e, _ in self._related(doc_id, h, published, confirm is not None)]
        for entry in sorted((e for e in related if e.order() < me), key=_Entry.order):
            if confirm is None or confirm(entry.doc_id):
                return entry.doc_id, []
        if not want_later:
            return None, []
        later = [
            e.doc_id
            for e in sorted((e for e in related if e.order() > me), key=_Entry.order)
            if confirm is None or confirm(e.doc_id)
        ]
        return None, later

    def later_copies(
        self,
        doc_id: str,
        h: int,
        published: date | None,
        url: str,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> list[str]:
        """Ids of stored near-duplicates that are later than this document, earliest first.

        When the ministry original is crawled after the portal copy, those
        copies' ``duplicate_of`` must move to it.  ``confirm`` as for
        :meth:`earliest_duplicate`.
        """
        me = _Entry(doc_id, h, published, url).order()
        later = [e for e, _ in self._related(doc_id, h, published, confirm is not None)]
        return [
            e.doc_id
            for e in sorted((e for e in later if e.order() > me), key=_Entry.order)
            if confirm is None or confirm(e.doc_id)
        ]
