"""The size of every file of the index's current generation, written after each commit.

Why: with segments stored as separate files (see ``index.writer``), a
truncated postings file is only noticed by the query that happens to read
its damaged part, and ``socnews check`` cannot afford to read every posting
of a large index.  Comparing the files with the sizes the writer left is
instant and catches truncation, deletion and partial copies (a restore from
a backup that was taken mid-write).  A manifest from another generation (the
writer was killed between its commit and the manifest) proves nothing either
way and is ignored; the next commit writes a fresh one.
"""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import index as whoosh_index

MANIFEST = "SOCNEWS_FILES.json"


class IndexDamaged(RuntimeError):
    """A file of the current index generation is missing or has the wrong size."""


def _generation_files(ix: whoosh_index.Index, index_dir: Path) -> dict[str, int]:
    gen = ix.latest_generation()
    prefixes = tuple(f"{seg.segment_id()}." for seg in ix._segments())  # "MAIN_<segid>."
    files = {
        p.name: p.stat().st_size
        for p in index_dir.iterdir()
        if p.is_file() and (p.name.startswith(prefixes) or p.name == f"_{ix.indexname}_{gen}.toc")
    }
    return files


def write_manifest(ix: whoosh_index.Index, index_dir: Path) -> None:
    """Record the current generation's files (call right after a commit, under the write lock)."""
    data = {"generation": ix.latest_generation(), "files": _generation_files(ix, index_dir)}
    tmp = index_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    tmp.replace(index_dir / MANIFEST)


def verify_manifest(index_dir: Path) -> None:
    """Raise IndexDamaged when a recorded file of the current generation is missing or resized."""
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
        generation, files = int(data["generation"]), dict(data["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # no usable manifest (an index from before manifests, or a killed writer)
    ix = whoosh_index.open_dir(str(index_dir))
    if ix.latest_generation() != generation:
        return
    for name, size in files.items():
        path = index_dir / name
        if not path.exists():
            raise IndexDamaged(f"index file {name} is missing")
        actual = path.stat().st_size
        if actual != size:
            raise IndexDamaged(f"index file {name} has {actual} bytes, the writer left {size}")
