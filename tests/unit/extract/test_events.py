"""Categories, statuses, several events per sentence, and the traps analysts worry about."""

from __future__ import annotations

from datetime import date

import pytest

from defence_news.extract import extract_from_text
from defence_news.models import Event

PUBLISHED = date(2024, 6, 18)


def _events(text: str) -> list[Event]:
    # The grammar alone: these are its behaviours (the learned decisions: tests/unit/extract/learn).
    return extract_from_text(text, doc_id="t", published=PUBLISHED, mode="rules").events


def _summary(text: str) -> set[tuple[str, str, frozenset[str]]]:
    return {(e.category, e.status, frozenset(e.countries)) for e in _events(text)}


@pytest.mark.parametrize(
    ("text", "category", "status", "countries"),
    [
        (
            "Vietnam and Japan signed a memorandum of understanding on logistics on Monday.",
            "agreement",
            "occurred",
            {"VNM", "JPN"},
        ),
        (
            "Manila and Canberra will sign a status of forces agreement in August.",
            "agreement",
            "planned",
            {"PHL", "AUS"},
        ),
        (
            "The Indonesian navy chief visited New Delhi last week for talks with his Indian "
            "counterpart.",
            "visit",
            "occurred",
            {"IDN", "IND"},
        ),
        (
            "A Japanese destroyer made a port call in Cam Ranh Bay, Vietnam, on Sunday.",
            "visit",
            "occurred",
            {"JPN", "VNM"},
        ),
        (
            "Bangladeshi and Indian troops are holding the Sampriti drills in Meghalaya.",
            "exercise",
            "ongoing",
            {"BGD", "IND"},
        ),
        (
            "Malaysia and Singapore will stage joint naval manoeuvres in September.",
            "exercise",
            "planned",
            {"MYS", "SGP"},
        ),
        (
            "German instructors trained 300 Nigerien special forces soldiers in Tillia.",
            "training",
            "occurred",
            {"DEU", "NER"},
        ),
        (
            "Egypt will buy 24 more Rafale fighter jets from France under a new contract.",
            "arms_transfer",
            "planned",
            {"EGY", "FRA"},
        ),
        (
            "Japan handed over three patrol vessels to the Philippine Coast Guard on Friday.",
            "arms_transfer",
            "occurred",
            {"JPN", "PHL"},
        ),
        (
            "The defence ministers of Vietnam and Laos pledged to deepen military cooperation.",
            "dialogue",
            "planned",
            {"VNM", "LAO"},
        ),
        (
            "Mali has suspended all military cooperation with France.",
            "suspension",
            "suspended",
            {"MLI", "FRA"},
        ),
        (
            "Thailand cancelled its planned air force exercise with China because of the floods.",
            "exercise",
            "cancelled",
            {"THA", "CHN"},
        ),
        (
            "Switzerland refused to sell ammunition to Denmark for re-export.",
            "arms_transfer",
            "negated",
            {"CHE", "DNK"},
        ),
    ],
)
def test_category_and_status(text: str, category: str, status: str, countries: set[str]) -> None:
    assert (category, status, frozenset(countries)) in _summary(text)


def test_several_events_in_one_sentence() -> None:
    found = _summary(
        "Australia and Papua New Guinea signed a security pact on Thursday and will hold "
        "their first joint patrols in the Coral Sea next month."
    )
    assert found == {
        ("agreement", "occurred", frozenset({"AUS", "PNG"})),
        ("exercise", "planned", frozenset({"AUS", "PNG"})),
    }


def test_event_spanning_sentences_takes_time_and_place_of_the_visit() -> None:
    events = _events(
        "Thai Defence Minister Sutin Klungsang will visit Tokyo from July 2-4. During the visit, "
        "the two countries will sign an agreement on defence equipment transfers."
    )
    agreement = next(e for e in events if e.category == "agreement")
    assert set(agreement.countries) == {"THA", "JPN"}
    assert (agreement.when.start, agreement.when.end) == ("2024-07-02", "2024-07-04")
    assert agreement.where.country == "JPN"


@pytest.mark.parametrize(
    "text",
    [
        # history lesson
        "In 1979 China and Vietnam fought a short border war, and Soviet advisers trained the "
        "Vietnamese army for decades.",
        # analyst opinion / speculation
        "Some analysts believe Hanoi could one day buy Indian BrahMos missiles.",
        # domestic procurement
        "The Japanese Ministry of Defense ordered 12 more domestically built frigates from "
        "Mitsubishi Heavy Industries.",
        # conflict between the same countries
        "Indian and Chinese troops clashed in the Galwan valley, and each side accused the other "
        "of crossing the line.",
        # coercive drills with a target, not a partner
        "China staged large-scale drills around Taiwan after the inauguration.",
    ],
)
def test_tricky_negatives(text: str) -> None:
    assert _events(text) == []


def test_evidence_points_into_the_text() -> None:
    text = "Intro line without events.\n\nKenya and Britain signed a defence pact on Monday."
    event = _events(text)[0]
    assert text[event.evidence.char_start : event.evidence.char_end] == event.evidence.sentence
    assert "pact" in " ".join(event.evidence.triggers)
    assert 0.0 <= event.confidence <= 1.0
    assert event.cameo_code == "057" and event.plover_type == "AGREE" and event.quad_class == 1


def test_visit_roles_initiator_and_recipient() -> None:
    event = _events("Indonesia's army chief visited Moscow on Monday for talks.")[0]
    assert {a.country: a.role for a in event.actors} == {"IDN": "initiator", "RUS": "recipient"}


def test_arms_transfer_roles_supplier_and_buyer() -> None:
    event = _events("Turkey delivered Bayraktar drones to Kenya last month.")[0]
    assert {a.country: a.role for a in event.actors} == {"TUR": "initiator", "KEN": "recipient"}


def test_attribution_is_kept() -> None:
    event = _events(
        "Fiji and Australia will hold joint drills in October, according to a statement from "
        "the Fijian military."
    )[0]
    assert event.attribution == "according to a statement from the Fijian military"


def test_two_events_of_one_kind_in_one_sentence_keep_distinct_ids() -> None:
    events = _events(
        "Chile will buy two more frigates from Britain next year, after the first two frigates "
        "it bought from Britain arrived in Valparaiso in May."
    )
    transfers = [e for e in events if e.category == "arms_transfer"]
    assert sorted(e.status for e in transfers) == ["occurred", "planned"]
    assert len({e.event_id for e in transfers}) == 2


def test_un_as_the_kind_of_mission_is_not_a_party() -> None:
    found = _summary(
        "Japan will train Mongolian officers for United Nations peacekeeping missions next year."
    )
    assert found == {("training", "planned", frozenset({"JPN", "MNG"}))}


def test_promised_equipment_goes_to_the_country_after_for() -> None:
    event = _events("Germany promised more air defence systems for Moldova on Friday.")[0]
    assert event.category == "arms_transfer" and event.status == "planned"
    assert {a.country: a.role for a in event.actors} == {"DEU": "initiator", "MDA": "recipient"}
