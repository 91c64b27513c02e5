"""The event grammar: sentences -> clauses -> candidate events.

For every clause, each category's trigger words propose a candidate; the
candidate takes the parties named in the clause (countries, forces, bodies and
the countries of the people acting in it), a status from the nearest status cue,
a date resolved against the publication date, and the people involved.
``merge.py`` then makes one event of the candidates that tell the same happening.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import cache

from defence_news.extract.context import Candidate, DocContext, Party
from defence_news.extract.dates import DateSpan, find_date_matches, resolve
from defence_news.extract.mentions import Mention
from defence_news.extract.people import role_references
from defence_news.extract.roles import RELATION_WINDOW, TO_BEFORE
from defence_news.extract.rules import STRONG_STATUSES, word_start
from defence_news.extract.sentences import Sentence

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
# "the meeting", "these joint drills": a reference back, not "the Philippines agreed".
_ANAPHORIC_TRIGGER = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose)\s+(?:[a-z][\w-]*\s+)?$"
)
_QUOTED_NAME = re.compile(r"[“\"]([A-Z][\w\-]*(?:\s+[A-Z0-9][\w\-]*){0,3})[”\"]")
_NAMED_EXERCISE = re.compile(
    r"\b(?:[Ee]xercise|[Oo]peration)\s+(?P<after>[A-Z][\w\-]+(?:\s+[A-Z0-9][\w\-]*){0,2})"
    r"|(?P<before>[A-Z][\w\-]+(?:\s+[A-Z0-9][\w\-]*){0,2})\s+(?:joint\s+)?(?:exercises?|drills?|war\s?games)\b"
)
_WITH_BEFORE = re.compile(r"\b(?:with|alongside|together with|and)\s+(?:the\s+)?$")
_IGO_MODIFIES = re.compile(
    r"\s+(?:peacekeeping|peace-keeping|missions?|resolutions?|sanctions|charter|observers?)\b"
)
_JOINT = re.compile(r"\b(?:joint|bilateral|combined|together)\b", re.I)
_TRAILING_REPORT = re.compile(
    r",\s*(?:[^,]{0,80}?)\b(?:said|says|reported|reports|announced|stated|told reporters|"
    r"confirmed|claimed)\b(?:\s+(?:on|in|last|this|late|early|earlier|later)\b[^,]{0,25})?"
    # ", a South Korean official said, dismissing media reports."
    r"(?:,\s+[a-z]+ing\b[^,]{0,60})?[.”\"]*$"
)
_SPECIFICITY_WINDOW = 40  # characters between "agreed to hold" and "naval drills"
_CONTEXT_WINDOW = 40  # characters before a mention searched for "against", "amid"...
_GENERIC_PLURAL = re.compile(
    r"(?:meetings|visits|exercises|drills|manoeuvres|maneuvers|war ?games|patrols|courses|"
    r"sales|deliveries|purchases|agreements|pacts|delegations|trainings)"
)
_NOVELTY_WINDOW = 30  # characters around a trigger searched for "further", "two more"
_MORE_AFTER = re.compile(r"\s+(?:[\w-]+\s+)?(?:more|additional|further|another)\b", re.I)
_STRONG_CUE_WEIGHT = 0.5  # a strong cue (suspended...) counts as this fraction of its distance
# Past-tense verbs are everywhere; an adjacent modal or negation says more ("had not received").
_OCCURRED_CUE_PENALTY = 3
_STATUS_WINDOW = 120  # characters around the triggers searched for status cues
# "pledged to" still describes "pledged"; "talks in Delhi on" describes what follows.
_CUE_OVERHANG = 4
_NO_DISTANCE = 10**6  # a cue that does not describe any trigger
_OVERLAP_DISTANCE = -1.0  # a cue inside the trigger phrase beats every cue outside it
_OVERLAP_OCCURRED = 0.75  # ... except an adjacent negation (distance 1 x 0.5)
# A date that only says "now" does not make a history lesson news ("still shapes it today").
_DEICTIC_DATES = frozenset({"today", "now"})
# A clause opening "after South Korea and the US started drills": its subject is a party,
# though "after" before a country usually marks a backdrop ("amid", "after pressure from").
_SUBORDINATORS = frozenset({"after", "before", "when", "once", "until", "where"})
_ARRIVAL = re.compile(r"arriv(?:ed|al|als)")
_ARRIVAL_IN = re.compile(r"(?:arrived|arrives|landed|lands)\s+in")
_VISITOR = re.compile(
    r"\b(?:delegations?|ministers?|chiefs?|commanders?|generals?|admirals?|presidents?|"
    r"secretary|leaders?|envoys?|officials?|king|emir|prince|premier)\b"
)
_PAIR = 2
# "howitzers built in France": the country after "built in" is the maker, a party.
_MADE_IN = re.compile(r"\b(?:built|made|produced|manufactured)\s+in\s+(?:the\s+)?$")
# Speculation words that keep an intention undecided even past a nearer "to buy".
_DELIBERATION = re.compile(r"considering|weighing|mulling|eyeing")
_DELIBERATION_REACH = 25  # characters, as in "considering whether to buy"
# "held separate drills", "its own exercise": the clause does not share the subject's party.
_SEPARATE = re.compile(r"\b(?:separate|separately|its own|their own|unilateral\w*|alone)\b")
# "an agreement dating from 1961": the date is the object's origin, not the event's.
_FIRST_BEFORE = re.compile(r"\b(?:first|last)\b(?:\s+[\w-]+){0,5}\s+$")
_ORIGIN_BEFORE = re.compile(r"\b(?:dating (?:from|back to)|dates? (?:from|back to))\s+$")
_WEAK_HALT_STATUSES = frozenset({None, "occurred", "ongoing"})
_SPEECH_AFTER = re.compile(
    r"(?:[’']s)?(?:\s+[\w-]+){0,2}?\s+(?:claimed|claims|accused|accuses|warned|"
    r"warns|called|calls|described|describes|denounced|condemned|critici[sz]ed|protested)\b"
)
_HABITUAL = re.compile(r"\b(?:regularly|routinely|frequently|often|usually|habitually)\b")
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:was|were|has been|have been|had been|is being|are being)\s+(?:\w+\s+)?$"
)
_ASIDE_GAP = 2  # characters between a trigger noun and the ", which" that describes it
_RELATIVE_ASIDE = re.compile(r",\s+(?:which|who)\s+[^,;]+,")
_MORE_OF_A_KIND = re.compile(
    r"\b(?:increase|increasing|expand|expanding|boost|boosting|step up|more|deepen|strengthen)"
    r"\s+(?:[\w-]+\s+){0,2}$"
)
# Activities one party "joins" or "takes part in" with a partner told just before.
_JOINING_CATEGORIES = frozenset({"exercise", "training"})
_SUBJECT_GOES_ON = re.compile(r"(?:[’']s)?\s+[a-z]")


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = sentence.start
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        spans.append((start, sentence.start + match.start()))
        start = sentence.start + match.end()
    spans.append((start, sentence.end))
    return [(s, e) for s, e in spans if e > s]


def _attribution(ctx: DocContext, sentence: Sentence) -> tuple[str | None, list[tuple[int, int]]]:
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
        attribution = person.name if speaker.kind != "pronoun" else f"{person.name} ({phrase})"
        ctx.last_attribution = attribution
        return attribution, []
    if _IT_SAID.search(sentence.text):
        return ctx.last_attribution, []
    return None, []


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _find_triggers(
    ctx: DocContext,
    start: int,
    end: int,
    excluded: list[tuple[int, int]],
    sentence: Sentence,
) -> dict[str, list[re.Match[str]]]:
    """Trigger matches per category in one clause, before specificity is applied.

    A category's "needs" (an arms sale needs equipment) may be met anywhere in the
    sentence: "agreed to buy jets, but cancelled the purchase".
    """
    enabling = [(m.start(), m.end()) for m in _doc_words(ctx, ctx.rules.enabling, start, end)]
    if ctx.has_place_words:
        excluded = excluded + [
            (m.start(1), m.end(1)) for m in _doc_words(ctx, ctx.rules.visited_place, start, end)
        ]
    found: dict[str, list[re.Match[str]]] = {}
    for category, pattern in ctx.rules.triggers.items():
        matches = [
            m
            for m in _doc_words(ctx, pattern, start, end)
            if not _inside(excluded, m.start(), m.end())
            # "an agreement allowing troops to train": the training is only made possible.
            and not ("agreement" in found and _inside(enabling, m.start(), m.end()))
        ]
        if category == "visit" and matches and not _has_visitor(ctx, start, end):
            matches = [m for m in matches if not _ARRIVAL_IN.fullmatch(m.group(0))]
        if category == "arms_transfer" and "visit" in found:
            # "a delegation arrived for a visit": people arriving, not goods.
            matches = [m for m in matches if not _ARRIVAL.fullmatch(m.group(0))]
        need = ctx.rules.needs[category]
        if matches and (need is None or _doc_words(ctx, need, sentence.start, sentence.end)):
            found[category] = matches
    return found


def _has_visitor(ctx: DocContext, start: int, end: int) -> bool:
    """A person or a delegation in the clause: "arrived in Tokyo" is then a visit."""
    return bool(_clause_people(ctx, start, end)) or bool(_VISITOR.search(ctx.lowered, start, end))


def _meetings_as_dialogues(
    ctx: DocContext, clauses: list[tuple[int, int]], found: list[dict[str, list[re.Match[str]]]]
) -> None:
    """ "met for their annual defence policy dialogue": the meeting is the dialogue."""
    for (start, end), triggers in zip(clauses, found, strict=True):
        mechanism = _doc_words(ctx, ctx.rules.dialogue_mechanism, start, end)
        if mechanism and "visit" in triggers:
            triggers["dialogue"] = triggers.pop("visit") + mechanism


@cache
def _at_word_start(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` tried only where a word starts: the regex engine then rejects most
    positions at once instead of running every alternative there (the hot path)."""
    return re.compile(rf"(?<![\w-])(?:{pattern.pattern})", pattern.flags)


