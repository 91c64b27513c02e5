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


def _pairwise_reference(articles, known=()):
    """The rule as first written: each article against every earlier one, in order."""
    from defence_news.parse.fingerprint import _first_sighting_order, _root, are_near_duplicates

    seen, linked = list(known), list(articles)
    for index in _first_sighting_order(articles):
        current = articles[index]
        original = next(
            (
                e
                for e in seen
                if e.article_id != current.article_id and are_near_duplicates(e, current)
            ),
            None,
        )
        if original is not None and _root(original) != current.article_id:
            current = dataclasses.replace(current, duplicate_of=_root(original))
        linked[index] = current
        seen.append(current)
    return linked


def test_the_vectorised_search_decides_exactly_as_the_pairwise_rule() -> None:
    import random

    rng = random.Random(11)
    words = [f"w{n}" for n in range(400)]
    stories = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(12)]
    articles = []
    for n in range(150):
        body = rng.choice(stories)
        if rng.random() < 0.5:  # an edited copy: a few words changed, a line added
            tokens = body.split()
            for _ in range(rng.randint(1, 40)):
                tokens[rng.randrange(len(tokens))] = rng.choice(words)
            body = " ".join(tokens) + (" credit line" if rng.random() < 0.5 else "")
        url = f"https://s{n % 7}.example/{n}"
        articles.append(
            Article(
                article_id=Article.make_id(url) if n % 13 else "same-id",
                url=url,
                source_id=f"s{n % 7}",
                title=str(n),
                body=body,
                content_hash=content_hash(body),
                simhash=simhash(body) if n % 17 else "",
            )
        )
    known, batch = articles[:30], articles[30:]
    assert link_near_duplicates(batch, known) == _pairwise_reference(batch, known)
    assert any(a.duplicate_of for a in link_near_duplicates(batch, known))
