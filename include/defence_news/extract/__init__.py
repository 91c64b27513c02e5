"""Cooperation-event extraction: Article -> [Event], and fusion of events across articles.

Transparent rules over gazetteers and word lists kept in ``data/``; see DESIGN.md
("The event record") for the fields.
"""

from defence_news.extract.core import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    ExtractionResult,
    extract_events,
    extract_from_text,
)
from defence_news.extract.fusion import FusedEvent, fuse_events

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "ExtractionResult",
    "FusedEvent",
    "extract_events",
    "extract_from_text",
    "fuse_events",
]
