"""Event categories, one data file each: ``data/categories/<name>.yaml``.

A category file holds everything the rule engine knows of that category: its trigger
patterns, what they need beside them, which vaguer categories it overrides, its codes,
and its behaviour flags (``data/categories/README.md`` lists the keys). The code never
branches on a category's name; it asks the category's spec. Adding a category is one
new file (and its tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

# Keys a category file may have; anything else is a typo that would be silently ignored.
_KEYS = frozenset(
    {
        "order",
        "triggers",
        "enables",
        "needs",
        "removes",
        "codes",
        "military",
        "joins_partner",
        "named",
        "anaphora_kin",
        "needs_visitor",
        "dropped_beside",
        "becomes",
        "aims_are_not_events",
        "occasion",
        "halts",
        "distributive",
        "duration",
        "begun",
        "only_status",
        "instruments",
        "status_rules",
        "roles",
        "host_words",
        "buyer_words",
    }
)
_SCOPES = frozenset({"near", "clause", "sentence"})
_ROLE_STRATEGIES = frozenset({"visit", "transfer"})
_UPPERCASE_ESCAPE = re.compile(r"\\[A-Z]")
_ORDER_LINE = re.compile(r"^order:\s*(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class StatusRule:
    """A grammar status this category turns into another: ``from`` -> ``to`` [``when``]."""

    from_statuses: frozenset[str | None]
    to: str
    when: str | None = None  # a lexicon pattern that must match in the clause


@dataclass(frozen=True)
class CategorySpec:
    name: str
    order: int
    triggers: re.Pattern[str]
    needs: str | None  # name of a lexicon "needs" pattern
    removes: dict[str, str]  # vaguer category -> scope (near, clause, sentence)
    codes: dict[str, dict[str, str]]
    enables: bool = False
    military: bool = False
    joins_partner: bool = False
    named: bool = False
    anaphora_kin: frozenset[str] = frozenset()
    needs_visitor: re.Pattern[str] | None = None
    dropped_beside: dict[str, re.Pattern[str]] = field(default_factory=dict)
    becomes: tuple[str, str] | None = None  # (category, lexicon pattern name)
    aims_are_not_events: bool = False
    occasion: bool = False
    halts: bool = False
    # One event per listed partner: the words before the list, and (optionally) what a
    # trigger must say for the split to apply ("agreements", plural).
    distributive_before: re.Pattern[str] | None = None
    distributive_plural: re.Pattern[str] | None = None
    duration: re.Pattern[str] | None = None
    # Told as begun and not over ("the exercise commenced today", "warships arrived in
    # Havana on Wednesday"): under way at publication, within ``begun_days`` of its date.
    begun: re.Pattern[str] | None = None
    begun_unless: re.Pattern[str] | None = None
    begun_days: int = 0
    only_status: str | None = None  # the one status the category takes (dialogue: planned)
    # One event per instrument a clause names: each one ("a contract ... and another"),
    # or a count whose first group is a number word ("two agreements").
    instrument_each: re.Pattern[str] | None = None
    instrument_counted: re.Pattern[str] | None = None
    status_rules: tuple[StatusRule, ...] = ()
    roles: str | None = None
    host_words: re.Pattern[str] | None = None
    buyer_words: re.Pattern[str] | None = None


def compile_lower(patterns: list[str] | str, where: str) -> re.Pattern[str]:
    """One pattern (an alternation of several) for lower-cased text.

    Case-insensitive matching is markedly slower in Python's regex engine; the text is
    lower-cased once per document instead, so every data pattern must be lower case.
    """
    items = [patterns] if isinstance(patterns, str) else patterns
    for pattern in items:
        if _UPPERCASE_ESCAPE.search(pattern) or pattern != pattern.lower():
            raise ValueError(f"{where}: write patterns in lower case: {pattern}")
    return re.compile("|".join(f"(?:{p})" for p in items))


def _optional(data: dict[str, Any], key: str, where: str) -> re.Pattern[str] | None:
    value = data.get(key)
    return compile_lower(value, f"{where} {key}") if value else None


def _status_rules(data: dict[str, Any]) -> tuple[StatusRule, ...]:
    return tuple(
        StatusRule(frozenset(rule["from"]), rule["to"], rule.get("when"))
        for rule in data.get("status_rules") or ()
    )


def parse_category(name: str, data: dict[str, Any]) -> CategorySpec:
    where = f"categories/{name}.yaml"
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    removes = dict(data.get("removes") or {})
    if not set(removes.values()) <= _SCOPES:
        raise ValueError(f"{where}: removes scopes must be one of {sorted(_SCOPES)}")
    if data.get("roles") not in (None, *_ROLE_STRATEGIES):
        raise ValueError(f"{where}: roles must be one of {sorted(_ROLE_STRATEGIES)}")
    becomes = data.get("becomes")
    begun = data.get("begun") or {}
    return CategorySpec(
        name=name,
        order=int(data["order"]),
        triggers=compile_lower(data["triggers"], f"{where} triggers"),
        needs=data.get("needs"),
        removes=removes,
        codes=dict(data.get("codes") or {}),
        enables=bool(data.get("enables")),
        military=bool(data.get("military")),
        joins_partner=bool(data.get("joins_partner")),
        named=bool(data.get("named")),
        anaphora_kin=frozenset(data.get("anaphora_kin") or ()),
        needs_visitor=_optional(data, "needs_visitor", where),
        dropped_beside={
            other: compile_lower(p, f"{where} dropped_beside")
            for other, p in (data.get("dropped_beside") or {}).items()
        },
        becomes=(becomes["category"], becomes["when"]) if becomes else None,
        aims_are_not_events=bool(data.get("aims_are_not_events")),
        occasion=bool(data.get("occasion")),
        halts=bool(data.get("halts")),
        distributive_before=_optional(data.get("distributive") or {}, "before", where),
        distributive_plural=_optional(data.get("distributive") or {}, "plural", where),
        duration=_optional(data, "duration", where),
        begun=_optional(begun, "says", where),
        begun_unless=_optional(begun, "unless", where),
        begun_days=int(begun.get("days", 0)),
        only_status=_only_status(data, where),
        instrument_each=_optional(data.get("instruments") or {}, "each", where),
        instrument_counted=_optional(data.get("instruments") or {}, "counted", where),
        status_rules=_status_rules(data),
        roles=data.get("roles"),
        host_words=_optional(data, "host_words", where),
        buyer_words=_optional(data, "buyer_words", where),
    )


def _only_status(data: dict[str, Any], where: str) -> str | None:
    # Imported here: ``models`` reads the category names from this module at import.
    from defence_news.models import STATUSES

    status = data.get("only_status")
    if status is not None and status not in STATUSES:
        raise ValueError(f"{where}: only_status must be one of {sorted(STATUSES)}")
    return status


def category_folder() -> Traversable:
    """Where the category files are: the package's ``data/categories``."""
    return resources.files("defence_news.extract").joinpath("data", "categories")


