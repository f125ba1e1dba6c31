"""Writes to the mobile service's plan. Every write is one transaction and validates first."""

import datetime
import functools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common.dates import public_holidays
from servicepoints.models import ServiceType
from visits.models import Advisor, Language, SeriesSkip, State, Venue, Visit, VisitAdvisor, VisitSeries
from visits.recurrence import local_datetime, rule_dates

P = ParamSpec("P")
R = TypeVar("R")
ADVISOR_FIELD = "advisors"
# PostgreSQL's deadlock, serialization failure and lock-not-available; SQLite's busy database.
CONTENTION_CODES = {"40P01", "40001", "55P03"}
CONTENTION_ATTEMPTS = 3
NOTE_FIELDS = ("audience_note", "audience_note_sv", "audience_note_en")


def _contended(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) in CONTENTION_CODES or "database is locked" in str(error)


def retried_on_contention(service: Callable[P, R]) -> Callable[P, R]:
    """Rule: schedulers saving at the same moment get their save or a message, never an error page.

    A write that loses a deadlock or a lock wait is run again from the start (its transaction was
    rolled back whole); after CONTENTION_ATTEMPTS it is refused with a message. Only the outermost
    service call retries: inside another service's transaction the error goes up to it.
    """

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return service(*args, **kwargs)
        for attempt in range(1, CONTENTION_ATTEMPTS + 1):
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not _contended(error):
                    raise
                if attempt == CONTENTION_ATTEMPTS:
                    raise ValidationError(
                        _("Others were saving the same advisors' visits at this moment; nothing was saved. Try again."),
                        code="contention",
                    ) from None
                time.sleep(0.05 * attempt * (1 + random.random()))
        raise AssertionError("unreachable")

    return run


@dataclass
class VisitPlan:
    """What a visit is to be; the same shape for a new visit, an edit and a series occurrence."""

    venue: Venue
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    advisors: list[Advisor] = field(default_factory=list)
    services: list[ServiceType] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)
    audience_note: str = ""
    audience_note_sv: str = ""
    audience_note_en: str = ""


