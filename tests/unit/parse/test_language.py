"""Language of the body text, with the page's declaration as a refinement."""

from __future__ import annotations

import pytest

from defence_news.parse.language import detect_language, page_language
from tests.unit.parse.parse_pages import STORY_PARAGRAPHS

ENGLISH = " ".join(STORY_PARAGRAPHS)
FRENCH = (
    "Les ministres de la Défense des deux pays ont signé mardi un accord qui prévoit des "
    "exercices communs plus fréquents dans la région, a annoncé le ministère dans un "
    "communiqué publié sur son site. Selon le texte, les deux marines organiseront chaque "
    "année un exercice et échangeront des officiers de liaison avec leurs partenaires."
)
SPANISH = (
    "Los ministros de Defensa de los dos países firmaron el martes un acuerdo que prevé "
    "patrullas conjuntas en la frontera marítima, según un comunicado del ministerio. "
    "Las dos armadas asignarán un buque a un grupo de tarea que rotará el mando cada seis "
    "meses, y compartirán la información de sus radares con el centro de coordinación."
)
RUSSIAN = (
    "Министры обороны двух стран подписали во вторник соглашение о совместном "
    "патрулировании морской границы, сообщило министерство в своем заявлении. Каждый "
    "флот выделит по одному кораблю в состав объединенной группы, командование которой "
    "будет меняться каждые шесть месяцев, а информация с радаров будет общей."
)


@pytest.mark.parametrize(
    ("text", "code"), [(ENGLISH, "en"), (FRENCH, "fr"), (SPANISH, "es"), (RUSSIAN, "ru")]
)
def test_detect_language(text, code):
    assert detect_language(text) == code


def test_too_short_to_tell():
    assert detect_language("Navy exercise begins") is None
    assert page_language("Navy exercise begins", "en") == "en"


def test_text_beats_a_wrong_declaration():
    assert page_language(ENGLISH, "fr") == "en"


def test_declaration_names_the_member_of_a_script_family():
    assert page_language(RUSSIAN, "uk") == "uk"
    assert page_language(RUSSIAN, "en") == "ru"
