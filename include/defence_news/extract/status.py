"""An event's status: from the nearest status cue, then the category's rules and the dates.

Status cues (``lexicon.yaml`` ``status_cues``) are found around the triggers; the
nearest wins, strong cues (cancelled, suspended, negated) weigh double, a cue inside
the trigger phrase beats every cue outside it. Speculation words make a clause no event.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from defence_news.extract.categories import CategorySpec
from defence_news.extract.clauses import Span
from defence_news.extract.context import DocContext
from defence_news.extract.dates import DateSpan
from defence_news.extract.rules import STRONG_STATUSES
from defence_news.extract.triggers import CUE_OVERHANG, NO_DISTANCE, distance

_STRONG_CUE_WEIGHT = 0.5  # a strong cue (suspended...) counts as this fraction of its distance
# Past-tense verbs are everywhere; an adjacent modal or negation says more ("had not received").
_OCCURRED_CUE_PENALTY = 3
_STATUS_WINDOW = 120  # characters around the triggers searched for status cues
_OVERLAP_DISTANCE = -1.0  # a cue inside the trigger phrase beats every cue outside it
_OVERLAP_OCCURRED = 0.75  # ... except an adjacent negation (distance 1 x 0.5)
# Speculation words that keep an intention undecided even past a nearer "to buy".
_DELIBERATION = re.compile(r"considering|weighing|mulling|eyeing")
_DELIBERATION_REACH = 25  # characters, as in "considering whether to buy"
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:was|were|has been|have been|had been|is being|are being)\s+(?:\w+\s+)?$"
)
_RELATIVE_BEFORE = re.compile(r"\b(?:which|that|who)\s+$")
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def grammar_status(
    ctx: DocContext, clause: Span, triggers: list[re.Match[str]]
) -> tuple[str | None, bool]:
    """Status from the nearest cue; strong cues (suspended...) weigh more. Also: speculative?"""
    best: tuple[float, int, str] | None = None
    # Cues further than this from every trigger are about something else; not scanning
    # them keeps long clauses cheap.
    start = max(clause[0], min(t.start() for t in triggers) - _STATUS_WINDOW)
    end = min(clause[1], max(t.end() for t in triggers) + _STATUS_WINDOW)
    for rank, (status, pattern) in enumerate(ctx.rules.status_cues):
        for cue in ctx.words(pattern, start, end):
            gap = _cue_distance(ctx, status, cue, triggers)
            if gap is None:
                continue
            key = (gap, rank, status)
            if best is None or key < best:
                best = key
    speculative = False
    for cue in ctx.rules.speculation.finditer(ctx.lowered, start, end):
        gap = distance(cue, triggers)
        if best is None or gap < best[0]:
            speculative = True
        elif gap <= _DELIBERATION_REACH and _DELIBERATION.fullmatch(cue.group(0)):
            speculative = True  # "considering whether to buy": no decision, whatever follows
    return (best[2] if best else None), speculative


def _cue_distance(
    ctx: DocContext, status: str, cue: re.Match[str], triggers: list[re.Match[str]]
) -> float | None:
    gap = float(distance(cue, triggers))
    if gap >= NO_DISTANCE:
        return None
    if status in STRONG_STATUSES and _passive_after(ctx, cue, triggers):
        # "the plan to hold drills ... was postponed": told of the trigger's phrase.
        return _OVERLAP_DISTANCE
    if _overlaps(cue, triggers):
        # Part of the trigger phrase: "pledged to", "is meeting". A bare past tense
        # ("received") still yields to a negation just before it ("had not").
        return _OVERLAP_OCCURRED if status == "occurred" else _OVERLAP_DISTANCE
    if status in STRONG_STATUSES:
        return gap * _STRONG_CUE_WEIGHT
    if status == "occurred":
        return gap + _OCCURRED_CUE_PENALTY
    return gap


def _overlaps(cue: re.Match[str], triggers: list[re.Match[str]]) -> bool:
    """The cue is part of a trigger phrase ("pledged to", "is meeting"), not a cue about
    what follows it ("talks in Delhi on ...")."""
    return any(
        cue.start() < t.end()
        and t.start() < cue.end()
        and not (t.start() <= cue.start() and cue.end() - t.end() > CUE_OVERHANG)
        for t in triggers
    )


def _passive_after(ctx: DocContext, cue: re.Match[str], triggers: list[re.Match[str]]) -> bool:
    """A passive strong verb ("was postponed") after every trigger of the clause."""
    if cue.start() < max(t.end() for t in triggers):
        return False
    auxiliary = _auxiliary_start(ctx.lowered, cue)
    # ", which had been suspended": a relative clause telling the backstory of the head.
    if _RELATIVE_BEFORE.search(ctx.lowered[max(0, auxiliary - 10) : auxiliary]):
        return False
    return bool(ctx.rules.passive_strong.match(ctx.lowered, auxiliary))


def _auxiliary_start(lowered: str, cue: re.Match[str]) -> int:
    """Start of the auxiliary before a cue: "was postponed", "has been called off"."""
    head = lowered[max(0, cue.start() - 20) : cue.start()]
    found = _AUXILIARY_BEFORE.search(head)
    return cue.start() - len(head) + found.start() if found else cue.start()


def category_status(
    ctx: DocContext, spec: CategorySpec, status: str | None, clause: Span
) -> str | None:
    """The category's own status rules: "signed a deal to buy tanks" is a purchase made."""
    for rule in spec.status_rules:
        if status not in rule.from_statuses:
            continue
        if rule.when is None or ctx.words(ctx.rules.patterns[rule.when], *clause):
            return rule.to
    return status


