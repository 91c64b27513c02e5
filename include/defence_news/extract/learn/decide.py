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
    all_party_features,
    candidate_features,
    note_sentence_categories,
    status_features,
)
from defence_news.extract.learn.model import BinaryModel, EventModel
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
    ctx: DocContext, candidate: Candidate, party: BinaryModel
) -> dict[str, float]:
    # A sentence that names two parties tells its own event: on real text a third country
    # from the context is then wrong far more often than right, so it is not weighed.
    return {
        code: party.score(features)
        for code, features in all_party_features(ctx, candidate, sentence_only=True).items()
    }


def choose_parties(
    candidate: Candidate, probabilities: dict[str, float], threshold: float
) -> PartyChoice:
    """The offered parties above the threshold; the best two when only one is, if the
    second is close (events have two sides)."""
    ranked = sorted(probabilities, key=probabilities.__getitem__, reverse=True)
    chosen = [code for code in ranked if probabilities[code] >= threshold]
    if len(chosen) < PAIR and len(ranked) >= PAIR and probabilities[ranked[1]] >= PAIR_FLOOR:
        chosen = ranked[:PAIR]
    parties = {code: candidate.parties.get(code) or candidate.potential[code] for code in chosen}
    return PartyChoice(parties, {code: probabilities[code] for code in chosen})


def decide_candidate(ctx: DocContext, candidate: Candidate, model: EventModel) -> Candidate | None:
    """The candidate with the model's parties, status and confidence, or None."""
    probabilities = party_probabilities(ctx, candidate, model.party)
    choice = choose_parties(candidate, probabilities, model.party.threshold)
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
    candidate.status = spec.only_status or model.decide_status(
        status_features(ctx, candidate, rule_status), rule_status
    )
    # Never certain: a share of 1.0 in the calibration table is a small sample's.
    candidate.confidence = round(min(MAX_CONFIDENCE, model.calibration(score)), 2)
    return candidate


def decide(ctx: DocContext, candidates: list[Candidate], model: EventModel) -> list[Candidate]:
    note_sentence_categories(ctx, candidates)
    decided = (decide_candidate(ctx, candidate, model) for candidate in candidates)
    return [candidate for candidate in decided if candidate is not None]
