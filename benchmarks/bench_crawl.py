"""Crawl speed and memory: socnews against a minimal Scrapy spider on a synthetic archive.

    python -m benchmarks.bench_crawl [--pages 5000] [--sites 4] [--concurrency 4]
                                     [--rounds 2] [--profile]

Run it with the benchmark venv's Python (it has both socnews and Scrapy), or
point ``--scrapy-python`` at one that has Scrapy.

Why: a crawl of a real archive is tens of thousands of pages, and the crawl
loop does much more per page than fetching (robots, scope and trap checks,
SQLite state, WARC, extraction, near-duplicate detection). The question
this answers is what that costs against the reference Python crawler doing
the bare crawl on the same pages, served by the same loopback server, on the
same machine, in the same run.

How:

1. ``fixtures.generate`` writes an archive of ``--pages`` articles over
   ``--sites`` sites into ``benchmarks/work/synth-…`` (reused when its
   manifest already matches).
2. ``fixtures.serve.serve_sites`` serves it on 127.0.0.1 in this process,
   one port per site; the seeds are each site's start page.
3. Each round runs both sides, alternating which goes first, each in its own
   subprocess so its peak RSS is its own. Each child reports its ``VmHWM``
   (``bench_extraction.peak_rss_kib``); ``os.wait4``'s ``ru_maxrss`` (the
   per-child form of ``getrusage(RUSAGE_CHILDREN)``) is kept beside it, but
   on Linux it also holds this driver's own peak, carried over at exec.

   - socnews: ``run_crawl`` (delay 0, ``respect_crawl_delay=False``,
     concurrency C, depth unlimited like Scrapy's) with extraction and
     storage as in production, then ``update_index`` timed separately.
   - Scrapy: :mod:`benchmarks.scrapy_spider` with the same seeds, scope,
     per-site (1) and global (C) concurrency, robots.txt obeyed, bodies
     stored gzip-compressed.

4. Figures: pages/s (page responses, robots.txt excluded, over the crawl's
   own wall time), CPU seconds, peak RSS; median over rounds; ratios
   socnews/Scrapy. ``--profile`` adds one cProfile'd socnews crawl and
   reports where its time goes.

Results are merged into ``benchmarks/results/bench_crawl.json`` under the page
count, so the 5,000- and 20,000-page runs live side by side.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_extraction import (
    RESULTS_DIR,
    format_rows,
    git_head,
    load_results,
    machine_info,
    now_iso,
    peak_rss_kib,
    save_json,
)

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / "work"
RESULTS_PATH = RESULTS_DIR / "bench_crawl.json"
DEFAULT_SCRAPY_PYTHON = Path("/tmp/benchvenv/bin/python")
SIDES = ("socnews", "scrapy")


# --------------------------------------------------------------------------- archive


def ensure_archive(pages: int, sites: int, seed: str, work: Path) -> tuple[Path, float | None]:
    """The synthetic archive for these parameters; generated unless already there.

    Returns its directory and the generation time (None when reused).
    """
    out = work / f"synth-p{pages}-k{sites}-s{seed}"
    manifest = out / "manifest.json"
    if manifest.exists():
        try:
            head = json.loads(manifest.read_text(encoding="utf-8"))
            if head.get("pages") == pages and str(head.get("seed")) == seed:
                return out, None
        except (OSError, ValueError):
            pass
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "fixtures.generate", "--pages", str(pages), "--out", str(out)]
    subprocess.run([*cmd, "--seed", seed, "--sites", str(sites)], check=True, cwd=REPO)
    return out, time.perf_counter() - started


def manifest_summary(archive: Path) -> dict[str, Any]:
    """Article and listing counts per site, from the generator's manifest."""
    m = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    return {
        "articles": len(m.get("articles") or []),
        "sites": {
            sid: {k: s.get(k) for k in ("style", "articles", "listing_pages", "bytes")}
            for sid, s in (m.get("sites") or {}).items()
        },
    }


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------- children


