import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.dates import format_day
from common.text import LocalText, resident_text
from servicepoints.models import Area, DatedHours, DayHours, Place, ServiceType, WeeklyHours, hours_on
from visits import recurrence

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

MAX_VISIT_LENGTH = datetime.timedelta(hours=12)
# What residents are told of a visit whose kinds of help or languages were left empty: every
# advisor gives general guidance, in Finnish. The pages, the print page, the feeds and the API
# all read it from `Visit.offered_services` and `Visit.offered_languages`, and the filters match it.
DEFAULT_SERVICE = ("general-guidance", _("General guidance"))
DEFAULT_LANGUAGE = ("fi", _("Finnish"))
FROZEN_CANCELLED = _("A cancelled visit cannot be changed.")
FROZEN_PAST = _("A visit that has already taken place cannot be changed.")


class Language(models.Model):
    """A language advice is given in; ISO 639-1 code."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


class Venue(Place):
    """A host location the mobile service advisors visit: a library, senior centre, shopping centre…"""

    class Kind(models.TextChoices):
        LIBRARY = "library", _("library")
        SENIOR_CENTRE = "senior_centre", _("senior citizens' service centre")
        SHOPPING_CENTRE = "shopping_centre", _("shopping centre")
        PARTNER = "partner", _("partner premises")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="venues", verbose_name=_("area"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("venues:detail", kwargs={"pk": self.pk})

    def hours_on(self, day: datetime.date) -> DayHours:
        return hours_on(day, weekly=self.opening_hours.all(), exceptions=self.exceptions.all())

    def closure_for(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
        """Why no visit can be held here at this time, else "".

        Rule: a visit is held only on a day the venue is open, within that day's hours. A venue
        whose weekly hours are not recorded counts as open, except on dates marked closed.
        """
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        hours = self.hours_on(start.date())
        when = format_day(start.date())
        if hours.closed and (hours.is_exception or self.opening_hours.all()):
            if hours.reason:
                # Translators: the venue's name, a date, and why the venue is closed.
                return _("%(venue)s is closed on %(date)s (%(reason)s).") % {
                    "venue": self,
                    "date": when,
                    "reason": hours.reason,
                }
            # Translators: the venue's name and a date.
            return _("%(venue)s is closed on %(date)s.") % {"venue": self, "date": when}
        if hours.periods and (start.date() != end.date() or not hours.holds(start.time(), end.time())):
            # Translators: the venue's name, a date, and its opening hours that day, e.g. 9.00–16.00.
            return _("%(venue)s is open only %(hours)s on %(date)s; the visit must fit within those hours.") % {
                "venue": self,
                "date": when,
                "hours": ", ".join(f"{time_format(a)}–{time_format(b)}" for a, b in hours.periods),
            }
        return ""


class VenueOpeningHours(WeeklyHours):
    """When the host premises are open in a usual week."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_hours")

    class Meta(WeeklyHours.Meta):
        verbose_name = _("venue opening hours")
        verbose_name_plural = _("venue opening hours")


