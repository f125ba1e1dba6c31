"""The staff calendar: schedulers plan and publish, advisors look.

Every view checks the role first (anonymous: the login page; logged in without the permission:
403), parses input with a form and hands the work to one service or selector. Writes that can
meet conflicts go through a review step that shows conflicts and warnings before anything is
saved.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from common.dates import weeks_covering
from visits import selectors, services
from visits.models import Visit, VisitSeries
from visits.staff.forms import (
    CalendarFilterForm,
    CancelForm,
    PlanFieldsForm,
    PublishForm,
    SeriesForm,
    SkipForm,
    VisitForm,
    WeekCopyForm,
    warnings_fingerprint,
)

VISIT_FORM_TEMPLATE = "visits/staff/visit_form.html"
SERIES_FORM_TEMPLATE = "visits/staff/series_form.html"

login = auth_views.LoginView.as_view(
    template_name="visits/staff/login.html", redirect_authenticated_user=True, next_page="staff:calendar"
)
logout = auth_views.LogoutView.as_view(next_page="staff:login")


def staff_required(*permissions: str) -> Callable:
    """Anonymous users go to the login page; a logged-in user without every permission gets 403."""

    def decorator(view: Callable) -> Callable:
        return login_required(permission_required(permissions, raise_exception=True)(never_cache(view)))

    return decorator


# Calendar ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    view: str
    day: datetime.date
    start: datetime.date
    end: datetime.date
    previous: datetime.date
    next: datetime.date

    @classmethod
    def around(cls, *, view: str, day: datetime.date) -> "Period":
        if view == CalendarFilterForm.MONTH:
            first = day.replace(day=1)
            following = (first + datetime.timedelta(days=32)).replace(day=1)
            weeks = weeks_covering(first, following - datetime.timedelta(days=1))
            return cls(
                view=view,
                day=day,
                start=weeks[0][0],
                end=weeks[-1][-1],
                previous=(first - datetime.timedelta(days=1)).replace(day=1),
                next=following,
            )
        [week] = weeks_covering(day, day)
        seven = datetime.timedelta(days=7)
        return cls(view=view, day=day, start=week[0], end=week[-1], previous=week[0] - seven, next=week[0] + seven)


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date
    visits: list[Visit]
    in_month: bool
    is_today: bool
    marks: selectors.DayMarks


def _calendar_weeks(
    period: Period, visits: list[Visit], marks: dict[datetime.date, selectors.DayMarks]
) -> list[list[CalendarDay]]:
    by_day: dict[datetime.date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(timezone.localtime(visit.starts_at).date(), []).append(visit)
    today = timezone.localdate()
    return [
        [
            CalendarDay(
                date=day,
                visits=by_day.get(day, []),
                in_month=day.month == period.day.month,
                is_today=day == today,
                marks=marks[day],
            )
            for day in week
        ]
        for week in weeks_covering(period.start, period.end)
    ]


@staff_required("visits.view_visit")
def calendar(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    advisor = getattr(request.user, "advisor", None)
    if "advisor" not in query and advisor is not None:
        # An advisor's calendar opens on their own visits; "All advisors" sends advisor= empty.
        query["advisor"] = str(advisor.pk)
    form = CalendarFilterForm(query)
    form.is_valid()
    period = Period.around(
        view=form.choice("view") or CalendarFilterForm.WEEK, day=form.choice("date") or timezone.localdate()
    )
    visits = selectors.calendar_visits(start=period.start, end=period.end, **form.filters())
    marks = selectors.calendar_marks(
        start=period.start, end=period.end, venue=form.choice("venue"), area=form.choice("area")
    )
    today = timezone.localdate()
    context = {
        "form": form,
        "period": period,
        "weeks": _calendar_weeks(period, visits, marks),
        "own_advisor": advisor,
        "visit_count": len(visits),
        "drafts": sum(1 for v in visits if v.is_draft),
        "publishable": sum(1 for v in visits if v.is_publishable),
        "filters": {name: value.pk for name, value in form.filters().items() if value is not None},
        "coverage": selectors.area_coverage(today=today),
        "coverage_end": today + datetime.timedelta(weeks=selectors.COVERAGE_WEEKS),
        "today": today,
    }
    return render(request, "visits/staff/calendar.html", context)


def _back_to(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse("staff:calendar")


@require_POST
@staff_required("visits.change_visit")
def visits_publish(request: HttpRequest) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(_back_to(request, request.POST.get("next")))
    chosen = form.cleaned_data["chosen"]
    published = services.visits_publish(visits=chosen)
    messages.success(
        request, ngettext("Published %(count)d visit.", "Published %(count)d visits.", published) % {"count": published}
    )
    if published < len(chosen):
        left = len(chosen) - published
        messages.warning(
            request,
            ngettext(
                "%(count)d chosen visit was not published: only future drafts can be.",
                "%(count)d chosen visits were not published: only future drafts can be.",
                left,
            )
            % {"count": left},
        )
    return redirect(_back_to(request, form.cleaned_data["next"]))


@require_POST
@staff_required("visits.add_visit")
def week_copy(request: HttpRequest) -> HttpResponse:
    form = WeekCopyForm(request.POST)
    if not form.is_valid():
        errors = " ".join(message for field_errors in form.errors.values() for message in field_errors)
        # Translators: what was wrong with the copy request.
        messages.error(request, _("Nothing was copied: %(errors)s") % {"errors": errors})
        return redirect("staff:calendar")
    week = form.cleaned_data["week"]
    visits = selectors.calendar_visits(start=week, end=week + datetime.timedelta(days=6), **form.filters())
    created, skipped = services.week_copy(visits=visits)
    messages.success(
        request,
        ngettext(
            "Copied %(count)d visit to the week starting %(date)s as a draft.",
            "Copied %(count)d visits to the week starting %(date)s as drafts.",
            len(created),
        )
        % {"count": len(created), "date": date_format(week + datetime.timedelta(days=7), "SHORT_DATE_FORMAT")},
    )
    for reason in skipped:
        # Translators: the visit's venue and time, and why it could not be copied.
        messages.warning(request, _("Not copied: %(reason)s") % {"reason": reason})
    query = {"date": (week + datetime.timedelta(days=7)).isoformat()}
    query.update({name: value.pk for name, value in form.filters().items() if value is not None})
    return redirect(f"{reverse('staff:calendar')}?{urlencode(query)}")


# One visit -----------------------------------------------------------------------------------


def _visit_or_404(pk: int) -> Visit:
    visit = selectors.staff_visit(pk=pk)
    if visit is None:
        raise Http404("No such visit")
    return visit


def _visit_page(request: HttpRequest, visit: Visit, *, cancel_form: CancelForm | None = None) -> HttpResponse:
    context = {
        "visit": visit,
        "history": selectors.visit_history(visit=visit),
        "cancel_form": cancel_form or CancelForm(),
        "public_url": reverse("visits:detail", kwargs={"pk": visit.pk}) if visit.published_at else "",
    }
    return render(request, "visits/staff/visit_detail.html", context)


@staff_required("visits.view_visit")
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, _visit_or_404(pk))


def _reviewed_form_page(
    request: HttpRequest, template: str, *, form: PlanFieldsForm, review: services.Review | None, **context
) -> HttpResponse:
    """A visit or series form, with the review of its last check if there was one."""
    fingerprint = warnings_fingerprint(review.warnings) if review else ""
    return render(request, template, {"form": form, "review": review, "fingerprint": fingerprint, **context})


def _visit_form_page(
    request: HttpRequest, *, form: VisitForm, visit: Visit | None, review: services.Review | None = None
) -> HttpResponse:
    return _reviewed_form_page(request, VISIT_FORM_TEMPLATE, form=form, review=review, visit=visit)


def _visit_form_post(request: HttpRequest, *, visit: Visit | None) -> HttpResponse:
    """Review, then save only on the confirming submit, with every warning acknowledged."""
    form = VisitForm(request.POST, visit=visit)
    if not form.is_valid():
        return _visit_form_page(request, form=form, visit=visit)
    plan = form.plan()
    review = services.visit_review(plan, exclude=visit.pk if visit else None)
    if not form.confirmed(review):
        return _visit_form_page(request, form=form, visit=visit, review=review)
    try:
        saved = services.visit_update(visit=visit, plan=plan) if visit else services.visit_create(plan)
    except ValidationError as error:
        form.add_service_errors(error)
        return _visit_form_page(request, form=form, visit=visit, review=review)
    messages.success(request, _("The visit was saved.") if visit else _("The visit was created as a draft."))
    return redirect("staff:visit_detail", pk=saved.pk)


@staff_required("visits.add_visit")
def visit_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _visit_form_post(request, visit=None)
    initial = {"date": timezone.localdate(), "start_time": datetime.time(10), "end_time": datetime.time(14)}
    chosen = CalendarFilterForm(request.GET)
    chosen.is_valid()
    initial.update({name: value for name in ("date", "venue", "advisor") if (value := chosen.choice(name))})
    if "advisor" in initial:
        initial["advisors"] = [initial.pop("advisor")]
    return _visit_form_page(request, form=VisitForm(initial=initial), visit=None)


@staff_required("visits.change_visit")
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(pk)
    if visit.frozen_reason:
        messages.error(request, visit.frozen_reason)
        return redirect("staff:visit_detail", pk=visit.pk)
    if request.method == "POST":
        return _visit_form_post(request, visit=visit)
    return _visit_form_page(request, form=VisitForm(initial=VisitForm.initial_for(visit), visit=visit), visit=visit)


@require_POST
@staff_required("visits.change_visit")
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.visit_cancel(visit=visit, reason=form.cleaned_data["cancel_reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The visit was cancelled. Residents see the reason."))
            return redirect("staff:visit_detail", pk=visit.pk)
    return _visit_page(request, visit, cancel_form=form)


# Series --------------------------------------------------------------------------------------


def _series_or_404(pk: int) -> VisitSeries:
    series = selectors.staff_series(pk=pk)
    if series is None:
        raise Http404("No such series")
    return series


@staff_required("visits.view_visitseries")
def series_list(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/staff/series_list.html", {"series_list": selectors.series_overview()})


def _series_page(request: HttpRequest, series: VisitSeries, *, skip_form: SkipForm | None = None) -> HttpResponse:
    visits = selectors.series_visits(series=series)
    context = {
        "series": series,
        "visits": visits,
        "drafts": [v for v in visits if v.is_publishable],
        "skip_form": skip_form or SkipForm(series=series),
    }
    return render(request, "visits/staff/series_detail.html", context)


@staff_required("visits.view_visitseries", "visits.view_visit")
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_page(request, _series_or_404(pk))


def _series_form_page(
    request: HttpRequest, *, form: SeriesForm, series: VisitSeries | None, review: services.Review | None = None
) -> HttpResponse:
    return _reviewed_form_page(request, SERIES_FORM_TEMPLATE, form=form, review=review, series=series)


def _series_form_post(request: HttpRequest, *, series: VisitSeries | None) -> HttpResponse:
    form = SeriesForm(request.POST, series=series)
    if not form.is_valid():
        return _series_form_page(request, form=form, series=series)
    plan = form.plan()
    try:
        review = services.series_review(plan, series=series)
    except ValidationError as error:
        form.add_service_errors(error)
        return _series_form_page(request, form=form, series=series)
    if not form.confirmed(review):
        return _series_form_page(request, form=form, series=series, review=review)
    try:
        saved = services.series_update(series=series, plan=plan) if series else services.series_create(plan)
    except ValidationError as error:
        form.add_service_errors(error)
        return _series_form_page(request, form=form, series=series, review=review)
    messages.success(
        request,
        _("The series was saved; its coming visits follow it.")
        if series
        else _("The series was created. Its visits are drafts until you publish them."),
    )
    return redirect("staff:series_detail", pk=saved.pk)


@staff_required("visits.add_visitseries", "visits.add_visit")
def series_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _series_form_post(request, series=None)
    initial = {
        "starts_on": timezone.localdate(),
        "start_time": datetime.time(10),
        "end_time": datetime.time(14),
        "interval": 1,
        "skip_public_holidays": True,
    }
    chosen = CalendarFilterForm(request.GET)
    chosen.is_valid()
    if venue := chosen.choice("venue"):
        initial["venue"] = venue
    return _series_form_page(request, form=SeriesForm(initial=initial), series=None)


@staff_required("visits.change_visitseries", "visits.change_visit")
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    series = _series_or_404(pk)
    if request.method == "POST":
        return _series_form_post(request, series=series)
    form = SeriesForm(initial=SeriesForm.initial_for(series), series=series)
    return _series_form_page(request, form=form, series=series)


@require_POST
@staff_required("visits.add_seriesskip", "visits.change_visit")
def series_skip(request: HttpRequest, pk: int) -> HttpResponse:
    series = _series_or_404(pk)
    form = SkipForm(request.POST, series=series)
    if form.is_valid():
        try:
            skips = services.series_skips_add(
                series=series, ranges=form.cleaned_data["ranges"], reason=form.cleaned_data["reason"].strip()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "Skipped %(count)d date or range; its visits were taken out of the plan.",
                    "Skipped %(count)d dates or ranges; their visits were taken out of the plan.",
                    len(skips),
                )
                % {"count": len(skips)},
            )
            return redirect("staff:series_detail", pk=series.pk)
    return _series_page(request, series, skip_form=form)
