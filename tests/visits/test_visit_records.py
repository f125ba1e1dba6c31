"""Advisors record whom they helped (issue 14): how many people a visit helped and, for each
contact, the kinds of help, the language and optionally an age group. Its own advisors record and
correct the figures for 7 days, a scheduler at any time, every change is in the history, and bad
input is refused with a clear message and nothing saved."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import ServiceTypeFactory
from tests.html import parse, text
from tests.visits.factories import AdvisorFactory, LanguageFactory, UserFactory, VisitFactory
from visits.models import Contact, VisitRecord
from visits.recurrence import local_datetime
from visits.selectors import record_history
from visits.services import ContactPlan, visit_record_save

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, noon in Helsinki (UTC+2).
NOW = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 4)
MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _wednesday_noon():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, the source language; the pages are also opened in Finnish."""
    with translation.override("en"):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def in_group(user, role: str):
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def aino(db):
    advisor = AdvisorFactory(user__first_name="Aino", user__last_name="Neuvoja")
    in_group(advisor.user, "advisor")
    return advisor


@pytest.fixture
def bertil(db):
    advisor = AdvisorFactory(user__first_name="Bertil", user__last_name="Rådgivare")
    in_group(advisor.user, "advisor")
    return advisor


@pytest.fixture
def scheduler(db):
    return in_group(UserFactory(first_name="Sanna", last_name="Suunnittelija"), "scheduler")


@pytest.fixture
def kinds(db) -> dict:
    return {
        "digital": ServiceTypeFactory(slug="digital-support", name_en="Digital support", ordering=1),
        "kela": ServiceTypeFactory(slug="kela", name_en="Kela matters", ordering=2),
        "hsl": ServiceTypeFactory(slug="hsl-card", name_en="HSL card", ordering=3),
    }


@pytest.fixture
def languages(db) -> dict:
    return {
        "fi": LanguageFactory(code="fi", name_fi="suomi", name_sv="finska", name_en="Finnish"),
        "sv": LanguageFactory(code="sv", name_fi="ruotsi", name_sv="svenska", name_en="Swedish"),
    }


@pytest.fixture
def held(aino):
    """Aino's visit of today, under way: 10–14 at Sellon kirjasto."""
    return VisitFactory(
        published=True, starts_at=at(TODAY, 10), ends_at=at(TODAY, 14), advisors=[aino], venue__name_en="Sello library"
    )


@pytest.fixture
def monday_visit(aino):
    """Aino's visit of last Monday, 2 March 10–12: her figures can be corrected until 9 March."""
    return VisitFactory(
        published=True, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), advisors=[aino], venue__name_en="Iso Omena"
    )


def contact(kinds, languages, *names, language="fi", age_group="") -> ContactPlan:
    return ContactPlan(services=[kinds[n] for n in names], language=languages[language], age_group=age_group)


def described(field) -> str:
    """The texts a screen reader reads out with a field: those its aria-describedby names."""
    page = field.find_parent("html")
    return " ".join(text(page.find(id=target)) for target in field.get("aria-describedby", "").split())


# Recording ---------------------------------------------------------------------------------------


def test_an_advisor_records_how_many_people_their_visit_helped_and_with_what(held, aino, kinds, languages):
    record = visit_record_save(
        visit=held,
        user=aino.user,
        people_helped=3,
        contacts=[
            contact(kinds, languages, "digital", "kela", age_group="75_over"),
            contact(kinds, languages, "hsl", language="sv"),
        ],
    )

    record = VisitRecord.objects.get(visit=held)
    assert record.people_helped == 3
    assert record.recorded_by == aino.user
    first, second = record.contacts.order_by("pk")
    assert {s.slug for s in first.services.all()} == {"digital-support", "kela"}
    assert (first.language_id, first.age_group) == ("fi", "75_over")
    assert [s.slug for s in second.services.all()] == ["hsl-card"]
    assert (second.language_id, second.age_group) == ("sv", "")