def socnews_child(argv: list[str]) -> int:
    """Body of the socnews subprocess: crawl, then index; figures to ``--result``."""
    from crawler.crawl import CrawlConfig, run_crawl
    from crawler.memory import release_memory, resident_kib
    from crawler.store import Store
    from index.writer import update_index

    ap = argparse.ArgumentParser(prog="bench_crawl socnews-child")
    ap.add_argument("--seed", action="append", required=True)
    ap.add_argument("--concurrency", type=int, required=True)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the crawl here")
    args = ap.parse_args(argv)
    config = CrawlConfig(
        seeds=args.seed,
        delay=0.0,
        respect_crawl_delay=False,
        concurrency=args.concurrency,
        max_pages=10_000_000,
        max_depth=1_000_000,  # Scrapy's DEPTH_LIMIT=0: both walk every listing page
    )
    db, archive, index_dir = (
        args.data / "socnews.sqlite3",
        args.data / "archive",
        args.data / "index",
    )
    profiler = cProfile.Profile() if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    summary = run_crawl(db, archive, config)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    crawl_s, crawl_cpu = time.perf_counter() - started, time.process_time() - cpu
    crawl_rss = peak_rss_kib()
    release_memory()  # as ``socnews crawl`` does before its index step
    rss_before_index = resident_kib()
    started, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        stats = update_index(store, index_dir)
    index_s, index_cpu = time.perf_counter() - started, time.process_time() - cpu
    hosts = summary.hosts.values()
    result = {
        "seconds": crawl_s,
        "cpu_seconds": crawl_cpu,
        "pages": summary.fetched,
        "documents": sum(h.documents for h in hosts),
        "errors": summary.errors,
        "missing": sum(h.missing for h in hosts),
        "skipped_robots": sum(h.skipped_robots for h in hosts),
        "duplicates": sum(h.duplicates for h in hosts),
        "stopped": summary.stopped,
        "crawl_maxrss_kib": crawl_rss,
        "rss_before_index_kib": rss_before_index,
        "index_seconds": index_s,
        "index_cpu_seconds": index_cpu,
        "indexed": stats.indexed,
        "maxrss_kib": peak_rss_kib(),
        "bytes": {
            "sqlite": sum(f.stat().st_size for f in args.data.glob("socnews.sqlite3*")),
            "archive": dir_bytes(archive),
            "index": dir_bytes(index_dir),
        },
    }
    args.result.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


def run_child(cmd: list[str], timeout: float) -> tuple[int, float, int]:
    """Run a child to its end; (exit status, wall seconds, its peak RSS in KiB).

    ``os.wait4`` reaps this child alone and gives its own rusage, so one
    side's peak never shows up as the other's.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss


def run_side(
    side: str, seeds: list[str], concurrency: int, run_dir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """One measured crawl by one side in a fresh directory."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    result_file = run_dir / "result.json"
    seed_args = [a for s in seeds for a in ("--seed", s)]
    if side == "socnews":
        cmd = [sys.executable, "-m", "benchmarks.bench_crawl", "socnews-child", *seed_args]
        cmd += ["--concurrency", str(concurrency), "--data", str(run_dir / "data")]
    else:
        cmd = [str(args.scrapy_python), "-m", "benchmarks.scrapy_spider", *seed_args]
        cmd += ["--concurrency", str(concurrency), "--store", str(run_dir / "bodies.gz")]
    cmd += ["--result", str(result_file)]
    server_cpu = time.process_time()  # this process is the server while the child runs
    status, wall, maxrss = run_child(cmd, args.timeout)
    server_cpu = time.process_time() - server_cpu
    if status != 0 or not result_file.exists():
        raise RuntimeError(f"{side} crawl failed with exit status {status}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result.update(
        process_seconds=wall,
        process_maxrss_kib=result.get("maxrss_kib") or maxrss,
        wait4_maxrss_kib=maxrss,
        server_cpu_seconds=server_cpu,
        pages_per_second=result["pages"] / result["seconds"],
    )
    if side == "socnews":
        result["pages_per_second_with_index"] = result["pages"] / (
            result["seconds"] + result["index_seconds"]
        )
        result["index_docs_per_second"] = (
            result["indexed"] / result["index_seconds"] if result["index_seconds"] else None
        )
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- profile


