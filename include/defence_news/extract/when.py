"""When an event happens: the date of its sentence nearest its triggers.

Dates are found once per sentence that holds an event (``dates.py``) and resolved
against the publication date; a clause takes the date nearest its own triggers unless
another event's trigger is nearer to it.
"""

from __future__ import annotations

import re

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
            matches = find_date_matches(ctx.text, sentence.start, sentence.end)
            ctx.date_matches[sentence.start] = matches
        found = ctx.date_cache[key] = resolve(matches, ctx.published, future)
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


def span_distance(span: DateSpan, triggers: list[re.Match[str]]) -> int:
    return min(max(t.start() - span.end_offset, span.start_offset - t.end(), 0) for t in triggers)
