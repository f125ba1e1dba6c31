"""What residents choose for their e-mail notices: the address, the language of the mails, and the
areas, venues and kinds of help to hear about. The rules (at least one area or venue, one mail an
hour) are the services' (`visits.notices.services`); these forms parse and show their errors."""

import re
from itertools import groupby

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.boundfield import BoundWidget
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from servicepoints.models import Area, ServiceType
from visits.models import Subscription, Venue
from visits.notices.services import MAX_EMAIL_LENGTH
from visits.public.forms import MAX_ID

# Each language is named in itself, not translated: a resident finds their own language whatever
# the language of the page.
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
# A link into the form names a few areas or venues; more than this is not a link a page made.
PREFILL_MAX_VALUES = 50
VENUE_ID = re.compile(r"[0-9]{1,10}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def _choice_errors(what: str) -> dict[str, str]:
    # A forged or outdated value is not echoed back: it may be anything a script sent.
    return {"invalid_choice": what, "invalid_pk_value": what, "invalid_list": what}


class VenuesField(forms.ModelMultipleChoiceField):
    """Venues by id. An id beyond what the database holds is refused before the query: SQLite
    cannot even compare it."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if not (isinstance(pk, str | int) and VENUE_ID.fullmatch(str(pk)) and int(pk) <= MAX_ID):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super().clean(value)


class SubscriptionChoicesForm(forms.Form):
    """What a subscriber hears about; the page to change a subscription shows this form alone."""

    language = forms.ChoiceField(
        label=_("Language of the messages"),
        choices=[(code, LANGUAGE_NAMES[code]) for code, _name in settings.LANGUAGES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of the messages."),
            "invalid_choice": _("Choose Finnish, Swedish or English."),
        },
    )
    areas = forms.ModelMultipleChoiceField(
        Area.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Areas"),
        help_text=_("You hear of the visits and closures anywhere in the areas you choose."),
        error_messages=_choice_errors(_("One of the areas chosen does not exist. Choose the areas again.")),
    )
    venues = VenuesField(
        Venue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Venues"),
        help_text=_("Listed by area. You hear of the visits and closures at the venues you choose."),
        error_messages=_choice_errors(_("One of the venues chosen does not exist. Choose the venues again.")),
    )
    services = forms.ModelMultipleChoiceField(
        ServiceType.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Only these kinds of help"),
        help_text=_("Leave them all unticked to hear about every kind of help."),
        error_messages=_choice_errors(_("One of the kinds of help chosen does not exist. Choose them again.")),
    )

    def __init__(self, data: QueryDict | None = None, *, subscription: Subscription | None = None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        # Active venues, and those the subscriber already chose even if they are no longer
        # active, so that saving other choices does not drop them silently.
        choosable = Q(active=True)
        if subscription is not None:
            choosable |= Q(pk__in=subscription.venues.all())
        # Built here, in the request's language: venues are listed by name within each area.
        self.fields["venues"].queryset = (
            Venue.objects.filter(choosable).select_related("area").order_by("area__ordering", "area__slug", "name")
        )

    def venue_groups(self) -> list[tuple[Area, list[BoundWidget]]]:
        """The venues' checkboxes under their areas, in the areas' order."""
        options = list(self["venues"])
        return [
            (area, list(group))
            for area, group in groupby(options, key=lambda option: option.data["value"].instance.area)
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """A service's ValidationError on the field it names (the services name theirs as this
        form does), else above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class SubscribeForm(SubscriptionChoicesForm):
    """A resident's request for notices: their address and their choices."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address, such as name@example.com."),
        },
    )

    field_order = ["email", "language", "areas", "venues", "services"]


def subscribe_initial(query: QueryDict, *, language: str) -> dict:
    """The form's first choices: the page's language, and the areas (`?area=<slug>`) and active
    venues (`?venue=<id>`) a link into the form names. A link only suggests: a value that names
    nothing is left out, never refused."""
    slugs = [value for value in query.getlist("area")[:PREFILL_MAX_VALUES] if SLUG.fullmatch(value)]
    ids = [int(value) for value in query.getlist("venue")[:PREFILL_MAX_VALUES] if VENUE_ID.fullmatch(value)]
    return {
        "language": language,
        "areas": list(Area.objects.filter(slug__in=slugs)),
        "venues": list(Venue.objects.filter(active=True, pk__in=[pk for pk in ids if pk <= MAX_ID])),
    }


def change_initial(subscription: Subscription) -> dict:
    """The subscriber's choices as they stand."""
    return {
        "language": subscription.language,
        "areas": list(subscription.areas.all()),
        "venues": list(subscription.venues.all()),
        "services": list(subscription.services.all()),
    }
