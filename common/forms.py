"""Form parts every GET form of the site shares: one date format, one accepted range, one value each."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# A page shows the whole week around a date; at the edge of the calendar that week cannot be
# computed, so a date far from now is refused with a message instead of failing.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
# Translators: what the user typed, then the form a date must take.
DATE_ERROR = _("“%(value)s” is not a date: enter it as YYYY-MM-DD, for example 2026-12-31.")
# Translators: the date the user typed, then the earliest or the latest date accepted.
TOO_EARLY = _("“%(value)s” is too early: the earliest date is %(limit_value)s.")
# Translators: the date the user typed, then the earliest or the latest date accepted.
TOO_LATE = _("“%(value)s” is too late: the latest date is %(limit_value)s.")
# Long enough for any date, short enough that a message never repeats a pasted essay.
ECHO_LENGTH = 40


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD, within EARLIEST_DATE..LATEST_DATE, shown in a date input.

    Its messages name what was typed: a page that refuses a date shows the range in force in
    the input (a date input cannot hold text that is not a date) and the typed text in the message.
    """

    def __init__(self, *, widget: forms.Widget | None = None, **kwargs) -> None:
        super().__init__(
            widget=widget or DateInput(),
            input_formats=["%Y-%m-%d"],
            validators=[
                MinValueValidator(EARLIEST_DATE, message=TOO_EARLY),
                MaxValueValidator(LATEST_DATE, message=TOO_LATE),
            ],
            **kwargs,
        )

    def to_python(self, value: object) -> datetime.date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            typed = str(value)[:ECHO_LENGTH]
            raise ValidationError(DATE_ERROR, code="invalid", params={"value": typed}) from None


class SingleValuedForm(forms.Form):
    """A GET form whose parameters take one value each: one given twice (`?on=…&on=…`) is
    ambiguous, so the form refuses it with a message rather than guess which one counts."""

    def __init__(self, data: QueryDict | None = None, **kwargs) -> None:
        self.repeated = [name for name, values in (data or QueryDict()).lists() if len(values) > 1]
        super().__init__(data, **kwargs)

    def error_text(self) -> str:
        """All errors in one line, for a JSON 400."""
        parts = []
        for name, errors in self.errors.items():
            prefix = "" if name == "__all__" else f"'{name}': "
            parts.extend(prefix + str(message) for message in errors)
        return " ".join(parts)

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.repeated:
            # Translators: the name of a parameter in the address, such as "start".
            message = _("The parameter '%(name)s' was given more than once.") % {"name": name}
            self.add_error(name if name in self.fields else None, message)
        return cleaned
