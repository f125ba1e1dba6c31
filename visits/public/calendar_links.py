"""Links that put visits in residents' calendars: a subscription to the feed with the filters in
force, and one visit added to Google Calendar, Outlook or any app as a file.

Only a subscription follows later changes; the other links copy the visit as it is now, so the
pages that offer them say so."""

import datetime
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from servicepoints.models import Area, ServiceType
from visits.feeds import visit_description, visit_location, visit_summary
from visits.models import Language, Venue, Visit
from visits.public.forms import REMINDER_DAY_BEFORE

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR_URL = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class FeedLinks:
    """One feed's address: as a webcal:// subscription that calendar apps open, and as the https
    address an app that asks for one takes; each also with a reminder the day before."""

    webcal: str
    url: str
    webcal_reminder: str
    url_reminder: str


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def feed_links(
    request: HttpRequest,
    *,
    area: Area | None = None,
    venue: Venue | None = None,
    service: ServiceType | None = None,
    language: Language | None = None,
) -> FeedLinks:
    """The /calendar.ics subscription with these filters, in the page's language."""
    query = [
        (name, value)
        for name, value in (
            ("area", area and area.slug),
            ("venue", venue and venue.pk),
            ("service", service and service.slug),
            ("language", language and language.code),
            ("lang", get_language()),
        )
        if value
    ]
    url = f"{request.build_absolute_uri(reverse('calendar-ics'))}?{urlencode(query)}"
    with_reminder = f"{url}&{urlencode({'reminder': REMINDER_DAY_BEFORE})}"
    return FeedLinks(webcal=_webcal(url), url=url, webcal_reminder=_webcal(with_reminder), url_reminder=with_reminder)


@dataclass(frozen=True)
class VisitCalendarLinks:
    """One visit for a resident's calendar: Google Calendar, Outlook on the web, and the .ics file
    (relative addresses), with and without a reminder the day before."""

    google: str
    outlook: str
    ics: str
    ics_reminder: str


def _utc(moment: datetime.datetime, pattern: str) -> str:
    return moment.astimezone(datetime.UTC).strftime(pattern)


def _query(params: dict[str, str]) -> str:
    # %20 rather than "+": Outlook shows a "+" in a space's place.
    return urlencode(params, quote_via=quote)


def visit_calendar_links(request: HttpRequest, visit: Visit) -> VisitCalendarLinks:
    """Links that add `visit` as it is now, in the active language; a cancelled visit's entries
    say it is cancelled, with the reason."""
    page_url = request.build_absolute_uri(visit.get_absolute_url())
    summary, location = visit_summary(visit), visit_location(visit)
    details = f"{visit_description(visit)}\n\n{page_url}"
    google = {
        "action": "TEMPLATE",
        "text": summary,
        "dates": "/".join(_utc(moment, "%Y%m%dT%H%M%SZ") for moment in (visit.starts_at, visit.ends_at)),
        "details": details,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": summary,
        "startdt": _utc(visit.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(visit.ends_at, "%Y-%m-%dT%H:%M:%SZ"),
        "body": details,
        "location": location,
    }
    ics = f"{reverse('visit-ics', kwargs={'pk': visit.pk})}?{urlencode({'lang': get_language()})}"
    return VisitCalendarLinks(
        google=f"{GOOGLE_CALENDAR_URL}?{_query(google)}",
        outlook=f"{OUTLOOK_CALENDAR_URL}?{_query(outlook)}",
        ics=ics,
        ics_reminder=f"{ics}&{urlencode({'reminder': REMINDER_DAY_BEFORE})}",
    )
