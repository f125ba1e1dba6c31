"""Forms of the staff calendar: they parse input into the services' plans and show their errors.

The rules themselves (no double booking, at most 12 hours, a rule that gives 1–400 visits, frozen
cancelled and past visits) live in the model and the services; a form only reports them.
"""

import datetime
import hashlib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from common.dates import format_day
from common.forms import IsoDateField
from servicepoints.models import Area, ServiceType
from visits.models import (
    Advisor,
    CancelReason,
    Language,
    LocalText,
    Venue,
    VenueException,
    Visit,
    VisitSeries,
    resident_text,
)
from visits.recurrence import MAX_INTERVAL, local_datetime, weekly_rule, weekly_terms
from visits.services import CANCEL_DETAIL_FIELDS, MAX_COPY_WEEKS, NOTE_FIELDS, Review, SeriesPlan, VisitPlan

MAX_WEEKS = 520
TIME_ERRORS = {"invalid": _("Enter the time as HH:MM, for example 09:30.")}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _time_field(label: str, **kwargs) -> forms.TimeField:
    return forms.TimeField(
        label=label, widget=TimeInput(), input_formats=["%H:%M", "%H:%M:%S"], error_messages=TIME_ERRORS, **kwargs
    )


class AdvisorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, advisor: Advisor) -> str:
        # Translators: an advisor's name.
        return str(advisor) if advisor.active else _("%(name)s (no longer active)") % {"name": advisor}


def advisors_choosable(*, current: QuerySet[Advisor] | None = None) -> QuerySet[Advisor]:
    """Active advisors, and those already in the visit or series being edited."""
    chosen = Q(active=True)
    if current is not None:
        chosen |= Q(pk__in=current.values("pk"))
    return Advisor.objects.filter(chosen).select_related("user")


def venues_choosable(*, current: Venue | None = None) -> QuerySet[Venue]:
    chosen = Q(active=True)
    if current is not None:
        chosen |= Q(pk=current.pk)
    return Venue.objects.filter(chosen).select_related("area")


def warnings_fingerprint(warnings: list[str]) -> str:
    """Names the warnings a scheduler saw, so "save anyway" covers those and no new ones."""
    if not warnings:
        return ""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:20]


class ServiceErrorsMixin:
    """Shows a service's ValidationError on the form: on the matching field, else on the form."""

    error_fields: dict[str, str] = {"starts_at": "start_time", "ends_at": "end_time"}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = self.error_fields.get(name, name)
            self.add_error(target if target in self.fields else None, errors)


class ReviewedFormMixin:
    """The two steps of a save: review first; save only what was reviewed, warnings acknowledged."""

    REVIEW, SAVE = "review", "save"

    def confirmed(self, review: Review) -> bool:
        return (
            self.cleaned_data.get("action") == self.SAVE
            and not review.conflicts
            and self.cleaned_data.get("acknowledged", "") == warnings_fingerprint(review.warnings)
        )


def _action_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(ReviewedFormMixin.REVIEW, ""), (ReviewedFormMixin.SAVE, "")], required=False, widget=forms.HiddenInput
    )


class CalendarFilterForm(forms.Form):
    """Which visits the calendar shows; every field optional, a bad one reported and ignored."""

    WEEK, MONTH = "week", "month"

    view = forms.ChoiceField(
        label=_("View"), choices=[(WEEK, _("Week")), (MONTH, _("Month"))], required=False, widget=forms.HiddenInput
    )
    date = IsoDateField(label=_("Date"), required=False, widget=forms.HiddenInput)
    advisor = forms.ModelChoiceField(
        label=_("Advisor"),
        queryset=Advisor.objects.select_related("user"),
        required=False,
        empty_label=_("All advisors"),
    )
    venue = forms.ModelChoiceField(
        label=_("Venue"), queryset=Venue.objects.all(), required=False, empty_label=_("All venues")
    )
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.all(), required=False, empty_label=_("All areas")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        unknown = {
            "advisor": _("That advisor does not exist; showing all advisors."),
            "venue": _("That venue does not exist; showing all venues."),
            "area": _("That area does not exist; showing all areas."),
        }
        for name, message in unknown.items():
            self.fields[name].error_messages["invalid_choice"] = message

    def choice(self, name: str):
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> dict:
        return {name: self.choice(name) for name in ("advisor", "venue", "area")}


