"""RFC 5545 calendars of public visits, built with the icalendar library."""

import datetime

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, Event, vGeo, vText

from visits.models import Visit

PRODID = "-//City of Espoo//Face-to-face service//EN"


def _event(visit: Visit, *, base_url: str) -> Event:
    venue = visit.venue
    event = Event()
    # The id never changes, so calendar apps update the same entry when a visit moves or is cancelled.
    event.add("uid", f"visit-{visit.pk}@{settings.ICAL_UID_DOMAIN}")
    event.add("dtstamp", visit.updated_at)
    event.add("last-modified", visit.updated_at)
    event.add("dtstart", timezone.localtime(visit.starts_at))
    event.add("dtend", timezone.localtime(visit.ends_at))
    services = ", ".join(service.name for service in visit.offered_services)
    # Translators: the venue's name; a calendar entry's title.
    summary = translation.gettext("Mobile information service: %(venue)s") % {"venue": venue.name}
    if visit.is_cancelled:
        # Translators: the calendar entry's title, marked cancelled.
        summary = translation.gettext("CANCELLED: %(summary)s") % {"summary": summary}
    event.add("summary", summary)
    description = [services]
    if visit.audience_note:
        description.append(visit.audience_note)
    if visit.is_cancelled:
        # Translators: the reason for the cancellation, as the scheduler wrote it.
        description.insert(0, translation.gettext("Cancelled: %(reason)s") % {"reason": visit.cancel_reason})
    event.add("description", "\n".join(description))
    event.add("location", f"{venue.name}, {venue.street_address}, {venue.postal_code} {venue.city}")
    event.add("geo", vGeo((venue.latitude, venue.longitude)))
    event.add("url", base_url + visit.get_absolute_url())
    event.add("status", "CANCELLED" if visit.is_cancelled else "CONFIRMED")
    return event


def visits_calendar(visits: list[Visit], *, name: str, language: str, base_url: str) -> bytes:
    """A calendar of `visits` in `language`, with the Europe/Helsinki time zone included."""
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        # X-WR-CALNAME is not a standard property, so icalendar would not escape it as text: a
        # newline in a venue name would break the file.
        calendar.add("x-wr-calname", vText(name))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        for visit in visits:
            calendar.add_component(_event(visit, base_url=base_url))
        calendar.add_missing_timezones()
        return calendar.to_ical()
