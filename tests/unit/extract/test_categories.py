"""Category files: the loader's checks, and a new category from one new data file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from defence_news.extract import categories, extract_from_text, rules
from defence_news.extract.categories import load_categories, parse_category

PACKAGED = Path(categories.__file__).parent / "data" / "categories"
_NEW_CATEGORY = """\
order: 8
triggers:
  - '\\bshar(?:e|es|ed|ing) intelligence\\b'
  - '\\bintelligence[- ]sharing\\b'
needs: null
codes:
  default: {cameo: "062", plover: COOPERATE}
"""


def _clear_caches() -> None:
    categories.category_names.cache_clear()
    categories.load_categories.cache_clear()
    rules.load_rules.cache_clear()


@pytest.fixture
def category_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "categories"
    shutil.copytree(PACKAGED, folder)
    monkeypatch.setattr(categories, "category_folder", lambda: folder)
    _clear_caches()
    yield folder
    monkeypatch.undo()
    _clear_caches()


def test_every_packaged_category_loads_in_order() -> None:
    specs = load_categories()
    assert list(specs) == [
        "agreement",
        "visit",
        "exercise",
        "training",
        "arms_transfer",
        "dialogue",
        "suspension",
    ]
    assert specs["arms_transfer"].needs == "equipment"
    assert specs["exercise"].removes["training"] == "clause"


def test_a_new_category_is_one_new_file(category_copy: Path) -> None:
    (category_copy / "intelligence_sharing.yaml").write_text(_NEW_CATEGORY, "utf-8")
    assert categories.category_names()[-1] == "intelligence_sharing"
    events = extract_from_text(
        "Japan and South Korea began sharing intelligence on Monday, officials said.",
        doc_id="t",
        published=date(2024, 6, 18),
    ).events
    found = {(e.category, frozenset(e.countries)) for e in events}
    assert ("intelligence_sharing", frozenset({"JPN", "KOR"})) in found
    sharing = next(e for e in events if e.category == "intelligence_sharing")
    assert sharing.cameo_code == "062"
    assert sharing.status == "ongoing"  # "began": under way


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"triggers": ["\\bMoU\\b"]}, "lower case"),
        ({"triggers": ["\\bmou\\S"]}, "lower case"),
        ({"colour": "blue"}, "unknown keys"),
        ({"removes": {"dialogue": "paragraph"}}, "scopes"),
        ({"roles": "buyer"}, "roles"),
    ],
)
def test_a_bad_category_file_is_refused_with_its_name(change: dict, message: str) -> None:
    data = {"order": 9, "triggers": ["\\bpact\\b"], "needs": None, "codes": {}} | change
    with pytest.raises(ValueError, match=message) as raised:
        parse_category("broken", data)
    assert "categories/broken.yaml" in str(raised.value)


def test_a_category_referring_to_an_unknown_one_is_refused(category_copy: Path) -> None:
    (category_copy / "odd.yaml").write_text(_NEW_CATEGORY + "removes: {ceasefire: near}\n", "utf-8")
    with pytest.raises(ValueError, match=r"odd\.yaml: unknown categories"):
        load_categories()
