"""Writes to the mobile service's plan. Every write is one transaction and validates first."""

import datetime
import functools
import random
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from common.dates import format_day, local_today, public_holidays
from servicepoints.models import ServiceType
from visits.models import (
    Advisor,
    AgeGroup,
    CancelReason,
    Contact,
    Language,
    Notice,
    SeriesSkip,
    State,
    Venue,
    VenueException,
    Visit,
    VisitAdvisor,
    VisitCopy,
    VisitRecord,
    VisitSeries,
    recording_refusal,
)
from visits.notices.services import venue_closure_notices_kick, visit_notice_record
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
    return f"{format_day(start)} {time_format(start)}–{time_format(end)}"


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


@dataclass(frozen=True)
class Surroundings:
    """What a review compares a plan with, read once for a whole window (one visit or a series):
    the advisors' bookings, the venue's other visits and the public holidays."""

    bookings: list[VisitAdvisor]
    venue_visits: list[Visit]
    holidays: dict[datetime.date, str]

    @classmethod
    def read(
        cls, *, advisors: Iterable[Advisor], venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime
    ) -> "Surroundings":
        prefetch_related_objects([venue], "opening_hours", "exceptions")
        bookings = (
            VisitAdvisor.objects.filter(
                advisor__in=list(advisors), active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .select_related("advisor__user", "visit__venue")
            .order_by("starts_at")
        )
        venue_visits = Visit.objects.not_cancelled().filter(venue=venue).overlapping(starts_at, ends_at)
        first, last = timezone.localtime(starts_at), timezone.localtime(ends_at)
        return cls(
            bookings=list(bookings),
            venue_visits=list(venue_visits.order_by("starts_at", "pk")),
            holidays=public_holidays(range(first.year, last.year + 1)),
        )


def _review(plan: VisitPlan, around: Surroundings, *, exclude: int | None = None) -> Review:
    """The one statement of what a plan meets; `visit_review`, series, copies and publishing use it.

    Conflicts block saving and publishing: an advisor already booked, the venue closed that day
    or the visit outside its hours. Warnings need "save anyway": a time already over, a Finnish
    public holiday, another visit at the venue at the same time.
    """
    review = Review()
    for booking in around.bookings:
        if booking.visit_id != exclude and booking.starts_at < plan.ends_at and booking.ends_at > plan.starts_at:
            review.conflicts.append(_conflict_message(booking))
    if closure := plan.venue.closure_for(plan.starts_at, plan.ends_at):
        review.conflicts.append(closure)
    if plan.ends_at <= timezone.now():
        review.warnings.append(
            _("This time is already over: the visit can never be published, and it cannot be changed once saved.")
        )
    day = timezone.localtime(plan.starts_at).date()
    if holiday := around.holidays.get(day):
        review.warnings.append(
            # Translators: a date, then the name of the public holiday on it.
            _("%(date)s is a public holiday (%(holiday)s); residents may not expect a visit.")
            % {"date": format_day(day), "holiday": holiday}
        )
    for other in around.venue_visits:
        if other.pk != exclude and other.starts_at < plan.ends_at and other.ends_at > plan.starts_at:
            review.warnings.append(
                # Translators: the other visit's number, and its date and time.
                _("Visit #%(id)s is at the same venue at the same time (%(when)s).")
                % {"id": other.pk, "when": _when(other.starts_at, other.ends_at)}
            )
    return review


def visit_review(plan: VisitPlan, *, exclude: int | None = None) -> Review:
    """What saving `plan` would meet (see `_review`)."""
    around = Surroundings.read(advisors=plan.advisors, venue=plan.venue, starts_at=plan.starts_at, ends_at=plan.ends_at)
    return _review(plan, around, exclude=exclude)


def _refuse_if_venue_closed(venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    """Rule: no visit is saved or published on a day its venue is closed, or outside its hours."""
    if closure := venue.closure_for(starts_at, ends_at):
        raise ValidationError({NON_FIELD_ERRORS: [closure]})


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
    """Write the plan into the visit. A published visit given another place or time is a move,
    recorded for residents in the same transaction (`visit_notice_record`)."""
    before = Visit(venue_id=visit.venue_id, starts_at=visit.starts_at, ends_at=visit.ends_at)
    visit.venue = plan.venue
    visit.starts_at = plan.starts_at
    visit.ends_at = plan.ends_at
    for name in NOTE_FIELDS:
        setattr(visit, name, getattr(plan, name))
    visit.full_clean(exclude=["series", "occurrence_date"])
    _refuse_if_venue_closed(visit.venue, visit.starts_at, visit.ends_at)
    visit.save()
    visit.services.set(plan.services)
    visit.languages.set(plan.languages)
    _write_assignments(visit, plan.advisors)
    moved = (before.venue_id, before.starts_at, before.ends_at) != (visit.venue_id, visit.starts_at, visit.ends_at)
    if visit.is_published and moved:
        visit_notice_record(visit=visit, kind=Notice.Kind.MOVED, before=before)
    return visit


@retried_on_contention
def visit_create(
    plan: VisitPlan,
    *,
    series: VisitSeries | None = None,
    occurrence_date: datetime.date | None = None,
    copy: VisitCopy | None = None,
) -> Visit:
    """Create a draft visit. Rule: no advisor double-booked; the visit ends after it starts, within 12 h."""
    _validate_plan(plan)
    with transaction.atomic():
        return _apply(Visit(state=State.DRAFT, series=series, occurrence_date=occurrence_date, copy=copy), plan)


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


# The scheduler's free-text details of a cancellation, by the language residents read them in.
CANCEL_DETAIL_FIELDS = {"fi": "cancel_reason", "sv": "cancel_reason_sv", "en": "cancel_reason_en"}
CANCEL_FIELDS = ("cancel_reason_code", *CANCEL_DETAIL_FIELDS.values(), "cancelled_at")


@retried_on_contention
def visit_cancel(*, visit: Visit, reason: CancelReason | str, details: dict[str, str] | None = None) -> Visit:
    """Cancel with a standard reason residents read in their own language, and optional details
    in Finnish, Swedish and English (keyed fi/sv/en). Rule: a cancellation carries a reason; the
    visit stays visible, marked cancelled, and its advisors are free for other visits. It can be
    restored until it starts (`visit_restore`)."""
    if reason not in CancelReason.values:
        raise ValidationError(
            {"cancel_reason_code": _("Choose the reason residents will see for the cancellation.")},
            code="reason_required",
        )
    details = details or {}
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        _refuse_if_frozen(locked)
        was_public = locked.is_published
        locked.state = State.CANCELLED
        locked.cancel_reason_code = CancelReason(reason)
        for language, name in CANCEL_DETAIL_FIELDS.items():
            setattr(locked, name, (details.get(language) or "").strip())
        locked.cancelled_at = timezone.now()
        locked.detached = locked.series_id is not None
        locked.full_clean(exclude=["series", "occurrence_date"])
        locked.save()
        locked.assignments.update(active=False)
        if was_public:
            visit_notice_record(visit=locked, kind=Notice.Kind.CANCELLED)
    return locked


@retried_on_contention
def visit_restore(*, visit: Visit) -> Visit:
    """Undo a cancellation. Rule: only a cancelled visit that has not started is restored
    (`Visit.is_restorable`): to published if it had been published, else to draft, with its
    advisors booked again. Refused, with nothing changed, if an advisor has meanwhile been booked
    elsewhere at that time or the venue is now closed then."""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("venue").get(pk=visit.pk)
        if not locked.is_cancelled:
            raise ValidationError(_("Only a cancelled visit can be restored."), code="not_cancelled")
        if not locked.is_restorable:
            raise ValidationError(_("A visit that has already started cannot be restored."), code="started")
        advisor_ids = set(locked.assignments.values_list("advisor_id", flat=True))
        _lock_advisors(advisor_ids)
        advisors = list(Advisor.objects.filter(pk__in=advisor_ids))
        refusals = advisor_conflicts(
            advisors=advisors, starts_at=locked.starts_at, ends_at=locked.ends_at, exclude=locked.pk
        )
        if closure := locked.venue.closure_for(locked.starts_at, locked.ends_at):
            refusals.append(closure)
        if refusals:
            raise ValidationError(refusals, code="restore_refused")
        locked.state = State.PUBLISHED if locked.published_at else State.DRAFT
        for name in CANCEL_FIELDS:
            setattr(locked, name, None if name == "cancelled_at" else "")
        locked.full_clean(exclude=["series", "occurrence_date"])
        locked.save()
        try:
            with transaction.atomic():
                locked.assignments.update(active=True)
        except IntegrityError:
            # PostgreSQL's exclusion constraint: another scheduler booked an advisor a moment ago.
            raise ValidationError(_booking_clash(), code="restore_refused") from None
        if locked.is_published:
            visit_notice_record(visit=locked, kind=Notice.Kind.RESTORED)
    return locked


@retried_on_contention
def visits_publish(*, visits: Iterable[Visit]) -> int:
    """Publish drafts. Rule: only future drafts are published, and none on a day its venue is
    closed or outside its hours; others are left as they are."""
    ids = [v.pk for v in visits]
    now = timezone.now()
    with transaction.atomic():
        drafts = list(
            Visit.objects.select_for_update()
            .filter(pk__in=ids)
            .publishable()
            .select_related("venue")
            .prefetch_related("venue__opening_hours", "venue__exceptions")
        )
        published = [v for v in drafts if not v.closure]
        for visit in published:
            visit.state = State.PUBLISHED
            visit.published_at = now
            visit.save(update_fields=["state", "published_at", "updated_at"])
    return len(published)


@dataclass(frozen=True)
class PublishCheck:
    visit: Visit
    review: Review


def publish_review(*, visits: Iterable[Visit]) -> list[PublishCheck]:
    """What publishing each chosen draft meets, as saving it would (`_review`): a visit with a
    conflict is not published; warnings, such as a public holiday, need "publish anyway"."""
    checks = []
    for visit in visits:
        if not visit.is_publishable:
            continue
        plan = VisitPlan(
            venue=visit.venue, starts_at=visit.starts_at, ends_at=visit.ends_at, advisors=list(visit.advisors.all())
        )
        review = visit_review(plan, exclude=visit.pk)
        if review.conflicts or review.warnings:
            checks.append(PublishCheck(visit=visit, review=review))
    return checks


MAX_COPY_WEEKS = 12
COPY_HORIZON = datetime.timedelta(days=365)


def _weeks_later(moment: datetime.datetime, weeks: int) -> datetime.datetime:
    """The same wall-clock time `weeks` later, even across a daylight-saving change."""
    local = timezone.localtime(moment)
    return local_datetime(local.date() + datetime.timedelta(weeks=weeks), local.time())


@dataclass(frozen=True)
class CopyItem:
    """One visit a copy would make, or leave out and why."""

    source: Visit
    plan: VisitPlan
    left_out: str = ""
    warnings: tuple[str, ...] = ()


def _copy_left_out(source: Visit, plan: VisitPlan, review: Review, holidays: dict[datetime.date, str]) -> str:
    """Why a copy of `source` at `plan`'s time is left out, else "".

    Rule: a copy never re-creates what its series left out or already plans, nor lands on a
    public holiday, a day its venue is closed, or an advisor's other visit."""
    day = timezone.localtime(plan.starts_at).date()
    if source.series_id is not None:
        series = source.series
        skip = next((s for s in series.skips.all() if s.start_date <= day <= s.end_date), None)
        if skip is not None:
            # Translators: why the scheduler left the dates out of the series, e.g. Christmas break.
            return _("Skipped in its series: %(reason)s") % {"reason": skip.reason or "–"}
        if any(v.occurrence_date == day for v in series.visits.all()):
            return _("Its series already has a visit on that day.")
    if plan.starts_at <= timezone.now():
        return _("That time is already over.")
    if holiday := holidays.get(day):
        # Translators: the name of a public holiday.
        return _("Public holiday: %(holiday)s") % {"holiday": holiday}
    return " ".join(review.conflicts)


def _check_copy_weeks(*, source_week: datetime.date, first_week: datetime.date, weeks: int) -> None:
    """Rule: a week is copied to later weeks, from this week on and at most a year ahead."""
    this_week = local_today() - datetime.timedelta(days=local_today().weekday())
    if not 1 <= weeks <= MAX_COPY_WEEKS:
        # Translators: the largest number of weeks a copy may fill.
        raise ValidationError({"weeks": _("Copy to 1–%(max)s weeks.") % {"max": MAX_COPY_WEEKS}})
    if first_week < this_week:
        raise ValidationError({"first_week": _("That week is in the past; copy to this week or a later one.")})
    if first_week <= source_week:
        raise ValidationError({"first_week": _("Copy to a week after the one being copied.")})
    if first_week + datetime.timedelta(weeks=weeks - 1) > local_today() + COPY_HORIZON:
        raise ValidationError({"first_week": _("A copy can reach at most a year ahead.")})


def week_copy_preview(
    *, visits: Iterable[Visit], source_week: datetime.date, first_week: datetime.date, weeks: int
) -> list[CopyItem]:
    """What copying `visits` (of the week starting `source_week`) to `weeks` weeks from
    `first_week` would make, and what it would leave out and why (`_copy_left_out`)."""
    _check_copy_weeks(source_week=source_week, first_week=first_week, weeks=weeks)
    shift = (first_week - source_week).days // 7
    visits = list(visits)
    prefetch_related_objects(visits, "series__skips", "series__visits")
    last_week = first_week + datetime.timedelta(weeks=weeks)
    holidays = public_holidays(range(first_week.year, last_week.year + 1))
    items = []
    for visit in visits:
        if visit.is_cancelled:
            continue
        for week in range(shift, shift + weeks):
            plan = VisitPlan(
                venue=visit.venue,
                starts_at=_weeks_later(visit.starts_at, week),
                ends_at=_weeks_later(visit.ends_at, week),
                advisors=list(visit.advisors.all()),
                services=list(visit.services.all()),
                languages=list(visit.languages.all()),
                **{name: getattr(visit, name) for name in NOTE_FIELDS},
            )
            review = visit_review(plan)
            items.append(
                CopyItem(
                    source=visit,
                    plan=plan,
                    left_out=_copy_left_out(visit, plan, review, holidays),
                    warnings=tuple(review.warnings),
                )
            )
    items.sort(key=lambda item: (item.plan.starts_at, item.source.pk))
    return items


@retried_on_contention
def week_copy(
    *,
    visits: Iterable[Visit],
    source_week: datetime.date,
    first_week: datetime.date,
    weeks: int,
    user: object | None = None,
) -> tuple[VisitCopy, list[CopyItem]]:
    """Copy visits to later weeks as drafts, leaving out what `week_copy_preview` says, and record
    the copy so it can be undone. A copy that meets a conflict at the moment of saving (another
    scheduler was faster) is left out and reported too."""
    items = week_copy_preview(visits=visits, source_week=source_week, first_week=first_week, weeks=weeks)
    with transaction.atomic():
        copy = VisitCopy.objects.create(
            source_week=source_week,
            first_week=first_week,
            weeks=weeks,
            created_by=user if getattr(user, "pk", None) else None,
        )
        done = []
        for item in items:
            if not item.left_out:
                try:
                    visit_create(item.plan, copy=copy)
                except ValidationError as error:
                    item = CopyItem(source=item.source, plan=item.plan, left_out=" ".join(error.messages))
            done.append(item)
    return copy, done


@retried_on_contention
def week_copy_undo(*, copy: VisitCopy) -> int:
    """Remove the drafts a copy made. Rule: only while every one of them is still a draft; once one
    is published or cancelled, residents may have seen it and each is handled on its own."""
    with transaction.atomic():
        copy = VisitCopy.objects.select_for_update().get(pk=copy.pk)
        if copy.undone_at is not None:
            raise ValidationError(_("This copy has already been undone."), code="undone")
        made = list(copy.visits.select_for_update())
        if any(not v.is_draft for v in made):
            raise ValidationError(
                _("Some of the copied visits have been published or cancelled; change them one by one."),
                code="not_drafts",
            )
        for visit in made:
            visit.delete()
        copy.undone_at = timezone.now()
        copy.save(update_fields=["undone_at"])
    return len(made)


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


@dataclass(frozen=True)
class SkippedDate:
    day: datetime.date
    reason: str


@dataclass(frozen=True)
class Schedule:
    """The dates a series gives, and the dates its rule gives that it leaves out, with why."""

    dates: list[datetime.date]
    skipped: list[SkippedDate]


def series_schedule(
    *,
    rrule: str,
    starts_on: datetime.date,
    skip_public_holidays: bool,
    skips: Iterable[SeriesSkip] = (),
    venue: Venue | None = None,
) -> Schedule:
    """Rule: a series leaves out Finnish public holidays (unless told to keep them), its skipped
    ranges and the days its venue is marked closed."""
    dates = rule_dates(rule=rrule, starts_on=starts_on)
    holidays = public_holidays({d.year for d in dates}) if skip_public_holidays and dates else {}
    skips = list(skips)
    if venue is not None:
        prefetch_related_objects([venue], "opening_hours", "exceptions")
    kept, skipped = [], []
    for day in dates:
        skip = next((s for s in skips if s.start_date <= day <= s.end_date), None)
        if day in holidays:
            # Translators: the name of a public holiday.
            skipped.append(SkippedDate(day, _("Public holiday: %(holiday)s") % {"holiday": holidays[day]}))
        elif skip is not None:
            skipped.append(
                # Translators: why the scheduler left the dates out, e.g. Autumn holiday week.
                SkippedDate(day, _("Skipped in the series: %(reason)s") % {"reason": skip.reason})
                if skip.reason
                else SkippedDate(day, _("Skipped in the series."))
            )
        elif venue is not None and (hours := venue.hours_on(day)).is_exception and hours.closed:
            skipped.append(
                SkippedDate(
                    day,
                    # Translators: the venue's name, then why it is closed.
                    _("%(venue)s is closed (%(reason)s).") % {"venue": venue, "reason": hours.reason}
                    if hours.reason
                    # Translators: the venue's name.
                    else _("%(venue)s is closed.") % {"venue": venue},
                )
            )
        else:
            kept.append(day)
    return Schedule(dates=kept, skipped=skipped)


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


def _validate_series(plan: SeriesPlan, skips: Iterable[SeriesSkip]) -> Schedule:
    if plan.end_time <= plan.start_time:
        raise ValidationError({"end_time": _("The visit must end after it starts.")})
    try:
        schedule = series_schedule(
            rrule=plan.rrule,
            starts_on=plan.starts_on,
            skip_public_holidays=plan.skip_public_holidays,
            skips=skips,
            venue=plan.venue,
        )
    except ValidationError as error:
        raise ValidationError({"rrule": error.messages}) from None
    if not schedule.dates:
        raise ValidationError({"rrule": _("The rule gives no visit: check the days and the end.")})
    _validate_plan(_occurrence_plan(plan, schedule.dates[0]))
    return schedule


def _collect(errors: dict[str, list[str]], error: ValidationError, day: datetime.date) -> None:
    label = format_day(day)
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
            _refuse_if_venue_closed(occurrence.venue, occurrence.starts_at, occurrence.ends_at)
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
    dates = _validate_series(plan, skips=()).dates
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


def _withdraw(visit: Visit, details: str, reason: CancelReason = CancelReason.OTHER) -> None:
    """Take a series visit out of the plan: a draft nobody saw goes, a published one is cancelled
    with the standard `reason` and `details` as its Finnish details (the scheduler's own text)."""
    if visit.is_draft:
        visit.delete()
    else:
        visit_cancel(visit=visit, reason=reason, details={"fi": details})


def _resync(series: VisitSeries, plan: SeriesPlan) -> None:
    """Bring the series' future, untouched visits in line with `plan`; leave past, detached and
    cancelled visits alone."""
    wanted = set(_validate_series(plan, series.skips.all()).dates)
    now = timezone.now()
    existing = {v.occurrence_date: v for v in series.visits.select_for_update().filter(starts_at__gt=now)}
    errors: dict[str, list[str]] = {}
    for day, visit in existing.items():
        if visit.detached or visit.is_cancelled:
            continue
        if day not in wanted:
            _withdraw(visit, "")
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
        _resync(series, plan)
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
    published visits are cancelled, so residents see it: the standard reason "holiday break" in
    their language, with the skip's text as details."""
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    with transaction.atomic():
        series = VisitSeries.objects.select_for_update().get(pk=series.pk)
        skip = SeriesSkip.objects.create(series=series, start_date=start_date, end_date=end_date, reason=reason)
        in_range = series.visits.filter(
            occurrence_date__gte=start_date, occurrence_date__lte=end_date, starts_at__gt=timezone.now()
        ).not_cancelled()
        for visit in in_range:
            # A skip is a break in the plan (most often a holiday week); the scheduler's text, if
            # any, is the details. Without it residents read the standard reason in their language.
            _withdraw(visit, reason, CancelReason.HOLIDAY)
    return skip


@dataclass(frozen=True)
class PreviewDate:
    """One visit a series save would create or change, with what it meets."""

    day: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    review: Review


@dataclass(frozen=True)
class SeriesPreview:
    """Everything a scheduler sees before saving a series: the dates, the dates left out and why,
    each date's conflicts and warnings, and the chosen advisors' other visits in the period."""

    dates: list[PreviewDate]
    skipped: list[SkippedDate]
    review: Review
    bookings: list[VisitAdvisor]


def series_preview(plan: SeriesPlan, *, series: VisitSeries | None = None) -> SeriesPreview:
    """What saving `plan` would do and meet, date by date, in a fixed number of queries.

    For an existing series only the visits a save would change are reviewed: future ones not
    edited or cancelled one by one. A rule that gives no date raises ValidationError."""
    schedule = _validate_series(plan, series.skips.all() if series else ())
    own = {v.occurrence_date: v for v in series.visits.all()} if series else {}
    now = timezone.now()
    occurrences = {day: _occurrence_plan(plan, day) for day in schedule.dates}
    around = Surroundings.read(
        advisors=plan.advisors,
        venue=plan.venue,
        starts_at=min(o.starts_at for o in occurrences.values()),
        ends_at=max(o.ends_at for o in occurrences.values()),
    )
    dates, review = [], Review()
    for day, occurrence in occurrences.items():
        visit = own.get(day)
        if series is not None and occurrence.starts_at <= now:
            continue
        if visit is not None and (visit.detached or visit.is_cancelled):
            continue
        found = _review(occurrence, around, exclude=visit.pk if visit else None)
        dates.append(PreviewDate(day=day, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, review=found))
        label = format_day(day)
        review.conflicts.extend(f"{label}: {message}" for message in found.conflicts)
        review.warnings.extend(f"{label}: {message}" for message in found.warnings)
    own_ids = {v.pk for v in own.values()}
    bookings = [b for b in around.bookings if b.visit_id not in own_ids]
    return SeriesPreview(dates=dates, skipped=schedule.skipped, review=review, bookings=bookings)


def series_skipped_dates(series: VisitSeries) -> list[SkippedDate]:
    """The dates the series' rule gives that it leaves out, automatically or by hand, and why."""
    try:
        schedule = series_schedule(
            rrule=series.rrule,
            starts_on=series.starts_on,
            skip_public_holidays=series.skip_public_holidays,
            skips=series.skips.all(),
            venue=series.venue,
        )
    except ValidationError:
        return []
    return schedule.skipped


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


# Venues' closed days and other hours ------------------------------------------------------


@retried_on_contention
def venue_exception_add(*, exception: VenueException) -> VenueException:
    """Record that a venue is closed or keeps other hours on some dates. Rule: the row is valid
    (an end not before its start, hours only when open) and overlaps none of the venue's others."""
    exception.full_clean()
    with transaction.atomic():
        Venue.objects.select_for_update().filter(pk=exception.venue_id).first()
        exception.refuse_overlap(VenueException.objects.filter(venue_id=exception.venue_id))
        exception.save()
        if exception.closed:
            venue_closure_notices_kick()
    return exception


@retried_on_contention
def venue_exception_delete(*, exception: VenueException) -> None:
    with transaction.atomic():
        VenueException.objects.filter(pk=exception.pk).delete()


# Advisors' own calendar feeds ------------------------------------------------------------------

FEED_TOKEN_BYTES = 32


def advisor_feed_renew(*, advisor: Advisor) -> str:
    """Give the advisor a new secret feed address and return its token.

    Rule: an advisor's own calendar feed answers only at the address of their latest token; a
    renewed address replaces the old one at once, so a lost phone's subscription stops working.
    """
    token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    with transaction.atomic():
        Advisor.objects.filter(pk=advisor.pk).update(feed_token=token)
    advisor.feed_token = token
    return token


def advisor_feed_revoke(*, advisor: Advisor) -> None:
    """Take the advisor's feed address away. Rule: without a token no address answers."""
    with transaction.atomic():
        Advisor.objects.filter(pk=advisor.pk).update(feed_token=None)
    advisor.feed_token = None


# Recording whom advisors helped ----------------------------------------------------------------


@dataclass
class ContactPlan:
    """One person helped, as an advisor records them: no name, nothing that tells who they are."""

    services: list[ServiceType]
    language: Language | None
    age_group: str = ""


def _contact_errors(people_helped: int, contacts: list[ContactPlan]) -> list[str]:
    """Rule: a record lists at most as many contacts as people helped, each with at least one kind
    of help and the language used; the age group is optional."""
    errors = []
    if len(contacts) > people_helped:
        errors.append(
            # Translators: the number of contacts listed, then the number of people helped.
            _("Contacts listed: %(contacts)d; people helped: %(people)d. There cannot be more contacts than people.")
            % {"contacts": len(contacts), "people": people_helped}
        )
    for number, contact in enumerate(contacts, start=1):
        if not contact.services:
            # Translators: the contact's number in the list, 1, 2, 3…
            errors.append(_("Contact %(number)d: choose at least one kind of help.") % {"number": number})
        if contact.language is None:
            errors.append(_("Contact %(number)d: choose the language used.") % {"number": number})
        if contact.age_group not in {"", *AgeGroup.values}:
            errors.append(_("Contact %(number)d: choose an age group from the list.") % {"number": number})
    return errors


@retried_on_contention
def visit_record_save(*, visit: Visit, user: object, people_helped: int, contacts: list[ContactPlan]) -> VisitRecord:
    """Record, or correct, how many people a visit helped and with what.

    Rule: who may, and when, is `recording_refusal` (a started, published visit; its own advisors
    for 7 days, a scheduler at any time); at most 500 people; no more contacts than people, each
    with a kind of help and a language. A refusal raises ValidationError and saves nothing.

    The visit is locked, so two advisors saving at once are written one after the other. The
    contacts are replaced whole and every row is written with the same history date and user, so
    each version in the history is complete: the record's row (who, when, how many people) and
    the contacts written with it.
    """
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if refusal := recording_refusal(visit=locked, user=user):
            raise refusal
        record = VisitRecord.objects.filter(visit=locked).first() or VisitRecord(visit=locked, recorded_by=user)
        record.people_helped = people_helped
        errors: dict[str, list[str]] = {}
        try:
            record.full_clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        if "people_helped" not in errors and (contact_errors := _contact_errors(people_helped, contacts)):
            errors["contacts"] = contact_errors
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        record._history_user = user
        record._history_date = now
        record.save()
        for old in record.contacts.all():
            old._history_user = user
            old._history_date = now
            old.delete()
        for plan in contacts:
            contact = Contact(record=record, language=plan.language, age_group=plan.age_group)
            contact._history_user = user
            contact._history_date = now
            contact.full_clean(exclude=["record"])
            contact.save()
            contact.services.set(plan.services)
    return record
