"""Index build and query latency: the socnews Whoosh index against SQLite FTS5.

    python -m benchmarks.bench_index [--docs 10000 --docs 50000] [--reps 3]
                                     [--entities manifest|extracted] [--profile]

Why: search must stay interactive on a whole archive (tens of thousands of
articles) and a rebuild must not take an afternoon. Whoosh is pure Python;
SQLite FTS5 is the obvious C alternative that ships with Python, so it is
the peer every figure is compared with, on the same documents, in the same
run, on the same machine.

How, per ``--docs N``:

1. ``fixtures.generate`` writes an N-article synthetic archive (shared with
   ``bench_crawl``); every article page is extracted once with socnews's
   ``extract_page`` (2 processes) into a cached store,
   ``benchmarks/work/corpus-….sqlite3``. With ``--entities manifest`` (the
   default) people, institutions, projects, places and dates come from the
   generator's ground truth, so the facet load is realistic whatever the
   state of entity extraction; title and text are always extracted.
2. Builds, each in its own subprocess so its peak RSS (``VmHWM``, see
   ``bench_extraction.peak_rss_kib``) is its own (order alternated between sizes): socnews ``update_index(rebuild=True)``
   on a copy of the store; FTS5 reading the same store, one ``fts5(title,
   text, tokenize='unicode61 remove_diacritics 2')`` table plus a docs table
   (source, published, year), a ``facet(doc, kind, value)`` join table for
   counts, a ``fkey(doc, kind, key)`` table for filters and a ``days`` table
   for date ranges. Rate (docs/s), on-disk size, peak RSS.
3. Queries, each engine returning the same things (total, top 10 with a
   snippet, and with facets the counts over the whole result set): each
   query's first run is timed apart (``first_run_*``: its term and facet
   caches are cold, as for a one-off CLI search), then ``--reps`` timed
   repetitions interleaved engine by engine (a long-lived searcher): single words and phrases picked by document frequency from the
   corpus, filters (person, institution, date range, word + person) and
   faceted queries (``search(..., with_facets=True)`` for words, an
   institution, a date range). Latency p50/p95 per kind.

FTS5 matches unstemmed tokens while socnews's analyzer stems and lemmatizes,
so FTS5 finds fewer documents for most words: the hit counts are saved next
to the latencies. ``--profile`` cProfiles one socnews build and the faceted
queries and reports where the time goes.

Results are merged into ``benchmarks/results/bench_index.json`` under N.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_crawl import (
    WORK,
    dir_bytes,
    ensure_archive,
    format_profile,
    profile_summary,
    run_child,
)
from benchmarks.bench_extraction import (
    RESULTS_DIR,
    format_rows,
    git_head,
    load_results,
    machine_info,
    now_iso,
    peak_rss_kib,
    percentile,
    save_json,
)

RESULTS_PATH = RESULTS_DIR / "bench_index.json"
FACET_KINDS = ("person", "institution", "project", "place")
TARGETS = {"faceted_p50_ms": 20.0, "faceted_p95_ms": 100.0, "build_docs_per_second": 300.0}
_WORD = re.compile(r"[^\W\d_]+")  # letters only; adjacency kept for phrases


# --------------------------------------------------------------------------- corpus


def _entities_from_truth(truth: dict[str, Any]) -> dict[str, Any]:
    """Manifest ground truth in the contract JSON shape of a record."""
    return {
        "published": truth.get("published"),
        "event_dates": truth.get("event_dates") or [],
        "people": [{"name": p["name"], "role": p.get("role")} for p in truth.get("people") or []],
        "institutions": [
            {"name": i["name"], "abbr": i.get("abbr")} for i in truth.get("institutions") or []
        ],
        "projects": [
            {"code": p.get("code"), "name": p.get("name")} for p in truth.get("projects") or []
        ],
        "places": list(truth.get("places") or []),
    }


_SITES: dict[str, Any] = {}


def _extract_one(job: tuple[str, dict[str, Any], bool]) -> tuple[str, str, dict[str, Any]] | None:
    """Worker: one manifest article to (doc id, host, record JSON), or None if unservable."""
    from crawler.extract import extract_page
    from crawler.urls import doc_id
    from fixtures.serve import Site

    root, art, use_truth = job
    site = _SITES.get(root)
    if site is None:
        site = _SITES[root] = Site.load(Path(root))
    route = site.resolve(art["path"])
    if route is None:
        return None
    host = site.meta["host"]
    url = f"https://{host}{art['path']}"
    record = extract_page(route.file.read_bytes(), url, {"content-type": route.content_type})
    rec = record.to_json()
    if use_truth:
        rec.update(_entities_from_truth(art))
    return doc_id(url), host, rec


def ensure_corpus(archive: Path, entities: str, work: Path) -> tuple[Path, dict[str, Any]]:
    """A socnews store holding every article of ``archive``, extracted once and cached."""
    from crawler.record import Record
    from crawler.store import Store, content_hash

    path = work / f"corpus-{archive.name}-{entities}.sqlite3"
    info = path.with_suffix(".json")
    if path.exists() and info.exists():
        return path, json.loads(info.read_text(encoding="utf-8"))
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    jobs = [(str(archive / a["site"]), a, entities == "manifest") for a in manifest["articles"]]
    started = time.perf_counter()
    saved = 0
    with multiprocessing.Pool(min(2, os.cpu_count() or 1)) as pool, Store(path) as store:
        store.db.execute("BEGIN")
        for out in pool.imap(_extract_one, jobs, chunksize=64):
            if out is None:
                continue
            did, host, rec = out
            record = Record.from_json(rec)
            store.save_document(did, record, host, content_hash(record))
            saved += 1
        store.db.execute("COMMIT")
    seconds = time.perf_counter() - started
    meta = {
        "articles": len(jobs),
        "documents": saved,
        "extract_seconds": seconds,
        "extract_pages_per_second_2proc": len(jobs) / seconds,
        "entities": entities,
    }
    info.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path, meta


# --------------------------------------------------------------------------- FTS5


FTS_SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, doc_id TEXT UNIQUE, url TEXT, source TEXT,
                  title TEXT, published TEXT, year TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='unicode61 remove_diacritics 2');
CREATE TABLE facet(doc INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE fkey(doc INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL);
CREATE TABLE days(doc INTEGER NOT NULL, day TEXT NOT NULL);
"""
FTS_INDEXES = """
CREATE INDEX facet_cover ON facet(doc, kind, value);
CREATE INDEX fkey_key ON fkey(kind, key, doc);
CREATE INDEX days_day ON days(day, doc);
CREATE INDEX docs_published ON docs(published);
"""


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def build_fts(store_path: Path, fts_path: Path) -> int:
    """Load every stored document into a fresh FTS5 database; returns the count."""
    from crawler.store import Store

    if fts_path.exists():
        fts_path.unlink()
    db = sqlite3.connect(fts_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(FTS_SCHEMA)
    db.execute("BEGIN")
    n = 0
    with Store(store_path) as store:
        for n, doc in enumerate(store.documents(), start=1):
            r = doc.record
            pub = r.published.isoformat() if r.published else ""
            db.execute(
                "INSERT INTO docs VALUES (?,?,?,?,?,?,?)",
                (n, doc.id, doc.url, doc.host, r.title, pub, pub[:4]),
            )
            db.execute("INSERT INTO fts(rowid, title, text) VALUES (?,?,?)", (n, r.title, r.text))
            facets = [("person", p.name) for p in r.people]
            facets += [("institution", i.name) for i in r.institutions]
            facets += [("project", p.code or p.name or "") for p in r.projects]
            facets += [("place", p) for p in r.places]
            db.executemany(
                "INSERT INTO facet VALUES (?,?,?)", [(n, k, v) for k, v in dict.fromkeys(facets)]
            )
            keys = {("person", _fold(p.name)) for p in r.people}
            keys |= {("person", _fold(p.name).split(" ")[-1]) for p in r.people}
            keys |= {("institution", _fold(i.name)) for i in r.institutions}
            keys |= {("institution", _fold(i.abbr)) for i in r.institutions if i.abbr}
            keys |= {("place", _fold(p)) for p in r.places}
            db.executemany("INSERT INTO fkey VALUES (?,?,?)", [(n, k, v) for k, v in keys])
            days = {d.isoformat() for d in r.event_dates} | ({pub} if pub else set())
            db.executemany("INSERT INTO days VALUES (?,?)", [(n, d) for d in days])
    db.execute("COMMIT")
    db.executescript(FTS_INDEXES)
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.close()
    return n


class FtsSearch:
    """The FTS5 peer of ``index.search.search``: total, top hits with snippets, facets."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        # the page cache and mmap a tuned deployment would give it (Whoosh reads via the OS)
        self.db.execute("PRAGMA cache_size=-262144")
        self.db.execute("PRAGMA mmap_size=1073741824")
        self.db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY)")

    def close(self) -> None:
        self.db.close()

    def _where(self, f: Any) -> tuple[list[str], list[Any]]:
        sql, params = [], []
        for kind, values in (("person", f.person), ("institution", f.institution)):
            for v in values:
                sql.append(f"{{id}} IN (SELECT doc FROM fkey WHERE kind='{kind}' AND key=?)")
                params.append(_fold(v))
        if f.date_from or f.date_to:
            sql.append("{id} IN (SELECT doc FROM days WHERE day BETWEEN ? AND ?)")
            params += [f.date_from or "0000", f.date_to or "9999"]
        return sql, params

    def search(
        self, query: str, filters: Any, limit: int = 10, with_facets: bool = False
    ) -> dict[str, Any]:
        db = self.db
        where, params = self._where(filters)
        db.execute("DELETE FROM m")
        if query:
            match = " ".join(f'"{w}"' for w in query.split()) if '"' not in query else query
            # unary + keeps the filters out of FTS5's plan: otherwise SQLite drives the
            # query from the filter's rows and re-runs the MATCH once per row (8× slower)
            conds = " AND ".join(["fts MATCH ?", *(w.format(id="+fts.rowid") for w in where)])
            db.execute(f"INSERT INTO m SELECT rowid FROM fts WHERE {conds}", [match, *params])
            rows = db.execute(
                "SELECT fts.rowid, docs.doc_id, docs.url, docs.title, docs.published,"
                " snippet(fts, 1, '<b>', '</b>', ' … ', 24) FROM fts JOIN docs ON"
                f" docs.id = fts.rowid WHERE {conds} ORDER BY bm25(fts, 2.0, 1.0) LIMIT ?",
                [match, *params, limit],
            ).fetchall()
        else:
            conds = " AND ".join(w.format(id="id") for w in where) or "1"
            db.execute(f"INSERT INTO m SELECT id FROM docs WHERE {conds}", params)
            rows = db.execute(
                "SELECT d.id, d.doc_id, d.url, d.title, d.published, substr(fts.text, 1, 200)"
                " FROM (SELECT docs.* FROM m CROSS JOIN docs ON docs.id = m.id"
                " ORDER BY docs.published DESC LIMIT ?) AS d JOIN fts ON fts.rowid = d.id",
                [limit],
            ).fetchall()
        total = db.execute("SELECT count(*) FROM m").fetchone()[0]
        hits = [
            {"id": r[1], "url": r[2], "title": r[3], "published": r[4], "snippet": r[5]}
            for r in rows
        ]
        facets: dict[str, list[dict[str, Any]]] = {}
        if with_facets:
            for kind in FACET_KINDS:
                facets[kind] = [
                    {"value": v, "count": c}
                    for v, c in db.execute(
                        "SELECT value, count(*) AS c FROM m CROSS JOIN facet ON facet.doc = m.id"
                        " WHERE facet.kind=? GROUP BY value ORDER BY c DESC, value",
                        (kind,),
                    )
                ]
            for name, col in (("year", "year"), ("source", "source")):
                facets[name] = [
                    {"value": v, "count": c}
                    for v, c in db.execute(
                        f"SELECT {col}, count(*) AS c FROM m CROSS JOIN docs ON docs.id = m.id"
                        f" WHERE {col} != '' GROUP BY {col} ORDER BY c DESC, {col}"
                    )
                ]
        return {"query": query, "total": total, "hits": hits, "facets": facets}


# --------------------------------------------------------------------------- build children


def build_child(argv: list[str]) -> int:
    """Subprocess body: one build (socnews or fts), figures to ``--result``."""
    ap = argparse.ArgumentParser(prog="bench_index build")
    ap.add_argument("engine", choices=("socnews", "fts"))
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    ap.add_argument("--profile", type=Path)
    args = ap.parse_args(argv)
    profiler = cProfile.Profile() if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    if args.engine == "socnews":
        from crawler.store import Store
        from index.writer import update_index

        with Store(args.db) as store:
            docs = update_index(store, args.out, rebuild=True).indexed
    else:
        docs = build_fts(args.db, args.out)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = dir_bytes(args.out) if args.out.is_dir() else args.out.stat().st_size
    args.result.write_text(
        json.dumps(
            {
                "docs": docs,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "bytes": size,
                "vmhwm_kib": peak_rss_kib(),
            }
        ),
        encoding="utf-8",
    )
    return 0


def run_build(
    engine: str, corpus: Path, run_dir: Path, timeout: float, profile: Path | None = None
) -> dict[str, Any]:
    """Build one engine's index in a subprocess; adds docs/s and the child's peak RSS."""
    run_dir.mkdir(parents=True, exist_ok=True)
    db = corpus
    if engine == "socnews":  # update_index marks documents indexed: work on a copy
        db = run_dir / "store.sqlite3"
        for f in run_dir.glob("store.sqlite3*"):
            f.unlink()
        shutil.copyfile(corpus, db)
    out = run_dir / ("index" if engine == "socnews" else "fts.sqlite3")
    if out.is_dir():
        shutil.rmtree(out)
    result_file = run_dir / f"build-{engine}.json"
    cmd = [sys.executable, "-m", "benchmarks.bench_index", "build", engine, "--db", str(db)]
    cmd += ["--out", str(out), "--result", str(result_file)]
    if profile:
        cmd += ["--profile", str(profile)]
    status, wall, maxrss = run_child(cmd, timeout)
    if status != 0:
        raise RuntimeError(f"{engine} build failed with exit status {status}")
    r = json.loads(result_file.read_text(encoding="utf-8"))
    r.update(
        path=str(out),
        docs_per_second=r["docs"] / r["seconds"],
        process_seconds=wall,
        # the child's own peak; wait4's figure also holds this driver's peak (see peak_rss_kib)
        maxrss_kib=r.get("vmhwm_kib") or maxrss,
        wait4_maxrss_kib=maxrss,
    )
    return r


# --------------------------------------------------------------------------- queries


@dataclass(slots=True)
class BenchQuery:
    kind: str  # word | phrase | filter | faceted
    label: str
    text: str = ""
    person: list[str] = field(default_factory=list)
    institution: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    facets: bool = False

    def filters(self) -> Any:
        from index.search import Filters

        return Filters(
            person=list(self.person),
            institution=list(self.institution),
            date_from=self.date_from,
            date_to=self.date_to,
        )


def _bands(counter: Counter, n_docs: int, count: int) -> tuple[list[str], list[str]]:
    """``count`` frequent items (10-40% of documents) and ``count`` mid ones (0.5-3%)."""
    ranked = [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]
    high = [k for k in ranked if 0.10 * n_docs <= counter[k] <= 0.40 * n_docs]
    mid = [k for k in ranked if 0.005 * n_docs <= counter[k] <= 0.03 * n_docs]

    def spread(items: list[str]) -> list[str]:
        if len(items) <= count:
            return items
        step = len(items) / count
        return [items[int(i * step)] for i in range(count)]

    return spread(high), spread(mid)


def pick_queries(corpus: Path, per_kind: int = 10) -> list[BenchQuery]:
    """A deterministic query set drawn from the corpus by document frequency."""
    from crawler.store import Store

    words: Counter = Counter()
    bigrams: Counter = Counter()
    people: Counter = Counter()
    insts: Counter = Counter()
    days: list[str] = []
    n = 0
    with Store(corpus) as store:
        for n, doc in enumerate(store.documents(), start=1):
            r = doc.record
            toks = _WORD.findall(r.text.casefold())
            if n <= 5000:  # document frequencies from a sample are enough to choose queries
                words.update(t for t in set(toks) if len(t) >= 4)
                bigrams.update(
                    {
                        f"{a} {b}"
                        for a, b in zip(toks, toks[1:], strict=False)
                        if len(a) >= 4 and len(b) >= 4
                    }
                )
            people.update({p.name for p in r.people})
            insts.update({i.abbr or i.name for i in r.institutions})
            if r.published:
                days.append(r.published.isoformat())
    sample = min(n, 5000)
    hi_w, mid_w = _bands(words, sample, per_kind // 2)
    hi_b, mid_b = _bands(bigrams, sample, per_kind // 2)
    hi_p, mid_p = _bands(people, n, per_kind // 2)
    hi_i, _ = _bands(insts, n, per_kind)
    if not hi_p:  # few people recur: take the most frequent ones
        hi_p = [k for k, _ in people.most_common(per_kind // 2)]
    if not hi_i:
        hi_i = [k for k, _ in insts.most_common(per_kind // 2)]
    days.sort()
    ranges = []
    if days:
        for i in range(per_kind // 2):
            start = date.fromisoformat(days[int(len(days) * (i + 0.5) / (per_kind // 2 + 1))])
            ranges.append((start.isoformat(), (start + timedelta(days=30)).isoformat()))
    q: list[BenchQuery] = []
    q += [BenchQuery("word", f"word:{w}", text=w) for w in hi_w + mid_w]
    q += [BenchQuery("phrase", f"phrase:{b}", text=f'"{b}"') for b in hi_b + mid_b]
    q += [BenchQuery("filter", f"person:{p}", person=[p]) for p in hi_p + mid_p]
    q += [BenchQuery("filter", f"institution:{i}", institution=[i]) for i in hi_i[: per_kind // 2]]
    q += [BenchQuery("filter", f"dates:{a}..{b}", date_from=a, date_to=b) for a, b in ranges]
    q += [
        BenchQuery("filter", f"{w}+person:{p}", text=w, person=[p])
        for w, p in zip(hi_w, hi_p, strict=False)
    ]
    q += [BenchQuery("faceted", f"facets word:{w}", text=w, facets=True) for w in hi_w + mid_w]
    q += [
        BenchQuery("faceted", f"facets institution:{i}", institution=[i], facets=True)
        for i in hi_i[: per_kind // 2]
    ]
    q += [
        BenchQuery("faceted", f"facets dates:{a}..{b}", date_from=a, date_to=b, facets=True)
        for a, b in ranges
    ]
    return q


def time_queries(
    index_dir: Path, fts_path: Path, queries: list[BenchQuery], reps: int
) -> dict[str, Any]:
    """Latency of every query on both engines: each query's first run (cold caches)
    is reported apart from the interleaved repetitions that follow it."""
    from index.search import search

    fts = FtsSearch(fts_path)

    def whoosh(q: BenchQuery) -> dict[str, Any]:
        return search(index_dir, q.text, q.filters(), limit=10, with_facets=q.facets)

    def sqlite(q: BenchQuery) -> dict[str, Any]:
        return fts.search(q.text, q.filters(), limit=10, with_facets=q.facets)

    engines = {"socnews": whoosh, "fts5": sqlite}
    per_query: list[dict[str, Any]] = []
    for fn in engines.values():  # open both engines before anything is timed
        fn(BenchQuery("word", "open", text="социални"))
    for q in queries:  # first run of each query: its caches are cold, so it is timed apart
        row: dict[str, Any] = {"kind": q.kind, "label": q.label, "total": {}, "first_ms": {}}
        for name, fn in engines.items():
            started = time.perf_counter()
            row["total"][name] = fn(q)["total"]
            row["first_ms"][name] = 1000 * (time.perf_counter() - started)
        row["ms"] = {name: [] for name in engines}
        per_query.append(row)
    for rep in range(reps):
        for q, row in zip(queries, per_query, strict=True):
            order = list(engines) if rep % 2 == 0 else list(engines)[::-1]
            for name in order:
                started = time.perf_counter()
                engines[name](q)
                row["ms"][name].append(1000 * (time.perf_counter() - started))
    fts.close()
    by_kind: dict[str, dict[str, dict[str, float]]] = {}
    for kind in dict.fromkeys(q.kind for q in queries):
        rows = [r for r in per_query if r["kind"] == kind]
        by_kind[kind] = {}
        for name in engines:
            sample = [ms for r in rows for ms in r["ms"][name]]
            by_kind[kind][name] = {
                "p50_ms": percentile(sample, 50),
                "p95_ms": percentile(sample, 95),
                "max_ms": max(sample),
                "n": len(sample),
                "median_hits": statistics.median(r["total"][name] for r in rows),
                "first_run_p50_ms": percentile([r["first_ms"][name] for r in rows], 50),
                "first_run_p95_ms": percentile([r["first_ms"][name] for r in rows], 95),
            }
    return {"by_kind": by_kind, "queries": per_query}


def profile_queries(index_dir: Path, queries: list[BenchQuery], out: Path) -> dict[str, Any]:
    """cProfile the socnews faceted queries once each (after the timed runs warmed caches)."""
    from index.search import search

    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        if q.kind == "faceted":
            search(index_dir, q.text, q.filters(), limit=10, with_facets=True)
    prof.disable()
    prof.dump_stats(out)
    summary = profile_summary(out)
    summary["file"] = str(out)
    return summary


# --------------------------------------------------------------------------- driver


def run_size(n: int, args: argparse.Namespace, first: str) -> dict[str, Any]:
    archive, gen_seconds = ensure_archive(n, args.sites, args.seed, args.work)
    corpus, corpus_info = ensure_corpus(archive, args.entities, args.work)
    print(f"corpus {corpus.name}: {corpus_info}", file=sys.stderr, flush=True)
    run_dir = args.work / "runs" / f"index-p{n}"
    builds = {}
    for engine in (first, "fts" if first == "socnews" else "socnews"):
        builds[engine] = run_build(engine, corpus, run_dir, args.timeout)
        b = builds[engine]
        print(
            f"build {engine:8} {b['docs']} docs in {b['seconds']:.1f} s = "
            f"{b['docs_per_second']:.0f} docs/s, {b['bytes'] / 2**20:.0f} MiB, "
            f"peak {b['maxrss_kib'] / 1024:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
    queries = pick_queries(corpus, args.per_kind)
    index_dir, fts_path = Path(builds["socnews"]["path"]), Path(builds["fts"]["path"])
    latency = time_queries(index_dir, fts_path, queries, args.reps)
    entry: dict[str, Any] = {
        "date": now_iso(),
        "socnews_commit": git_head(),
        "docs": n,
        "sites": args.sites,
        "seed": args.seed,
        "entities": args.entities,
        "archive": {"dir": str(archive), "generated_seconds": gen_seconds},
        "corpus": corpus_info,
        "build": builds,
        "latency": latency,
    }
    fac = latency["by_kind"]["faceted"]["socnews"]
    bld = builds["socnews"]["docs_per_second"]
    entry["targets"] = {
        "faceted_p50_ms": {"target": TARGETS["faceted_p50_ms"], "value": fac["p50_ms"],
                           "met": fac["p50_ms"] <= TARGETS["faceted_p50_ms"]},
        "faceted_p95_ms": {"target": TARGETS["faceted_p95_ms"], "value": fac["p95_ms"],
                           "met": fac["p95_ms"] <= TARGETS["faceted_p95_ms"]},
        "build_docs_per_second": {"target": TARGETS["build_docs_per_second"], "value": bld,
                                  "met": bld >= TARGETS["build_docs_per_second"]},
    }  # fmt: skip
    if args.profile:
        entry["profile_queries"] = profile_queries(
            index_dir, queries, args.work / f"bench_index-queries-p{n}.prof"
        )
        prof = args.work / f"bench_index-build-p{n}.prof"
        run_build("socnews", corpus, run_dir, args.timeout, profile=prof)
        entry["profile_build"] = profile_summary(prof) | {"file": str(prof)}
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return entry


def format_report(e: dict[str, Any]) -> str:
    b = e["build"]
    rows = [
        ["build docs/s", f"{b['socnews']['docs_per_second']:.0f}",
         f"{b['fts']['docs_per_second']:.0f}"],
        ["build seconds", f"{b['socnews']['seconds']:.1f}", f"{b['fts']['seconds']:.1f}"],
        ["index size MiB", f"{b['socnews']['bytes'] / 2**20:.0f}",
         f"{b['fts']['bytes'] / 2**20:.0f}"],
        ["build peak RSS MiB", f"{b['socnews']['maxrss_kib'] / 1024:.0f}",
         f"{b['fts']['maxrss_kib'] / 1024:.0f}"],
    ]  # fmt: skip
    for kind, eng in e["latency"]["by_kind"].items():
        s, f = eng["socnews"], eng["fts5"]
        rows.append(
            [f"{kind} p50 / p95 ms", f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f}",
             f"{f['p50_ms']:.1f} / {f['p95_ms']:.1f}"]
        )  # fmt: skip
        rows.append(
            [f"{kind} first run p50 ms", f"{s['first_run_p50_ms']:.1f}",
             f"{f['first_run_p50_ms']:.1f}"]
        )  # fmt: skip
        rows.append([f"{kind} median hits", f"{s['median_hits']:.0f}", f"{f['median_hits']:.0f}"])
    head = f"{e['docs']} documents ({e['entities']} entities), {e['sites']} sites"
    t = "\n".join(
        f"  {k}: {v['value']:.1f} (target {v['target']:.0f}) {'met' if v['met'] else 'MISSED'}"
        for k, v in e["targets"].items()
    )
    out = f"{head}\n{format_rows(['', 'socnews (Whoosh)', 'SQLite FTS5'], rows)}\n\ntargets:\n{t}"
    for key in ("profile_queries", "profile_build"):
        if key in e and "from_run" not in e[key]:  # one kept from an earlier run is not this run's
            what = "faceted queries" if key == "profile_queries" else "one index build"
            out += "\n\n" + format_profile(e[key], title=what)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build"]:
        return build_child(argv[1:])
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_index", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--docs", type=int, action="append", help="documents (repeatable)")
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--entities", choices=("manifest", "extracted"), default="manifest")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions per query")
    ap.add_argument("--per-kind", type=int, default=10, help="queries per kind")
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--timeout", type=float, default=7200)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the built indexes")
    ap.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = ap.parse_args(argv)
    sizes = args.docs or [10_000, 50_000]
    existing = load_results(args.out)
    by_docs = existing.get("by_docs", {})
    for i, n in enumerate(sizes):
        entry = run_size(n, args, first="socnews" if i % 2 == 0 else "fts")
        previous = by_docs.get(str(n), {})
        for key in ("profile_queries", "profile_build"):  # keep the last profile taken
            if key not in entry and key in previous:
                entry[key] = previous[key] | {"from_run": previous.get("date")}
        print(format_report(entry))
        print()
        by_docs[str(n)] = entry
        result = {
            "benchmark": "bench_index",
            "date": entry["date"],
            "machine": machine_info(),
            "by_docs": by_docs,
        }
        save_json(result, args.out)  # after each size: a long run keeps what it measured
    print(f"saved: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
