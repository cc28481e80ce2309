"""Whoosh's ``W3Codec`` with a cheaper document-length lookup while writing.

When a segment's postings are written, Whoosh asks for the indexed length
of the document behind every posting of a scored field (title, text,
entities) to keep per-block length bounds.  Each ask is a Python-level
seek-and-read on the segment's length column: a million of them for 10,000
articles, an eighth of index build time.  This codec reads each length
column once per segment into a list and answers from it.

Whoosh pickles the codec into every segment it writes, so this class, like
the analyzer and the field type, lives at module level in a stable module.
The files written are exactly W3Codec's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
from whoosh.util.numeric import byte_to_length


class LengthTableReader(W3PerDocReader):
    """A per-document reader whose length lookups come from an in-memory table."""

    def doc_field_length_reader(self, fieldname: str, default: int = 0) -> Callable[[int], Any]:
        column = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return lambda docnum, _default=default: _default
        # Same answers as W3PerDocReader's reader: the length, or None where
        # the stored byte is 0 (the column's default for a document without one).
        lengths = map(column.__getitem__, range(self._doccount))
        table = [byte_to_length(b) if b else None for b in lengths]
        return table.__getitem__


class SocnewsCodec(W3Codec):
    """``W3Codec`` reading length columns through ``LengthTableReader``."""

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        return LengthTableReader(storage, segment)
