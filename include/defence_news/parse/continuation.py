"""Articles that a template splits into several same-class containers.

Some templates cut the story into sibling blocks of one class, between ad rails
or embeds, or between the questions of an interview (``<h2>Question?</h2>
<div class="body"><p>Answer.</p></div>``); trafilatura keeps only the first
block. The container holding the extracted paragraphs is found by its (tag,
class); later containers with that signature whose paragraphs are mostly missing
from the extraction are read too and appended in page order, each after the
sub-heading just before it. Interview answers are short: the later containers
count together.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from defence_news.parse.extractor import trafilatura_text
from defence_news.parse.pagetree import page_of

# The later containers of the body's class count as continuations when together
# they hold this much paragraph text the extraction lacks (with their sub-headings).
MIN_CONTINUATION_CHARS = 200
SUBHEADING_TAGS = ("h2", "h3", "h4", "h5")
# Paragraphs shorter than this are too generic to locate the body container by.
MIN_LOCATING_CHARS = 40


def _class_signature(element: HtmlElement) -> tuple[str, str] | None:
    classes = (element.get("class") or "").strip()
    return (element.tag, classes) if classes else None


def _norm(text: str) -> str:
    # matching key only (cheaper than clean_inline: this runs on every <p> of the page)
    return " ".join(text.split())


def _extracted_paragraphs(text: str) -> set[str]:
    return {_norm(line) for line in text.splitlines() if len(line) >= MIN_LOCATING_CHARS}


def body_container_signature(tree: HtmlElement, extracted: set[str]) -> tuple[str, str] | None:
    """(tag, class) of the element whose <p> children hold most of the extracted text."""
    votes: dict[tuple[str, str], int] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is None or _norm(paragraph.text_content()) not in extracted:
            continue
        signature = _class_signature(parent)
        if signature is not None:
            votes[signature] = votes.get(signature, 0) + 1
    return max(votes, key=lambda key: votes[key]) if votes else None


def _missing_chars(container: HtmlElement, extracted: set[str]) -> int:
    """Paragraph text the extraction lacks, 0 unless that is most of the container's."""
    texts = [_norm(p.text_content()) for p in container.iterfind("p")]
    missing = sum(len(text) for text in texts if text not in extracted)
    return missing if missing > sum(map(len, texts)) / 2 else 0


def _holds_extracted(container: HtmlElement, extracted: set[str]) -> bool:
    return any(_norm(p.text_content()) in extracted for p in container.iterfind("p"))


def continuation_containers(tree: HtmlElement, text: str) -> list[HtmlElement]:
    """Containers of the body's class, after the extracted one, holding paragraphs it lacks."""
    extracted = _extracted_paragraphs(text)
    signature = body_container_signature(tree, extracted)
    if signature is None:
        return []
    tag, classes = signature
    containers = [e for e in tree.iter(tag) if (e.get("class") or "").strip() == classes]
    first = next((i for i, c in enumerate(containers) if _holds_extracted(c, extracted)), None)
    if first is None:
        return []
    # Only later containers: one before the article's start is an intro or teaser.
    later = [
        (c, _missing_chars(c, extracted) + len(subheading_before(c)))
        for c in containers[first + 1 :]
    ]
    found = [container for container, missing in later if missing]
    return found if sum(missing for _, missing in later) >= MIN_CONTINUATION_CHARS else []


def subheading_before(container: HtmlElement) -> str:
    """The text of the sub-heading right before a container, "" when there is none."""
    previous = container.getprevious()
    if previous is not None and previous.tag in SUBHEADING_TAGS:
        return _norm(previous.text_content())
    return ""


def _container_text(tree: HtmlElement, url: str | None, container: HtmlElement) -> str:
    text = trafilatura_text(page_of(tree, [container]), url)
    # trafilatura gives nothing for a very short page: a one-sentence answer
    return text or "\n".join(_norm(p.text_content()) for p in container.iter("p"))


def with_continuations(tree: HtmlElement, url: str | None, text: str) -> str:
    """The extracted text plus the article's continuation containers, in page order."""
    lines = text.splitlines()
    seen = set(lines)
    for container in continuation_containers(tree, text):
        # One container per run: given them all at once, trafilatura again keeps only one.
        part = _container_text(tree, url, container)
        heading = subheading_before(container)
        new_lines = [heading] if heading and heading not in seen else []
        new_lines += [line for line in part.splitlines() if line and line not in seen]
        lines.extend(new_lines)
        seen.update(new_lines)
    return "\n".join(lines)
