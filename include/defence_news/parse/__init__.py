"""The parse stage: HTML page -> Article (body text + metadata), or the reason it is not one.

    from defence_news.parse import parse_article, extract_body, link_near_duplicates

    result = parse_article(html, url, source_id="meridian", rules=source.parse_rules)
    if result.article is None:
        print(result.reason)  # "not_article:index_page", "unparseable:empty", ...

Modules, one stage each:
  htmltree      bytes/str -> lxml tree (charset, size limit), never raising
  metadata      title, authors, dates... from JSON-LD > OpenGraph > meta > <time> > URL;
                the visible <h1> over search-engine headlines
  authors       byline strings sorted into persons and organisations (roles, accounts,
                credits, dates dropped)
  dates         the date formats news pages use, always timezone-aware; a vague first
                source completed by later ones
  pagetree      social embeds removed, site rules (selectors) applied
  extractor     the trafilatura call and its options
  body          article text: precision pass, recall fallback, headline and boilerplate out
  continuation  articles split over several same-class containers
  boilerplate   news boilerplate lines (share prompts, "read more", credits...)
  classify      non-article pages: index, tag, video, paywall, too short, language
  language      body language by py3langid, the declared language as a prior
  fingerprint   content hash, simhash, near-duplicate linking
  article       parse_article: the above, in order, into an Article
  evaluation    scoring parsed metadata against gold records (benchmarks/bench_metadata.py)
"""

from defence_news.parse.article import ParseResult, parse_article
from defence_news.parse.body import extract_body
from defence_news.parse.fingerprint import link_near_duplicates

__all__ = ["ParseResult", "extract_body", "link_near_duplicates", "parse_article"]