def test_a_visit_held_with_nobody_coming_is_told_apart_from_one_not_recorded_yet(held, monday_visit, aino):
    visit_record_save(visit=held, user=aino.user, people_helped=0, contacts=[])

    assert VisitRecord.objects.get(visit=held).nobody_came
    assert not VisitRecord.objects.filter(visit=monday_visit).exists()


@pytest.mark.parametrize(
    ("people", "refusal"),
    [
        (500, None),
        (501, "At most 500 people can be recorded for one visit; check the number."),
        (-1, "The number of people helped cannot be negative."),
        (32767, "At most 500 people can be recorded for one visit; check the number."),
    ],
)
def test_an_absurd_or_negative_count_is_refused_with_a_message_and_nothing_saved(held, aino, people, refusal):
    if refusal is None:
        assert visit_record_save(visit=held, user=aino.user, people_helped=people, contacts=[]).people_helped == 500
        return
    with pytest.raises(ValidationError) as raised:
        visit_record_save(visit=held, user=aino.user, people_helped=people, contacts=[])

    assert raised.value.message_dict == {"people_helped": [refusal]}
    assert not VisitRecord.objects.exists()


def test_the_database_itself_refuses_more_than_500_people(held, aino):
    record = visit_record_save(visit=held, user=aino.user, people_helped=5, contacts=[])

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitRecord.objects.filter(pk=record.pk).update(people_helped=501)
    assert VisitRecord.objects.get().people_helped == 5


def test_more_contacts_than_people_are_refused_and_nothing_saved(held, aino, kinds, languages):
    visit_record_save(visit=held, user=aino.user, people_helped=1, contacts=[contact(kinds, languages, "kela")])

    with pytest.raises(ValidationError) as raised:
        visit_record_save(
            visit=held,
            user=aino.user,
            people_helped=1,
            contacts=[contact(kinds, languages, "kela"), contact(kinds, languages, "digital")],
        )

    assert raised.value.message_dict == {
        "contacts": ["Contacts listed: 2; people helped: 1. There cannot be more contacts than people."]
    }
    assert [c.services.get().slug for c in Contact.objects.all()] == ["kela"]


def test_a_contact_needs_a_kind_of_help_and_a_language(held, aino, kinds, languages):
    with pytest.raises(ValidationError) as raised:
        visit_record_save(
            visit=held,
            user=aino.user,
            people_helped=2,
            contacts=[
                ContactPlan(services=[], language=languages["fi"]),
                ContactPlan(services=[kinds["kela"]], language=None),
            ],
        )

    assert raised.value.message_dict["contacts"] == [
        "Contact 1: choose at least one kind of help.",
        "Contact 2: choose the language used.",
    ]
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        ("not started", "not_started", "The visit has not started yet: record whom you helped once it has begun."),
        ("cancelled", "cancelled", "The visit was cancelled: it has no figures to record."),
        ("draft", "draft", "The visit was never published, so it was not held: it has no figures to record."),
        (
            "another advisor's",
            "not_own",
            "Only the visit's own advisors and the schedulers can record whom the visit helped.",
        ),
    ],
)
def test_figures_for_a_visit_that_was_not_held_or_is_not_yours_are_refused(aino, bertil, kind, code, message):
    visit = {
        "not started": lambda: VisitFactory(
            published=True, starts_at=at(TODAY, 15), ends_at=at(TODAY, 17), advisors=[aino]
        ),
        "cancelled": lambda: VisitFactory(
            cancelled=True, starts_at=at(TODAY, 10), ends_at=at(TODAY, 14), advisors=[aino]
        ),
        "draft": lambda: VisitFactory(starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), advisors=[aino]),
        "another advisor's": lambda: VisitFactory(
            published=True, starts_at=at(TODAY, 10), ends_at=at(TODAY, 14), advisors=[bertil]
        ),
    }[kind]()

    with pytest.raises(ValidationError) as raised:
        visit_record_save(visit=visit, user=aino.user, people_helped=2, contacts=[])

    assert (raised.value.code, raised.value.message) == (code, message)
    assert not VisitRecord.objects.exists()