def profile_summary(prof: Path, top: int = 25) -> dict[str, Any]:
    """Where a profiled crawl spent its time: project functions by cumulative, all by own time."""
    st = pstats.Stats(str(prof))
    total = st.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{Path(file).name}:{line}({func})",
                "file": file,
                "calls": nc,
                "own_s": tt,
                "cumulative_s": ct,
                "own_frac": tt / total,
                "cumulative_frac": ct / total,
            }
        )
    repo = str(REPO)
    ours = sorted((r for r in rows if r["file"].startswith(repo)), key=lambda r: -r["cumulative_s"])
    own = sorted(rows, key=lambda r: -r["own_s"])
    strip = [{k: v for k, v in r.items() if k != "file"} for r in ours[:top]]
    return {
        "total_s": total,
        "by_cumulative_project": strip,
        "by_own_time": [{k: v for k, v in r.items() if k != "file"} for r in own[:top]],
    }


def format_profile(p: dict[str, Any], top: int = 20, title: str = "one socnews crawl") -> str:
    rows = [
        [
            r["function"],
            str(r["calls"]),
            f"{r['cumulative_s']:.2f}",
            f"{100 * r['cumulative_frac']:.1f}%",
        ]
        for r in p["by_cumulative_project"][:top]
    ]
    a = format_rows(["socnews function (cumulative)", "calls", "s", "share"], rows)
    rows = [
        [r["function"], str(r["calls"]), f"{r['own_s']:.2f}", f"{100 * r['own_frac']:.1f}%"]
        for r in p["by_own_time"][:top]
    ]
    b = format_rows(["any function (own time)", "calls", "s", "share"], rows)
    return f"profile of {title} ({p['total_s']:.1f} s under cProfile)\n{a}\n\n{b}"


