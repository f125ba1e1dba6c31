"""Forms of the pilot's figures: the period and area of the dashboard, and a fixed point's daily
visitor count. The rules (at most five years, no count for a future day, at most 5000 visitors)
live in `visits.reports` and `ServicePointDailyCount`; the forms report them next to the fields."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import IsoDateField
from servicepoints.models import MAX_DAILY_VISITORS, VISITORS_TOO_MANY, Area, ServicePoint
from visits.reports import MAX_REPORT_YEARS, years_later


class ReportForm(forms.Form):
    """The period (Helsinki days, both included) and the area of the figures; a GET form."""

    start = IsoDateField(label=_("First day"))
    end = IsoDateField(label=_("Last day"))
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        required=False,
        empty_label=_("All areas"),
        error_messages={"invalid_choice": _("That area does not exist; choose one from the list.")},
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day cannot be before the first day."))
            elif end > years_later(start, MAX_REPORT_YEARS):
                self.add_error(
                    "end",
                    # Translators: %(years)s is the longest period the figures cover, in years (5).
                    _("The period can be at most %(years)s years long; choose a later first day or an earlier last.")
                    % {"years": MAX_REPORT_YEARS},
                )
        return data


class DailyCountForm(forms.Form):
    """One point's visitors on one day; posting a day already counted corrects it."""

    service_point = forms.ModelChoiceField(
        label=_("Service point"),
        queryset=ServicePoint.objects.select_related("area"),
        error_messages={"invalid_choice": _("That service point does not exist; choose one from the list.")},
    )
    day = IsoDateField(label=_("Day"))
    visitors = forms.IntegerField(
        label=_("Visitors"),
        min_value=0,
        max_value=MAX_DAILY_VISITORS,
        help_text=_("Everyone who came for help that day; 0 if the point was open and nobody came."),
        error_messages={
            "required": _("Enter how many visitors came; 0 if nobody came."),
            "invalid": _("Enter the number of visitors as a whole number, for example 12."),
            "min_value": _("The number of visitors cannot be negative."),
            "max_value": VISITORS_TOO_MANY,
        },
    )

    @staticmethod
    def initial_for(*, today: datetime.date) -> dict:
        return {"day": today}
