"""Language of the body text (py3langid), with the page's declaration only as a hint.

Every sample below was written for these tests: two sentences of defence
reporting per language, in the registry's languages (en, fr, de, id) and the
others the pipeline must tell apart.
"""

from __future__ import annotations

import pytest

from defence_news.parse import parse_article
from defence_news.parse.language import CANDIDATE_LANGUAGES, detect_language, page_language
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS, make_page

ENGLISH = " ".join(STORY_PARAGRAPHS)
SAMPLES = {
    "en": ENGLISH,
    "fr": (
        "Les ministres de la Défense des deux pays ont signé mardi un accord qui prévoit des "
        "exercices communs plus fréquents dans la région, a annoncé le ministère. Les deux "
        "marines échangeront aussi des officiers de liaison dès l'année prochaine."
    ),
    "de": (
        "Die Verteidigungsminister beider Länder haben am Dienstag vereinbart, die gemeinsamen "
        "Marinepatrouillen an der Seegrenze wieder aufzunehmen. Jede Marine stellt dafür ein "
        "Patrouillenboot, das Kommando wechselt alle sechs Monate."
    ),
    "id": (
        "Menteri pertahanan kedua negara sepakat pada hari Selasa untuk melanjutkan patroli "
        "laut bersama di perbatasan. Setiap angkatan laut akan mengirimkan satu kapal patroli "
        "dan komando akan bergantian setiap enam bulan."
    ),
    "es": (
        "Los ministros de Defensa de los dos países firmaron el martes un acuerdo que prevé "
        "patrullas conjuntas en la frontera marítima, según un comunicado del ministerio. "
        "Las dos armadas compartirán la información de sus radares."
    ),
    "ru": (
        "Министры обороны двух стран подписали во вторник соглашение о совместном "
        "патрулировании морской границы. Каждый флот выделит по одному кораблю, а "
        "командование будет меняться каждые шесть месяцев."
    ),
    "ar": (
        "وقع وزيرا الدفاع في البلدين يوم الثلاثاء اتفاقا لاستئناف الدوريات البحرية المشتركة "
        "على الحدود. وستخصص كل قوة بحرية سفينة دورية واحدة، ويتناوب الطرفان على القيادة كل "
        "ستة أشهر."
    ),
    "ja": (
        "両国の国防相は火曜日、海上の国境付近で共同の海上パトロールを再開することで合意した。"
        "それぞれの海軍が哨戒艦を一隻ずつ派遣し、指揮は六か月ごとに交代する。"
    ),
    "zh": (
        "两国国防部长星期二同意恢复在海上边界的联合巡逻。双方海军将各派出一艘巡逻舰，"
        "指挥权每六个月轮换一次，并通过联络小组共享雷达信息。"
    ),
    "ko": (
        "양국 국방장관은 화요일 해상 국경에서 합동 순찰을 재개하기로 합의했다. 각 해군은 "
        "초계함 한 척씩을 파견하며 지휘권은 여섯 달마다 교대한다."
    ),
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_language_is_recognised(code):
    assert detect_language(SAMPLES[code]) == code


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_a_wrong_declaration_does_not_override_clear_text(code):
    wrong = "de" if code != "de" else "en"
    assert page_language(SAMPLES[code], wrong) == code


def test_registry_and_required_languages_are_candidates():
    assert {"en", "fr", "de", "id", "ja", "zh", "ko", "ar", "ru"} <= set(CANDIDATE_LANGUAGES)


def test_kanji_only_text_is_chinese_and_kana_make_it_japanese():
    kanji_only = "国防省発表海上自衛隊護衛艦派遣訓練実施予定" * 3
    assert detect_language(kanji_only) == "zh"
    assert detect_language(kanji_only + "のため" * 5) == "ja"


def test_too_short_to_tell_uses_the_declaration():
    assert detect_language("Navy exercise begins") is None
    assert page_language("Navy exercise begins", "en") == "en"
    assert page_language("", None) is None


def test_declaration_breaks_a_near_tie():
    # Bokmål and Danish news share most of their words: the model is unsure on a
    # short sentence, and the page's own declaration tells which one it is.
    text = "Forsvarsministeren sa at fregatten skal seile til Nordsjøen i morgen."
    undecided = detect_language(text)
    assert undecided in ("no", "da")
    assert detect_language(text, "da") == "da"
    assert detect_language(text, "no") == "no"


def test_parsed_japanese_article_is_ja_not_zh():
    paragraphs = [SAMPLES["ja"] * 3] * 4
    page = make_page(paragraphs=paragraphs, title="共同パトロールを再開", html_attrs='lang="zh"')
    result = parse_article(page, "https://tokai-shimbun.test/news/1", source_id="t", languages=())
    assert result.article is not None, (result.reason, result.detail)
    assert result.article.language == "ja"