def _category_files() -> list[Traversable]:
    files = (f for f in category_folder().iterdir() if f.name.endswith(".yaml"))
    return sorted(files, key=lambda f: f.name)


@lru_cache(maxsize=1)
def category_names() -> tuple[str, ...]:
    """Category names in their reporting order, read cheaply (no YAML parse): the
    models and the UI need the names at import time."""
    ordered = []
    for path in _category_files():
        match = _ORDER_LINE.search(path.read_text("utf-8"))
        if match is None:
            raise ValueError(f"categories/{path.name}: no 'order:' line")
        ordered.append((int(match.group(1)), path.name.removesuffix(".yaml")))
    return tuple(name for _, name in sorted(ordered))


@lru_cache(maxsize=1)
def load_categories() -> dict[str, CategorySpec]:
    """Every category spec, in reporting order (the order triggers are looked for)."""
    specs = [
        parse_category(path.name.removesuffix(".yaml"), yaml.safe_load(path.read_text("utf-8")))
        for path in _category_files()
    ]
    specs.sort(key=lambda spec: spec.order)
    by_name = {spec.name: spec for spec in specs}
    for spec in specs:
        referenced = set(spec.removes) | spec.anaphora_kin | set(spec.dropped_beside)
        if spec.becomes:
            referenced.add(spec.becomes[0])
        if not referenced <= set(by_name):
            raise ValueError(f"categories/{spec.name}.yaml: unknown categories {referenced}")
    return by_name