def _doc_words(
    ctx: DocContext, pattern: re.Pattern[str], start: int, end: int
) -> list[re.Match[str]]:
    """Matches of a rules.yaml pattern inside [start, end) that begin at a word start.

    Each pattern scans the whole document once (cached) and each clause takes its
    slice by bisection: cheaper than one regex scan per clause."""
    cached = ctx.pattern_matches.get(id(pattern))
    if cached is None:
        lowered = ctx.lowered
        anchored = _at_word_start(pattern)
        found = [m for m in anchored.finditer(lowered) if word_start(lowered, m.start())]
        cached = ([m.start() for m in found], found)
        ctx.pattern_matches[id(pattern)] = cached
    starts, matches = cached
    first = bisect_left(starts, start)
    last = bisect_left(starts, end, lo=first)
    if first == last:
        return []
    return [m for m in matches[first:last] if m.end() <= end]


def _mentions_in(ctx: DocContext, start: int, end: int) -> list[Mention]:
    """Country and body mentions starting in [start, end), by bisection."""
    first = bisect_left(ctx.mention_starts, start)
    last = bisect_left(ctx.mention_starts, end, lo=first)
    return ctx.mentions[first:last]


def _near(a: list[re.Match[str]], b: list[re.Match[str]]) -> bool:
    return any(_distance(x, b) <= _SPECIFICITY_WINDOW for x in a)


