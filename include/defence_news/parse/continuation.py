"""Articles that a template splits into several same-class containers.

Some templates cut the story into sibling blocks of one class, between ad rails
or embeds; trafilatura keeps only the first block. The container holding the
extracted paragraphs is found by its (tag, class); later containers with that
signature whose paragraphs are mostly missing from the extraction are read too
and appended in page order.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from defence_news.parse.extractor import trafilatura_text
from defence_news.parse.pagetree import page_of

# Another container of the body's class counts as a continuation when it holds
# this much paragraph text the extraction lacks.
MIN_CONTINUATION_CHARS = 200
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


def _is_continuation(container: HtmlElement, extracted: set[str]) -> bool:
    """Mostly paragraphs the extraction lacks, and enough of them to matter."""
    texts = [_norm(p.text_content()) for p in container.iterfind("p")]
    missing = sum(len(text) for text in texts if text not in extracted)
    return missing >= MIN_CONTINUATION_CHARS and missing > sum(map(len, texts)) / 2


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
    return [
        container for container in containers[first + 1 :] if _is_continuation(container, extracted)
    ]


def with_continuations(tree: HtmlElement, url: str | None, text: str) -> str:
    """The extracted text plus the article's continuation containers, in page order."""
    lines = text.splitlines()
    seen = set(lines)
    for container in continuation_containers(tree, text):
        # One container per run: given them all at once, trafilatura again keeps only one.
        part = trafilatura_text(page_of(tree, [container]), url)
        new_lines = [line for line in part.splitlines() if line not in seen]
        lines.extend(new_lines)
        seen.update(new_lines)
    return "\n".join(lines)