@dataclass
class Review:
    """What a scheduler must fix (conflicts) and should know (warnings) before saving."""

    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _when(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{date_format(start, 'SHORT_DATE_FORMAT')} {time_format(start)}–{time_format(end)}"


def _conflict_message(assignment: VisitAdvisor) -> str:
    # Translators: an advisor's name, then the visit they are already booked in: its number, the
    # venue's name and its date and time. Names stay in the nominative.
    return _("%(advisor)s is already booked: visit #%(id)s, %(venue)s, %(when)s.") % {
        "advisor": assignment.advisor,
        "id": assignment.visit_id,
        "venue": assignment.visit.venue,
        "when": _when(assignment.starts_at, assignment.ends_at),
    }


def advisor_conflicts(
    *, advisors: Iterable[Advisor], starts_at: datetime.datetime, ends_at: datetime.datetime, exclude: int | None = None
) -> list[str]:
    """Rule: an advisor is never in two overlapping visits that are not cancelled."""
    clashes = (
        VisitAdvisor.objects.filter(
            advisor__in=list(advisors), active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(visit_id=exclude)
        .select_related("advisor__user", "visit__venue")
        .order_by("starts_at")
    )
    return [_conflict_message(a) for a in clashes]


def visit_review(plan: VisitPlan, *, exclude: int | None = None) -> Review:
    """Conflicts block a save; warnings (a time already over, outside venue hours, another visit at
    the venue) do not."""
    review = Review(
        conflicts=advisor_conflicts(
            advisors=plan.advisors, starts_at=plan.starts_at, ends_at=plan.ends_at, exclude=exclude
        )
    )
    if plan.ends_at <= timezone.now():
        review.warnings.append(
            _("This time is already over: the visit can never be published, and it cannot be changed once saved.")
        )
    start, end = timezone.localtime(plan.starts_at), timezone.localtime(plan.ends_at)
    hours = [h for h in plan.venue.opening_hours.all() if h.weekday == start.weekday()]
    if plan.venue.opening_hours.exists() and not any(
        h.opens <= start.time() and end.time() <= h.closes and start.date() == end.date() for h in hours
    ):
        review.warnings.append(
            # Translators: the venue's name.
            _("%(venue)s is not open for the whole visit on that day.") % {"venue": plan.venue}
            if hours
            # Translators: the venue's name.
            else _("%(venue)s is closed on that weekday.") % {"venue": plan.venue}
        )
    others = (
        Visit.objects.not_cancelled()
        .filter(venue=plan.venue)
        .overlapping(plan.starts_at, plan.ends_at)
        .exclude(pk=exclude)
        .order_by("starts_at")
    )
    for other in others:
        review.warnings.append(
            # Translators: the other visit's number, and its date and time.
            _("Visit #%(id)s is at the same venue at the same time (%(when)s).")
            % {"id": other.pk, "when": _when(other.starts_at, other.ends_at)}
        )
    return review


def _validate_plan(plan: VisitPlan) -> None:
    probe = Visit(venue=plan.venue, starts_at=plan.starts_at, ends_at=plan.ends_at)
    probe.clean_fields(exclude=["series", "occurrence_date"])
    probe.clean()
    inactive = [str(a) for a in plan.advisors if not a.active]
    if inactive:
        # Translators: the names of advisors who no longer work as advisors, separated by commas.
        raise ValidationError({ADVISOR_FIELD: _("No longer active: %(names)s.") % {"names": ", ".join(inactive)}})


def _lock_advisors(ids: set[int]) -> None:
    list(Advisor.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _booking_clash() -> list[str]:
    """What to tell a scheduler whose booking the database refused at the last moment."""
    return [_("An advisor was booked elsewhere at the same time a moment ago. Check the calendar.")]


def _write_assignments(visit: Visit, advisors: Iterable[Advisor]) -> None:
    """Replace the visit's advisors and check the rule after writing.

    Checking after the write matters: the write takes the row lock (PostgreSQL raises on the
    exclusion constraint; SQLite serialises writers), so a scheduler saving at the same moment
    sees this visit and gets a conflict instead of a double booking.
    """
    advisors = list(advisors)
    # One booking at a time per advisor: the advisors' rows are locked in id order before any
    # booking row is written, so schedulers saving for the same advisor queue up. Without it,
    # PostgreSQL checks concurrent inserts against each other's exclusion entries and can pick a
    # deadlock victim instead of reporting the conflict.
    _lock_advisors({a.pk for a in advisors} | set(visit.assignments.values_list("advisor_id", flat=True)))
    visit.assignments.exclude(advisor__in=advisors).delete()
    active = not visit.is_cancelled
    try:
        with transaction.atomic():
            VisitAdvisor.objects.filter(visit=visit).update(
                starts_at=visit.starts_at, ends_at=visit.ends_at, active=active
            )
            have = set(visit.assignments.values_list("advisor_id", flat=True))
            bulk_create_with_history(
                [
                    VisitAdvisor(
                        visit=visit, advisor=a, starts_at=visit.starts_at, ends_at=visit.ends_at, active=active
                    )
                    for a in advisors
                    if a.pk not in have
                ],
                VisitAdvisor,
            )
    except IntegrityError:
        conflicts = (
            advisor_conflicts(advisors=advisors, starts_at=visit.starts_at, ends_at=visit.ends_at, exclude=visit.pk)
            or _booking_clash()
        )
        raise ValidationError({ADVISOR_FIELD: conflicts}) from None
    if active:
        conflicts = advisor_conflicts(
            advisors=advisors, starts_at=visit.starts_at, ends_at=visit.ends_at, exclude=visit.pk
        )
        if conflicts:
            raise ValidationError({ADVISOR_FIELD: conflicts})


def _apply(visit: Visit, plan: VisitPlan) -> Visit:
    visit.venue = plan.venue
    visit.starts_at = plan.starts_at
    visit.ends_at = plan.ends_at
    for name in NOTE_FIELDS:
        setattr(visit, name, getattr(plan, name))
    visit.full_clean(exclude=["series", "occurrence_date"])
    visit.save()
    visit.services.set(plan.services)
    visit.languages.set(plan.languages)
    _write_assignments(visit, plan.advisors)
    return visit


@retried_on_contention
def visit_create(
    plan: VisitPlan, *, series: VisitSeries | None = None, occurrence_date: datetime.date | None = None
) -> Visit:
    """Create a draft visit. Rule: no advisor double-booked; the visit ends after it starts, within 12 h."""
    _validate_plan(plan)
    with transaction.atomic():
        return _apply(Visit(state=State.DRAFT, series=series, occurrence_date=occurrence_date), plan)


def _refuse_if_frozen(visit: Visit) -> None:
    """Rule: cancelled and past visits are frozen (`Visit.frozen_reason`)."""
    if reason := visit.frozen_reason:
        raise ValidationError(reason, code="frozen")


@retried_on_contention
def visit_update(*, visit: Visit, plan: VisitPlan) -> Visit:
    """Edit one visit. Rule: cancelled and past visits are frozen; a series visit edited alone is
    detached, so later edits of the series leave it as it is."""
    _refuse_if_frozen(visit)
    _validate_plan(plan)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        _refuse_if_frozen(locked)
        locked.detached = locked.series_id is not None
        return _apply(locked, plan)


@retried_on_contention
def visit_cancel(*, visit: Visit, reason: str) -> Visit:
    """Cancel with a reason residents see. Rule: the visit stays visible, marked cancelled."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("Give the reason residents will see for the cancellation.")})
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        _refuse_if_frozen(locked)
        locked.state = State.CANCELLED
        locked.cancel_reason = reason
        locked.cancelled_at = timezone.now()
        locked.detached = locked.series_id is not None
        locked.save()
        locked.assignments.update(active=False)
    return locked


@retried_on_contention
def visits_publish(*, visits: Iterable[Visit]) -> int:
    """Publish drafts. Rule: only future drafts are published; others are left as they are."""
    ids = [v.pk for v in visits]
    now = timezone.now()
    with transaction.atomic():
        drafts = list(Visit.objects.select_for_update().filter(pk__in=ids).publishable())
        for visit in drafts:
            visit.state = State.PUBLISHED
            visit.published_at = now
            visit.save(update_fields=["state", "published_at", "updated_at"])
    return len(drafts)


def _week_later(moment: datetime.datetime) -> datetime.datetime:
    """The same wall-clock time a week later, even across a daylight-saving change."""
    local = timezone.localtime(moment)
    return local_datetime(local.date() + datetime.timedelta(days=7), local.time())


def week_copy(*, visits: Iterable[Visit]) -> tuple[list[Visit], list[str]]:
    """Copy visits seven days ahead as drafts. A copy that would double-book an advisor is skipped
    and reported, the others are made."""
    created: list[Visit] = []
    skipped: list[str] = []
    for visit in visits:
        if visit.is_cancelled:
            continue
        start, end = _week_later(visit.starts_at), _week_later(visit.ends_at)
        plan = VisitPlan(
            venue=visit.venue,
            starts_at=start,
            ends_at=end,
            advisors=list(visit.advisors.all()),
            services=list(visit.services.all()),
            languages=list(visit.languages.all()),
            **{name: getattr(visit, name) for name in NOTE_FIELDS},
        )
        try:
            created.append(visit_create(plan))
        except ValidationError as error:
            skipped.append(f"{visit.venue}, {_when(start, end)}: {' '.join(error.messages)}")
    return created, skipped


# Series ------------------------------------------------------------------------------------


@dataclass
class SeriesPlan:
    venue: Venue
    rrule: str
    starts_on: datetime.date
    start_time: datetime.time
    end_time: datetime.time
    advisors: list[Advisor] = field(default_factory=list)
    services: list[ServiceType] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)
    audience_note: str = ""
    audience_note_sv: str = ""
    audience_note_en: str = ""
    skip_public_holidays: bool = True


def series_dates(
    *,
    rrule: str,
    starts_on: datetime.date,
    skip_public_holidays: bool,
    skips: Iterable[tuple[datetime.date, datetime.date]] = (),
) -> list[datetime.date]:
    """The dates a series gives, less public holidays (by default) and skipped ranges."""
    dates = rule_dates(rule=rrule, starts_on=starts_on)
    blocked = public_holidays({d.year for d in dates}) if skip_public_holidays else set()
    skips = list(skips)
    return [d for d in dates if d not in blocked and not any(s <= d <= e for s, e in skips)]


def _occurrence_plan(plan: SeriesPlan, day: datetime.date) -> VisitPlan:
    return VisitPlan(
        venue=plan.venue,
        starts_at=local_datetime(day, plan.start_time),
        ends_at=local_datetime(day, plan.end_time),
        advisors=plan.advisors,
        services=plan.services,
        languages=plan.languages,
        **{name: getattr(plan, name) for name in NOTE_FIELDS},
    )


def _validate_series(plan: SeriesPlan, skips: Iterable[tuple[datetime.date, datetime.date]]) -> list[datetime.date]:
    if plan.end_time <= plan.start_time:
        raise ValidationError({"end_time": _("The visit must end after it starts.")})
    try:
        dates = series_dates(
            rrule=plan.rrule, starts_on=plan.starts_on, skip_public_holidays=plan.skip_public_holidays, skips=skips
        )
    except ValidationError as error:
        raise ValidationError({"rrule": error.messages}) from None
    if not dates:
        raise ValidationError({"rrule": _("The rule gives no visit: check the days and the end.")})
    _validate_plan(_occurrence_plan(plan, dates[0]))
    return dates


def _collect(errors: dict[str, list[str]], error: ValidationError, day: datetime.date) -> None:
    label = date_format(day, "SHORT_DATE_FORMAT")
    for name, messages in error.message_dict.items():
        errors.setdefault(name, []).extend(f"{label}: {m}" for m in messages)


def _occurrences_create(series: VisitSeries, plan: SeriesPlan, days: list[datetime.date]) -> None:
    """Create the series' draft visits for `days` in a fixed number of queries, all or nothing.

    Rule: each visit obeys what `visit_create` enforces (the model's own rules, no advisor
    double-booked), checked for every date at once: the advisors are locked, their bookings in
    the series' span read in one query and compared in Python, then the visits, their kinds of
    help, languages and bookings are written in bulk. The largest series (400 dates) saves in
    well under a second instead of one visit at a time.
    """
    if not days:
        return
    occurrences = {day: _occurrence_plan(plan, day) for day in days}
    errors: dict[str, list[str]] = {}
    for day, occurrence in occurrences.items():
        try:
            Visit(venue=occurrence.venue, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at).clean()
        except ValidationError as error:
            _collect(errors, error, day)
    _lock_advisors({a.pk for a in plan.advisors})
    booked = list(
        VisitAdvisor.objects.filter(
            advisor__in=plan.advisors,
            active=True,
            starts_at__lt=max(o.ends_at for o in occurrences.values()),
            ends_at__gt=min(o.starts_at for o in occurrences.values()),
        )
        .select_related("advisor__user", "visit__venue")
        .order_by("starts_at")
    )
    for day, occurrence in occurrences.items():
        clashes = [b for b in booked if b.starts_at < occurrence.ends_at and b.ends_at > occurrence.starts_at]
        if clashes:
            _collect(errors, ValidationError({ADVISOR_FIELD: [_conflict_message(b) for b in clashes]}), day)
    if errors:
        raise ValidationError(errors)
    visits = bulk_create_with_history(
        [
            Visit(
                state=State.DRAFT,
                series=series,
                occurrence_date=day,
                venue=occurrence.venue,
                starts_at=occurrence.starts_at,
                ends_at=occurrence.ends_at,
                **{name: getattr(occurrence, name) for name in NOTE_FIELDS},
            )
            for day, occurrence in occurrences.items()
        ],
        Visit,
    )
    Visit.services.through.objects.bulk_create(
        Visit.services.through(visit=visit, servicetype=service) for visit in visits for service in plan.services
    )
    Visit.languages.through.objects.bulk_create(
        Visit.languages.through(visit=visit, language=language) for visit in visits for language in plan.languages
    )
    try:
        with transaction.atomic():
            bulk_create_with_history(
                [
                    VisitAdvisor(visit=v, advisor=a, starts_at=v.starts_at, ends_at=v.ends_at, active=True)
                    for v in visits
                    for a in plan.advisors
                ],
                VisitAdvisor,
            )
    except IntegrityError:
        raise ValidationError({ADVISOR_FIELD: _booking_clash()}) from None


@retried_on_contention
def series_create(plan: SeriesPlan) -> VisitSeries:
    """Create a series and its draft visits, all or nothing. Rule: every occurrence obeys the
    visit rules (no double booking); the rule gives 1–400 visits within two years."""
    dates = _validate_series(plan, skips=())
    with transaction.atomic():
        series = VisitSeries.objects.create(
            venue=plan.venue,
            rrule=plan.rrule,
            starts_on=plan.starts_on,
            start_time=plan.start_time,
            end_time=plan.end_time,
            **{name: getattr(plan, name) for name in NOTE_FIELDS},
            skip_public_holidays=plan.skip_public_holidays,
        )
        series.advisors.set(plan.advisors)
        series.services.set(plan.services)
        series.languages.set(plan.languages)
        _occurrences_create(series, plan, dates)
    return series


def series_plan(series: VisitSeries) -> SeriesPlan:
    """The plan a series stands for now; the staff edit form starts from it."""
    return SeriesPlan(
        venue=series.venue,
        rrule=series.rrule,
        starts_on=series.starts_on,
        start_time=series.start_time,
        end_time=series.end_time,
        advisors=list(series.advisors.all()),
        services=list(series.services.all()),
        languages=list(series.languages.all()),
        **{name: getattr(series, name) for name in NOTE_FIELDS},
        skip_public_holidays=series.skip_public_holidays,
    )


def _withdraw(visit: Visit, reason: str) -> None:
    """Take a series visit out of the plan: a draft nobody saw goes, a published one is cancelled."""
    if visit.is_draft:
        visit.delete()
    else:
        visit_cancel(visit=visit, reason=reason)


def _resync(series: VisitSeries, plan: SeriesPlan, *, withdraw_reason: str) -> None:
    """Bring the series' future, untouched visits in line with `plan`; leave past, detached and
    cancelled visits alone."""
    skips = list(series.skips.values_list("start_date", "end_date"))
    wanted = set(_validate_series(plan, skips))
    now = timezone.now()
    existing = {v.occurrence_date: v for v in series.visits.select_for_update().filter(starts_at__gt=now)}
    errors: dict[str, list[str]] = {}
    for day, visit in existing.items():
        if visit.detached or visit.is_cancelled:
            continue
        if day not in wanted:
            _withdraw(visit, withdraw_reason)
            continue
        try:
            with transaction.atomic():
                _apply(visit, _occurrence_plan(plan, day))
        except ValidationError as error:
            _collect(errors, error, day)
    taken = set(series.visits.values_list("occurrence_date", flat=True))
    new_days = [day for day in sorted(wanted - taken) if local_datetime(day, plan.start_time) > now]
    try:
        _occurrences_create(series, plan, new_days)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@retried_on_contention
def series_update(*, series: VisitSeries, plan: SeriesPlan) -> VisitSeries:
    """Change a series. Rule: future visits follow; visits edited or cancelled one by one, and
    past visits, are never touched."""
    with transaction.atomic():
        series = VisitSeries.objects.select_for_update().get(pk=series.pk)
        _resync(series, plan, withdraw_reason=_("The visit was removed from the schedule."))
        for name in ("venue", "rrule", "starts_on", "start_time", "end_time", "skip_public_holidays", *NOTE_FIELDS):
            setattr(series, name, getattr(plan, name))
        series.save()
        series.advisors.set(plan.advisors)
        series.services.set(plan.services)
        series.languages.set(plan.languages)
    return series


@retried_on_contention
def series_skip(*, series: VisitSeries, start_date: datetime.date, end_date: datetime.date, reason: str) -> SeriesSkip:
    """Leave out one day or a whole range (a holiday week) in one action. Drafts in the range go;
    published visits are cancelled with the reason, so residents see it."""
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    with transaction.atomic():
        series = VisitSeries.objects.select_for_update().get(pk=series.pk)
        skip = SeriesSkip.objects.create(series=series, start_date=start_date, end_date=end_date, reason=reason)
        in_range = series.visits.filter(
            occurrence_date__gte=start_date, occurrence_date__lte=end_date, starts_at__gt=timezone.now()
        ).not_cancelled()
        for visit in in_range:
            _withdraw(visit, reason or _("No visit on these dates."))
    return skip


def series_review(plan: SeriesPlan, *, series: VisitSeries | None = None) -> Review:
    """What saving `plan` would meet, date by date: conflicts block the save, warnings do not.

    For an existing series only the visits a save would change are reviewed: future ones not
    edited or cancelled one by one. A rule that gives no date raises ValidationError."""
    skips = list(series.skips.values_list("start_date", "end_date")) if series else []
    dates = _validate_series(plan, skips)
    own = {v.occurrence_date: v for v in series.visits.all()} if series else {}
    now = timezone.now()
    review = Review()
    for day in dates:
        visit = own.get(day)
        occurrence = _occurrence_plan(plan, day)
        if series is not None and occurrence.starts_at <= now:
            continue
        if visit is not None and (visit.detached or visit.is_cancelled):
            continue
        found = visit_review(occurrence, exclude=visit.pk if visit else None)
        label = date_format(day, "SHORT_DATE_FORMAT")
        review.conflicts.extend(f"{label}: {message}" for message in found.conflicts)
        review.warnings.extend(f"{label}: {message}" for message in found.warnings)
    return review


@retried_on_contention
def series_skips_add(
    *, series: VisitSeries, ranges: Iterable[tuple[datetime.date, datetime.date]], reason: str
) -> list[SeriesSkip]:
    """Leave out several single days and ranges in one action, all or nothing."""
    ranges = list(ranges)
    if not ranges:
        raise ValidationError(_("Choose the dates to skip."), code="nothing_to_skip")
    with transaction.atomic():
        return [series_skip(series=series, start_date=start, end_date=end, reason=reason) for start, end in ranges]
