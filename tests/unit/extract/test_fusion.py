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