class WeekCopyForm(CalendarFilterForm):
    """Which week's visits (as the calendar filters them) go to which later weeks."""

    PREVIEW, COPY = "preview", "copy"

    week = IsoDateField(label=_("Week starting"), widget=forms.HiddenInput)
    first_week = IsoDateField(
        label=_("Copy to the week of"), help_text=_("Any day of the first week to fill; later weeks follow it.")
    )
    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=MAX_COPY_WEEKS,
        initial=1,
        help_text=_("1 = that week only; 4 = that week and the three after it."),
    )
    action = forms.ChoiceField(choices=[(PREVIEW, ""), (COPY, "")], required=False, widget=forms.HiddenInput)

    @staticmethod
    def _monday(day: datetime.date) -> datetime.date:
        return day - datetime.timedelta(days=day.weekday())

    def clean_week(self) -> datetime.date:
        return self._monday(self.cleaned_data["week"])

    def clean_first_week(self) -> datetime.date:
        return self._monday(self.cleaned_data["first_week"])


class PlanFieldsForm(forms.Form):
    """What a visit and a series share: who gives what help in which languages, and the review step."""

    advisors = AdvisorChoiceField(
        label=_("Advisors"), queryset=Advisor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Kinds of help"),
        queryset=ServiceType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"), queryset=Language.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_note = forms.CharField(
        label=_("Note for residents in Finnish"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Residents reading Swedish or English see this text when theirs is empty."),
    )
    audience_note_sv = forms.CharField(
        label=_("Note for residents in Swedish"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience_note_en = forms.CharField(
        label=_("Note for residents in English"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action = _action_field()
    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput)

    def shared_plan(self) -> dict:
        """The plan's venue (each form declares its own field) and the fields above, cleaned."""
        data = self.cleaned_data
        return {
            "venue": data["venue"],
            "advisors": list(data["advisors"]),
            "services": list(data["services"]),
            "languages": list(data["languages"]),
            **{name: data[name].strip() for name in NOTE_FIELDS},
        }


class VisitForm(ServiceErrorsMixin, ReviewedFormMixin, PlanFieldsForm):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    date = IsoDateField(label=_("Date"))
    start_time = _time_field(_("Starts at"))
    end_time = _time_field(_("Ends at"))

    def __init__(self, *args, visit: Visit | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues_choosable(current=visit.venue if visit else None)
        self.fields["advisors"].queryset = advisors_choosable(current=visit.advisors.all() if visit else None)

    @staticmethod
    def initial_for(visit: Visit) -> dict:
        start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
        return {
            "venue": visit.venue,
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "advisors": list(visit.advisors.all()),
            "services": list(visit.services.all()),
            "languages": list(visit.languages.all()),
            **{name: getattr(visit, name) for name in NOTE_FIELDS},
        }

    def clean(self) -> dict:
        data = super().clean()
        if all(data.get(name) for name in ("venue", "date", "start_time", "end_time")):
            starts_at = local_datetime(data["date"], data["start_time"])
            ends_at = local_datetime(data["date"], data["end_time"])
            try:
                # The model's own rules: the visit ends after it starts, within 12 hours.
                Visit(venue=data["venue"], starts_at=starts_at, ends_at=ends_at).clean()
            except ValidationError as error:
                self.add_service_errors(error)
            data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    def plan(self) -> VisitPlan:
        return VisitPlan(
            starts_at=self.cleaned_data["starts_at"], ends_at=self.cleaned_data["ends_at"], **self.shared_plan()
        )


def _cancel_details_field(label: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}), **kwargs
    )


class CancelForm(ServiceErrorsMixin, forms.Form):
    """A standard reason residents read in their own language, optional details in each language,
    and a confirming second submit: the first shows what residents will be told."""

    cancel_reason_code = forms.ChoiceField(
        label=_("Reason residents will see"),
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason residents will see for the cancellation.")},
        help_text=_("Residents read it in their own language on the visit page, in the calendar feed and the API."),
    )
    cancel_reason = _cancel_details_field(
        _("Details in Finnish"),
        help_text=_("Optional. Residents reading Swedish or English see this text when theirs is empty."),
    )
    cancel_reason_sv = _cancel_details_field(_("Details in Swedish"))
    cancel_reason_en = _cancel_details_field(_("Details in English"))
    action = _action_field()
    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput)

    def details(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"fi": data["cancel_reason"], "sv": data["cancel_reason_sv"], "en": data["cancel_reason_en"]}

    def fingerprint(self) -> str:
        """Names what the scheduler was shown, so the confirming submit cancels with exactly that."""
        shown = [self.cleaned_data["cancel_reason_code"], *self.details().values()]
        return hashlib.sha256("\n".join(shown).encode()).hexdigest()[:20]

    def confirmed(self) -> bool:
        data = self.cleaned_data
        return data.get("action") == ReviewedFormMixin.SAVE and data.get("acknowledged") == self.fingerprint()

    def preview(self) -> list[tuple[str, str, str, LocalText]]:
        """What residents will be told in each language: (code, language's name, the standard
        reason in that language, the details they read: theirs, else the Finnish ones)."""
        visit = Visit(
            cancel_reason_code=self.cleaned_data["cancel_reason_code"],
            **{name: self.cleaned_data[name].strip() for name in CANCEL_DETAIL_FIELDS.values()},
        )
        shown = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                reason = str(visit.get_cancel_reason_code_display())
            shown.append((code, str(name), reason, resident_text(visit, "cancel_reason", code)))
        return shown


class PublishForm(forms.Form):
    visits = forms.ModelMultipleChoiceField(queryset=Visit.objects.all(), required=False)
    only = forms.ModelChoiceField(queryset=Visit.objects.all(), required=False)
    next = forms.CharField(required=False)
    # The warnings the scheduler saw and accepted ("publish anyway"), as `warnings_fingerprint`.
    acknowledged = forms.CharField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("visits", "only"):
            self.fields[name].error_messages.update(
                invalid_choice=_("One of the chosen visits does not exist. Nothing was published."),
                invalid_pk_value=_("One of the chosen visits does not exist. Nothing was published."),
            )
        self.fields["visits"].error_messages["invalid_list"] = _("Choose the visits to publish.")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("only"):
            data["chosen"] = [data["only"]]
        else:
            data["chosen"] = list(data.get("visits") or [])
        if not self.errors and not data["chosen"]:
            raise ValidationError(_("Choose the visits to publish."), code="nothing_chosen")
        return data


def friendly_rule(*, rrule: str, starts_on: datetime.date) -> dict | None:
    """The friendly fields for a rule the friendly form could have written, else None."""
    terms = weekly_terms(rrule)
    if terms is None:
        return None
    friendly = {"weekdays": [str(day) for day in terms.weekdays], "interval": terms.interval}
    if terms.count is not None:
        if terms.count % len(terms.weekdays) or starts_on.weekday() > terms.weekdays[0]:
            return None
        friendly["weeks"] = terms.count // len(terms.weekdays)
    else:
        friendly["until"] = terms.until
    return friendly


class SeriesForm(ServiceErrorsMixin, ReviewedFormMixin, PlanFieldsForm):
    """A weekly series in friendly terms, or any RFC 5545 rule in the advanced field."""

    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    starts_on = IsoDateField(
        label=_("First day"), help_text=_("The series starts on this day or the next chosen weekday.")
    )
    start_time = _time_field(_("Starts at"))
    end_time = _time_field(_("Ends at"))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=[(str(day), name) for day, name in WEEKDAYS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks"),
        min_value=1,
        max_value=MAX_INTERVAL,
        initial=1,
        required=False,
        help_text=_("1 = every week, 2 = every other week."),
    )
    weeks = forms.IntegerField(
        label=_("Number of weeks"),
        min_value=1,
        max_value=MAX_WEEKS,
        required=False,
        help_text=_("How many weeks with visits. Give this or the last date."),
    )
    until = IsoDateField(label=_("Last date"), required=False, help_text=_("No visit after this date."))
    rrule = forms.CharField(
        label=_("Repeat rule (RFC 5545 RRULE)"),
        required=False,
        max_length=500,
        help_text=_(
            "Advanced. When filled in, this rule is used instead of the weekdays and the end above, "
            "e.g. FREQ=WEEKLY;BYDAY=TU,TH;COUNT=20."
        ),
    )
    skip_public_holidays = forms.BooleanField(label=_("Skip Finnish public holidays"), required=False, initial=True)

    def __init__(self, *args, series: VisitSeries | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues_choosable(current=series.venue if series else None)
        self.fields["advisors"].queryset = advisors_choosable(current=series.advisors.all() if series else None)

    @staticmethod
    def initial_for(series: VisitSeries) -> dict:
        initial = {
            "venue": series.venue,
            "starts_on": series.starts_on,
            "start_time": series.start_time,
            "end_time": series.end_time,
            "skip_public_holidays": series.skip_public_holidays,
            "advisors": list(series.advisors.all()),
            "services": list(series.services.all()),
            "languages": list(series.languages.all()),
            **{name: getattr(series, name) for name in NOTE_FIELDS},
        }
        friendly = friendly_rule(rrule=series.rrule, starts_on=series.starts_on)
        initial.update(friendly if friendly else {"rrule": series.rrule})
        return initial

    @property
    def uses_advanced_rule(self) -> bool:
        value = self["rrule"].value()
        return bool(value and value.strip())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("rrule", "").strip():
            data["rule"] = data["rrule"].strip()
            return data
        weekdays, weeks, until = data.get("weekdays"), data.get("weeks"), data.get("until")
        if not weekdays and "weekdays" not in self.errors:
            self.add_error("weekdays", _("Choose at least one weekday, or write a repeat rule."))
        if weeks and until:
            self.add_error("until", _("Give the number of weeks or the last date, not both."))
        elif not weeks and not until and not {"weeks", "until"} & set(self.errors):
            self.add_error("weeks", _("Give the number of weeks or the last date."))
        if self.errors or not data.get("starts_on"):
            return data
        interval = data.get("interval") or 1
        starts_on = data["starts_on"]
        if weeks and starts_on.weekday() > min(weekdays):
            # The first week is cut short by the first day: end by date so every week counts.
            monday = starts_on - datetime.timedelta(days=starts_on.weekday())
            weeks, until = None, monday + datetime.timedelta(weeks=(data["weeks"] - 1) * interval, days=6)
        data["rule"] = weekly_rule(
            weekdays=weekdays, interval=interval, count=weeks * len(weekdays) if weeks else None, until=until
        )
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        # A rule written by the friendly fields is reported beside them, not in the advanced field.
        if hasattr(error, "error_dict") and "rrule" in error.error_dict and not self.uses_advanced_rule:
            error = ValidationError({("weeks" if k == "rrule" else k): v for k, v in error.error_dict.items()})
        super().add_service_errors(error)

    def plan(self) -> SeriesPlan:
        data = self.cleaned_data
        return SeriesPlan(
            rrule=data["rule"],
            starts_on=data["starts_on"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            skip_public_holidays=data["skip_public_holidays"],
            **self.shared_plan(),
        )


class SkipForm(ServiceErrorsMixin, forms.Form):
    """Single days ticked from the coming visits, a range (a holiday week), or both, in one go."""

    dates = forms.TypedMultipleChoiceField(
        label=_("Single days"),
        coerce=datetime.date.fromisoformat,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = IsoDateField(label=_("From"), required=False)
    end_date = IsoDateField(label=_("Until"), required=False, help_text=_("Leave empty to skip only the “From” day."))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Residents see it on published visits that are cancelled, e.g. Autumn holiday week."),
    )

    def __init__(self, *args, series: VisitSeries, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        coming = (
            series.visits.not_cancelled()
            .filter(starts_at__gt=timezone.now(), occurrence_date__isnull=False)
            .order_by("occurrence_date")
            .values_list("occurrence_date", flat=True)
        )
        self.fields["dates"].choices = [(day.isoformat(), format_day(day, "D")) for day in coming]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if end and not start:
            self.add_error("start_date", _("Give the first day of the range."))
        ranges = [(day, day) for day in data.get("dates") or []]
        if start:
            ranges.append((start, end or start))
        data["ranges"] = ranges
        return data


class VenueExceptionForm(ServiceErrorsMixin, forms.ModelForm):
    """A date or run of dates on which a venue is closed or keeps other hours."""

    start_date = IsoDateField(label=_("From"))
    end_date = IsoDateField(label=_("Until"), required=False, help_text=_("Leave empty for a single day."))
    opens = _time_field(_("Opens"), required=False)
    closes = _time_field(_("Closes"), required=False)

    class Meta:
        model = VenueException
        fields = ["start_date", "end_date", "closed", "opens", "closes", "reason_fi", "reason_sv", "reason_en"]
        labels = {
            "closed": _("Closed all day"),
            "reason_fi": _("Reason in Finnish"),
            "reason_sv": _("Reason in Swedish"),
            "reason_en": _("Reason in English"),
        }
        help_texts = {"closed": _("Tick for a closed day; otherwise give the hours it keeps.")}

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start_date") and not data.get("end_date"):
            data["end_date"] = data["start_date"]
        return data


class FeedActionForm(forms.Form):
    """What an advisor does to their own calendar feed address."""

    RENEW, REVOKE = "renew", "revoke"

    action = forms.ChoiceField(choices=[(RENEW, _("Create or renew")), (REVOKE, _("Revoke"))])
