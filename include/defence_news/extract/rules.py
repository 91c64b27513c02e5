"""The event grammar's word lists: the shared lexicon and the category files, compiled once.

One matching regime: every data pattern (``data/lexicon.yaml``,
``data/categories/*.yaml``) is matched on the document lower-cased once
(``lower_same_length``, same offsets). Only the name-shape patterns in code, where a
capital letter is the signal (an exercise's name, a clause opening on a capitalised
subject), look at the original case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defence_news.extract.categories import CategorySpec, compile_lower, load_categories

STRONG_STATUSES = ("cancelled", "suspended", "negated")
WEAK_STATUSES = ("planned", "ongoing", "occurred")


@dataclass(frozen=True)
class Rules:
    categories: dict[str, CategorySpec]
    needs: dict[str, re.Pattern[str]]  # named lists a category may need
    patterns: dict[str, re.Pattern[str]]  # named lexicon patterns ("contract_signed"...)
    enabling: re.Pattern[str]
    visited_place: re.Pattern[str]
    novelty: re.Pattern[str]
    status_cues: tuple[tuple[str, re.Pattern[str]], ...]
    speculation: re.Pattern[str]
    opinion: re.Pattern[str]
    context_only: re.Pattern[str]
    context_after: re.Pattern[str]
    event_anaphora: re.Pattern[str]
    history_cues: re.Pattern[str]
    history_years: int
    passive_strong: re.Pattern[str]
    backstory: re.Pattern[str]
    backstory_lead: re.Pattern[str]
    defence_anchor: re.Pattern[str]
    civil_words: tuple[str, ...]
    civil_sense: re.Pattern[str]
    status_codes: dict[str, dict[str, str]]

    def need(self, category: CategorySpec) -> re.Pattern[str] | None:
        return self.needs[category.needs] if category.needs else None


def _read_lexicon() -> dict[str, Any]:
    path = resources.files("defence_news.extract").joinpath("data", "lexicon.yaml")
    return yaml.safe_load(path.read_text("utf-8"))


def lower_same_length(text: str) -> str:
    """Lower-cased text whose offsets are those of ``text`` (a few characters grow)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# Lexicon entries referred to by name from category files ("when: contract_signed").
_NAMED_PATTERNS = ("contract_signed", "dialogue_mechanism")


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    data = _read_lexicon()
    categories = load_categories()

    def lower(key: str) -> re.Pattern[str]:
        return compile_lower(data[key], f"lexicon.yaml {key}")

    needs = {
        name: compile_lower(p, f"lexicon.yaml needs {name}") for name, p in data["needs"].items()
    }
    for spec in categories.values():
        if spec.needs and spec.needs not in needs:
            raise ValueError(f"categories/{spec.name}.yaml: unknown needs {spec.needs!r}")
    cues = tuple(
        (status, compile_lower(patterns, f"lexicon.yaml status_cues {status}"))
        for status, patterns in data["status_cues"].items()
    )
    return Rules(
        categories=categories,
        needs=needs,
        patterns={name: lower(name) for name in _NAMED_PATTERNS},
        enabling=lower("enabling"),
        visited_place=lower("visited_place"),
        novelty=lower("novelty"),
        status_cues=cues,
        speculation=lower("speculation"),
        opinion=lower("opinion"),
        context_only=lower("context_only"),
        context_after=lower("context_after"),
        event_anaphora=lower("event_anaphora"),
        history_cues=lower("history_cues"),
        history_years=int(data["history_years"]),
        passive_strong=lower("passive_strong"),
        backstory=lower("backstory"),
        backstory_lead=lower("backstory_lead"),
        defence_anchor=compile_lower(
            [data["defence_anchor"], data["needs"]["equipment"]], "lexicon.yaml defence_anchor"
        ),
        civil_words=tuple(data["civil_words"]),
        civil_sense=re.compile(r"\b(?:" + "|".join(map(re.escape, data["civil_words"])) + ")"),
        status_codes=dict(data["status_codes"]),
    )


def event_codes(category: str, status: str) -> tuple[str | None, str | None, int | None]:
    """CAMEO code, PLOVER type and quad class for a category in a status."""
    rules = load_rules()
    spec = rules.categories.get(category)
    own = spec.codes if spec else {}
    entry = rules.status_codes.get(status) or own.get(status) or own.get("default")
    if not entry:
        return None, None, None
    cameo = str(entry["cameo"])
    return cameo, entry["plover"], quad_class(cameo)


def quad_class(cameo: str) -> int:
    root = int(cameo[:2])
    if root <= 5:
        return 1
    if root <= 9:
        return 2
    if root <= 14:
        return 3
    return 4
