"""Shared fixtures: loopback fixture servers and a throwaway data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.serve import SiteServer, serve_sites


@pytest.fixture(scope="session")
def seeds_server() -> Iterator[SiteServer]:
    with serve_sites(["seeds"]) as servers:
        yield servers["seeds"]


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
