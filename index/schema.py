"""The Whoosh schema: what is searchable, filterable, faceted and stored.

Entity fields are KEYWORD fields holding normalised keys (lower-cased, one
term per entity) so that filters are exact term lookups, while the stored
``*_display`` fields keep the human spelling for output and facets.
``SCHEMA_VERSION`` is written next to the index; a mismatch means the index
was built by another version and is rebuilt from the store, which is always
possible because the index holds nothing the store does not.
"""

from __future__ import annotations

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, Schema

from index.analyzer import bulgarian_analyzer
from index.textfield import BulgarianText

SCHEMA_VERSION = "5"


def build_schema() -> Schema:
    analyzer = bulgarian_analyzer(
        lemmatize=True
    )  # simplemma is a dependency: same analysis everywhere
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        source=ID(stored=True),
        title=BulgarianText(analyzer=analyzer, stored=True, field_boost=2.0),
        text=BulgarianText(analyzer=analyzer, stored=True),  # snippets come from index.snippets
        # names of people, institutions, projects, places
        entities=BulgarianText(analyzer=analyzer),
        published=ID(stored=True, sortable=True),  # ISO date; lexicographic = chronological
        dates=KEYWORD(commas=True),  # published + event days: the --from/--to filter
        # ...and their months and years, so a long range is a few terms (index.dateranges)
        dates_month=KEYWORD(commas=True),
        dates_year=KEYWORD(commas=True),
        event_dates=STORED,
        year=ID(stored=True),
        person=KEYWORD(commas=True, lowercase=True),
        surname=KEYWORD(commas=True, lowercase=True),
        institution=KEYWORD(commas=True, lowercase=True),
        project=KEYWORD(commas=True, lowercase=True),
        place=KEYWORD(commas=True, lowercase=True),
        people_display=STORED,
        institutions_display=STORED,
        projects_display=STORED,
        places_display=STORED,
        duplicate_of=ID(stored=True),
        # duplicate_of or id, UTF-8: --collapse keeps one per group.  Columns only, like
        # ``order``: nothing searches them, and an indexed NUMERIC field writes 16
        # range-query terms per document (a tenth of all postings; schema v5).
        group=COLUMN(VarBytesColumn()),
        content_hash=STORED,
        # every facet value of the document packed in one column: counting facets
        # over a result set reads this instead of unpickling whole stored documents
        facets=COLUMN(VarBytesColumn()),
        order=COLUMN(NumericColumn("I")),  # published as YYYYMMDD (0 undated), for sorting
    )