def test_an_advisor_taken_off_the_visit_can_no_longer_record_it(held, aino):
    held.assignments.update(active=False)

    with pytest.raises(ValidationError) as raised:
        visit_record_save(visit=held, user=aino.user, people_helped=2, contacts=[])
    assert raised.value.code == "not_own"


@pytest.mark.parametrize(
    ("role", "moment", "allowed"),
    [
        ("advisor", at(MONDAY, 12), True),
        ("advisor", at(datetime.date(2026, 3, 9), 23, 59), True),
        ("advisor", at(datetime.date(2026, 3, 10), 0, 0), False),
        ("scheduler", at(datetime.date(2026, 3, 9), 23, 59), True),
        ("scheduler", at(datetime.date(2026, 3, 10), 0, 0), True),
        ("scheduler", at(datetime.date(2027, 3, 10), 0, 0), True),
    ],
)
def test_advisors_correct_the_figures_for_7_days_and_a_scheduler_at_any_time(
    monday_visit, aino, scheduler, role, moment, allowed
):
    user = aino.user if role == "advisor" else scheduler
    with time_machine.travel(moment, tick=False):
        if allowed:
            visit_record_save(visit=monday_visit, user=user, people_helped=4, contacts=[])
            assert VisitRecord.objects.get().people_helped == 4
            return
        with pytest.raises(ValidationError) as raised:
            visit_record_save(visit=monday_visit, user=user, people_helped=4, contacts=[])

    assert raised.value.code == "too_late"
    assert raised.value.message == (
        "Advisors could record and correct this visit's figures until 9 Mar; now only a scheduler can."
    )
    assert not VisitRecord.objects.exists()


def test_a_correction_replaces_the_contacts_and_the_history_keeps_each_version_and_who_saved_it(
    monday_visit, aino, scheduler, kinds, languages
):
    with time_machine.travel(at(MONDAY, 12, 5), tick=False):
        visit_record_save(
            visit=monday_visit, user=aino.user, people_helped=2, contacts=[contact(kinds, languages, "digital")]
        )
    with time_machine.travel(at(datetime.date(2026, 3, 20), 9), tick=False):
        visit_record_save(
            visit=monday_visit,
            user=scheduler,
            people_helped=3,
            contacts=[
                contact(kinds, languages, "kela", "hsl", language="sv", age_group="65_74"),
                contact(kinds, languages, "digital"),
            ],
        )

    record = VisitRecord.objects.get()
    assert record.people_helped == 3
    assert record.contacts.count() == 2
    assert record.recorded_by == aino.user
    newest, first = record_history(record=record)
    assert (newest.user, newest.people_helped) == (scheduler, 3)
    assert [(c.services, c.language, c.age_group) for c in newest.contacts] == [
        (["HSL card", "Kela matters"], "Swedish", "65–74"),
        (["Digital support"], "Finnish", ""),
    ]
    assert (first.user, first.people_helped) == (aino.user, 2)
    assert [(c.services, c.language, c.age_group) for c in first.contacts] == [(["Digital support"], "Finnish", "")]
    assert first.at == at(MONDAY, 12, 5)


def test_two_saves_make_two_versions_even_when_only_the_contacts_change(held, aino, kinds, languages):
    visit_record_save(visit=held, user=aino.user, people_helped=1, contacts=[contact(kinds, languages, "kela")])
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        visit_record_save(visit=held, user=aino.user, people_helped=1, contacts=[contact(kinds, languages, "hsl")])

    newest, first = record_history(record=VisitRecord.objects.get())
    assert [c.services for c in newest.contacts] == [["HSL card"]]
    assert [c.services for c in first.contacts] == [["Kela matters"]]


# Pages -------------------------------------------------------------------------------------------


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"staff:{name}", kwargs=kwargs or None)


@pytest.fixture
def aino_client(client, aino):
    client.force_login(aino.user)
    return client


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return text(parse(response.content), separator=" ", skip=("option",))


