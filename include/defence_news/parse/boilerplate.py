"""Lines that are boilerplate on news sites, whatever the site.

trafilatura removes page furniture by structure; what survives inside the
article container are short prompts and credits written as ordinary
paragraphs: "Read more: ...", "Sign up for our newsletter", "Photo: Reuters",
"Share this article". These patterns match whole lines (paragraphs) only, and
only short ones, so a sentence of reporting that happens to start with
"Photo" is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# A boilerplate prompt is short; a reporting paragraph that matches a pattern
# by accident is long. Lines with more words than this are always kept.
MAX_BOILERPLATE_WORDS = 25

_SOCIAL = (
    r"(x|twitter|facebook|linkedin|instagram|telegram|youtube|whatsapp|threads|bluesky|tiktok"
    r"|google news|flipboard|mastodon)"
)
# What follows a cross-link label: a colon, bar, chevron or bracket, or a dash set
# off by spaces (so "Related-party deals rose" is not taken for a label).
_SEPARATOR = r"\s*([:|>»\]]|\s[–—-]\s)"
_PATTERNS = (
    # cross-links inserted between paragraphs: "Also read: ...", "[Related: ...]", "SEE MORE: ..."
    r"\[?(also|further|related|recommended|suggested|must|more|see|read|watch|don'?t miss)"
    r"( (also|read|reading|stories|story|articles?|coverage|posts?|content|news|more|next|now))?"
    + _SEPARATOR
    + r".*",
    r"(read|see|watch|listen)( also| more| next| now)?( the full (story|report|article))?"
    + _SEPARATOR
    + r".*",
    r"also on [\w-]+(\.[\w-]+)+\b.*",
    # teaser labels between paragraphs: "Also in the news: ...", "More from Africa: ..."
    r"(also in the news|in other news|elsewhere|top stories|editor'?s picks?|popular now"
    r"|what to read next|more (from|in|on) [\w .'’-]{1,40})" + _SEPARATOR + r".*",
    # the headings of such blocks, standing alone
    r"(also read|read (more|next|also)|related( stories| articles| posts| content| coverage)?"
    r"|more (stories|news|on this( story)?)|recommended( for you)?|you (may|might) also like"
    r"|don'?t miss|trending( now)?|latest (news|stories)"
    r"|leggi anche|lesen sie auch|lire aussi|leia também|lee también|читайте также)\W*",
    r"most (read|popular|viewed|shared)( (in|on|from) .*)?",
    # teaser links flagged by their media type: "Minister resigns [VIDEO]"
    r".*\[(video|videos|pictures|photos|gallery|insight|reaction|poll|live|watch|latest)\]\W*",
    r"more (news|stories) (from|on|about)\b.*",
    # share, follow, subscribe prompts
    r"(share|tweet|email|print) (this|the) (article|story|page|post)\b.*",
    r"like this (story|article)\?.*",
    r"share (it|this)( story| article)? with (a|your) friends?\b.*",
    r"(share|post) (on|to) " + _SOCIAL + r"\b.*",
    r"follow\b.{0,60}\bon " + _SOCIAL + r"\b.*",
    r"(follow|like) us\b.*",
    r".*\b(sign up|subscribe|register|delivered|get)\b.*\b(newsletters?|inbox)\b.*",
    r".*\b(newsletters?|inbox)\b.*\b(sign up|subscribe)\b.*",
    r"(sign up|subscribe|register)\b.{0,80}\b(updates|alerts|briefings?|digest)\b.*",
    r"(subscribe|sign up) (now|today|here)\b.*",
    # newsletter prompts without the word: "Want more stories like this? Our free
    # briefing arrives every Friday."
    r"(want|like|enjoy(ed)?|love) (more )?(stories|news|articles|reporting)( like this)?\?.*",
    r".*\b(our|the) (free )?((daily|weekly|morning|evening|security|defence|defense) )*"
    r"(briefing|newsletter|digest|bulletin)\b.*\b(every|each|daily|weekly|arrives)\b.*",
    r"(download|get) (our|the) app\b.*",
    r"join (us|our community|the conversation)\b.*",
    r"(we|you) (also )?(recommend|might also like|may also like)\b.*",
    r"(you|readers) (may|might) (also )?(like|be interested|enjoy)\b.*",
    r"(advertisement|advertising|sponsored( content)?|scroll to continue( with content)?"
    r"|continue reading( below)?|story continues( below)?( advertisement)?)\W*",
    r"(comments?|leave a (comment|reply)|\d+ comments?|(view|show) comments)\W*",
    r"(end of (the )?(article|story|post)|fin de l'article|fin del artículo|ende des artikels)\W*",
    # breadcrumbs: "Home › Baltic › Estonia and Finland link their radars"
    r"(home|inicio|accueil|startseite|beranda|portada)\s*[›»>/|].*",
    # page tools and staff bylines left as lines
    r"(order )?reprints?|print( this)? (article|story|page)|(text|font) size",
    r"listen to (this )?(article|story)",
    r"(by )?staff (reports?|writers?)",
    # tip lines and author contacts
    r"(have|got) a (news )?tip\b.*",
    r".*\b(can|may) be (reached|contacted) at\b.*",
    r".*\bemail (him|her|them|the (writer|author|reporter)|us) at\b.*",
    r"(reach|contact|email|write to) (the )?(reporters?|authors?|writers?|editors?|us)\b.*",
    r"write to [\w .'-]{2,60} at \S+@\S+",
    # a bare e-mail address on its own line (author contact)
    r"\S+@\S+\.\w+",
    # reading time
    r"\d+\s*(min|mins|minutes?)( read)?\W*",
    r"(reading time|tempo de leitura|lesezeit|temps de lecture)\b.*",
    # credits and bylines written as paragraphs
    r"(photo|image|picture|file photo)s?( credit)?\s*[:/|©].*",
    r"\(?(photo|image|picture)s?( credit)?( by| courtesy( of)?)\b.*",
    r"©.*",
    r"(copyright|all rights reserved)\b.*",
    r"(reporting|writing|additional reporting|editing) by\b.*",
    r"(last )?(updated|published|posted)( on| at)?\s*[:]?\s*\d.*",
    r"(source|sources|via)\s*:.*",
    r"(tags?|topics?|filed under|categories|category)\s*:.*",
)
BOILERPLATE_LINE = re.compile(r"^\W{0,3}(?:" + "|".join(_PATTERNS) + r")$", re.IGNORECASE)


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Site-specific line patterns from the source registry (invalid ones are skipped)."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error:
            continue  # a broken rule must not stop the run; the registry check reports it
    return tuple(compiled)


def is_boilerplate_line(line: str, site_patterns: Sequence[re.Pattern[str]] = ()) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    if any(pattern.search(stripped) for pattern in site_patterns):
        return True
    if len(stripped.split()) > MAX_BOILERPLATE_WORDS:
        return False
    return BOILERPLATE_LINE.match(stripped) is not None


def drop_boilerplate_lines(
    lines: Iterable[str], site_patterns: Sequence[re.Pattern[str]] = ()
) -> list[str]:
    kept = [line for line in lines if not is_boilerplate_line(line, site_patterns)]
    return drop_leading_stamps(kept)


# Before the story's first sentence of prose, short lines with a time or date are
# the page's date/byline stamp ("5:45 AM PST 11/19/2019 by ...", "June 18, 2024").
PROSE_MIN_WORDS = 15
STAMP_MAX_WORDS = 12
_STAMP = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}, \d{4}\b"
    r"|\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]* \d{4}\b",
    re.IGNORECASE,
)


def drop_leading_stamps(lines: list[str]) -> list[str]:
    kept: list[str] = []
    in_prose = False
    for line in lines:
        words = len(line.split())
        if not in_prose and words <= STAMP_MAX_WORDS and _STAMP.search(line):
            continue
        in_prose = in_prose or words >= PROSE_MIN_WORDS
        kept.append(line)
    return kept
