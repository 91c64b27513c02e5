"""The records the pipeline passes between stages and writes to the store.

Frozen dataclasses with plain-JSON ``to_dict``/``from_dict`` so that every
stage can run without Airflow and every record round-trips through JSON Lines
and Parquet unchanged. Field meanings follow the data contract in DESIGN.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from defence_news.extract.categories import category_names

SCHEMA_VERSION = "1.0"

# One of CATEGORIES: the category files of the extractor (extract/data/categories/).
Category = str
Status = Literal["planned", "occurred", "ongoing", "suspended", "cancelled", "negated"]
Precision = Literal["day", "month", "year", "unknown"]
Role = Literal["initiator", "recipient", "participant"]

CATEGORIES: tuple[str, ...] = category_names()
STATUSES: tuple[str, ...] = ("planned", "occurred", "ongoing", "suspended", "cancelled", "negated")


def short_hash(*parts: str, length: int = 16) -> str:
    """A stable hex id from text parts (sha256, truncated): same input, same id."""
    # "surrogatepass": an id with a lone surrogate still hashes (to its own, stable id).
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:length]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Article:
    """One cleaned news article: the parse stage's output, the extract stage's input."""

    article_id: str
    url: str
    source_id: str
    title: str
    body: str
    canonical_url: str | None = None
    publisher: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    modified_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    word_count: int = 0
    content_hash: str = ""
    simhash: str = ""
    duplicate_of: str | None = None
    fetched_at: datetime | None = None

    @staticmethod
    def make_id(canonical_url: str) -> str:
        return short_hash(canonical_url)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["authors"] = list(self.authors)
        data["tags"] = list(self.tags)
        for key in ("published_at", "modified_at", "fetched_at"):
            data[key] = _iso(getattr(self, key))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        values = {f.name: data.get(f.name, f.default) for f in dataclasses.fields(cls)}
        values["authors"] = tuple(data.get("authors") or ())
        values["tags"] = tuple(data.get("tags") or ())
        for key in ("published_at", "modified_at", "fetched_at"):
            raw = data.get(key)
            values[key] = raw if isinstance(raw, datetime) else _parse_iso(raw)
        return cls(**values)


@dataclass(frozen=True)
class Actor:
    """A party to an event: a country, its government or military body, or an IGO."""

    name: str
    country: str  # ISO 3166 alpha-3, or an IGO code such as NATO, ASEAN
    sector: str = "GOV"  # MIL, GOV, ...
    branch: str | None = None  # army, navy, air force, ...
    role: Role = "participant"
    mentions: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Person:
    name: str
    title: str | None = None  # rank or office written before the name ("General")
    country: str | None = None
    organisation: str | None = None
    role: str | None = None  # the role the text gives ("commander of the Cambodian Army")


@dataclass(frozen=True)
class When:
    start: str | None = None  # ISO date
    end: str | None = None
    precision: Precision = "unknown"
    text: str | None = None


@dataclass(frozen=True)
class Where:
    country: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class Evidence:
    sentence: str
    char_start: int
    char_end: int
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    url: str
    source_id: str
    publisher: str | None = None
    published_at: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    version: str


@dataclass(frozen=True)
class Event:
    """One cooperation event with the evidence that proves it (DESIGN.md data contract)."""

    event_id: str
    category: Category
    status: Status
    actors: tuple[Actor, ...]
    evidence: Evidence
    article: ArticleRef
    extractor: ExtractorInfo
    people: tuple[Person, ...] = ()
    event_name: str | None = None
    when: When = field(default_factory=When)
    where: Where = field(default_factory=Where)
    cameo_code: str | None = None
    plover_type: str | None = None
    quad_class: int | None = None
    attribution: str | None = None
    confidence: float = 0.5
    schema_version: str = SCHEMA_VERSION

    @property
    def countries(self) -> tuple[str, ...]:
        """Distinct actor countries, in order of first appearance."""
        return tuple(dict.fromkeys(actor.country for actor in self.actors))

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["actors"] = [
            {**a, "mentions": [list(m) for m in a["mentions"]]} for a in data["actors"]
        ]
        data["evidence"]["triggers"] = list(self.evidence.triggers)
        data["people"] = list(data["people"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        actors = tuple(
            Actor(**{**a, "mentions": tuple(tuple(m) for m in a.get("mentions") or ())})
            for a in data["actors"]
        )
        evidence = dict(data["evidence"])
        evidence["triggers"] = tuple(evidence.get("triggers") or ())
        return cls(
            event_id=data["event_id"],
            category=data["category"],
            status=data["status"],
            actors=actors,
            evidence=Evidence(**evidence),
            article=ArticleRef(**data["article"]),
            extractor=ExtractorInfo(**data["extractor"]),
            people=tuple(Person(**p) for p in data.get("people") or ()),
            event_name=data.get("event_name"),
            when=When(**(data.get("when") or {})),
            where=Where(**(data.get("where") or {})),
            cameo_code=data.get("cameo_code"),
            plover_type=data.get("plover_type"),
            quad_class=data.get("quad_class"),
            attribution=data.get("attribution"),
            confidence=float(data.get("confidence", 0.5)),
            schema_version=data.get("schema_version", SCHEMA_VERSION),
        )


Outcome = Literal["article", "not_modified", "skipped", "failed", "deferred"]


@dataclass(frozen=True)
class UrlOutcome:
    """What became of one discovered URL in one run: exactly one outcome each.

    ``article`` means fetched and parsed into an Article; ``not_modified`` a
    conditional GET answered 304 or an unchanged content hash; ``skipped`` and
    ``failed`` always carry a short machine-readable ``reason``
    (e.g. ``robots_disallowed``, ``http_404``, ``not_article:index_page``); ``deferred``
    means left for a later run by a cap (``cap``) or the source's time budget
    (``budget``), and kept in the source's backlog.
    """

    url: str
    outcome: Outcome
    reason: str | None = None
    detail: str | None = None
    status_code: int | None = None
    article_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
