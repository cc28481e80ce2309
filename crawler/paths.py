"""Where everything lives: one data directory per installation.

Everything the program stores (crawl database, raw archive, index, lock) sits
under one directory so that backing up, moving or deleting an installation is
one operation.  Default: the platform's user-data directory (platformdirs),
overridable with ``--data-dir`` or ``SOCNEWS_DATA_DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("socnews", appauthor=False))


@dataclass(frozen=True, slots=True)
class DataDir:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / "socnews.sqlite3"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def lock(self) -> Path:
        return self.root / "writer.lock"

    @property
    def log(self) -> Path:
        return self.root / "crawl.log"

    def ensure(self) -> DataDir:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
