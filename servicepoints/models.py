import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import asin, cos, radians, sin, sqrt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.dates import format_day
from common.text import LocalText, resident_text

# A generous box around Espoo: a point outside it is a typo, not a service point.
ESPOO_LATITUDE_RANGE = (60.05, 60.40)
ESPOO_LONGITUDE_RANGE = (24.45, 24.95)
EARTH_RADIUS_M = 6_371_000


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres between two WGS84 points, by the haversine formula."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(a))


def validate_in_espoo(latitude: float | None, longitude: float | None) -> dict[str, ValidationError]:
    """Errors keyed by field for a position far outside Espoo."""
    errors: dict[str, ValidationError] = {}
    if latitude is not None and not ESPOO_LATITUDE_RANGE[0] <= latitude <= ESPOO_LATITUDE_RANGE[1]:
        errors["latitude"] = ValidationError(
            # Translators: the latitude given, then the lowest and highest latitude in Espoo.
            _("The latitude %(value)s is far outside Espoo (expected %(low)s–%(high)s)."),
            params={"value": latitude, "low": ESPOO_LATITUDE_RANGE[0], "high": ESPOO_LATITUDE_RANGE[1]},
            code="outside_espoo",
        )
    if longitude is not None and not ESPOO_LONGITUDE_RANGE[0] <= longitude <= ESPOO_LONGITUDE_RANGE[1]:
        errors["longitude"] = ValidationError(
            # Translators: the longitude given, then the lowest and highest longitude in Espoo.
            _("The longitude %(value)s is far outside Espoo (expected %(low)s–%(high)s)."),
            params={"value": longitude, "low": ESPOO_LONGITUDE_RANGE[0], "high": ESPOO_LONGITUDE_RANGE[1]},
            code="outside_espoo",
        )
    return errors


