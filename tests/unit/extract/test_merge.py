"""One event per happening (``extract/merge.py``)."""

from __future__ import annotations

from defence_news.extract import extract_from_text

AGREED_AND_HELD = """Tajikistan and China agree to hold joint counter-terrorism exercises

Tajikistan and China have agreed to conduct joint counter-terrorism military exercises at \
least once every two years, the Interior Ministry said on Monday.

In October 2016, Tajikistan and China conducted joint military exercises in the \
Gorno-Badakhshan region."""


def test_a_headline_in_its_own_tense_does_not_absorb_a_dated_past_occasion() -> None:
    events = extract_from_text(
        AGREED_AND_HELD, doc_id="t", published="2017-03-06", mode="learned"
    ).events
    exercises = sorted(
        (e.status, e.when.text if e.when else None) for e in events if e.category == "exercise"
    )
    assert exercises == [("occurred", "October 2016"), ("planned", None)]
