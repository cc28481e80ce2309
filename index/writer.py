"""Incremental indexing: bring the Whoosh index in line with the store.

Only documents whose content hash differs from the hash they were last
indexed with are written, with ``update_document`` on the unique id so a
document is never indexed twice.  The store learns what was indexed only
after the Whoosh commit succeeds: a writer killed mid-batch leaves the
previous generation of the index usable and those documents still marked
"to index", so the next run simply does them again.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from crawler.store import Store, StoredDocument
from index.codec import SocnewsCodec
from index.keys import institution_keys, person_key, place_key, project_keys, surname_key
from index.manifest import verify_manifest, write_manifest
from index.postingpool import CompactPostingPool
from index.schema import SCHEMA_VERSION, build_schema

# Documents per commit; each commit writes one segment.  Whoosh merges
# segments by re-reading every posting in Python, which costs as much as
# indexing the documents again: its default policy spent half of a
# 50,000-document rebuild merging.  So segments are left as written (see
# merge_small_segments), and the batch size is chosen for memory: a batch's
# postings wait in memory until its commit (index.postingpool, about 20 bytes
# a posting, never spilled to disk).  A writer killed mid-batch loses at most
# one batch, which the next run redoes.
# Whoosh's multiprocess writer (procs=2) was slower on this 2-core machine:
# each worker loads the lemmatizer and re-pickles the postings.
BATCH = 2_000
# Incremental runs (after a crawl, in the crawler's own process) use smaller
# batches: the crawl's peak memory is the process's, and the index step adds
# to what the crawl leaves resident.  A rebuild keeps the larger batches:
# half as many segments for a whole archive.
INCREMENTAL_BATCH = 1_000
# Documents are read from the store this many at a time within a batch, so a
# batch never holds all its decoded records at once.
READ_CHUNK = 100

# Segments are written as separate files, not Whoosh's default single
# "compound" file: opening a compound segment copies its whole postings file
# into memory (a BytesIO over the mmap), so a searcher over a 236 MB index
# took 315 MB of RAM, and every crawl's index step peaked there.  Separate
# files are read through the OS page cache instead: 35 MB for the same
# searcher, at ~10% more query time (measured at 10,000 documents).
COMPOUND_SEGMENTS = False

# Merge policy (see merge_small_segments).  Queries pay a little per segment
# (measured: 25 segments vs 5 at 50,000 documents, within the noise), so big
# segments are merged only past MAX_SEGMENTS, the smallest MERGE_FAN_IN at a
# time; small segments (a nightly run's few dozen documents) are merged once
# there are SMALL_SEGMENTS_BEFORE_MERGE of them; a segment with
# DELETED_SHARE_TO_REWRITE of its documents deleted is rewritten without them.
SMALL_SEGMENT = 1_000
SMALL_SEGMENTS_BEFORE_MERGE = 8
MAX_SEGMENTS = 32
MERGE_FAN_IN = 8
DELETED_SHARE_TO_REWRITE = 0.3
# Past MAX_SEGMENTS, only as many of the smallest segments are merged as keep
# the commit (its own documents and the merged ones) within MERGE_MAX_DOCS: a
# merge holds all its postings in memory, a few KB a document.  Beyond that,
# big segments stay as they are and the segment count may pass MAX_SEGMENTS,
# which costs queries a little.
MERGE_MAX_DOCS = 20_000


class IndexBusy(RuntimeError):
    """Another process is writing the index (exit code 3)."""


@dataclass(slots=True)
class IndexStats:
    indexed: int = 0
    total: int = 0
    removed: int = 0
    rebuilt: bool = False


def _version_file(index_dir: Path) -> Path:
    return index_dir / "SOCNEWS_SCHEMA"


def index_ids(index_dir: Path) -> set[str]:
    """Ids of the live documents in the index (FileNotFoundError when there is none)."""
    if not whoosh_index.exists_in(str(index_dir)):
        raise FileNotFoundError(index_dir)
    verify_manifest(index_dir)
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as s:
        return {fields["id"] for fields in s.reader().all_stored_fields()}


def _usable(index_dir: Path) -> bool:
    """Whether the index opens and reads; a damaged one is rebuilt from the store."""
    try:
        verify_manifest(index_dir)
        ix = whoosh_index.open_dir(str(index_dir))
        with ix.searcher() as s:
            s.doc_count()
            for _ in s.reader().all_stored_fields():
                break
        return True
    except LockError:
        raise
    except Exception:  # noqa: BLE001 - truncated segments fail in many ways
        return False


def open_or_create(index_dir: Path, force_new: bool = False) -> tuple[whoosh_index.Index, bool]:
    """Open the index, creating (or recreating on a schema change or damage) as needed."""
    version = _version_file(index_dir)
    fresh = force_new or not whoosh_index.exists_in(str(index_dir))
    if not fresh and (not version.exists() or version.read_text().strip() != SCHEMA_VERSION):
        fresh = True
    if not fresh and not _usable(index_dir):
        fresh = True
    if fresh:
        if index_dir.exists():
            shutil.rmtree(index_dir)
        index_dir.mkdir(parents=True)
        ix = whoosh_index.create_in(str(index_dir), build_schema())
        version.write_text(SCHEMA_VERSION)
        return ix, True
    return whoosh_index.open_dir(str(index_dir)), False


def document_fields(doc: StoredDocument) -> dict:
    """The Whoosh fields of one stored document."""
    r = doc.record
    published = r.published.isoformat() if r.published else ""
    days = sorted({d.isoformat() for d in r.event_dates} | ({published} if published else set()))
    people = [p.name for p in r.people]
    institutions = [i.name for i in r.institutions]
    projects = [p.code or p.name or "" for p in r.projects]
    inst_terms = sorted({k for i in r.institutions for k in institution_keys(i.name, i.abbr)})
    proj_terms = sorted({k for p in r.projects for k in project_keys(p.code, p.name)})
    entity_text = " \n".join(
        people
        + [f"{i.name} {i.abbr or ''}" for i in r.institutions]
        + [f"{p.code or ''} {p.name or ''}" for p in r.projects]
        + list(r.places)
    )
    return {
        "id": doc.id,
        "url": doc.url,
        "source": doc.host,
        "title": r.title,
        "text": r.text,
        "entities": entity_text,
        "published": published,
        "dates": ",".join(days),
        "dates_month": ",".join(sorted({d[:7] for d in days})),
        "dates_year": ",".join(sorted({d[:4] for d in days})),
        "event_dates": [d.isoformat() for d in sorted(r.event_dates)],
        "year": published[:4],
        "person": ",".join(sorted({person_key(n) for n in people})),
        "surname": ",".join(sorted({surname_key(n) for n in people})),
        "institution": ",".join(inst_terms),
        "project": ",".join(proj_terms),
        "place": ",".join(sorted({place_key(p) for p in r.places})),
        "people_display": people,
        "institutions_display": institutions,
        "projects_display": [p for p in projects if p],
        "places_display": list(r.places),
        # None when not a copy: an empty string would index one term shared by every original
        "duplicate_of": doc.duplicate_of,
        "group": (doc.duplicate_of or doc.id).encode("utf-8"),
        "content_hash": doc.content_hash,
        "order": int(published.replace("-", "") or 0),
        "facets": pack_facets(
            {
                "person": people,
                "institution": institutions,
                "project": [p for p in projects if p],
                "place": list(r.places),
                "year": [published[:4]] if published else [],
                "source": [doc.host],
            }
        ),
    }


FIELD_SEP, VALUE_SEP = "\x1e", "\x1f"


def pack_facets(values: dict[str, list[str]]) -> bytes:
    """One document's facet values as bytes for the ``facets`` column."""
    return FIELD_SEP.join(
        f"{kind}{VALUE_SEP}{v}" for kind, vs in values.items() for v in dict.fromkeys(vs) if v
    ).encode("utf-8")


