"""Days and times as every page writes them (see common.dates): available in every template."""

from django import template

from common import dates

register = template.Library()


@register.filter
def day(value, weekday: str = "") -> str:
    """{{ visit.starts_at|day }} → 3.12. / 3 Dec; {{ day|day:"l" }} → perjantai 3.12."""
    return dates.format_day(value, weekday) if value else ""


@register.filter
def moment(value, weekday: str = "") -> str:
    """{{ visit.published_at|moment }} → 3.12. klo 10.00 / 3 Dec, 10:00."""
    return dates.format_moment(value, weekday) if value else ""


@register.filter
def month_of_day(value) -> str:
    """What follows a day's number in a calendar cell: ".12." / " Dec"."""
    return dates.month_of_day(value) if value else ""
