"""One event per real happening in a document: merging candidates that tell the same one."""

from __future__ import annotations

from datetime import date

from defence_news.extract.context import Candidate, DocContext
from defence_news.extract.dates import DateSpan
from defence_news.extract.rules import STRONG_STATUSES

_PRECISION_RANK = {"day": 3, "month": 2, "year": 1, "unknown": 0}


def _dates_compatible(a: DateSpan | None, b: DateSpan | None) -> bool:
    if a is None or b is None:
        return True
    a_end = a.end or date.max
    b_end = b.end or date.max
    return a.start <= b_end and b.start <= a_end


def _statuses_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return {a, b} in ({"planned", "ongoing"}, {"suspended", "cancelled"}, {"suspended", "negated"})


def _absorb(kept: Candidate, new: Candidate) -> None:
    # The evidence is the sentence that says most about the happening.
    if new.richness() > kept.richness():
        kept.sentence, kept.trigger_start = new.sentence, new.trigger_start
    kept.triggers = list(dict.fromkeys(kept.triggers + new.triggers))
    kept.people = list(dict.fromkeys(kept.people + new.people))
    for code, party in new.parties.items():
        target = kept.parties.get(code)
        if target is None:
            continue  # a party the kept event does not have (``consolidate``)
        target.mentions.extend(party.mentions)
        target.inferred = target.inferred and party.inferred
        if party.person_sector and not target.person_sector:
            target.person_sector, target.person_branch = party.person_sector, party.person_branch
            target.person_org = party.person_org
    if new.when and (
        kept.when is None
        or _PRECISION_RANK[new.when.precision] > _PRECISION_RANK[kept.when.precision]
    ):
        kept.when = new.when
    kept.where_country = kept.where_country or new.where_country
    kept.where_place = kept.where_place or new.where_place
    kept.event_name = kept.event_name or new.event_name
    kept.attribution = kept.attribution or new.attribution
    if new.confidence is not None and kept.confidence is not None:
        kept.confidence = max(kept.confidence, new.confidence)
    # The status of a report whose words say it beats one the grammar defaulted: "began on
    # Thursday" (ongoing) over "the exercise" (no cue); a strong status beats a weak one.
    if (kept.cue_status is None and new.cue_status is not None) or (
        new.status in STRONG_STATUSES and kept.status not in STRONG_STATUSES
    ):
        kept.status = new.status or kept.status
        kept.cue_status = new.cue_status
    if new.sentence not in kept.sentences:
        kept.sentences.append(new.sentence)


def _kin(ctx: DocContext, told: str, referring: str) -> bool:
    """An anaphoric ``referring`` ("the training") may name a ``told`` event (an exercise):
    the told category's ``anaphora_kin``."""
    return referring in ctx.rules.categories[told].anaphora_kin


def _same_happening(ctx: DocContext, kept: Candidate, candidate: Candidate) -> bool:
    if kept.party_set != candidate.party_set or candidate.novel:
        return False
    if kept.category != candidate.category:
        # "They met for a defence policy dialogue. The talks were co-chaired by ...";
        # "launched the Blue Strike exercise; the training will last three weeks".
        kin = _kin(ctx, kept.category, candidate.category) or _kin(
            ctx, candidate.category, kept.category
        )
        return candidate.anaphoric and kin
    if candidate.sentence is kept.sentence or candidate.sentence in kept.sentences:
        # One sentence, one deal: "agreed to buy ..., but cancelled the purchase"; unless
        # one is another instance: "will buy two more ..., after the first two arrived".
        return not kept.novel
    if candidate.linked_to_visit and _is_visit(ctx, candidate):
        return True  # "During the visit, he will meet ...": a meeting of that visit
    if not _dates_compatible(kept.when, candidate.when):
        return False
    return candidate.anaphoric or _statuses_compatible(kept.status, candidate.status)


def _refers_elsewhere(ctx: DocContext, candidate: Candidate, merged: list[Candidate]) -> bool:
    same_kind = [
        k
        for k in merged
        if k.category == candidate.category or _kin(ctx, k.category, candidate.category)
    ]
    return bool(same_kind) and all(k.party_set != candidate.party_set for k in same_kind)


