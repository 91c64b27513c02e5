"""Trigger words per category in a clause, and which category wins when several fire.

Each category's patterns and behaviour come from its data file (``categories.py``):
what it needs beside its triggers, the trigger words it drops beside another category
or without a visitor, what it becomes with a lexicon cue, which vaguer categories it
removes.
"""

from __future__ import annotations

import re

from defence_news.extract.categories import CategorySpec
from defence_news.extract.clauses import Span, inside
from defence_news.extract.context import DocContext
from defence_news.extract.sentences import Sentence

Triggers = dict[str, list[re.Match[str]]]  # category -> its trigger matches in a clause

_SPECIFICITY_WINDOW = 40  # characters between "agreed to hold" and "naval drills"
NO_DISTANCE = 10**6  # a cue that does not describe any trigger
# "pledged to" still describes "pledged"; "talks in Delhi on" describes what follows.
CUE_OVERHANG = 4
# Who can arrive on a visit: people, and ships on a port call.
_VISITOR = re.compile(
    r"\b(?:delegations?|ministers?|chiefs?|commanders?|generals?|admirals?|presidents?|"
    r"secretary|leaders?|envoys?|officials?|king|emir|prince|premier|ships?|vessels?|"
    r"warships?|frigates?|destroyers?|corvettes?|cutters?|fleet|flotilla|flagship|"
    r"submarines?|task group|training squadron)\b"
)


def find_triggers(
    ctx: DocContext, clause: Span, excluded: list[Span], sentence: Sentence
) -> Triggers:
    """Trigger matches per category in one clause, before specificity is applied.

    A category's "needs" (an arms sale needs equipment) may be met anywhere in the
    sentence: "agreed to buy jets, but cancelled the purchase".
    """
    start, end = clause
    enabling = [(m.start(), m.end()) for m in ctx.words(ctx.rules.enabling, start, end)]
    if ctx.has_place_words:
        excluded = excluded + [
            (m.start(1), m.end(1)) for m in ctx.words(ctx.rules.visited_place, start, end)
        ]
    enabler_found = False
    found: Triggers = {}
    for spec in ctx.rules.categories.values():
        matches = [
            m
            for m in ctx.words(spec.triggers, start, end)
            if not inside(excluded, m.start(), m.end())
            # "an agreement allowing troops to train": the training is only made possible.
            and not (enabler_found and inside(enabling, m.start(), m.end()))
        ]
        matches = _drop_dependent(ctx, spec, matches, found, clause)
        need = ctx.rules.need(spec)
        if matches and (need is None or ctx.words(need, sentence.start, sentence.end)):
            found[spec.name] = matches
            enabler_found = enabler_found or spec.enables
    return found


def _drop_dependent(
    ctx: DocContext,
    spec: CategorySpec,
    matches: list[re.Match[str]],
    found: Triggers,
    clause: Span,
) -> list[re.Match[str]]:
    """Trigger words that count only in company: "arrived in Tokyo" needs a visitor,
    "arrived" is no delivery beside a visit."""
    if not matches:
        return matches
    if spec.needs_visitor is not None and not _has_visitor(ctx, clause):
        matches = [m for m in matches if not spec.needs_visitor.fullmatch(m.group(0))]
    for other, pattern in spec.dropped_beside.items():
        if other in found:
            matches = [m for m in matches if not pattern.fullmatch(m.group(0))]
    return matches


def _has_visitor(ctx: DocContext, clause: Span) -> bool:
    """A person or a delegation in the clause: "arrived in Tokyo" is then a visit."""
    return bool(ctx.people_in(*clause)) or bool(_VISITOR.search(ctx.lowered, *clause))


def apply_becomes(ctx: DocContext, clauses: list[Span], found: list[Triggers]) -> None:
    """ "met for their annual defence policy dialogue": the meeting is the dialogue."""
    for spec in ctx.rules.categories.values():
        if spec.becomes is None:
            continue
        target, cue = spec.becomes
        for clause, triggers in zip(clauses, found, strict=True):
            if spec.name not in triggers:
                continue
            marks = ctx.words(ctx.rules.patterns[cue], *clause)
            if marks:
                triggers[target] = triggers.pop(spec.name) + marks


def apply_specificity(ctx: DocContext, clauses: list[Triggers]) -> None:
    """A specific category removes a vaguer one on the same words (``removes``)."""
    in_sentence = {category for found in clauses for category in found}
    for found in clauses:
        for spec in ctx.rules.categories.values():
            for weaker, scope in spec.removes.items():
                if weaker not in found:
                    continue
                removes = (
                    (scope == "sentence" and spec.name in in_sentence)
                    or (scope == "clause" and spec.name in found)
                    or (
                        scope == "near"
                        and spec.name in found
                        and _near(found[weaker], found[spec.name])
                    )
                )
                if removes:
                    found.pop(weaker)


def _near(a: list[re.Match[str]], b: list[re.Match[str]]) -> bool:
    return any(distance(x, b) <= _SPECIFICITY_WINDOW for x in a)


def distance(cue: re.Match[str], triggers: list[re.Match[str]]) -> int:
    """Characters between a cue and the nearest trigger (0 when they overlap)."""
    best = NO_DISTANCE
    for trigger in triggers:
        if (
            trigger.start() <= cue.start() < trigger.end()
            and cue.end() - trigger.end() > CUE_OVERHANG
        ):
            continue  # "talks ... on": a cue about what follows the trigger, not the trigger
        if cue.end() <= trigger.start():
            gap = trigger.start() - cue.end()
        elif cue.start() >= trigger.end():
            gap = cue.start() - trigger.end()
        else:
            gap = 0
        best = min(best, gap)
    return best
