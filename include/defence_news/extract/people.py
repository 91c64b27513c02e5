"""People: named officers and officials, their country and organisation, and coreference.

"General Mao Sophan, commander of the Cambodian Army" introduces a person with a
title, a role, a country and an organisation; later "Sophan", "he" and "the
general" refer back to him. Speakers ("he noted") are kept apart from participants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from defence_news.extract.gazetteer import trie_alternation
from defence_news.extract.mentions import Mention

_NAME_TOKEN = r"(?:[A-Z][a-z’'\-]+(?:-[A-Z]?[a-z]+)?|[A-Z]\.)"
_NAME = rf"{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|bin|binti|al-\w+|van|von|de|da|dos|Le))" + "{0,3}"
# Countries whose names put the family name first; news calls them by it ("Ahn", "Xi").
_FAMILY_NAME_FIRST = frozenset({"KOR", "PRK", "CHN", "TWN"})
_ROLE_NOUNS = (
    r"commander|director|chief|head|minister|spokesman|spokesperson|spokeswoman|ambassador|"
    r"president|secretary|analyst|professor|researcher|chairman|chairwoman|lecturer|fellow|"
    r"general|admiral|envoy|attach[eé]|officer|deputy|adviser|advisor|leader"
)
_APPOSITIVE = re.compile(
    rf"(?<![\w.])(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}),\s+(?:the\s+|a\s+|an\s+)?"
    rf"(?:(?:deputy|former|acting|vice|chief|senior|top|then)\s+)*(?:{_ROLE_NOUNS})\b"
)
_SPEECH_VERB = re.compile(
    r"\b(?:said|says|noted|notes|added|adds|explained|told|tells|stated|acknowledged|believed|"
    r"believes|argued|argues|warned|warns|stressed|emphasi[sz]ed|insisted|claimed|wrote|"
    r"observed|remarked|commented|suggested|maintained)\b"
)
_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he)\b")
_ROLE_REFERENCE = re.compile(
    r"\b(?:the|his|her|their|its)\s+(?:\w+\s+){0,2}?(?P<role>commanders?|ministers?|chiefs?|"
    r"counterparts?|generals?|admirals?|leaders?|presidents?|secretaries|secretary)\b",
    re.IGNORECASE,
)
# Words that look like names but are not ("Minister Monday", "General Assembly").
_NOT_NAME_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "The This That These Those It He She They We Monday Tuesday Wednesday Thursday "
        "Friday Saturday Sunday January February March April May June July August "
        "September October November December Assembly Staff Department Ministry Command "
        "Headquarters Secretariat Council Office During In On At For And But "
    ).split()
)
# Between a country and a title: "'s", a few lower-case words ("army chief").
# Spaces only, not line breaks: a country ending the paragraph before is not the title's.
_TITLE_LEAD = re.compile(
    r"(?:['’]s)?(?:[ \t]+(?!(?:and|or|with|to|from|of|in|by|for|at|on)\b)[a-z][\w-]*){0,3}[ \t]*"
)
# "Defense Minister Luis Petri of Argentina": the country right after the name.
_OF_COUNTRY = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?")
_TITLE_LEAD_WINDOW = 30
_ROLE_BEFORE = re.compile(
    rf"\b(?:the\s+)?(?:{_ROLE_NOUNS})\s+of\s+[^,.;]{{3,80}},\s*$", re.IGNORECASE
)
_APPOSITIVE_WINDOW = 160  # characters after a name searched for its role and organisation
_SPEAKER_GAP = 40  # a speech verb this close after a mention makes it the speaker


@dataclass
class PersonRecord:
    name: str
    title: str | None = None
    role: str | None = None
    country: str | None = None
    organisation: str | None = None
    sector: str | None = None
    branch: str | None = None
    first_offset: int = 0
    aliases: set[str] = field(default_factory=set)

    def matches_role(self, role_word: str) -> bool:
        role_word = role_word.lower().rstrip("s")
        if role_word == "secretarie":
            role_word = "secretary"
        described = f"{self.title or ''} {self.role or ''}".lower()
        return role_word in described or "counterpart" in described


@dataclass(frozen=True, slots=True)
class PersonMention:
    start: int
    end: int
    person: int  # index into the people list
    kind: str  # name, surname, pronoun
    speaker: bool


@dataclass(frozen=True)
class RoleReference:
    start: int
    end: int
    role: str


@lru_cache(maxsize=1)
def _title_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    text = resources.files("defence_news.extract").joinpath("data", "titles.tsv").read_text("utf-8")
    kinds: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        forms, kind = line.split("\t")[:2]
        for form in forms.split("|"):
            kinds[form.strip().lower()] = kind.strip()
    alternation = trie_alternation(list(kinds))
    pattern = re.compile(rf"(?<![\w.])(?P<title>(?i:{alternation}))\s+(?P<name>{_NAME})")
    return pattern, kinds


def _clean_name(name: str, blocked: set[str]) -> str | None:
    tokens = name.split()
    titles = _title_pattern()[1]
    while tokens and tokens[0].lower() in titles:
        tokens = tokens[1:]  # "General Mao Sophan, commander": the rank is not the name
    kept: list[str] = []
    for token in tokens:
        if token in _NOT_NAME_WORDS or token in blocked:
            break
        kept.append(token)
    while kept and kept[-1] in ("de", "da", "van", "von", "bin", "binti", "dos", "Le"):
        kept.pop()
    return " ".join(kept) if kept else None


def _appositive_facts(
    text: str, start: int, mentions: list[Mention]
) -> tuple[str | None, Mention | None]:
    """The role text after "Name, " and the first country or force mentioned in it."""
    window_end = min(len(text), start + _APPOSITIVE_WINDOW)
    stop = re.search(r"[,.;”\"]\s|[.;]$|\n", text[start:window_end])
    end = start + stop.start() if stop else window_end
    role = text[start:end].strip(" ,") or None
    inside = [m for m in mentions if start <= m.start < end and m.kind not in ("pair",)]
    forces = [m for m in inside if m.sector == "MIL"]
    return role, (forces[0] if forces else inside[0] if inside else None)


def _adjective_before(text: str, start: int, mentions: list[Mention]) -> Mention | None:
    """The country or force just before a title: "his Russian counterpart Oleg
    Salyukov", "Vietnam's Defence Minister ...", "Pakistan's army chief General ..."."""
    for mention in reversed(mentions):
        if mention.end > start or mention.kind in ("pair", "style"):
            continue
        if start - mention.end > _TITLE_LEAD_WINDOW:
            break
        if _TITLE_LEAD.fullmatch(text[mention.end : start]):
            return mention
    return None


