"""Bylines: the people who wrote the article, from whatever the page gives.

Pages put much besides names into their author fields: roles ("AP Auto
Writer"), outlets ("Troy L. Smith, Cleveland.com"), credentials ("MS, RDN"),
the date ("Jeff Foust Monday, November 18, 2019"), CMS accounts ("admin",
"jdadmin"), profile slugs ("emma-mackenzie"), image credits ("(Image: Getty
Images)") and the publisher itself ("BBC News" as the JSON-LD author of an
unsigned story). Each string is cut, split and sorted here:

- ``person``: a name, kept;
- ``organisation``: an agency or outlet ("Reuters", "Detroit News wire
  services"), kept only when no person is named and it is not the page's own
  publisher (a publisher is not a byline);
- anything else (role, credential, account, slug, credit, date): dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from defence_news.parse.text import clean_field

# Author strings longer than this are sentences (bios, credits), not names.
MAX_AUTHOR_CHARS = 80
# A byline stops where its date or time begins ("By A and B Monday, November 18").
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_BYLINE_END = re.compile(
    r"(?<=[a-z])(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b.*"  # glued: "FoustMonday"
    rf"|\b(?i:{_WEEKDAY})\b.*"
    rf"|\b(?i:{_MONTH})\.?\s+\d.*"
    r"|(?:^|\s)\d.*"
    r"|\b(?i:published|updated|posted|last (?:modified|updated)|publiziert|veröffentlicht"
    r"|aktualisiert|publié|mis à jour|publicado|atualizado|actualizado|diterbitkan)\b.*",
    re.DOTALL,
)
# What the cut may leave at the end: "Written by A on", "Von A am".
_TRAILING_CONNECTOR = re.compile(r"[\s,|-]+(?i:on|at|am|le|el|em|il|à)?\s*$")
_PREFIX = re.compile(
    r"^(?:[\w-]+\s+){0,2}?(?:by|von|por|par|oleh|di|door|av|af)\s+"
    r"|^(?:text|texto|texte|autor|author|written by|words|текст|автор)\s*[:：]\s*",
    re.IGNORECASE,
)
# Separators between names, and between a name and its outlet or role.
_SPLIT = re.compile(
    r"\s*(?:[,;&|/·•]|\s[-–—]\s|\b(?i:and)\b|\s(?:und|et|y|e|dan|en)\s"
    r"|(?<=[^\W\d_]{2})\.\s)\s*"
)
# A wire agency written after the last name, without a comma: "JILL LAWLESS Associated Press".
_TRAILING_AGENCY = re.compile(
    r"(?<=\S)\s+(?P<agency>(?:the )?associated press|reuters|afp|ap|dpa|upi)$", re.IGNORECASE
)
_ROLE_WORDS = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|editor-at-large|columnist|contributor"
    r"|producer|journalist|photographer|analyst|redakteur|redakteurin|kolumnist|autorin"
    r"|rédacteur|envoyé|corresponsal|repórter)s?\b",
    re.IGNORECASE,
)
_ORGANISATION_WORDS = re.compile(
    r"\b(?:news|media|press|presse|agency|agencies|international|network|wire|wires|services"
    r"|staff|bureau|desk|team|newsroom|tv|radio|times|post|daily|group|inc|ltd|llc|corp"
    r"|magazine|insider|online|digital|reuters|afp|dpa|xinhua|tass|bloomberg|efe|ansa|upi"
    r"|kyodo|yonhap|antara|bernama|pti|ani|ians|associated)\b"
    r"|\.(?:com|org|net|co|info|news|ru|de|fr|uk|in)\b",
    re.IGNORECASE,
)
_CREDIT_WORDS = re.compile(
    r"\b(?:image|images|photo|photos|picture|pictures|credit|getty|shutterstock|alamy"
    r"|istock|courtesy|file)\b",
    re.IGNORECASE,
)
# Accounts and placeholders that CMSs put where a byline belongs.
_PLACEHOLDERS = frozenset(
    [
        "admin",
        "administrator",
        "administrador",
        "guest",
        "gast",
        "гость",
        "user",
        "webmaster",
        "editorial",
        "redaktion",
        "redazione",
        "redação",
        "rédaction",
        "anonymous",
        "anonyme",
        "unknown",
    ]
)
_ACRONYM = re.compile(r"^[A-Z]{1,5}$")
_OUTLET_ACRONYM = re.compile(r"^[A-Z]{3,5}$")
# A person's name is a few capitalised words; lower-case words other than these
# particles ("Ludwig van Beethoven") mean a phrase: "Syrian defense ministries".
_NAME_PARTICLES = frozenset(
    {
        "de",
        "da",
        "das",
        "do",
        "dos",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "bin",
        "binti",
        "al",
        "el",
        "y",
        "e",
        "zu",
        "af",
        "ibn",
    }
)
# Words that start link labels and headings next to bylines, never a name.
_NOT_NAME_WORDS = frozenset(
    {
        "by",
        "the",
        "about",
        "follow",
        "view",
        "all",
        "more",
        "read",
        "see",
        "watch",
        "latest",
        "stories",
        "posts",
        "articles",
        "contact",
        "email",
        "share",
        "subscribe",
        "home",
        "biography",
        "bio",
        "profile",
        "author",
        "authors",
        "opinion",
        "columns",
    }
)
# Month names of the registry's and other news languages: a lone one is a date's
# remainder ("Maret 30, 2015"), not a one-word byline.
_MONTH_NAMES = frozenset(
    " ".join(
        (
            "januari februari maret april mei juni juli agustus september oktober november",
            "desember janvier février mars avril mai juin juillet août septembre octobre",
            "novembre décembre januar februar märz august dezember enero febrero marzo",
            "abril mayo junio julio agosto septiembre octubre noviembre diciembre janeiro",
            "fevereiro março maio junho julho setembro outubro novembro dezembro january",
            "february march june july december",
        )
    ).split()
)
MAX_NAME_WORDS = 4
# An outlet's name starts with a capital (or an uncased script) and is short; a
# lower-case phrase with "services" in it is a sentence ("you are accepting the
# terms of our Video Services Policy").
MAX_ORGANISATION_WORDS = 6


@dataclass(frozen=True)
class Byline:
    persons: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    def people(self, site_names: Collection[str] = ()) -> tuple[str, ...]:
        """The persons, but for the page's own publisher named as one."""
        own = {_key(name) for name in site_names}
        return tuple(p for p in self.persons if _key(p) not in own)

    def names(self, site_names: Collection[str] = ()) -> tuple[str, ...]:
        """The persons; else the organisations that are not the page's own publisher."""
        if people := self.people(site_names):
            return people
        own = {_key(name) for name in site_names}
        return tuple(o for o in self.organisations if _key(o) not in own)


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def name_kind(name: str) -> str | None:
    """ "person", "organisation", or None for what is neither (role, account, credit...)."""
    if not name or len(name) > MAX_AUTHOR_CHARS or name.startswith(("@", "(", "http", "/")):
        return None
    if any(ch.isdigit() for ch in name) or "_" in name or _CREDIT_WORDS.search(name):
        return None
    if name.casefold() in _PLACEHOLDERS or _ROLE_WORDS.search(name):
        return None
    if " " not in name and name.lower() == name and name.upper() != name:
        return None  # an account or slug: "jdadmin", "emma-mackenzie"
    if _ORGANISATION_WORDS.search(name) or _ACRONYM.match(name) or _has_outlet_acronym(name):
        reads = not name[0].islower() and len(name.split()) <= MAX_ORGANISATION_WORDS
        return "organisation" if reads else None
    if " " not in name and name.casefold() in _MONTH_NAMES:
        return None
    return "person" if _reads_as_name(name) else None


