"""Bad input gives a clear outcome, never an exception that stops the run."""

from __future__ import annotations

import pytest

from defence_news.parse import extract_body, parse_article
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page

URL = "https://pacific-ledger.test/news/chile-peru-patrols"


def parse(html):
    return parse_article(html, URL, source_id="pacific")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "unparseable:empty"),
        ("   \n\t ", "unparseable:empty"),
        (b"", "unparseable:empty"),
        (None, "unparseable:empty"),
    ],
)
def test_empty_documents(html, reason):
    result = parse(html)
    assert result.article is None
    assert result.reason == reason


@pytest.mark.parametrize(
    "html",
    [
        "just some words, no markup at all",
        "<html><body><p>Unclosed <b>bold <i>and <div>mixed</p></span></body>",
        "<<<>>> </p></div></html> <!-- never closed",
        "\x00\x01\x02binary\xff noise",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    ],
)
def test_malformed_html_gives_a_reason(html):
    result = parse(html)
    assert result.article is None
    assert result.reason.startswith(("unparseable:", "not_article:"))


def test_malformed_but_readable_article_still_parses():
    html = make_page().replace("</p>", "").replace("</div>", "").replace("</article>", "")
    result = parse(html)
    assert result.reason is None
    assert result.article.body.split("\n\n")[0] == STORY_PARAGRAPHS[0]


def test_five_megabyte_document_parses_to_its_story():
    # Its speed is bench-parse's to measure (tests never assert wall-clock times).
    filler = "<div class='ad'><span>sponsored</span></div>\n" * 120_000
    html = make_page(after=filler)
    assert len(html) > 5_000_000
    result = parse(html)
    assert result.reason is None
    assert result.article.body.split("\n\n")[-1] == STORY_PARAGRAPHS[-1]


def test_oversized_document_is_refused_with_a_reason():
    html = "<html><body>" + "<p>word</p>" * 2_000_000 + "</body></html>"
    assert parse(html).reason == "unparseable:too_large"


@pytest.mark.parametrize("depth", [300, 5000, 100_000])
@pytest.mark.parametrize("tag", ["div", "section"])
def test_deeply_nested_markup_before_the_story(depth, tag):
    # libxml2 alone drops everything after markup nested this deep
    html = make_page(before=f"<{tag}>" * depth + "deep text" + f"</{tag}>" * depth)
    result = parse(html)
    assert result.reason is None
    assert result.article.body.split("\n\n")[-len(STORY_PARAGRAPHS) :] == list(STORY_PARAGRAPHS)


def test_story_inside_unclosed_containers():
    # a broken template opens a <div> per paragraph and never closes one
    paragraphs = "".join(f"<div class='row'><p>{p}</p>" for p in STORY_PARAGRAPHS * 60)
    html = f"<html><head><title>Patrols</title></head><body><article>{paragraphs}</body></html>"
    result = parse(html)
    assert result.reason is None
    assert result.article.body.split("\n\n")[:5] == list(STORY_PARAGRAPHS)


def test_broken_encodings_are_read():
    page = make_page().replace("Lucía", "Lucía Pérez")
    latin1 = page.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    result = parse(latin1.encode("latin-1", errors="replace"))
    assert result.reason is None
    assert "Lucía Pérez" in result.article.body
    # utf-8 bytes with a few invalid bytes spliced in: the rest is kept
    broken = page.encode("utf-8").replace(b"Rear Admiral", b"Rear \xff\xfe Admiral")
    result = parse(broken)
    assert result.reason is None
    assert "Iquique" in result.article.body


def test_mojibake_free_nfc_body():
    decomposed = make_page().replace("Lucía", "Luci\u0301a")  # combining accent
    article = parse(decomposed).article
    assert "Lucía" in article.body and "\u0301" not in article.body


def test_extract_body_never_raises_on_junk():
    for junk in ("", "<", "<html></html>", "\ufeff", "<p>" * 10_000):
        assert isinstance(extract_body(junk, URL), str)


@pytest.mark.parametrize("value", [None, 42, 3.5, ["<p>a list</p>"], {"html": "<p>x</p>"}])
def test_extract_body_of_something_not_a_page_is_empty_with_a_reason(value, caplog):
    assert extract_body(value, URL) == ""
    if value is not None:  # None is an empty page; anything else is logged as not text
        assert "unparseable:not_text" in caplog.text


def test_extract_body_reads_a_page_given_as_bytes():
    page = make_page()
    assert extract_body(page.encode("utf-8"), URL) == extract_body(page, URL) != ""


def test_declared_single_byte_charset_is_honoured():
    paragraphs = [
        "Министры обороны двух стран подписали во вторник соглашение о совместном "
        "патрулировании морской границы, сообщило министерство.",
        *STORY_PARAGRAPHS,
    ]
    page = make_page(paragraphs=paragraphs).replace(
        '<meta charset="utf-8">', '<meta charset="windows-1251">'
    )
    result = parse(page.encode("cp1251", errors="replace"))
    assert result.reason is None
    assert result.article.body.startswith("Министры обороны двух стран")


def test_hostile_jsonld_is_ignored_not_fatal():
    nested = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    result = parse(make_page(head=nested))
    assert result.reason is None
    assert result.article.body.split("\n\n")[0] == STORY_PARAGRAPHS[0]
