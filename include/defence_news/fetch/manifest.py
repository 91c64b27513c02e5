"""The run manifest: every discovered URL of a source with exactly one outcome.

Counts add up by construction: ``discovered`` is the number of distinct URLs
and every one of them is counted under exactly one outcome. ``check`` raises
if that ever stops being true, so a lost URL is a loud failure, not a gap.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from defence_news.interval import Interval
from defence_news.models import UrlOutcome

OUTCOMES = ("article", "not_modified", "skipped", "failed", "deferred")


@dataclass
class RunManifest:
    source_id: str
    interval: Interval
    outcomes: list[UrlOutcome] = field(default_factory=list)
    source_errors: list[str] = field(default_factory=list)
    # What caps left for later runs besides URLs (child sitemaps of an index), and why.
    deferred_sitemaps: int = 0
    notes: list[str] = field(default_factory=list)
    # Why the source failed as a whole this run (``collection_failure``), or None.
    failure: str | None = None

    def counts(self) -> dict[str, int]:
        """Number of URLs per outcome, plus ``discovered`` (their sum)."""
        tally = Counter(outcome.outcome for outcome in self.outcomes)
        counts = {name: tally.get(name, 0) for name in OUTCOMES}
        counts["discovered"] = len({outcome.url for outcome in self.outcomes})
        return counts

    def reasons(self) -> dict[str, int]:
        """``outcome:reason`` -> count, for skipped, failed and deferred URLs."""
        tally = Counter(
            f"{outcome.outcome}:{_reason_family(outcome.reason)}"
            for outcome in self.outcomes
            if outcome.reason
        )
        return dict(sorted(tally.items()))

    def check(self) -> None:
        """Raise ValueError unless every URL has exactly one outcome."""
        tally = Counter(outcome.url for outcome in self.outcomes)
        repeated = sorted(url for url, count in tally.items() if count != 1)
        if repeated:
            raise ValueError(
                f"{len(repeated)} URL(s) of source {self.source_id} have more than one outcome, "
                f"e.g. {repeated[0]}"
            )
        unknown = sorted({o.outcome for o in self.outcomes} - set(OUTCOMES))
        if unknown:
            raise ValueError(f"unknown outcome(s) {unknown} in source {self.source_id}")
        counts = self.counts()
        if sum(counts[name] for name in OUTCOMES) != counts["discovered"]:
            raise ValueError(f"manifest counts of source {self.source_id} do not add up: {counts}")

    def to_json(self) -> bytes:
        document = {
            "source_id": self.source_id,
            "interval": {
                "start": self.interval.start.isoformat(),
                "end": self.interval.end.isoformat(),
            },
            "counts": self.counts(),
            "reasons": self.reasons(),
            "failure": self.failure,
            "deferred_sitemaps": self.deferred_sitemaps,
            "source_errors": list(self.source_errors),
            "notes": list(self.notes),
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
        }
        return json.dumps(document, indent=1, sort_keys=False).encode("utf-8")

    def table(self, labels: Mapping[str, str] | None = None) -> str:
        """A short fixed-width table for the task log; ``labels`` renames outcomes
        (the fetch command shows "article" as "fetched": nothing is parsed there)."""
        counts = self.counts()
        names = {name: (labels or {}).get(name, name) for name in OUTCOMES}
        lines = [
            f"source {self.source_id}  interval {self.interval.slug}",
            f"{'outcome':<40}{'urls':>6}",
        ]
        lines += [f"{names[name]:<40}{counts[name]:>6}" for name in OUTCOMES]
        lines.append(f"{'discovered':<40}{counts['discovered']:>6}")
        for reason, count in self.reasons().items():
            lines.append(f"  {reason:<38}{count:>6}")
        if self.failure:
            lines.append(f"SOURCE FAILED: {self.failure}")
        lines += [f"source error: {error}" for error in self.source_errors]
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _reason_family(reason: str | None) -> str:
    # "duplicate_of:https://..." and "not_article:index_page" group by their family only
    # when the suffix is a URL; short machine reasons stay whole.
    if reason and ":" in reason and "//" in reason:
        return reason.split(":", 1)[0]
    return reason or ""
