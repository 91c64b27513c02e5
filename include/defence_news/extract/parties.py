"""Who takes part: the countries and bodies of a clause that are parties to its event.

Parties are the countries and bodies named in the clause and the countries of the
people acting in it; not venues (unless one completes a pair), rivals, backdrops
("amid tensions with China"), commentators, or a body that only names a kind of thing
("United Nations peacekeeping missions"). A lone party borrows the sentence's subject,
the previous sentence's partner, or the article's main country (``complete_parties``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import replace

from defence_news.extract.categories import CategorySpec
from defence_news.extract.clauses import CONTEXT_WINDOW, Span, inside
from defence_news.extract.context import Candidate, DocContext, Party
from defence_news.extract.mentions import Mention
from defence_news.extract.people import role_references
from defence_news.extract.roles import RELATION_WINDOW
from defence_news.extract.sentences import Sentence

PAIR = 2
_WITH_BEFORE = re.compile(r"\b(?:with|alongside|together with|and)\s+(?:the\s+)?$")
_IGO_MODIFIES = re.compile(
    r"\s+(?:peacekeeping|peace-keeping|missions?|resolutions?|sanctions|charter|observers?)\b"
)
_JOINT = re.compile(r"\b(?:joint|bilateral|combined|together)\b")
# "howitzers built in France": the country after "built in" is the maker, a party.
_MADE_IN = re.compile(r"\b(?:built|made|produced|manufactured)\s+in\s+(?:the\s+)?$")
_SPEECH_AFTER = re.compile(
    r"(?:[’']s)?(?:\s+[\w-]+){0,2}?\s+(?:claimed|claims|accused|accuses|warned|"
    r"warns|called|calls|described|describes|denounced|condemned|critici[sz]ed|protested)\b"
)
# A clause opening "after South Korea and the US started drills": its subject is a party,
# though "after" before a country usually marks a backdrop ("amid", "after pressure from").
_SUBORDINATORS = frozenset({"after", "before", "when", "once", "until", "where"})
_SUBJECT_GOES_ON = re.compile(r"(?:[’']s)?\s+[a-z]")
# "held separate drills", "its own exercise": the clause does not share the subject's party.
_SEPARATE = re.compile(r"\b(?:separate|separately|its own|their own|unilateral\w*|alone)\b")


def is_separate(ctx: DocContext, clause: Span) -> bool:
    return _SEPARATE.search(ctx.lowered, *clause) is not None


def is_backdrop(ctx: DocContext, mention: Mention, floor: int) -> bool:
    """The words around the mention place its country outside the cooperation."""
    return _context_only(ctx, mention, floor)


def is_commentator(ctx: DocContext, mention: Mention) -> bool:
    """ "China denounced the drills": the country speaks about the event."""
    return bool(_SPEECH_AFTER.match(ctx.text, mention.end, mention.end + CONTEXT_WINDOW))


def _context_only(ctx: DocContext, mention: Mention, floor: int) -> bool:
    """A country the words before or after place outside the cooperation (lexicon)."""
    key = (mention.start, floor)
    cached = ctx.context_only_cache.get(key)
    if cached is None:
        window = ctx.lowered[max(floor, mention.start - CONTEXT_WINDOW) : mention.start]
        after = ctx.lowered[mention.end : mention.end + CONTEXT_WINDOW]
        # The subject goes on into its verb or a coordinate ("and the US started"), not
        # into a comma ("suppliers after China, and ...").
        opens_clause = (
            mention.start - CONTEXT_WINDOW < floor
            and window.strip() in _SUBORDINATORS
            and _SUBJECT_GOES_ON.match(ctx.text, mention.end) is not None
        )
        cached = ctx.context_only_cache[key] = not opens_clause and bool(
            ctx.rules.context_only.search(window) or ctx.rules.context_after.match(after)
        )
    return cached


def clause_parties(
    ctx: DocContext, span: Span, excluded: list[Span], people: list[int]
) -> dict[str, Party]:
    """Parties named in text[span]: places count only to complete a pair."""
    start, end = span
    parties: dict[str, Party] = {}
    places: list[Mention] = []
    for mention in ctx.mentions_in(start, end):
        if mention.end > end or inside(excluded, mention.start, mention.end):
            continue
        if _context_only(ctx, mention, start) or _igo_as_modifier(ctx, mention):
            continue
        if mention.is_location and not _MADE_IN.search(
            ctx.lowered, max(start, mention.start - CONTEXT_WINDOW), mention.start
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
    if len(parties) < PAIR:
        for mention in places:
            parties.setdefault(mention.code, Party(mention.code)).mentions.append(mention)
    _drop_commentator(ctx, parties)
    return parties


def _drop_commentator(ctx: DocContext, parties: dict[str, Party]) -> None:
    """ "North Korea denounced the US-South Korean drills": a country that only accuses or
    criticises is not a party, when two others remain. ("X said" may be the host's voice.)"""
    if len(parties) <= PAIR:
        return
    for code, party in list(parties.items()):
        if party.mentions and all(is_commentator(ctx, m) for m in party.mentions):
            del parties[code]
            if len(parties) <= PAIR:
                return


def _igo_as_modifier(ctx: DocContext, mention: Mention) -> bool:
    """ "officers preparing for United Nations peacekeeping missions": the UN names the
    kind of mission, it is not a party to the training."""
    return mention.kind == "igo" and bool(
        _IGO_MODIFIES.match(ctx.text, mention.end, mention.end + RELATION_WINDOW * 2)
    )


def role_people(ctx: DocContext, span: Span, countries: frozenset[str]) -> list[int]:
    """People referred to by role ("his counterpart") whose country is a party."""
    found: list[int] = []
    for reference in role_references(ctx.text, *span):
        for index, person in enumerate(ctx.people):
            if person.country in countries and person.matches_role(reference.role):
                found.append(index)
    return found


def complete_parties(
    ctx: DocContext, parties: dict[str, Party], span: Span, spec: CategorySpec
) -> None:
    """ "drills with the US" in an article about Cambodia: Cambodia is the other party."""
    if len(parties) != 1:
        return
    only = next(iter(parties.values()))
    if spec.joins_partner and only.code in ctx.previous_pair:
        # One of the pair just told of joins an activity: with the other one.
        (partner,) = ctx.previous_pair - {only.code}
        parties[partner] = Party(partner, inferred=True)
        return
    partner = _main_country_other_than(ctx, only.code)
    if partner is None:
        return
    first = only.mentions[0] if only.mentions else None
    with_before = first is not None and _WITH_BEFORE.search(
        ctx.text[max(span[0], first.start - RELATION_WINDOW) : first.start]
    )
    if with_before or _JOINT.search(ctx.lowered, *span):
        parties[partner] = Party(partner, inferred=True)


def _main_country_other_than(ctx: DocContext, code: str) -> str | None:
    counts = Counter(
        m.code for m in ctx.mentions if m.kind not in ("igo", "pair") and m.code != code
    )
    if not counts:
        return None
    best = max(counts.values())
    return next(m.code for m in ctx.mentions if m.code != code and counts.get(m.code) == best)


# How many sentences before a candidate's own still offer their countries as parties:
# "Indian ships will visit Vietnam. The ships will hold drills with the Vietnamese navy".
CONTEXT_SENTENCES = 2
DOCUMENT_COUNTRIES = 3  # the article's most-named countries are offered to every candidate


def _offer(offered: dict[str, Party], code: str, source: str, mention: Mention | None) -> None:
    party = offered.get(code)
    if party is None:
        party = offered[code] = Party(code, inferred=source != "sentence", source=source)
    if mention is not None and source == party.source:
        party.mentions.append(mention)


def _offer_span(ctx: DocContext, offered: dict[str, Party], span: Span, source: str) -> None:
    for mention in ctx.mentions_in(*span):
        if mention.end <= span[1]:
            _offer(offered, mention.code, source, mention)
    first = bisect_left(ctx.person_starts, span[0])
    last = bisect_left(ctx.person_starts, span[1], lo=first)
    for person_mention in ctx.person_mentions[first:last]:
        country = ctx.people[person_mention.person].country
        if country:
            _offer(offered, country, "person" if source == "sentence" else source, None)


def offered_parties(
    ctx: DocContext, sentence: Sentence, chosen: dict[str, Party]
) -> dict[str, Party]:
    """Every country or body a candidate could have as a party, each with where it comes
    from (``Party.source``): the sentence's names and people, the partners the rules
    inferred, the sentences just before, the headline, the article's main countries.
    These are the choices the learned party decision weighs."""
    offered: dict[str, Party] = {}
    _offer_span(ctx, offered, (sentence.start, sentence.end), "sentence")
    for code, party in chosen.items():
        _offer(offered, code, "rule", None)
        offered[code].inferred = offered[code].inferred and party.inferred
    for code, source, mentions in _context_offers(ctx, sentence):
        if code not in offered:
            offered[code] = Party(code, list(mentions), inferred=True, source=source)
    return offered


def _context_offers(
    ctx: DocContext, sentence: Sentence
) -> list[tuple[str, str, tuple[Mention, ...]]]:
    """What the context offers a sentence's candidates (computed once per sentence): the
    sentences just before, the headline, the article's main countries, first come first."""
    position = ctx.sentence_positions.get(sentence.start, 0)
    cached = ctx.context_offers.get(position)
    if cached is None:
        offered: dict[str, Party] = {}
        for before in ctx.sentences[max(0, position - CONTEXT_SENTENCES) : position]:
            _offer_span(ctx, offered, (before.start, before.end), "previous")
        if position > 0:
            headline = ctx.sentences[0]
            _offer_span(ctx, offered, (headline.start, headline.end), "headline")
        for code in _main_countries(ctx):
            _offer(offered, code, "document", None)
        cached = [(c, p.source, tuple(p.mentions)) for c, p in offered.items()]
        ctx.context_offers[position] = cached
    return cached


def _main_countries(ctx: DocContext) -> tuple[str, ...]:
    """The article's most-named countries and bodies (computed once per document)."""
    if ctx.main_countries is None:
        counts = Counter(m.code for m in ctx.mentions if m.kind not in ("pair", "style"))
        ctx.main_countries = tuple(code for code, _ in counts.most_common(DOCUMENT_COUNTRIES))
    return ctx.main_countries


# A sentence that lists the participants of an event told just before: "Participating
# troops come from Belgium, Denmark, ...", "forces from Egypt, the US, ... will take part".
_PARTICIPATION = re.compile(
    r"\b(?:participat\w*|take part|takes part|taking part|took part|involv\w*|includ\w*|"
    r"join\w*|observers?|partner nations|member (?:nations|states|countries)|"
    r"(?:troops|forces|servicemen|personnel|sailors|soldiers|navies|militaries|delegations|"
    r"ministers|chiefs|contingents|units|sub-units) (?:from|of))\b"
)
# Between two names of one list: "Thailand, the United States, Singapore and Japan".
_LIST_GAP = re.compile(r"\s*(?:,|and|&|as well as)\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?")
_LIST_MIN = 3  # countries that make a list of participants
LIST_REACH = 3  # sentences after an event in which its participants may be listed


def country_lists(ctx: DocContext, span: Span) -> list[list[Mention]]:
    """Runs of three or more countries or bodies joined by commas and "and" in ``span``."""
    return _runs(ctx, span, _LIST_MIN)


def join_listed_participants(ctx: DocContext, events: list[Candidate]) -> None:
    """Give a multilateral event every country its report lists as taking part: in the
    event's own sentence when the list names one of its parties or says they take part,
    or in one of the next sentences when that sentence says they take part."""
    by_position = {ctx.sentence_positions.get(e.sentence.start, -1): e for e in events}
    for position, sentence in enumerate(ctx.sentences):
        span = (sentence.start, sentence.end)
        lists = country_lists(ctx, span)
        if not lists:
            continue
        cue = _PARTICIPATION.search(ctx.lowered, *span) is not None
        target = _listing_target(events, by_position, position, sentence, lists, cue)
        if target is None:
            continue
        for run in lists:
            for mention in run:
                if not is_backdrop(ctx, mention, sentence.start):
                    target.parties.setdefault(mention.code, Party(mention.code)).mentions.append(
                        mention
                    )


def _listing_target(
    events: list[Candidate],
    by_position: dict[int, Candidate],
    position: int,
    sentence: Sentence,
    lists: list[list[Mention]],
    cue: bool,
) -> Candidate | None:
    listed = {m.code for run in lists for m in run}
    own = [e for e in events if sentence in e.sentences or e.sentence == sentence]
    for event in own:
        if cue or listed & set(event.parties):
            return event
    if not cue:
        return None
    for back in range(1, LIST_REACH + 1):
        event = by_position.get(position - back)
        if event is not None:
            return event
    return None


def _runs(ctx: DocContext, span: Span, least: int) -> list[list[Mention]]:
    runs: list[list[Mention]] = []
    for mention in ctx.mentions_in(*span):
        if mention.kind == "pair" or mention.end > span[1]:
            continue
        if runs and _LIST_GAP.fullmatch(ctx.text, runs[-1][-1].end, mention.start):
            runs[-1].append(mention)
        else:
            runs.append([mention])
    return [run for run in runs if len({m.code for m in run}) >= least]


def split_distributive(ctx: DocContext, events: list[Candidate]) -> list[Candidate]:
    """A tour or a round of bilateral agreements is one event per partner (the
    category's ``distributive``): the listed countries each with the others."""
    out: list[Candidate] = []
    for event in events:
        partners = _distributed_partners(ctx, event)
        if not partners:
            out.append(event)
            continue
        hubs = {c: p for c, p in event.parties.items() if c not in partners}
        for code in partners:
            out.append(replace(event, parties={**hubs, code: event.parties[code]}))
    return out


def _distributed_partners(ctx: DocContext, event: Candidate) -> list[str]:
    spec = ctx.rules.categories[event.category]
    if spec.distributive_before is None or len(event.parties) < _LIST_MIN:
        return []
    if spec.distributive_plural is not None and not any(
        spec.distributive_plural.search(t.lower()) for t in event.triggers
    ):
        return []
    sentence = event.sentence
    for run in _runs(ctx, (sentence.start, sentence.end), 2):
        lead = ctx.lowered[max(sentence.start, run[0].start - 30) : run[0].start]
        if not spec.distributive_before.search(lead):
            continue
        # The listed countries the event has as parties; the others are its hub.
        codes = [c for c in dict.fromkeys(m.code for m in run) if c in event.parties]
        if len(codes) >= 2 and len(event.parties) > len(codes):
            return codes
    return []


CONTEXT_SOURCES = frozenset({"previous", "headline", "document"})


def named_here(candidate: Candidate) -> int:
    """Offered parties the candidate's own sentence names (or the grammar inferred)."""
    return sum(1 for p in candidate.potential.values() if p.source not in CONTEXT_SOURCES)
