"""Content fingerprints: exact (sha256) and near-duplicate (64-bit simhash).

Syndicated wire copy and the same press release on two sites differ by a
headline, a byline, a trailing paragraph. Their simhashes lie a few bits apart
(a cheap filter over many pairs), and most of their word 3-grams are shared
(the confirmation, exact and only computed for the few candidate pairs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence

import numpy as np

from defence_news.models import Article

SIMHASH_BITS = 64
# Word 3-grams: long enough that two stories on one topic share few of them,
# short enough that an edited sentence changes only a handful.
SHINGLE_WORDS = 3
# Simhash is the cheap first filter. Measured on our fixtures: a wire copy with
# an edited lead and an added credit line lies 6-12 bits from the original,
# unrelated stories 25-40 bits apart (random 64-bit values average 32).
MAX_CANDIDATE_DISTANCE = 16
# The confirmation: the share of the shorter text's 3-grams found in the other.
# A syndicated copy (trimmed, retitled, a credit added) keeps well over half;
# two reports of one event in different words share under a fifth.
MIN_CONTAINMENT = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _shingles(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]


def simhash(text: str) -> str:
    """64-bit simhash over word 3-grams, as 16 hex digits ("" for empty text)."""
    shingles = _shingles(text)
    if not shingles:
        return ""
    weights = [0] * SIMHASH_BITS
    for shingle in shingles:
        value = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(SIMHASH_BITS):
            weights[bit] += 1 if value >> bit & 1 else -1
    fingerprint = sum(1 << bit for bit in range(SIMHASH_BITS) if weights[bit] > 0)
    return f"{fingerprint:016x}"


def hamming_distance(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def containment(first: str, second: str) -> float:
    """Share of the shorter text's word 3-grams that also occur in the other (0..1)."""
    return float(_containments(shingle_prints(first), [shingle_prints(second)])[0])


def are_near_duplicates(first: Article, second: Article) -> bool:
    if first.content_hash and first.content_hash == second.content_hash:
        return True
    if not first.simhash or not second.simhash:
        return False
    if hamming_distance(first.simhash, second.simhash) > MAX_CANDIDATE_DISTANCE:
        return False
    return containment(first.body, second.body) >= MIN_CONTAINMENT


def _root(article: Article) -> str:
    return article.duplicate_of or article.article_id


def _first_sighting_order(articles: Sequence[Article]) -> list[int]:
    """Indexes by publication time (unknown last), ties in the caller's order."""
    return sorted(
        range(len(articles)),
        key=lambda i: (articles[i].published_at is None, articles[i].published_at or 0, i),
    )


def link_near_duplicates(
    articles: Sequence[Article], known: Sequence[Article] = ()
) -> list[Article]:
    """The articles, each with ``duplicate_of`` set when an earlier one is the same story.

    Earlier means: any article in ``known`` (seen in earlier runs or from other
    sources), then the articles of this batch by publication time (those without
    one last, in the given order). A duplicate points at the root its match points
    at, so chains collapse onto the first-seen article. Returned in input order.

    The same decisions as ``are_near_duplicates`` pair by pair, in the same order, but
    at thousands of articles: the simhash filter runs over all earlier articles at
    once (numpy), and each text's 3-grams are built once, for the few candidates.
    """
    seen = _Seen(list(known))
    linked: list[Article] = list(articles)
    for index in _first_sighting_order(articles):
        article = articles[index]
        original, shingles = seen.first_duplicate_of(article)
        if original is not None and _root(original) != article.article_id:
            article = dataclasses.replace(article, duplicate_of=_root(original))
        linked[index] = article
        seen.add(article, shingles)
    return linked


