"""Rules propose, the learned model decides: parties, event or not, status, confidence.

Every candidate the grammar finds (``sentence_candidates(..., keep_all=True)``, those
the rules alone would drop included) is offered with every country or body of its
sentence. The party model scores each; the parties are those above its threshold (the
two best when only one is, if the second is close). The event model then keeps or
drops the candidate, the status model gives its status, and the calibration table
turns the event score into a confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from defence_news.extract.context import Candidate, DocContext, Party
from defence_news.extract.learn.features import (
    candidate_features,
    note_sentence_categories,
    party_features,
    status_features,
)
from defence_news.extract.learn.model import EventModel
from defence_news.extract.status import final_status

PAIR = 2
MAX_CONFIDENCE = 0.99
# A second party this close to the threshold completes a pair: events have two sides.
PAIR_FLOOR = 0.3


@dataclass(frozen=True)
class PartyChoice:
    parties: dict[str, Party]
    probabilities: dict[str, float]  # of the chosen parties


def party_probabilities(
    ctx: DocContext, candidate: Candidate, model: EventModel
) -> dict[str, float]:
    return {
        code: model.party.score(party_features(ctx, candidate, code, party))
        for code, party in candidate.potential.items()
    }


# Where an offered party comes from when the sentence does not name it.
_CONTEXT_SOURCES = frozenset({"previous", "headline", "document"})


def choose_parties(
    candidate: Candidate,
    probabilities: dict[str, float],
    threshold: float,
    context_threshold: float | None = None,
) -> PartyChoice:
    """The parties above the threshold; a country only the context offers must clear the
    higher ``context_threshold`` when the sentence itself names two parties already."""
    named = sum(1 for p in candidate.potential.values() if p.source not in _CONTEXT_SOURCES)
    strict = context_threshold if context_threshold is not None and named >= PAIR else threshold

    def bar(code: str) -> float:
        return strict if candidate.potential[code].source in _CONTEXT_SOURCES else threshold

    ranked = sorted(probabilities, key=probabilities.__getitem__, reverse=True)
    chosen = [code for code in ranked if probabilities[code] >= bar(code)]
    if len(chosen) < PAIR and len(ranked) >= PAIR and probabilities[ranked[1]] >= PAIR_FLOOR:
        chosen = ranked[:PAIR]
    parties = {code: candidate.parties.get(code) or candidate.potential[code] for code in chosen}
    return PartyChoice(parties, {code: probabilities[code] for code in chosen})


def decide_candidate(ctx: DocContext, candidate: Candidate, model: EventModel) -> Candidate | None:
    """The candidate with the model's parties, status and confidence, or None."""
    probabilities = party_probabilities(ctx, candidate, model)
    choice = choose_parties(
        candidate, probabilities, model.party.threshold, model.context_threshold
    )
    if len(choice.parties) < PAIR:
        return None
    rule_parties = candidate.parties
    candidate.parties = choice.parties
    score = model.event.score(candidate_features(ctx, candidate, choice.probabilities))
    if score < model.event.threshold:
        candidate.parties = rule_parties
        return None
    spec = ctx.rules.categories[candidate.category]
    rule_status = final_status(
        spec, candidate.status, candidate.when, ctx.published, candidate.sentence.text
    )
    candidate.status = model.decide_status(
        status_features(ctx, candidate, rule_status), rule_status
    )
    # Never certain: a share of 1.0 in the calibration table is a small sample's.
    candidate.confidence = round(min(MAX_CONFIDENCE, model.calibration(score)), 2)
    return candidate


def decide(ctx: DocContext, candidates: list[Candidate], model: EventModel) -> list[Candidate]:
    note_sentence_categories(ctx, candidates)
    decided = (decide_candidate(ctx, candidate, model) for candidate in candidates)
    return [candidate for candidate in decided if candidate is not None]
