"""Schedulers and residents read a repeat rule as words in their language, never as FREQ=….

The Finnish and Swedish cases need the translations of `visits/recurrence.py` in locale/.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.html import parse, text
from tests.visits.factories import UserFactory, VenueFactory, VisitSeriesFactory
from visits.recurrence import rule_dates, rule_in_words

TUESDAY_3_MARCH_2026 = datetime.date(2026, 3, 3)
# A rule's last day is written without its year when it is this year: 31.12. (2026), 3.2.2027.
NOW = datetime.datetime(2026, 2, 16, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture(autouse=True)
def _monday_16_february_2026():
    with time_machine.travel(NOW, tick=False):
        yield


# rule, then the words in English, Finnish and Swedish for a series from Tuesday 3 March 2026, 10–14,
# seen in 2026.
RULES = [
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270203",
        "every other Wednesday 10:00–14:00 until 3 Feb 2027",
        "joka toinen keskiviikko klo 10.00–14.00, 3.2.2027 asti",
        "varannan onsdag kl. 10.00–14.00 till och med 3.2.2027",
    ),
    (
        "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10",
        "every Tuesday and Thursday 10:00–14:00, 10 times",
        "joka tiistai ja torstai klo 10.00–14.00, 10 kertaa",
        "varje tisdag och torsdag kl. 10.00–14.00, 10 gånger",
    ),
    (
        "RRULE:FREQ=WEEKLY;BYDAY=FR,MO,WE;COUNT=12",
        "every Monday, Wednesday and Friday 10:00–14:00, 12 times",
        "joka maanantai, keskiviikko ja perjantai klo 10.00–14.00, 12 kertaa",
        "varje måndag, onsdag och fredag kl. 10.00–14.00, 12 gånger",
    ),
    (
        "FREQ=WEEKLY;COUNT=1",
        "every Tuesday 10:00–14:00, 1 time",
        "joka tiistai klo 10.00–14.00, 1 kerta",
        "varje tisdag kl. 10.00–14.00, 1 gång",
    ),
    (
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU;UNTIL=20261231T235959",
        "every 3rd Tuesday 10:00–14:00 until 31 Dec",
        "joka 3. tiistai klo 10.00–14.00, 31.12. asti",
        "var 3:e tisdag kl. 10.00–14.00 till och med 31.12.",
    ),
    (
        "FREQ=WEEKLY;INTERVAL=21;BYDAY=TU;COUNT=2",
        "every 21st Tuesday 10:00–14:00, 2 times",
        "joka 21. tiistai klo 10.00–14.00, 2 kertaa",
        "var 21:a tisdag kl. 10.00–14.00, 2 gånger",
    ),
    (
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=7",
        "every day 10:00–14:00, 7 times",
        "joka päivä klo 10.00–14.00, 7 kertaa",
        "varje dag kl. 10.00–14.00, 7 gånger",
    ),
    (
        "FREQ=DAILY;COUNT=5",
        "every day 10:00–14:00, 5 times",
        "joka päivä klo 10.00–14.00, 5 kertaa",
        "varje dag kl. 10.00–14.00, 5 gånger",
    ),
    (
        "FREQ=DAILY;INTERVAL=2;COUNT=5",
        "every other day 10:00–14:00, 5 times",
        "joka toinen päivä klo 10.00–14.00, 5 kertaa",
        "varannan dag kl. 10.00–14.00, 5 gånger",
    ),
    (
        "FREQ=DAILY;INTERVAL=3;COUNT=5",
        "every 3rd day 10:00–14:00, 5 times",
        "joka 3. päivä klo 10.00–14.00, 5 kertaa",
        "var 3:e dag kl. 10.00–14.00, 5 gånger",
    ),
    (
        "FREQ=DAILY;BYDAY=MO,WE;COUNT=4",
        "every Monday and Wednesday 10:00–14:00, 4 times",
        "joka maanantai ja keskiviikko klo 10.00–14.00, 4 kertaa",
        "varje måndag och onsdag kl. 10.00–14.00, 4 gånger",
    ),
    (
        "FREQ=DAILY;INTERVAL=2;BYDAY=MO,FR;COUNT=4",
        "every other day, on Mondays and Fridays only 10:00–14:00, 4 times",
        "joka toinen päivä, vain maanantaisin ja perjantaisin klo 10.00–14.00, 4 kertaa",
        "varannan dag, endast på måndagar och fredagar kl. 10.00–14.00, 4 gånger",
    ),
    (
        "FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
        "on the first Tuesday of the month 10:00–14:00, 6 times",
        "kuukauden ensimmäinen tiistai klo 10.00–14.00, 6 kertaa",
        "första tisdagen i månaden kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;BYDAY=-1TU;COUNT=6",
        "on the last Tuesday of the month 10:00–14:00, 6 times",
        "kuukauden viimeinen tiistai klo 10.00–14.00, 6 kertaa",
        "sista tisdagen i månaden kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;BYDAY=3TU,1TU,-1FR;COUNT=6",
        "on the first and third Tuesday and last Friday of the month 10:00–14:00, 6 times",
        "kuukauden ensimmäinen ja kolmas tiistai ja viimeinen perjantai klo 10.00–14.00, 6 kertaa",
        "första och tredje tisdagen och sista fredagen i månaden kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-2TH;COUNT=6",
        "on the second-to-last Thursday of every other month 10:00–14:00, 6 times",
        "joka toisen kuukauden toiseksi viimeinen torstai klo 10.00–14.00, 6 kertaa",
        "näst sista torsdagen varannan månad kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=2MO;COUNT=4",
        "on the second Monday of every 3rd month 10:00–14:00, 4 times",
        "joka 3. kuukauden toinen maanantai klo 10.00–14.00, 4 kertaa",
        "andra måndagen var 3:e månad kl. 10.00–14.00, 4 gånger",
    ),
    (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU;COUNT=6",
        "every Tuesday of every other month 10:00–14:00, 6 times",
        "joka tiistai joka toisena kuukautena klo 10.00–14.00, 6 kertaa",
        "varje tisdag varannan månad kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6",
        "on the 15th of every month 10:00–14:00, 6 times",
        "joka kuukauden 15. päivä klo 10.00–14.00, 6 kertaa",
        "den 15:e i varje månad kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=-1,1;COUNT=6",
        "on the 1st and last day of every month 10:00–14:00, 6 times",
        "joka kuukauden 1. ja viimeinen päivä klo 10.00–14.00, 6 kertaa",
        "den 1:a och sista dagen i varje månad kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-3;COUNT=6",
        "on the third-to-last day of every other month 10:00–14:00, 6 times",
        "joka toisen kuukauden kolmanneksi viimeinen päivä klo 10.00–14.00, 6 kertaa",
        "den tredje sista dagen varannan månad kl. 10.00–14.00, 6 gånger",
    ),
    (
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=22;COUNT=4",
        "on the 22nd of every 3rd month 10:00–14:00, 4 times",
        "joka 3. kuukauden 22. päivä klo 10.00–14.00, 4 kertaa",
        "den 22:a var 3:e månad kl. 10.00–14.00, 4 gånger",
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=-8;COUNT=3",
        "on the 8th-to-last day of every month 10:00–14:00, 3 times",
        "joka kuukauden 8. viimeinen päivä klo 10.00–14.00, 3 kertaa",
        "den 8:e sista dagen i varje månad kl. 10.00–14.00, 3 gånger",
    ),
    (
        "FREQ=MONTHLY;COUNT=3",
        "on the 3rd of every month 10:00–14:00, 3 times",
        "joka kuukauden 3. päivä klo 10.00–14.00, 3 kertaa",
        "den 3:e i varje månad kl. 10.00–14.00, 3 gånger",
    ),
    (
        "FREQ=DAILY;BYMONTHDAY=1;COUNT=3",
        "on the 1st of every month 10:00–14:00, 3 times",
        "joka kuukauden 1. päivä klo 10.00–14.00, 3 kertaa",
        "den 1:a i varje månad kl. 10.00–14.00, 3 gånger",
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;BYMONTHDAY=15;COUNT=3",
        "every other week, on the 15th of the month only 10:00–14:00, 3 times",
        "joka toinen viikko, vain kun on kuukauden 15. päivä klo 10.00–14.00, 3 kertaa",
        "varannan vecka, endast den 15:e i månaden kl. 10.00–14.00, 3 gånger",
    ),
    (
        "FREQ=MONTHLY;BYDAY=MO,1TU;COUNT=3",
        "every Monday and on the first Tuesday of the month 10:00–14:00, 3 times",
        "joka maanantai ja kuukauden ensimmäinen tiistai klo 10.00–14.00, 3 kertaa",
        "varje måndag och första tisdagen i månaden kl. 10.00–14.00, 3 gånger",
    ),
    (
        "FREQ=WEEKLY;BYDAY=TU;COUNT=4;UNTIL=20270401T235959",
        "every Tuesday 10:00–14:00, 4 times until 1 Apr 2027",
        "joka tiistai klo 10.00–14.00, 4 kertaa, 1.4.2027 asti",
        "varje tisdag kl. 10.00–14.00, 4 gånger till och med 1.4.2027",
    ),
]


def words(rule: str, **kwargs) -> str:
    return rule_in_words(
        rule=rule,
        starts_on=kwargs.pop("starts_on", TUESDAY_3_MARCH_2026),
        start_time=kwargs.pop("start_time", datetime.time(10)),
        end_time=kwargs.pop("end_time", datetime.time(14)),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("rule", "lang", "expected"),
    [
        pytest.param(rule, lang, expected, id=f"{lang}-{rule}")
        for rule, *in_languages in RULES
        for lang, expected in zip(("en", "fi", "sv"), in_languages, strict=True)
    ],
)
def test_a_rule_reads_as_words_in_the_language_of_the_page(rule, lang, expected):
    with translation.override(lang):
        assert words(rule) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "every Tuesday 09:30–14:00"),
        ("fi", "joka tiistai klo 09.30–14.00"),
        ("sv", "varje tisdag kl. 09.30–14.00"),
    ],
)
def test_a_visit_pattern_leaves_out_the_end_and_writes_the_clock_as_the_city_does(lang, expected):
    with translation.override(lang):
        assert words("FREQ=WEEKLY;BYDAY=TU;COUNT=10", start_time=datetime.time(9, 30), with_end=False) == expected


@pytest.mark.parametrize(
    ("rule", "weekday"),
    [("FREQ=WEEKLY;COUNT=3", "Wednesday"), ("FREQ=WEEKLY;BYDAY=1WE;COUNT=3", "Wednesday")],
)
def test_a_weekly_rule_reads_as_the_days_the_series_really_gets(rule, weekday):
    """Without BYDAY the weekday is the first day's; an ordinal outside a monthly rule is ignored."""
    wednesday = datetime.date(2026, 3, 4)

    with translation.override("en"):
        assert words(rule, starts_on=wednesday) == f"every {weekday} 10:00–14:00, 3 times"
    assert rule_dates(rule=rule, starts_on=wednesday) == [wednesday + datetime.timedelta(weeks=n) for n in range(3)]


