"""Body extraction: clean paragraphs, news boilerplate removed, site rules honoured."""

from __future__ import annotations

import pytest

from defence_news.parse import extract_body, parse_article
from defence_news.parse.boilerplate import is_boilerplate_line
from defence_news.parse.selectors import SelectorError, css_to_xpath
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page, read_fixture

URL = "https://pacific-ledger.test/news/chile-peru-patrols"


def test_body_is_the_paragraphs_in_order_separated_by_blank_lines():
    body = extract_body(make_page(), URL)
    assert body.split("\n\n")[-len(STORY_PARAGRAPHS) :] == list(STORY_PARAGRAPHS)


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Peru orders two patrol ships",
        "READ ALSO: Chile's submarine refit begins",
        "Read more - Peru orders two patrol ships",
        "Also read",
        "Related stories",
        "Share this article",
        "Sign up for our free defence newsletter",
        "Subscribe to our daily briefing",
        "Follow us on Twitter and LinkedIn",
        "Photo: Chilean Navy",
        "(Photo by Luis Vega / Pacific Ledger)",
        "© 2024 Pacific Ledger",
        "Advertisement",
        "Reporting by Ana Rojas; Editing by Luis Vega",
        "You may also like",
    ],
)
def test_news_boilerplate_lines(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        STORY_PARAGRAPHS[0],
        "Photographs taken by a patrol aircraft showed the fishing fleet spread across the "
        "edge of the exclusive economic zone, officials said.",
        "Read the full statement, the minister told reporters, and you will see that nothing "
        "in it commits either navy to a permanent presence in the area.",
        "Share prices of the shipyard rose 4% after the announcement.",
        "Related-party deals at the shipyard rose 4% last year.",
        "More than 300 sailors took part in the exercise.",
    ],
)
def test_reporting_is_never_boilerplate(line):
    assert not is_boilerplate_line(line)


def test_boilerplate_inside_the_article_is_removed():
    paragraphs = list(STORY_PARAGRAPHS)
    paragraphs[2:2] = ["Read more: Peru orders two patrol ships", "Photo: Chilean Navy"]
    paragraphs.append("Sign up for our defence newsletter")
    body = extract_body(make_page(paragraphs=paragraphs), URL)
    assert body.split("\n\n")[-len(STORY_PARAGRAPHS) :] == list(STORY_PARAGRAPHS)
    assert "Read more" not in body and "newsletter" not in body


def _parse(html, rules):
    result = parse_article(html, URL, source_id="pacific", rules=rules)
    assert result.reason is None, result.reason
    return result.article.body


def test_site_rule_drop_selectors():
    box = (
        '<div class="promo-box"><p>The defence ministers of Bolivia and Paraguay will meet in '
        "Asunción next month to discuss border security and river patrols.</p></div>"
    )
    fourth = f"<p>{STORY_PARAGRAPHS[3]}</p>"
    html = make_page().replace(fourth, box + fourth)
    assert "Asunción" in _parse(html, {})
    body = _parse(html, {"drop_selectors": ["div.promo-box", "aside"]})
    assert "Asunción" not in body
    assert body.split("\n\n") == list(STORY_PARAGRAPHS)


def test_site_rule_body_selector_narrows_to_the_container():
    before = '<p class="kicker">Exclusive interview inside: the admiral speaks about budgets.</p>'
    html = make_page(before=before)
    body = _parse(html, {"body_selector": "div.article-body"})
    assert body.split("\n\n") == list(STORY_PARAGRAPHS)


def test_body_selector_that_matches_nothing_is_ignored():
    body = _parse(make_page(), {"body_selector": "#no-such-container"})
    assert body.split("\n\n")[-1] == STORY_PARAGRAPHS[-1]


def test_site_rule_drop_line_patterns():
    paragraphs = [*STORY_PARAGRAPHS, "Pacific Ledger is on Telegram: join our channel"]
    html = make_page(paragraphs=paragraphs)
    assert "Telegram" in _parse(html, {})
    assert "Telegram" not in _parse(html, {"drop_line_patterns": [r"^Pacific Ledger is on"]})


def test_invalid_rules_never_stop_the_run():
    rules = {"body_selector": "div::weird(", "drop_selectors": ["]]"], "drop_line_patterns": ["("]}
    assert _parse(make_page(), rules).split("\n\n")[-1] == STORY_PARAGRAPHS[-1]


def test_title_is_not_repeated_as_the_first_paragraph():
    body = _parse(make_page(), {})
    assert not body.startswith("Chile and Peru resume joint naval patrols")
    assert body.startswith(STORY_PARAGRAPHS[0])


@pytest.mark.parametrize(
    ("css", "xpath"),
    [
        (
            "div.article-body",
            ".//div[contains(concat(' ', normalize-space(@class), ' '), ' article-body ')]",
        ),
        ("#story > p", ".//*[@id='story']/p"),
        ("aside, div[data-ad]", ".//aside | .//div[@data-ad]"),
        ("[class*=related]", ".//*[contains(@class, 'related')]"),
    ],
)
def test_css_subset(css, xpath):
    assert css_to_xpath(css) == xpath


def test_css_outside_the_subset_is_refused():
    with pytest.raises(SelectorError):
        css_to_xpath("div:nth-child(2)")


