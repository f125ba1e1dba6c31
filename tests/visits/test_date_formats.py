"""Every public page writes days and clock times one way per language: 3.12.2027 klo 10.00 in
Finnish, 3.12.2027 kl. 10.00 in Swedish, 3 Dec 2027, 10:00 in English, the year only where it is
not this year."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ServicePointFactory
from tests.html import parse, text
from tests.visits.factories import published, sello_library

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))

# What each language's pages must not contain: the other languages' ways and Django's defaults.
FOREIGN = {
    "en": [
        r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",  # 12/07/2026
        r"\b\d{1,2}\.\d{2}\b(?! km)",  # 10.00
        r"\b\d{1,2}\.\d{1,2}\.(\d{4})?",  # 7.12.
        r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\. \d",  # Dec. 7
        r"\b(January|February|March|April|May|June|July|August|September|October|November|December) \d",
        r"\b\d{1,2} ?[ap]\.m\.",  # 10 a.m.
    ],
    "fi": [r"\b\d{1,2}:\d{2}\b", r"\b\d{1,2}\. \w+kuuta\b", r"\b\d{4}-\d{2}-\d{2}\b"],
    "sv": [r"\b\d{1,2}:\d{2}\b", r"\b\d{1,2} (januari|februari|mars|juni|juli|december)\b", r"\b\d{4}-\d{2}-\d{2}\b"],
}


@pytest.fixture
def pages(db):
    venue = sello_library()
    this_year = published("2026-12-07", "10:00", "12:00", venue=venue)
    next_year = published("2027-01-12", "13:00", "15:00", venue=venue)
    point = ServicePointFactory(slug="tapiola", closes_on=datetime.date(2023, 6, 30), area=venue.area)
    return {
        "this_year": this_year,
        "next_year": next_year,
        "paths": [
            "/{lang}/",
            "/{lang}/visits/?start=2026-12-03&end=2027-01-31",
            f"/{{lang}}/visits/{this_year.pk}/",
            f"/{{lang}}/visits/{next_year.pk}/",
            f"/{{lang}}/venues/{venue.pk}/",
            f"/{{lang}}/service-points/{point.slug}/",
            f"/{{lang}}/visits/print/?area={venue.area.slug}",
        ],
    }


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_no_page_writes_a_day_or_a_time_in_another_languages_way(client, pages, lang):
    with time_machine.travel(TODAY, tick=False):
        for path in pages["paths"]:
            response = client.get(path.format(lang=lang))
            assert response.status_code == 200, path
            body = text(parse(response.content.decode()).select_one("main"))
            for pattern in FOREIGN[lang]:
                found = re.search(pattern, body)
                assert found is None, (
                    f"{path}: {found.group(0)!r} in {body[max(found.start() - 60, 0) : found.end() + 60]!r}"
                )


@pytest.mark.parametrize(
    ("lang", "this_year", "next_year", "closed"),
    [
        ("fi", "maanantai 7.12. 10.00–12.00", "tiistai 12.1.2027 13.00–15.00", "30.6.2023"),
        ("sv", "måndag 7.12. 10.00–12.00", "tisdag 12.1.2027 13.00–15.00", "30.6.2023"),
        ("en", "Monday 7 Dec 10:00–12:00", "Tuesday 12 Jan 2027 13:00–15:00", "30 Jun 2023"),
    ],
)
def test_a_visit_page_gives_the_year_only_when_it_is_not_this_year(client, pages, lang, this_year, next_year, closed):
    with time_machine.travel(TODAY, tick=False):
        first = text(
            parse(client.get(f"/{lang}/visits/{pages['this_year'].pk}/").content.decode()).select_one(".visit-when")
        )
        later = text(
            parse(client.get(f"/{lang}/visits/{pages['next_year'].pk}/").content.decode()).select_one(".visit-when")
        )
        point = text(
            parse(client.get(f"/{lang}/service-points/tapiola/").content.decode()).select_one("#closure-heading")
        )

    assert first.lower() == this_year.lower()
    assert later.lower() == next_year.lower()
    assert point.rstrip(".").endswith(closed)
