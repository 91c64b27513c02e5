"""Each metadata source on its own, and their order of trust."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from defence_news.models import Article
from defence_news.parse import parse_article
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page, read_fixture

URL = "https://pacific-ledger.test/news/chile-peru-patrols"
CEST = timezone(timedelta(hours=2))


def parse(html: str, url: str = URL, **kwargs):
    result = parse_article(html, url, source_id="pacific", **kwargs)
    assert result.reason is None, (result.reason, result.detail)
    assert result.article is not None
    return result.article


def test_jsonld_wins_over_opengraph_meta_time_and_url():
    url = "https://harbour-ledger.test/defence/2024/05/02/norway-poland-mine-drill?utm_source=rss"
    result = parse_article(read_fixture("jsonld_article.html"), url, source_id="harbour")
    article = result.article
    assert {result.provenance[key] for key in ("title", "published_at", "authors")} == {"json-ld"}
    canonical = "https://harbour-ledger.test/defence/2024/05/02/norway-poland-mine-drill"
    assert article.title == "Navies of Norway and Poland hold first joint mine-clearance drill"
    assert article.subtitle is None  # a description meta tag is not a standfirst
    assert article.authors == ("Ingrid Solberg", "Tomasz Wrona")
    assert article.published_at == datetime(2024, 5, 2, 9, 15, tzinfo=CEST)
    assert article.modified_at == datetime(2024, 5, 2, 17, 40, tzinfo=CEST)
    assert article.section == "Defence"
    assert article.tags == ("Norway", "Poland", "mine countermeasures")
    assert article.language == "en"
    assert article.canonical_url == canonical
    assert article.article_id == Article.make_id(canonical)
    assert article.publisher == "Harbour Ledger"
    assert article.url == url


def test_jsonld_body_is_clean_text():
    article = parse(read_fixture("jsonld_article.html"), "https://harbour-ledger.test/x/y")
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("GDYNIA, May 2, 2024 — The Royal Norwegian Navy")
    assert paragraphs[-1].endswith("liaison officers in the Baltic region.")
    assert len(paragraphs) == 5
    assert "“This is the first time" in article.body  # typographic quotes kept
    for boilerplate in ("Read more", "Share this article", "Photo:", "Related", "©"):
        assert boilerplate not in article.body
    assert article.word_count == len(article.body.split())


OPENGRAPH_HEAD = """
<meta property="og:type" content="article">
<meta property="og:title" content="Chile and Peru resume patrols (OG)">
<meta property="og:description" content="The navies end a three-year pause.">
<meta property="og:site_name" content="Pacific Ledger">
<meta property="og:url" content="/news/chile-peru-patrols-canonical">
<meta property="og:locale" content="en_US">
<meta property="article:published_time" content="2024-06-11T14:05:00-04:00">
<meta property="article:modified_time" content="2024-06-12T09:00:00Z">
<meta property="article:section" content="Americas">
<meta property="article:tag" content="Chile">
<meta property="article:tag" content="Peru">
<meta property="article:author" content="https://pacific-ledger.test/authors/ana">
<meta name="author" content="Ana Rojas">
<meta name="date" content="2020-01-01">
"""


# The reporters' names as the page shows them, outside any byline markup: a name
# the metadata gives is the byline only when the page shows it.
SHOWN_NAMES = "<aside><p>Reporting: Ana Rojas and Luis Vega</p></aside>"


def without_h1(html: str) -> str:
    """The page without its visible headline: the title then comes from the metadata."""
    return html.replace("<h1>Chile and Peru resume joint naval patrols</h1>", "")


def test_opengraph_when_there_is_no_jsonld():
    article = parse(without_h1(make_page(head=OPENGRAPH_HEAD, after=SHOWN_NAMES)))
    assert article.title == "Chile and Peru resume patrols (OG)"
    assert article.publisher == "Pacific Ledger"
    assert article.canonical_url == "https://pacific-ledger.test/news/chile-peru-patrols-canonical"
    assert article.published_at == datetime(
        2024, 6, 11, 14, 5, tzinfo=timezone(-timedelta(hours=4))
    )
    assert article.modified_at == datetime(2024, 6, 12, 9, 0, tzinfo=UTC)
    assert article.section == "Americas"
    assert article.tags == ("Chile", "Peru")
    # article:author is a profile URL, not a name: the meta author fills in
    assert article.authors == ("Ana Rojas",)


META_HEAD = """
<meta name="description" content="A lead written for search engines.">
<meta name="author" content="By Ana Rojas and Luis Vega">
<meta name="keywords" content="navy, Chile, Peru">
<meta name="pubdate" content="2024-06-11 14:05:00">
<meta name="dcterms.modified" content="2024-06-12">
<meta name="section" content="Defence">
<meta name="application-name" content="Pacific Ledger">
<link rel="canonical" href="https://pacific-ledger.test/news/chile-peru-patrols">
"""


def test_plain_meta_tags_and_link_canonical():
    article = parse(make_page(head=META_HEAD, after=SHOWN_NAMES), URL + "?ref=home")
    assert article.title == "Chile and Peru resume joint naval patrols"  # from <h1>
    assert article.authors == ("Ana Rojas", "Luis Vega")
    assert article.tags == ("navy", "Chile", "Peru")
    assert article.section == "Defence"
    assert article.publisher == "Pacific Ledger"
    assert article.canonical_url == URL
    # a date without offset is read in UTC when the source has no time zone rule
    assert article.published_at == datetime(2024, 6, 11, 14, 5, tzinfo=UTC)
    assert article.modified_at == datetime(2024, 6, 12, tzinfo=UTC)


def test_standfirst_is_the_subtitle_and_not_repeated_in_the_body():
    before = '<p class="standfirst">The navies end a pause of almost three years.</p>'
    article = parse(make_page(before=before))
    assert article.subtitle == "The navies end a pause of almost three years."
    assert article.body.split("\n\n") == list(STORY_PARAGRAPHS)


def test_naive_dates_use_the_sources_time_zone():
    article = parse(make_page(head=META_HEAD), rules={"timezone": "Asia/Phnom_Penh"})
    assert article.published_at == datetime(2024, 6, 11, 7, 5, tzinfo=UTC)
    assert article.published_at.utcoffset() == timedelta(hours=7)


def test_time_element_marked_as_published_beats_other_times():
    before = (
        '<time datetime="2024-06-01T08:00:00Z">1 June</time>'
        '<time class="published" datetime="2024-06-11T10:30:00+00:00">11 June 2024</time>'
        '<time itemprop="dateModified" datetime="2024-06-12T07:00:00+00:00">updated</time>'
    )
    article = parse(make_page(before=before))
    assert article.published_at == datetime(2024, 6, 11, 10, 30, tzinfo=UTC)
    assert article.modified_at == datetime(2024, 6, 12, 7, 0, tzinfo=UTC)


def test_url_date_when_the_page_has_none():
    article = parse(make_page(), "https://pacific-ledger.test/2024/06/11/chile-peru-patrols/")
    assert article.published_at == datetime(2024, 6, 11, tzinfo=UTC)


def test_dateline_when_page_and_url_have_no_date():
    paragraphs = ("LIMA, June 11, 2024 — " + STORY_FIRST, *STORY_PARAGRAPHS[1:])
    result = parse_article(make_page(paragraphs=paragraphs), URL, source_id="p")
    assert result.article.published_at == datetime(2024, 6, 11, tzinfo=UTC)
    assert result.provenance["published_at"] == "dateline"


def test_url_date_beats_dateline():
    paragraphs = ("LIMA, June 11, 2024 — " + STORY_FIRST, *STORY_PARAGRAPHS[1:])
    article = parse(make_page(paragraphs=paragraphs), "https://p.test/2024/06/10/patrols")
    assert article.published_at == datetime(2024, 6, 10, tzinfo=UTC)


def test_feed_date_is_the_last_resort():
    feed_time = datetime(2024, 6, 11, 16, 0, tzinfo=UTC)
    result = parse_article(make_page(), URL, source_id="p", feed_published_at=feed_time)
    assert result.article.published_at == feed_time
    assert result.provenance["published_at"] == "feed"
    dated = parse(make_page(head=META_HEAD), feed_published_at=feed_time)
    assert dated.published_at == datetime(2024, 6, 11, 14, 5, tzinfo=UTC)


def test_broken_jsonld_falls_back_to_opengraph():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    article = parse(without_h1(make_page(head=head + OPENGRAPH_HEAD)))
    assert article.title == "Chile and Peru resume patrols (OG)"


def test_jsonld_article_nested_as_main_entity_and_author_strings():
    head = """<script type="application/ld+json">
    {"@type": "WebPage", "mainEntity": {"@type": ["NewsArticle"], "headline": "Nested headline",
     "author": "Ana Rojas, Luis Vega", "datePublished": "2024-06-11",
     "articleSection": ["World", "Americas"], "keywords": ["navy", "patrols"]}}
    </script>"""
    article = parse(without_h1(make_page(head=head, after=SHOWN_NAMES)))
    assert article.title == "Nested headline"
    assert article.authors == ("Ana Rojas", "Luis Vega")
    assert article.published_at == datetime(2024, 6, 11, tzinfo=UTC)
    assert article.section == "World"
    assert article.tags == ("navy", "patrols")


def test_registry_publisher_fills_in_and_fetch_time_is_kept():
    fetched = datetime(2024, 6, 12, 3, 0, tzinfo=UTC)
    article = parse(
        make_page(head=OPENGRAPH_HEAD), publisher="Pacific Ledger Ltd", fetched_at=fetched
    )
    assert article.publisher == "Pacific Ledger"  # the page's own og:site_name
    assert parse(make_page(), publisher="Pacific Ledger Ltd").publisher == "Pacific Ledger Ltd"
    assert article.fetched_at == fetched
    assert article.source_id == "pacific"


def test_title_from_title_tag_without_site_name():
    html = make_page().replace("<h1>Chile and Peru resume joint naval patrols</h1>", "")
    assert parse(html).title == "Chile and Peru resume joint naval patrols"


def test_home_page_canonical_is_ignored():
    head = '<link rel="canonical" href="https://pacific-ledger.test/">'
    article = parse(make_page(head=head))
    assert article.canonical_url is None
    assert article.article_id == Article.make_id(URL)


STORY_FIRST = (
    "The defence ministers of Chile and Peru agreed on Tuesday to resume joint naval "
    "patrols along their maritime border, ending a pause of almost three years."
)


def test_wordpress_category_and_tag_links():
    before = (
        '<span class="cat-links"><a href="/category/americas/" rel="category tag">Americas</a>'
        '</span><span class="tags-links"><a href="/tag/navy/" rel="tag">Navy</a> '
        '<a href="/tag/chile/" rel="tag">Chile</a></span>'
    )
    article = parse(make_page(before=before))
    assert article.section == "Americas"
    assert article.tags == ("Navy", "Chile")


def test_jsonld_graph_references_are_resolved():
    head = """<script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "Organization", "@id": "https://p.test/#org", "name": "Pacific Ledger"},
      {"@type": "Person", "@id": "https://p.test/#/person/1", "name": "Ana Rojas"},
      {"@type": "NewsArticle", "headline": "Chile and Peru resume patrols",
       "author": {"@id": "https://p.test/#/person/1"}, "publisher": {"@id": "https://p.test/#org"},
       "datePublished": "2024-06-11T10:00:00+00:00"}]}
    </script>"""
    article = parse(make_page(head=head, after=SHOWN_NAMES))
    assert article.authors == ("Ana Rojas",)
    assert article.publisher == "Pacific Ledger"


def test_site_name_suffix_is_stripped_from_the_title():
    head = (
        '<meta property="og:title" content="Chile and Peru resume patrols | Pacific Ledger">'
        '<meta property="og:site_name" content="Pacific Ledger">'
    )
    assert parse(without_h1(make_page(head=head))).title == "Chile and Peru resume patrols"


def test_naive_times_handed_in_are_read_as_utc():
    naive = datetime(2024, 6, 11, 16, 0)
    article = parse(make_page(), feed_published_at=naive, fetched_at=naive)
    assert article.published_at == datetime(2024, 6, 11, 16, 0, tzinfo=UTC)
    assert article.fetched_at.tzinfo is not None


def test_date_in_page_markup_is_the_last_resort():
    before = '<div class="post-date">Posted on 11 June 2024 by the newsroom</div>'
    result = parse_article(make_page(before=before), URL, source_id="p")
    assert result.article.published_at == datetime(2024, 6, 11, tzinfo=UTC)
    assert result.provenance["published_at"] == "markup"
    feed_time = datetime(2024, 6, 11, 16, 0, tzinfo=UTC)
    result = parse_article(
        make_page(before=before), URL, source_id="p", feed_published_at=feed_time
    )
    assert result.provenance["published_at"] == "feed"


# ---------------------------------------------------------------- real-world failure kinds
# Each page below is written for the project and shows one kind of error seen on
# real publishers' pages (issue 12).


def test_visible_headline_beats_the_search_engine_headline_and_the_masthead():
    result = parse_article(
        read_fixture("seo_headline_article.html"),
        "https://isthmus-courier.test/security/fonseca-joint-patrols",
        source_id="isthmus",
    )
    article = result.article
    # the masthead <h1> links home; the headline's entities are decoded
    assert article.title == "‘One gulf, one watch’: three coastguards will patrol Fonseca together"
    assert result.provenance["title"] == "html"


def test_publisher_as_author_slug_and_image_credit_give_way_to_the_visible_byline():
    article = parse(
        read_fixture("seo_headline_article.html"),
        "https://isthmus-courier.test/security/fonseca-joint-patrols",
    )
    # JSON-LD names the publisher as the author, meta author is a desk slug, the
    # first "author" element is a photo credit, the byline ends with outlet and date
    assert article.authors == ("Marta Quesada", "Iván Lara")


def test_agency_byline_is_kept_when_no_person_is_named():
    result = parse_article(
        read_fixture("agency_byline_article.html"),
        "https://baltic-wire-review.test/news/air-policing-extended",
        source_id="baltic",
    )
    assert result.article.authors == ("AP",)
    assert result.provenance["authors"] == "html"


def test_entities_in_structured_titles_and_names_are_decoded():
    head = """<script type="application/ld+json">
    {"@type": "NewsArticle",
     "headline": "Navy &#8216;retires&#8217; its last frigate &amp;amp; two tugs",
     "author": {"@type": "Person", "name": "Siobh&aacute;n O&#039;Neill"}}
    </script>"""
    shown = "<aside><p>Reporting: Siobhán O'Neill</p></aside>"
    article = parse(without_h1(make_page(head=head, after=shown)))
    assert article.title == "Navy ‘retires’ its last frigate & two tugs"
    assert article.authors == ("Siobhán O'Neill",)


def test_unsigned_story_has_no_author_rather_than_the_publisher():
    head = """<meta property="og:site_name" content="Pacific Ledger">
    <script type="application/ld+json">
    {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Pacific Ledger"},
     "publisher": {"@type": "Organization", "name": "Pacific Ledger"}}
    </script>"""
    assert parse(make_page(head=head)).authors == ()


def test_jsonld_time_without_offset_takes_the_offset_the_page_gives():
    head = """<meta name="date" content="2024-06-11T14:05:00+07:00">
    <script type="application/ld+json">
    {"@type": "NewsArticle", "datePublished": "2024-06-11T14:05:00"}
    </script>"""
    result = parse_article(make_page(head=head), URL, source_id="p")
    ict = timezone(timedelta(hours=7))
    assert result.article.published_at == datetime(2024, 6, 11, 14, 5, tzinfo=ict)
    assert result.provenance["published_at"] == "json-ld"
    assert result.published_precision == "time"


def test_date_alone_takes_the_time_a_later_source_gives_that_day():
    head = """<script type="application/ld+json">
    {"@type": "BlogPosting", "datePublished": "2024-06-11"}
    </script>"""
    before = (
        '<time class="entry-date published" datetime="2024-06-11T09:54:11-05:00">June 11</time>'
    )
    article = parse(make_page(head=head, before=before))
    assert article.published_at == datetime(
        2024, 6, 11, 9, 54, 11, tzinfo=timezone(-timedelta(hours=5))
    )


def test_date_alone_is_reported_as_day_precision():
    result = parse_article(make_page(), "https://p.test/2024/06/10/patrols", source_id="p")
    assert result.article.published_at == datetime(2024, 6, 10, tzinfo=UTC)
    assert result.published_precision == "day"


def test_misspelled_published_time_property_is_read():
    head = '<meta property="article:published:time" content="2024-06-11T14:05:00+02:00">'
    assert parse(make_page(head=head)).published_at == datetime(2024, 6, 11, 14, 5, tzinfo=CEST)


def test_metadata_author_the_page_never_shows_is_not_the_byline():
    head = """<script type="application/ld+json">
    {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Webteam Account"}}
    </script>"""
    assert parse(make_page(head=head)).authors == ()
    shown = make_page(head=head, after="<p class='signoff'>Webteam Account</p>")
    assert parse(shown).authors == ("Webteam Account",)


def test_by_line_without_markup_is_read():
    before = (
        "<p>By <a href='/staff/ana-rojas'>Ana Rojas</a>, <a href='/staff/luis-vega'>Luis Vega</a>"
        " on Tuesday, June 11, 2024</p>"
    )
    assert parse(make_page(before=before)).authors == ("Ana Rojas", "Luis Vega")


def test_paywall_stub_keeps_the_metadata_it_read():
    head = """<script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "Chile and Peru resume joint naval patrols",
     "isAccessibleForFree": false, "author": {"@type": "Person", "name": "Ana Rojas"}}
    </script>"""
    result = parse_article(
        make_page(head=head, paragraphs=STORY_PARAGRAPHS[:1], after="<p>By Ana Rojas</p>"),
        URL,
        source_id="p",
    )
    assert result.reason == "not_article:paywall"
    assert result.rejected_metadata.fields.title == "Chile and Peru resume joint naval patrols"
    assert result.rejected_metadata.fields.authors == ("Ana Rojas",)
    assert result.rejected_language == "en"


def test_h1_teasing_another_site_and_a_repeated_masthead_are_not_the_headline():
    head = (
        '<meta property="og:site_name" content="Pacific Ledger">'
        '<meta property="og:title" content="Chile and Peru resume joint naval patrols">'
    )
    teaser = '<h1><a href="https://other-outlet.test/story">Why sailors love the fog</a></h1>'
    masthead = "<h1>Pacific Ledger Newspaper Pacific Ledger</h1>"
    html = without_h1(make_page(head=head)).replace("<header>", f"<header>{masthead}{teaser}")
    assert parse(html).title == "Chile and Peru resume joint naval patrols"


def test_web_page_node_gives_the_time_an_article_node_lacks():
    head = """<script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "WebPage", "datePublished": "2024-06-11T10:15:48+02:00"},
      {"@type": "BlogPosting", "headline": "Chile and Peru resume joint naval patrols",
       "datePublished": "2024-06-11"}]}
    </script>"""
    result = parse_article(make_page(head=head), URL, source_id="p")
    assert result.article.published_at == datetime(2024, 6, 11, 10, 15, 48, tzinfo=CEST)
    assert result.published_precision == "time"
