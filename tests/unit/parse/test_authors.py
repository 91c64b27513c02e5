"""Author strings sorted into persons, organisations and what is neither."""

from __future__ import annotations

import pytest

from defence_news.parse.authors import Byline, name_kind, read_bylines, split_byline


@pytest.mark.parametrize(
    ("raw", "persons", "organisations"),
    [
        ("By Ana Rojas and Luis Vega", ("Ana Rojas", "Luis Vega"), ()),
        ("TOMÁS ROJAS, AP Defense Writer", ("TOMÁS ROJAS",), ()),
        ("Ana Rojas, Ledger", ("Ana Rojas",), ("Ledger",)),
        (
            "Ana Rojas | Harbour Media for Harbour.com",
            ("Ana Rojas",),
            ("Harbour Media for Harbour.com",),
        ),
        ("Ana Rojas. Pacific International", ("Ana Rojas",), ("Pacific International",)),
        (
            "LUIS VEGA and ANA ROJAS Associated Press",
            ("LUIS VEGA", "ANA ROJAS"),
            ("Associated Press",),
        ),
        ("By Ana Rojas Tuesday, June 11, 2024, 10:05 am", ("Ana Rojas",), ()),
        ("Ana RojasTuesday, June 11, 2024", ("Ana Rojas",), ()),
        ("Written by Ana Rojas, MS, RD on June 11, 2024", ("Ana Rojas",), ("MS", "RD")),
        ("Analysis by Ana Rojas, Ledger Editor-at-large", ("Ana Rojas",), ()),
        ("Von Jana Weber publiziert am 3. Mai 2024", ("Jana Weber",), ()),
        ("Текст: Анна Петрова", ("Анна Петрова",), ()),
        ("Ledger wire services Published 11:11 PM EST", (), ("Ledger wire services",)),
        ("Reuters", (), ("Reuters",)),
        ("AP", (), ("AP",)),
        ("PTI, Colombo", (), ("PTI",)),
        ("Regan", ("Regan",), ()),
    ],
)
def test_read_bylines(raw, persons, organisations):
    assert read_bylines([raw]) == Byline(persons, organisations)


@pytest.mark.parametrize(
    "junk",
    [
        "admin",
        "deskadmin",
        "emma-mackenzie",
        "ana_rojas",
        "(Image: Getty Images)",
        "Photo credit Ledger archive",
        "@AnaRojas1",
        "Гость",
        "Editorial",
        "November 18",
        "The Russian and Syrian defence ministries",
        "Ana Rojas's most recent stories",
        "Follow Ana Rojas on Twitter",
        "By",
    ],
)
def test_neither_person_nor_organisation(junk):
    assert all(name_kind(part) is None for part in split_byline(junk)), split_byline(junk)


def test_publisher_is_not_a_byline_but_another_outlet_is():
    byline = read_bylines(["Pacific Ledger"])
    assert byline.names({"Pacific Ledger"}) == ()
    assert read_bylines(["Reuters"]).names({"Pacific Ledger"}) == ("Reuters",)
