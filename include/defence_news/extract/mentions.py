"""Country and organisation mentions in a document, with their sector and branch.

One pass of the gazetteer regex finds names; small local rules then add what a
reader infers: "Cambodian and Russian armies" are two armies, "the Kingdom" is the
kingdom named last, "the two countries" are the last two countries named, and an
acronym the article defines ("Royal Canadian Air Force (RCAF)") means what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from defence_news.extract.gazetteer import Gazetteer, GazetteerEntry
from defence_news.extract.rules import lower_same_length

_POSSESSIVE = re.compile(r"['’]s\b")
_CONJUNCTION = re.compile(r"\s*(?:,|and|&|or)\s*(?:the\s+)?")
# Words that may sit between a country word and its branch ("Royal Thai Navy").
_FILLER = re.compile(
    r"\s+(?:(?:Royal|National|People['’]s|Federal|own|respective|regular|elite|top|senior)\s+)*"
)
_BRANCH_OF = re.compile(
    r"\b(?P<noun>[A-Za-z ]+?)\s+of\s+(?:the\s+)?(?:(?:\w+\s+)?(?:and|&)\s+)?$", re.IGNORECASE
)
_STYLE_REFERENCE = re.compile(
    r"\b[Tt]he (Kingdom|Sultanate|Federation|Islamic Republic|People['’]s Republic|Commonwealth)\b"
)
_PAIR_REFERENCE = re.compile(
    # Matched on lower-cased text (a case-insensitive pattern is several times slower).
    # "They" opening a sentence after two countries were named: "They reviewed the drills".
    r"(?<=[.!?] )they\b|"
    # "The two signed a plan": the two countries (or their ministers) named before.
    r"\bthe two(?= (?:signed|agreed|said|discussed|also|will|have|held|pledged|met|vowed)\b)|"
    r"\b(?:the two|both|the 2) (?:countries|nations|sides|states|armies|militaries|navies|"
    r"governments|neighbou?rs|partners|allies|forces|ministers|defence ministers|defense ministers|"
    r"leaders|commanders|chiefs|delegations|navies|air forces)\b"
)
_ACRONYM_DEFINITION = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_LONG_FORM_TAIL = re.compile(r"(?:\s+[A-Z][\w'’-]*){1,3}")
# A location, not a party: "talks in Beijing", "drills off Japan".
_LOCATION_BEFORE = re.compile(r"\b(?:in|at|inside|near|off|across|hosted in)\s+(?:the\s+)?$")
_CONTEXT_WINDOW = 40  # characters before a mention searched for location / context words
_MAX_COORDINATED = 4  # "Indian, French, Japanese and US navies"


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference to a country or body at text[start:end]."""

    start: int
    end: int
    text: str
    code: str
    kind: str  # country, adjective, capital, org, igo, style, pair
    name: str  # display name ("Cambodian army", "PLA Army", "Russia")
    sector: str = "GOV"
    branch: str | None = None
    is_location: bool = False


def _display_name(text: str, entry: GazetteerEntry, branch_text: str | None) -> str:
    if entry.kind in ("org", "igo"):
        return entry.name
    if branch_text:
        return f"{text} {branch_text}"
    return entry.name


def _acronym_overrides(text: str, raw: list[Mention]) -> dict[str, Mention]:
    """Acronyms defined in the text, e.g. "Royal Cambodian Armed Forces (RCAF)"."""
    overrides: dict[str, Mention] = {}
    by_end = {m.end: m for m in raw}
    for match in _ACRONYM_DEFINITION.finditer(text):
        before = text[: match.start()].rstrip()
        defined = by_end.get(len(before))
        if defined is None:
            # "Cambodian Army (RCA)": a capitalised long form ending after the name.
            for mention in raw:
                gap = text[mention.end : len(before)]
                if mention.end <= len(before) and _LONG_FORM_TAIL.fullmatch(gap):
                    defined = mention
        if defined is not None and defined.text != match.group(1):
            overrides[match.group(1)] = defined
    return overrides


def _compose_branch(text: str, mention: Mention, by_start: dict[int, Mention], gaz: Gazetteer):
    """Branch noun following a mention, possibly after a list of other countries."""
    pos = mention.end
    possessive = _POSSESSIVE.match(text, pos)
    if possessive:
        pos = possessive.end()
    # "Cambodian and Russian armies": hop over coordinated adjectives, not over forces.
    hops = 0 if mention.kind in ("org", "igo") else _MAX_COORDINATED
    for _ in range(hops):
        conj = _CONJUNCTION.match(text, pos)
        following = by_start.get(conj.end()) if conj and conj.group(0).strip() else None
        if following is None or following.kind not in ("adjective", "country"):
            break
        pos = following.end
    filler = _FILLER.match(text, pos)
    if filler is None:
        return None
    noun = gaz.branch_pattern.match(text, filler.end())
    if noun is None:
        return None
    return noun.group(0), gaz.branch_nouns[noun.group(0).lower()]


def _branch_before(text: str, start: int, gaz: Gazetteer):
    """ "the armies of the two countries", "the army of the PLA"."""
    window = text[max(0, start - 50) : start]
    if " of " not in window[-25:] and window[-3:] != " of":
        return None  # cheap test first: the pattern needs "of" close before the name
    match = _BRANCH_OF.search(window)
    if match is None:
        return None
    words = match.group("noun").lower().split()
    for size in (3, 2, 1):
        noun = " ".join(words[-size:])
        if noun in gaz.branch_nouns:
            return noun, gaz.branch_nouns[noun]
    return None