def latitude_field(**kwargs) -> models.FloatField:
    return models.FloatField(
        _("latitude"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("WGS84 decimal degrees, e.g. 60.2175. Drag the marker on the map to set it."),
        **kwargs,
    )


def longitude_field(**kwargs) -> models.FloatField:
    return models.FloatField(
        _("longitude"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("WGS84 decimal degrees, e.g. 24.8099."),
        **kwargs,
    )


class Place(models.Model):
    """What a service point and a venue share: an address, a position in Espoo, how to get in."""

    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=50, default="Espoo")
    latitude = latitude_field()
    longitude = longitude_field()
    location_is_approximate = models.BooleanField(
        _("location is approximate"),
        default=False,
        help_text=_("Set while the position is an estimate; clear it once checked on the map."),
    )
    accessibility = models.TextField(_("accessibility"), blank=True)
    public_transport = models.TextField(_("public transport"), blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = self.validation_errors()
        if errors:
            raise ValidationError(errors)

    def validation_errors(self) -> dict[str, ValidationError]:
        """Errors keyed by field; a place far outside Espoo is a typo. Subclasses add their own."""
        return validate_in_espoo(self.latitude, self.longitude)

    def distance_m(self, latitude: float, longitude: float) -> float:
        return great_circle_m(self.latitude, self.longitude, latitude, longitude)


class WeeklyHours(models.Model):
    """A weekly rule: open on this weekday between these times. Several rows make a split day."""

    class Weekday(models.IntegerChoices):
        # A context of our own: Django's catalogues carry the same words, and ours must not
        # override theirs.
        MONDAY = 0, pgettext_lazy("weekday", "Monday")
        TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
        WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
        THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
        FRIDAY = 4, pgettext_lazy("weekday", "Friday")
        SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
        SUNDAY = 6, pgettext_lazy("weekday", "Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        abstract = True
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="%(class)s_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})


@dataclass(frozen=True)
class DayHours:
    """A place's hours on one day: open periods (none: closed), and the exception's reason."""

    day: datetime.date
    periods: list[tuple[datetime.time, datetime.time]] = field(default_factory=list)
    reason: str = ""
    is_exception: bool = False

    @property
    def closed(self) -> bool:
        return not self.periods

    def holds(self, start: datetime.time, end: datetime.time) -> bool:
        """Whether the place is open for the whole of start–end on the day."""
        return any(opens <= start and end <= closes for opens, closes in self.periods)


def hours_on(day: datetime.date, *, weekly: "Iterable[WeeklyHours]", exceptions: "Iterable[DatedHours]") -> DayHours:
    """The hours on `day`. Rule: any dated exception covering the day replaces the weekly hours."""
    covering = [e for e in exceptions if e.covers(day)]
    if covering:
        reason = next((e.reason for e in covering if e.reason), "")
        if any(e.closed for e in covering):
            return DayHours(day=day, reason=reason, is_exception=True)
        periods = sorted((e.opens, e.closes) for e in covering)
        return DayHours(day=day, periods=periods, reason=reason, is_exception=True)
    return DayHours(day=day, periods=[(h.opens, h.closes) for h in weekly if h.weekday == day.weekday()])


class Area(models.Model):
    """An urban centre (major district) of Espoo; every one is promised face-to-face service."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    latitude = latitude_field()
    longitude = longitude_field()
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = validate_in_espoo(self.latitude, self.longitude)
        if errors:
            raise ValidationError(errors)


class ServiceType(models.Model):
    """A kind of help: digital support, general guidance, Kela matters and so on."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("kind of help")
        verbose_name_plural = _("kinds of help")

    def __str__(self) -> str:
        return self.name


class ServicePointQuerySet(models.QuerySet):
    def operating_on(self, day: datetime.date) -> "ServicePointQuerySet":
        """Points that serve residents on `day`: opened and not yet past their last day."""
        return self.filter(
            models.Q(opens_on__isnull=True) | models.Q(opens_on__lte=day),
            models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=day),
        )


class ServicePoint(Place):
    """A fixed or small-scale service point of the city.

    Its status on a date is derived from `opens_on` and `closes_on` (see `status_on`) and never
    stored, so a closed point cannot read "open" because somebody forgot to update a flag.
    """

    class Kind(models.TextChoices):
        FIXED = "fixed", _("service point")
        SMALL = "small", _("small-scale service point")

    class Status(models.TextChoices):
        PLANNED = "planned", _("opening later")
        OPEN = "open", _("open")
        CLOSING = "closing", _("closing soon")
        CLOSED = "closed", _("closed")

        @property
        def serving(self) -> bool:
            """Residents are served on the day: open, or open while closing."""
            return self in (ServicePoint.Status.OPEN, ServicePoint.Status.CLOSING)

        @property
        def winding_down(self) -> bool:
            """Closing soon or closed: residents are told the date and where to go instead."""
            return self in (ServicePoint.Status.CLOSING, ServicePoint.Status.CLOSED)

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("area"))
    services = models.ManyToManyField(
        ServiceType, blank=True, related_name="service_points", verbose_name=_("services")
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True, help_text=_("First day of service."))
    closes_on = models.DateField(_("closes on"), null=True, blank=True, help_text=_("Last day of service."))
    closure_note = models.TextField(_("closure note"), blank=True, help_text=_("Shown to residents with the closure."))
    example_data = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_(
            "Ticked while the place or hours are examples, not confirmed by the city: residents see them "
            "marked as such. Untick once an administrator has confirmed them."
        ),
    )
    alternatives = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("alternatives after closure"),
    )

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="servicepoint_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("servicepoints:detail", kwargs={"slug": self.slug})

    def validation_errors(self) -> dict[str, ValidationError]:
        errors = super().validation_errors()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = ValidationError(
                _("The closing date cannot be before the opening date."), code="closes_before_opening"
            )
        return errors

    def status_on(self, day: datetime.date) -> "ServicePoint.Status":
        if self.opens_on and day < self.opens_on:
            return self.Status.PLANNED
        if self.closes_on:
            if day > self.closes_on:
                return self.Status.CLOSED
            if (self.closes_on - day).days < settings.SERVICEPOINT_CLOSING_NOTICE_DAYS:
                return self.Status.CLOSING
        return self.Status.OPEN

    @property
    def is_small(self) -> bool:
        return self.kind == self.Kind.SMALL


class OpeningHours(WeeklyHours):
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="opening_hours")

    class Meta(WeeklyHours.Meta):
        verbose_name = _("weekly opening hours")
        verbose_name_plural = _("weekly opening hours")


