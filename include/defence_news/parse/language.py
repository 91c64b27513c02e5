"""Language of the body text: py3langid's model, the page's declaration as a hint.

py3langid (langid.py's model, shipped inside the wheel, no download) scores the
text over a restricted set of candidate languages: the registry's languages and
the others a defence-news pipeline meets. Restricting the set matters: over all
97 languages of the model, news English is now and then labelled Luxembourgish,
Indonesian Malay and Portuguese Galician.

The declared language (html ``lang``, ``og:locale``, JSON-LD ``inLanguage``,
``content-language``) is only a hint, because templates often declare the
wrong one (an English site template around a German article). It decides when
the text is too short to judge, and breaks near-ties, as a prior (``DECLARED_PRIOR_ODDS``).

One transparent rule comes before the model: Japanese is written with kana
(hiragana, katakana) between its kanji, Chinese never is, so a text with kana
is Japanese; py3langid confuses the two only on kanji-only snippets.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# The registry's languages (sources.yaml: en, fr, de, id), the ones the pipeline
# must tell apart (ja, zh, ko, ar, ru), and the other major news languages, so
# that a page in one of them is named rather than forced into a wrong neighbour.
# Malay is left out on purpose: the model takes much Indonesian news for it.
CANDIDATE_LANGUAGES = (
    *("en", "fr", "de", "id", "ja", "zh", "ko", "ar", "ru"),
    *("es", "pt", "it", "nl", "pl", "uk", "tr", "vi", "th", "fa", "he", "hi"),
    *("sv", "da", "no", "fi", "cs", "ro", "hu", "el", "bg", "sr", "hr"),
)
# Fewer letters than this and the model's guess is noise: the declaration decides.
MIN_LETTERS_TO_DETECT = 40
# The declaration as a prior: the declared language counts this many times as
# likely as the others before the text is read. On clear text the model's odds
# are millions to one and the prior changes nothing; on a short or mixed text
# (the model at 0.88 Bokmål, 0.12 Danish) the page's own declaration decides.
DECLARED_PRIOR_ODDS = 10.0
# Judging the first few thousand characters is as reliable as the whole text.
SAMPLE_CHARS = 5000
# A text with this share of kana among its CJK characters is Japanese (a Chinese
# text quoting one Japanese name stays below it).
MIN_KANA_SHARE = 0.05

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_CJK = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9d]")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    # An instance of our own: py3langid.set_languages would change the module's
    # shared identifier, which trafilatura uses too.
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATE_LANGUAGES)
    return identifier


def ranked_languages(text: str) -> list[tuple[str, float]]:
    """(code, probability) over the candidate languages, most probable first."""
    return [(code, float(p)) for code, p in _identifier().rank(text)]


def is_japanese_script(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    return cjk > 0 and len(_KANA.findall(text)) / cjk >= MIN_KANA_SHARE


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The text's language code, None when the text is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS_TO_DETECT:
        return None
    if is_japanese_script(sample):
        return "ja"
    ranking = ranked_languages(sample)
    best, probability = ranking[0]
    declared_probability = dict(ranking).get(declared or "", 0.0)
    if declared_probability * DECLARED_PRIOR_ODDS > probability:
        return declared
    return best


def page_language(body: str, declared: str | None) -> str | None:
    """The body's language; the declared code when the body is too short to judge."""
    return detect_language(body, declared) or declared
