"""The event grammar: sentences -> clauses -> candidate events.

For every clause, each category's trigger words propose a candidate (``triggers.py``);
the candidate takes its parties (``parties.py``), a status (``status.py``), a date
(``when.py``) and the people involved, and is dropped when it is no news event
(``filters.py``). ``merge.py`` then makes one event of the candidates that tell the
same happening.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from defence_news.extract.categories import CategorySpec
from defence_news.extract.clauses import (
    Span,
    anaphora_spans,
    attribution,
    background_spans,
    backstory_spans,
    clauses,
    reporting_spans,
)
from defence_news.extract.context import Candidate, DocContext, Party
from defence_news.extract.filters import is_generic, is_history, is_novel, is_opinion
from defence_news.extract.parties import (
    PAIR,
    clause_parties,
    complete_parties,
    is_separate,
    offered_parties,
    role_people,
)
from defence_news.extract.roles import RELATION_WINDOW, TO_BEFORE
from defence_news.extract.sentences import Sentence
from defence_news.extract.status import category_status, grammar_status, halt_near
from defence_news.extract.triggers import (
    Triggers,
    apply_becomes,
    apply_specificity,
    find_triggers,
)
from defence_news.extract.when import listed_dates, pick_date, span_distance

# "the meeting", "these joint drills": a reference back, not "the Philippines agreed".
_ANAPHORIC_TRIGGER = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose)\s+(?:[a-z][\w-]*\s+)?$"
)
# Event names are capitalised: the one place where case is the signal.
_QUOTED_NAME = re.compile(r"[“\"]([A-Z][\w\-]*(?:\s+[A-Z0-9][\w\-]*){0,3})[”\"]")
_NAMED_EXERCISE = re.compile(
    r"\b(?:[Ee]xercise|[Oo]peration)\s+(?P<after>[A-Z][\w\-]+(?:\s+[A-Z0-9][\w\-]*){0,2})"
    r"|(?P<before>[A-Z][\w\-]+(?:\s+[A-Z0-9][\w\-]*){0,2})\s+(?:joint\s+)?(?:exercises?|drills?|war\s?games)\b"
)
_NOT_NAME_STARTS = frozenset({"The", "Joint", "Military", "Naval", "This"})
_ANAPHORA_LOOKBACK = 30  # characters before a trigger searched for "the", "these"


@dataclass(frozen=True)
class SentenceScope:
    """What every candidate of one sentence shares."""

    sentence: Sentence
    excluded: list[Span]
    attribution: str | None
    subject_end: int  # the sentence's subject comes before its first trigger word
    found: list[Triggers]  # per clause


def _has_party_words(ctx: DocContext, sentence: Sentence) -> bool:
    """A sentence naming no country, body or person cannot hold an event."""
    i = bisect_left(ctx.mention_starts, sentence.start)
    if i < len(ctx.mention_starts) and ctx.mention_starts[i] < sentence.end:
        return True
    j = bisect_left(ctx.person_starts, sentence.start)
    return j < len(ctx.person_starts) and ctx.person_starts[j] < sentence.end


def _name_spans(ctx: DocContext, sentence: Sentence) -> list[Span]:
    """ "the Collective Security Treaty Organization": words of a name are not triggers."""
    return [
        (m.start, m.end)
        for m in ctx.mentions_in(sentence.start, sentence.end)
        if m.kind in ("org", "igo") and " " in m.text
    ]


def sentence_candidates(
    ctx: DocContext, sentence: Sentence, keep_all: bool = False
) -> list[Candidate]:
    """The candidate events of one sentence. With ``keep_all``, also those the rules
    would drop (speculation, one party, history...), marked with ``drop_reason``, for a
    learned decision to weigh."""
    said_by, attribution_spans = attribution(ctx, sentence)
    if not _has_party_words(ctx, sentence):
        ctx.previous_pair = frozenset()
        if not keep_all:
            return []  # a learned decision may still take the parties from the context
    anaphora = anaphora_spans(ctx, sentence)
    backstory = backstory_spans(ctx, sentence) if ctx.has_since else []
    excluded = attribution_spans + anaphora + reporting_spans(sentence) + backstory
    opinion = is_opinion(ctx, sentence.start, sentence.end)
    spans = clauses(sentence)
    names = _name_spans(ctx, sentence)
    found = [find_triggers(ctx, clause, excluded + names, sentence) for clause in spans]
    apply_specificity(ctx, found)
    apply_becomes(ctx, spans, found)
    subject_end = min(
        (m.start() for triggers in found for ms in triggers.values() for m in ms),
        default=sentence.start,
    )
    scope = SentenceScope(sentence, excluded, said_by, subject_end, found)
    candidates: list[Candidate] = []
    for clause, triggers_by_category in zip(spans, found, strict=True):
        for category, triggers in triggers_by_category.items():
            candidate = _candidate(
                ctx, scope, category, triggers, clause, triggers_by_category, keep_all
            )
            if candidate is None:
                continue
            if opinion and candidate.status in (None, "planned"):
                continue  # an analyst's view of what may come, not an event
            candidate.linked_to_visit = bool(anaphora)
            candidates.append(candidate)
            candidates.extend(_other_occasions(ctx, scope, candidate))
    pairs = [c.party_set for c in candidates if len(c.parties) == PAIR and c.rule_kept]
    ctx.previous_pair = pairs[-1] if pairs else frozenset()
    return candidates


def _other_occasions(
    ctx: DocContext, scope: SentenceScope, candidate: Candidate
) -> list[Candidate]:
    """One event per date of a list ("joint exercises held in 2019 and 2022") and per
    instrument ("signed two agreements")."""
    spec = ctx.rules.categories[candidate.category]
    instruments = _instrument_count(ctx, spec, candidate.clause)
    if instruments > 1:
        return [candidate.another_occasion(candidate.when) for _ in range(instruments - 1)]
    if candidate.when is None:
        return []
    future = candidate.status == "planned"
    dates = listed_dates(
        ctx, scope.sentence, candidate.clause, candidate.when, future, scope.excluded
    )
    return [candidate.another_occasion(when) for when in dates]


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}


def _instrument_count(ctx: DocContext, spec: CategorySpec, clause: Span) -> int:
    """How many instruments (agreements, contracts) a clause tells: the most of its
    number words ("two agreements") and of its instruments told one by one."""
    if spec.instrument_each is None:
        return 1
    start, end = clause
    each = sum(1 for _ in spec.instrument_each.finditer(ctx.lowered, start, end))
    counted = [
        _NUMBER_WORDS[m.group(1)]
        for m in (
            spec.instrument_counted.finditer(ctx.lowered, start, end)
            if spec.instrument_counted
            else ()
        )
    ]
    return max([each, *counted, 1])


def _widen_parties(
    ctx: DocContext,
    scope: SentenceScope,
    clause: Span,
    parties: dict[str, Party],
    people: list[int],
) -> tuple[dict[str, Party], list[int], Span]:
    """A clause naming one party takes the others from its sentence."""
    sentence = scope.sentence
    start = clause[0]
    separate = is_separate(ctx, clause)
    if len(parties) == 1 and start > scope.subject_end > sentence.start and not separate:
        # "Burkina Faso ended ties with France and now relies on Russian advisers, who
        # train its forces": the clause's other party is the sentence's subject.
        subject_span = (sentence.start, scope.subject_end)
        subject_people = ctx.people_in(*subject_span)
        subject = clause_parties(ctx, subject_span, scope.excluded, subject_people)
        for code, party in subject.items():
            parties.setdefault(code, party)
        return parties, people + [i for i in subject_people if i not in people], clause
    whole = (sentence.start, sentence.end)
    if len(parties) < PAIR and clause != whole and not separate:
        sentence_people = ctx.people_in(*whole)
        wider = clause_parties(ctx, whole, scope.excluded, sentence_people)
        if len(wider) > len(parties):
            return wider, sentence_people, whole
    return parties, people, clause


def _candidate(
    ctx: DocContext,
    scope: SentenceScope,
    category: str,
    triggers: list[re.Match[str]],
    clause: Span,
    clause_triggers: Triggers,
    keep_all: bool = False,
) -> Candidate | None:
    spec = ctx.rules.categories[category]
    sentence = scope.sentence
    status, speculative = grammar_status(ctx, clause, triggers)
    if speculative:
        # "considering whether to buy": on real text such a clause is never an event the
        # annotators record, so no learned decision is asked about it either.
        return None
    drop_reason = None
    status = category_status(ctx, spec, status, clause)
    people = ctx.people_in(*clause)
    party_excluded = scope.excluded + background_spans(ctx, sentence, triggers)
    parties = clause_parties(ctx, clause, party_excluded, people)
    parties, people, party_scope = _widen_parties(ctx, scope, clause, parties, people)
    complete_parties(ctx, parties, party_scope, spec)
    offered = offered_parties(ctx, sentence, parties) if keep_all else {}
    if len(parties) < PAIR:
        if len(offered) < PAIR:
            return None
        drop_reason = drop_reason or "one_party"
    people = list(dict.fromkeys(people + role_people(ctx, party_scope, frozenset(parties))))
    people = [
        i for i in people if ctx.people[i].country in parties or ctx.people[i].country is None
    ]
    when = _event_date(ctx, scope, category, triggers, clause, clause_triggers, status)
    where_country, where_place = _where(ctx, clause)
    start = clause[0]
    before_trigger = ctx.text[
        max(start, triggers[0].start() - _ANAPHORA_LOOKBACK) : triggers[0].start()
    ]
    candidate = Candidate(
        category=category,
        status=status,
        sentence=sentence,
        triggers=list(dict.fromkeys(ctx.text[t.start() : t.end()] for t in triggers)),
        trigger_start=triggers[0].start(),
        parties=parties,
        people=people,
        when=when,
        where_country=where_country,
        where_place=where_place,
        event_name=_event_name(ctx, clause) if spec.named else None,
        attribution=scope.attribution,
        anaphoric=bool(_ANAPHORIC_TRIGGER.search(before_trigger)),
        novel=is_novel(ctx, triggers[0]),
        linked_to_visit=False,
        speculative=speculative,
        sentences=[sentence],
        clause=clause,
        trigger_spans=[(t.start(), t.end()) for t in triggers],
        halt_near=halt_near(ctx, spec, clause, triggers),
        cue_status=status,
        potential=offered,
        drop_reason=drop_reason,
    )
    if is_history(ctx, candidate, *clause):
        candidate.drop_reason = candidate.drop_reason or "history"
    elif is_generic(ctx, candidate):
        candidate.drop_reason = candidate.drop_reason or "generic"
    if candidate.drop_reason and not keep_all:
        return None
    return candidate


def _event_date(
    ctx: DocContext,
    scope: SentenceScope,
    category: str,
    triggers: list[re.Match[str]],
    clause: Span,
    clause_triggers: Triggers,
    status: str | None,
):
    sentence = scope.sentence
    others = [m for cat, ms in clause_triggers.items() if cat != category for m in ms]
    future = status == "planned"
    when = pick_date(ctx, sentence, clause, scope.excluded, triggers, others, future)
    if future and when is not None and span_distance(when, triggers) == 0:
        # "agreed on Monday to expand": the date inside the trigger is when it was agreed.
        when = pick_date(ctx, sentence, clause, scope.excluded, triggers, others, False)
    whole = (sentence.start, sentence.end)
    if when is None and not future and clause != whole:
        # "met his counterpart in Berlin on Wednesday and signed a declaration": one
        # occasion, one date. A promise made on Thursday is not kept on Thursday.
        sentence_others = [
            m for found in scope.found for cat, ms in found.items() if cat != category for m in ms
        ]
        when = pick_date(ctx, sentence, whole, scope.excluded, triggers, sentence_others, future)
    return when


def _event_name(ctx: DocContext, clause: Span) -> str | None:
    segment = ctx.text[clause[0] : clause[1]]
    quoted = _QUOTED_NAME.search(segment)
    if quoted:
        return quoted.group(1)
    for match in _NAMED_EXERCISE.finditer(segment):
        name = match.group("after") or match.group("before")
        first = name.split()[0]
        if ctx.gaz.lookup(first) is None and first not in _NOT_NAME_STARTS:
            return name
    return None


def _where(ctx: DocContext, clause: Span) -> tuple[str | None, str | None]:
    start, end = clause
    for mention in ctx.mentions_in(start, end):
        if mention.kind in ("country", "capital"):
            window = ctx.text[max(start, mention.start - RELATION_WINDOW) : mention.start]
            if mention.is_location or TO_BEFORE.search(window):
                place = mention.text if mention.kind == "capital" else None
                return mention.code, place
    return None, None