def _country_after(text: str, end: int, mentions: list[Mention]) -> Mention | None:
    """ "Luis Petri of Argentina": a country named just after the person's name."""
    lead = _OF_COUNTRY.match(text, end)
    if lead is None:
        return None
    return next(
        (m for m in mentions if m.start == lead.end() and m.kind in ("country", "org", "igo")),
        None,
    )


def _role_before(text: str, start: int, mentions: list[Mention]) -> Mention | None:
    """ "The commander of the Royal Thai Navy, Admiral Adung ...": the role comes first."""
    lead = text[max(0, start - _APPOSITIVE_WINDOW) : start]
    match = _ROLE_BEFORE.search(lead)
    if match is None:
        return None
    begin = start - len(lead) + match.start()
    inside = [m for m in mentions if begin <= m.start < start and m.kind not in ("pair", "style")]
    forces = [m for m in inside if m.sector == "MIL"]
    return forces[0] if forces else inside[0] if inside else None


def _record_from(
    text: str, name: str, title: str | None, start: int, end: int, mentions: list[Mention]
) -> PersonRecord:
    record = PersonRecord(name=name, first_offset=start)
    title_kind = _title_pattern()[1].get((title or "").lower())
    if title_kind == "ROLE":
        record.role = title
    else:
        record.title = title
    before = _adjective_before(text, start, mentions) or _role_before(text, start, mentions)
    after = text[end : end + 2]
    role, force = (None, None)
    if after.startswith(","):
        role, force = _appositive_facts(text, end + 1, mentions)
    if role and re.match(rf"(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?(?:{_ROLE_NOUNS})\b", role, re.I):
        record.role = f"{record.role} {role}" if record.role else role
    else:
        force = None
    source = before or force or _country_after(text, end, mentions)
    if source is not None:
        record.country = source.code
        if source.kind in ("org", "igo") or source.branch or source.sector == "MIL":
            record.organisation = source.name
            record.sector = source.sector
            record.branch = source.branch
    return record