class VenueException(DatedHours):
    """A date or run of dates on which the venue is closed or keeps other hours (a holiday, a
    renovation). No visit may be held there while it is closed or outside its hours."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="exceptions")

    class Meta(DatedHours.Meta):
        verbose_name = _("exception to venue hours")
        verbose_name_plural = _("exceptions to venue hours")


class Advisor(models.Model):
    """A staff member who gives advice. One advisor works at many venues on different days."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advisor", verbose_name=_("user")
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="advisors", verbose_name=_("languages"))
    active = models.BooleanField(_("active"), default=True)
    feed_token = models.CharField(
        _("calendar feed key"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The secret in the address of the advisor's own calendar feed; empty when there is none."),
    )

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        verbose_name = _("service advisor")
        verbose_name_plural = _("service advisors")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Offered(NamedTuple):
    """A kind of help or a language as residents read it: its slug or code, and its name."""

    code: str
    name: str


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class CancelReason(models.TextChoices):
    """Standard reasons residents read in their own language; details may be added in free text."""

    ILLNESS = "illness", _("The advisor is ill.")
    TRAINING = "training", _("The advisor is in training.")
    VENUE_CLOSED = "venue_closed", _("The venue is closed.")
    HOLIDAY = "holiday", _("Holiday break.")
    OTHER = "other", _("Other reason.")


class VisitCopy(models.Model):
    """One copy of a week's visits to later weeks; the drafts it made can be removed in one action."""

    source_week = models.DateField(_("copied week"))
    first_week = models.DateField(_("first target week"))
    weeks = models.PositiveSmallIntegerField(_("number of weeks"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("copied week")
        verbose_name_plural = _("copied weeks")

    def __str__(self) -> str:
        return f"{self.source_week} → {self.first_week} ×{self.weeks}"


class VisitSeries(models.Model):
    """A repeating plan: an RFC 5545 rule expanded in Europe/Helsinki local time into visits.

    `start_time` and `end_time` are wall-clock times, so 10:00 stays 10:00 on both sides of a
    daylight-saving change.
    """

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="series", verbose_name=_("venue"))
    rrule = models.CharField(
        _("repeat rule"),
        max_length=500,
        help_text=_("RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10"),
    )
    starts_on = models.DateField(_("first day"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    advisors = models.ManyToManyField(Advisor, blank=True, related_name="series", verbose_name=_("advisors"))
    services = models.ManyToManyField(ServiceType, blank=True, related_name="+", verbose_name=_("kinds of help"))
    languages = models.ManyToManyField(Language, blank=True, related_name="+", verbose_name=_("languages"))
    audience_note = models.TextField(_("note for residents (Finnish)"), blank=True)
    audience_note_sv = models.TextField(_("note for residents (Swedish)"), blank=True)
    audience_note_en = models.TextField(_("note for residents (English)"), blank=True)
    skip_public_holidays = models.BooleanField(_("skip public holidays"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[advisors])

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("visit series")
        verbose_name_plural = _("visit series")

    def __str__(self) -> str:
        return f"{self.venue} · {self.rrule} · {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def rule_in_words(self) -> str:
        """The repeat rule as schedulers read it, e.g. "every Tuesday 10.00–14.00, 10 times"."""
        try:
            return recurrence.rule_in_words(
                rule=self.rrule, starts_on=self.starts_on, start_time=self.start_time, end_time=self.end_time
            )
        except ValidationError:
            # A rule stored before `parse_rule` refused it is shown as written rather than failing the page.
            return self.rrule


class SeriesSkip(models.Model):
    """Dates a series leaves out: one day, or a whole holiday week in one row."""

    series = models.ForeignKey(VisitSeries, on_delete=models.CASCADE, related_name="skips")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("skipped dates")
        verbose_name_plural = _("skipped dates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="skip_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date}"


class VisitQuerySet(models.QuerySet):
    def published(self) -> "VisitQuerySet":
        return self.filter(state=State.PUBLISHED)

    def publishable(self) -> "VisitQuerySet":
        """Drafts that have not ended: the only visits publishing may touch (`Visit.is_publishable`)."""
        return self.filter(state=State.DRAFT, ends_at__gt=timezone.now())

    def public(self) -> "VisitQuerySet":
        """What residents see: published visits and the cancelled ones, shown as cancelled."""
        return self.filter(state__in=[State.PUBLISHED, State.CANCELLED], published_at__isnull=False)

    def not_cancelled(self) -> "VisitQuerySet":
        return self.exclude(state=State.CANCELLED)

    def offering(self, service: ServiceType) -> "VisitQuerySet":
        """Visits that offer `service`, as `Visit.offered_services` reads them."""
        if service.slug == DEFAULT_SERVICE[0]:
            return self.filter(models.Q(services=service) | models.Q(services__isnull=True))
        return self.filter(services=service)

    def offering_any(self, services: "Iterable[ServiceType]") -> "VisitQuerySet":
        """Visits that offer at least one of `services`, as `offering` reads each; all when none."""
        services = list(services)
        if not services:
            return self
        condition = models.Q(services__in=services)
        if any(service.slug == DEFAULT_SERVICE[0] for service in services):
            condition |= models.Q(services__isnull=True)
        return self.filter(condition).distinct()

    def in_language(self, language: "Language") -> "VisitQuerySet":
        """Visits whose advice is given in `language`, as `Visit.offered_languages` reads them."""
        if language.code == DEFAULT_LANGUAGE[0]:
            return self.filter(models.Q(languages=language) | models.Q(languages__isnull=True))
        return self.filter(languages=language)

    def overlapping(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> "VisitQuerySet":
        """Visits whose time overlaps [starts_at, ends_at).

        The lower bound on `starts_at` is implied (no visit is longer than MAX_VISIT_LENGTH, a
        database constraint) but lets the index on `starts_at` read only the window, so the
        cost does not grow with the years of past visits.
        """
        return self.filter(starts_at__lt=ends_at, starts_at__gt=starts_at - MAX_VISIT_LENGTH, ends_at__gt=starts_at)

    def upcoming(self) -> "VisitQuerySet":
        return self.filter(ends_at__gt=timezone.now())


class Visit(models.Model):
    """One visit of the mobile service at a venue."""

    series = models.ForeignKey(
        VisitSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits", verbose_name=_("series")
    )
    occurrence_date = models.DateField(
        _("date in the series"), null=True, blank=True, help_text=_("The series date this visit stands for.")
    )
    detached = models.BooleanField(
        _("edited on its own"), default=False, help_text=_("Changes to the series no longer touch this visit.")
    )
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="visits", verbose_name=_("venue"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    advisors = models.ManyToManyField(
        Advisor, through="VisitAdvisor", blank=True, related_name="visits", verbose_name=_("advisors")
    )
    services = models.ManyToManyField(ServiceType, blank=True, related_name="visits", verbose_name=_("kinds of help"))
    languages = models.ManyToManyField(Language, blank=True, related_name="visits", verbose_name=_("languages"))
    # The unsuffixed texts are Finnish, the default language; residents read their own language's
    # text and Finnish where it is empty. Plain columns rather than modeltranslation's, so the
    # visit's history (built before modeltranslation registers) records every language.
    audience_note = models.TextField(_("note for residents (Finnish)"), blank=True)
    audience_note_sv = models.TextField(_("note for residents (Swedish)"), blank=True)
    audience_note_en = models.TextField(_("note for residents (English)"), blank=True)
    copy = models.ForeignKey(
        VisitCopy, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits", verbose_name=_("copy")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancel_reason_code = models.CharField(
        _("reason for cancellation"), max_length=20, choices=CancelReason.choices, blank=True
    )
    cancel_reason = models.CharField(_("cancellation details (Finnish)"), max_length=300, blank=True)
    cancel_reason_sv = models.CharField(_("cancellation details (Swedish)"), max_length=300, blank=True)
    cancel_reason_en = models.CharField(_("cancellation details (English)"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["starts_at", "ends_at"]),
            models.Index(fields=["state", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="visit_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__lte=models.F("starts_at") + MAX_VISIT_LENGTH),
                name="visit_at_most_12_hours",
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                condition=models.Q(series__isnull=False),
                name="one_visit_per_series_date",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.venue} {local:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("visits:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = ValidationError(_("The visit must end after it starts."), code="ends_before_start")
            elif self.ends_at - self.starts_at > MAX_VISIT_LENGTH:
                errors["ends_at"] = ValidationError(_("A visit can last at most 12 hours."), code="too_long")
        if self.state == State.CANCELLED and not self.cancel_reason_code:
            errors["cancel_reason_code"] = ValidationError(
                _("Choose the reason residents will see for the cancellation."), code="reason_required"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.state == State.CANCELLED

    @property
    def is_published(self) -> bool:
        """Published and not cancelled: residents see it as scheduled, and hear if that changes."""
        return self.state == State.PUBLISHED

    @cached_property
    def closure(self) -> str:
        """Why the venue cannot host the visit at its time (closed, or outside its hours), else ""."""
        return self.venue.closure_for(self.starts_at, self.ends_at)

    @property
    def is_expired_draft(self) -> bool:
        """A draft whose time has passed: it can never be published."""
        return self.is_draft and self.is_over

    @property
    def note(self) -> LocalText:
        """The note for residents in the active language, or in Finnish."""
        return resident_text(self, "audience_note")

    @property
    def cancel_details(self) -> LocalText:
        """The scheduler's free-text details of the cancellation in the active language, or in Finnish."""
        return resident_text(self, "cancel_reason")

    @property
    def public_cancel_reason(self) -> str:
        """The standard reason in the active language, then the details: one line for feeds and the API."""
        if not self.is_cancelled:
            return ""
        label = str(CancelReason(self.cancel_reason_code).label) if self.cancel_reason_code else ""
        return " ".join(part for part in (label, self.cancel_details.text) if part)

    @property
    def offered_services(self) -> list[Offered]:
        """The kinds of help residents are told of; general guidance when none was chosen."""
        chosen = [Offered(s.slug, s.name) for s in self.services.all()]
        return chosen or [Offered(DEFAULT_SERVICE[0], str(DEFAULT_SERVICE[1]))]

    @property
    def offered_languages(self) -> list[Offered]:
        """The languages residents are told of; Finnish when none was chosen."""
        chosen = [Offered(language.code, language.name) for language in self.languages.all()]
        return chosen or [Offered(DEFAULT_LANGUAGE[0], str(DEFAULT_LANGUAGE[1]))]

    @property
    def is_draft(self) -> bool:
        return self.state == State.DRAFT

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_publishable(self) -> bool:
        """A draft that has not ended; the same rule as `VisitQuerySet.publishable()`."""
        return self.is_draft and not self.is_over

    @property
    def frozen_reason(self) -> str:
        """Why the visit can no longer be changed (cancelled, or already over); empty while it can.

        The one statement of the rule: the services refuse a change with this message, and the
        staff pages show it instead of offering the change.
        """
        if self.is_cancelled:
            return str(FROZEN_CANCELLED)
        if self.is_over:
            return str(FROZEN_PAST)
        return ""

    @property
    def is_restorable(self) -> bool:
        """A cancelled visit that has not started: its cancellation can still be undone."""
        return self.is_cancelled and self.starts_at > timezone.now()

    @property
    def public_status(self) -> str:
        return "cancelled" if self.state == State.CANCELLED else "scheduled"


class VisitAdvisor(models.Model):
    """An advisor's place in a visit, carrying the visit's time range.

    The copy of the range lets PostgreSQL enforce, with an exclusion constraint, that no advisor
    is in two overlapping visits that are not cancelled (migration 0002). Services keep the copy
    in step with the visit.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="assignments")
    advisor = models.ForeignKey(Advisor, on_delete=models.PROTECT, related_name="assignments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True, help_text=_("False once the visit is cancelled."))
    # Who put an advisor on a visit or took them off, and when; the range is the visit's own.
    history = HistoricalRecords(excluded_fields=["starts_at", "ends_at", "active"])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "advisor"], name="advisor_once_per_visit")]
        indexes = [models.Index(fields=["advisor", "starts_at"])]
        verbose_name = _("advisor in visit")
        verbose_name_plural = _("advisors in visits")

    def __str__(self) -> str:
        return f"{self.advisor} @ {self.visit}"


# Residents' e-mail notices ----------------------------------------------------------------------


# An unconfirmed subscription is deleted after this long; the form says so.
UNCONFIRMED_DAYS = 7


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriptionQuerySet":
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self) -> "SubscriptionQuerySet":
        return self.filter(confirmed_at__isnull=True)


class Subscription(models.Model):
    """A resident's wish to hear of visits and closures by e-mail, without an account.

    Only the address and the choices are kept. Nothing but the confirmation mail is sent before
    the resident follows its link (`confirmed_at`); the token in every mail's links is the only
    key to the subscription's choices.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    areas = models.ManyToManyField(Area, blank=True, related_name="subscriptions", verbose_name=_("areas"))
    venues = models.ManyToManyField(Venue, blank=True, related_name="subscriptions", verbose_name=_("venues"))
    services = models.ManyToManyField(
        ServiceType, blank=True, related_name="subscriptions", verbose_name=_("kinds of help")
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # When a confirmation mail (or, once confirmed, a mail with the link to change the choices)
    # was last asked for: at most one an hour goes to an address.
    link_requested_at = models.DateTimeField(_("link last sent at"), null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_expired(self) -> bool:
        """Unconfirmed for longer than `UNCONFIRMED_DAYS`: its link no longer confirms it."""
        return not self.is_confirmed and self.created_at < timezone.now() - datetime.timedelta(days=UNCONFIRMED_DAYS)


class Notice(models.Model):
    """An event residents are told of, written in the same transaction as the change behind it
    (the outbox). The relay turns it into one `Delivery` per matching subscriber. A subscription's
    own mails (its confirmation, a link to change it) go the same way, so they too survive an
    outage of the broker or a worker."""

    class Kind(models.TextChoices):
        CANCELLED = "cancelled", _("visit cancelled")
        RESTORED = "restored", _("visit restored")
        MOVED = "moved", _("visit moved")
        DIGEST = "digest", _("weekly digest of new visits")
        VENUE_CLOSED = "venue_closed", _("venue closed")
        POINT_CLOSING = "point_closing", _("service point closing")
        CONFIRM = "confirm", _("confirmation of a subscription")
        CHOICES_LINK = "choices_link", _("link to change a subscription")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the notice is about; which one depends on the kind.
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="notices", verbose_name=_("visit")
    )
    venue_exception = models.ForeignKey(
        VenueException, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    service_point = models.ForeignKey(
        "servicepoints.ServicePoint", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    # The one recipient of a confirmation or a link to change the choices.
    subscription = models.ForeignKey(
        "Subscription", on_delete=models.CASCADE, null=True, blank=True, related_name="own_notices"
    )
    # Facts as they were when the event happened: a moved visit's former place and time, a
    # closure's dates, a digest's period. The mail is written from these and the current rows.
    details = models.JSONField(default=dict, blank=True)
    # Events made by a periodic job carry a key, so that running the job again adds nothing.
    key = models.CharField(max_length=100, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    relayed_at = models.DateTimeField(_("relayed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(relayed_at__isnull=True), name="notice_pending")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Delivery(models.Model):
    """One notice to one subscriber on one channel. The unique row makes a relay run twice, or a
    task redelivered by the broker, harmless: it is claimed before sending and sent only once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed for good")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notice"))
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the delivery was last handed to the broker or claimed by a worker: the sweep hands
    # it over again when this is long past and it is still not sent.
    touched_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notice", "subscription", "channel"], name="one_delivery_per_notice"),
        ]
        indexes = [models.Index(fields=["state", "touched_at"])]

    def __str__(self) -> str:
        return f"{self.notice} → {self.subscription}"

    @property
    def message_id(self) -> str:
        """The same on every attempt, so a mail system that saw it once can drop a repeat."""
        return f"<notice-{self.notice_id}.{self.subscription_id}@{settings.ICAL_UID_DOMAIN}>"


# Recording whom advisors helped -----------------------------------------------------------------


# More people than this in one visit is a typing error, not a busy day.
MAX_PEOPLE_HELPED = 500
# A visit's own advisors record and correct its figures until the end of this many days after
# the day it ended (Helsinki); a scheduler at any time.
RECORD_CORRECTION_DAYS = 7
# What the advisor group has (migration 0010); the scheduler group also has the permission to
# record and correct any visit's figures at any time.
RECORD_PERMISSIONS = ("visits.add_visitrecord", "visits.change_visitrecord")
RECORD_ANY_PERMISSION = "visits.correct_any_visitrecord"
PEOPLE_NEGATIVE = _("The number of people helped cannot be negative.")
# Translators: %(limit_value)s is the largest number of people one visit can record (500).
PEOPLE_TOO_MANY = _("At most %(limit_value)s people can be recorded for one visit; check the number.")


class AgeGroup(models.TextChoices):
    UNDER_30 = "under_30", _("under 30")
    FROM_30_TO_64 = "30_64", _("30–64")
    FROM_65_TO_74 = "65_74", _("65–74")
    FROM_75 = "75_over", _("75 and over")


def advisors_record_until(visit: Visit) -> datetime.date:
    """The last day (Helsinki) on which the visit's own advisors may record or correct its figures."""
    return timezone.localtime(visit.ends_at).date() + datetime.timedelta(days=RECORD_CORRECTION_DAYS)


def recording_refusal(*, visit: Visit, user: "AbstractUser") -> ValidationError | None:
    """Why `user` may not record or correct the visit's figures now, else None.

    The one statement of the rule: figures belong to a visit that was held, so it is published
    (not a draft, not cancelled) and has started. A scheduler (`RECORD_ANY_PERMISSION`) records and
    corrects them at any time; one of the visit's own advisors (booked on it, with
    `RECORD_PERMISSIONS`) until the end of `advisors_record_until`. `visit_record_save` refuses with
    this error and the staff pages show its message instead of offering the form. The error's
    code says which part of the rule refused: `cancelled`, `draft`, `not_started`, `not_own` or
    `too_late`.
    """
    if visit.is_cancelled:
        return ValidationError(_("The visit was cancelled: it has no figures to record."), code="cancelled")
    if visit.is_draft:
        return ValidationError(
            _("The visit was never published, so it was not held: it has no figures to record."), code="draft"
        )
    if visit.starts_at > timezone.now():
        return ValidationError(
            _("The visit has not started yet: record whom you helped once it has begun."), code="not_started"
        )
    if user.has_perm(RECORD_ANY_PERMISSION):
        return None
    advisor = getattr(user, "advisor", None)
    own = (
        advisor is not None
        and user.has_perms(RECORD_PERMISSIONS)
        # Read through `assignments` so that a list of visits can prefetch them. A booking is
        # inactive once the visit is cancelled; an advisor taken off the visit has none.
        and any(a.advisor_id == advisor.pk and a.active for a in visit.assignments.all())
    )
    if not own:
        return ValidationError(
            _("Only the visit's own advisors and the schedulers can record whom the visit helped."), code="not_own"
        )
    until = advisors_record_until(visit)
    if timezone.localdate() > until:
        return ValidationError(
            # Translators: the last day on which the visit's advisors could correct its figures.
            _("Advisors could record and correct this visit's figures until %(date)s; now only a scheduler can.")
            % {"date": format_day(until)},
            code="too_late",
        )
    return None


class VisitRecord(models.Model):
    """How many people a visit helped and with what, as its advisors recorded it.

    No row: not recorded yet. A row with no people: the visit was held and nobody came. Only
    counts and kinds of help are kept, never a name or anything else that tells who was helped.
    The figures change only through `visit_record_save`, and every change is in the history.
    """

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="record", verbose_name=_("visit"))
    people_helped = models.PositiveSmallIntegerField(
        _("people helped"),
        validators=[
            MinValueValidator(0, message=PEOPLE_NEGATIVE),
            MaxValueValidator(MAX_PEOPLE_HELPED, message=PEOPLE_TOO_MANY),
        ],
        help_text=_("0 when the visit was held and nobody came."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people_helped__lte=MAX_PEOPLE_HELPED), name="record_at_most_500_people"
            )
        ]
        permissions = [("correct_any_visitrecord", "Can record and correct any visit's figures at any time")]

    def __str__(self) -> str:
        return f"{self.visit}: {self.people_helped}"

    @property
    def nobody_came(self) -> bool:
        return self.people_helped == 0


class Contact(models.Model):
    """One person helped at a visit: the kinds of help, the language used and, if noted, an age
    group. Nothing that names the person. A record has at most as many contacts as people helped."""

    record = models.ForeignKey(
        VisitRecord, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("visit record")
    )
    services = models.ManyToManyField(ServiceType, related_name="contacts", verbose_name=_("kinds of help"))
    language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("language")
    )
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices, blank=True)
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["record", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.record.visit} #{self.pk}"