def unpack_facets(raw: bytes) -> list[tuple[str, str]]:
    if not raw:
        return []
    return [tuple(item.split(VALUE_SEP, 1)) for item in raw.decode("utf-8").split(FIELD_SEP)]  # type: ignore[misc]


def merge_small_segments(writer, segments):  # noqa: ANN001, ANN201 - Whoosh's policy signature
    """Merge policy: merge small segments together, leave big ones alone (constants above).

    Returns the segments kept as they are; the others are added to the new
    segment being written.
    """
    from whoosh.reading import SegmentReader

    def deleted_share(seg) -> float:  # noqa: ANN001
        total = seg.doc_count_all()
        return (total - seg.doc_count()) / total if total else 1.0

    merge = [s for s in segments if deleted_share(s) >= DELETED_SHARE_TO_REWRITE]
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT and s not in merge]
    if len(small) >= SMALL_SEGMENTS_BEFORE_MERGE:
        merge += small
    rest = [s for s in segments if s not in merge]
    if len(rest) >= MAX_SEGMENTS:  # the commit adds one more
        # the smallest, as many as fit in MERGE_MAX_DOCS: a merge holds all the
        # postings of what it merges in memory (index.postingpool)
        picked: list = []
        budget = MERGE_MAX_DOCS - writer.doc_count() - sum(s.doc_count() for s in merge)
        for seg in sorted(rest, key=lambda s: s.doc_count_all())[:MERGE_FAN_IN]:
            if seg.doc_count() > budget:
                break
            picked.append(seg)
            budget -= seg.doc_count()
        if len(picked) >= 2:
            merge += picked
    if not merge:
        return segments
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merge]


