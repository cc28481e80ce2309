"""The TEXT field type for title, text and entities, with a faster posting path.

Whoosh turns a field value into postings through three nested generators
(``FieldType.index`` over ``Positions.word_values`` over ``formats.tokens``)
and pickles every posting's position list.  At about 100 distinct terms per
article that per-posting overhead was a fifth of index build time.  This
subclass does the same work in one loop and returns a list, and reuses the
encoded value of the commonest posting, a term seen once, at a given position.

The bytes are exactly those of ``whoosh.formats.Positions.encode``: the
stored format is Whoosh's own, so phrase queries, merging and an index
written by the plain ``TEXT`` type all read them unchanged.  Like the
analyzer, the class lives at module level in a stable module because Whoosh
pickles the schema, field types included, into the index.
"""

from __future__ import annotations

from pickle import dumps
from typing import Any

from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.system import pack_uint

# encoded value of a posting seen once at position p, for small p
_SINGLE_LIMIT = 4096
_SINGLE = [pack_uint(1) + dumps([p], 2) for p in range(_SINGLE_LIMIT)]


def encode_positions(positions: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled gaps between positions."""
    if len(positions) == 1 and 0 <= positions[0] < _SINGLE_LIMIT:
        return _SINGLE[positions[0]]
    deltas = []
    base = 0
    for pos in positions:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class BulgarianText(TEXT):
    """``TEXT`` with positions, indexed in one pass (see the module docstring)."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        # Anything unusual (a list value, a format other than plain positions)
        # takes Whoosh's general path.
        if not isinstance(value, str) or type(self.format) is not Positions:
            return super().index(value, **kwargs)
        kwargs.setdefault("mode", "index")
        kwargs["positions"] = True
        kwargs["boosts"] = True
        poses: dict[str, list[int]] = {}
        weights: dict[str, float] = {}
        for t in self.analyzer(value, **kwargs):
            if t.stopped:
                continue
            text = t.text
            seen = poses.get(text)
            if seen is None:
                poses[text] = [t.pos]
                weights[text] = t.boost
            else:
                seen.append(t.pos)
                weights[text] += t.boost
        fb = self.format.field_boost
        return [
            (term.encode("utf-8"), len(ps), weights[term] * fb, encode_positions(ps))
            for term, ps in poses.items()
        ]
