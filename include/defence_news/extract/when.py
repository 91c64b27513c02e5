"""When an event happens: the date of its sentence nearest its triggers.

Dates are found once per sentence that holds an event (``dates.py``) and resolved
against the publication date; a clause takes the date nearest its own triggers unless
another event's trigger is nearer to it.
"""

from __future__ import annotations

import re
from datetime import date

from defence_news.extract.clauses import CONTEXT_WINDOW, Span, inside
from defence_news.extract.context import DocContext
from defence_news.extract.dates import DateSpan, find_date_matches, resolve
from defence_news.extract.sentences import Sentence

# "an agreement dating from 1961": the date is the object's origin, not the event's.
_FIRST_BEFORE = re.compile(r"\b(?:first|last)\b(?:\s+[\w-]+){0,5}\s+$")
_ORIGIN_BEFORE = re.compile(r"\b(?:dating (?:from|back to)|dates? (?:from|back to))\s+$")
_ORIGIN_WINDOW = 20  # characters before a date searched for "dating from"


def _sentence_dates(ctx: DocContext, sentence: Sentence, future: bool) -> list[DateSpan]:
    """The dates of a sentence holding an event, found once per tense; sentences without
    an event are never scanned for dates."""
    key = (sentence.start, future)
    found = ctx.date_cache.get(key)
    if found is None:
        matches = ctx.date_matches.get(sentence.start)
        if matches is None:
            matches = find_date_matches(ctx.text, sentence.start, sentence.end, ctx.lowered)
            ctx.date_matches[sentence.start] = matches
        found = ctx.date_cache[key] = resolve(matches, ctx.published, future, ctx.date_fallback)
    return found


def _event_date(ctx: DocContext, span: DateSpan, clause: Span, excluded: list[Span]) -> bool:
    if not (clause[0] <= span.start_offset and span.end_offset <= clause[1]):
        return False
    if inside(excluded, span.start_offset, span.end_offset):
        return False
    origin_start = max(0, span.start_offset - _ORIGIN_WINDOW)
    if _ORIGIN_BEFORE.search(ctx.lowered, origin_start, span.start_offset):
        return False
    # "their first joint exercise since 2013": how long it had been, not when it was.
    lead_start = max(0, span.start_offset - CONTEXT_WINDOW)
    return not (span.since and _FIRST_BEFORE.search(ctx.lowered, lead_start, span.start_offset))


def pick_date(
    ctx: DocContext,
    sentence: Sentence,
    clause: Span,
    excluded: list[Span],
    triggers: list[re.Match[str]],
    others: list[re.Match[str]],
    future: bool,
) -> DateSpan | None:
    """The date nearest to this event's triggers, unless another event's trigger is nearer."""
    best: tuple[int, DateSpan] | None = None
    for span in _sentence_dates(ctx, sentence, future):
        if not _event_date(ctx, span, clause, excluded):
            continue
        own = span_distance(span, triggers)
        if others and span_distance(span, others) < own:
            continue
        if best is None or own < best[0]:
            best = (own, span)
    return best[1] if best else None


# Between two dates of one list: "in 2019 and 2022", "in June 2015, three jets in July
# 2015 and three more in January 2016", "in New Delhi in September 2018 and in Washington".
_LIST_GAP = re.compile(
    r"^(?:/\d{2,4})?(?:,?\s+(?:and|as well as)\s+|,\s+(?:and\s+)?)"
    r"(?:[\w'’/-]+\s+){0,8}?(?:in\s+|on\s+)?$"
)
# Words that make the second date another step of the same happening ("signed in 2019
# and ratified in 2021") or a span ("between 2019 and 2022").
_NOT_A_LIST = re.compile(
    r"\b(?:\w+ed|will|would|to|until|till|through|which|that|when|after|before|since|while|"
    r"ends?|began|begins?|took|takes?|came|comes?|became|was|were|is|are|has|have|had)\b"
)
_RANGE_BEFORE = re.compile(r"\b(?:between|from)\s+(?:\w+\s+){0,2}$")
_LIST_GAP_MAX = 80  # characters between two dates of one list


def listed_dates(
    ctx: DocContext,
    sentence: Sentence,
    clause: Span,
    when: DateSpan,
    future: bool,
    excluded: list[Span],
) -> list[DateSpan]:
    """The other dates of a list that ``when`` is one of, each its own occasion of the
    event: "joint exercises held in 2019 and 2022" are two exercises. Empty when the
    clause holds no such list."""
    dates = [
        d for d in _sentence_dates(ctx, sentence, future) if _event_date(ctx, d, clause, excluded)
    ]
    at = next((i for i, d in enumerate(dates) if d.start_offset == when.start_offset), None)
    if at is None:
        return []
    chain = [when]
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(dates):
            first, second = sorted((dates[i], dates[i + step]), key=lambda d: d.start_offset)
            if not _listed(ctx, first, second):
                break
            chain.append(dates[i + step])
            i += step
    return [d for d in chain if d is not when] if len(chain) > 1 else []


def _listed(ctx: DocContext, first: DateSpan, second: DateSpan) -> bool:
    if _overlap(first, second) or second.start_offset - first.end_offset > _LIST_GAP_MAX:
        return False
    gap = ctx.lowered[first.end_offset : second.start_offset]
    if not _LIST_GAP.match(gap) or _NOT_A_LIST.search(gap):
        return False
    lead = ctx.lowered[max(0, first.start_offset - CONTEXT_WINDOW) : first.start_offset]
    return not _RANGE_BEFORE.search(lead)


def _overlap(a: DateSpan, b: DateSpan) -> bool:
    a_end, b_end = a.end or date.max, b.end or date.max
    return a.start <= b_end and b.start <= a_end


def span_distance(span: DateSpan, triggers: list[re.Match[str]]) -> int:
    return min(max(t.start() - span.end_offset, span.start_offset - t.end(), 0) for t in triggers)
