"""Interpretable features of a candidate event and of each party it is offered.

Every feature is a named indicator (or a small count) that a reader can check against
the sentence: the word before a country, whether the rules chose it, how far it is from
the trigger. The same functions serve training (``training.py``) and extraction
(``decide.py``), so the two never drift apart.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from defence_news.extract.context import Candidate, DocContext, Party
from defence_news.extract.mentions import Mention
from defence_news.extract.parties import (
    CONTEXT_SOURCES,
    country_lists,
    is_backdrop,
    is_commentator,
)
from defence_news.extract.sentences import Sentence

Features = dict[str, float]

# Bump when features change: a model trained on other features is refused.
FEATURE_VERSION = "12"

_TOKEN = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*|[“”\"():;,]")
_NAME_AFTER = re.compile(
    r"^(?:[’']s)?\s+(?:summit|dialogue|forum|conference|declaration|process|initiative|"
    r"shangri-la|defence dialogue|meeting)\b"
)
_POSSESSIVE_AFTER = re.compile(r"^[’']s\b")
_COORDINATED = re.compile(r"^\s*(?:,|and|&|-|–)\s*$")
_NEGATION = re.compile(r"\b(?:not|never|no|refused|rejected|denied|declined|blocked)\b")
_MODAL = re.compile(r"\b(?:will|would|shall|plans?|expected|to be|set to|due to|next)\b")
_QUOTE = re.compile(r"[“”\"]")


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def _sentence_tokens(ctx: DocContext, start: int) -> tuple[list[int], list[int], list[str]]:
    """Token starts, ends and words of the sentence starting at ``start`` (cached): every
    window feature of its candidates is a slice of them."""
    cached = ctx.sentence_tokens.get(start)
    if cached is None:
        sentence = ctx.sentences[ctx.sentence_positions[start]]
        found = list(_TOKEN.finditer(ctx.lowered, sentence.start, sentence.end))
        cached = ([m.start() for m in found], [m.end() for m in found], [m.group(0) for m in found])
        ctx.sentence_tokens[start] = cached
    return cached


def _words_before(ctx: DocContext, position: int, count: int, sentence: int) -> list[str]:
    """The ``count`` words of the sentence (by its start) that end before ``position``."""
    _, ends, words = _sentence_tokens(ctx, sentence)
    last = bisect_right(ends, position)
    return words[max(0, last - count) : last]


def _words_after(ctx: DocContext, position: int, count: int, sentence: int) -> list[str]:
    starts, _, words = _sentence_tokens(ctx, sentence)
    first = bisect_left(starts, position)
    return words[first : first + count]


def _token_gap(ctx: DocContext, start: int, end: int, sentence: int) -> int:
    """Words of the sentence that lie wholly between ``start`` and ``end``."""
    starts, ends, _ = _sentence_tokens(ctx, sentence)
    return max(0, bisect_right(ends, end) - bisect_left(starts, start))


def _trigger_span(candidate: Candidate) -> tuple[int, int]:
    spans = candidate.trigger_spans or [(candidate.trigger_start, candidate.trigger_start)]
    return spans[0][0], spans[-1][1]


def document_counts(ctx: DocContext) -> Counter[str]:
    """Mentions per country or body in the whole document (cached on the context)."""
    if ctx.code_counts is None:
        ctx.code_counts = Counter(m.code for m in ctx.mentions if m.kind != "pair")
    return ctx.code_counts


def document_ranks(ctx: DocContext) -> dict[str, int]:
    """Each country's rank by mentions in the document, 0 the most named (cached)."""
    if ctx.code_ranks is None:
        ranked = document_counts(ctx).most_common()
        ctx.code_ranks = {code: rank for rank, (code, _) in enumerate(ranked)}
    return ctx.code_ranks


def _nearest(mentions: list[Mention], trigger: tuple[int, int]) -> Mention | None:
    def gap(m: Mention) -> int:
        return max(trigger[0] - m.end, m.start - trigger[1], 0)

    return min(mentions, key=gap, default=None)


def _mention_facts(ctx: DocContext, mention: Mention, sentence: int) -> tuple[str, ...]:
    """What a mention's features say whatever the candidate (computed once per mention):
    the words either side of it, its kind, and the flags the text around it sets."""
    cached = ctx.mention_facts.get(mention.start)
    if cached is None:
        words = _words_before(ctx, mention.start, 1, sentence)
        after = _words_after(ctx, mention.end, 1, sentence)
        tail = ctx.lowered[mention.end : mention.end + 30]
        flags = [
            name
            for name, on in (
                ("location", mention.is_location),
                ("military_mention", mention.sector == "MIL" or bool(mention.branch)),
                ("names_an_event", bool(_NAME_AFTER.match(tail))),
                ("possessive", bool(_POSSESSIVE_AFTER.match(tail))),
                ("opens_sentence", mention.start - sentence < 25),
                ("commentator", is_commentator(ctx, mention)),
            )
            if on
        ]
        w1 = words[-1] if words else "<s>"
        a1 = after[0] if after else "</s>"
        cached = (w1, a1, mention.kind, *flags)
        ctx.mention_facts[mention.start] = cached
    return cached


