"""The pilot's figures (issue 14): what schedulers and managers read at /<lang>/staff/reports/ and
download as CSV and Excel. The figures come from a small hand-made period whose every number is
worked out below; the dashboard takes the same number of queries for a small and a busy year."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from servicepoints.models import ServicePointDailyCount
from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.html import parse, text
from tests.visits.factories import LanguageFactory, UserFactory, VenueFactory, VisitFactory
from visits.models import Contact, State, Visit, VisitRecord
from visits.recurrence import local_datetime
from visits.reports import pilot_figures

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, noon in Helsinki (UTC+2).
NOW = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
# Three ISO weeks: 16–22 February, 23 February – 1 March, and 2–8 March (of which 2–4 are past).
START = datetime.date(2026, 2, 16)
END = datetime.date(2026, 3, 8)
REPORTS = "/en/staff/reports/"


@pytest.fixture(autouse=True)
def _wednesday_noon():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(day: str, hour: int) -> datetime.datetime:
    return local_datetime(datetime.date.fromisoformat(day), datetime.time(hour))


def held(venue, day: str, start: int, end: int, *, people: int | None = None, contacts=()) -> Visit:
    """A published visit; with `people`, its record, and a contact per (services, language)."""
    visit = VisitFactory(venue=venue, published=True, starts_at=at(day, start), ends_at=at(day, end))
    if people is not None:
        record = VisitRecord.objects.create(visit=visit, people_helped=people)
        for services, language in contacts:
            Contact.objects.create(record=record, language=language).services.set(services)
    return visit


@pytest.fixture
def pilot(db):
    """Leppävaara (Sello library, no service point) and Tapiola (its library and a service point).

    In the period, all areas: 7 visits planned (the draft is not), 1 cancelled, 1 still to come
    this afternoon, 5 held of which 4 recorded (one with nobody) and 1 not: 12 people in 10 hours
    of recorded visits. Leppävaara has no service in the week of 23 February.
    """
    digital = ServiceTypeFactory(slug="digital-support", name_en="Digital support", ordering=1)
    kela = ServiceTypeFactory(slug="kela", name_en="Kela matters", ordering=2)
    finnish = LanguageFactory(code="fi", name_en="Finnish", ordering=0)
    english = LanguageFactory(code="en", name_en="English", ordering=2)
    leppavaara = AreaFactory(slug="leppavaara", name_en="Leppävaara", ordering=1)
    tapiola = AreaFactory(slug="tapiola", name_en="Tapiola", ordering=2)
    sello = VenueFactory(name_en="Sello library", area=leppavaara)
    tapiola_library = VenueFactory(name_en="Tapiola library", area=tapiola)
    point = ServicePointFactory(name_en="Tapiola service point", area=tapiola)

    held(sello, "2026-02-16", 10, 12, people=4, contacts=[([digital], finnish), ([digital, kela], english)])
    held(sello, "2026-02-17", 10, 14, people=0)
    held(sello, "2026-02-18", 10, 12)
    VisitFactory(venue=sello, cancelled=True, starts_at=at("2026-02-19", 10), ends_at=at("2026-02-19", 12))
    VisitFactory(venue=sello, starts_at=at("2026-02-20", 10), ends_at=at("2026-02-20", 12))
    held(sello, "2026-03-02", 10, 12, people=2, contacts=[([kela], finnish)])
    held(sello, "2026-03-04", 14, 16)
    held(tapiola_library, "2026-02-24", 10, 12, people=6)
    # Before the period: none of it counts.
    held(sello, "2026-02-10", 10, 12, people=100, contacts=[([kela], english)])

    for day, visitors in [("2026-02-16", 30), ("2026-02-17", 20), ("2026-03-02", 10), ("2026-02-01", 999)]:
        ServicePointDailyCount.objects.create(
            service_point=point, day=datetime.date.fromisoformat(day), visitors=visitors
        )
    return {"leppavaara": leppavaara, "tapiola": tapiola, "sello": sello}


def in_role(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def manager_client(client):
    client.force_login(in_role("manager", username="maija.manager"))
    return client


def table_rows(page, key: str) -> list[list[str]]:
    """The rows of a figure's table as the page shows them, header row first."""
    table = page.find(id=f"{key}-caption").find_parent("table")
    return [[text(cell) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")]


def test_it_counts_visits_planned_held_cancelled_and_not_recorded(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    assert (figures.planned, figures.held, figures.cancelled, figures.upcoming) == (7, 5, 1, 1)
    assert figures.not_recorded == 1
    assert figures.recorded == 4


def test_it_counts_a_visit_where_nobody_came_as_held_and_recorded_with_no_people(pilot):
    figures = pilot_figures(start=START, end=datetime.date(2026, 2, 17), area=None)

    assert (figures.held, figures.recorded, figures.not_recorded) == (2, 2, 0)
    assert figures.people_helped == 4
    assert figures.people_per_visit == 2


def test_it_divides_the_people_helped_by_the_recorded_visits_and_their_hours(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    assert figures.people_helped == 12
    assert figures.recorded_hours == 10
    assert figures.people_per_visit == 3
    assert figures.people_per_hour == pytest.approx(1.2)


def test_it_counts_kinds_of_help_and_languages_of_the_people_helped(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    assert figures.services == [("Digital support", 2), ("Kela matters", 2)]
    assert figures.languages == [("Finnish", 2), ("English", 1)]


def test_it_lists_the_busiest_venues_and_weekdays(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    assert [(v.name, v.people_helped, v.held) for v in figures.venues] == [
        ("Sello library", 6, 4),
        ("Tapiola library", 6, 1),
    ]
    assert figures.weekdays[:4] == [("Monday", 6, 2), ("Tuesday", 6, 2), ("Wednesday", 0, 1), ("Thursday", 0, 0)]


def test_it_finds_the_weeks_without_face_to_face_service_up_to_today(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    gaps = {gap.area: gap.weeks for gap in figures.gaps}
    assert gaps == {"Leppävaara": [(datetime.date(2026, 2, 23), datetime.date(2026, 3, 1))], "Tapiola": []}
    assert figures.gaps_until == datetime.date(2026, 3, 4)


def test_it_sums_the_service_points_daily_visitors(pilot):
    figures = pilot_figures(start=START, end=END, area=None)

    [point] = figures.points
    assert (point.name, point.visitors, point.days_counted, point.visitors_per_day) == (
        "Tapiola service point",
        60,
        3,
        20,
    )
    assert figures.point_weekdays[:2] == [("Monday", 40), ("Tuesday", 20)]


def test_it_narrows_every_figure_to_the_area_chosen(pilot):
    figures = pilot_figures(start=START, end=END, area=pilot["leppavaara"])

    assert (figures.planned, figures.held, figures.recorded, figures.people_helped) == (6, 4, 3, 6)
    assert figures.people_per_hour == pytest.approx(0.75)
    assert [v.name for v in figures.venues] == ["Sello library"]
    assert [gap.area for gap in figures.gaps] == ["Leppävaara"]
    assert figures.points == []


def test_the_dashboard_shows_each_figure_as_a_chart_and_a_table(pilot, manager_client):
    response = manager_client.get(REPORTS, {"start": "2026-02-16", "end": "2026-03-08", "area": ""})

    assert response.status_code == 200
    page = parse(response.content)
    assert table_rows(page, "visits")[1:] == [
        ["Planned", "7"],
        ["Held", "5"],
        ["Cancelled", "1"],
        ["Still to come", "1"],
        ["Held, not recorded", "1"],
    ]
    assert ["People per hour", "1.2"] in table_rows(page, "people")
    assert table_rows(page, "venues")[1] == ["Sello library", "6", "4", "Leppävaara"]
    chart = page.find("svg", attrs={"aria-labelledby": "visits-chart-title visits-chart-desc"})
    assert chart["role"] == "img"
    assert text(chart.find("title")) == "Visits"
    assert len(chart.find_all("rect")) == 5
    assert not page.select("[style]"), "inline styles break the strict CSP"


def test_the_dashboard_shows_the_last_four_full_weeks_by_default(pilot, manager_client):
    page = parse(manager_client.get(REPORTS).content)

    assert page.find(id="id_start")["value"] == "2026-02-02"
    assert page.find(id="id_end")["value"] == "2026-03-01"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-08", "2026-02-16", "The last day cannot be before the first day."),
        ("2021-02-16", "2026-02-17", "The period can be at most 5 years long"),
        ("2026-02-30", "2026-03-08", "2026-02-30"),
    ],
)
def test_it_refuses_a_bad_period_with_a_clear_message_and_no_figures(pilot, manager_client, start, end, message):
    response = manager_client.get(REPORTS, {"start": start, "end": end})

    assert response.status_code == 200
    page = parse(response.content)
    assert message in text(page.find(id="form-errors"))
    assert page.find(id="visits-caption") is None


def test_it_accepts_a_period_of_exactly_five_years(pilot, manager_client):
    response = manager_client.get(REPORTS, {"start": "2021-02-16", "end": "2026-02-16"})

    assert response.status_code == 200
    assert parse(response.content).find(id="form-errors") is None


@pytest.mark.parametrize(("role", "status"), [("advisor", 403), ("scheduler", 200), ("manager", 200)])
def test_only_schedulers_and_managers_see_the_figures(pilot, client, role, status):
    client.force_login(in_role(role))

    for url in (REPORTS, reverse("staff:reports_csv"), reverse("staff:reports_xlsx")):
        assert client.get(url).status_code == status


def test_the_navigation_links_the_figures_for_those_who_may_see_them(pilot, client):
    client.force_login(in_role("manager"))
    assert parse(client.get("/en/staff/").content).find("a", href=REPORTS)
    client.force_login(in_role("advisor"))
    assert not parse(client.get("/en/staff/").content).find("a", href=REPORTS)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(REPORTS)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/login/")


@pytest.fixture
def formula_venue(pilot):
    """A venue whose name an administrator typed as a spreadsheet formula."""
    venue = VenueFactory(name_en='=HYPERLINK("http://evil.invalid","x")', area=pilot["tapiola"])
    held(venue, "2026-02-25", 10, 12, people=50)
    return venue


def test_the_csv_has_a_section_per_figure_with_numbers_and_neutralised_formulas(formula_venue, manager_client):
    response = manager_client.get(reverse("staff:reports_csv"), {"start": "2026-02-16", "end": "2026-03-08"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="figures-all-2026-02-16-2026-03-08.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Visits"] in rows and ["Busiest venues"] in rows and ["Service points: visitors"] in rows
    assert ["Planned", "8"] in rows
    assert ['\'=HYPERLINK("http://evil.invalid","x")', "50", "1", "Tapiola"] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_workbook_has_a_sheet_per_figure_with_numbers_and_neutralised_formulas(formula_venue, manager_client):
    response = manager_client.get(
        reverse("staff:reports_xlsx"), {"start": "2026-02-16", "end": "2026-03-08", "area": formula_venue.area_id}
    )

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Visits" in workbook.sheetnames and "Service points visitors" in workbook.sheetnames
    visits = [list(row) for row in workbook["Visits"].iter_rows(min_row=3, values_only=True)]
    assert visits[:2] == [["Planned", 2], ["Held", 2]]
    venue_row = next(workbook["Busiest venues"].iter_rows(min_row=3))
    assert venue_row[0].value == '\'=HYPERLINK("http://evil.invalid","x")'
    assert venue_row[0].data_type == "s"
    assert venue_row[1].value == 50
    for sheet in workbook:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), f"a formula in {sheet.title}"


def test_an_export_of_a_bad_period_shows_the_form_error_instead(pilot, manager_client):
    response = manager_client.get(reverse("staff:reports_csv"), {"start": "2026-03-08", "end": "2026-02-16"})

    assert response.status_code == 400
    assert "The last day cannot be before the first day." in text(parse(response.content).find(id="form-errors"))


# The number of queries ----------------------------------------------------------------------------


def year_of_figures(*, visits_per_week: int, people: int) -> None:
    """A year of held, recorded visits ending last Sunday, each with `people` contacts, and a
    daily count for every day at one service point: rows written in bulk, as many as asked."""
    digital = ServiceTypeFactory(slug="digital-support")
    finnish = LanguageFactory(code="fi")
    venues = [VenueFactory(area=AreaFactory(slug=f"area-{n}")) for n in range(3)]
    point = ServicePointFactory(area=venues[0].area)
    now = timezone.now()
    visits = Visit.objects.bulk_create(
        Visit(
            venue=venues[(week + n) % 3],
            starts_at=at("2026-03-02", 10) - datetime.timedelta(weeks=week + 1, days=-n),
            ends_at=at("2026-03-02", 12) - datetime.timedelta(weeks=week + 1, days=-n),
            state=State.PUBLISHED,
            published_at=now,
        )
        for week in range(52)
        for n in range(visits_per_week)
    )
    records = VisitRecord.objects.bulk_create(VisitRecord(visit=visit, people_helped=people) for visit in visits)
    contacts = Contact.objects.bulk_create(
        Contact(record=record, language=finnish) for record in records for _ in range(people)
    )
    Contact.services.through.objects.bulk_create(
        Contact.services.through(contact=contact, servicetype=digital) for contact in contacts
    )
    ServicePointDailyCount.objects.bulk_create(
        ServicePointDailyCount(
            service_point=point, day=datetime.date(2026, 3, 1) - datetime.timedelta(days=n), visitors=n
        )
        for n in range(364)
    )


def figures_queries(client) -> tuple[int, int]:
    """The queries of the figures of the year, and of the dashboard page showing them."""
    with CaptureQueriesContext(connection) as figures:
        pilot_figures(start=datetime.date(2025, 3, 3), end=datetime.date(2026, 3, 1), area=None)
    with CaptureQueriesContext(connection) as page:
        assert client.get(REPORTS, {"start": "2025-03-03", "end": "2026-03-01"}).status_code == 200
    return len(figures), len(page)


def test_the_dashboard_takes_as_many_queries_for_a_busy_year_as_for_a_quiet_one(manager_client):
    year_of_figures(visits_per_week=1, people=1)
    quiet = figures_queries(manager_client)

    Visit.objects.all().delete()
    year_of_figures(visits_per_week=5, people=4)
    busy = figures_queries(manager_client)

    assert Visit.objects.count() == 260
    assert Contact.objects.count() == 1040
    assert busy == quiet


def test_the_demo_command_fills_only_what_nobody_recorded_and_says_it_is_demo(pilot):
    recorded = {record.visit_id: record.people_helped for record in VisitRecord.objects.all()}
    output = io.StringIO()

    call_command("generate_demo_figures", "--days", "30", "--seed", "3", stdout=output)

    assert "DEMO figures, not real" in output.getvalue()
    # The held visit of 18 February had no record; the one still to come gets none.
    assert VisitRecord.objects.count() == len(recorded) + 1
    assert {r.visit_id: r.people_helped for r in VisitRecord.objects.filter(visit_id__in=recorded)} == recorded
    assert not VisitRecord.objects.filter(visit__starts_at__gt=NOW).exists()
    # Counts already entered stay as they are.
    assert ServicePointDailyCount.objects.get(day=datetime.date(2026, 2, 16)).visitors == 30
    assert ServicePointDailyCount.objects.filter(day=datetime.date(2026, 3, 3)).exists()
