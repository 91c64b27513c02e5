"""Countries, forces and people: gazetteers in data files, resolved the way a reader would."""

from __future__ import annotations

from defence_news.extract.gazetteer import load_gazetteer
from defence_news.extract.mentions import find_mentions
from defence_news.extract.people import find_people


def _codes(text: str) -> list[tuple[str, str, str, str | None]]:
    return [(m.text, m.code, m.sector, m.branch) for m in find_mentions(text, load_gazetteer())]


def test_names_adjectives_aliases_and_seats_of_government() -> None:
    found = {
        (t, c)
        for t, c, _, _ in _codes(
            "Washington and Beijing traded words; U.S. and Chinese officials met Filipino, "
            "South Korean and Emirati envoys, and the UAE joined talks with Türkiye."
        )
    }
    assert found >= {
        ("Washington", "USA"),
        ("Beijing", "CHN"),
        ("U.S.", "USA"),
        ("Chinese", "CHN"),
        ("Filipino", "PHL"),
        ("South Korean", "KOR"),
        ("Emirati", "ARE"),
        ("UAE", "ARE"),
        ("Türkiye", "TUR"),
    }


def test_place_names_are_not_countries() -> None:
    assert _codes("Patrols in the South China Sea and the Sea of Japan.") == []


def test_forces_carry_sector_and_branch() -> None:
    found = _codes(
        "The Cambodian and Russian armies, the PLA Navy, INDOPACOM and the Indian Air Force "
        "met NATO and ASEAN."
    )
    assert ("Cambodian", "KHM", "MIL", "army") in found
    assert ("Russian", "RUS", "MIL", "army") in found
    assert ("PLA Navy", "CHN", "MIL", "navy") in found
    assert ("INDOPACOM", "USA", "MIL", None) in found
    assert ("Indian", "IND", "MIL", "air force") in found
    assert ("NATO", "NATO", "GOV", None) in [(t, c, s, b) for t, c, s, b in found if c == "NATO"]
    assert any(c == "ASEAN" for _, c, _, _ in found)


def test_branch_before_the_name() -> None:
    found = _codes("He met the commander of the army of the Chinese People's Liberation Army.")
    assert found == [("Chinese People's Liberation Army", "CHN", "MIL", "army")]
    names = [m.name for m in find_mentions("the navies of both countries", load_gazetteer())]
    assert names == []  # no countries named before: "both countries" resolves to nothing


def test_the_kingdom_and_the_two_countries_resolve_to_earlier_names() -> None:
    text = (
        "Cambodia and Russia agreed to boost ties. The Kingdom will send officers, and the "
        "armies of the two countries will train together."
    )
    refs = [(m.text, m.code, m.kind, m.branch) for m in find_mentions(text, load_gazetteer())]
    assert ("The Kingdom", "KHM", "style", None) in refs
    assert ("the two countries", "KHM", "pair", "army") in refs
    assert ("the two countries", "RUS", "pair", "army") in refs


def test_acronym_defined_in_the_article_wins_over_the_gazetteer() -> None:
    text = "The Royal Canadian Air Force (RCAF) sent jets. The RCAF will stay a month."
    rcaf = [m for m in find_mentions(text, load_gazetteer()) if m.text == "RCAF"]
    assert {m.code for m in rcaf} == {"CAN"}
    default = [m for m in find_mentions("The RCAF hosted the drill.", load_gazetteer())]
    assert default[0].code == "KHM"


def test_people_with_titles_roles_and_later_references() -> None:
    text = (
        "General Mao Sophan, commander of the Cambodian Army, met his Russian counterpart "
        "Oleg Salyukov. Later, Sophan said he was pleased. The general flew home."
    )
    mentions = find_mentions(text, load_gazetteer())
    people, refs = find_people(text, mentions)
    by_name = {p.name: p for p in people}
    assert set(by_name) == {"Mao Sophan", "Oleg Salyukov"}
    sophan = by_name["Mao Sophan"]
    assert (sophan.title, sophan.country, sophan.organisation) == (
        "General",
        "KHM",
        "Cambodian Army",
    )
    assert by_name["Oleg Salyukov"].country == "RUS"
    sophan_index = people.index(sophan)
    kinds = [(text[r.start : r.end], r.kind, r.speaker) for r in refs if r.person == sophan_index]
    assert ("Sophan", "surname", True) in kinds  # "Sophan said": a speaker here
    assert ("he", "pronoun", False) in kinds


def test_titles_before_names_give_the_country() -> None:
    text = "Indian Defence Minister Rajnath Singh hosted US Defense Secretary Lloyd Austin."
    people, _ = find_people(text, find_mentions(text, load_gazetteer()))
    assert [(p.name, p.title, p.country) for p in people] == [
        ("Rajnath Singh", "Defence Minister", "IND"),
        ("Lloyd Austin", "Defense Secretary", "USA"),
    ]


def test_country_of_a_person_from_possessive_or_preceding_role() -> None:
    text = (
        "Pakistan's army chief General Asim Munir met the king. The commander of the Royal "
        "Thai Navy, Admiral Adung Phan-iam, flew to Tokyo with Indonesian President Prabowo."
    )
    people, _ = find_people(text, find_mentions(text, load_gazetteer()))
    by_name = {p.name: (p.country, p.organisation) for p in people}
    assert by_name["Asim Munir"] == ("PAK", "Pakistan army")
    assert by_name["Adung Phan-iam"] == ("THA", "Thai Navy")
    assert by_name["Prabowo"][0] == "IDN"


def test_a_country_after_a_preposition_is_not_a_title_lead() -> None:
    text = "Talks with Russia and Defence Minister Ng Eng Hen ended."
    people, _ = find_people(text, find_mentions(text, load_gazetteer()))
    assert [(p.name, p.country) for p in people] == [("Ng Eng Hen", None)]