class DatedHours(models.Model):
    """Dated hours that replace the weekly rule on every day from `start_date` to `end_date`.

    An exception always wins over the weekly hours: a day marked closed is closed, whatever the
    weekly rule says. A new row is not closed unless ticked, so a row added for other hours
    cannot close a place by accident.
    """

    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), help_text=_("Same as the start date for a single day."))
    closed = models.BooleanField(_("closed"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["start_date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="%(class)s_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(closed=True, opens__isnull=True, closes__isnull=True)
                | models.Q(closed=False, opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="%(class)s_hours_consistent",
            ),
        ]

    def __str__(self) -> str:
        if self.closed:
            return f"{self.start_date}–{self.end_date}: {_('closed')}"
        return f"{self.start_date}–{self.end_date}: {self.opens:%H:%M}–{self.closes:%H:%M}"

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date

    def overlaps(self, other: "DatedHours") -> bool:
        return self.start_date <= other.end_date and other.start_date <= self.end_date

    def refuse_overlap(self, others: "Iterable[DatedHours]") -> None:
        """Rule: a place's dated exceptions never overlap, so each day has one answer."""
        for other in others:
            if other is not self and (self.pk is None or other.pk != self.pk) and self.overlaps(other):
                raise ValidationError(
                    {
                        "start_date": ValidationError(
                            # Translators: the first and last day of the other exception.
                            _("These dates overlap another exception (%(start)s–%(end)s); change or remove that one."),
                            params={
                                "start": format_day(other.start_date),
                                "end": format_day(other.end_date),
                            },
                            code="overlap",
                        )
                    }
                )

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = ValidationError(_("The end date cannot be before the start date."))
        if self.closed:
            if self.opens is not None or self.closes is not None:
                errors["closed"] = ValidationError(_("A closed day has no opening hours; clear the times."))
        else:
            if self.opens is None:
                errors["opens"] = ValidationError(_("Give the opening time, or mark the day closed."))
            if self.closes is None:
                errors["closes"] = ValidationError(_("Give the closing time, or mark the day closed."))
            if self.opens is not None and self.closes is not None and self.closes <= self.opens:
                errors["closes"] = ValidationError(_("The closing time must be after the opening time."))
        if errors:
            raise ValidationError(errors)


class OpeningHoursException(DatedHours):
    service_point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="exceptions")

    class Meta(DatedHours.Meta):
        verbose_name = _("exception to opening hours")
        verbose_name_plural = _("exceptions to opening hours")


# Names the field it is about, for the admin form and the database check alike.
ENDS_BEFORE_START = _("The last day cannot be before the first day.")


class AnnouncementQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date) -> "AnnouncementQuerySet":
        """Announcements shown on `day` (a Helsinki date): from the first day to the last, both included."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Announcement(models.Model):
    """A dated notice to every resident, such as a closure or a holiday break: a banner on every
    public page and an entry in the API while it is in force (see `AnnouncementQuerySet.in_force`).

    Written in Finnish, and in Swedish and English where given; a missing translation reads in
    Finnish.
    """

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    starts_on = models.DateField(_("first day"), help_text=_("The first day the announcement is shown."))
    ends_on = models.DateField(
        _("last day"), help_text=_("The last day the announcement is shown; the same as the first day for one day.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Part of what a resident's browser remembers of an announcement it hid: an edit shows it again.
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="announcement_ends_on_or_after_start",
                violation_error_message=ENDS_BEFORE_START,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": ValidationError(ENDS_BEFORE_START, code="ends_before_start")})

    @property
    def local_title(self) -> LocalText:
        """The title in the active language, else in Finnish."""
        return resident_text(self, "title")

    @property
    def local_text(self) -> LocalText:
        return resident_text(self, "text")


# More visitors than this at one point in one day is a typing error, not a busy day.
MAX_DAILY_VISITORS = 5000
# Translators: %(limit_value)s is the largest number of visitors one point can record for a day (5000).
VISITORS_TOO_MANY = _("At most %(limit_value)s visitors can be recorded for one day; check the number.")


class ServicePointDailyCount(models.Model):
    """How many visitors a service point had on one day, as its staff counted them.

    One row per point and day; a correction changes the row, and the history keeps what it said
    before. The figures change only through `servicepoints.services.daily_count_save`. The
    model also carries the permission to see the pilot's figures (`servicepoints.view_reports`),
    which covers the fixed points and the mobile service alike.
    """

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="daily_counts", verbose_name=_("service point")
    )
    day = models.DateField(_("day"))
    visitors = models.PositiveIntegerField(
        _("visitors"),
        validators=[MaxValueValidator(MAX_DAILY_VISITORS, message=VISITORS_TOO_MANY)],
        help_text=_("0 when the point was open and nobody came."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "service_point"]
        verbose_name = _("daily visitor count")
        verbose_name_plural = _("daily visitor counts")
        constraints = [
            models.UniqueConstraint(fields=["service_point", "day"], name="daily_count_one_per_point_and_day"),
            models.CheckConstraint(
                condition=models.Q(visitors__lte=MAX_DAILY_VISITORS), name="daily_count_at_most_5000_visitors"
            ),
        ]
        permissions = [("view_reports", "Can see the pilot's figures")]

    def __str__(self) -> str:
        return f"{self.service_point}, {self.day}: {self.visitors}"

    def clean(self) -> None:
        # Helsinki's today: a count is entered at the end of the day or later, never ahead.
        if self.day and self.day > timezone.localdate():
            raise ValidationError({"day": ValidationError(_("The day cannot be in the future."), code="future_day")})
