from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicepoints.models import ServicePoint

register = template.Library()


@register.simple_tag
def status_label(status: str, point: ServicePoint) -> str:
    """The status in words, with the date that makes it true."""
    if status == ServicePoint.Status.PLANNED and point.opens_on:
        # Translators: the date a service point opens.
        return _("Opens %(date)s") % {"date": date_format(point.opens_on)}
    if status == ServicePoint.Status.CLOSING:
        # Translators: the last day a closing service point serves residents.
        return _("Closing: last day %(date)s") % {"date": date_format(point.closes_on)}
    if status == ServicePoint.Status.CLOSED and point.closes_on:
        # Translators: the last day a closed service point served residents.
        return _("Closed; the last day was %(date)s") % {"date": date_format(point.closes_on)}
    return str(ServicePoint.Status(status).label).capitalize()