def _apply_specificity(ctx: DocContext, clauses: list[dict[str, list[re.Match[str]]]]) -> None:
    """A specific category removes a vaguer one on the same words (rules.yaml)."""
    in_sentence = {category for found in clauses for category in found}
    for found in clauses:
        for stronger, weaker_scopes in ctx.rules.specificity.items():
            for weaker, scope in weaker_scopes.items():
                if weaker not in found:
                    continue
                removes = (
                    (scope == "sentence" and stronger in in_sentence)
                    or (scope == "clause" and stronger in found)
                    or (
                        scope == "near"
                        and stronger in found
                        and _near(found[weaker], found[stronger])
                    )
                )
                if removes:
                    found.pop(weaker)


def _distance(cue: re.Match[str], triggers: list[re.Match[str]]) -> int:
    best = _NO_DISTANCE
    for trigger in triggers:
        if (
            trigger.start() <= cue.start() < trigger.end()
            and cue.end() - trigger.end() > _CUE_OVERHANG
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


def _overlaps(cue: re.Match[str], triggers: list[re.Match[str]]) -> bool:
    """The cue is part of a trigger phrase ("pledged to", "is meeting"), not a cue about
    what follows it ("talks in Delhi on ...")."""
    return any(
        cue.start() < t.end()
        and t.start() < cue.end()
        and not (t.start() <= cue.start() and cue.end() - t.end() > _CUE_OVERHANG)
        for t in triggers
    )


def _status(
    ctx: DocContext, start: int, end: int, triggers: list[re.Match[str]]
) -> tuple[str | None, bool]:
    """Status from the nearest cue; strong cues (suspended...) weigh more. Also: speculative?"""
    best: tuple[float, int, str] | None = None
    # Cues further than this from every trigger are about something else; not scanning
    # them keeps long clauses cheap.
    start = max(start, min(t.start() for t in triggers) - _STATUS_WINDOW)
    end = min(end, max(t.end() for t in triggers) + _STATUS_WINDOW)
    for rank, (status, pattern) in enumerate(ctx.rules.status_cues):
        for cue in _doc_words(ctx, pattern, start, end):
            distance = float(_distance(cue, triggers))
            if distance >= _NO_DISTANCE:
                continue
            if status in STRONG_STATUSES and _passive_after(ctx, cue, triggers):
                # "the plan to hold drills ... was postponed": told of the trigger's phrase.
                distance = _OVERLAP_DISTANCE
            elif _overlaps(cue, triggers):
                # Part of the trigger phrase: "pledged to", "is meeting". A bare past tense
                # ("received") still yields to a negation just before it ("had not").
                distance = _OVERLAP_OCCURRED if status == "occurred" else _OVERLAP_DISTANCE
            elif status in STRONG_STATUSES:
                distance *= _STRONG_CUE_WEIGHT
            elif status == "occurred":
                distance += _OCCURRED_CUE_PENALTY
            key = (distance, rank, status)
            if best is None or key < best:
                best = key
    speculative = False
    for cue in ctx.rules.speculation.finditer(ctx.text, start, end):
        distance = _distance(cue, triggers)
        if best is None or distance < best[0]:
            speculative = True
        elif distance <= _DELIBERATION_REACH and _DELIBERATION.fullmatch(cue.group(0).lower()):
            speculative = True  # "considering whether to buy": no decision, whatever follows
    return (best[2] if best else None), speculative


def _passive_after(ctx: DocContext, cue: re.Match[str], triggers: list[re.Match[str]]) -> bool:
    """A passive strong verb ("was postponed") after every trigger of the clause."""
    if cue.start() < max(t.end() for t in triggers):
        return False
    auxiliary = _word_before(ctx.lowered, cue)
    # ", which had been suspended": a relative clause telling the backstory of the head.
    if re.search(r"\b(?:which|that|who)\s+$", ctx.lowered[max(0, auxiliary - 10) : auxiliary]):
        return False
    return bool(ctx.rules.passive_strong.match(ctx.lowered, auxiliary))


def _word_before(lowered: str, cue: re.Match[str]) -> int:
    """Start of the auxiliary before a cue: "was postponed", "has been called off"."""
    head = lowered[max(0, cue.start() - 20) : cue.start()]
    found = _AUXILIARY_BEFORE.search(head)
    return cue.start() - len(head) + found.start() if found else cue.start()


def _context_only(ctx: DocContext, mention: Mention, floor: int) -> bool:
    key = (mention.start, floor)
    cached = ctx.context_only_cache.get(key)
    if cached is None:
        window = ctx.text[max(floor, mention.start - _CONTEXT_WINDOW) : mention.start]
        after = ctx.text[mention.end : mention.end + _CONTEXT_WINDOW]
        # The subject goes on into its verb or a coordinate ("and the US started"), not
        # into a comma ("suppliers after China, and ...").
        opens_clause = (
            mention.start - _CONTEXT_WINDOW < floor
            and window.strip().lower() in _SUBORDINATORS
            and _SUBJECT_GOES_ON.match(after) is not None
        )
        cached = ctx.context_only_cache[key] = not opens_clause and bool(
            ctx.rules.context_only.search(window) or ctx.rules.context_after.match(after)
        )
    return cached


def _parties(
    ctx: DocContext,
    span: tuple[int, int],
    excluded: list[tuple[int, int]],
    people: list[int],
    category: str,
) -> dict[str, Party]:
    """Parties named in text[span]: places count only for visits or to complete a pair."""
    start, end = span
    parties: dict[str, Party] = {}
    places: list[Mention] = []
    for mention in _mentions_in(ctx, start, end):
        if (
            mention.start < start
            or mention.end > end
            or _inside(excluded, mention.start, mention.end)
        ):
            continue
        if _context_only(ctx, mention, start) or _igo_as_modifier(ctx, mention):
            continue
        if mention.is_location and not _MADE_IN.search(
            ctx.lowered, max(start, mention.start - _CONTEXT_WINDOW), mention.start
        ):
            # "met on the sidelines of a forum in Singapore": a venue is a party only when
            # it completes a pair ("met his counterpart in Hanoi").
            places.append(mention)
            continue
        parties.setdefault(mention.code, Party(mention.code)).mentions.append(mention)
    for index in people:
        person = ctx.people[index]
        if person.country:
            party = parties.setdefault(person.country, Party(person.country, inferred=True))
            if person.sector and not party.person_sector:
                party.person_sector, party.person_branch = person.sector, person.branch
                party.person_org = person.organisation
    if len(parties) < 2:
        for mention in places:
            parties.setdefault(mention.code, Party(mention.code)).mentions.append(mention)
    _drop_commentator(ctx, parties)
    return parties


def _drop_commentator(ctx: DocContext, parties: dict[str, Party]) -> None:
    """ "North Korea denounced the US-South Korean drills": a country that only accuses or
    criticises is not a party, when two others remain. ("X said" may be the host's voice.)"""
    if len(parties) <= _PAIR:
        return
    for code, party in list(parties.items()):
        if party.mentions and all(
            _SPEECH_AFTER.match(ctx.text, m.end, m.end + _CONTEXT_WINDOW) for m in party.mentions
        ):
            del parties[code]
            if len(parties) <= _PAIR:
                return


def _igo_as_modifier(ctx: DocContext, mention: Mention) -> bool:
    """ "officers preparing for United Nations peacekeeping missions": the UN names the
    kind of mission, it is not a party to the training."""
    return mention.kind == "igo" and bool(
        _IGO_MODIFIES.match(ctx.text, mention.end, mention.end + RELATION_WINDOW * 2)
    )


def _clause_people(ctx: DocContext, start: int, end: int) -> list[int]:
    first = bisect_left(ctx.person_starts, start)
    last = bisect_left(ctx.person_starts, end, lo=first)
    return [pm.person for pm in ctx.person_mentions[first:last] if not pm.speaker]


def _role_people(ctx: DocContext, start: int, end: int, countries: frozenset[str]) -> list[int]:
    found: list[int] = []
    for reference in role_references(ctx.text, start, end):
        for index, person in enumerate(ctx.people):
            if person.country in countries and person.matches_role(reference.role):
                found.append(index)
    return found


def _pick_date(
    ctx: DocContext,
    sentence: Sentence,
    clause: tuple[int, int],
    excluded: list[tuple[int, int]],
    triggers: list[re.Match[str]],
    others: list[re.Match[str]],
    future: bool,
) -> DateSpan | None:
    """The date nearest to this event's triggers, unless another event's trigger is nearer."""
    # The dates of a sentence holding an event, found once per tense; each clause takes its
    # own. Sentences without an event are never scanned for dates.
    key = (sentence.start, future)
    found = ctx.date_cache.get(key)
    if found is None:
        matches = ctx.date_matches.get(sentence.start)
        if matches is None:
            matches = find_date_matches(ctx.text, sentence.start, sentence.end)
            ctx.date_matches[sentence.start] = matches
        found = ctx.date_cache[key] = resolve(matches, ctx.published, future)
    spans = [
        d
        for d in found
        if clause[0] <= d.start_offset
        and d.end_offset <= clause[1]
        and not _inside(excluded, d.start_offset, d.end_offset)
        and not _ORIGIN_BEFORE.search(ctx.lowered, max(0, d.start_offset - 20), d.start_offset)
        # "their first joint exercise since 2013": how long it had been, not when it was.
        and not (
            d.since
            and _FIRST_BEFORE.search(
                ctx.lowered, max(0, d.start_offset - _CONTEXT_WINDOW), d.start_offset
            )
        )
    ]
    best: tuple[int, DateSpan] | None = None
    for span in spans:
        own = _span_distance(span, triggers)
        if others and _span_distance(span, others) < own:
            continue
        if best is None or own < best[0]:
            best = (own, span)
    return best[1] if best else None


def _span_distance(span: DateSpan, triggers: list[re.Match[str]]) -> int:
    return min(max(t.start() - span.end_offset, span.start_offset - t.end(), 0) for t in triggers)


def _event_name(ctx: DocContext, start: int, end: int) -> str | None:
    segment = ctx.text[start:end]
    quoted = _QUOTED_NAME.search(segment)
    if quoted:
        return quoted.group(1)
    for match in _NAMED_EXERCISE.finditer(segment):
        name = match.group("after") or match.group("before")
        first = name.split()[0]
        if ctx.gaz.lookup(first) is None and first not in (
            "The",
            "Joint",
            "Military",
            "Naval",
            "This",
        ):
            return name
    return None


def _where(
    ctx: DocContext, parties: dict[str, Party], start: int, end: int
) -> tuple[str | None, str | None]:
    for mention in _mentions_in(ctx, start, end):
        if mention.kind in ("country", "capital"):
            window = ctx.text[max(start, mention.start - RELATION_WINDOW) : mention.start]
            if mention.is_location or TO_BEFORE.search(window):
                place = mention.text if mention.kind == "capital" else None
                return mention.code, place
    return None, None


def _implicit_partner(
    ctx: DocContext, parties: dict[str, Party], start: int, end: int, category: str
) -> None:
    """ "drills with the US" in an article about Cambodia: Cambodia is the other party."""
    if len(parties) != 1:
        return
    only = next(iter(parties.values()))
    if category in _JOINING_CATEGORIES and only.code in ctx.previous_pair:
        # One of the pair just told of joins an activity: with the other one.
        (partner,) = ctx.previous_pair - {only.code}
        parties[partner] = Party(partner, inferred=True)
        return
    partner = _main_country_other_than(ctx, only.code)
    if partner is None:
        return
    first = only.mentions[0] if only.mentions else None
    with_before = first is not None and _WITH_BEFORE.search(
        ctx.text[max(start, first.start - RELATION_WINDOW) : first.start]
    )
    if with_before or _JOINT.search(ctx.text[start:end]):
        parties[partner] = Party(partner, inferred=True)


def _main_country_other_than(ctx: DocContext, code: str) -> str | None:
    counts = Counter(
        m.code for m in ctx.mentions if m.kind not in ("igo", "pair") and m.code != code
    )
    if not counts:
        return None
    best = max(counts.values())
    return next(m.code for m in ctx.mentions if m.code != code and counts.get(m.code) == best)


def _is_history(ctx: DocContext, candidate: Candidate, start: int, end: int) -> bool:
    """Background, not news: dated years before publication, or told as history."""
    if candidate.status == "planned" or ctx.published is None:
        return False
    if candidate.when is not None and candidate.when.text.lower() in _DEICTIC_DATES:
        return bool(ctx.rules.history_cues.search(ctx.text, start, end))
    if candidate.when is not None and not candidate.when.since:
        return candidate.when.start.year < ctx.published.year - ctx.rules.history_years
    return candidate.status in (None, "occurred") and bool(
        ctx.rules.history_cues.search(ctx.text, start, end)
    )


def _has_party_words(ctx: DocContext, sentence: Sentence) -> bool:
    """A sentence naming no country, body or person cannot hold an event."""
    i = bisect_left(ctx.mention_starts, sentence.start)
    if i < len(ctx.mention_starts) and ctx.mention_starts[i] < sentence.end:
        return True
    j = bisect_left(ctx.person_starts, sentence.start)
    return j < len(ctx.person_starts) and ctx.person_starts[j] < sentence.end


def sentence_candidates(ctx: DocContext, sentence: Sentence) -> list[Candidate]:
    attribution, attribution_spans = _attribution(ctx, sentence)
    if not _has_party_words(ctx, sentence):
        ctx.previous_pair = frozenset()
        return []
    anaphora_spans = [
        (sentence.start + m.start(), sentence.start + m.end())
        for m in ctx.rules.event_anaphora.finditer(sentence.text)
    ]
    backstory_spans = _backstory_spans(ctx, sentence) if ctx.has_since else []
    excluded = attribution_spans + anaphora_spans + _reporting_spans(sentence) + backstory_spans
    opinion = bool(ctx.rules.opinion.search(sentence.text))
    clauses = _clauses(sentence)
    # "the Collective Security Treaty Organization": words of a name are not triggers.
    names = [
        (m.start, m.end)
        for m in _mentions_in(ctx, sentence.start, sentence.end)
        if m.kind in ("org", "igo") and " " in m.text
    ]
    found = [_find_triggers(ctx, start, end, excluded + names, sentence) for start, end in clauses]
    _apply_specificity(ctx, found)
    _meetings_as_dialogues(ctx, clauses, found)
    # The sentence's subject comes before its first trigger word.
    subject_end = min(
        (m.start() for triggers in found for ms in triggers.values() for m in ms),
        default=sentence.start,
    )
    candidates: list[Candidate] = []
    for clause, triggers_by_category in zip(clauses, found, strict=True):
        for category, triggers in triggers_by_category.items():
            candidate = _candidate(
                ctx,
                sentence,
                category,
                triggers,
                clause,
                excluded,
                attribution,
                triggers_by_category,
                subject_end,
                found,
            )
            if candidate is None or (opinion and candidate.status in (None, "planned")):
                continue
            candidate.linked_to_visit = bool(anaphora_spans)
            candidates.append(candidate)
    pairs = [c.party_set for c in candidates if len(c.parties) == _PAIR]
    ctx.previous_pair = pairs[-1] if pairs else frozenset()
    return candidates


def _backstory_spans(ctx: DocContext, sentence: Sentence) -> list[tuple[int, int]]:
    """ "the first since the two countries upgraded relations": not news (rules.yaml)."""
    spans = []
    for match in _doc_words(ctx, ctx.rules.backstory, sentence.start, sentence.end):
        window_start = max(sentence.start, match.start() - _CONTEXT_WINDOW)
        lead = ctx.rules.backstory_lead.search(ctx.lowered, window_start, match.start())
        if lead is not None:
            spans.append((lead.start(), match.end()))
    return spans


def _reporting_spans(sentence: Sentence) -> list[tuple[int, int]]:
    """ ", Japan's Joint Staff Office reported on Monday.": the reporter is not a party."""
    match = _TRAILING_REPORT.search(sentence.text)
    if match is None:
        return []
    return [(sentence.start + match.start(), sentence.end)]


def _candidate(
    ctx: DocContext,
    sentence: Sentence,
    category: str,
    triggers: list[re.Match[str]],
    clause: tuple[int, int],
    excluded: list[tuple[int, int]],
    attribution: str | None,
    clause_triggers: dict[str, list[re.Match[str]]],
    subject_end: int,
    all_triggers: list[dict[str, list[re.Match[str]]]],
) -> Candidate | None:
    start, end = clause
    status, speculative = _status(ctx, start, end, triggers)
    if speculative:
        return None
    if (
        category == "arms_transfer"
        and status == "planned"
        and _doc_words(ctx, ctx.rules.contract_signed, start, end)
    ):
        status = "occurred"  # "signed a deal to buy 180 tanks": the purchase is made
    if category == "suspension" and status in _WEAK_HALT_STATUSES:
        status = "suspended"  # "cut defence ties": a halt told in the past is a halt in force
    people = _clause_people(ctx, start, end)
    party_excluded = excluded + _background_spans(ctx, sentence, triggers)
    parties = _parties(ctx, (start, end), party_excluded, people, category)
    scope = (start, end)
    separate = _SEPARATE.search(ctx.lowered, start, end) is not None
    if len(parties) == 1 and start > subject_end > sentence.start and not separate:
        # "Burkina Faso ended ties with France and now relies on Russian advisers, who
        # train its forces": the clause's other party is the sentence's subject.
        subject_people = _clause_people(ctx, sentence.start, subject_end)
        subject = _parties(ctx, (sentence.start, subject_end), excluded, subject_people, category)
        for code, party in subject.items():
            parties.setdefault(code, party)
        people = people + [i for i in subject_people if i not in people]
    elif len(parties) < 2 and (start, end) != (sentence.start, sentence.end) and not separate:
        sentence_people = _clause_people(ctx, sentence.start, sentence.end)
        wider = _parties(ctx, (sentence.start, sentence.end), excluded, sentence_people, category)
        if len(wider) > len(parties):
            parties, people, scope = wider, sentence_people, (sentence.start, sentence.end)
    _implicit_partner(ctx, parties, *scope, category)
    if len(parties) < 2:
        return None
    people = list(dict.fromkeys(people + _role_people(ctx, *scope, frozenset(parties))))
    people = [
        i for i in people if ctx.people[i].country in parties or ctx.people[i].country is None
    ]
    others = [m for cat, ms in clause_triggers.items() if cat != category for m in ms]
    future = status == "planned"
    when = _pick_date(ctx, sentence, (start, end), excluded, triggers, others, future)
    if future and when is not None and _span_distance(when, triggers) == 0:
        # "agreed on Monday to expand": the date inside the trigger is when it was agreed.
        when = _pick_date(ctx, sentence, (start, end), excluded, triggers, others, False)
    if when is None and not future and (start, end) != (sentence.start, sentence.end):
        # "met his counterpart in Berlin on Wednesday and signed a declaration": one
        # occasion, one date. A promise made on Thursday is not kept on Thursday.
        sentence_others = [
            m for found in all_triggers for cat, ms in found.items() if cat != category for m in ms
        ]
        sentence_span = (sentence.start, sentence.end)
        when = _pick_date(ctx, sentence, sentence_span, excluded, triggers, sentence_others, future)
    where_country, where_place = _where(ctx, parties, start, end)
    before_trigger = ctx.text[max(start, triggers[0].start() - 30) : triggers[0].start()]
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
        event_name=_event_name(ctx, start, end) if category == "exercise" else None,
        attribution=attribution,
        anaphoric=bool(_ANAPHORIC_TRIGGER.search(before_trigger)),
        novel=_is_novel(ctx, triggers[0]),
        linked_to_visit=False,
        speculative=speculative,
        sentences=[sentence],
    )
    if _is_history(ctx, candidate, start, end) or _is_generic(ctx, candidate):
        return None
    return candidate


