"""General rules added after blind batches: grammar, lexicon and cross-sentence reading.

These test the grammar alone (``mode="rules"``), the part that proposes candidates; the
learned decisions on top of it are tested in ``tests/unit/extract/learn/``.

Each sentence here is written for the test and appears in no development passage, so a
rule fitted to one passage would not pass them.
"""

from __future__ import annotations

from datetime import date

import pytest

from defence_news.extract import extract_from_text

PUBLISHED = date(2026, 5, 20)


def _summary(text: str) -> set[tuple[str, str, frozenset[str]]]:
    # The grammar alone: these are its rules (the learned decisions: tests/unit/extract/learn).
    events = extract_from_text(text, doc_id="t", published=PUBLISHED, mode="rules").events
    return {(e.category, e.status, frozenset(e.countries)) for e in events}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A passive strong verb after the trigger tells what became of it.
        (
            "Ankara's plan to hold air drills with Baku next month was called off on Friday.",
            ("exercise", "cancelled", {"TUR", "AZE"}),
        ),
        # "after X and Y began drills": the subject of the "after" clause is a party.
        (
            "Pyongyang fired a missile on Tuesday, hours after Japan and the United States "
            "began a naval exercise.",
            ("exercise", "ongoing", {"JPN", "USA"}),
        ),
        # One of the pair of the previous sentence joins an activity: with the other.
        (
            "Kenya and Britain signed a defence cooperation agreement on Monday. Kenyan troops "
            "will join the Askari Storm exercise next month.",
            ("exercise", "planned", {"KEN", "GBR"}),
        ),
        # "a letter of intent" is a document signed, not an intention.
        (
            "The navies of Norway and Poland signed a letter of intent on submarine training.",
            ("agreement", "occurred", {"NOR", "POL"}),
        ),
        # A general arriving somewhere is a visit; told as news on an undated page, it is
        # under way (as the real-text annotators read "warships arrived on Wednesday").
        (
            "General Ahmed Haroun, the Egyptian chief of staff, arrived in Athens on Monday.",
            ("visit", "ongoing", {"EGY", "GRC"}),
        ),
        # Readiness and resolve are dialogue.
        (
            "Peru's defence minister said his country was ready to cooperate with Brazil on "
            "river patrol boats.",
            ("dialogue", "planned", {"PER", "BRA"}),
        ),
        # "held talks on" is a meeting held; its topic is only planned.
        (
            "Chad and Niger held talks on border security in N'Djamena on Wednesday.",
            ("visit", "occurred", {"TCD", "NER"}),
        ),
        # Gifts, leases and makers are transfers.
        (
            "Denmark will gift eight patrol boats to Ghana.",
            ("arms_transfer", "planned", {"DNK", "GHA"}),
        ),
        (
            "Slovakia will lease six helicopters from Poland for two years.",
            ("arms_transfer", "planned", {"SVK", "POL"}),
        ),
        (
            "Nigeria commissioned two corvettes built by Turkey on Saturday.",
            ("arms_transfer", "occurred", {"NGA", "TUR"}),
        ),
    ],
)
def test_general_rule(text: str, expected: tuple[str, str, set[str]]) -> None:
    category, status, countries = expected
    assert (category, status, frozenset(countries)) in _summary(text)


@pytest.mark.parametrize(
    "text",
    [
        # Non-defence portfolios and civil senses of "exercise" / "training".
        "Chile's health minister met her Argentine counterpart to discuss a measles outbreak.",
        "Students from Latvia and Lithuania joined a cross-border rowing exercise on Saturday.",
        "The Irish and Scottish rugby teams trained together in Dublin ahead of the match.",
        # Joint procurement is two buyers, not a sale between them.
        "Estonia and Latvia signed a letter of intent on joint procurement of air defence systems.",
    ],
)
def test_no_cooperation_event(text: str) -> None:
    assert not {s for s in _summary(text) if s[0] != "agreement"}


def test_civil_text_says_why_it_is_empty() -> None:
    result = extract_from_text(
        "Chile's health minister met her Argentine counterpart to discuss vaccines.",
        doc_id="t",
        published=PUBLISHED,
    )
    assert result.events == []
    assert result.reason == "not_defence"


def test_venue_of_a_forum_is_not_a_party() -> None:
    summary = _summary(
        "The defence ministers of Canada and South Korea met on the sidelines of a security "
        "forum in Singapore on Saturday."
    )
    assert ("visit", "occurred", frozenset({"CAN", "KOR"})) in summary


def test_background_aside_is_not_a_party() -> None:
    summary = _summary(
        "Morocco, which also flies French-built jets and Russian-made helicopters, is buying "
        "drones from Turkey."
    )
    assert {s[2] for s in summary} == {frozenset({"MAR", "TUR"})}


def test_critic_of_the_drills_is_not_a_party() -> None:
    summary = _summary(
        "China denounced the drills that Australian and Philippine forces held near Palawan "
        "on Sunday."
    )
    assert {s[2] for s in summary} == {frozenset({"AUS", "PHL"})}


def test_a_meeting_during_the_visit_is_part_of_the_visit() -> None:
    summary = _summary(
        "Brazil's army commander arrived in Luanda on Monday. During the visit, he will meet "
        "Angola's chief of staff."
    )
    assert [s for s in summary if s[0] == "visit"] == [
        ("visit", "ongoing", frozenset({"BRA", "AGO"}))  # an undated arrival: under way
    ]


def test_a_later_sentence_names_a_korean_minister_by_family_name() -> None:
    summary = _summary(
        "Peru's defence minister hosted his South Korean counterpart Shin Won-sik in Lima. "
        "Shin will visit a shipyard in Callao on Friday before flying to Quito, where he is "
        "due to meet Ecuador's defence minister."
    )
    assert ("visit", "planned", frozenset({"KOR", "ECU"})) in summary