def _add_defined_acronyms(
    text: str, raw: list[Mention], overrides: dict[str, Mention]
) -> list[Mention]:
    known = {m.text for m in raw}
    extra: list[Mention] = []
    for acronym, defined in overrides.items():
        if acronym in known:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(acronym)}(?!\w)", text):
            extra.append(replace(defined, start=match.start(), end=match.end(), text=acronym))
    if not extra:
        return raw
    return sorted([*raw, *extra], key=lambda m: m.start)


def _with_branch(text: str, mention: Mention, by_start: dict[int, Mention], gaz: Gazetteer):
    found = _compose_branch(text, mention, by_start, gaz) or _branch_before(
        text, mention.start, gaz
    )
    if found is None:
        return mention
    noun_text, branch = found
    entry = gaz.lookup(mention.text)
    if mention.kind in ("org", "igo") and entry is not None:
        if entry.branch or branch.branch is None:
            return mention
        short = entry.name
        return replace(
            mention, sector="MIL", branch=branch.branch, name=f"{short} {branch.branch.title()}"
        )
    name = mention.name
    if entry is not None and mention.kind in ("country", "adjective", "capital"):
        # Keep the article's spelling ("Cambodian Army"), singular ("Russian armies" -> army).
        noun = (
            noun_text if noun_text.lower() == branch.branch else branch.branch or noun_text.lower()
        )
        name = _display_name(mention.text, entry, noun)
    return replace(mention, sector=branch.sector, branch=branch.branch, name=name)


def _is_location(text: str, start: int) -> bool:
    return bool(_LOCATION_BEFORE.search(text[max(0, start - _CONTEXT_WINDOW) : start]))


def find_mentions(
    text: str,
    gaz: Gazetteer,
    context_only: re.Pattern[str] | None = None,
    lowered: str | None = None,
) -> list[Mention]:
    """All country and body mentions in document order, anaphora resolved.

    ``context_only`` marks words before a name that make it a backdrop ("after
    China"); such names are not candidates for "the two countries". ``lowered``: the
    text lower-cased, same offsets, where the caller has it.
    """
    raw: list[Mention] = []
    for match in gaz.pattern.finditer(text):
        entry = gaz.lookup(match.group(0))
        if entry is None or entry.kind == "place":
            continue
        raw.append(
            Mention(
                start=match.start(),
                end=match.end(),
                text=match.group(0),
                code=entry.code,
                kind=entry.kind,
                name=_display_name(match.group(0), entry, None),
                sector="MIL" if entry.sector == "MIL" else "GOV",
                branch=entry.branch,
                is_location=entry.kind in ("country", "capital")
                and _is_location(text, match.start()),
            )
        )
    overrides = _acronym_overrides(text, raw)
    raw = _add_defined_acronyms(text, raw, overrides)
    raw = [
        replace(overrides[m.text], start=m.start, end=m.end, text=m.text)
        if m.text in overrides
        else m
        for m in raw
    ]
    by_start = {m.start: m for m in raw}
    composed = [_with_branch(text, m, by_start, gaz) for m in raw]
    lowered = lowered if lowered is not None else lower_same_length(text)
    return _add_references(text, lowered, composed, gaz, context_only)


def _add_references(
    text: str,
    lowered: str,
    mentions: list[Mention],
    gaz: Gazetteer,
    context_only: re.Pattern[str] | None,
) -> list[Mention]:
    """Resolve "the Kingdom" and "the two countries" against earlier mentions."""
    references: list[Mention] = []
    for match in _STYLE_REFERENCE.finditer(text):
        style = match.group(1).replace("’", "'")
        candidates = set(gaz.styles.get(style, ()))
        earlier = [m for m in mentions if m.end <= match.start() and m.code in candidates]
        if earlier:
            last = earlier[-1]
            name = gaz.country_names.get(last.code, last.code)
            references.append(
                Mention(match.start(), match.end(), match.group(0), last.code, "style", name)
            )
    pair_matches = list(_PAIR_REFERENCE.finditer(lowered))
    candidates = [
        m
        for m in (mentions if pair_matches else [])
        if context_only is None
        or not context_only.search(lowered[max(0, m.start - _CONTEXT_WINDOW) : m.start])
    ]
    for match in pair_matches:
        pair = _last_two_countries(candidates, match.start())
        found = _branch_before(text, match.start(), gaz)
        said = text[match.start() : match.end()]
        noun = match.group(0).split()[-1]
        branch = found[1] if found else gaz.branch_nouns.get(noun)
        for code in pair:
            name = gaz.country_names.get(code, code)
            references.append(
                Mention(
                    match.start(),
                    match.end(),
                    said,
                    code,
                    "pair",
                    name,
                    sector=branch.sector if branch else "GOV",
                    branch=branch.branch if branch else None,
                )
            )
    return sorted([*mentions, *references], key=lambda m: (m.start, m.end))


def _last_two_countries(mentions: list[Mention], before: int) -> list[str]:
    codes: list[str] = []
    for mention in reversed(mentions):
        if mention.end > before or mention.kind == "igo":
            continue
        if mention.code not in codes:
            codes.append(mention.code)
        if len(codes) == 2:
            break
    return codes if len(codes) == 2 else []