class _Seen:
    """The articles met so far, with what comparing against them needs, kept once."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles: list[Article] = []
        self.by_hash: dict[str, int] = {}  # content hash -> first index
        self.prints = np.zeros(max(16, len(articles)), dtype=np.uint64)
        self.has_print = np.zeros(len(self.prints), dtype=bool)
        self.shingles: dict[int, np.ndarray] = {}
        for article in articles:
            self.add(article)

    def add(self, article: Article, shingles: np.ndarray | None = None) -> None:
        """Meet ``article``; ``shingles``: its ``shingle_prints`` if already built."""
        index = len(self.articles)
        if index == len(self.prints):  # grow by doubling
            self.prints = np.concatenate([self.prints, np.zeros_like(self.prints)])
            self.has_print = np.concatenate([self.has_print, np.zeros_like(self.has_print)])
        self.articles.append(article)
        if article.content_hash:
            self.by_hash.setdefault(article.content_hash, index)
        if article.simhash:
            self.prints[index] = np.uint64(int(article.simhash, 16))
            self.has_print[index] = True
        if shingles is not None:
            self.shingles[index] = shingles

    def first_duplicate_of(self, article: Article) -> tuple[Article | None, np.ndarray | None]:
        """The first article met so far that ``are_near_duplicates`` would match, and
        the article's ``shingle_prints`` when they were built (for ``add``).

        All candidates are confirmed in one pass: their 3-gram hashes side by side in
        one array, each looked up in this article's sorted hashes, counted per
        candidate. Synthetic or templated sites give an article hundreds of simhash
        neighbours; a loop of pairwise intersections spent most of the time there.
        """
        candidates = [
            i
            for i in self._candidates(article)
            if self.articles[i].article_id != article.article_id
        ]
        if not candidates:
            return None, None
        same_text = np.array(
            [
                bool(article.content_hash) and self.articles[i].content_hash == article.content_hash
                for i in candidates
            ]
        )
        if same_text[0]:
            return self.articles[candidates[0]], None
        mine = shingle_prints(article.body)
        shared = _containments(mine, [self._shingles_of(i) for i in candidates])
        matches = np.flatnonzero(same_text | (shared >= MIN_CONTAINMENT))
        return (self.articles[candidates[int(matches[0])]] if len(matches) else None), mine

    def _candidates(self, article: Article) -> list[int]:
        """Indexes, in the order met: the first exact copy and the simhash neighbours."""
        count = len(self.articles)
        found: set[int] = set()
        if article.content_hash and article.content_hash in self.by_hash:
            found.add(self.by_hash[article.content_hash])
        if article.simhash and count:
            distance = np.bitwise_count(self.prints[:count] ^ np.uint64(int(article.simhash, 16)))
            near = (distance <= MAX_CANDIDATE_DISTANCE) & self.has_print[:count]
            found.update(int(i) for i in np.flatnonzero(near))
        return sorted(found)

    def _shingles_of(self, index: int) -> np.ndarray:
        if index not in self.shingles:
            self.shingles[index] = shingle_prints(self.articles[index].body)
        return self.shingles[index]


def shingle_prints(text: str) -> np.ndarray:
    """A text's distinct word 3-grams as sorted 64-bit hashes.

    Kept for thousands of texts at once, a set of 3-gram strings costs about 60
    bytes a gram; eight bytes do, and at 64 bits two grams of one text collide
    about never. ``hash`` is salted per process, so these arrays are compared
    within one process only, never stored.
    """
    return np.unique(np.fromiter((hash(g) for g in _shingles(text)), dtype=np.int64))


def _containments(mine: np.ndarray, theirs: list[np.ndarray]) -> np.ndarray:
    """The ``containment`` of ``mine`` and each of ``theirs`` (``shingle_prints``, sorted
    and distinct), in one pass."""
    sizes = np.array([len(t) for t in theirs])
    smaller = np.minimum(sizes, len(mine))
    if not len(mine) or not sizes.sum():
        return np.zeros(len(theirs))
    flat = np.concatenate(theirs)
    at = np.minimum(np.searchsorted(mine, flat), len(mine) - 1)
    found = mine[at] == flat
    owner = np.repeat(np.arange(len(theirs)), sizes)
    counts = np.bincount(owner, weights=found, minlength=len(theirs))
    return np.divide(counts, smaller, out=np.zeros(len(theirs)), where=smaller > 0)
