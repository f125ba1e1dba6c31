"""Filters for the staff calendar: the advisor colour class of a visit."""

from django import template

from visits.models import Visit
from visits.staff.timegrid import AdvisorColours

register = template.Library()


@register.filter
def advisor_colour(visit: Visit, colours: AdvisorColours | str) -> str:
    """`cal-advisor-N` for the visit's advisor, `cal-advisor-none` for a visit without one."""
    colour = colours.of(visit) if isinstance(colours, AdvisorColours) else None
    return "cal-advisor-none" if colour is None else f"cal-advisor-{colour}"
