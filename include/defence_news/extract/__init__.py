"""Cooperation-event extraction: Article -> [Event], and fusion of events across articles.

Transparent rules over gazetteers and word lists kept in ``data/`` (one file per event
category, ``data/categories/``); see DESIGN.md ("The event record") for the fields.
The names below are imported on first use, so that ``defence_news.models`` can read the
category names from ``extract.categories`` without loading the whole extractor.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "EXTRACTOR_NAME": "defence_news.extract.core",
    "EXTRACTOR_VERSION": "defence_news.extract.core",
    "ExtractionResult": "defence_news.extract.core",
    "current_extractor": "defence_news.extract.core",
    "extract_events": "defence_news.extract.core",
    "extract_from_text": "defence_news.extract.core",
    "FusedEvent": "defence_news.extract.fusion",
    "fuse_events": "defence_news.extract.fusion",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
