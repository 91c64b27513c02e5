"""Text in, events out: input guards, the document pass, and the Event records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from defence_news.extract.candidates import sentence_candidates
from defence_news.extract.context import Candidate, DocContext, Party, focus_country
from defence_news.extract.dates import reference_date
from defence_news.extract.gazetteer import load_gazetteer
from defence_news.extract.learn.decide import decide
from defence_news.extract.learn.model import EventModel, packaged_model
from defence_news.extract.mentions import find_mentions
from defence_news.extract.merge import consolidate, merge_candidates
from defence_news.extract.parties import join_listed_participants, split_distributive
from defence_news.extract.people import find_people
from defence_news.extract.roles import candidate_roles
from defence_news.extract.rules import Rules, event_codes, load_rules, lower_same_length
from defence_news.extract.sentences import split_sentences
from defence_news.extract.status import final_status, reported_category
from defence_news.models import (
    Actor,
    Article,
    ArticleRef,
    Event,
    Evidence,
    ExtractorInfo,
    Person,
    When,
    Where,
    short_hash,
)

EXTRACTOR_NAME = "defence_news.rules"
LEARNED_EXTRACTOR_NAME = "defence_news.rules+learned"
EXTRACTOR_VERSION = "2.0.0"
MODES = ("auto", "rules", "learned")

# Longer than any news article (the longest long-reads are ~100 kB); beyond this the
# text is a dump or a mis-parse and would slow the whole batch.
MAX_TEXT_CHARS = 200_000
# Fewer words than this cannot state who did what with whom.
MIN_WORDS = 4
# English news prose has ~20-30% function words; other languages in Latin script
# have almost none of these, so 6% separates them with a wide margin.
MIN_ENGLISH_FUNCTION_SHARE = 0.06
# Share of letters that must be ASCII: non-Latin scripts fall far below. Below
# this many letters the share says nothing (a name in quotes).
MIN_LETTERS_FOR_SCRIPT_TEST = 20
MIN_ASCII_LETTER_SHARE = 0.7
_ENGLISH_FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "the of and to in a is was for on with that by as at will from has have it are "
        "were be its their an said "
    ).split()
)
_WORD = re.compile(r"[^\W\d_]+")
# A sentence of fewer than three words ("Photo: Reuters") holds no event.
_THREE_WORDS = re.compile(r"[^\W\d_]+[\W\d_]+[^\W\d_]+[\W\d_]+[^\W\d_]")
_MAX_CONFIDENCE = 0.99
_MIN_CONFIDENCE = 0.05
# Substrings that settle "is this defence news?" at once (most articles have one).
_COMMON_DEFENCE_WORDS = ("military", "defence", "defense", "army", "navy", "naval", "troops")
# The words lexicon.yaml "visited_place" ends in (its scan is skipped without them).
_PLACE_WORDS = ("academ", "school", "college", "training cent")


@dataclass(frozen=True)
class ExtractionResult:
    events: list[Event]
    reason: str | None = None  # why empty; None when events were found


def _reject_reason(text: object) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return "empty_text"
    if len(text) > MAX_TEXT_CHARS:
        return "too_long"
    words = _WORD.findall(text)
    letters = "".join(words)
    # Script first: Chinese or Arabic text has few spaces, so few "words".
    ascii_share = len(letters.encode("ascii", "ignore")) / max(1, len(letters))
    if len(letters) >= MIN_LETTERS_FOR_SCRIPT_TEST and ascii_share < MIN_ASCII_LETTER_SHARE:
        return "not_english"
    if len(words) < MIN_WORDS:
        return "no_sentences"
    function_share = sum(1 for w in words if w.lower() in _ENGLISH_FUNCTION_WORDS) / len(words)
    if function_share < MIN_ENGLISH_FUNCTION_SHARE:
        return "not_english"
    return None


def _as_date(published: datetime | date | str | None) -> date | None:
    if published is None:
        return None
    if isinstance(published, datetime):
        return published.date()
    if isinstance(published, date):
        return published
    try:
        return datetime.fromisoformat(str(published).replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _is_defence_text(lowered: str, rules: Rules) -> bool:
    """Not defence news: civil words ("vaccine", "cricket") and no defence word at all.

    Civil markers are required, not just the absence of defence words: "Vietnam and Japan
    signed an MoU on logistics" is defence news told without a defence word."""
    if any(word in lowered for word in _COMMON_DEFENCE_WORDS):
        return True  # the usual case, decided by plain substring tests
    # Civil words are the rarer: looked for first (as substrings, then at a word start),
    # the long defence list only then.
    civil = any(word in lowered for word in rules.civil_words) and rules.civil_sense.search(lowered)
    return not civil or bool(rules.defence_anchor.search(lowered))


