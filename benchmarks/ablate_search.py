"""What each search tuning buys: the benchmark queries with one tuning switched off at a time.

Usage::

    python -m benchmarks.ablate_search --index DIR --corpus STORE.sqlite3 [--reps 3]

``DIR`` is an index built by ``bench_index --keep`` (or ``socnews index``) and
``STORE`` the corpus it was built from (the queries are drawn from it exactly
as ``bench_index`` draws them).  Each variant runs in a fresh searcher, so no
variant inherits another's caches; within a variant every query runs once
cold (timed apart) and then ``--reps`` times.  Variants:

* ``all tunings``: the shipped code.
* ``no set algebra``: result sets from Whoosh's ``docs_for_query`` (stepping
  matchers in Python) instead of :mod:`index.docsets`.
* ``no block ranking``: word queries ranked by Whoosh's matchers instead of
  :mod:`index.ranking`'s cached per-term score arrays.
* ``no tree unions``: Whoosh picks its array union matcher for small segments
  (matters only where Whoosh ranks: phrases, sorting, collapsing, or with
  block ranking off).
* ``no date terms``: date filters as a ``TermRange`` over day terms instead of
  year/month/day pieces (:mod:`index.dateranges`).
* ``no term cache``: every term's documents read from the postings on every query.
* ``naive facets``: facet values unpacked per document and counted in a
  Python loop (the previous implementation).
* ``phrases twice``: a phrase query walks positions once for the ranking and
  again for the result set, instead of recording matches while ranking.

Results go to ``benchmarks/results/ablate_search.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.bench_extraction import (
    git_head,
    load_results,
    machine_info,
    now_iso,
    percentile,
    save_json,
)
from benchmarks.bench_index import BenchQuery, pick_queries

RESULTS_PATH = Path(__file__).resolve().parent / "results" / "ablate_search.json"


@contextlib.contextmanager
def patched(obj: object, name: str, value: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _whoosh_docs(searcher, q) -> set[int]:  # noqa: ANN001
    return set(searcher.docs_for_query(q))


def _range_docs(searcher, f) -> set[int]:  # noqa: ANN001
    from whoosh.query import TermRange

    q = TermRange("dates", f.date_from, f.date_to, startexcl=False, endexcl=False)
    return set(searcher.docs_for_query(q))


def _naive_facets(searcher, docnums) -> dict:  # noqa: ANN001
    from index.facets import FACETS
    from index.writer import unpack_facets

    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    column = searcher.reader().column_reader("facets")
    for d in docnums:
        for kind, value in unpack_facets(column[d]):
            counters[kind][value] += 1
    return {
        name: [{"value": v, "count": c} for v, c in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
        for name, c in counters.items()
    }


def variants() -> dict[str, Callable[[], contextlib.AbstractContextManager]]:
    from index import docsets, ranking
    from index import search as search_mod

    return {
        "all tunings": contextlib.nullcontext,
        "no set algebra": lambda: patched(docsets, "docs", _whoosh_docs),
        "no block ranking": lambda: patched(ranking, "top_k", lambda *a: None),
        "no tree unions": lambda: patched(search_mod, "_tree_unions", lambda q: q),
        "no date terms": lambda: patched(search_mod, "_date_docs", _range_docs),
        "no term cache": lambda: patched(docsets, "CACHE_BUDGET", 0),
        "naive facets": lambda: patched(search_mod, "facet_counts", _naive_facets),
        "phrases twice": lambda: patched(search_mod, "_positional", lambda q: False),
    }


def run_variant(index_dir: Path, queries: list[BenchQuery], reps: int) -> dict[str, Any]:
    from index import search as search_mod

    search_mod._OPEN.clear()  # a fresh searcher: no caches from another variant
    search_mod.search(index_dir, "социални")  # open the index outside the timings
    first: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    for q in queries:
        started = time.perf_counter()
        search_mod.search(index_dir, q.text, q.filters(), limit=10, with_facets=q.facets)
        first.setdefault(q.kind, []).append(1000 * (time.perf_counter() - started))
    for _ in range(reps):
        for q in queries:
            started = time.perf_counter()
            search_mod.search(index_dir, q.text, q.filters(), limit=10, with_facets=q.facets)
            warm.setdefault(q.kind, []).append(1000 * (time.perf_counter() - started))
    return {
        kind: {
            "p50_ms": percentile(warm[kind], 50),
            "p95_ms": percentile(warm[kind], 95),
            "first_run_p50_ms": percentile(first[kind], 50),
            "n": len(warm[kind]),
        }
        for kind in warm
    }


def format_table(result: dict[str, Any]) -> str:
    kinds = list(next(iter(result["variants"].values())))
    head = "variant".ljust(18) + "".join(f"{k + ' p50/p95/first':>30}" for k in kinds)
    lines = [head]
    for name, by_kind in result["variants"].items():
        cells = "".join(
            f"{by_kind[k]['p50_ms']:>12.1f}{by_kind[k]['p95_ms']:>9.1f}{by_kind[k]['first_run_p50_ms']:>9.1f}"
            for k in kinds
        )
        lines.append(name.ljust(18) + cells)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--per-kind", type=int, default=10)
    ap.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = ap.parse_args(argv)
    queries = pick_queries(args.corpus, args.per_kind)
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(args.index)).searcher() as s:
        docs = s.doc_count()
    result: dict[str, Any] = {
        "benchmark": "ablate_search",
        "date": now_iso(),
        "machine": machine_info() | {"socnews_commit": git_head()},
        "docs": docs,
        "queries": len(queries),
        "reps": args.reps,
        "variants": {},
    }
    for name, ctx in variants().items():
        with ctx():
            result["variants"][name] = run_variant(args.index, queries, args.reps)
        print(f"{name}: done", file=sys.stderr, flush=True)
    base = result["variants"]["all tunings"]
    result["slowdown_without"] = {
        name: {k: v[k]["p50_ms"] / base[k]["p50_ms"] if base[k]["p50_ms"] else None for k in base}
        for name, v in result["variants"].items()
        if name != "all tunings"
    }
    print(f"{docs} documents, p50 / p95 / first-run p50 in ms")
    print(format_table(result))
    existing = load_results(args.out)
    by_docs = existing.get("by_docs", {})
    by_docs[str(docs)] = result
    save_json({"benchmark": "ablate_search", "by_docs": by_docs}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
