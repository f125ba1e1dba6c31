"""Parsing of what residents ask for: the same rules for pages, feeds and the API."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from common.dates import local_today
from common.forms import ECHO_LENGTH, IsoDateField, SingleValuedForm
from servicepoints.models import Area, ServiceType
from visits.geocoding import Place, geocode, geocoding_enabled
from visits.models import Language, Venue
from visits.selectors import COVERAGE_WEEKS, PLACE_SEARCH_MAX_LENGTH, PublicFilters, place_search, place_search_text

DEFAULT_DAYS = 14
MAX_RANGE_DAYS = 366
MAX_ID = 2**31 - 1
# Where distances count from: a problem with one of these loses the ordering, not the filters.
ORIGIN_FIELDS = ("lat", "lon", "near", "address")
NOT_A_POSITION = _("The position given is not a number; the list is not ordered by distance.")
# Translators: a latitude, such as 48.85.
LATITUDE_FAR = _("The latitude %(value)s is far outside the Espoo region; the list is not ordered by distance.")
# Translators: a longitude, such as 2.35.
LONGITUDE_FAR = _("The longitude %(value)s is far outside the Espoo region; the list is not ordered by distance.")


def _checked_range(form: forms.Form, cleaned: dict, *, default_days: int) -> dict:
    """A resident's range of days: from today and for `default_days` unless given, end inclusive,
    not before the start and at most MAX_RANGE_DAYS long."""
    start = cleaned.get("start") or local_today()
    end = cleaned.get("end") or start + datetime.timedelta(days=default_days - 1)
    if end < start:
        form.add_error("end", _("The end date cannot be before the start date."))
    elif (end - start).days + 1 > MAX_RANGE_DAYS:
        # Translators: a number of days.
        form.add_error("end", _("The range can be at most %(days)s days.") % {"days": MAX_RANGE_DAYS})
    cleaned["start"], cleaned["end"] = start, end
    return cleaned


class SlugChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset, *, to_field_name: str, label, empty_label) -> None:
        super().__init__(
            queryset,
            to_field_name=to_field_name,
            required=False,
            label=label,
            empty_label=empty_label,
            # Translators: the value the resident gave.
            error_messages={"invalid_choice": _("There is no such choice: %(value)s.")},
        )


class VisitFilterForm(SingleValuedForm):
    """Date range (end inclusive, at most 366 days), area, kind of help, language and venue."""

    start = IsoDateField(label=_("From"), required=False)
    end = IsoDateField(label=_("Until"), required=False)
    area = SlugChoiceField(Area.objects.all(), to_field_name="slug", label=_("Area"), empty_label=_("All areas"))
    service = SlugChoiceField(
        ServiceType.objects.all(), to_field_name="slug", label=_("Kind of help"), empty_label=_("Any kind of help")
    )
    language = SlugChoiceField(
        Language.objects.all(), to_field_name="code", label=_("Language"), empty_label=_("Any language")
    )
    venue = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    # "Near me": the browser's position (asked only on a button press), an area, or a place search.
    # A position outside the region around Espoo is a mistake or a device far away: it is refused
    # with a message, and the list keeps its time order.
    lat = forms.FloatField(
        required=False,
        min_value=59.5,
        max_value=61.0,
        widget=forms.HiddenInput,
        error_messages={"invalid": NOT_A_POSITION, "min_value": LATITUDE_FAR, "max_value": LATITUDE_FAR},
    )
    lon = forms.FloatField(
        required=False,
        min_value=23.5,
        max_value=26.0,
        widget=forms.HiddenInput,
        error_messages={"invalid": NOT_A_POSITION, "min_value": LONGITUDE_FAR, "max_value": LONGITUDE_FAR},
    )
    near = SlugChoiceField(
        Area.objects.all(),
        to_field_name="slug",
        label=_("Nearest first from"),
        empty_label=_("No ordering by distance"),
    )
    address = forms.CharField(
        required=False,
        max_length=PLACE_SEARCH_MAX_LENGTH,
        label=_("Or from a place, address or postal code"),
        error_messages={
            # Translators: a number of characters.
            "max_length": _(
                "A place search can be at most %(limit_value)d characters; the list is not ordered by distance."
            )
        },
    )

    def __init__(self, data: QueryDict | None = None, *, require_range: bool = False, **kwargs) -> None:
        self.require_range = require_range
        super().__init__(data, **kwargs)
        if require_range:
            self.fields["start"].required = True
            self.fields["end"].required = True

    def clean_venue(self) -> Venue | None:
        pk = self.cleaned_data.get("venue")
        if pk is None:
            return None
        venue = Venue.objects.filter(pk=pk).first()
        if venue is None:
            # Translators: the venue number the resident gave.
            raise ValidationError(_("There is no such venue: %(value)s."), params={"value": pk})
        return venue

    def clean(self) -> dict:
        cleaned = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        return _checked_range(self, cleaned, default_days=DEFAULT_DAYS)

    def filters(self) -> PublicFilters:
        """The validated filters; the range defaults to the next 14 days from today."""
        data = self.cleaned_data
        return PublicFilters(
            start=data["start"],
            end=data["end"],
            area=data.get("area"),
            service=data.get("service"),
            language=data.get("language"),
            venue=data.get("venue"),
        )

    @property
    def has_filter_errors(self) -> bool:
        """Whether a filter (not a starting point for distances) was refused: then the page falls
        back to the next two weeks. A starting point that cannot be used only loses the ordering."""
        return any(name not in ORIGIN_FIELDS for name in self.errors)

    def origin(self, *, language: str) -> Place | None:
        """Where distances are measured from, if the resident asked; the position wins over a
        place search, and a search over an area. A starting point that cannot be used is a
        message on its field, never ignored in silence, and no ordering by distance."""
        if any(name in self.errors for name in ORIGIN_FIELDS):
            return None
        data = self.cleaned_data
        latitude, longitude = data.get("lat"), data.get("lon")
        if (latitude is None) != (longitude is None):
            self.add_error(
                "lon" if longitude is None else "lat",
                _("A position needs both a latitude and a longitude; the list is not ordered by distance."),
            )
            return None
        if latitude is not None:
            return Place(label=str(_("your location")), latitude=latitude, longitude=longitude)
        if data.get("address"):
            return self._placed(data["address"], language=language)
        if data.get("near"):
            area = data["near"]
            return Place(label=area.name, latitude=area.latitude, longitude=area.longitude)
        return None

    def _placed(self, text: str, *, language: str) -> Place | None:
        """The place `text` names: the geocoder's answer when one is configured, else (or when
        it finds nothing or fails) the best known place (`place_search`)."""
        place = None
        if geocoding_enabled() and place_search_text(text):
            place = geocode(text, language=language)
        if place is None:
            matches = place_search(text, language=language)
            place = matches[0].place if matches else None
        if place is None:
            typed = text if len(text) <= ECHO_LENGTH else text[:ECHO_LENGTH] + "…"
            self.add_error(
                "address",
                # Translators: what the resident typed in the place search.
                _(
                    "“%(text)s” could not be placed. Try the name of a library, shopping centre or service point, "
                    "a street address, a postal code or an area; the list is not ordered by distance."
                )
                % {"text": typed},
            )
        return place


class MapFilterForm(VisitFilterForm):
    """The map page's filters: those of the visit list, what to show, and `on` kept as the old
    name of the start date (links to /?on=YYYY-MM-DD keep working)."""

    SHOW_CHOICES = [
        ("all", _("Service points and visits")),
        ("points", _("Service points only")),
        ("visits", _("Mobile service visits only")),
    ]

    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)
    on = IsoDateField(required=False, widget=forms.HiddenInput)

    field_order = ["start", "end", "area", "service", "language", "show", "near", "address"]

    def clean(self) -> dict:
        if self.cleaned_data.get("on") and not self.data.get("start"):
            self.cleaned_data["start"] = self.cleaned_data["on"]
        return super().clean()


class MapDateForm(SingleValuedForm):
    """The date a service point page shows the situation on."""

    on = IsoDateField(label=_("Show the situation on"), required=False)


class CoverageForm(SingleValuedForm):
    """The days whose face-to-face coverage is asked for: from today for four weeks by default."""

    start = IsoDateField(required=False)
    end = IsoDateField(required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        return _checked_range(self, cleaned, default_days=COVERAGE_WEEKS * 7)


REMINDER_DAY_BEFORE = "1"


class VisitFeedForm(SingleValuedForm):
    """A calendar of one visit: the language of its text and, if asked, a reminder the day before.

    A parameter the calendar does not take is refused with its name: a mistyped filter in a
    subscription would otherwise give a calendar that looks right and is not."""

    lang = forms.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        # Translators: the value the resident gave.
        error_messages={"invalid_choice": _("There is no such choice: %(value)s.")},
    )
    reminder = forms.ChoiceField(
        choices=[(REMINDER_DAY_BEFORE, REMINDER_DAY_BEFORE)],
        required=False,
        error_messages={"invalid_choice": _("Give 1 for a reminder the day before, or leave it out.")},
    )

    def clean_lang(self) -> str:
        return self.cleaned_data.get("lang") or settings.LANGUAGE_CODE

    def clean_reminder(self) -> bool:
        return self.cleaned_data.get("reminder") == REMINDER_DAY_BEFORE

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.data:
            if name not in self.fields:
                # Translators: the name of a parameter in the address, such as "area", then the names
                # of those the calendar takes, such as "lang, reminder, area".
                message = _("This calendar has no parameter '%(name)s'; it takes %(names)s.") % {
                    "name": name[:ECHO_LENGTH],
                    "names": ", ".join(self.fields),
                }
                self.add_error(None, message)
        return cleaned


class CalendarFeedForm(VisitFeedForm):
    """/calendar.ics: the visit list's area, kind of help, language and venue filters; the feed's
    own range of days is fixed, so it takes no dates."""

    area = VisitFilterForm.base_fields["area"]
    venue = VisitFilterForm.base_fields["venue"]
    service = VisitFilterForm.base_fields["service"]
    language = VisitFilterForm.base_fields["language"]

    clean_venue = VisitFilterForm.clean_venue

    def filters(self, *, start: datetime.date, end: datetime.date) -> PublicFilters:
        data = self.cleaned_data
        return PublicFilters(
            start=start,
            end=end,
            area=data.get("area"),
            service=data.get("service"),
            language=data.get("language"),
            venue=data.get("venue"),
        )