def _has_outlet_acronym(name: str) -> bool:
    """ "CNN Business", "ABC Action News": an acronym beside words in a name not all in capitals."""
    return name.upper() != name and any(_OUTLET_ACRONYM.match(word) for word in name.split())


def _reads_as_name(name: str) -> bool:
    words = name.split()
    if len(words) > MAX_NAME_WORDS or "'s" in name or "’s" in name:
        return False
    for word in words:
        if word.casefold() in _NOT_NAME_WORDS:
            return False
        cased = word.lower() != word.upper()  # scripts without case (CJK, Arabic) pass
        if cased and word[0].islower() and word not in _NAME_PARTICLES:
            return False
    return True


def split_byline(text: str) -> list[str]:
    """ "By A, Outlet and B Monday, Nov. 18" -> ["A", "Outlet", "B"]."""
    text = re.sub(r"\s+", " ", clean_field(text))
    text = _TRAILING_CONNECTOR.sub("", _BYLINE_END.sub("", text))
    text = _PREFIX.sub("", text)
    parts = (part.strip(" .:-–—\"'“”‘’()[]") for part in _SPLIT.split(text))
    return [part for part in parts if part]


def read_bylines(values: Iterable[str]) -> Byline:
    persons: list[str] = []
    organisations: list[str] = []
    for value in values:
        found = read_byline(value)
        persons += found.persons
        organisations += found.organisations
    if organisations and all(" " not in person for person in persons):
        persons = []  # "PTI, Washington": an agency and its dateline city
    return Byline(_unique(persons), _unique(organisations))


def read_byline(text: str) -> Byline:
    """One author string. After a full name, a one-word part is the outlet ("A B, Futurism")."""
    persons: list[str] = []
    organisations: list[str] = []
    for part in split_byline(text):
        agency = _TRAILING_AGENCY.search(part)
        if agency and " " in part[: agency.start()].strip():
            organisations.append(agency["agency"])
            part = part[: agency.start()].strip()
        kind = name_kind(part)
        if kind == "person":
            persons.append(part)
        elif kind == "organisation":
            organisations.append(part)
    if any(" " in person for person in persons):
        organisations += [p for p in persons if " " not in p]
        persons = [p for p in persons if " " in p]
    return Byline(tuple(persons), tuple(organisations))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(_key(value), value)
    return tuple(seen.values())
