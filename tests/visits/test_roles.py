"""The staff roles from migrations visits 0003, 0008 and 0010 and servicepoints 0006: schedulers plan
and publish, record venues' closed days, correct any visit's figures, enter the service points'
daily visitors and see the pilot's figures; advisors see the calendar and record whom they helped;
managers read the calendar and the figures and change nothing."""

import pytest
from django.contrib.auth.models import Group

from tests.visits.factories import UserFactory

pytestmark = pytest.mark.django_db

READ_ALL = {
    "visits.view_visit",
    "visits.view_visitseries",
    "visits.view_seriesskip",
    "visits.view_venue",
    "visits.view_venueexception",
    "visits.view_advisor",
    "visits.view_language",
    "visits.view_visitrecord",
    "servicepoints.view_area",
    "servicepoints.view_servicepoint",
    "servicepoints.view_servicetype",
}


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_scheduler_group_reads_everything_and_plans_visits_and_series():
    assert permissions_of("scheduler") == READ_ALL | {
        "visits.add_visit",
        "visits.change_visit",
        "visits.add_visitseries",
        "visits.change_visitseries",
        "visits.add_seriesskip",
        "visits.add_venueexception",
        "visits.change_venueexception",
        "visits.delete_venueexception",
        "visits.add_visitrecord",
        "visits.change_visitrecord",
        "visits.correct_any_visitrecord",
        "servicepoints.view_reports",
        "servicepoints.view_servicepointdailycount",
        "servicepoints.add_servicepointdailycount",
        "servicepoints.change_servicepointdailycount",
    }


def test_the_manager_group_reads_the_calendar_and_the_figures_and_changes_nothing():
    assert permissions_of("manager") == READ_ALL | {
        "servicepoints.view_reports",
        "servicepoints.view_servicepointdailycount",
    }


def test_the_advisor_group_reads_and_records_whom_they_helped():
    # Which visits and until when is `recording_refusal`: their own, for 7 days.
    assert permissions_of("advisor") == READ_ALL | {"visits.add_visitrecord", "visits.change_visitrecord"}


@pytest.mark.parametrize(
    ("group", "permission", "granted"),
    [
        ("scheduler", "visits.change_visit", True),
        ("scheduler", "visits.delete_visit", False),
        ("scheduler", "visits.change_venue", False),
        ("scheduler", "visits.change_advisor", False),
        ("advisor", "visits.view_visit", True),
        ("advisor", "visits.change_visit", False),
        ("advisor", "visits.add_visitseries", False),
        ("advisor", "visits.change_visitrecord", True),
        ("advisor", "visits.correct_any_visitrecord", False),
        ("scheduler", "visits.correct_any_visitrecord", True),
        ("advisor", "servicepoints.view_reports", False),
        ("manager", "servicepoints.view_reports", True),
        ("manager", "visits.change_visit", False),
        ("manager", "visits.change_visitrecord", False),
    ],
)
def test_a_member_gets_exactly_the_groups_rights(group, permission, granted):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))

    assert user.has_perm(permission) is granted


def test_no_role_may_delete_anything_but_a_venue_exception_recorded_by_mistake():
    for name in ("scheduler", "advisor"):
        assert {p for p in permissions_of(name) if ".delete_" in p} <= {"visits.delete_venueexception"}