def _mention_features(
    ctx: DocContext, candidate: Candidate, mention: Mention, add: dict[str, float]
) -> None:
    sentence = candidate.sentence
    trigger = _trigger_span(candidate)
    category = candidate.category
    before = mention.start < trigger[0]
    gap = (
        _token_gap(ctx, mention.end, trigger[0], sentence.start)
        if before
        else _token_gap(ctx, trigger[1], mention.start, sentence.start)
    )
    side = "before" if before else "after"
    add[f"side={side}"] = 1
    add[f"gap={_bucket(gap, (0, 2, 5, 10, 20))}"] = 1
    add[f"{category}&side={side}&gap={_bucket(gap, (2, 8))}"] = 1
    w1, a1, kind, *flags = _mention_facts(ctx, mention, sentence.start)
    add[f"w-1={w1}"] = 1
    add[f"w+1={a1}"] = 1
    add[f"{category}&w-1={w1}"] = 1
    add[f"kind={kind}"] = 1
    add[f"{category}&kind={kind}"] = 1
    for flag in flags:
        add[flag] = 1
    if "location" in flags:
        add[f"{category}&location"] = 1
    if candidate.clause[0] <= mention.start < candidate.clause[1]:
        add["in_clause"] = 1
    # The grammar's own judgements of the mention: a backdrop ("amid tensions with China",
    # "drills around Taiwan") or a commentator ("China denounced the drills").
    if is_backdrop(ctx, mention, candidate.clause[0]):
        add["backdrop"] = 1
        add[f"{category}&backdrop"] = 1


@dataclass(frozen=True)
class _Offer:
    """What every party feature of one candidate shares: computed once per candidate."""

    named: int  # offered parties the sentence itself names
    offered: int
    longest_list: int  # countries in the sentence's longest list of three or more
    listed: frozenset[str]  # the countries in such lists
    people: frozenset[str]  # countries of people acting or speaking in the sentence
    speakers: frozenset[str]


def _offer(ctx: DocContext, candidate: Candidate) -> _Offer:
    sentence = candidate.sentence
    lists = ctx.sentence_lists.get(sentence.start)
    if lists is None:
        lists = ctx.sentence_lists[sentence.start] = country_lists(
            ctx, (sentence.start, sentence.end)
        )
    first = bisect_left(ctx.person_starts, sentence.start)
    last = bisect_left(ctx.person_starts, sentence.end, lo=first)
    in_sentence = ctx.person_mentions[first:last]
    return _Offer(
        named=sum(1 for p in candidate.potential.values() if p.source in _HERE),
        offered=len(candidate.potential),
        longest_list=max((len({m.code for m in run}) for run in lists), default=0),
        listed=frozenset(m.code for run in lists for m in run),
        people=frozenset(ctx.people[pm.person].country or "" for pm in in_sentence),
        speakers=frozenset(ctx.people[pm.person].country or "" for pm in in_sentence if pm.speaker),
    )


def all_party_features(
    ctx: DocContext, candidate: Candidate, sentence_only: bool = False
) -> dict[str, Features]:
    """The features of every country or body the candidate is offered (with
    ``sentence_only``, of those its own sentence names, when it names two or more)."""
    offer = _offer(ctx, candidate)
    skip = sentence_only and offer.named >= 2
    return {
        code: party_features(ctx, candidate, code, party, offer)
        for code, party in candidate.potential.items()
        if not (skip and party.source in CONTEXT_SOURCES)
    }


