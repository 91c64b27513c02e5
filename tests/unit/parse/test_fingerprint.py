"""Near-duplicate detection: wire copies are linked, different stories are not."""

from __future__ import annotations

import dataclasses

from defence_news.models import Article
from defence_news.parse import link_near_duplicates, parse_article
from defence_news.parse.fingerprint import content_hash, hamming_distance, simhash
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page

OTHER_STORY = (
    "Argentina's air force has taken delivery of a second long-range radar, built by a "
    "state-owned company, that will watch the northern border from a site near Salta.",
    "The radar joins a first unit installed last year and will feed a new air surveillance "
    "centre that is due to open in Córdoba before the end of the year.",
    "Officials said the two radars would help detect small aircraft that cross the border "
    "at low altitude, a problem that has grown over the past decade.",
    "The contract for a third radar is expected to be signed in the coming months, subject "
    "to funding in next year's defence budget, the ministry said.",
)


def article(url: str, paragraphs, source: str) -> Article:
    result = parse_article(make_page(paragraphs=paragraphs), url, source_id=source)
    assert result.article is not None, result.reason
    return result.article


def test_syndicated_copy_with_edits_is_near_duplicate():
    original = " ".join(STORY_PARAGRAPHS)
    edited = (
        original.replace("on Tuesday", "on Tuesday, June 11") + " (Additional reporting by AP.)"
    )
    assert hamming_distance(simhash(original), simhash(edited)) <= 6
    assert hamming_distance(simhash(original), simhash(" ".join(OTHER_STORY))) > 6


def test_simhash_is_stable_hex():
    value = simhash("The navies of Chile and Peru resumed joint patrols.")
    assert len(value) == 16 and int(value, 16) >= 0
    assert value == simhash("The navies of Chile and Peru resumed joint patrols.")
    assert simhash("") == ""
    assert content_hash("x") == content_hash("x") != content_hash("y")


def test_link_near_duplicates_across_sources_and_runs():
    first = article("https://a.test/news/patrols", STORY_PARAGRAPHS, "a")
    wire_copy = list(STORY_PARAGRAPHS)
    wire_copy[0] = wire_copy[0].replace("on Tuesday", "on Tuesday in Arica")
    wire_copy.append("This story was provided by a news agency partner.")
    second = article("https://b.test/world/patrols", wire_copy, "b")
    unrelated = article("https://b.test/world/radar", OTHER_STORY + STORY_PARAGRAPHS[-1:], "b")
    third = article("https://c.test/patrols", STORY_PARAGRAPHS, "c")

    linked = link_near_duplicates([second, unrelated, third], known=[first])
    assert [a.duplicate_of for a in linked] == [first.article_id, None, first.article_id]
    assert [a.article_id for a in linked] == [
        second.article_id,
        unrelated.article_id,
        third.article_id,
    ]

    # without the earlier run, the first article in the batch is the original
    linked = link_near_duplicates([second, unrelated, third])
    assert [a.duplicate_of for a in linked] == [None, None, second.article_id]


def test_an_article_is_never_its_own_duplicate():
    first = article("https://a.test/news/patrols", STORY_PARAGRAPHS, "a")
    assert link_near_duplicates([first], known=[first])[0].duplicate_of is None


def test_within_a_batch_the_earliest_published_copy_is_the_original():
    from datetime import UTC, datetime

    late = dataclasses.replace(
        article("https://a.test/news/patrols", STORY_PARAGRAPHS, "a"),
        published_at=datetime(2024, 6, 11, 15, 0, tzinfo=UTC),
    )
    early = dataclasses.replace(
        article("https://b.test/world/patrols", STORY_PARAGRAPHS, "b"),
        published_at=datetime(2024, 6, 11, 9, 0, tzinfo=UTC),
    )
    linked = link_near_duplicates([late, early])
    assert [a.article_id for a in linked] == [late.article_id, early.article_id]
    assert [a.duplicate_of for a in linked] == [early.article_id, None]
