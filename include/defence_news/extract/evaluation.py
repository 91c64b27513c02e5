"""Document-level scoring of events against gold, as ``../shared/EVENTS.md`` defines it.

A predicted event matches a gold event of the same kind whose country set equals its
own, or, with three or more gold countries, overlaps it with Jaccard >= 0.5; matching
is greedy and one-to-one per article. A halt is one kind whether it is labelled by
category (suspension) or by status (suspended, cancelled). Beyond P/R/F1 this module
says, for every error, what kind of error it is (``error_kind``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

HALT_STATUSES = frozenset({"suspended", "cancelled", "canceled"})
JACCARD_FLOOR = 0.5
MANY = 3  # gold country sets this large match by overlap


@dataclass(frozen=True)
class ScoredEvent:
    """One event as the scorer sees it: kind, country set, status."""

    category: str
    status: str
    countries: frozenset[str]

    @property
    def kind(self) -> str:
        return event_kind(self.category, self.status)


def event_kind(category: str | None, status: str | None) -> str:
    category = (category or "").lower()
    stopped = (status or "").lower() in HALT_STATUSES
    return "suspension" if category == "suspension" or stopped else category


def same_countries(gold: frozenset[str], predicted: frozenset[str]) -> bool:
    if gold == predicted:
        return True
    if len(gold) >= MANY and predicted:
        return len(gold & predicted) / len(gold | predicted) >= JACCARD_FLOOR
    return False


def gold_events(record: dict[str, Any]) -> list[ScoredEvent]:
    return [
        ScoredEvent(e["category"], e["status"], frozenset(e["actors"]))
        for e in record.get("events") or []
    ]


def predicted_events(events: Iterable[dict[str, Any]]) -> list[ScoredEvent]:
    """Events as ``extract`` writes them: actors are objects with a country."""
    found = []
    for event in events:
        countries = frozenset(
            (a.get("country") if isinstance(a, dict) else a) for a in event.get("actors") or []
        )
        found.append(
            ScoredEvent(
                event.get("category") or "",
                (event.get("status") or "").lower(),
                frozenset(c for c in countries if c),
            )
        )
    return found


@dataclass
class ArticleMatch:
    """The greedy one-to-one matching of one article: pairs (gold index, predicted index)."""

    gold: list[ScoredEvent]
    predicted: list[ScoredEvent]
    pairs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def matched_predictions(self) -> set[int]:
        return {p for _, p in self.pairs}

    @property
    def matched_gold(self) -> set[int]:
        return {g for g, _ in self.pairs}


def match_article(gold: list[ScoredEvent], predicted: list[ScoredEvent]) -> ArticleMatch:
    match = ArticleMatch(gold, predicted)
    used: set[int] = set()
    for gi, event in enumerate(gold):
        found = next(
            (
                pi
                for pi, guess in enumerate(predicted)
                if pi not in used
                and guess.kind == event.kind
                and same_countries(event.countries, guess.countries)
            ),
            None,
        )
        if found is not None:
            used.add(found)
            match.pairs.append((gi, found))
    return match


def error_kind(event: ScoredEvent, others: list[ScoredEvent]) -> str:
    """Why an unmatched event (gold or predicted) found no partner among ``others``
    (the other side's events of the same article):

    - ``parties``: an event of the same kind exists, with other countries;
    - ``kind``: an event with the same countries exists, of another kind;
    - ``unmatched``: nothing of the kind or of these countries.
    """
    if any(o.kind == event.kind for o in others):
        return "parties"
    if any(same_countries(event.countries, o.countries) for o in others):
        return "kind"
    return "unmatched"


def party_error(event: ScoredEvent, gold: list[ScoredEvent], match: ArticleMatch) -> str | None:
    """For a wrong prediction of a kind the article has: how its countries differ from
    the nearest gold event of that kind ("extra", "missing", "extra+missing"), or
    "repeat" when they equal a gold event already matched (one happening told twice)."""
    same_kind = [g for g in gold if g.kind == event.kind]
    if not same_kind:
        return None
    if any(g.countries == event.countries for g in same_kind):
        return "repeat"
    nearest = min(same_kind, key=lambda g: len(g.countries ^ event.countries))
    extra = bool(event.countries - nearest.countries)
    missing = bool(nearest.countries - event.countries)
    return "+".join(label for label, on in (("extra", extra), ("missing", missing)) if on)


@dataclass(frozen=True)
class ReliabilityRow:
    low: float
    high: float
    events: int
    right: int

    @property
    def share(self) -> float:
        return self.right / self.events if self.events else 0.0


@dataclass(frozen=True)
class Reliability:
    """Predicted events by confidence bin, and how many of each bin were right."""

    pairs: tuple[tuple[float, bool], ...]
    rows: tuple[ReliabilityRow, ...]

    def at_least(self, floor: float) -> ReliabilityRow:
        chosen = [right for confidence, right in self.pairs if confidence >= floor]
        return ReliabilityRow(floor, 1.0, len(chosen), sum(chosen))


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = 5) -> Reliability:
    """The reliability table of (confidence, right) pairs in ``bins`` equal bins."""
    pairs = tuple(pairs)
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [r for c, r in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        rows.append(ReliabilityRow(round(low, 2), round(high, 2), len(inside), sum(inside)))
    return Reliability(pairs, tuple(rows))


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)  # by kind
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    status_right: int = 0
    status_total: int = 0
    missed: Counter[str] = field(default_factory=Counter)  # error kind of missed gold
    wrong: Counter[str] = field(default_factory=Counter)  # error kind of wrong predictions

    def add(self, match: ArticleMatch) -> None:
        for gi, pi in match.pairs:
            kind = match.gold[gi].kind
            self.tp[kind] += 1
            self.status_total += 1
            self.status_right += match.gold[gi].status == match.predicted[pi].status
        for gi, event in enumerate(match.gold):
            if gi not in match.matched_gold:
                self.fn[event.kind] += 1
                self.missed[error_kind(event, match.predicted)] += 1
        for pi, event in enumerate(match.predicted):
            if pi not in match.matched_predictions:
                self.fp[event.kind] += 1
                self.wrong[error_kind(event, match.gold)] += 1

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        tp = self.tp[kind] if kind else sum(self.tp.values())
        fp = self.fp[kind] if kind else sum(self.fp.values())
        fn = self.fn[kind] if kind else sum(self.fn.values())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    @property
    def status_accuracy(self) -> float:
        return self.status_right / self.status_total if self.status_total else 0.0

    def kinds(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))