def analyse(text: object, published: datetime | date | str | None = None) -> DocContext | str:
    """The document's context for the grammar (sentences, mentions, people), or the
    reason it can hold no event."""
    reason = _reject_reason(text)
    if reason:
        return reason
    assert isinstance(text, str)
    sentences = [s for s in split_sentences(text) if _THREE_WORDS.search(s.text)]
    if not sentences:
        return "no_sentences"
    gaz = load_gazetteer()
    rules = load_rules()
    lowered = lower_same_length(text)
    if not _is_defence_text(lowered, rules):
        return "not_defence"
    mentions = find_mentions(text, gaz, rules.context_only, lowered)
    if not any(m.kind not in ("pair", "style") for m in mentions):
        return "no_countries"
    people, person_mentions = find_people(text, mentions)
    published_on = _as_date(published)
    return DocContext(
        text=text,
        published=published_on,
        date_fallback=None if published_on else reference_date(text),
        gaz=gaz,
        rules=rules,
        mentions=mentions,
        people=people,
        person_mentions=person_mentions,
        focus_country=focus_country(mentions),
        lowered=lowered,
        mention_starts=[m.start for m in mentions],
        person_starts=sorted(pm.start for pm in person_mentions),
        has_since="since" in lowered,
        has_place_words=any(word in lowered for word in _PLACE_WORDS),
        sentences=sentences,
        sentence_positions={s.start: i for i, s in enumerate(sentences)},
    )


def document_candidates(ctx: DocContext, keep_all: bool = False) -> list[Candidate]:
    """Every candidate event of the document, in text order (see ``sentence_candidates``)."""
    return [c for s in ctx.sentences for c in sentence_candidates(ctx, s, keep_all)]


def _resolve_model(mode: str, model: EventModel | None) -> EventModel | None:
    if mode not in MODES:
        raise ValueError(f"extractor mode {mode!r}: one of {', '.join(MODES)}")
    if mode == "rules":
        return None
    found = model or packaged_model()
    if found is None and mode == "learned":
        raise FileNotFoundError("no trained model: run make train-events")
    return found


def extractor_info(model: EventModel | None) -> ExtractorInfo:
    """Name and version of the extractor that writes the events: a changed model is a
    changed version (its training data's fingerprint)."""
    if model is None:
        return ExtractorInfo(EXTRACTOR_NAME, EXTRACTOR_VERSION)
    fingerprint = str(model.trained_on.get("fingerprint", ""))[:8]
    return ExtractorInfo(LEARNED_EXTRACTOR_NAME, f"{EXTRACTOR_VERSION}+{fingerprint}")


def current_extractor() -> ExtractorInfo:
    """The extractor that ``extract_events`` runs now (the packaged model's, if any)."""
    return extractor_info(_resolve_model("auto", None))


def extract_from_text(
    text: str,
    *,
    doc_id: str,
    published: datetime | date | str | None = None,
    article: ArticleRef | None = None,
    mode: str = "auto",
    model: EventModel | None = None,
) -> ExtractionResult:
    """Cooperation events in ``text``; never raises on bad input (see ``reason``).

    ``mode``: ``rules`` (the grammar alone), ``learned`` (the grammar proposes, the
    trained model decides; ``model`` or the packaged one), ``auto`` (learned when a
    model is packaged, else rules)."""
    learned = _resolve_model(mode, model)
    ctx = analyse(text, published)
    if isinstance(ctx, str):
        return ExtractionResult([], ctx)
    if learned is None:
        merged = merge_candidates(ctx, document_candidates(ctx))
    else:
        decided = decide(ctx, document_candidates(ctx, keep_all=True), learned)
        merged = consolidate(merge_candidates(ctx, decided))
    join_listed_participants(ctx, merged)
    merged = split_distributive(ctx, merged)
    published_on = ctx.published.isoformat() if ctx.published else None
    ref = article or ArticleRef(article_id=doc_id, url="", source_id="", published_at=published_on)
    info = extractor_info(learned)
    events = [_to_event(ctx, c, doc_id, ref, info) for c in merged]
    return ExtractionResult(events, None if events else "no_cooperation")


