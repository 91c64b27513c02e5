"""Gazetteers: countries, bodies, forces and branch nouns, loaded from data files.

All surface forms live in ``data/*.tsv``; this module only compiles them into one
case-sensitive regular expression so that a whole article is scanned in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

EntryKind = Literal["country", "adjective", "capital", "org", "igo", "place"]

# A name may not touch a letter or digit (so "US" does not match "USB"); hyphens are
# allowed because pairs are written "Cambodia-US" and origins "Russian-made".
_NAME_EDGE_BEFORE = r"(?<!\w)"
_NAME_EDGE_AFTER = r"(?!\w)"


@dataclass(frozen=True)
class GazetteerEntry:
    """What one surface form means."""

    code: str  # ISO3 or IGO code; "" for a blocked place name
    kind: EntryKind
    name: str  # canonical name of the country or body
    sector: str = "GOV"
    branch: str | None = None
    styles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Branch:
    sector: str
    branch: str | None


@dataclass(frozen=True)
class Gazetteer:
    entries: dict[str, GazetteerEntry]
    pattern: re.Pattern[str]
    branch_nouns: dict[str, Branch]
    branch_pattern: re.Pattern[str]
    country_names: dict[str, str]  # ISO3 -> name
    styles: dict[str, tuple[str, ...]]  # "Kingdom" -> ISO3 codes of kingdoms

    def lookup(self, surface: str) -> GazetteerEntry | None:
        return self.entries.get(surface)


def _data_lines(filename: str) -> list[list[str]]:
    text = resources.files("defence_news.extract").joinpath("data", filename).read_text("utf-8")
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _country_entries() -> tuple[dict[str, GazetteerEntry], dict[str, str]]:
    entries: dict[str, GazetteerEntry] = {}
    names: dict[str, str] = {}
    for row in _data_lines("countries.tsv"):
        row = row + [""] * (6 - len(row))
        code, name, aliases, adjectives, capitals, styles = row[:6]
        style_tuple = tuple(_split(styles))
        names[code] = name
        for surface in [name, *_split(aliases)]:
            entries[surface] = GazetteerEntry(code, "country", name, styles=style_tuple)
        for surface in _split(adjectives):
            entries.setdefault(surface, GazetteerEntry(code, "adjective", name))
        for surface in _split(capitals):
            entries.setdefault(surface, GazetteerEntry(code, "capital", name))
    return entries, names


def _organisation_entries() -> dict[str, GazetteerEntry]:
    entries: dict[str, GazetteerEntry] = {}
    for row in _data_lines("organisations.tsv"):
        row = row + [""] * (5 - len(row))
        surfaces, code, sector, branch, canonical = row[:5]
        kind: EntryKind = "igo" if sector == "IGO" else "org"
        for surface in _split(surfaces):
            entries[surface] = GazetteerEntry(
                code, kind, canonical or surface, sector=sector, branch=branch or None
            )
    return entries


def _place_entries() -> dict[str, GazetteerEntry]:
    text = resources.files("defence_news.extract").joinpath("data", "places.txt").read_text("utf-8")
    return {
        line.strip(): GazetteerEntry("", "place", line.strip())
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }


def _branch_nouns() -> dict[str, Branch]:
    nouns: dict[str, Branch] = {}
    for row in _data_lines("branches.tsv"):
        row = row + [""] * (3 - len(row))
        forms, sector, branch = row[:3]
        for form in _split(forms):
            nouns[form.lower()] = Branch(sector, branch or None)
    return nouns


def trie_alternation(words: list[str]) -> str:
    """One regex alternation of literal words, factored as a trie.

    Python's regex engine tries a flat alternation's branches one by one at every
    position; a trie shares prefixes, which makes scanning an article with ~800
    names several times faster. Optional tails are greedy, so the longest name
    wins ("South Korean" over "South Korea", "PLA Navy" over "PLA").
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, dict]) -> str:
    ends_here = "" in node
    branches = [
        re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if ends_here else body


def _alternation(surfaces: list[str]) -> str:
    return trie_alternation(surfaces)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    countries, names = _country_entries()
    entries = {**countries, **_organisation_entries(), **_place_entries()}
    styles: dict[str, list[str]] = {}
    for entry in countries.values():
        for style in entry.styles:
            codes = styles.setdefault(style, [])
            if entry.code not in codes:
                codes.append(entry.code)
    pattern = re.compile(f"{_NAME_EDGE_BEFORE}(?:{_alternation(list(entries))}){_NAME_EDGE_AFTER}")
    nouns = _branch_nouns()
    branch_pattern = re.compile(rf"(?:{_alternation(list(nouns))})\b", re.IGNORECASE)
    return Gazetteer(
        entries=entries,
        pattern=pattern,
        branch_nouns=nouns,
        branch_pattern=branch_pattern,
        country_names=names,
        styles={style: tuple(codes) for style, codes in styles.items()},
    )
