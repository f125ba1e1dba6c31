"""Parsing of what residents ask for: the same rules for pages, feeds and the API."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from common.dates import local_today
from common.forms import IsoDateField, SingleValuedForm
from servicepoints.models import Area, ServiceType
from visits.geocoding import Place, geocode
from visits.models import Language, Venue
from visits.selectors import COVERAGE_WEEKS, PublicFilters

DEFAULT_DAYS = 14
MAX_RANGE_DAYS = 366
MAX_ID = 2**31 - 1


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
    # "Near me": the browser's position (asked only on a button press), an area, or an address.
    lat = forms.FloatField(required=False, min_value=59.5, max_value=61.0, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=23.5, max_value=26.0, widget=forms.HiddenInput)
    near = SlugChoiceField(
        Area.objects.all(),
        to_field_name="slug",
        label=_("Nearest first from"),
        empty_label=_("No ordering by distance"),
    )
    address = forms.CharField(required=False, max_length=200, label=_("Or from an address"))

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

    def origin(self, *, language: str) -> Place | None:
        """Where distances are measured from, if the resident asked; the position wins over an
        address, and an address over an area."""
        data = self.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None:
            return Place(label=str(_("your location")), latitude=data["lat"], longitude=data["lon"])
        if data.get("address"):
            return geocode(data["address"], language=language)
        if data.get("near"):
            area = data["near"]
            return Place(label=area.name, latitude=area.latitude, longitude=area.longitude)
        return None


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
