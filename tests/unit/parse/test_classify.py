"""Pages that are not articles are recognised and say why."""

from __future__ import annotations

import pytest

from defence_news.parse import parse_article
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page, read_fixture

BASE = "https://pacific-ledger.test"


def reason_for(html: str, url: str, **kwargs) -> str | None:
    return parse_article(html, url, source_id="pacific", **kwargs).reason


@pytest.mark.parametrize(
    ("fixture", "path", "reason"),
    [
        ("index_page.html", "/defence/", "not_article:index_page"),
        ("tag_page.html", "/tag/submarines/", "not_article:tag_page"),
        ("video_page.html", "/media/2024/06/08/patrol-vessel-launch", "not_article:video_page"),
        ("paywall_page.html", "/analysis/frigate-talks", "not_article:paywall"),
        ("french_article.html", "/monde/accord-naval", "not_article:language:fr"),
    ],
)
def test_non_article_pages_get_their_reason(fixture, path, reason):
    result = parse_article(read_fixture(fixture), BASE + path, source_id="pacific")
    assert result.article is None
    assert result.reason == reason
    assert result.detail  # says what the decision was based on


def test_home_page_is_an_index_page():
    html = read_fixture("index_page.html")
    assert reason_for(html, BASE + "/") == "not_article:index_page"


def test_index_page_recognised_by_its_teasers_alone():
    # a listing at an article-like URL: the repeated teaser blocks give it away
    html = read_fixture("index_page.html")
    assert reason_for(html, BASE + "/defence-and-security") == "not_article:index_page"


def test_short_page_is_too_short():
    html = make_page(paragraphs=STORY_PARAGRAPHS[:1])
    assert reason_for(html, BASE + "/news/brief") == "not_article:too_short"


def test_french_is_accepted_when_the_source_processes_french():
    result = parse_article(
        read_fixture("french_article.html"),
        BASE + "/monde/accord-naval",
        source_id="gazette",
        languages=("en", "fr"),
    )
    assert result.reason is None
    assert result.article.language == "fr"


def test_article_under_a_tag_like_path_is_still_an_article_when_it_says_so():
    head = '<meta property="og:type" content="article">'
    result = parse_article(
        make_page(head=head), BASE + "/topics/navy/chile-peru-patrols", source_id="p"
    )
    assert result.reason is None


def test_free_article_is_not_a_paywall_stub():
    html = make_page(after='<div class="paywall-promo">Support our journalism</div>')
    assert reason_for(html, BASE + "/news/chile-peru-patrols") is None


def test_article_with_an_embedded_video_is_an_article():
    head = '<meta property="og:type" content="video.other">'
    html = make_page(head=head, before='<video src="/m.mp4"></video>')
    assert reason_for(html, BASE + "/news/chile-peru-patrols") is None


def test_min_words_rule_lets_a_site_publish_short_briefs():
    html = make_page(paragraphs=STORY_PARAGRAPHS[:1])
    assert reason_for(html, BASE + "/news/brief") == "not_article:too_short"
    assert reason_for(html, BASE + "/news/brief", rules={"min_words": 20}) is None


def test_long_article_with_a_related_stories_grid_is_an_article():
    # no article metadata at all, and six headline links under the story
    related = "".join(
        f'<div class="card"><h3><a href="/news/{n}">Another story number {n} about navies</a>'
        "</h3></div>"
        for n in range(6)
    )
    long_story = STORY_PARAGRAPHS * 4  # ~530 words
    html = make_page(paragraphs=long_story).replace(
        "</main>", f"<section>{related}</section></main>"
    )
    assert reason_for(html, BASE + "/news/chile-peru-patrols") is None
    # a short story too: the grid's headlines are not in its text (issue 12: a
    # regional story under a "more from the region" box was taken for a list)
    short = make_page().replace("</main>", f"<section>{related}</section></main>")
    assert reason_for(short, BASE + "/news/chile-peru-patrols") is None


def test_page_of_teasers_without_a_story_is_an_index_page():
    teasers = "".join(
        f'<div class="card"><h3><a href="/news/{n}">Navy story number {n} of the week</a></h3>'
        f"<p>{paragraph}</p></div>"
        for n, paragraph in enumerate(STORY_PARAGRAPHS + STORY_PARAGRAPHS[:2])
    )
    html = make_page(paragraphs=()).replace("</main>", f"<section>{teasers}</section></main>")
    assert reason_for(html, BASE + "/news/latest") == "not_article:index_page"


def test_story_addressed_by_query_on_the_root_path_is_an_article():
    head = '<meta property="og:type" content="article">'
    assert reason_for(make_page(head=head), BASE + "/?p=4312") is None


def test_length_of_unspaced_scripts_is_counted_by_characters():
    from defence_news.parse.classify import reading_words

    assert reading_words("two navies") == 2
    assert reading_words("海军" * 50) == 50  # 100 characters, no spaces
    assert reading_words("INS Vikrant 海军演习") == 4


def test_short_regional_story_beside_a_box_of_headlines_is_an_article():
    result = parse_article(
        read_fixture("german_regional_article.html"),
        "https://kreisbote-nordheide.test/lokales/bundeswehr-uebt-mit-feuerwehr-am-hafen",
        source_id="kreisbote",
        languages=("de",),
    )
    assert result.reason is None, result.detail
    assert result.article.language == "de"
    assert result.article.title == "Bundeswehr übt mit Feuerwehr am Hafen"
