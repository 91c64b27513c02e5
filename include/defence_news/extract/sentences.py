"""Sentence splitting with character offsets, aware of ranks and other abbreviations."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words ending in a full stop that do not end a sentence ("Gen. Li", "U.S. Navy").
ABBREVIATIONS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "gen lt col maj brig adm capt cmdr cdr sgt cpl pvt mr mrs ms dr prof st no nos vs "
        "etc jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd jr sr rep "
        "sen gov u.s u.k u.n e.g i.e approx dept est fig ft mt "
    ).split()
)

_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+|\n\s*")
_LAST_WORD = re.compile(r"([\w.]+)[.!?]*[\"”’')\]]*\s*$")
# A single capital letter followed by a full stop is an initial ("J. Smith").
_INITIAL = re.compile(r"^[A-Z]$")


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def _is_abbreviation(text: str, boundary_start: int) -> bool:
    match = _LAST_WORD.search(text, max(0, boundary_start - 20), boundary_start + 1)
    if match is None or text[boundary_start] != ".":
        return False
    word = match.group(1).rstrip(".")
    return word.lower() in ABBREVIATIONS or bool(_INITIAL.match(word))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with offsets into ``text``; blank stretches are dropped."""
    sentences: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group(0)[0] == "." and _is_abbreviation(text, boundary.start()):
            next_char = text[boundary.end() : boundary.end() + 1]
            # "the U.S. Navy" continues; "with the U.S. The talks" ends only if a new
            # sentence obviously starts, which we cannot tell: keep it together.
            if "\n" not in boundary.group(0) or not next_char:
                continue
        _append(sentences, text, start, boundary.end())
        start = boundary.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    begin = start + lead
    sentences.append(Sentence(len(sentences), begin, begin + len(stripped), stripped))
