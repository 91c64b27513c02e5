"""Fusion groups reports of the same happening from several articles."""

from __future__ import annotations

from defence_news.extract import extract_from_text, fuse_events
from defence_news.models import ArticleRef, Event


def _events(doc_id: str, text: str, published: str) -> list[Event]:
    ref = ArticleRef(
        article_id=doc_id,
        url=f"https://news.test/{doc_id}",
        source_id=doc_id.split("-")[0],
        published_at=published,
    )
    return extract_from_text(text, doc_id=doc_id, published=published, article=ref).events


def test_two_outlets_reporting_one_exercise_fuse_into_one() -> None:
    first = _events(
        "alpha-1",
        "Indian and French naval ships conducted the Varuna exercise off Goa from March 4 to "
        "March 9, the Indian Navy said.",
        "2024-03-10",
    )
    second = _events(
        "beta-7",
        "France and India wrapped up their Varuna naval drills on March 9 after six days of "
        "air defence serials.",
        "2024-03-11",
    )
    fused = fuse_events(first + second)
    assert len(fused) == 1
    only = fused[0]
    assert (only.category, only.countries) == ("exercise", ("FRA", "IND"))
    assert set(only.article_ids) == {"alpha-1", "beta-7"}
    assert len(only.evidence) == 2
    assert {e.url for e in only.evidence} == {
        "https://news.test/alpha-1",
        "https://news.test/beta-7",
    }
    assert only.confidence > max(e.confidence for e in first + second)


def test_same_pair_but_different_dates_stay_apart() -> None:
    march = _events(
        "alpha-1", "Japan and Australia held joint air drills in March 2024.", "2024-04-02"
    )
    october = _events(
        "alpha-2", "Japan and Australia held joint air drills in October 2024.", "2024-11-02"
    )
    assert len(fuse_events(march + october)) == 2


def test_different_categories_stay_apart() -> None:
    events = _events(
        "alpha-3",
        "Indonesia and Australia signed a defence cooperation agreement on June 3. "
        "Indonesia and Australia held joint naval drills on June 3.",
        "2024-06-04",
    )
    fused = fuse_events(events)
    assert sorted(f.category for f in fused) == ["agreement", "exercise"]


def test_status_follows_the_latest_report() -> None:
    planned = _events(
        "alpha-4", "Poland will buy 96 Apache helicopters from the United States.", "2024-05-06"
    )
    done = _events(
        "beta-4",
        "Poland bought 96 Apache helicopters from the United States this week.",
        "2024-05-10",
    )
    fused = fuse_events(planned + done)
    assert len(fused) == 1
    assert fused[0].status == "occurred"
    assert fused[0].cameo_code == "062"  # codes follow the fused status, not the first report
    assert fused[0].to_dict()["article_ids"] == ["alpha-4", "beta-4"]


def test_fusion_is_stable() -> None:
    events = _events(
        "alpha-5",
        "South Korea and the United States kicked off their Ulchi Freedom Shield exercise on "
        "Monday.",
        "2024-08-20",
    )
    assert [f.to_dict() for f in fuse_events(events)] == [
        f.to_dict() for f in fuse_events(list(reversed(events)))
    ]
    assert fuse_events([]) == []


def _same_happening(a: Event, b: Event) -> bool:
    """The rule fusion implements, pair by pair: the reference for the sweeps."""
    from defence_news.extract.fusion import UNDATED_WINDOW, _published, _span

    span_a, span_b = _span(a), _span(b)
    if span_a and span_b:
        return span_a[0] <= span_b[1] and span_b[0] <= span_a[1]
    pub_a, pub_b = _published(a), _published(b)
    if pub_a is None or pub_b is None:
        return pub_a is None and pub_b is None and span_a is None and span_b is None
    return abs(pub_a - pub_b) <= UNDATED_WINDOW


def _reference_groups(events: list[Event]) -> set[frozenset[str]]:
    parent = {e.event_id: e.event_id for e in events}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            bucket_a = (a.category, frozenset(a.countries))
            if bucket_a == (b.category, frozenset(b.countries)) and _same_happening(a, b):
                parent[root(a.event_id)] = root(b.event_id)
    groups: dict[str, set[str]] = {}
    for e in events:
        groups.setdefault(root(e.event_id), set()).add(e.event_id)
    return {frozenset(g) for g in groups.values()}


def test_the_sweeps_group_exactly_as_the_pairwise_rule_does() -> None:
    import dataclasses
    import random
    from datetime import date, timedelta

    from defence_news.models import When

    (base,) = _events(
        "alpha-9", "Japan and Australia held joint air drills in March 2024.", "2024-04-02"
    )
    rng = random.Random(20261201)
    for _round in range(30):
        events = []
        for n in range(rng.randint(2, 40)):
            day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 90))
            when = When()
            if rng.random() < 0.6:
                end = day + timedelta(days=rng.choice([0, 0, 1, 5, 20]))
                when = When(day.isoformat(), rng.choice([end.isoformat(), None]), "day")
            published = rng.choice([None, (day + timedelta(days=rng.randint(0, 30))).isoformat()])
            events.append(
                dataclasses.replace(
                    base,
                    event_id=f"e{n}",
                    category=rng.choice(["exercise", "visit"]),
                    when=when,
                    article=dataclasses.replace(base.article, published_at=published),
                )
            )
        fused = {frozenset(f.event_ids) for f in fuse_events(events)}
        assert fused == _reference_groups(events)