def _background_spans(
    ctx: DocContext, sentence: Sentence, triggers: list[re.Match[str]]
) -> list[tuple[int, int]]:
    """ "Indonesia, which also flies US-built F-16s, is buying Rafales": the countries of a
    relative clause the triggers are not in are background, not parties."""
    spans = []
    for match in _RELATIVE_ASIDE.finditer(sentence.text):
        span = (sentence.start + match.start(), sentence.start + match.end())
        inside = any(span[0] <= t.start() < span[1] for t in triggers)
        # "the exercise, which brought together marines from ...,": it tells of the event.
        about_trigger = any(0 <= span[0] - t.end() <= _ASIDE_GAP for t in triggers)
        if not inside and not about_trigger:
            spans.append(span)
    return spans


def _sentence_span(candidate: Candidate) -> tuple[int, int]:
    return candidate.sentence.start, candidate.sentence.end


def _is_novel(ctx: DocContext, trigger: re.Match[str]) -> bool:
    """ "a further course", "buy two more frigates": another instance of the kind."""
    before = ctx.text[max(0, trigger.start() - _NOVELTY_WINDOW) : trigger.start()]
    after = ctx.text[trigger.end() : trigger.end() + _NOVELTY_WINDOW]
    return bool(ctx.rules.novelty.search(before) or _MORE_AFTER.match(after))


def _is_generic(ctx: DocContext, candidate: Candidate) -> bool:
    """ "trilateral meetings are small and informal": plural nouns with no time and no
    verb telling what happened describe a kind of thing, not an event."""
    plural = all(_GENERIC_PLURAL.fullmatch(t.lower()) for t in candidate.triggers)
    if (
        plural
        and candidate.category == "visit"
        and _MORE_OF_A_KIND.search(
            ctx.lowered, max(0, candidate.trigger_start - _NOVELTY_WINDOW), candidate.trigger_start
        )
    ):
        return True  # "to increase ship visits": an aim for a kind of visit, not a visit
    habitual_status = candidate.status in (None, "ongoing")
    if (
        habitual_status
        and candidate.when is None
        and _HABITUAL.search(ctx.lowered, *_sentence_span(candidate))
    ):
        return True  # "the two navies train together regularly": a habit, not a happening
    if candidate.status is not None or candidate.when is not None or candidate.event_name:
        return False  # a named exercise is one happening, not a kind of thing
    return plural