def form_data(people="", rows: list[dict] | None = None, total: int | None = None, action="save") -> dict:
    rows = rows or []
    total = max(total or 3, len(rows))
    data = {
        "people_helped": people,
        "action": action,
        "contacts-TOTAL_FORMS": str(total),
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "503",
    }
    for i, row in enumerate(rows):
        data[f"contacts-{i}-services"] = [str(s.pk) for s in row.get("services", [])]
        data[f"contacts-{i}-language"] = row.get("language", "")
        data[f"contacts-{i}-age_group"] = row.get("age_group", "")
    return data


def test_my_visits_lists_todays_and_the_last_weeks_visits_with_what_was_recorded(aino_client, aino, held, bertil):
    nobody = VisitFactory(
        published=True, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), advisors=[aino], venue__name_en="Iso Omena"
    )
    VisitRecord.objects.create(visit=nobody, people_helped=0)
    helped = VisitFactory(
        published=True,
        starts_at=at(datetime.date(2026, 2, 25), 10),
        ends_at=at(datetime.date(2026, 2, 25), 12),
        advisors=[aino],
        venue__name_en="Entresse library",
    )
    VisitRecord.objects.create(visit=helped, people_helped=7)
    later = VisitFactory(published=True, starts_at=at(TODAY, 15), ends_at=at(TODAY, 17), advisors=[aino])
    VisitFactory(
        published=True,
        starts_at=at(datetime.date(2026, 2, 24), 10),
        ends_at=at(datetime.date(2026, 2, 24), 12),
        advisors=[aino],
        venue__name_en="Too long ago",
    )
    VisitFactory(
        published=True, starts_at=at(TODAY, 10), ends_at=at(TODAY, 12), advisors=[bertil], venue__name_en="Bertil's"
    )
    VisitFactory(starts_at=at(TODAY, 8), ends_at=at(TODAY, 9), advisors=[aino], venue__name_en="A draft")

    page = parse(aino_client.get(url("my_visits")).content)
    today = text(page.find(id="today-heading").find_parent("section"), separator=" ")
    earlier = text(page.find(id="earlier-heading").find_parent("section"), separator=" ")

    assert "10:00–14:00 Sello library Not recorded yet Record whom you helped" in today
    assert f"15:00–17:00 {later.venue.name} Not recorded yet The visit has not started yet" in today
    assert today.index("Sello library") < today.index(later.venue.name)
    assert "Mon 2 Mar 10:00–12:00 Iso Omena Held, nobody came Correct the figures" in earlier
    assert "Wed 25 Feb 10:00–12:00 Entresse library Recorded: 7 people helped Correct the figures" in earlier
    assert earlier.index("Iso Omena") < earlier.index("Entresse library")
    for absent in ("Too long ago", "Bertil's", "A draft"):
        assert absent not in today + earlier
    assert page.find("a", attrs={"href": url("visit_record", pk=held.pk)})
    assert not page.find("a", attrs={"href": url("visit_record", pk=later.pk)})
    nav = page.find("nav", class_="staff-nav")
    assert nav.find("a", attrs={"href": url("my_visits"), "aria-current": "page"}).get_text() == "Whom I helped"


def test_my_visits_reads_in_the_same_number_of_queries_however_many_visits_there_are(aino_client, aino, held):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert aino_client.get(url("my_visits")).status_code == 200
        return len(captured)

    one = queries()
    for day in range(1, 5):
        visit = VisitFactory(
            published=True,
            starts_at=at(TODAY - datetime.timedelta(days=day), 10),
            ends_at=at(TODAY - datetime.timedelta(days=day), 12),
            advisors=[aino],
        )
        VisitRecord.objects.create(visit=visit, people_helped=day)

    assert queries() == one


