"""The working records of the event grammar: parties, candidate events, document state.

``DocContext`` also holds the document-wide scans every stage shares: a rule pattern's
matches (each pattern scans the document once), and the mentions and people of a span.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

from defence_news.extract.dates import DateMatch, DateSpan
from defence_news.extract.gazetteer import Gazetteer
from defence_news.extract.mentions import Mention
from defence_news.extract.people import PersonMention, PersonRecord
from defence_news.extract.rules import Rules
from defence_news.extract.sentences import Sentence


@dataclass(slots=True)
class Party:
    code: str
    mentions: list[Mention] = field(default_factory=list)
    person_sector: str | None = None
    person_branch: str | None = None
    person_org: str | None = None
    inferred: bool = False
    # Where a learned decision's offer of this party comes from: "sentence" (named in
    # it), "person", "rule" (inferred by the grammar), "previous", "headline", "document".
    source: str = "sentence"


def _copy_party(party: Party) -> Party:
    return replace(party, mentions=list(party.mentions))


@dataclass(slots=True)
class Candidate:
    category: str
    status: str | None
    sentence: Sentence
    triggers: list[str]
    trigger_start: int
    parties: dict[str, Party]
    people: list[int]
    when: DateSpan | None
    where_country: str | None
    where_place: str | None
    event_name: str | None
    attribution: str | None
    anaphoric: bool
    linked_to_visit: bool
    speculative: bool
    novel: bool = False
    sentences: list[Sentence] = field(default_factory=list)
    status_from_cue: bool = True
    # For the learned decisions (``extract/learn``): where the triggers are, every country
    # or body the sentence offers as a party, and whether and why the rules keep it.
    clause: tuple[int, int] = (0, 0)
    trigger_spans: list[tuple[int, int]] = field(default_factory=list)
    potential: dict[str, Party] = field(default_factory=dict)
    drop_reason: str | None = None  # why the rules alone would not report it
    confidence: float | None = None  # set by the learned decision (calibrated)
    halt_near: bool = False  # a halt trigger ("suspend", "cancel") next to the triggers
    cue_status: str | None = None  # what the grammar's cues said (None: no cue at all)

    def another_occasion(self, when: DateSpan) -> Candidate:
        """The same event at another date of a list ("exercises held in 2019 and 2022"):
        a copy that no other report merges into (``novel``)."""
        return replace(
            self,
            when=when,
            novel=True,
            parties={code: _copy_party(p) for code, p in self.parties.items()},
            potential={code: _copy_party(p) for code, p in self.potential.items()},
            triggers=list(self.triggers),
            people=list(self.people),
            sentences=list(self.sentences),
            trigger_spans=list(self.trigger_spans),
        )

    @property
    def rule_kept(self) -> bool:
        return self.drop_reason is None

    @property
    def party_set(self) -> frozenset[str]:
        return frozenset(self.parties)

    def richness(self) -> int:
        explicit = sum(1 for p in self.parties.values() if not p.inferred)
        return explicit + (2 if self.when else 0) + (2 if self.event_name else 0)


@dataclass
class DocContext:
    text: str
    published: date | None
    gaz: Gazetteer
    rules: Rules
    mentions: list[Mention]
    people: list[PersonRecord]
    person_mentions: list[PersonMention]
    focus_country: str | None
    # Without a publication date: the year a date missing its own is taken from.
    date_fallback: date | None = None
    lowered: str = ""  # the text lower-cased, same offsets (the data patterns match it)
    mention_starts: list[int] = field(default_factory=list)
    person_starts: list[int] = field(default_factory=list)
    context_only_cache: dict[tuple[int, int], bool] = field(default_factory=dict)
    date_matches: dict[int, list[DateMatch]] = field(default_factory=dict)  # by sentence start
    date_cache: dict[tuple[int, bool], list[DateSpan]] = field(default_factory=dict)
    # Keyed by id(pattern): hashing a compiled pattern hashes its whole code on every lookup.
    pattern_matches: dict[int, tuple[list[int], list[re.Match[str]]]] = field(default_factory=dict)
    last_attribution: str | None = None
    visits: list[Candidate] = field(default_factory=list)
    # The two countries of the previous sentence's event: "Canada and the Philippines signed
    # a pact. Canadian troops will join the exercise" - the Philippines is the partner.
    previous_pair: frozenset[str] = frozenset()
    # Literal words the backstory and visited-place patterns need: without them the
    # document is not scanned for those patterns at all (speed).
    has_since: bool = True
    has_place_words: bool = True
    code_counts: Counter[str] | None = None  # mentions per country (learned features)
    code_ranks: dict[str, int] | None = None  # rank by mentions, 0 the most named
    main_countries: tuple[str, ...] | None = None  # offered to every candidate
    # Per sentence position: (code, source, mentions) the context offers as parties.
    context_offers: dict[int, list[tuple[str, str, tuple[Mention, ...]]]] = field(
        default_factory=dict
    )
    sentences: list[Sentence] = field(default_factory=list)
    sentence_positions: dict[int, int] = field(default_factory=dict)  # start -> position
    sentence_categories: dict[int, set[str]] = field(default_factory=dict)  # learned features
    sentence_flags: dict[int, frozenset[str]] = field(default_factory=dict)  # learned features
    sentence_lists: dict[int, list[list[Mention]]] = field(default_factory=dict)  # of countries
    # Per sentence start: its words' starts, ends and text (learned features).
    sentence_tokens: dict[int, tuple[list[int], list[int], list[str]]] = field(default_factory=dict)
    mention_facts: dict[int, tuple[str, ...]] = field(default_factory=dict)  # by mention start

    def words(self, pattern: re.Pattern[str], start: int, end: int) -> list[re.Match[str]]:
        """Matches of a rule pattern inside [start, end) that begin at a word start.

        Each pattern scans the whole document once (cached) and each clause takes its
        slice by bisection: cheaper than one regex scan per clause."""
        cached = self.pattern_matches.get(id(pattern))
        if cached is None:
            # The look-behind of ``_at_word_start`` is the word-start test itself.
            found = list(_at_word_start(pattern).finditer(self.lowered))
            cached = ([m.start() for m in found], found)
            self.pattern_matches[id(pattern)] = cached
        starts, matches = cached
        first = bisect_left(starts, start)
        last = bisect_left(starts, end, lo=first)
        if first == last:
            return []
        return [m for m in matches[first:last] if m.end() <= end]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """Country and body mentions starting in [start, end), by bisection."""
        first = bisect_left(self.mention_starts, start)
        last = bisect_left(self.mention_starts, end, lo=first)
        return self.mentions[first:last]

    def people_in(self, start: int, end: int) -> list[int]:
        """People (indexes into ``people``) acting in [start, end): speakers excluded."""
        first = bisect_left(self.person_starts, start)
        last = bisect_left(self.person_starts, end, lo=first)
        return [pm.person for pm in self.person_mentions[first:last] if not pm.speaker]


@cache
def _at_word_start(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` tried only where a word starts: the regex engine then rejects most
    positions at once instead of running every alternative there (the hot path)."""
    return re.compile(rf"(?<![\w-])(?:{pattern.pattern})", pattern.flags)


def focus_country(mentions: list[Mention]) -> str | None:
    """The country the article is about: named most often (first named on a tie)."""
    counts = Counter(m.code for m in mentions if m.kind not in ("igo", "pair"))
    if not counts:
        return None
    best = max(counts.values())
    return next(m.code for m in mentions if counts.get(m.code) == best)
