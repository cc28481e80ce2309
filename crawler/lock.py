"""One writer at a time: an advisory file lock on the data directory.

Cron may start tonight's crawl while last night's is still running; two
writers would interleave frontier updates and index commits.  ``flock`` is
released by the kernel when the holder dies (even by SIGKILL), so a crashed
run never leaves a stale lock behind that an operator has to delete.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


class LockHeld(RuntimeError):
    """Another crawl or index writer holds the lock (exit code 3)."""


class WriterLock:
    def __init__(self, path: Path, wait: float = 0.0) -> None:
        self.path = path
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "ignore").strip()
                    os.close(fd)
                    who = f" (pid {holder})" if holder else ""
                    raise LockHeld(
                        f"another crawl or index writer is running{who}; "
                        f"try again later or pass --wait"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
