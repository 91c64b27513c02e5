"""Choosing parties from the model's probabilities; the learned path end to end."""

from __future__ import annotations

from defence_news.extract import extract_from_text
from defence_news.extract.context import Candidate, Party
from defence_news.extract.learn.decide import PAIR_FLOOR, choose_parties
from defence_news.extract.sentences import Sentence


def _candidate(offered: dict[str, str], rule: tuple[str, ...] = ()) -> Candidate:
    sentence = Sentence(0, 0, 10, "x" * 10)
    return Candidate(
        category="visit",
        status=None,
        sentence=sentence,
        triggers=["visited"],
        trigger_start=0,
        parties={code: Party(code) for code in rule},
        people=[],
        when=None,
        where_country=None,
        where_place=None,
        event_name=None,
        attribution=None,
        anaphoric=False,
        linked_to_visit=False,
        speculative=False,
        potential={code: Party(code, source=source) for code, source in offered.items()},
    )


def test_the_parties_are_those_above_the_threshold() -> None:
    candidate = _candidate({"KHM": "sentence", "RUS": "sentence", "CHN": "document"})
    choice = choose_parties(candidate, {"KHM": 0.9, "RUS": 0.7, "CHN": 0.2}, 0.6)
    assert set(choice.parties) == {"KHM", "RUS"}
    assert choice.probabilities == {"KHM": 0.9, "RUS": 0.7}


def test_a_close_second_completes_a_pair() -> None:
    candidate = _candidate({"KHM": "sentence", "USA": "previous"})
    assert set(choose_parties(candidate, {"KHM": 0.9, "USA": 0.45}, 0.6).parties) == {
        "KHM",
        "USA",
    }
    far = PAIR_FLOOR - 0.05
    assert set(choose_parties(candidate, {"KHM": 0.9, "USA": far}, 0.6).parties) == {"KHM"}


def test_the_grammar_s_party_records_are_kept_for_chosen_parties() -> None:
    candidate = _candidate({"KHM": "sentence", "RUS": "sentence"}, rule=("KHM",))
    choice = choose_parties(candidate, {"KHM": 0.9, "RUS": 0.9}, 0.6)
    assert choice.parties["KHM"] is candidate.parties["KHM"]
    assert choice.parties["RUS"] is candidate.potential["RUS"]


_SIGNING = "Indonesia and Australia signed a defence cooperation agreement in Canberra on Monday."


def _signing(mode: str):
    return extract_from_text(_SIGNING, doc_id="t", published="2024-03-12", mode=mode).events


def test_learned_events_carry_a_calibrated_confidence_and_the_model_version() -> None:
    events = _signing("learned")
    assert [(e.category, e.status, set(e.countries)) for e in events] == [
        ("agreement", "occurred", {"AUS", "IDN"})
    ]
    event = events[0]
    assert 0.0 < event.confidence < 1.0
    assert event.extractor.name == "defence_news.rules+learned"
    assert event.extractor.version.startswith("2.0.0+")


def test_the_grammar_alone_says_so_in_the_record() -> None:
    events = _signing("rules")
    assert events[0].extractor.name == "defence_news.rules"
    assert events[0].extractor.version == "2.0.0"