def test_a_scheduler_without_visits_of_their_own_is_told_where_to_record(client, scheduler):
    client.force_login(scheduler)

    shown = page_text(client.get(url("my_visits")))
    assert "Only service advisors have visits of their own to record." in shown
    assert "Whom I helped" not in text(parse(client.get(url("calendar")).content).find("nav", class_="staff-nav"))


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_pages_open_in_finnish_and_english(aino_client, held, lang):
    for path in (url("my_visits", lang), url("visit_record", lang, pk=held.pk)):
        response = aino_client.get(path)
        assert response.status_code == 200
        assert parse(response.content).html["lang"] == lang


def test_an_advisor_records_their_visit_on_the_record_page(aino_client, aino, held, kinds, languages):
    page = parse(aino_client.get(url("visit_record", pk=held.pk)).content)
    assert len(page.select("fieldset.contact-row")) == 3
    assert page.find("input", attrs={"name": "people_helped"})["type"] == "number"

    response = aino_client.post(
        url("visit_record", pk=held.pk),
        form_data(
            "3",
            [
                {"services": [kinds["digital"], kinds["kela"]], "language": "fi", "age_group": "75_over"},
                {},
                {"services": [kinds["hsl"]], "language": "sv"},
            ],
        ),
        follow=True,
    )

    assert response.redirect_chain == [(url("my_visits"), 302)]
    shown = page_text(response)
    assert "Done: Saved: 3 people helped." in shown
    assert "Sello library Recorded: 3 people helped Correct the figures" in shown
    record = VisitRecord.objects.get(visit=held)
    assert record.people_helped == 3
    assert [sorted(s.slug for s in c.services.all()) for c in record.contacts.all()] == [
        ["digital-support", "kela"],
        ["hsl-card"],
    ]
    assert record.history.get().history_user == aino.user


def test_the_record_page_starts_from_the_saved_figures_and_shows_their_history(
    aino_client, aino, held, kinds, languages
):
    visit_record_save(
        visit=held,
        user=aino.user,
        people_helped=2,
        contacts=[contact(kinds, languages, "kela", language="sv", age_group="under_30")],
    )

    page = parse(aino_client.get(url("visit_record", pk=held.pk)).content)

    assert page.find("input", attrs={"name": "people_helped"})["value"] == "2"
    assert page.find("input", attrs={"name": "contacts-0-services", "value": str(kinds["kela"].pk)}).has_attr("checked")
    assert page.find("select", attrs={"name": "contacts-0-language"}).find("option", selected=True)["value"] == "sv"
    assert len(page.select("fieldset.contact-row")) == 4
    history = text(page.find(id="record-history-heading").find_parent("section"))
    assert "4 Mar, 12:00, Aino Neuvoja: Recorded: 2 people helped" in history
    assert "Kela matters · Swedish · age under 30" in history


def test_emptying_a_row_removes_that_contact(aino_client, aino, held, kinds, languages):
    visit_record_save(
        visit=held,
        user=aino.user,
        people_helped=2,
        contacts=[contact(kinds, languages, "kela"), contact(kinds, languages, "hsl")],
    )
    data = form_data("2", [{}, {"services": [kinds["hsl"]], "language": "fi"}], total=5)
    data["contacts-INITIAL_FORMS"] = "2"

    aino_client.post(url("visit_record", pk=held.pk), data)

    assert [c.services.get().slug for c in VisitRecord.objects.get().contacts.all()] == ["hsl-card"]


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ("501", "At most 500 people can be recorded for one visit; check the number."),
        ("-2", "The number of people helped cannot be negative."),
        ("many", "Enter the number of people as a whole number, for example 4."),
        ("", "Enter how many people you helped; 0 if nobody came."),
    ],
)
def test_a_bad_count_is_explained_at_the_field_and_nothing_is_saved(aino_client, held, people, message):
    response = aino_client.post(url("visit_record", pk=held.pk), form_data(people))

    page = parse(response.content)
    assert response.status_code == 200
    field = page.find("input", attrs={"name": "people_helped"})
    assert field["aria-invalid"] == "true"
    assert message in described(field)
    assert "Nothing was saved" in text(page.find(id="form-errors"))
    assert not VisitRecord.objects.exists()