def party_features(
    ctx: DocContext, candidate: Candidate, code: str, party: Party, offer: _Offer | None = None
) -> Features:
    """Features of one country or body offered as a party to a candidate."""
    offer = offer or _offer(ctx, candidate)
    add: Features = {"bias": 1.0}
    category = candidate.category
    chosen = code in candidate.parties
    add[f"rule_party={chosen}"] = 1
    add[f"{category}&rule_party={chosen}"] = 1
    if chosen and candidate.parties[code].inferred:
        add["rule_inferred"] = 1
    add[f"source={party.source}"] = 1
    add[f"{category}&source={party.source}"] = 1
    add[f"rule_party={chosen}&source={party.source}&kept={candidate.rule_kept}"] = 1
    mentions = [m for m in party.mentions if candidate.sentence.start <= m.start]
    if not mentions:
        add["no_mention"] = 1
        add[f"{category}&no_mention"] = 1
    nearest = _nearest(mentions, _trigger_span(candidate))
    if nearest is not None:
        _mention_features(ctx, candidate, nearest, add)
    if len(mentions) > 1:
        add["several_mentions"] = 1
    if code in offer.people:
        add["person"] = 1
        if code in offer.speakers:
            add["speaker"] = 1
    if code.isalpha() and len(code) != 3:
        add["igo"] = 1
    counts, ranks = document_counts(ctx), document_ranks(ctx)
    add[f"doc_rank={_bucket(ranks.get(code, len(ranks)), (0, 1, 2, 4))}"] = 1
    add[f"doc_count={_bucket(counts.get(code, 0), (1, 2, 4, 8))}"] = 1
    add[f"offered={_bucket(offer.offered, (2, 3, 4, 6))}"] = 1
    add[f"rule_kept={candidate.rule_kept}"] = 1
    add[f"source={party.source}&named_here={_bucket(offer.named, (0, 1, 2, 4))}"] = 1
    if nearest is not None and code in offer.listed:
        add[f"in_list={_bucket(offer.longest_list, (3, 5, 8))}"] = 1
        add[f"{category}&in_list"] = 1
    return add


_HERE = frozenset({"sentence", "person", "rule"})


@lru_cache(maxsize=1)
def _rival_pairs() -> frozenset[frozenset[str]]:
    path = resources.files("defence_news.extract").joinpath("data", "rivals.tsv")
    pairs = set()
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b = line.split("\t")[:2]
            pairs.add(frozenset({a.strip(), b.strip()}))
    return frozenset(pairs)


def _rivals_among(parties: frozenset[str]) -> bool:
    """Two of the parties are at war or in open hostility (``data/rivals.tsv``)."""
    return any(pair <= parties for pair in _rival_pairs())


def _date_features(ctx: DocContext, candidate: Candidate, add: Features) -> None:
    when = candidate.when
    if when is None:
        add["date=none"] = 1
        return
    add[f"date_precision={when.precision}"] = 1
    if when.since:
        add["date_since"] = 1
    published = ctx.published
    if published is None:
        add["date_unanchored"] = 1
        return
    days = (when.start - published).days
    if days > 0:
        add["date=future"] = 1
    elif days > -8:
        add["date=this_week"] = 1
    elif days > -366:
        add["date=this_year"] = 1
    else:
        add[f"date=years_ago:{_bucket(-days // 365, (1, 3, 10))}"] = 1


def note_sentence_categories(ctx: DocContext, candidates: list[Candidate]) -> None:
    """Which categories' triggers each sentence holds: a transfer beside a visit in one
    sentence ("the ship was received by officials") is often no transfer."""
    found: dict[int, set[str]] = {}
    for candidate in candidates:
        found.setdefault(candidate.sentence.start, set()).add(candidate.category)
    ctx.sentence_categories = found


def _need_distance(ctx: DocContext, candidate: Candidate, add: Features) -> None:
    """How far what the category needs (equipment for a transfer) is from the trigger."""
    spec = ctx.rules.categories[candidate.category]
    need = ctx.rules.need(spec)
    if need is None:
        return
    start, end = _trigger_span(candidate)
    sentence = candidate.sentence
    gaps = [
        _token_gap(ctx, end, m.start(), sentence.start)
        if m.start() >= end
        else 100 + _token_gap(ctx, m.end(), start, sentence.start)
        for m in ctx.words(need, sentence.start, sentence.end)
    ]
    nearest = min(gaps, default=1000)
    label = "after:" + _bucket(nearest, (0, 2, 5, 10)) if nearest < 100 else "before_only"
    add[f"{candidate.category}&need={label}"] = 1


