"""The extracted record: the one shape that flows from extraction to the index.

Its JSON form is the public contract of `socnews extract --format json`
(see README, "JSON contract"), so fields are only ever added, never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(slots=True)
class Person:
    name: str
    role: str | None = None


@dataclass(slots=True)
class Institution:
    name: str
    abbr: str | None = None


@dataclass(slots=True)
class Project:
    code: str | None = None
    name: str | None = None


@dataclass(slots=True)
class Record:
    """Everything extraction knows about one page."""

    url: str
    title: str = ""
    published: date | None = None
    event_dates: list[date] = field(default_factory=list)
    text: str = ""
    people: list[Person] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The contract's JSON object (dates as ISO strings, key order fixed)."""
        d = asdict(self)
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "event_dates": sorted({x.isoformat() for x in self.event_dates}),
            "text": self.text,
            "people": d["people"],
            "institutions": d["institutions"],
            "projects": d["projects"],
            "places": list(self.places),
        }

    @classmethod
    def from_json(cls, obj: dict) -> Record:
        return cls(
            url=obj["url"],
            title=obj.get("title") or "",
            published=date.fromisoformat(obj["published"]) if obj.get("published") else None,
            event_dates=[date.fromisoformat(x) for x in obj.get("event_dates") or []],
            text=obj.get("text") or "",
            people=[Person(**p) for p in obj.get("people") or []],
            institutions=[Institution(**i) for i in obj.get("institutions") or []],
            projects=[Project(**p) for p in obj.get("projects") or []],
            places=list(obj.get("places") or []),
        )