def test_a_place_visited_is_not_an_activity() -> None:
    summary = _summary(
        "Kenya's army chief will visit the Indian Military Academy in Dehradun next week."
    )
    assert {s[0] for s in summary} == {"visit"}


def test_the_date_inside_agreed_on_monday_is_when_it_was_agreed() -> None:
    events = extract_from_text(
        "Oman and India agreed on Monday to expand naval cooperation.",
        doc_id="t",
        published=PUBLISHED,  # a Wednesday
        mode="rules",
    ).events
    dialogue = next(e for e in events if e.category == "dialogue")
    assert dialogue.status == "planned"
    assert dialogue.when.start == "2026-05-18"


def test_signing_witnessed_is_an_agreement() -> None:
    summary = _summary(
        "The Omani and Jordanian defence ministers witnessed the signing of a memorandum on "
        "military medicine in Muscat on Tuesday."
    )
    assert ("agreement", "occurred", frozenset({"OMN", "JOR"})) in summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Italy's defence minister said his country would help Qatar build two corvettes.",
            ("arms_transfer", "planned", {"ITA", "QAT"}),
        ),
        (
            "The Armenian defence ministry said no joint drills with France were planned.",
            ("exercise", "negated", {"ARM", "FRA"}),
        ),
        (
            "Mali cut all defence ties with Sweden last month.",
            ("suspension", "suspended", {"MLI", "SWE"}),
        ),
        (
            "Japan will provide security assistance worth $20 million to Sri Lanka's navy.",
            ("arms_transfer", "planned", {"JPN", "LKA"}),
        ),
    ],
)
def test_more_general_rules(text: str, expected: tuple[str, str, set[str]]) -> None:
    category, status, countries = expected
    assert (category, status, frozenset(countries)) in _summary(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Manila rejected a Chinese request to make port calls at Subic Bay.",
            ("visit", "negated", {"CHN", "PHL"}),
        ),
        (
            "Peru has dropped a plan to buy South Korean tanks, the defence ministry said.",
            ("arms_transfer", "cancelled", {"KOR", "PER"}),
        ),
        (
            "The French carrier Charles de Gaulle will sail alongside Indian warships next week.",
            ("exercise", "planned", {"FRA", "IND"}),
        ),
        # "allow" without an agreement in the clause does not make the exercise hypothetical.
        (
            "Serbia said it would not allow Russian units to join the Slavic Brotherhood drills.",
            ("exercise", "negated", {"SRB", "RUS"}),
        ),
        # The origin of an agreement is not the date it was ended.
        (
            "Niger ended a defence agreement with Germany dating from 1978 on Sunday.",
            ("agreement", "cancelled", {"NER", "DEU"}),
        ),
    ],
)
def test_round_7b_rules(text: str, expected: tuple[str, str, set[str]]) -> None:
    category, status, countries = expected
    assert (category, status, frozenset(countries)) in _summary(text)


def test_separate_drills_do_not_join_the_subjects_exercise() -> None:
    summary = _summary(
        "Egypt and Greece began an air exercise on Monday, while Turkey's navy held separate "
        "drills nearby."
    )
    assert {s[2] for s in summary} == {frozenset({"EGY", "GRC"})}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Words of an organisation's name are not triggers ("... Security Treaty ...").
        (
            "Belarus has frozen its participation in the Collective Security Treaty "
            "Organization, Minsk said.",
            ("suspension", "suspended", {"BLR", "CSTO"}),
        ),
        # A trailing reporter with a participle after it is still only the reporter.
        (
            "China and Iran have not held joint naval drills this year, a Pakistani official "
            "said, rejecting media reports.",
            ("exercise", "negated", {"CHN", "IRN"}),
        ),
        # "the first ... since 2015" is how long it had been, not an ongoing state.
        (
            "Morocco and Spain held their first joint naval exercise since 2015 off Ceuta on "
            "Tuesday.",
            ("exercise", "occurred", {"MAR", "ESP"}),
        ),
        (
            "The US Senate was notified of a proposed $900 million sale of radars to Romania.",
            ("arms_transfer", "planned", {"USA", "ROU"}),
        ),
    ],
)
def test_round_7c_rules(text: str, expected: tuple[str, str, set[str]]) -> None:
    category, status, countries = expected
    assert {(category, status, frozenset(countries))} == _summary(text)


def test_considering_is_not_yet_an_event() -> None:
    assert not _summary(
        "Chile's government is considering whether to buy Swedish submarines, its defence "
        "minister said."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Estonia received six howitzers paid for by Norway and built in South Korea.",
            ("arms_transfer", "occurred", {"EST", "NOR", "KOR"}),
        ),
        (
            "Malaysia's defence minister is on a four-day visit to Japan.",
            ("visit", "ongoing", {"MYS", "JPN"}),
        ),
        (
            "Serbian and Hungarian troops have not held a joint exercise since the 2022 dispute.",
            ("exercise", "suspended", {"SRB", "HUN"}),
        ),
        (
            "Britain will base two frigates in Oman under a new access agreement to be signed in "
            "June.",
            ("agreement", "planned", {"GBR", "OMN"}),
        ),
        (
            "Egypt's army chief hosted his Sudanese counterpart and proposed joint border drills.",
            ("exercise", "planned", {"EGY", "SDN"}),
        ),
    ],
)
def test_round_7d_rules(text: str, expected: tuple[str, str, set[str]]) -> None:
    category, status, countries = expected
    assert (category, status, frozenset(countries)) in _summary(text)