def test_a_rule_the_parser_refuses_is_refused_here_too():
    with translation.override("en"), pytest.raises(ValidationError):
        words("FREQ=HOURLY;COUNT=3")


# The staff pages ------------------------------------------------------------------------------


@pytest.fixture
def scheduler_client(client, db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(user)
    return client


@pytest.fixture
def series(db):
    venue = VenueFactory(name_fi="Sellon kirjasto", name_sv="Sellon kirjasto", name_en="Sellon kirjasto")
    return VisitSeriesFactory(
        venue=venue,
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270203",
        start_time=datetime.time(10),
        end_time=datetime.time(14),
    )


def test_the_series_list_shows_each_rule_as_words(scheduler_client, series):
    with translation.override("en"):
        response = scheduler_client.get(reverse("staff:series_list"))

    page = text(parse(response.content.decode()), separator=" ")
    assert "Every other Wednesday 10:00–14:00 until 3 Feb 2027" in page
    assert "FREQ=" not in page


def test_the_series_page_shows_the_rule_as_words_and_keeps_the_raw_rule_folded_away(scheduler_client, series):
    with translation.override("en"):
        response = scheduler_client.get(reverse("staff:series_detail", kwargs={"pk": series.pk}))

    description = parse(response.content.decode()).find("dt", string="Repeat rule").find_next_sibling("dd")
    assert text(description, skip=("details",)) == "Every other Wednesday 10:00–14:00 until 3 Feb 2027"
    folded = description.find("details")
    assert text(folded.find("summary")) == "Repeat rule (RFC 5545 RRULE)"
    assert folded.find("code").get_text() == series.rrule


def test_a_stored_rule_the_parser_now_refuses_is_shown_as_written_rather_than_breaking_the_page(db):
    series = VisitSeriesFactory(rrule="FREQ=WEEKLY;BYHOUR=10;COUNT=3")

    with translation.override("en"):
        assert series.rule_in_words == "FREQ=WEEKLY;BYHOUR=10;COUNT=3"
