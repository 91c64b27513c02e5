"""Candidates that are no news event: history lessons, habits, kinds of things, aims.

Also whether a candidate is a new instance of its kind ("two more frigates"), which
keeps it apart from the one told before when candidates are merged.
"""

from __future__ import annotations

import re

from defence_news.extract.context import Candidate, DocContext

# A date that only says "now" does not make a history lesson news ("still shapes it today").
_DEICTIC_DATES = frozenset({"today", "now"})
_GENERIC_PLURAL = re.compile(
    r"(?:meetings|visits|exercises|drills|manoeuvres|maneuvers|war ?games|patrols|courses|"
    r"sales|deliveries|purchases|agreements|pacts|delegations|trainings)"
)
_NOVELTY_WINDOW = 30  # characters around a trigger searched for "further", "two more"
_MORE_AFTER = re.compile(r"\s+(?:[\w-]+\s+)?(?:more|additional|further|another)\b")
_HABITUAL = re.compile(r"\b(?:regularly|routinely|frequently|often|usually|habitually)\b")
_MORE_OF_A_KIND = re.compile(
    r"\b(?:increase|increasing|expand|expanding|boost|boosting|step up|more|deepen|strengthen)"
    r"\s+(?:[\w-]+\s+){0,2}$"
)


def is_history(ctx: DocContext, candidate: Candidate, start: int, end: int) -> bool:
    """Background, not news: dated years before publication, or told as history."""
    if candidate.status == "planned" or ctx.published is None:
        return False
    when = candidate.when
    if when is not None and when.text.lower() in _DEICTIC_DATES:
        return bool(ctx.rules.history_cues.search(ctx.lowered, start, end))
    if when is not None and not when.since:
        return when.start.year < ctx.published.year - ctx.rules.history_years
    return candidate.status in (None, "occurred") and bool(
        ctx.rules.history_cues.search(ctx.lowered, start, end)
    )


def is_novel(ctx: DocContext, trigger: re.Match[str]) -> bool:
    """ "a further course", "buy two more frigates": another instance of the kind."""
    before = ctx.lowered[max(0, trigger.start() - _NOVELTY_WINDOW) : trigger.start()]
    after = ctx.lowered[trigger.end() : trigger.end() + _NOVELTY_WINDOW]
    return bool(ctx.rules.novelty.search(before) or _MORE_AFTER.match(after))


def is_generic(ctx: DocContext, candidate: Candidate) -> bool:
    """ "trilateral meetings are small and informal": plural nouns with no time and no
    verb telling what happened describe a kind of thing, not an event."""
    plural = all(_GENERIC_PLURAL.fullmatch(t.lower()) for t in candidate.triggers)
    spec = ctx.rules.categories[candidate.category]
    if (
        plural
        and spec.aims_are_not_events
        and _MORE_OF_A_KIND.search(
            ctx.lowered, max(0, candidate.trigger_start - _NOVELTY_WINDOW), candidate.trigger_start
        )
    ):
        return True  # "to increase ship visits": an aim for a kind of visit, not a visit
    sentence = candidate.sentence
    if (
        candidate.status in (None, "ongoing")
        and candidate.when is None
        and _HABITUAL.search(ctx.lowered, sentence.start, sentence.end)
    ):
        return True  # "the two navies train together regularly": a habit, not a happening
    if candidate.status is not None or candidate.when is not None or candidate.event_name:
        return False  # a named exercise is one happening, not a kind of thing
    return plural


def is_opinion(ctx: DocContext, start: int, end: int) -> bool:
    """ "analysts said", "believed that": a clause of opinion, not a report."""
    return bool(ctx.rules.opinion.search(ctx.lowered, start, end))
