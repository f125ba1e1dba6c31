"""The staff roles from migrations 0003 and 0008: schedulers plan and publish and record venues'
closed days, advisors see the calendar."""

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
    }


def test_the_advisor_group_only_reads():
    assert permissions_of("advisor") == READ_ALL


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
    ],
)
def test_a_member_gets_exactly_the_groups_rights(group, permission, granted):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))

    assert user.has_perm(permission) is granted


def test_no_role_may_delete_anything_but_a_venue_exception_recorded_by_mistake():
    for name in ("scheduler", "advisor"):
        assert {p for p in permissions_of(name) if ".delete_" in p} <= {"visits.delete_venueexception"}