def test_500_people_are_accepted_from_the_page(aino_client, held):
    response = aino_client.post(url("visit_record", pk=held.pk), form_data("500"))

    assert response.status_code == 302
    assert VisitRecord.objects.get().people_helped == 500


def test_more_contacts_than_people_are_explained_and_nothing_is_saved(aino_client, held, kinds, languages):
    rows = [{"services": [kinds["kela"]], "language": "fi"}, {"services": [kinds["hsl"]], "language": "fi"}]
    response = aino_client.post(url("visit_record", pk=held.pk), form_data("1", rows))

    field = parse(response.content).find("input", attrs={"name": "people_helped"})
    assert "Contacts listed: 2; people helped: 1." in described(field)
    assert not VisitRecord.objects.exists()


def test_a_row_begun_but_not_finished_is_explained_at_its_fields(aino_client, held, kinds, languages):
    rows = [{"age_group": "65_74"}, {"services": [kinds["hsl"]]}]
    response = aino_client.post(url("visit_record", pk=held.pk), form_data("2", rows))

    page = parse(response.content)
    services = page.find("fieldset", attrs={"aria-describedby": "id_contacts-0-services_error"})
    assert "Choose at least one kind of help, or clear the whole row." in text(
        page.find(id="id_contacts-0-services_error")
    )
    assert services.find("legend").get_text(strip=True).startswith("Kinds of help")
    language = page.find("select", attrs={"name": "contacts-1-language"})
    assert "Choose the language used, or clear the whole row." in described(language)
    summary = text(page.find(id="form-errors"), separator=" ")
    assert "Contact 1, Kinds of help" in summary and "Contact 2, Language used" in summary
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize(
    "tampering",
    [
        {"contacts-0-services": ["999999"], "contacts-0-language": "fi"},
        {"contacts-0-services": [], "contacts-0-language": "xx"},
        {"contacts-0-age_group": "ancient"},
        {"contacts-TOTAL_FORMS": "100000"},
        {"contacts-TOTAL_FORMS": "lots"},
    ],
)
def test_a_tampered_post_is_refused_with_a_message_never_an_error_page(aino_client, held, tampering):
    response = aino_client.post(url("visit_record", pk=held.pk), {**form_data("1"), **tampering})

    assert response.status_code == 200
    assert "Nothing was saved" in text(parse(response.content).find(id="form-errors"))
    assert not VisitRecord.objects.exists()


def test_add_more_rows_keeps_what_was_typed_and_saves_nothing(aino_client, held, kinds, languages):
    rows = [{"services": [kinds["kela"]], "language": "sv"}, {}, {"services": [kinds["hsl"]]}]
    response = aino_client.post(url("visit_record", pk=held.pk), form_data("4", rows, action="more"))

    page = parse(response.content)
    assert response.status_code == 200
    assert len(page.select("fieldset.contact-row")) == 6
    assert page.find("input", attrs={"name": "people_helped"})["value"] == "4"
    assert page.find("input", attrs={"name": "contacts-0-services", "value": str(kinds["kela"].pk)}).has_attr("checked")
    assert page.find("input", attrs={"name": "contacts-1-services", "value": str(kinds["hsl"].pk)}).has_attr("checked")
    assert not page.find(id="form-errors")
    assert not VisitRecord.objects.exists()


