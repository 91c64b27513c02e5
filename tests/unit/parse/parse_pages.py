"""Shared helpers for the parse tests: our own small news pages (imported by the tests)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"

# Our own reporting-style paragraphs (written for these tests), long enough to
# count as an article: about 180 words in five paragraphs.
STORY_PARAGRAPHS = (
    "The defence ministers of Chile and Peru agreed on Tuesday to resume joint naval "
    "patrols along their maritime border, ending a pause of almost three years.",
    "Under the arrangement, each navy will assign one offshore patrol vessel to a combined "
    "task group that will rotate command every six months, officials said after the meeting "
    "in Arica.",
    "“Our sailors trained together for two decades before the pause, and the habits come "
    "back quickly,” said Rear Admiral Lucía Paredes, who will command the first rotation.",
    "The patrols will focus on illegal fishing and search-and-rescue operations, and the "
    "two navies will share radar pictures through a liaison cell in Iquique.",
    "A first combined patrol is planned for September, according to a joint statement that "
    "also announced an exchange of staff college instructors from next year.",
)


def make_page(
    *,
    head: str = "",
    paragraphs: tuple[str, ...] | list[str] = STORY_PARAGRAPHS,
    title: str = "Chile and Peru resume joint naval patrols",
    before: str = "",
    after: str = "",
    html_attrs: str = 'lang="en"',
) -> str:
    """A plausible article page: navigation, an <article> with the paragraphs, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html {html_attrs}>
<head><meta charset="utf-8"><title>{title} | Pacific Ledger</title>
{head}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/defence/">Defence</a></nav>
</header>
<main><article>
<h1>{title}</h1>
{before}
<div class="article-body">
{body}
</div>
{after}
</article></main>
<footer><p>Pacific Ledger, 12 Harbour Street</p></footer>
</body></html>"""


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")
