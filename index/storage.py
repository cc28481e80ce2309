"""Index files read through ``mmap``, without copying them into memory.

Whoosh opens a segment file either as a plain file (every block read is a
``seek`` and a ``read`` call on a Python file object) or, for its default
"compound" segments, as a slice of an mmap wrapped in a ``BytesIO``, which
copies the whole postings file into the process.  Measured at 50,000
documents: plain files made faceted queries 1.5× slower (p50 29 ms against
18.5), compound segments made a searcher take 315 MB.  Mapping each file and
reading blocks by slicing the map gives the speed of the second with the
memory of the first: pages come from the OS page cache, shared and
reclaimable, and only the ones a query touches.

Segment files are immutable once written (a commit writes new files and a new
table of contents), so a map never sees a file change under it; a file
truncated by someone else while a search runs would fault the process, as it
would any mmap user.
"""

from __future__ import annotations

import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile


class _MappedFile(BufferFile):
    """A read-only file whose bytes are a memory map (``get`` slices it, no copy)."""

    def __init__(self, mapped: mmap.mmap, name: str) -> None:  # noqa: D107 - no super(): it copies
        self._mmap = mapped
        self._buf = memoryview(mapped)
        self._name = name
        self.file = mapped  # mmap has read/seek/tell, which StructFile's readers use
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def close(self) -> None:
        if self.is_closed:
            return
        buf, self._buf = self._buf, None
        buf.release()  # before the map: an exported view keeps a map from closing
        self._mmap.close()
        self.is_closed = True


class MappedStorage(FileStorage):
    """A Whoosh FileStorage whose files are opened as memory maps (empty ones as plain files)."""

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        path = self._fpath(name)
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return _MappedFile(mapped, name)