def candidate_features(
    ctx: DocContext, candidate: Candidate, party_probs: dict[str, float]
) -> Features:
    """Features of a candidate event once its parties are chosen: is it an event?"""
    category = candidate.category
    add: Features = {"bias": 1.0, f"cat={category}": 1}
    trigger = candidate.triggers[0].lower() if candidate.triggers else ""
    add[f"trigger={trigger}"] = 1
    add[f"{category}&status={candidate.status}"] = 1
    add[f"drop={candidate.drop_reason}"] = 1
    add[f"{category}&drop={candidate.drop_reason}"] = 1
    for flag in ("anaphoric", "novel", "linked_to_visit"):
        if getattr(candidate, flag):
            add[flag] = 1
    chosen = sorted(party_probs.values(), reverse=True)
    add[f"parties={_bucket(len(candidate.parties), (1, 2, 3, 5))}"] = 1
    weakest = chosen[min(len(chosen), max(2, len(candidate.parties))) - 1] if chosen else 0.0
    add["weakest_party_prob"] = weakest
    add["strongest_party_prob"] = chosen[0] if chosen else 0.0
    index = candidate.sentence.index
    add[f"sentence={_bucket(index, (0, 1, 3, 6, 12))}"] = 1
    for other in ctx.sentence_categories.get(candidate.sentence.start, ()):
        if other != category:
            add[f"{category}&beside={other}"] = 1
    _need_distance(ctx, candidate, add)
    if _rivals_among(frozenset(candidate.parties)):
        add["rivals"] = 1
        add[f"{category}&rivals"] = 1
    kept = sum(len(c) for c in ctx.sentence_categories.values())
    add[f"doc_candidates={_bucket(kept, (1, 3, 8))}"] = 1
    _date_features(ctx, candidate, add)
    # No bag of words around the trigger: on real text it only memorised the articles it
    # was trained on (cross-validated F1 the same without it).
    flags = _sentence_flags(ctx, candidate.sentence)
    if "quote" in flags:
        add["quoted"] = 1
    if candidate.attribution:
        add["attributed"] = 1
    if "negation" in flags:
        add["negation_in_sentence"] = 1
    if "modal" in flags:
        add["modal_in_sentence"] = 1
    return add


_FUTURE = re.compile(
    r"\b(?:will|would|shall|to be|expected|expects|plans?|planned|set to|due to|scheduled|"
    r"upcoming|next|later this|intends?|aims? to|seeks? to)\b"
)
_UNDER_WAY = re.compile(
    r"\b(?:began|begun|begins|begin|started|starts|kicked off|kicks off|launched|launches|opened|"
    r"underway|under way|ongoing|continues|continuing|currently|now|is being|are being|"
    r"runs until|will run|will last|until|through)\b"
)
_PRESENT = re.compile(
    r"\b(?:is|are|hold|holds|conduct|conducts|stage|stages|take part|takes part|participate|"
    r"participates|train|trains|join|joins)\b"
)
_PERFECT = re.compile(r"\b(?:has|have|had)\s+(?:been\s+|also\s+|already\s+)?\w+ed\b")


_TENSE_FLAGS = ("future", "under_way", "present", "perfect", "negation")


def _sentence_flags(ctx: DocContext, sentence: Sentence) -> frozenset[str]:
    """Which sentence-wide cues the sentence holds (computed once per sentence)."""
    flags = ctx.sentence_flags.get(sentence.start)
    if flags is None:
        text = ctx.lowered[sentence.start : sentence.end]
        patterns = {
            "future": _FUTURE,
            "under_way": _UNDER_WAY,
            "present": _PRESENT,
            "perfect": _PERFECT,
            "negation": _NEGATION,
            "modal": _MODAL,
            "quote": _QUOTE,
        }
        flags = frozenset(name for name, pattern in patterns.items() if pattern.search(text))
        ctx.sentence_flags[sentence.start] = flags
    return flags


def status_features(ctx: DocContext, candidate: Candidate, rule_status: str) -> Features:
    """Features for the status of an event: the grammar's answer, the tense around the
    trigger, and the date against publication."""
    category = candidate.category
    add: Features = {"bias": 1.0, f"rule={rule_status}": 1, f"cue={candidate.status}": 1}
    add[f"{category}&rule={rule_status}"] = 1
    start, end = _trigger_span(candidate)
    sentence = candidate.sentence
    before = _words_before(ctx, start, 3, sentence.start)
    for distance, word in enumerate(reversed(before), start=1):
        add[f"t-{distance}={word}"] = 1
    after = _words_after(ctx, end, 2, sentence.start)
    for distance, word in enumerate(after, start=1):
        add[f"t+{distance}={word}"] = 1
    _date_features(ctx, candidate, add)
    flags = _sentence_flags(ctx, sentence)
    for name in _TENSE_FLAGS:
        if name in flags:
            add[f"sentence_{name}"] = 1
            add[f"{category}&sentence_{name}"] = 1
    if ctx.sentence_positions.get(sentence.start) == 0:
        add["headline"] = 1
        add[f"headline&rule={rule_status}"] = 1
    if candidate.drop_reason:
        add[f"drop={candidate.drop_reason}"] = 1
    return add
