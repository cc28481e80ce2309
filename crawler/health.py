"""Operator views: what the last runs did (status) and whether the data agrees with itself (check).

A crawl that runs unattended for years needs two questions answered without
reading logs: "is every source still healthy?" and "do the store, the raw
archive and the index agree?" — the second with the exact command that
repairs what does not.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive import Archive
from crawler.paths import DataDir
from crawler.store import Store


def _dir_size(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts)) if ts else None


def status(data: DataDir, runs: int = 5) -> dict:
    """Last runs, per-source health, sizes, and the indexing backlog."""
    with Store(data.db) as store:
        db = store.db
        last_runs = [
            {
                "id": rid,
                "started": _iso(start),
                "ended": _iso(end),
                "result": result or ("running or killed" if end is None else None),
                "summary": json.loads(summary) if summary else None,
            }
            for rid, start, end, result, summary in db.execute(
                "SELECT id, started_at, ended_at, result, summary FROM runs ORDER BY id DESC LIMIT ?",
                (runs,),
            )
        ]
        sources = {}
        for host, pages, errors, last_ok in db.execute(
            "SELECT host, count(*), sum(CASE WHEN status >= 400 AND status NOT IN (404, 410) "
            "THEN 1 ELSE 0 END), max(CASE WHEN status = 200 THEN fetched_at END) "
            "FROM pages GROUP BY host ORDER BY host"
        ):
            sources[host] = {
                "pages": pages,
                "documents": db.execute(
                    "SELECT count(*) FROM documents WHERE host=?", (host,)
                ).fetchone()[0],
                "errors": errors or 0,
                "failed_urls": db.execute(
                    "SELECT count(*) FROM frontier WHERE host=? AND state='failed'", (host,)
                ).fetchone()[0],
                "queued": db.execute(
                    "SELECT count(*) FROM frontier WHERE host=? AND state='queued'", (host,)
                ).fetchone()[0],
                "last_success": _iso(last_ok),
                "consecutive_failed_runs": _consecutive_failed_runs(db, host),
            }
        return {
            "data_dir": str(data.root),
            "runs": last_runs,
            "sources": sources,
            "documents": store.count_documents(),
            "not_indexed": store.count_documents(unindexed_only=True),
            "sizes": {
                "store_bytes": _dir_size(data.db),
                "archive_bytes": _dir_size(data.archive),
                "index_bytes": _dir_size(data.index),
            },
        }


def _consecutive_failed_runs(db, host: str) -> int:  # noqa: ANN001 - sqlite3 connection
    """Runs in a row (newest first) in which the host had errors and nothing fetched."""
    n = 0
    for (summary,) in db.execute(
        "SELECT summary FROM runs WHERE summary IS NOT NULL ORDER BY id DESC"
    ):
        s = json.loads(summary).get("sources", {}).get(host)
        if s is None:
            continue
        if s.get("errors", 0) and not (s.get("fetched", 0) or s.get("not_modified", 0)):
            n += 1
        else:
            break
    return n


@dataclass(slots=True)
class CheckReport:
    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def fail(self, problem: str, repair: str) -> None:
        self.problems.append(problem)
        if repair not in self.repairs:
            self.repairs.append(repair)

    def to_json(self) -> dict:
        return {
            "ok": not self.problems,
            "checked": self.checked,
            "problems": self.problems,
            "repairs": self.repairs,
        }


def check(data: DataDir, sample: int | None = None) -> CheckReport:
    """Verify store ↔ archive ↔ index; every problem comes with its repair command."""
    from index.writer import index_ids

    report = CheckReport()
    if not data.db.exists():
        report.fail(
            f"no crawl database at {data.db}", "socnews crawl --seed URL (or --config FILE)"
        )
        return report
    with Store(data.db) as store:
        integrity = store.db.execute("PRAGMA quick_check").fetchone()[0]
        if integrity != "ok":
            report.fail(
                f"store database damaged: {integrity}",
                "restore socnews.sqlite3 from a backup, then socnews reprocess",
            )
        archive = Archive(data.archive)
        rows = list(store.archived_pages())
        if sample is not None:
            rows = rows[:: max(1, len(rows) // sample)] if rows else rows
        bad = 0
        for url, _host, name, offset, length, _ctype in rows:
            try:
                archive.read(name, offset, length)
            except (OSError, ValueError, Exception):  # noqa: BLE001 - any unreadable record counts
                bad += 1
                if bad <= 5:
                    report.problems.append(f"archive record for {url} unreadable ({name}:{offset})")
        if bad:
            report.fail(
                f"{bad} archive records unreadable",
                "socnews crawl again (the pages are re-fetched; their archive copies were lost)",
            )
        report.checked["archive_records"] = len(rows)
        stored = {d[0]: d[1] for d in store.db.execute("SELECT id, content_hash FROM documents")}
        report.checked["documents"] = len(stored)
        unindexed = store.count_documents(unindexed_only=True)
        if unindexed:
            report.fail(f"{unindexed} documents not yet indexed", "socnews index")
    try:
        ids = index_ids(data.index)
    except FileNotFoundError:
        if stored:
            report.fail("no search index", "socnews index --rebuild")
        return report
    except Exception as e:  # noqa: BLE001 - a damaged index shows itself in many ways
        report.fail(f"search index damaged ({type(e).__name__}: {e})", "socnews index --rebuild")
        return report
    report.checked["indexed"] = len(ids)
    missing = set(stored) - ids
    extra = ids - set(stored)
    if missing:
        report.fail(
            f"{len(missing)} stored documents missing from the index", "socnews index --rebuild"
        )
    if extra:
        report.fail(f"{len(extra)} indexed documents not in the store", "socnews index --rebuild")
    return report