def find_people(
    text: str, mentions: list[Mention]
) -> tuple[list[PersonRecord], list[PersonMention]]:
    """People introduced in the text and every later reference to them."""
    pattern, _ = _title_pattern()
    blocked = {m.text for m in mentions}
    people: list[PersonRecord] = []
    by_name: dict[str, int] = {}
    intros: list[tuple[int, int, int]] = []
    found = [
        (m.start("name"), m.end("name"), m.group("name"), m.group("title"), m.start())
        for m in pattern.finditer(text)
    ]
    found += [
        (m.start("name"), m.end("name"), m.group("name"), None, m.start())
        for m in _APPOSITIVE.finditer(text)
    ]
    # Titled introductions first: "General Mao Sophan" keeps its rank.
    for name_start, _name_end, raw_name, title, intro_start in found:
        name = _clean_name(raw_name, blocked)
        if not name or (title is None and len(name.split()) < 2):
            continue
        name_start += raw_name.index(name.split()[0])
        name_end = name_start + len(name)
        index = _known_person(by_name, name)
        if index is None:
            record = _record_from(text, name, title, intro_start, name_end, mentions)
            index = len(people)
            people.append(record)
            by_name[name] = index
            for surname in _short_forms(name, record.country):
                if len(surname) > 1 and surname not in blocked:
                    by_name.setdefault(surname, index)
        intros.append((name_start, name_end, index))
    return people, _person_mentions(text, people, by_name, intros)


def _short_forms(name: str, country: str | None) -> list[str]:
    """How a later sentence names the person: "Sophan"; "Ahn" for Ahn Gyu-back, as
    Korean and Chinese names put the family name first."""
    tokens = name.split()
    forms = [tokens[-1]] if len(tokens[-1]) > 2 else []
    if country in _FAMILY_NAME_FIRST and len(tokens) >= 2:
        forms.append(tokens[0])
    return forms


def _known_person(by_name: dict[str, int], name: str) -> int | None:
    if name in by_name:
        return by_name[name]
    surname = name.split()[-1]
    return by_name.get(surname) if len(name.split()) == 1 else None


def _person_mentions(
    text: str,
    people: list[PersonRecord],
    by_name: dict[str, int],
    intros: list[tuple[int, int, int]],
) -> list[PersonMention]:
    spans: list[tuple[int, int, int, str]] = [(s, e, i, "name") for s, e, i in intros]
    taken = [(s, e) for s, e, _ in intros]
    if by_name:
        names = re.compile(r"(?<!\w)(?:" + trie_alternation(list(by_name)) + r")(?!\w)")
        for match in names.finditer(text):
            if any(s <= match.start() < e for s, e in taken):
                continue
            spans.append((match.start(), match.end(), by_name[match.group(0)], "surname"))
    spans.sort()
    mentions: list[PersonMention] = []
    named = list(spans)
    for match in _PRONOUN.finditer(text):
        # A pronoun refers to the person named last before it.
        earlier = [span for span in named if span[1] <= match.start()]
        if earlier:
            spans.append((match.start(), match.end(), earlier[-1][2], "pronoun"))
    for start, end, index, kind in sorted(spans):
        mentions.append(PersonMention(start, end, index, kind, _is_speaker(text, end)))
    return mentions


def _is_speaker(text: str, end: int) -> bool:
    """Subject of a speech verb: "He noted", "Kin Phea, director of ..., believed"."""
    window = text[end : end + _APPOSITIVE_WINDOW]
    verb = _SPEECH_VERB.search(window)
    if verb is None:
        return False
    gap = window[: verb.start()]
    if verb.start() <= _SPEAKER_GAP and not re.search(r"[.;]|\bthat\b", gap):
        return True
    # A long appositive between the name and the verb: "X, director of Y, believed".
    return gap.startswith(",") and gap.rstrip().endswith(",") and "." not in gap


def role_references(text: str, start: int, end: int) -> list[RoleReference]:
    return [
        RoleReference(m.start(), m.end(), m.group("role"))
        for m in _ROLE_REFERENCE.finditer(text, start, end)
    ]