def _is_visit(ctx: DocContext, candidate: Candidate) -> bool:
    """An occasion that "during the visit" refers to (the category's ``occasion``)."""
    return ctx.rules.categories[candidate.category].occasion


def merge_candidates(ctx: DocContext, candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per real happening in the document."""
    merged: list[Candidate] = []
    for candidate in candidates:
        if candidate.linked_to_visit:
            _inherit_visit(ctx, candidate, merged)
        target = next((kept for kept in merged if _same_happening(ctx, kept, candidate)), None)
        if target is not None:
            _absorb(target, candidate)
        elif candidate.anaphoric and _refers_elsewhere(ctx, candidate, merged):
            continue  # "the talks" of an event told before, with the wrong parties here
        else:
            merged.append(candidate)
    return merged


def _inherit_visit(ctx: DocContext, candidate: Candidate, merged: list[Candidate]) -> None:
    """ "During the visit, ... will sign": the time and place of the last visit apply."""
    visits = [c for c in merged if _is_visit(ctx, c) and c.party_set & candidate.party_set]
    if not visits:
        return
    visit = visits[-1]
    candidate.when = candidate.when or visit.when
    candidate.where_country = candidate.where_country or visit.where_country
    candidate.where_place = candidate.where_place or visit.where_place


# Statuses that can describe one happening told twice: begun (occurred) and under way.
_SAME_HAPPENING_STATUSES = ({"occurred", "ongoing"}, {"planned", "ongoing"})
# Announced and done, told of one happening: "will hand over" in the lead, "handed over"
# in the body. Only when both reports are dated or neither is: a dated past occasion is
# not the undated plan ("agree to hold drills" is not "held drills in October 2016").
_PLAN_AND_DEED = {"planned", "occurred"}
_MANY = 3  # parties of a multilateral event, whose reports name some of them each


def _one_happening(kept: Candidate, other: Candidate) -> bool:
    if kept.category != other.category or not _dates_compatible(kept.when, other.when):
        return False
    if kept.sentence is other.sentence and (kept.novel or other.novel):
        return False  # "signed two agreements": another instance, not another report
    statuses = {kept.status, other.status}
    same_status = (
        len(statuses) == 1
        or statuses in _SAME_HAPPENING_STATUSES
        or (statuses == _PLAN_AND_DEED and (kept.when is None) == (other.when is None))
    )
    # A headline tells the story in its own tense: "X and Y will respond jointly under new
    # pact" is the pact the body says they signed.
    # Not a dated report of another occasion: "agree to hold joint drills" (headline) is
    # not "in October 2016 they held joint drills".
    headline = (kept.sentence.index == 0 and other.when is None) or (
        other.sentence.index == 0 and kept.when is None
    )
    if not same_status and not (headline and kept.party_set == other.party_set):
        return False
    a, b = kept.party_set, other.party_set
    if a == b:
        return True
    # "Ten nations join Balikatan" and "the Philippines and the US open Balikatan".
    return len(a | b) >= _MANY and (a <= b or b <= a or len(a & b) * 2 >= len(a | b))


def consolidate(decided: list[Candidate]) -> list[Candidate]:
    """After the learned decisions: one event per happening the article tells more than
    once, with the parties and status of its most confident report."""
    kept: list[Candidate] = []
    for candidate in sorted(decided, key=lambda c: -(c.confidence or 0.0)):
        target = next((k for k in kept if _one_happening(k, candidate)), None)
        if target is None:
            kept.append(candidate)
            continue
        # Each report of a multilateral event names some of its parties: all of them are.
        for code, party in candidate.parties.items():
            target.parties.setdefault(code, party)
        status, cue = target.status, target.cue_status
        _absorb(target, candidate)
        if cue is not None:
            target.status = status  # the most confident report's, as decided
    return sorted(kept, key=lambda c: (c.sentence.start, c.trigger_start))
