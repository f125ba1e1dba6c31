"""RFC 5545 calendars of public visits and of an advisor's own, built with the icalendar library."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Alarm, Calendar, Event, vGeo, vText

from visits.models import Visit

PRODID = "-//City of Espoo//Face-to-face service//EN"
REMINDER_BEFORE = datetime.timedelta(hours=24)


def visit_summary(visit: Visit) -> str:
    """An entry's title in the active language, marked when the visit is cancelled."""
    # Translators: the venue's name; a calendar entry's title.
    summary = translation.gettext("Mobile information service: %(venue)s") % {"venue": visit.venue.name}
    if visit.is_cancelled:
        # Translators: the calendar entry's title, marked cancelled.
        summary = translation.gettext("CANCELLED: %(summary)s") % {"summary": summary}
    return summary


def visit_description(visit: Visit) -> str:
    """An entry's text in the active language: the reason for a cancellation first, the kinds of
    help, then the visit's note."""
    description = [", ".join(service.name for service in visit.offered_services)]
    if note := visit.note.text:
        description.append(note)
    if visit.is_cancelled:
        # Translators: the reason for the cancellation: a standard reason, then the scheduler's details.
        description.insert(0, translation.gettext("Cancelled: %(reason)s") % {"reason": visit.public_cancel_reason})
    return "\n".join(description)


def visit_location(visit: Visit) -> str:
    venue = visit.venue
    return f"{venue.name}, {venue.street_address}, {venue.postal_code} {venue.city}"


def _event(visit: Visit, *, url: str) -> Event:
    venue = visit.venue
    event = Event()
    # The id never changes, so calendar apps update the same entry when a visit moves or is cancelled.
    event.add("uid", f"visit-{visit.pk}@{settings.ICAL_UID_DOMAIN}")
    event.add("dtstamp", visit.updated_at)
    event.add("last-modified", visit.updated_at)
    event.add("dtstart", timezone.localtime(visit.starts_at))
    event.add("dtend", timezone.localtime(visit.ends_at))
    event.add("summary", visit_summary(visit))
    event.add("description", visit_description(visit))
    event.add("location", visit_location(visit))
    event.add("geo", vGeo((venue.latitude, venue.longitude)))
    event.add("url", url)
    event.add("status", "CANCELLED" if visit.is_cancelled else "CONFIRMED")
    return event


def _calendar(visits: list[Visit], *, name: str, language: str, event: Callable[[Visit], Event]) -> bytes:
    """A calendar of `visits` in `language`, each made an `event`, with the Europe/Helsinki time zone."""
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
            calendar.add_component(event(visit))
        calendar.add_missing_timezones()
        return calendar.to_ical()


def _day_before_reminder(visit: Visit) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    # Relative to the start, which every calendar app supports; a DISPLAY alarm needs a text.
    alarm.add("trigger", -REMINDER_BEFORE)
    alarm.add("description", visit_summary(visit))
    return alarm


def visits_calendar(visits: list[Visit], *, name: str, language: str, base_url: str, reminder: bool = False) -> bytes:
    """A calendar of public `visits` in `language`, each linking to its public page; with
    `reminder`, each visit not cancelled reminds the day before it starts."""

    def event(visit: Visit) -> Event:
        entry = _event(visit, url=base_url + visit.get_absolute_url())
        if reminder and not visit.is_cancelled:
            entry.add_component(_day_before_reminder(visit))
        return entry

    return _calendar(visits, name=name, language=language, event=event)


def advisor_calendar(visits: list[Visit], *, name: str, language: str, base_url: str) -> bytes:
    """An advisor's own visits, each linking to its staff page: drafts too, marked so and tentative;
    cancelled ones cancelled, as in the public feed."""

    def event(visit: Visit) -> Event:
        entry = _event(visit, url=base_url + reverse("staff:visit_detail", kwargs={"pk": visit.pk}))
        if visit.is_draft:
            # Translators: the calendar entry's title, marked as a draft that residents do not see yet.
            entry["summary"] = vText(translation.gettext("DRAFT: %(summary)s") % {"summary": entry["summary"]})
            entry["status"] = vText("TENTATIVE")
        return entry

    return _calendar(visits, name=name, language=language, event=event)