def test_another_advisors_visit_is_a_403_and_nothing_is_saved(aino_client, bertil):
    visit = VisitFactory(published=True, starts_at=at(TODAY, 10), ends_at=at(TODAY, 14), advisors=[bertil])

    assert aino_client.get(url("visit_record", pk=visit.pk)).status_code == 403
    assert aino_client.post(url("visit_record", pk=visit.pk), form_data("3")).status_code == 403
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not started", "The visit has not started yet: record whom you helped once it has begun."),
        ("cancelled", "The visit was cancelled: it has no figures to record."),
        ("over a week ago", "Advisors could record and correct this visit's figures until 3 Mar"),
    ],
)
def test_a_visit_that_cannot_be_recorded_sends_the_advisor_to_its_page_with_the_reason(
    aino_client, aino, kind, message
):
    day = {"not started": TODAY, "cancelled": TODAY, "over a week ago": datetime.date(2026, 2, 24)}[kind]
    hours = (15, 17) if kind == "not started" else (10, 12)
    visit = VisitFactory(
        published=kind != "cancelled",
        cancelled=kind == "cancelled",
        starts_at=at(day, hours[0]),
        ends_at=at(day, hours[1]),
        advisors=[aino],
    )

    for response in (
        aino_client.get(url("visit_record", pk=visit.pk), follow=True),
        aino_client.post(url("visit_record", pk=visit.pk), form_data("3"), follow=True),
    ):
        assert response.redirect_chain == [(url("visit_detail", pk=visit.pk), 302)]
        assert f"Error: {message}" in page_text(response)
    assert not VisitRecord.objects.exists()


def test_a_scheduler_corrects_an_old_visit_and_returns_to_its_page(client, scheduler, aino):
    visit = VisitFactory(
        published=True,
        starts_at=at(datetime.date(2026, 1, 12), 10),
        ends_at=at(datetime.date(2026, 1, 12), 12),
        advisors=[aino],
    )
    client.force_login(scheduler)

    assert "As a scheduler you can correct these figures at any time." in page_text(
        client.get(url("visit_record", pk=visit.pk))
    )
    response = client.post(url("visit_record", pk=visit.pk), form_data("0"), follow=True)

    assert response.redirect_chain == [(url("visit_detail", pk=visit.pk), 302)]
    shown = page_text(response)
    assert "Saved: the visit was held and nobody came." in shown
    assert "Whom the visit helped Held, nobody came Correct the figures" in shown
    assert VisitRecord.objects.get().history.get().history_user == scheduler


def test_the_visit_page_shows_the_figures_and_offers_the_record_page_to_its_own_advisor(
    client, aino, bertil, held, kinds, languages
):
    visit_record_save(
        visit=held, user=aino.user, people_helped=2, contacts=[contact(kinds, languages, "digital", "kela")]
    )

    client.force_login(aino.user)
    own = page_text(client.get(url("visit_detail", pk=held.pk)))
    assert "Whom the visit helped Recorded: 2 people helped Digital support, Kela matters · Finnish" in own
    assert "Correct the figures" in own
    client.force_login(bertil.user)
    other = page_text(client.get(url("visit_detail", pk=held.pk)))
    assert "Recorded: 2 people helped" in other
    assert "Correct the figures" not in other
    assert "Only the visit's own advisors and the schedulers can record whom the visit helped." in other


@pytest.mark.parametrize("name", ["my_visits", "visit_record"])
def test_anonymous_users_log_in_first_and_users_without_a_role_get_403(client, held, name):
    path = url(name, pk=held.pk) if name == "visit_record" else url(name)
    assert client.get(path)["Location"].startswith(url("login") + "?next=")

    client.force_login(UserFactory())
    assert client.get(path).status_code == 403
    assert client.post(path, form_data("3")).status_code == 403
    assert not VisitRecord.objects.exists()


def test_the_admin_shows_a_record_with_its_contacts_and_history_and_changes_nothing(
    admin_client, aino, held, kinds, languages
):
    record = visit_record_save(
        visit=held, user=aino.user, people_helped=1, contacts=[contact(kinds, languages, "hsl", language="sv")]
    )

    change = admin_client.get(reverse("admin:visits_visitrecord_change", args=[record.pk]))
    assert change.status_code == 200
    # The admin is in Finnish, the default language.
    assert kinds["hsl"].name_fi in change.content.decode() and "ruotsi" in change.content.decode()
    assert admin_client.get(reverse("admin:visits_visitrecord_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:visits_visitrecord_history", args=[record.pk])).status_code == 200
    assert admin_client.get(reverse("admin:visits_visitrecord_add")).status_code == 403
    admin_client.post(reverse("admin:visits_visitrecord_change", args=[record.pk]), {"people_helped": 9})
    assert VisitRecord.objects.get().people_helped == 1