def extract_events(article: Article) -> ExtractionResult:
    """Events of one parsed article, dated against its publication date."""
    ref = ArticleRef(
        article_id=article.article_id,
        url=article.url,
        source_id=article.source_id,
        publisher=article.publisher,
        published_at=article.published_at.isoformat() if article.published_at else None,
        title=article.title,
    )
    return extract_from_text(
        article.body, doc_id=article.article_id, published=article.published_at, article=ref
    )


def _actor(ctx: DocContext, party: Party, role: str, category: str) -> Actor:
    ranked = sorted(
        party.mentions,
        key=lambda m: (m.branch is not None, m.sector == "MIL", m.kind not in ("pair", "style")),
        reverse=True,
    )
    best = ranked[0] if ranked else None
    sector, branch = (best.sector, best.branch) if best else ("GOV", None)
    name = best.name if best else ctx.gaz.country_names.get(party.code, party.code)
    if party.person_sector == "MIL" and (
        sector != "MIL" or (branch is None and party.person_branch)
    ):
        sector, branch = "MIL", party.person_branch
        name = party.person_org or name
    if best is not None and best.kind == "igo":
        sector = "IGO"
    elif ctx.rules.categories[category].military and sector == "GOV":
        sector = "MIL"  # drills and training are carried out by armed forces
    if best is not None and best.kind in ("pair", "style"):
        named = [m for m in party.mentions if m.kind not in ("pair", "style")]
        name = named[0].name if named else name
    spans = tuple(dict.fromkeys((m.start, m.end) for m in party.mentions))
    return Actor(
        name=name, country=party.code, sector=sector, branch=branch, role=role, mentions=spans
    )  # type: ignore[arg-type]


def _confidence(candidate: Candidate, status_from_default: bool) -> float:
    explicit = sum(1 for p in candidate.parties.values() if not p.inferred)
    score = 0.5
    score += 0.2 if explicit >= 2 else 0.05 if explicit == 1 else 0.0
    score += 0.1 if candidate.when else 0.0
    score += 0.05 if candidate.people else 0.0
    score += 0.05 if len(candidate.sentences) > 1 else 0.0
    score += 0.05 if candidate.event_name else 0.0
    score -= 0.15 if status_from_default else 0.0
    return round(min(_MAX_CONFIDENCE, max(_MIN_CONFIDENCE, score)), 2)


def _people(ctx: DocContext, candidate: Candidate) -> tuple[Person, ...]:
    return tuple(
        Person(
            name=ctx.people[i].name,
            title=ctx.people[i].title,
            country=ctx.people[i].country,
            organisation=ctx.people[i].organisation,
            role=ctx.people[i].role,
        )
        for i in candidate.people
    )


def _to_event(
    ctx: DocContext, candidate: Candidate, doc_id: str, ref: ArticleRef, info: ExtractorInfo
) -> Event:
    spec = ctx.rules.categories[candidate.category]
    if candidate.confidence is None:
        status = final_status(
            spec, candidate.status, candidate.when, ctx.published, candidate.sentence.text
        )
    else:
        status = candidate.status or "occurred"  # decided by the learned status model
    candidate.category = reported_category(ctx, candidate.category, status, candidate.halt_near)
    roles = candidate_roles(ctx, candidate)
    sentence = candidate.sentence
    when = candidate.when
    cameo, plover, quad = event_codes(candidate.category, status)
    return Event(
        # Article, evidence span (sentence and trigger), category and parties: two events of
        # one sentence ("will buy more ..., after the first batteries arrived", a tour of
        # three countries) differ.
        event_id=short_hash(
            doc_id,
            f"{sentence.start}:{sentence.end}:{candidate.trigger_start}",
            candidate.category,
            ",".join(sorted(candidate.parties)),
        ),
        category=candidate.category,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        actors=tuple(
            _actor(ctx, p, roles[p.code], candidate.category) for p in candidate.parties.values()
        ),
        evidence=Evidence(
            sentence=sentence.text,
            char_start=sentence.start,
            char_end=sentence.end,
            triggers=tuple(candidate.triggers),
        ),
        article=ref,
        extractor=info,
        people=_people(ctx, candidate),
        event_name=candidate.event_name,
        when=When(
            start=when.start.isoformat() if when else None,
            end=when.end.isoformat() if when and when.end else None,
            precision=when.precision if when else "unknown",  # type: ignore[arg-type]
            text=when.text if when else None,
        ),
        where=Where(country=candidate.where_country, place=candidate.where_place),
        cameo_code=cameo,
        plover_type=plover,
        quad_class=quad,
        attribution=candidate.attribution,
        confidence=candidate.confidence
        if candidate.confidence is not None
        else _confidence(candidate, candidate.status is None),
    )