def final_status(
    spec: CategorySpec,
    status: str | None,
    when: DateSpan | None,
    published: date | None,
    sentence: str,
) -> str:
    """The grammar's status, checked against the dates where the grammar said nothing."""
    if spec.only_status is not None:
        return spec.only_status
    status = _dated_status(spec, status, when, published, sentence)
    if status == "occurred" and _begun_not_over(spec, when, published, sentence):
        return "ongoing"
    return status


def _begun_not_over(
    spec: CategorySpec, when: DateSpan | None, published: date | None, sentence: str
) -> bool:
    """Told as begun and not over, recently enough to be under way at publication."""
    if spec.begun is None or not spec.begun.search(lowered := sentence.lower()):
        return False
    if spec.begun_unless is not None and spec.begun_unless.search(lowered):
        return False
    if when is None:
        return True  # "began on Saturday" on an undated page: told as news
    if published is None:
        return False
    return timedelta(0) <= published - when.start <= timedelta(days=spec.begun_days)


def _dated_status(
    spec: CategorySpec,
    status: str | None,
    when: DateSpan | None,
    published: date | None,
    sentence: str,
) -> str:
    if when is not None and published is not None:
        if when.since and status in (None, "occurred"):
            return "ongoing"  # "have trained ... since 2015"
        if status is None and when.start > published:
            return "planned"
        if spec.duration is not None and status in ("occurred", "planned"):
            days = _duration_days(spec.duration, sentence)
            # Differences, not sums: near the calendar's end a sum would overflow.
            if days and timedelta(0) <= published - when.start < timedelta(days=days):
                return "ongoing"  # "arrived on Monday for a three-day visit", told on Tuesday
    return status or "occurred"


def _duration_days(pattern: re.Pattern[str], sentence: str) -> int | None:
    match = pattern.search(sentence.lower())
    if match is None:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


_HALT_REACH = 40  # characters between "decided to suspend" and "the military agreement"
_RELATIVE_AUX = re.compile(r"\b(?:which|that|who)\s+(?:\w+\s+){0,3}$")


def _halt_spec(ctx: DocContext) -> CategorySpec | None:
    return next((spec for spec in ctx.rules.categories.values() if spec.halts), None)


def halt_near(
    ctx: DocContext, spec: CategorySpec, clause: Span, triggers: list[re.Match[str]]
) -> bool:
    """A halt trigger right beside this candidate's triggers: "to suspend the agreement"."""
    halt = _halt_spec(ctx)
    if halt is None or halt is spec:
        return False
    first = min(t.start() for t in triggers)
    for match in ctx.words(halt.triggers, *clause):
        if distance(match, triggers) > _HALT_REACH:
            continue
        if match.start() < first:
            return True  # "to suspend the agreement", "decided to cancel the drills"
        # "the drills will be postponed"; not ", which had been suspended" (backstory).
        lead = ctx.lowered[max(clause[0], match.start() - 25) : match.start()]
        if not _RELATIVE_AUX.search(lead):
            return True
    return False


def reported_category(ctx: DocContext, category: str, status: str, halted: bool) -> str:
    """A halt announced or threatened is a planned event of the halting category, not a
    planned event of the halted thing ("will suspend the drills" plans no drills)."""
    halt = _halt_spec(ctx)
    if halt is not None and halted and status == "planned":
        return halt.name
    return category
