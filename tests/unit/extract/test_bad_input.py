"""Bad input gives an empty result and a reason, never an exception."""

from __future__ import annotations

from datetime import date

import pytest

from defence_news.extract import extract_events, extract_from_text
from defence_news.extract.core import MAX_TEXT_CHARS
from defence_news.models import Article

COOPERATION = (
    "Indonesia and Australia signed a defence cooperation agreement in Canberra on Monday. "
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty_text"),
        ("   \n\t  ", "empty_text"),
        ("!!! ??? ... --- 12 34", "no_sentences"),
        ("Defence. News.", "no_sentences"),
        (
            "Le ministre de la Défense a signé un accord de coopération militaire avec son "
            "homologue australien lors de sa visite à Canberra, selon un communiqué officiel.",
            "not_english",
        ),
        (
            "柬埔寨陆军司令与俄罗斯陆军司令宣布将签署谅解备忘录，以加强两国军队之间的合作关系。",
            "not_english",
        ),
        (
            "The committee met on Tuesday and agreed to hold joint exercises with the regional "
            "fire brigades next month, the mayor said.",
            "no_countries",
        ),
        (
            "India's economy grew by seven per cent last year, the statistics office in New Delhi "
            "said on Friday, beating forecasts.",
            "no_cooperation",
        ),
    ],
)
def test_reason_for_unusable_text(text: str, reason: str) -> None:
    result = extract_from_text(text, doc_id="bad", published=date(2024, 6, 18))
    assert result.events == []
    assert result.reason == reason


def test_one_megabyte_is_refused_quickly() -> None:
    text = COOPERATION * (1_000_000 // len(COOPERATION) + 1)
    assert len(text) > MAX_TEXT_CHARS
    result = extract_from_text(text, doc_id="huge")
    assert (result.events, result.reason) == ([], "too_long")


def test_long_but_acceptable_article_still_works() -> None:
    filler = "The weather in the region was mild and the markets were calm. " * 200
    result = extract_from_text(filler + COOPERATION, doc_id="long", published="2024-03-12")
    assert [(e.category, set(e.countries)) for e in result.events] == [
        ("agreement", {"AUS", "IDN"})
    ]


@pytest.mark.parametrize("published", [None, "not a date", "2024-13-45", "2024-03-12T08:00:00Z"])
def test_missing_or_broken_publication_date_is_tolerated(published: str | None) -> None:
    result = extract_from_text(COOPERATION, doc_id="d", published=published)
    assert [e.category for e in result.events] == ["agreement"]


def test_relative_dates_need_a_publication_date() -> None:
    result = extract_from_text(COOPERATION, doc_id="d", published=None)
    assert result.events[0].when.start is None  # "on Monday" of which week? unknown


def test_text_of_symbols_and_control_characters() -> None:
    for text in ("\x00\x01\x02" * 50, "\ufeff" + "-" * 500, "<<<>>>" * 100):
        result = extract_from_text(text, doc_id="junk")
        assert result.events == [] and result.reason


def test_article_with_empty_body() -> None:
    article = Article(article_id="a", url="https://x.test/a", source_id="x", title="t", body="")
    assert extract_events(article).reason == "empty_text"


def test_non_string_text_is_reported_not_raised() -> None:
    result = extract_from_text(None, doc_id="none")  # type: ignore[arg-type]
    assert (result.events, result.reason) == ([], "empty_text")


def test_a_lone_surrogate_in_the_document_id_does_not_raise() -> None:
    result = extract_from_text(
        "Indian and French navies began the Varuna joint exercise off Goa on Monday.",
        doc_id="doc-\ud800",
        published="2024-06-18",
    )
    assert [e.category for e in result.events] == ["exercise"]


def test_a_visit_lasting_past_the_end_of_the_calendar_does_not_raise() -> None:
    result = extract_from_text(
        "The French defence minister arrived in New Delhi today on a three-day visit to "
        "India for talks with his Indian counterpart.",
        doc_id="edge",
        published="9999-12-31",
    )
    assert [e.category for e in result.events] == ["visit"]
