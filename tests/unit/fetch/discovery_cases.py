"""What a reader of each discovery fixture finds in it: the expected items, child
sitemaps or recorded problem. Shared by test_discovery_fixtures.py and
benchmarks/bench_discovery.py, so the benchmark scores exactly what the tests assert.

The fixtures (fixtures/discovery/) were written for the project and carry the faults
of real feeds and sitemaps; each case says in ``why`` which fault it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "discovery"
BASE = "https://wire.example/feeds/feed.xml"  # where every fixture is "fetched" from

Item = tuple[str, datetime | None, str | None]  # url, published (to the second), title
Child = tuple[str, datetime | None]


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    fixture: str
    why: str
    kind: str
    items: tuple[Item, ...] = ()
    children: tuple[Child, ...] = ()
    problem: str | None = None  # expected start of the recorded problem; None: no problem

    def body(self) -> bytes:
        return (FIXTURES / self.fixture).read_bytes()


W = "https://wire.example"
MALFORMED = "malformed XML"
NOT_A_FEED = "not a feed or sitemap"

FEED_CASES = (
    Case(
        "rss20_basic.xml",
        "plain RSS 2.0 with RFC 822 dates in three zones",
        "rss",
        (
            (
                f"{W}/2026/03/10/patrol-vessel-trials",
                at(10, 9, 15),
                "Coastal patrol vessel enters sea trials",
            ),
            (f"{W}/2026/03/09/runway", at(9, 17, 40), "Air base runway resurfacing finished"),
            (
                f"{W}/2026/03/09/frigate-timeline",
                at(9, 13),
                "Ministry publishes frigate programme timeline",
            ),
        ),
    ),
    Case(
        "rss20_cdata_html_titles.xml",
        "HTML inside CDATA and escaped in titles, a CDATA link, whitespace runs",
        "rss",
        (
            (
                f"{W}/news/minehunters?ref=rss&section=navy",
                at(10, 6),
                "Exclusive: Navy orders four minehunters",
            ),
            (f"{W}/news/radar-upgrade", at(10, 7), 'Radar upgrade for "Northern" sites'),
            (f"{W}/news/budget-hearing", at(10, 8), "Budget & readiness: hearing adjourned"),
        ),
    ),
    Case(
        "rss20_relative_links.xml",
        "links relative to the feed's URL, protocol-relative, padded with newlines",
        "rss",
        (
            (f"{W}/news/2026/03/10/drone-tender", None, "Root relative"),
            (f"{W}/feeds/2026/03/10/depot-fire", None, "Path relative"),
            (f"{W}/archive/2026/depot", None, "Parent relative"),
            ("https://cdn.wire.example/story/77", None, "Protocol relative"),
            (f"{W}/news/padded-link", None, "Padded"),
        ),
    ),
    Case(
        "rss20_guid_and_origlink.xml",
        "FeedBurner origLink over the redirector; guid as permalink; an opaque guid is no URL",
        "rss",
        (
            (f"{W}/2026/03/10/tanker-contract", None, "Through a redirector"),
            (f"{W}/2026/03/10/guid-permalink", None, "Guid is the permalink"),
            (f"{W}/2026/03/10/guid-default", None, "Guid without the attribute"),
        ),
    ),
    Case(
        "rss20_dc_date.xml",
        "Dublin Core dates; pubDate wins over dc:date; a date without time",
        "rss",
        (
            (f"{W}/a/1", at(10, 10, 30), "Only dc:date"),
            (f"{W}/a/2", at(10, 12), "Both dates"),
            (f"{W}/a/3", at(8), "Date only"),
        ),
    ),
    Case(
        "rss20_dates_many_formats.xml",
        "pubDate as feeds really write it: zone names, ISO 8601, two-digit years, no seconds",
        "rss",
        (
            (f"{W}/d/1", at(10, 9), "RFC 822 with GMT"),
            (f"{W}/d/2", at(10, 8), "No weekday"),
            (f"{W}/d/3", at(3, 9), "Single digit day"),
            (f"{W}/d/4", at(10, 9), "North American zone name"),
            (f"{W}/d/5", at(10, 7), "ISO 8601 in pubDate"),
            (f"{W}/d/6", at(10, 9), "Space separated, no zone"),
            (f"{W}/d/7", at(10, 9), "Two digit year"),
            (f"{W}/d/8", at(10, 9), "Full month and weekday names"),
            (f"{W}/d/9", at(10, 9), "No seconds"),
            (f"{W}/d/10", None, "Unreadable"),
            (f"{W}/d/11", None, "Empty"),
        ),
    ),
    Case(
        "rss20_atom_link_attribute.xml",
        "RSS items linked by atom:link or <link href>; a self link is not the page",
        "rss",
        (
            (f"{W}/2026/03/10/atom-link-item", at(10, 10), "Atom link in an RSS item"),
            (f"{W}/2026/03/10/text-link", None, "Text link beside a self link"),
            (f"{W}/2026/03/10/href-attribute", None, "RSS link written as an attribute"),
        ),
    ),
    Case(
        "rss20_namespaces_media.xml",
        "media, content and dc namespaces; markup inside content:encoded lists no items",
        "rss",
        (
            (
                f"{W}/2026/03/10/helicopters",
                at(10, 13, 20),
                "Helicopter fleet grounded after inspection",
            ),
        ),
    ),
    Case(
        "rss091_netscape_dtd.xml",
        "RSS 0.91 with the Netscape DOCTYPE and the HTML entity names its DTD defines",
        "rss",
        (
            (f"{W}/fr/exercice-naval", None, "Exercice naval en Méditerranée"),
            (f"{W}/fr/base-brest", None, "Nouvelle base à Brest"),
        ),
    ),
    Case(
        "rss092_enclosure.xml",
        "RSS 0.92: an item without a title, an enclosure that is not the page",
        "rss",
        (
            (f"{W}/briefings/week-10", None, None),
            (f"{W}/briefings/week-11", None, "Second briefing"),
        ),
    ),
    Case(
        "rss10_rdf.xml",
        "RSS 1.0 (RDF): items outside the channel, default namespace, dc:date with an offset",
        "rdf",
        (
            (f"{W}/rdf/1", at(9, 23), "Shipyard strike ends"),
            (f"{W}/rdf/2", at(9, 20, 30), "Missile test window announced"),
        ),
    ),
    Case(
        "rss090.xml",
        "RSS 0.90 in its Netscape RDF namespace",
        "rdf",
        (
            (f"{W}/old/reserve", None, "Reserve call-up extended"),
            (f"{W}/old/brigade", None, "Armoured brigade relocates"),
        ),
    ),
    Case(
        "atom10_multiple_links.xml",
        "Atom entries with enclosure, replies, self and hreflang links beside the alternate",
        "atom",
        (
            (f"{W}/atom/enclosure-first", at(10, 7), "Enclosure listed before the page"),
            (f"{W}/atom/no-rel", at(10, 8), "Link without rel is the alternate"),
            (f"{W}/en/atom/translations", at(10, 9), "Translations"),
        ),
    ),
    Case(
        "atom10_xml_base.xml",
        "relative hrefs under xml:base on the feed and on an entry",
        "atom",
        (
            (f"{W}/news/2026/03/10/base-one", at(10, 6), "Resolved against the feed's base"),
            (f"{W}/world/base-two", at(10, 6, 30), "Resolved against the entry's base"),
            (f"{W}/base-three", at(10, 7), "Root-relative"),
        ),
    ),
    Case(
        "atom10_title_types.xml",
        'Atom titles of type html (escaped markup), xhtml (inline markup) and text ("<" literal)',
        "atom",
        (
            (f"{W}/t/1", at(10, 1), "Breaking: corvette & tug collide"),
            (f"{W}/t/2", at(10, 2), "Sonar contract signed"),
            (f"{W}/t/3", at(10, 3), "Range 5 < 10 km, says trial report"),
        ),
    ),
    Case(
        "atom10_dates.xml",
        "published over updated, offsets, fractional seconds, lower-case t and z, no date",
        "atom",
        (
            (f"{W}/ad/1", at(10, 5), "Published and updated"),
            (f"{W}/ad/2", at(10, 0, 30), "Updated only"),
            (f"{W}/ad/3", at(10, 7, 8, 9), "Fractional seconds"),
            (f"{W}/ad/4", at(10, 8), "Lower-case separators"),
            (f"{W}/ad/5", None, "No date at all"),
        ),
    ),
    Case(
        "atom03.xml",
        "Atom 0.3: its own namespace, issued and modified",
        "atom",
        ((f"{W}/atom03/1", at(10, 4), "Draft atom entry"),),
    ),
    Case(
        "atom10_prefixed.xml",
        "Atom with a prefix on every element",
        "atom",
        ((f"{W}/prefixed/1", at(10, 9, 30), "Every element has a prefix"),),
    ),
    Case(
        "rss20_declared_latin1_is_utf8.xml",
        "declared ISO-8859-1, written in UTF-8",
        "rss",
        ((f"{W}/enc/latin1-declared", at(10, 9), "Défense aérienne : exercice à Kraków"),),
    ),
    Case(
        "rss20_declared_utf8_is_cp1252.xml",
        "declared UTF-8, written in windows-1252",
        "rss",
        ((f"{W}/enc/cp1252-as-utf8", at(10, 10), "“Opération” réussie au large"),),
    ),
    Case(
        "rss20_utf8_bom.xml",
        "UTF-8 with a byte-order mark",
        "rss",
        ((f"{W}/enc/utf8-bom", at(10, 11), "Marked UTF-8 – en dash"),),
    ),
    Case(
        "rss20_utf16_bom.xml",
        "UTF-16 with a byte-order mark",
        "rss",
        ((f"{W}/enc/utf16", at(10, 12), "Широкий набор: UTF-16"),),
    ),
    Case(
        "rss20_windows1251.xml",
        "windows-1251, correctly declared",
        "rss",
        ((f"{W}/enc/cp1251", at(10, 10), "Учения флота в Балтийском море"),),
    ),
    Case(
        "rss20_space_before_declaration.xml",
        "blank lines before the XML declaration (a template's stray newline)",
        "rss",
        ((f"{W}/enc/leading-space", at(10, 14), "Whitespace before the declaration"),),
    ),
    Case(
        "rss20_truncated.xml",
        "cut off inside an item: the complete items are kept and the cut reported",
        "rss",
        (
            (f"{W}/cut/1", at(10, 9), "Complete item one"),
            (f"{W}/cut/2", at(10, 8), "Complete item two"),
        ),
        problem=MALFORMED,
    ),
    Case(
        "rss20_bare_ampersands.xml",
        "unescaped & in a title and a link",
        "rss",
        (
            (f"{W}/s?id=5&lang=en", at(10, 9), "Search & rescue drill"),
            (f"{W}/s?id=6&lang=en", at(10, 8), "Well-formed neighbour"),
        ),
        problem=MALFORMED,
    ),
    Case(
        "rss20_undeclared_prefix.xml",
        "a dc: prefix used without its namespace declaration",
        "rss",
        (
            (f"{W}/ns/1", at(10, 9), "Uses dc without declaring it"),
            (f"{W}/ns/2", None, "Second"),
        ),
        problem=MALFORMED,
    ),
    Case(
        "rss20_items_without_links.xml",
        "items with no link or an empty one give no URL; the linked one is kept",
        "rss",
        ((f"{W}/nl/3", None, "The one with a link"),),
    ),
    Case(
        "rss20_html_entities_no_dtd.xml",
        "HTML entity names (&nbsp;, &agrave;) in a feed without a DTD",
        "rss",
        (
            (f"{W}/fr/sous-marin", at(10, 5), "Sous-marin : essais à Toulon"),
            (f"{W}/fr/deuxieme", None, "Deuxième article"),
        ),
        problem=MALFORMED,
    ),
    Case("rss20_empty_channel.xml", "a channel with no items", "rss"),
    Case("feed_blank.xml", "whitespace only", "unknown", problem="empty document"),
    Case(
        "feed_html_page.xml",
        "the homepage served where the feed was",
        "unknown",
        problem="not a feed or sitemap (an HTML page)",
    ),
    Case(
        "feed_html_after_comment.xml",
        "an HTML login page that starts with a comment",
        "unknown",
        problem="not a feed or sitemap (an HTML page)",
    ),
    Case(
        "feed_entity_declarations.xml",
        "an internal DTD declaring entities: refused unread",
        "unknown",
        problem="document declares XML entities (refused as unsafe)",
    ),
    Case("feed_json_not_xml.xml", "JSON where XML was expected", "unknown", problem=NOT_A_FEED),
    Case(
        "feed_unknown_root.xml",
        "well-formed XML of another kind (OPML)",
        "unknown",
        problem="not a feed or sitemap (root element <opml>)",
    ),
)

SITEMAP_CASES = (
    Case(
        "sitemap_urlset_lastmod.xml",
        "lastmod as a date, with an offset, fractional seconds, minutes only, or missing",
        "urlset",
        (
            (f"{W}/2026/03/10/date-only", at(10), None),
            (f"{W}/2026/03/10/offset", at(10, 8), None),
            (f"{W}/2026/03/10/zulu-fraction", at(10, 9), None),
            (f"{W}/2026/03/10/minutes-only", at(10, 9), None),
            (f"{W}/2026/03/10/no-lastmod", None, None),
        ),
    ),
    Case(
        "sitemap_news.xml",
        "news sitemap: publication_date over lastmod, titles with an entity and in CDATA",
        "urlset",
        (
            (f"{W}/2026/03/10/carrier-refit", at(10, 8, 30), "Carrier refit & crew training start"),
            (f"{W}/2026/03/10/drone-squadron", at(10), "Drone squadron <stands up> in the north"),
        ),
    ),
    Case(
        "sitemap_news_html_entities.xml",
        "HTML entity names in a news title: read, not dropped, and reported",
        "urlset",
        (
            (f"{W}/fr/2026/03/10/escorte", at(10, 4, 30), "Frégate & escorte en mer"),
            (f"{W}/fr/2026/03/10/suivante", None, None),
        ),
        problem=MALFORMED,
    ),
    Case(
        "sitemap_news_missing_title.xml",
        "news entry without a title: its publication_date still counts",
        "urlset",
        ((f"{W}/2026/03/10/untitled", at(10, 11, 45), None),),
    ),
    Case(
        "sitemap_news_latin1.xml",
        "news sitemap in ISO-8859-1, declared",
        "urlset",
        ((f"{W}/fr/2026/03/10/fregate", at(10, 6), "Frégate livrée à la Marine"),),
    ),
    Case(
        "sitemap_image.xml",
        "image sitemap: the pages are the items, not the images",
        "urlset",
        (
            (f"{W}/galleries/fleet-review", at(10, 10), None),
            (f"{W}/galleries/airshow", None, None),
        ),
    ),
    Case(
        "sitemap_index.xml",
        "sitemap index: children newest first, one without lastmod last",
        "sitemapindex",
        children=(
            (f"{W}/sitemaps/news.xml", at(10, 11, 55)),
            (f"{W}/sitemaps/2026-03.xml.gz", at(10)),
            (f"{W}/sitemaps/2019.xml", datetime(2019, 12, 31, 23, tzinfo=UTC)),
            (f"{W}/sitemaps/pages.xml", None),
        ),
    ),
    Case(
        "sitemap_index_relative_and_bad.xml",
        "index with a relative loc (resolved), an ftp loc and an empty loc (dropped)",
        "sitemapindex",
        children=(
            (f"{W}/sitemaps/absolute.xml", at(10)),
            (f"{W}/sitemaps/relative.xml", at(9)),
        ),
    ),
    Case(
        "sitemap_index.xml.gz",
        "a gzip-compressed sitemap index",
        "sitemapindex",
        children=((f"{W}/sitemaps/b.xml.gz", at(10)), (f"{W}/sitemaps/a.xml.gz", at(8))),
    ),
    Case(
        "sitemap_news.xml.gz",
        "a gzip-compressed news sitemap",
        "urlset",
        tuple((f"{W}/gz/{n}", at(10, n), f"Compressed story {n}") for n in range(1, 6)),
    ),
    Case(
        "sitemap_truncated.xml.gz",
        "a gzip stream cut short: what it holds is read and the cut reported",
        "urlset",
        tuple((f"{W}/gz/{n}", at(10, n), f"Compressed story {n}") for n in range(1, 4)),
        problem="gzip stream ends early",
    ),
    Case(
        "sitemap_no_namespace.xml",
        "urlset without the sitemaps namespace",
        "urlset",
        ((f"{W}/nons/1", at(10, 1), None), (f"{W}/nons/2", None, None)),
    ),
    Case(
        "sitemap_old_google_namespace.xml",
        "the 2005 Google sitemap namespace",
        "urlset",
        ((f"{W}/old-ns/1", at(10, 2), None),),
    ),
    Case(
        "sitemap_truncated.xml",
        "cut off inside a loc: the complete entries are kept and the cut reported",
        "urlset",
        ((f"{W}/cut-sitemap/1", at(10, 3), None), (f"{W}/cut-sitemap/2", at(10, 4), None)),
        problem=MALFORMED,
    ),
    Case(
        "sitemap_empty_loc.xml",
        "one entry with an empty loc does not lose the entries after it",
        "urlset",
        ((f"{W}/gap/1", None, None), (f"{W}/gap/3", None, None), (f"{W}/gap/4", None, None)),
    ),
    Case(
        "sitemap_compact_empty_loc.xml",
        "the same without whitespace between elements, as generators write it",
        "urlset",
        (
            (f"{W}/compact/1", None, None),
            (f"{W}/compact/3", None, None),
            (f"{W}/compact/4", at(10, 7), None),
        ),
    ),
    Case(
        "sitemap_news_undeclared_prefix.xml",
        "news: elements without the news namespace declared",
        "urlset",
        ((f"{W}/2026/03/10/no-news-namespace", at(10, 4, 15), "Sitemap that forgot xmlns:news"),),
        problem=MALFORMED,
    ),
    Case(
        "sitemap_loc_whitespace_entities.xml",
        "loc padded with newlines, &amp; in a query, a CDATA loc, a percent-encoded path",
        "urlset",
        (
            (f"{W}/search?topic=navy&page=2", None, None),
            (f"{W}/list?a=1&b=2", None, None),
            (f"{W}/caf%C3%A9/story", None, None),
        ),
    ),
    Case(
        "sitemap_relative_loc.xml",
        "a relative loc (against the protocol, but seen): resolved against the sitemap",
        "urlset",
        ((f"{W}/2026/03/10/relative-in-sitemap", at(10, 5), None),),
    ),
    Case(
        "sitemap_utf8_bom.xml",
        "a sitemap with a UTF-8 byte-order mark",
        "urlset",
        ((f"{W}/bom/1", at(10, 6), None),),
    ),
    Case(
        "sitemap_text.txt",
        "a plain-text sitemap: one URL a line",
        "text",
        (
            (f"{W}/text-sitemap/1", None, None),
            (f"{W}/text-sitemap/2", None, None),
            (f"{W}/text-sitemap/3", None, None),
        ),
    ),
)

CASES = FEED_CASES + SITEMAP_CASES
