"""Language of the body text, from function words and scripts (no model).

Good enough to tell an English article from a French, Spanish or Russian
one, which is all the pipeline's language filter needs. The declared page
language (html ``lang``, ``og:locale``, JSON-LD) is used only when the text
itself is too short to judge, because templates often declare the wrong one.
"""

from __future__ import annotations

import re
from collections import Counter

# The most frequent function words of each language: they make up a large share
# of any running text and rarely occur in another language's text.


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _vocabulary("the of and to in is that for with was on by as are from it has have"),
    "fr": _vocabulary("le la les des du et est une dans pour que qui sur pas avec au aux"),
    "de": _vocabulary("der die das und ist nicht mit den dem ein eine auf sich für von zu"),
    "es": _vocabulary("el la los las del y que en por con para una es se al su"),
    "it": _vocabulary("il di che è per una con del della gli non sono alla nel le"),
    "pt": _vocabulary("o os da do das dos que em para com uma não por ao foi"),
    "nl": _vocabulary("de het een van en is niet met op voor zijn dat die aan"),
    "id": _vocabulary("yang dan di dari untuk dengan ini itu dalam tidak akan pada"),
}
# Scripts whose presence decides the language without counting words.
SCRIPT_LANGUAGES = (
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("vi", re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]")),
)
# Languages sharing a script: the script tells the family, the page's declared
# language tells which member (Ukrainian and Russian are both Cyrillic).
SCRIPT_FAMILIES = {
    "ru": frozenset({"ru", "uk", "bg", "sr", "mk", "be", "kk", "mn"}),
    "ar": frozenset({"ar", "fa", "ur", "ps"}),
    "zh": frozenset({"zh", "yue"}),
}
# Fewer words than this and the counts are noise: defer to the declared language.
MIN_WORDS_TO_DETECT = 30
# A script counts when this share of letters is written in it.
MIN_SCRIPT_SHARE = 0.3
# The winning language's function words must be at least this share of all words
# (in English running text they are ~25-30%; in a foreign text ~2-5%).
MIN_FUNCTION_WORD_SHARE = 0.08

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Judging the first few thousand characters is as reliable as the whole text.
SAMPLE_CHARS = 5000


def detect_language(text: str) -> str | None:
    sample = text[:SAMPLE_CHARS]
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < MIN_WORDS_TO_DETECT:
        return None
    letters = sum(len(w) for w in words) or 1
    for code, script in SCRIPT_LANGUAGES:
        if len(script.findall(sample)) / letters >= MIN_SCRIPT_SHARE:
            return code
    counts = Counter(words)
    scores = {
        code: sum(counts[w] for w in vocabulary) / len(words)
        for code, vocabulary in FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] >= MIN_FUNCTION_WORD_SHARE else None


def page_language(body: str, declared: str | None) -> str | None:
    """The body's language, refined or completed by what the page declares.

    The text decides (templates often declare the wrong language); the declared
    code names the member of a script family, and stands in when the text is too
    short or in a language the detector does not know.
    """
    detected = detect_language(body)
    if detected is None:
        return declared
    if declared and declared in SCRIPT_FAMILIES.get(detected, ()):
        return declared
    return detected