def _chunked_page(paragraph_groups) -> str:
    """A template that cuts the story into same-class chunks, each beside an ad rail."""
    chunks = "".join(
        '<div class="grid"><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in group)
        + '</div><div class="rail"><div class="ad">Advertisement</div></div></div>'
        for group in paragraph_groups
    )
    return (
        "<html><head><title>Chile and Peru resume joint naval patrols</title></head><body>"
        "<main><article><h1>Chile and Peru resume joint naval patrols</h1>"
        f'<div class="chunks">{chunks}</div></article></main></body></html>'
    )


def test_article_split_across_same_class_containers_is_read_whole():
    # trafilatura alone keeps only the first chunk of such a page
    html = _chunked_page([STORY_PARAGRAPHS[:3], STORY_PARAGRAPHS[3:]])
    assert extract_body(html, URL).split("\n\n") == list(STORY_PARAGRAPHS)


def test_container_before_the_article_is_not_taken_as_a_continuation():
    intro = (
        "An earlier statement, quoted at length on the page, described the maritime border "
        "dispute of 2014 and the ruling of the court in The Hague that settled it, and how "
        "fishing fleets reacted to the new line over the following years."
    )
    html = _chunked_page([STORY_PARAGRAPHS]).replace(
        '<div class="chunks">',
        f'<aside><div class="article-body"><p>{intro}</p><p>{intro}</p><p>{intro}</p></div>'
        '</aside><div class="chunks">',
    )
    assert extract_body(html, URL).split("\n\n") == list(STORY_PARAGRAPHS)


def test_embedded_social_posts_are_not_body_text():
    tweet = (
        '<blockquote class="twitter-tweet"><p>Both navies at sea together again today.</p>'
        "&mdash; Chilean Navy (@Armada_Chile) June 11, 2024</blockquote>"
    )
    third = f"<p>{STORY_PARAGRAPHS[2]}</p>"
    html = make_page().replace(third, tweet + third)
    body = extract_body(html, URL)
    assert "Both navies at sea" not in body and "@Armada_Chile" not in body
    assert body.split("\n\n")[-len(STORY_PARAGRAPHS) :] == list(STORY_PARAGRAPHS)


def test_date_and_byline_stamps_before_the_story_are_dropped():
    from defence_news.parse.boilerplate import drop_boilerplate_lines

    lines = [
        "5:45 AM PST 11/19/2024 by Ana Rojas",
        "June 11, 2024",
        "Staff Reports",
        *STORY_PARAGRAPHS,
        "The next round of talks is set for 12/09/2024 in Lima.",
    ]
    assert drop_boilerplate_lines(lines) == [*STORY_PARAGRAPHS, lines[-1]]


# ---------------------------------------------------------------- issue 12: real-world kinds
# Each page is written for the project and shows one kind of body error seen on
# real publishers' pages.


def test_precision_mode_dropping_a_styled_container_is_caught():
    # The body sits in a bordered <div>: trafilatura's precision mode drops it and
    # keeps the three lead paragraphs, a fifth of the story.
    body = extract_body(read_fixture("spanish_bordered_body.html"), "https://dps.test/defensa/1")
    assert body.startswith("El Ministerio de Defensa de Chile")
    assert body.endswith("entre los dos presupuestos de defensa.")
    assert len(body.split("\n\n")) == 11


def test_no_end_of_article_marker_or_breadcrumbs_when_precision_finds_nothing():
    body = extract_body(read_fixture("bordered_article.html"), "https://gulf-watch.test/baltic/1")
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("Estonia and Finland will connect")
    assert paragraphs[-1].startswith("The first stations will be connected in April")
    assert len(paragraphs) == 4


def test_a_site_menu_is_not_taken_for_the_lost_article():
    menu = "".join(f"<li><a href='/s/{n}'>Section {n}</a></li>" for n in range(300))
    html = f"<html><body><ul class='menu'>{menu}</ul><div class='x'></div></body></html>"
    assert "Section 12" not in extract_body(html, "https://p.test/news/1")


def test_question_and_answer_subheadings_keep_their_answers():
    qa = (
        ("What changes for the crews?", "They will train together for six weeks first."),
        ("How long will it last?", "Five years, and it can be extended by an exchange of letters."),
        ("Who pays for the fuel?", "Each navy pays for its own ship; shared costs are split."),
    )
    blocks = "".join(f"<h2>{q}</h2><div class='article-body'><p>{a}</p></div>" for q, a in qa)
    html = make_page().replace("</div>\n\n</article>", "</div>" + blocks + "\n\n</article>")
    paragraphs = extract_body(html, "https://p.test/news/1").split("\n\n")
    assert paragraphs[: len(STORY_PARAGRAPHS)] == list(STORY_PARAGRAPHS)
    assert paragraphs[len(STORY_PARAGRAPHS) :] == [line for pair in qa for line in pair]


def test_teaser_labels_and_newsletter_prompts_are_dropped():
    body = extract_body(
        read_fixture("teasers_newsletter_article.html"), "https://coastline.test/news/ghana-togo"
    )
    assert "Want more stories" not in body
    assert "Also in the news" not in body
    assert "Deep Blue" not in body
    assert len(body.split("\n\n")) == 5
