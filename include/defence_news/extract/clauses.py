"""Clauses of a sentence, and the spans in it that tell no event of their own.

A sentence is cut into clauses at semicolons, contrast words and a second verb phrase;
attribution ("according to ..."), trailing reports (", an official said"), backstory
("the first since ...") and relative asides (", which also flies F-16s,") are spans
whose words are neither triggers nor parties.
"""

from __future__ import annotations

import re

from defence_news.extract.context import DocContext
from defence_news.extract.sentences import Sentence

Span = tuple[int, int]

# Name-shape breaks ("and the Philippines ...", "after Japan ...") look at capitals.
_CLAUSE_BREAK = re.compile(
    r";|,?\s+(?:while|whereas|but|although|though|however|meanwhile)\s+"
    r"|,\s+and\s+(?=(?:the\s+)?[A-Z])"
    r"|,\s+(?=(?:after|before|when|once|until|where|during which)\s)"
    r"|\s+(?=after\s+[A-Z])"
    # "will visit the academy on Wednesday before flying to Manila, where he is due to meet"
    r"|\s+(?=(?:before|after)\s+[a-z]+ing\b)"
    # "met in London and agreed to ...": a second verb phrase, often with a new party.
    r"|\s+and\s+(?=(?:agreed|pledged|vowed|signed|decided|promised|announced|now|has|have|"
    r"then|later|also|discussed|reviewed)\b)"
)
_ATTRIBUTION = re.compile(r"\baccording to\s+[^,;.”\"]+(?:\.\d[^,;.”\"]*)?")
_IT_SAID = re.compile(r"\b(?:it|they)\s+(?:said|added|stated|noted)\b")
_TRAILING_REPORT = re.compile(
    r",\s*(?:[^,]{0,80}?)\b(?:said|says|reported|reports|announced|stated|told reporters|"
    r"confirmed|claimed)\b(?:\s+(?:on|in|last|this|late|early|earlier|later)\b[^,]{0,25})?"
    # ", a South Korean official said, dismissing media reports."
    r"(?:,\s+[a-z]+ing\b[^,]{0,60})?[.”\"]*$"
)
_RELATIVE_ASIDE = re.compile(r",\s+(?:which|who)\s+[^,;]+,")
_ASIDE_GAP = 2  # characters between a trigger noun and the ", which" that describes it
CONTEXT_WINDOW = 40  # characters before a word searched for the words that qualify it


def clauses(sentence: Sentence) -> list[Span]:
    spans: list[Span] = []
    start = sentence.start
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        spans.append((start, sentence.start + match.start()))
        start = sentence.start + match.end()
    spans.append((start, sentence.end))
    return [(s, e) for s, e in spans if e > s]


def inside(spans: list[Span], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def attribution(ctx: DocContext, sentence: Sentence) -> tuple[str | None, list[Span]]:
    """Who says it, and the spans of the attribution phrase (not event content)."""
    match = _ATTRIBUTION.search(sentence.text)
    if match:
        span = (sentence.start + match.start(), sentence.start + match.end())
        ctx.last_attribution = match.group(0).strip()
        return ctx.last_attribution, [span]
    speakers = [
        pm for pm in ctx.person_mentions if pm.speaker and sentence.start <= pm.start < sentence.end
    ]
    if speakers:
        speaker = speakers[0]
        person = ctx.people[speaker.person]
        verb_end = ctx.text.find(" ", speaker.end + 1)
        phrase = ctx.text[speaker.start : verb_end if verb_end > 0 else speaker.end].strip(" ,")
        said_by = person.name if speaker.kind != "pronoun" else f"{person.name} ({phrase})"
        ctx.last_attribution = said_by
        return said_by, []
    if _IT_SAID.search(sentence.text):
        return ctx.last_attribution, []
    return None, []


def reporting_spans(sentence: Sentence) -> list[Span]:
    """ ", Japan's Joint Staff Office reported on Monday.": the reporter is not a party."""
    match = _TRAILING_REPORT.search(sentence.text)
    if match is None:
        return []
    return [(sentence.start + match.start(), sentence.end)]


def backstory_spans(ctx: DocContext, sentence: Sentence) -> list[Span]:
    """ "the first since the two countries upgraded relations": not news (lexicon.yaml)."""
    spans = []
    for match in ctx.words(ctx.rules.backstory, sentence.start, sentence.end):
        window_start = max(sentence.start, match.start() - CONTEXT_WINDOW)
        lead = ctx.rules.backstory_lead.search(ctx.lowered, window_start, match.start())
        if lead is not None:
            spans.append((lead.start(), match.end()))
    return spans


def anaphora_spans(ctx: DocContext, sentence: Sentence) -> list[Span]:
    """ "during the visit": a reference to an event told before, not a new one."""
    return [
        (m.start(), m.end())
        for m in ctx.rules.event_anaphora.finditer(ctx.lowered, sentence.start, sentence.end)
    ]


def background_spans(
    ctx: DocContext, sentence: Sentence, triggers: list[re.Match[str]]
) -> list[Span]:
    """ "Indonesia, which also flies US-built F-16s, is buying Rafales": the countries of a
    relative clause the triggers are not in are background, not parties."""
    spans = []
    for match in _RELATIVE_ASIDE.finditer(sentence.text):
        span = (sentence.start + match.start(), sentence.start + match.end())
        holds_trigger = any(span[0] <= t.start() < span[1] for t in triggers)
        # "the exercise, which brought together marines from ...,": it tells of the event.
        about_trigger = any(0 <= span[0] - t.end() <= _ASIDE_GAP for t in triggers)
        if not holds_trigger and not about_trigger:
            spans.append(span)
    return spans