def _read(store: Store, ids: list[str]) -> Iterator[StoredDocument]:
    """The stored documents of ``ids``, read ``READ_CHUNK`` at a time."""
    for start in range(0, len(ids), READ_CHUNK):
        yield from store.documents_by_ids(ids[start : start + READ_CHUNK])


def _writer(ix: whoosh_index.Index, timeout: float) -> SegmentWriter:
    """A Whoosh writer with this project's codec and compact posting pool.

    Raises IndexBusy when another process holds the write lock past ``timeout``.
    """
    try:
        writer = ix.writer(timeout=timeout, compound=COMPOUND_SEGMENTS, codec=SocnewsCodec())
    except LockError:
        raise IndexBusy("another process is writing the search index; try again later") from None
    writer.pool = CompactPostingPool()  # Whoosh ignores its poolclass argument
    return writer


def _write(
    ix: whoosh_index.Index,
    docs: Iterable[StoredDocument],
    timeout: float,
    fresh: bool = False,
) -> list[tuple[str, str]]:
    """Write one batch in one commit; ``fresh``: none of these ids is in the index yet.

    ``update_document`` looks every id up in every segment to delete the old
    copy; a rebuild writes each id once, so it adds without looking.
    """
    writer = _writer(ix, timeout)
    done: list[tuple[str, str]] = []
    try:
        seen: set[str] = set()
        add = writer.add_document if fresh else writer.update_document
        for doc in docs:
            if doc.id in seen:
                continue
            seen.add(doc.id)
            add(**document_fields(doc))
            done.append((doc.content_hash, doc.id))
        writer.commit(mergetype=merge_small_segments)
        write_manifest(ix, Path(ix.storage.folder))
    except BaseException:
        writer.cancel()
        raise
    return done


def update_index(
    store: Store,
    index_dir: Path,
    rebuild: bool = False,
    timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStats:
    """Index new and changed documents (all of them with ``rebuild``)."""
    ix, fresh = open_or_create(index_dir, force_new=rebuild)
    stats = IndexStats(rebuilt=fresh)
    if fresh:
        store.reset_indexed()
    pending = store.count_documents(unindexed_only=True)
    # Ids first: the store is updated while we go, and a live cursor over
    # rows being updated may skip or repeat them.
    ids = store.unindexed_ids()
    size = BATCH if rebuild else INCREMENTAL_BATCH
    for start in range(0, len(ids), size):
        done = _write(ix, _read(store, ids[start : start + size]), timeout, fresh=fresh)
        store.mark_indexed(done)
        stats.indexed += len(done)
        if progress:
            progress(stats.indexed, pending)
    if not fresh and store.meta("index_dirty"):
        stats.removed = _drop_deleted(ix, store, timeout)
    store.set_meta("index_dirty", None)
    with ix.searcher() as s:
        stats.total = s.doc_count()
    return stats


def _drop_deleted(ix: whoosh_index.Index, store: Store, timeout: float) -> int:
    """Remove index entries whose documents the store no longer has."""
    with ix.searcher() as s:
        indexed = {f["id"] for f in s.reader().all_stored_fields()}
    gone = indexed - set(store.document_ids())
    if gone:
        writer = _writer(ix, timeout)
        for doc_id in gone:
            writer.delete_by_term("id", doc_id)
        writer.commit(mergetype=merge_small_segments)
        write_manifest(ix, Path(ix.storage.folder))
    return len(gone)