# --------------------------------------------------------------------------- driver


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def summarize(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians per side and the socnews/Scrapy ratios."""
    keys = (
        "pages", "seconds", "cpu_seconds", "pages_per_second", "process_maxrss_kib",
        "server_cpu_seconds", "pages_per_second_with_index", "index_seconds",
        "index_docs_per_second", "crawl_maxrss_kib", "documents",
    )  # fmt: skip
    med = {side: {k: _median(rs, k) for k in keys} for side, rs in runs.items()}
    s, c = med["socnews"], med["scrapy"]
    return {
        "median": {side: {k: v for k, v in m.items() if v is not None} for side, m in med.items()},
        "ratios": {
            "pages_per_second crawl (socnews/scrapy)": s["pages_per_second"]
            / c["pages_per_second"],
            "pages_per_second crawl+index (socnews/scrapy)": s["pages_per_second_with_index"]
            / c["pages_per_second"],
            "cpu_per_page (socnews/scrapy)": (s["cpu_seconds"] / s["pages"])
            / (c["cpu_seconds"] / c["pages"]),
            "peak_rss whole process (socnews/scrapy)": s["process_maxrss_kib"]
            / c["process_maxrss_kib"],
            "peak_rss crawl only (socnews/scrapy)": s["crawl_maxrss_kib"] / c["process_maxrss_kib"],
        },
    }


def format_report(entry: dict[str, Any]) -> str:
    med = entry["summary"]["median"]
    s, c = med["socnews"], med["scrapy"]
    rows = [
        ["pages fetched", f"{s['pages']:.0f}", f"{c['pages']:.0f}"],
        ["crawl seconds", f"{s['seconds']:.1f}", f"{c['seconds']:.1f}"],
        ["crawl pages/s", f"{s['pages_per_second']:.1f}", f"{c['pages_per_second']:.1f}"],
        ["crawl CPU s", f"{s['cpu_seconds']:.1f}", f"{c['cpu_seconds']:.1f}"],
        ["CPU ms/page", f"{1000 * s['cpu_seconds'] / s['pages']:.1f}",
         f"{1000 * c['cpu_seconds'] / c['pages']:.1f}"],
        ["update_index seconds", f"{s['index_seconds']:.1f}", "–"],
        ["index docs/s", f"{s['index_docs_per_second']:.0f}", "–"],
        ["crawl+index pages/s", f"{s['pages_per_second_with_index']:.1f}", "–"],
        ["peak RSS MiB (crawl)", f"{s['crawl_maxrss_kib'] / 1024:.0f}",
         f"{c['process_maxrss_kib'] / 1024:.0f}"],
        ["peak RSS MiB (process)", f"{s['process_maxrss_kib'] / 1024:.0f}",
         f"{c['process_maxrss_kib'] / 1024:.0f}"],
        ["server CPU s", f"{s['server_cpu_seconds']:.1f}", f"{c['server_cpu_seconds']:.1f}"],
    ]  # fmt: skip
    head = (
        f"{entry['pages']} articles over {entry['sites']} sites, concurrency {entry['concurrency']},"
        f" {entry['rounds']} rounds (order alternated), medians; socnews documents "
        f"{s.get('documents', 0):.0f} of {entry['archive']['articles']} generated"
    )
    ratios = "\n".join(f"  {k}: {v:.2f}×" for k, v in entry["summary"]["ratios"].items())
    return f"{head}\n{format_rows(['', 'socnews', 'scrapy'], rows)}\n\nratios:\n{ratios}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["socnews-child"]:
        return socnews_child(argv[1:])
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_crawl", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--pages", type=int, default=5000, help="articles in the archive")
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument(
        "--rounds", type=int, default=2, help="runs per side, order alternated (0: --profile only)"
    )
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--scrapy-python", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per crawl")
    ap.add_argument("--profile", action="store_true", help="add one cProfile'd socnews crawl")
    ap.add_argument("--keep", action="store_true", help="keep each run's data directory")
    ap.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = ap.parse_args(argv)
    if args.scrapy_python is None:
        try:
            import scrapy  # noqa: F401

            args.scrapy_python = Path(sys.executable)
        except ImportError:
            args.scrapy_python = DEFAULT_SCRAPY_PYTHON

    from fixtures.serve import serve_sites

    archive, gen_seconds = ensure_archive(args.pages, args.sites, args.seed, args.work)
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    profile = None
    with serve_sites(sites_dir=archive) as servers:
        seeds = [srv.base_url + srv.site.meta["start"] for srv in servers.values()]
        for rnd in range(args.rounds):
            order = SIDES if rnd % 2 == 0 else SIDES[::-1]
            for side in order:
                run_dir = args.work / "runs" / f"{side}-p{args.pages}-r{rnd}"
                r = run_side(side, seeds, args.concurrency, run_dir, args)
                runs[side].append(r)
                print(
                    f"round {rnd + 1} {side:8} {r['pages']} pages in {r['seconds']:.1f} s = "
                    f"{r['pages_per_second']:.1f} pages/s, peak {r['process_maxrss_kib'] / 1024:.0f}"
                    " MiB",
                    file=sys.stderr,
                    flush=True,
                )
        if args.profile:
            run_dir = args.work / "runs" / f"profile-p{args.pages}"
            if run_dir.exists():
                shutil.rmtree(run_dir)
            run_dir.mkdir(parents=True)
            prof = args.work / f"bench_crawl-p{args.pages}.prof"
            cmd = [sys.executable, "-m", "benchmarks.bench_crawl", "socnews-child"]
            cmd += [a for s in seeds for a in ("--seed", s)]
            cmd += ["--concurrency", str(args.concurrency), "--data", str(run_dir / "data")]
            cmd += ["--result", str(run_dir / "result.json"), "--profile", str(prof)]
            run_child(cmd, args.timeout)
            profile = profile_summary(prof)
            profile["file"] = str(prof)
            shutil.rmtree(run_dir, ignore_errors=True)
    existing = load_results(args.out)
    by_size = existing.get("by_pages", {})
    if profile:
        profile.update(date=now_iso(), socnews_commit=git_head())
    if args.rounds == 0:  # profile only: keep the measured rounds already saved for this size
        entry = by_size.get(str(args.pages), {"date": now_iso(), "pages": args.pages})
        if profile:
            entry["profile"] = profile
            print(format_profile(profile))
    else:
        entry = {
            "date": now_iso(),
            "socnews_commit": git_head(),
            "pages": args.pages,
            "sites": args.sites,
            "seed": args.seed,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "archive": {"dir": str(archive), "generated_seconds": gen_seconds,
                        **manifest_summary(archive)},
            "runs": runs,
            "summary": summarize(runs),
        }  # fmt: skip
        if profile:
            entry["profile"] = profile
        print(format_report(entry))
        if profile:
            print()
            print(format_profile(profile))
    by_size[str(args.pages)] = entry
    result = {
        "benchmark": "bench_crawl",
        "date": entry["date"],
        "machine": machine_info(),
        "by_pages": by_size,
    }
    print(f"\nsaved: {save_json(result, args.out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
