"""The event grammar's word lists, compiled once from ``data/rules.yaml`` and ``codes.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

STRONG_STATUSES = ("cancelled", "suspended", "negated")
WEAK_STATUSES = ("planned", "ongoing", "occurred")


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, re.Pattern[str]]
    needs: dict[str, re.Pattern[str] | None]
    specificity: dict[str, dict[str, str]]  # stronger -> {weaker: scope}
    enabling: re.Pattern[str]
    visited_place: re.Pattern[str]
    dialogue_mechanism: re.Pattern[str]
    novelty: re.Pattern[str]
    contract_signed: re.Pattern[str]
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
    codes: dict[str, Any]


def _read_yaml(name: str) -> dict[str, Any]:
    text = resources.files("defence_news.extract").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


_UPPERCASE_ESCAPE = re.compile(r"\\[A-Z]")


def _union(patterns: list[str]) -> re.Pattern[str]:
    """One lower-case pattern, matched against lower-cased text.

    Case-insensitive matching is markedly slower in Python's regex engine; the
    text is lower-cased once per document instead (``lower_same_length``).
    """
    parts = []
    for pattern in patterns:
        if _UPPERCASE_ESCAPE.search(pattern):
            raise ValueError(f"rules.yaml: use lower-case escapes only: {pattern}")
        parts.append("(?:" + pattern.lower() + ")")
    return re.compile("|".join(parts))


def word_start(lowered: str, start: int) -> bool:
    """No letter, digit or hyphen just before a match: the "led" of "US-led" is no verb."""
    return start == 0 or not (lowered[start - 1].isalnum() or lowered[start - 1] in "_-")


def lower_same_length(text: str) -> str:
    """Lower-cased text whose offsets are those of ``text`` (a few characters grow)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    data = _read_yaml("rules.yaml")
    needs_lists = {name: _union([p]) for name, p in data["needs"].items()}
    triggers = {cat: _union(spec["patterns"]) for cat, spec in data["triggers"].items()}
    needs = {
        cat: needs_lists[spec["needs"]] if spec.get("needs") else None
        for cat, spec in data["triggers"].items()
    }
    cues = tuple((status, _union(patterns)) for status, patterns in data["status_cues"].items())
    return Rules(
        triggers=triggers,
        needs=needs,
        specificity={cat: dict(v) for cat, v in data["specificity"].items()},
        enabling=_union([data["enabling"]]),
        visited_place=_union([data["visited_place"]]),
        dialogue_mechanism=_union([data["dialogue_mechanism"]]),
        novelty=re.compile(data["novelty"], re.IGNORECASE),
        contract_signed=_union([data["contract_signed"]]),
        status_cues=cues,
        speculation=re.compile(data["speculation"], re.IGNORECASE),
        opinion=re.compile(data["opinion"], re.IGNORECASE),
        context_only=re.compile(data["context_only"], re.IGNORECASE),
        context_after=re.compile(data["context_after"], re.IGNORECASE),
        event_anaphora=re.compile(data["event_anaphora"], re.IGNORECASE),
        history_cues=re.compile(data["history_cues"]),
        history_years=int(data["history_years"]),
        passive_strong=_union([data["passive_strong"]]),
        backstory=_union([data["backstory"]]),
        backstory_lead=_union([data["backstory_lead"]]),
        defence_anchor=_union([data["defence_anchor"], data["needs"]["equipment"]]),
        civil_words=tuple(data["civil_words"]),
        civil_sense=re.compile(r"\b(?:" + "|".join(map(re.escape, data["civil_words"])) + ")"),
        codes=_read_yaml("codes.yaml"),
    )


def event_codes(category: str, status: str) -> tuple[str | None, str | None, int | None]:
    """CAMEO code, PLOVER type and quad class for a category in a status."""
    codes = load_rules().codes
    entry = codes.get("status", {}).get(status) or codes.get(category, {}).get(status)
    entry = entry or codes.get(category, {}).get("default")
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
