from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from crawler.archive import Archive
from crawler.lock import LockHeld, WriterLock
from crawler.record import Person, Record
from crawler.store import Store


def test_archive_round_trip(tmp_path: Path) -> None:
    with Archive(tmp_path / "a") as arch:
        locs = [
            arch.append(
                f"http://x.bg/{i}",
                200,
                "OK",
                [("Content-Type", "text/html")],
                f"<p>страница {i}</p>".encode(),
            )
            for i in range(3)
        ]
        got = arch.read(*locs[1])
    assert got.url == "http://x.bg/1" and got.status == 200
    assert got.body.decode() == "<p>страница 1</p>"
    assert got.headers["Content-Type"] == "text/html"


def test_archive_refuses_paths_outside(tmp_path: Path) -> None:
    with Archive(tmp_path / "a") as arch, pytest.raises(ValueError):
        arch.read("../../etc/passwd", 0, 10)


def test_documents_change_detection_and_index_marks(tmp_path: Path) -> None:
    rec = Record(
        url="http://x.bg/1",
        title="Среща",
        published=date(2024, 1, 2),
        text="текст",
        people=[Person("Мая Василева", "заместник-министър")],
    )
    with Store(tmp_path / "s.db") as s:
        assert s.save_document("d1", rec, "x.bg", "h1") is True
        assert s.save_document("d1", rec, "x.bg", "h1") is False  # unchanged
        assert s.unindexed_ids() == ["d1"]
        s.mark_indexed([("h1", "d1")])
        assert s.unindexed_ids() == []
        assert s.save_document("d1", rec, "x.bg", "h2") is True
        assert s.unindexed_ids() == ["d1"]
        got = s.document("http://x.bg/1")
        assert got is not None and got.record == rec


def test_frontier_is_idempotent(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        assert s.enqueue("http://x.bg/a", "x.bg", 0)
        assert not s.enqueue("http://x.bg/a", "x.bg", 1)
        assert s.next_for_host("x.bg") == ("http://x.bg/a", 0)
        s.claim("http://x.bg/a")
        assert s.next_for_host("x.bg") is None
        assert s.reset_in_flight() == 1  # a killed run's in-flight URL is queued again
        s.mark("http://x.bg/a", "done")
        assert s.next_for_host("x.bg") is None


def test_next_for_host_skips_deferred_urls_and_reads_one_host_in_order(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as s:
        for i in range(3):
            s.enqueue(f"http://x.bg/{i}", "x.bg", 2 - i // 2)  # depths 2, 2, 1
            s.enqueue(f"http://y.bg/{i}", "y.bg", 0)
        s.defer("http://x.bg/2", time.time() + 60, "HTTP 503")  # the shallowest is not due
        assert s.next_for_host("x.bg") == ("http://x.bg/0", 2)
        statements: list[str] = []
        s.db.set_trace_callback(statements.append)
        s.next_for_host("x.bg")
        s.db.set_trace_callback(None)
        plan = " ".join(
            row[3] for row in s.db.execute("EXPLAIN QUERY PLAN " + statements[-1].strip())
        )
        # one host's queue, already in (depth, rowid) order: no read of every
        # queued URL and no sort, whatever the size of the frontier
        assert "frontier_host" in plan and "TEMP B-TREE" not in plan, plan


def test_second_writer_is_refused_and_lock_dies_with_holder(tmp_path: Path) -> None:
    lock = tmp_path / "writer.lock"
    with WriterLock(lock), pytest.raises(LockHeld):
        WriterLock(lock).acquire()
    # a holder killed with SIGKILL leaves no stale lock
    code = f"import os,signal; from pathlib import Path; from crawler.lock import WriterLock; WriterLock(Path({str(lock)!r})).acquire(); os.kill(os.getpid(), signal.SIGKILL)"
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1], check=False)
    with WriterLock(lock):
        pass
