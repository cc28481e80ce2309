"""socnews extraction against trafilatura and htmldate on the fixture gold pages.

    python -m benchmarks.bench_extraction [--reps N] [--fixtures DIR]

Why this exists: the README claims the selectolax extractor is both more
accurate on Bulgarian public-sector layouts and faster than the generic
lxml-based stack. This benchmark checks both claims on the same pages, in the
same process, in the same run, so the noisy 2-core machine affects every
contender alike and the ratios mean something.

Accuracy reuses :mod:`benchmarks.eval_extraction` unchanged (its page loader
and its scoring): every contender is an ``extract(raw, url, headers)`` callable
handed to ``run_eval``. Only the content measures are compared, since the
peers extract no people, institutions or projects: must_include recall,
must_exclude leakage, title accuracy and publication-date accuracy.

Peers (installed only in the benchmark venv, never a runtime dependency):

- trafilatura: main text from ``trafilatura.extract(..., include_comments=False)``,
  title and its own date from ``bare_extraction(..., with_metadata=True)``.
  Every sensible mode (default, favor_precision, favor_recall, fast) is tried
  with two inputs: the raw bytes (trafilatura's own encoding detection) and
  the string socnews decodes (HTTP charset, <meta>, detection). The variant
  with the best ``recall × (1 - leakage)`` is reported as "best".
- htmldate: ``find_date(html, original_date=True, outputformat="%Y-%m-%d")``,
  with and without the page URL, bytes or decoded string; best by accuracy.

Speed is pages per second over all gold pages, each contender run ``--reps``
times interleaved (rotating the order each repetition), median taken.
Decoding is counted in the time of any contender that is fed our decoded str.

Shared helpers (``machine_info``, ``save_json``, ``percentile``) live here and
are imported by the other ``bench_*`` modules, so each result JSON describes
its machine the same way.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.eval_extraction import (
    add_counts,
    as_json,
    empty_counts,
    load_json,
    request_headers,
    route_table,
    run_eval,
    score_page,
    site_dirs,
)
from crawler.encoding import decode_html
from crawler.extract import extract_page
from fixtures.check_gold import FIXTURES_DIR

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_PATH = RESULTS_DIR / "bench_extraction.json"

Extractor = Callable[[bytes, str, dict[str, str]], Any]

TRAFILATURA_MODES: dict[str, dict[str, bool]] = {
    "default": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "fast": {"fast": True},
}
INPUTS = ("bytes", "str")
CONTENT_MEASURES = ("must_include", "must_exclude", "title", "published")


# --------------------------------------------------------------------------- shared helpers


def machine_info() -> dict[str, Any]:
    """What a reader needs to compare figures across runs: CPU, cores, Python, versions."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    versions = {}
    for pkg in (
        "socnews", "selectolax", "whoosh3", "httpx", "trafilatura", "htmldate", "lxml", "scrapy",
    ):  # fmt: skip
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {
        "socnews_commit": git_head(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def git_head() -> str | None:
    """The checkout's commit, "+dirty" when tracked files differ: the code changes often."""
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return None
    return f"{head}+dirty" if head and dirty else head or None


def peak_rss_kib() -> int:
    """This process's own peak RSS in KiB (``VmHWM``).

    Why not ``ru_maxrss``: on Linux, exec carries the spawning process's
    high-water mark into the child's ``ru_maxrss`` (and so into what
    ``wait4``/``RUSAGE_CHILDREN`` report), so a child started by a 500 MB
    driver "peaks" at 500 MB whatever it does. ``VmHWM`` belongs to the
    child's own address space, created at exec. ``ru_maxrss`` is the
    fallback where /proc is missing.
    """
    import resource

    from crawler.memory import status_kib

    peak = status_kib("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def now_iso() -> str:
    """UTC timestamp for result files (seconds precision)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def save_json(result: dict[str, Any], path: Path) -> Path:
    """Write a result as readable UTF-8 JSON (Cyrillic kept as is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def load_results(path: Path) -> dict[str, Any]:
    """A saved result file to add to, or {} when it is missing or unreadable (then rewritten)."""
    try:
        found = load_json(path)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty sample."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def format_rows(header: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table: first column left, the rest right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


# --------------------------------------------------------------------------- pages


@dataclass(slots=True, frozen=True)
class GoldPage:
    """One gold page as the crawler would have fetched it."""

    site: str
    raw: bytes
    url: str
    headers: dict[str, str]


def gold_pages(fixtures_dir: Path = FIXTURES_DIR) -> list[GoldPage]:
    """Every gold page with a route, loaded the way ``run_eval`` loads them (for timing)."""
    pages = []
    for d in site_dirs(fixtures_dir):
        meta = load_json(d / "site.json")
        table = route_table(load_json(d / "routes.json"))  # type: ignore[arg-type]
        for rec in load_json(d / "gold.json"):  # type: ignore[union-attr]
            route = table.get(rec["path"])
            if route is None:
                continue
            pages.append(
                GoldPage(
                    site=d.name,
                    raw=(d / route["file"]).read_bytes(),
                    url=f"https://{meta['host']}{rec['path']}",  # type: ignore[index]
                    headers=request_headers(route),
                )
            )
    return pages


# --------------------------------------------------------------------------- contenders


def _input(kind: str, raw: bytes, headers: dict[str, str]) -> bytes | str:
    """The document a peer is fed: raw bytes, or the string socnews decodes."""
    return raw if kind == "bytes" else decode_html(raw, headers)[0]


def trafilatura_text(mode: str, kind: str) -> Extractor:
    """Main text only: ``trafilatura.extract`` as a user would call it for article text."""
    import trafilatura

    opts = TRAFILATURA_MODES[mode]

    def run(raw: bytes, url: str, headers: dict[str, str]) -> str | None:
        return trafilatura.extract(
            _input(kind, raw, headers), url=url, include_comments=False, **opts
        )

    return run


def trafilatura_full(mode: str, kind: str) -> Extractor:
    """Text + title + date in one call, the closest peer to socnews's record."""
    import trafilatura

    opts = TRAFILATURA_MODES[mode]

    def run(raw: bytes, url: str, headers: dict[str, str]) -> Any:
        return trafilatura.bare_extraction(
            _input(kind, raw, headers),
            url=url,
            include_comments=False,
            with_metadata=True,
            **opts,
        )

    return run


def trafilatura_record(mode: str, kind: str) -> Extractor:
    """Scored form: text from ``extract`` (as documented), title and date from metadata."""
    text_of = trafilatura_text(mode, kind)
    full_of = trafilatura_full(mode, kind)

    def run(raw: bytes, url: str, headers: dict[str, str]) -> dict[str, Any]:
        doc = full_of(raw, url, headers)
        return {
            "title": getattr(doc, "title", None) or "",
            "text": text_of(raw, url, headers) or "",
            "published": getattr(doc, "date", None),
        }

    return run


def htmldate_date(kind: str, with_url: bool) -> Extractor:
    """Publication date only, as htmldate's documentation recommends for originals."""
    from htmldate import find_date

    def run(raw: bytes, url: str, headers: dict[str, str]) -> str | None:
        return find_date(
            _input(kind, raw, headers),
            url=url if with_url else None,
            original_date=True,
            outputformat="%Y-%m-%d",
        )

    return run


def htmldate_record(kind: str, with_url: bool) -> Extractor:
    fn = htmldate_date(kind, with_url)

    def run(raw: bytes, url: str, headers: dict[str, str]) -> dict[str, Any]:
        return {"title": "", "text": "", "published": fn(raw, url, headers)}

    return run


# --------------------------------------------------------------------------- scoring


def content_scores(overall: dict[str, Any]) -> dict[str, float | None]:
    """The four content figures of a ``run_eval`` overall block."""
    return {
        "must_include_recall": overall["must_include"]["recall"],
        "must_exclude_leakage": overall["must_exclude"]["leakage"],
        "title_accuracy": overall["title"]["accuracy"],
        "published_accuracy": overall["published"]["accuracy"],
    }


def score(extract: Extractor, fixtures_dir: Path, dates_only: bool = False) -> dict[str, Any]:
    """Content scores of one contender plus its per-site breakdown and misses.

    ``dates_only`` blanks the text and title figures of a date-only tool
    (htmldate), whose zeros there would only mislead.
    """
    result = run_eval(fixtures_dir, extract=extract)
    fields = (
        ("published", "error")
        if dates_only
        else ("title", "published", "must_include", "must_exclude", "error")
    )

    def figures(m: dict[str, Any]) -> dict[str, float | None]:
        out = content_scores(m)
        if dates_only:
            out = {k: (v if k == "published_accuracy" else None) for k, v in out.items()}
        return out

    return {
        "pages": result["pages"],
        "overall": figures(result["overall"]),
        "sites": {s: figures(m) for s, m in result["sites"].items()},
        "misses": [m for m in result["misses"] if m["field"] in fields],
    }


def text_quality(s: dict[str, float | None]) -> float:
    """Why a product: recall alone rewards dumping the whole page, leakage alone an empty one."""
    return (s["must_include_recall"] or 0.0) * (1.0 - (s["must_exclude_leakage"] or 0.0))


def synthetic_pages(archive: Path, sample: int) -> list[tuple[GoldPage, dict[str, Any]]]:
    """Every k-th article of a ``fixtures.generate`` archive with its manifest truth.

    Why: the fixture pages are the extractor's development set; the synthetic
    archive is not, so its titles and dates are a check that the lead over
    the peers is not just fitting those 47 pages.
    """
    from fixtures.serve import Site

    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    arts = manifest["articles"]
    step = max(1, len(arts) // sample) if sample else 1
    sites: dict[str, Site] = {}
    out = []
    for art in arts[::step][: sample or None]:
        site = sites.get(art["site"]) or sites.setdefault(
            art["site"], Site.load(archive / art["site"])
        )
        route = site.resolve(art["path"])
        if route is None:
            continue
        page = GoldPage(
            site=art["site"],
            raw=route.file.read_bytes(),
            url=f"https://{site.meta['host']}{art['path']}",
            headers={"content-type": route.content_type},
        )
        out.append((page, art))
    return out


def synthetic_scores(
    pages: list[tuple[GoldPage, dict[str, Any]]], contenders: dict[str, Extractor]
) -> dict[str, dict[str, Any]]:
    """Title accuracy, and date accuracy on pages that print their own date line."""
    out = {}
    for name, fn in contenders.items():
        titles, dated = empty_counts(), empty_counts()
        for page, truth in pages:
            pred = as_json(fn(page.raw, page.url, page.headers))
            counts, _ = score_page({"title": truth["title"], "published": truth["published"]}, pred)
            add_counts(titles, counts)
            if truth.get("date_line", True):
                add_counts(dated, counts)
        t_ok, t_n = titles["title"]
        d_ok, d_n = dated["published"]
        out[name] = {
            "pages": t_n,
            "title_accuracy": t_ok / t_n if t_n else None,
            "dated_pages": d_n,
            "published_accuracy": d_ok / d_n if d_n else None,
        }
    return out


# --------------------------------------------------------------------------- speed


def time_passes(
    contenders: dict[str, Extractor], pages: list[GoldPage], reps: int
) -> dict[str, dict[str, Any]]:
    """Seconds per full pass over ``pages`` for each contender, interleaved and rotated.

    One untimed warm-up pass each first: lazy imports and first-call set-up
    (dateparser's language data, lxml's parser objects) are not per-page costs.
    """
    names = list(contenders)
    for name in names:
        for p in pages:
            contenders[name](p.raw, p.url, p.headers)
    passes: dict[str, list[float]] = {n: [] for n in names}
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            fn = contenders[name]
            started = time.perf_counter()
            for p in pages:
                fn(p.raw, p.url, p.headers)
            passes[name].append(time.perf_counter() - started)
    out = {}
    for name, secs in passes.items():
        med = statistics.median(secs)
        out[name] = {
            "median_seconds": med,
            "pages_per_second": len(pages) / med,
            "ms_per_page": 1000 * med / len(pages),
            "pass_seconds": secs,
        }
    return out


# --------------------------------------------------------------------------- run


def run(
    fixtures_dir: Path, reps: int, synthetic: Path | None = None, sample: int = 500
) -> dict[str, Any]:
    """Score every contender and variant, time the chosen ones, compute ratios."""
    pages = gold_pages(fixtures_dir)
    socnews = score(extract_page, fixtures_dir)

    traf_variants = {}
    for mode in TRAFILATURA_MODES:
        for kind in INPUTS:
            traf_variants[f"{mode}/{kind}"] = score(trafilatura_record(mode, kind), fixtures_dir)
    best_traf = max(
        traf_variants,
        key=lambda k: (
            text_quality(traf_variants[k]["overall"]),
            traf_variants[k]["overall"]["title_accuracy"] or 0.0,
        ),
    )
    hd_variants = {}
    for kind in INPUTS:
        for with_url in (True, False):
            name = f"{kind}/{'url' if with_url else 'no-url'}"
            hd_variants[name] = score(
                htmldate_record(kind, with_url), fixtures_dir, dates_only=True
            )
    best_hd = max(hd_variants, key=lambda k: hd_variants[k]["overall"]["published_accuracy"] or 0)

    mode, kind = best_traf.split("/")
    hd_kind, hd_url = best_hd.split("/")
    speed = time_passes(
        {
            "socnews": extract_page,
            "trafilatura_text": trafilatura_text(mode, kind),
            "trafilatura_text_meta": trafilatura_full(mode, kind),
            "htmldate": htmldate_date(hd_kind, hd_url == "url"),
        },
        pages,
        reps,
    )
    pps = {k: v["pages_per_second"] for k, v in speed.items()}
    # A user wanting text + date from the peers calls extract() and find_date() in turn.
    pps["trafilatura_text+htmldate"] = 1 / (1 / pps["trafilatura_text"] + 1 / pps["htmldate"])

    synth = None
    if synthetic is not None:
        synth = synthetic_scores(
            synthetic_pages(synthetic, sample),
            {
                "socnews": extract_page,
                "trafilatura": trafilatura_record(mode, kind),
                "htmldate": htmldate_record(hd_kind, hd_url == "url"),
            },
        )
        synth["htmldate"]["title_accuracy"] = None  # htmldate reads dates only
        synth = {"archive": str(synthetic), "sample": sample, "scores": synth}

    s, t, h = socnews["overall"], traf_variants[best_traf]["overall"], hd_variants[best_hd]
    h = h["overall"]
    targets = {
        "beats_trafilatura_text": text_quality(s) > text_quality(t)
        or (
            text_quality(s) == text_quality(t)
            and (s["title_accuracy"] or 0) > (t["title_accuracy"] or 0)
        ),
        "beats_trafilatura_title": (s["title_accuracy"] or 0) >= (t["title_accuracy"] or 0),
        "beats_htmldate_date": (s["published_accuracy"] or 0) >= (h["published_accuracy"] or 0),
        "beats_trafilatura_date": (s["published_accuracy"] or 0) >= (t["published_accuracy"] or 0),
        "speed_at_least_trafilatura_text": pps["socnews"] >= pps["trafilatura_text"],
    }
    return {
        "benchmark": "bench_extraction",
        "date": now_iso(),
        "machine": machine_info(),
        "fixtures": str(fixtures_dir),
        "pages": len(pages),
        "reps": reps,
        "best": {"trafilatura": best_traf, "htmldate": best_hd},
        "scores": {
            "socnews": socnews,
            "trafilatura": traf_variants[best_traf],
            "htmldate": hd_variants[best_hd],
        },
        "variants": {
            "trafilatura": {k: v["overall"] for k, v in traf_variants.items()},
            "htmldate": {k: v["overall"] for k, v in hd_variants.items()},
        },
        "speed": speed,
        "pages_per_second": pps,
        "ratios": {
            "socnews/trafilatura_text": pps["socnews"] / pps["trafilatura_text"],
            "socnews/trafilatura_text_meta": pps["socnews"] / pps["trafilatura_text_meta"],
            "socnews/htmldate": pps["socnews"] / pps["htmldate"],
            "socnews/trafilatura_text+htmldate": pps["socnews"] / pps["trafilatura_text+htmldate"],
        },
        "targets": targets,
        "synthetic": synth,
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def format_report(r: dict[str, Any]) -> str:
    """Side-by-side quality table, the variant tables, speed and ratios."""
    sc = r["scores"]
    labels = {
        "must_include_recall": "must_include recall ↑",
        "must_exclude_leakage": "must_exclude leakage ↓",
        "title_accuracy": "title accuracy ↑",
        "published_accuracy": "published accuracy ↑",
    }
    best = r["best"]
    header = ["measure", "socnews", f"trafilatura ({best['trafilatura']})", "htmldate"]
    rows = []
    for key, label in labels.items():
        hd = _pct(sc["htmldate"]["overall"][key]) if key == "published_accuracy" else "n/a"
        rows.append(
            [
                label,
                _pct(sc["socnews"]["overall"][key]),
                _pct(sc["trafilatura"]["overall"][key]),
                hd,
            ]
        )
    pps = r["pages_per_second"]
    rows.append(
        [
            "pages/s (median)",
            f"{pps['socnews']:.1f}",
            f"{pps['trafilatura_text']:.1f} text / {pps['trafilatura_text_meta']:.1f} +meta",
            f"{pps['htmldate']:.1f}",
        ]
    )
    out = [f"{r['pages']} gold pages, {r['reps']} timed passes each", format_rows(header, rows)]
    out.append("\ntrafilatura variants (text from extract(), title/date from metadata):")
    vh = ["mode/input", "recall", "leakage", "title", "date", "recall×(1-leak)"]
    vr = [
        [k, _pct(v["must_include_recall"]), _pct(v["must_exclude_leakage"]),
         _pct(v["title_accuracy"]), _pct(v["published_accuracy"]), _pct(text_quality(v))]
        for k, v in r["variants"]["trafilatura"].items()
    ]  # fmt: skip
    out.append(format_rows(vh, vr))
    out.append("\nhtmldate variants:")
    out.append(
        format_rows(
            ["input/url", "date accuracy"],
            [[k, _pct(v["published_accuracy"])] for k, v in r["variants"]["htmldate"].items()],
        )
    )
    if r.get("synthetic"):
        syn = r["synthetic"]
        out.append(f"\nsynthetic archive, {syn['sample']} sampled articles ({syn['archive']}):")
        out.append(
            format_rows(
                ["contender", "title accuracy", "published accuracy (dated pages)"],
                [
                    [k, _pct(v["title_accuracy"]), f"{_pct(v['published_accuracy'])}"
                     f" of {v['dated_pages']}"]
                    for k, v in syn["scores"].items()
                ],
            )
        )  # fmt: skip
    out.append("\nspeed ratios (same process, same pages):")
    out += [f"  {k}: {v:.2f}×" for k, v in r["ratios"].items()]
    out.append("\ntargets:")
    out += [f"  {k}: {'met' if v else 'MISSED'}" for k, v in r["targets"].items()]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_extraction", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--fixtures", type=Path, default=FIXTURES_DIR)
    ap.add_argument("--reps", type=int, default=7, help="timed passes per contender")
    ap.add_argument("--out", type=Path, default=RESULTS_PATH)
    ap.add_argument(
        "--synthetic", type=Path, help="also score titles/dates on a fixtures.generate archive"
    )
    ap.add_argument("--sample", type=int, default=500, help="synthetic articles to score")
    args = ap.parse_args(argv)
    try:
        import htmldate  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError as e:
        print(
            f"bench_extraction: error: {e.name} is missing; run in the benchmark venv "
            "(pip install -e '.[bench]')",
            file=sys.stderr,
        )
        return 2
    result = run(args.fixtures, args.reps, args.synthetic, args.sample)
    print(format_report(result))
    print(f"\nsaved: {save_json(result, args.out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
