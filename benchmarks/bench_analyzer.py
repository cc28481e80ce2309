"""Speed of the Bulgarian analyzer (index/analyzer.py) on the fixture texts.

    python -m benchmarks.bench_analyzer [--tokens 100000] [--reps 5]
                                        [--baseline REF [--rounds 3]]

Why: the analyzer runs on every title, text and entity field of every
indexed page, and for every query; in pure Python it was the largest single
cost of an index build.

Corpus: the title and text of every HTML page of the fixture sites
(``fixtures/sites`` and ``fixtures/heldout``), extracted with
``crawler.extract.extract_page`` through each site's routes.json, repeated
until one pass yields about ``--tokens`` index tokens.

Measured, for the analyzer with the simplemma lemmatizer (what the schema
uses) and with the light stemmer alone, in index mode (what the writer asks
for: positions, characters, boosts) and query mode: tokens per second,
consuming the stream as Whoosh does (one reused Token). The first pass over
the corpus fills the per-word caches and is reported apart ("cold"); the
figure is the best of ``--reps`` warm passes, with the median.

``--baseline REF`` also measures the analyzer modules of a git revision
(``git archive REF index``, read only), each variant in its own process,
``--rounds`` times interleaved, and checks that both produce the same tokens
(a digest of text, position, offsets and boost of every token).

Results go to ``benchmarks/results/bench_analyzer.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_ROOTS = (ROOT / "fixtures" / "sites", ROOT / "fixtures" / "heldout")
RESULTS_PATH = ROOT / "benchmarks" / "results" / "bench_analyzer.json"

CONFIGS = {"lemmatizer": True, "light": False}
MODES = {
    "index": {"positions": True, "chars": True, "boosts": True, "mode": "index"},
    "query": {"positions": True, "chars": True, "mode": "query"},
}


def fixture_texts() -> list[str]:
    """Title and text of every HTML fixture page, in a stable order."""
    from benchmarks.eval_extraction import request_headers
    from crawler.extract import extract_page

    texts: list[str] = []
    for root in FIXTURE_ROOTS:
        for site in sorted(p for p in root.iterdir() if (p / "site.json").exists()):
            host = json.loads((site / "site.json").read_text(encoding="utf-8"))["host"]
            routes = json.loads((site / "routes.json").read_text(encoding="utf-8"))
            for route in routes:
                if not str(route.get("file", "")).endswith(".html"):
                    continue
                raw = (site / route["file"]).read_bytes()
                record = extract_page(raw, f"https://{host}{route['path']}", request_headers(route))
                texts.extend(t for t in (record.title, record.text) if t)
    return texts


# --------------------------------------------------------------------------- measuring


def _pass(ana: Any, texts: list[str], kwargs: dict[str, Any]) -> int:
    n = 0
    for text in texts:
        for _token in ana(text, **kwargs):
            n += 1
    return n


def _digest(ana: Any, texts: list[str], kwargs: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for text in texts:
        for t in ana(text, **kwargs):
            h.update(repr((t.text, t.pos, t.startchar, t.endchar, t.boost)).encode())
        h.update(b"\n")
    return h.hexdigest()


def measure(texts: list[str], target_tokens: int, reps: int) -> dict[str, Any]:
    """Tokens per second of the importable ``index.analyzer``, per config and mode."""
    from index.analyzer import bulgarian_analyzer

    out: dict[str, Any] = {"analyzer": str(Path(sys.modules["index.analyzer"].__file__))}
    for config, lemmatize in CONFIGS.items():
        ana = bulgarian_analyzer(lemmatize=lemmatize)
        list(ana("АСП", mode="index"))  # the abbreviation table, compiled once per process
        for mode, kwargs in MODES.items():
            t0 = time.process_time()
            per_pass = _pass(ana, texts, kwargs)  # cold: fills the word caches
            cold = time.process_time() - t0
            corpus = texts * max(1, -(-target_tokens // max(per_pass, 1)))
            times = []
            tokens = 0
            for _ in range(reps):
                t0 = time.process_time()
                tokens = _pass(ana, corpus, kwargs)
                times.append(time.process_time() - t0)
            out[f"{config}/{mode}"] = {
                "tokens": tokens,
                "tokens_per_s": round(tokens / min(times)),
                "tokens_per_s_median": round(tokens / statistics.median(times)),
                "cold_tokens_per_s": round(per_pass / cold) if cold else None,
                "digest": _digest(ana, texts, kwargs),
            }
    return out


# --------------------------------------------------------------------------- baseline


def _baseline_tree(ref: str, into: Path) -> Path:
    """The ``index`` package of ``ref`` (git archive: reads the repository only)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "index"],
        check=True,
        capture_output=True,
    ).stdout
    tar_path = into / "index.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    return into


def _worker(path_first: Path, texts_file: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path_first), str(ROOT)]))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(texts_file)]
    cmd += ["--tokens", str(args.tokens), "--reps", str(args.reps)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=path_first)
    return json.loads(done.stdout)


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"analyzer": runs[0]["analyzer"]}
    for key in runs[0]:
        if key == "analyzer":
            continue
        best = max(runs, key=lambda r: r[key]["tokens_per_s"])[key]
        merged[key] = dict(best, runs=[r[key]["tokens_per_s"] for r in runs])
        if len({r[key]["digest"] for r in runs}) != 1:
            raise RuntimeError(f"{key}: the analyzer's output changed between runs")
    return merged


def compare(texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        base = _baseline_tree(args.baseline, Path(tmp))
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "current": []}
        for r in range(args.rounds):
            order = ["baseline", "current"] if r % 2 == 0 else ["current", "baseline"]
            for variant in order:
                first = base if variant == "baseline" else ROOT
                runs[variant].append(_worker(first, texts_file, args))
    result = {variant: _best(r) for variant, r in runs.items()}
    result["speedup"] = {
        key: round(
            result["current"][key]["tokens_per_s"] / result["baseline"][key]["tokens_per_s"], 2
        )
        for key in result["current"]
        if key != "analyzer"
    }
    result["identical_output"] = all(
        result["current"][key]["digest"] == result["baseline"][key]["digest"]
        for key in result["current"]
        if key != "analyzer"
    )
    return result


# --------------------------------------------------------------------------- main


def machine_info() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "clock": "process CPU time (time.process_time)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000, help="index tokens per pass")
    parser.add_argument("--reps", type=int, default=5, help="warm passes (best is reported)")
    parser.add_argument("--baseline", metavar="REF", help="also measure index/ of this git ref")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds with --baseline")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:  # one measurement in this process, texts from the file
        texts = json.loads(args.worker.read_text(encoding="utf-8"))
        print(json.dumps(measure(texts, args.tokens, args.reps)))
        return 0

    texts = fixture_texts()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "corpus": {
            "texts": len(texts),
            "characters": sum(map(len, texts)),
            "words": sum(len(t.split()) for t in texts),
            "tokens_per_pass": args.tokens,
        },
    }
    if args.baseline:
        result["baseline_ref"] = args.baseline
        result.update(compare(texts, args))
    else:
        result["current"] = measure(texts, args.tokens, args.reps)
    for key, figures in result["current"].items():
        if key == "analyzer":
            continue
        line = f"{key:18s} {figures['tokens_per_s']:>9,} tokens/s"
        if args.baseline:
            before = result["baseline"][key]["tokens_per_s"]
            line += f"   baseline {before:>9,}   x{result['speedup'][key]}"
        print(line)
    if args.baseline:
        print("identical output:", result["identical_output"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
