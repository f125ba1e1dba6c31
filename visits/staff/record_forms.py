"""Forms of the record page: how many people a visit helped, and one row per contact.

The rules (who may record and when, at most 500 people, no more contacts than people) live in
`recording_refusal` and `visit_record_save`; the forms parse the input and report the errors next
to the fields. The page works without JavaScript: it has a few empty contact rows, and "Add more
rows" submits the form to get more, keeping what was typed and saving nothing.
"""

from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from servicepoints.models import ServiceType
from visits.models import (
    MAX_PEOPLE_HELPED,
    PEOPLE_NEGATIVE,
    PEOPLE_TOO_MANY,
    AgeGroup,
    Contact,
    Language,
    VisitRecord,
)
from visits.services import ContactPlan

# Empty contact rows the page offers, and the number "Add more rows" adds.
EXTRA_ROWS = 3
# Every contact a record can have and a few empty rows; a post claiming more rows is refused.
MAX_ROWS = MAX_PEOPLE_HELPED + EXTRA_ROWS
PREFIX = "contacts"


@dataclass(frozen=True)
class ContactOptions:
    """The kinds of help and languages to choose from, read once for every row of the page."""

    services: dict[str, ServiceType]
    languages: dict[str, Language]

    @classmethod
    def read(cls) -> "ContactOptions":
        return cls(
            services={str(service.pk): service for service in ServiceType.objects.all()},
            languages={language.pk: language for language in Language.objects.all()},
        )


class RecordForm(forms.Form):
    MORE = "more"

    people_helped = forms.IntegerField(
        label=_("People helped"),
        min_value=0,
        max_value=MAX_PEOPLE_HELPED,
        help_text=_("Everyone you helped at this visit. 0 if the visit was held and nobody came."),
        error_messages={
            "required": _("Enter how many people you helped; 0 if nobody came."),
            "invalid": _("Enter the number of people as a whole number, for example 4."),
            "min_value": PEOPLE_NEGATIVE,
            "max_value": PEOPLE_TOO_MANY,
        },
    )

    @staticmethod
    def initial_for(record: VisitRecord | None) -> dict:
        return {"people_helped": record.people_helped} if record else {}

    @property
    def wants_more_rows(self) -> bool:
        """The "Add more rows" button was pressed (its name is `action`, as the Save button's)."""
        return self.data.get("action") == self.MORE

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A refusal of `visit_record_save`: the count's and the contacts' errors go next to the count,
        where a screen reader finds them with the field; anything else on the form."""
        for name, messages in errors.items():
            self.add_error("people_helped" if name in ("people_helped", "contacts") else None, messages)


class ContactForm(forms.Form):
    """One person helped. A row left wholly empty is no contact; one begun needs a kind of help
    and a language."""

    services = forms.MultipleChoiceField(label=_("Kinds of help"), required=False, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language used"), required=False)
    age_group = forms.ChoiceField(
        label=_("Age group (optional)"), required=False, choices=[("", _("Not noted")), *AgeGroup.choices]
    )

    def __init__(self, *args, options: ContactOptions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["services"].choices = [(pk, service.name) for pk, service in options.services.items()]
        self.fields["language"].choices = [
            ("", _("Choose the language")),
            *((code, language.name) for code, language in options.languages.items()),
        ]

    @staticmethod
    def initial_for(contact: Contact) -> dict:
        return {
            "services": [str(service.pk) for service in contact.services.all()],
            "language": contact.language_id,
            "age_group": contact.age_group,
        }

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("services") or data.get("language") or data.get("age_group"))

    def typed(self) -> dict:
        """What the row holds as typed, valid or not: kept when more rows are asked for."""
        return {name: self[name].value() for name in self.fields}

    def clean(self) -> dict:
        data = super().clean()
        if self.is_blank() or self.errors:
            return data
        if not data.get("services"):
            self.add_error("services", _("Choose at least one kind of help, or clear the whole row."))
        if not data.get("language"):
            self.add_error("language", _("Choose the language used, or clear the whole row."))
        return data

    def plan(self) -> ContactPlan:
        data = self.cleaned_data
        return ContactPlan(
            services=[self.options.services[pk] for pk in data["services"]],
            language=self.options.languages[data["language"]],
            age_group=data["age_group"],
        )


class BaseContactFormSet(forms.BaseFormSet):
    def plans(self) -> list[ContactPlan]:
        """The contacts entered, rows left empty skipped."""
        return [form.plan() for form in self.forms if not form.is_blank()]

    def typed(self) -> list[dict]:
        """The rows begun, as typed; the empty ones left out."""
        rows = [form.typed() for form in self.forms]
        return [row for row in rows if row["services"] or row["language"] or row["age_group"]]


def contact_formset(
    data: QueryDict | None = None,
    *,
    options: ContactOptions,
    initial: list[dict] | None = None,
    extra: int = EXTRA_ROWS,
) -> BaseContactFormSet:
    """The contact rows: those of `initial` (or the posted ones) and `extra` empty ones, at most
    MAX_ROWS in all. No more contacts than people is the service's rule, checked on saving."""
    formset = forms.formset_factory(
        ContactForm, formset=BaseContactFormSet, extra=extra, max_num=MAX_ROWS, absolute_max=MAX_ROWS
    )
    return formset(data, initial=initial, prefix=PREFIX, form_kwargs={"options": options})
