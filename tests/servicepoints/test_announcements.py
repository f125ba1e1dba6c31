"""Announcements: a dated notice (a closure, a holiday break) administrators write in fi/sv/en,
shown on every public page and in the API from its first day to its last, in Helsinki dates."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from servicepoints.models import Announcement
from tests.html import parse, text
from tests.visits.factories import UserFactory

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=HELSINKI)
TODAY = NOW.date()
API = "/api/v1/announcements"
ADD_URL = "/admin/servicepoints/announcement/add/"
LIST_URL = "/admin/servicepoints/announcement/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
XSS = "<img src=x onerror=alert(1)>"
ENDS_BEFORE_START = "The last day cannot be before the first day."
TITLES = {
    "fi": "Asiointipisteet suljettu joulun aikaan",
    "sv": "Servicepunkterna stängda under julen",
    "en": "Service points closed over Christmas",
}
TEXTS = {
    "fi": "Palvelemme taas 27.12. alkaen.",
    "sv": "Vi betjänar igen från 27.12.",
    "en": "We serve you again from 27 Dec.",
}


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def announcement(starts_on: str = "2026-12-01", ends_on: str = "2026-12-31", **fields) -> Announcement:
    """A Christmas closure in the three languages, in force on `starts_on`..`ends_on`."""
    values = {f"title_{code}": title for code, title in TITLES.items()}
    values |= {f"text_{code}": body for code, body in TEXTS.items()}
    return Announcement.objects.create(starts_on=day(starts_on), ends_on=day(ends_on), **(values | fields))


def banner(response):
    """The announcements region of a page, or None."""
    assert response.status_code == 200, response.content[:300]
    return parse(response.content.decode()).select_one("section.announcements")


def titles_shown(response) -> list[str]:
    region = banner(response)
    return [text(title) for title in region.select(".announcement__title")] if region else []


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- The model -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_last_day_before_the_first_day_and_names_the_field():
    closure = Announcement(title_fi="Suljettu", text_fi="Suljettu.", starts_on=day("2026-12-24"))
    closure.ends_on = day("2026-12-23")

    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            closure.full_clean()

        assert refused.value.message_dict == {"ends_on": [ENDS_BEFORE_START]}


@pytest.mark.django_db
def test_a_one_day_announcement_is_valid():
    Announcement(title_fi="Suljettu", text_fi="Suljettu.", starts_on=TODAY, ends_on=TODAY).full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_last_day_before_the_first_day_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        announcement(starts_on="2026-12-24", ends_on="2026-12-23")

    assert not Announcement.objects.exists()


@pytest.mark.django_db
def test_it_needs_a_finnish_title_and_text_but_no_translation():
    bare = Announcement(starts_on=TODAY, ends_on=TODAY)

    with pytest.raises(ValidationError) as refused:
        bare.full_clean()
    Announcement(title_fi="Suljettu", text_fi="Suljettu tänään.", starts_on=TODAY, ends_on=TODAY).full_clean()

    assert {"title", "text"} <= set(refused.value.message_dict)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        ("2026-12-23", False),
        ("2026-12-24", True),
        ("2026-12-25", True),
        ("2026-12-26", True),
        ("2026-12-27", False),
    ],
)
def test_it_is_in_force_from_its_first_day_to_its_last_both_included(on, in_force):
    closure = announcement(starts_on="2026-12-24", ends_on="2026-12-26")

    assert list(Announcement.objects.in_force(day(on))) == ([closure] if in_force else [])


# --- The admin -------------------------------------------------------------------------------


def admin_form(**changes: str) -> dict[str, str]:
    """What an administrator types for the Christmas closure, all of it valid."""
    return {
        **{f"title_{code}": title for code, title in TITLES.items()},
        **{f"text_{code}": body for code, body in TEXTS.items()},
        "starts_on": "2026-12-24",
        "ends_on": "2026-12-26",
        **changes,
    }


@pytest.mark.django_db
def test_an_administrator_publishes_an_announcement_in_three_languages(admin_client):
    response = admin_client.post(ADD_URL, admin_form(), **ENGLISH)

    assert response.status_code == 302
    closure = Announcement.objects.get()
    assert (closure.title_sv, closure.text_en) == (TITLES["sv"], TEXTS["en"])
    assert (closure.starts_on, closure.ends_on) == (day("2026-12-24"), day("2026-12-26"))


@pytest.mark.django_db
def test_the_admin_refuses_a_last_day_before_the_first_and_saves_nothing(admin_client):
    response = admin_client.post(ADD_URL, admin_form(ends_on="2026-12-23"), **ENGLISH)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_on"] == [ENDS_BEFORE_START]
    assert ENDS_BEFORE_START in response.content.decode()
    assert not Announcement.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_to_move_the_last_day_before_the_first_and_keeps_the_announcement(admin_client):
    closure = announcement(starts_on="2026-12-24", ends_on="2026-12-26")

    response = admin_client.post(f"{LIST_URL}{closure.pk}/change/", admin_form(ends_on="2026-12-20"), **ENGLISH)

    assert response.status_code == 200
    assert ENDS_BEFORE_START in response.content.decode()
    closure.refresh_from_db()
    assert closure.ends_on == day("2026-12-26")


@pytest.mark.django_db
def test_the_admin_list_shows_the_dates_latest_first_and_which_are_in_force_today(admin_client, frozen):
    announcement(starts_on="2026-11-01", ends_on="2026-11-30", title_fi="Marraskuu")
    announcement(starts_on="2026-12-01", ends_on="2026-12-31", title_fi="Joulukuu")
    announcement(starts_on="2027-01-01", ends_on="2027-01-06", title_fi="Tammikuu")

    response = admin_client.get(LIST_URL, **ENGLISH)

    changelist = response.context["cl"]
    rows = [(a.title_fi, changelist.model_admin.in_force_today(a)) for a in changelist.result_list]
    assert rows == [("Tammikuu", False), ("Joulukuu", True), ("Marraskuu", False)]
    headers = [text(th) for th in parse(response.content.decode()).select("thead th")]
    assert {"FIRST DAY", "LAST DAY", "IN FORCE TODAY"} <= {header.upper() for header in headers}


# --- The banner ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("path", ["/", "/visits/", "/subscribe/", "/no-such-page/"])
def test_every_public_page_shows_the_announcement_in_its_language(client, frozen, lang, path):
    announcement()

    response = client.get(f"/{lang}{path}")

    region = parse(response.content.decode()).select_one("main > section.announcements")
    assert region is not None, f"no banner on /{lang}{path}"
    assert region["aria-label"]
    assert text(region.select_one(".announcement__title")) == TITLES[lang]
    assert text(region.select_one(".announcement__text")) == TEXTS[lang]
    assert not region.select("[lang]")  # all of it in the page's language


@pytest.mark.django_db
def test_the_banner_comes_first_in_the_main_content_after_the_skip_link(client, frozen):
    announcement()

    page = parse(client.get("/en/visits/").content.decode())

    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.select_one("main").find(True)["class"] == ["announcements"]
    assert page.select_one("main h1") is not None  # the page's own content follows


@pytest.mark.django_db
def test_a_missing_translation_reads_in_finnish_marked_as_finnish(client, frozen):
    announcement(title_sv="", text_en="")

    swedish = banner(client.get("/sv/visits/"))
    english = banner(client.get("/en/visits/"))

    assert text(swedish.select_one(".announcement__title")) == TITLES["fi"]
    assert swedish.select_one(".announcement__title strong")["lang"] == "fi"
    assert text(swedish.select_one(".announcement__text")) == TEXTS["sv"]
    assert not swedish.select_one(".announcement__text").has_attr("lang")
    assert text(english.select_one(".announcement__text")) == TEXTS["fi"]
    assert english.select_one(".announcement__text")["lang"] == "fi"
    assert not english.select_one(".announcement__title strong").has_attr("lang")


@pytest.mark.django_db
def test_only_announcements_in_force_today_are_shown_latest_first(client, frozen):
    announcement(starts_on="2026-11-01", ends_on="2026-12-02", title_en="Ended yesterday")
    announcement(starts_on="2026-12-04", ends_on="2026-12-24", title_en="Starts tomorrow")
    announcement(starts_on="2026-11-20", ends_on="2026-12-03", title_en="Last day today")
    announcement(starts_on="2026-12-03", ends_on="2026-12-03", title_en="Today only")

    assert titles_shown(client.get("/en/")) == ["Today only", "Last day today"]


@pytest.mark.django_db
def test_without_an_announcement_in_force_the_page_has_no_empty_region_and_no_script(client, frozen):
    announcement(starts_on="2026-11-01", ends_on="2026-12-02")

    response = client.get("/en/visits/")

    assert banner(response) is None
    assert b"announcements.js" not in response.content


@pytest.mark.django_db
def test_the_hide_button_waits_for_the_script_so_without_javascript_there_is_none(client, frozen):
    closure = announcement()

    page = parse(client.get("/fi/visits/").content.decode())

    button = page.select_one("section.announcements button")
    assert button.has_attr("hidden")
    assert button["type"] == "button"
    assert button["aria-describedby"] == page.select_one(".announcement__title")["id"]
    script = page.select_one('script[src$="js/announcements.js"]')
    assert script.has_attr("defer")
    assert not [s for s in page.select("script") if not s.get("src")]  # nothing inline (strict CSP)
    # What the browser remembers of a hidden announcement changes when the announcement does.
    assert page.select_one("[data-announcement]")["data-announcement"].startswith(f"{closure.pk}@")


@pytest.mark.django_db
def test_the_version_remembered_by_the_browser_changes_when_the_announcement_is_edited(client):
    closure = announcement()
    with time_machine.travel(NOW, tick=False):
        before = parse(client.get("/fi/visits/").content.decode()).select_one("[data-announcement]")
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        closure.title_fi = "Asiointipisteet suljettu 24.–26.12."
        closure.save()
        after = parse(client.get("/fi/visits/").content.decode()).select_one("[data-announcement]")

    assert after["data-announcement"] != before["data-announcement"]


@pytest.mark.django_db
def test_markup_in_an_announcement_is_shown_as_text_and_its_lines_kept(client, frozen):
    announcement(title_fi=XSS, text_fi=f"Ensimmäinen rivi\n{XSS}")

    body = client.get("/fi/visits/").content.decode()

    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "Ensimmäinen rivi<br>&lt;img" in body


@pytest.mark.django_db
def test_staff_pages_do_not_show_the_banner(client, frozen):
    announcement()
    scheduler = UserFactory()
    scheduler.groups.add(Group.objects.get(name="scheduler"))

    login_page = client.get("/fi/staff/login/")
    client.force_login(scheduler)
    calendar = client.get("/fi/staff/")
    admin = client.get("/admin/")

    assert login_page.status_code == calendar.status_code == 200
    for response in (login_page, calendar):
        assert banner(response) is None
        assert TITLES["fi"].encode() not in response.content
    assert TITLES["fi"].encode() not in admin.content


@pytest.mark.django_db
def test_the_page_that_says_the_database_is_away_still_renders(client, frozen):
    announcement()

    def database_down(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(database_down):
        response = client.get("/fi/visits/")

    assert response.status_code == 503


# --- The cache ---------------------------------------------------------------------------------


def requested_twice(client, path: str) -> tuple[object, int]:
    """The page, and how many queries asking again made: one (the data version) when it came from the cache."""
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path)
    assert again.content == first.content
    return first, len(queries)


@pytest.mark.django_db(transaction=True)  # the cache serves only what has committed
def test_a_new_announcement_shows_on_the_next_request_though_the_page_was_cached(client, admin_client, frozen):
    before, queries = requested_twice(client, "/en/visits/")
    assert (banner(before), queries) == (None, 1)

    assert admin_client.post(ADD_URL, admin_form(starts_on="2026-12-01"), **ENGLISH).status_code == 302

    assert titles_shown(client.get("/en/visits/")) == [TITLES["en"]]


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_the_admin_shows_on_the_next_request(client, admin_client, frozen):
    closure = announcement()
    before, queries = requested_twice(client, "/sv/")
    assert (titles_shown(before), queries) == ([TITLES["sv"]], 1)

    edited = admin_form(title_sv="Servicepunkterna stängda 24–26.12", starts_on="2026-12-01")
    assert admin_client.post(f"{LIST_URL}{closure.pk}/change/", edited, **ENGLISH).status_code == 302

    assert titles_shown(client.get("/sv/")) == ["Servicepunkterna stängda 24–26.12"]


@pytest.mark.django_db(transaction=True)
def test_an_announcement_deleted_in_the_admin_goes_on_the_next_request(client, admin_client, frozen):
    closure = announcement()
    assert titles_shown(client.get("/fi/")) == [TITLES["fi"]]

    admin_client.post(f"{LIST_URL}{closure.pk}/delete/", {"post": "yes"})

    assert titles_shown(client.get("/fi/")) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        ("2026-12-23T23:59", False),
        ("2026-12-24T00:00", True),
        ("2026-12-26T23:59", True),
        ("2026-12-27T00:00", False),
    ],
)
def test_the_banner_comes_and_goes_at_midnight_in_helsinki_though_pages_are_cached(client, moment, shown):
    announcement(starts_on="2026-12-24", ends_on="2026-12-26")
    a_minute_before = datetime.datetime.fromisoformat(moment).replace(tzinfo=HELSINKI) - datetime.timedelta(minutes=1)
    with time_machine.travel(a_minute_before, tick=False):
        requested_twice(client, "/fi/visits/")  # stored in the cache the minute before

    with time_machine.travel(datetime.datetime.fromisoformat(moment).replace(tzinfo=HELSINKI), tick=False):
        page, queries = requested_twice(client, "/fi/visits/")
        api, _ = requested_twice(client, API)

    assert queries == 1  # this minute's page comes from the cache too
    assert titles_shown(page) == ([TITLES["fi"]] if shown else [])
    assert [a["title"] for a in api.json()] == ([TITLES["fi"]] if shown else [])


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_the_announcements_in_force_today_as_the_contract_says(client, frozen):
    closure = announcement(starts_on="2026-12-01", ends_on="2026-12-31")
    announcement(starts_on="2026-11-01", ends_on="2026-12-02")
    today_only = announcement(starts_on="2026-12-03", ends_on="2026-12-03", title_fi="Tänään", text_fi="Vain tänään.")

    response = client.get(API)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "public" in response["Cache-Control"]
    assert response.json() == [
        {
            "id": today_only.pk,
            "title": "Tänään",
            "text": "Vain tänään.",
            "starts_on": "2026-12-03",
            "ends_on": "2026-12-03",
        },
        {
            "id": closure.pk,
            "title": TITLES["fi"],
            "text": TEXTS["fi"],
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_api_answers_in_the_language_asked(client, frozen, lang):
    announcement()

    [entry] = client.get(API, {"lang": lang}).json()

    assert (entry["title"], entry["text"]) == (TITLES[lang], TEXTS[lang])


@pytest.mark.django_db
def test_the_api_falls_back_to_finnish_where_a_translation_is_missing(client, frozen):
    announcement(title_sv="", text_sv="", text_en="")

    [swedish] = client.get(API, {"lang": "sv"}).json()
    [english] = client.get(API, {"lang": "en"}).json()

    assert (swedish["title"], swedish["text"]) == (TITLES["fi"], TEXTS["fi"])
    assert (english["title"], english["text"]) == (TITLES["en"], TEXTS["fi"])


@pytest.mark.django_db
def test_the_api_answers_an_empty_list_when_nothing_is_in_force(client, frozen):
    announcement(starts_on="2027-01-01", ends_on="2027-01-06")

    response = client.get(API)

    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["lang=de", "lang=FI", "lang=", "lang=fi&lang=sv"])
def test_the_api_refuses_another_language_with_a_json_error(client, frozen, query):
    announcement()

    response = client.get(f"{API}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["error"]
    assert "'lang'" in response.json()["error"]


def test_the_openapi_document_describes_the_announcements(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][API]["get"]
    schemas = document["components"]["schemas"]

    assert set(operation["responses"]) == {"200", "400"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["type"] == "array"
    item = schemas[answer["items"]["$ref"].removeprefix("#/components/schemas/")]
    assert set(item["required"]) == {"id", "title", "text", "starts_on", "ends_on"}
    assert item["properties"]["id"]["minimum"] == 1
    assert item["properties"]["starts_on"]["format"] == item["properties"]["ends_on"]["format"] == "date"
    error = operation["responses"]["400"]["content"]["application/json"]["schema"]
    assert error["$ref"].endswith("/ErrorOut")
    [lang] = operation["parameters"]
    assert (lang["name"], lang["schema"]["enum"], lang["schema"]["default"]) == ("lang", ["fi", "sv", "en"], "fi")
