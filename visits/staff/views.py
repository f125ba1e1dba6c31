"""The staff calendar: schedulers plan and publish, advisors look.

Every view checks the role first (anonymous: the login page; logged in without the permission:
403), parses input with a form and hands the work to one service or selector. Writes that can
meet conflicts go through a review step that shows conflicts and warnings before anything is
saved.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from common.dates import weeks_covering
from visits import feeds, selectors, services
from visits.models import Advisor, Venue, VenueException, Visit, VisitSeries, recording_refusal
from visits.notices import selectors as notices
from visits.staff import timegrid
from visits.staff.forms import (
    CalendarFilterForm,
    CancelForm,
    FeedActionForm,
    PlanFieldsForm,
    PublishForm,
    SeriesForm,
    SkipForm,
    VenueExceptionForm,
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
    weeks = _calendar_weeks(period, visits, marks)
    colours = timegrid.advisor_colours(chosen=form.choice("advisor"))
    context = {
        "form": form,
        "period": period,
        "weeks": weeks,
        "grid": timegrid.week(weeks[0]) if period.view == CalendarFilterForm.WEEK else None,
        "colours": colours,
        "legend": colours.legend(visits),
        "own_advisor": advisor,
        "visit_count": len(visits),
        "drafts": sum(1 for v in visits if v.is_draft),
        "publishable": sum(1 for v in visits if v.is_publishable),
        "filters": {name: value.pk for name, value in form.filters().items() if value is not None},
        "coverage": selectors.period_coverage(start=period.start, end=period.end),
        "coverage_end": period.end,
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
    """Publish the chosen drafts; first show what any of them meets (a closed venue, a holiday)."""
    form = PublishForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(_back_to(request, request.POST.get("next")))
    chosen = form.cleaned_data["chosen"]
    checks = services.publish_review(visits=chosen)
    fingerprint = warnings_fingerprint(
        [f"{c.visit.pk}: {m}" for c in checks for m in c.review.conflicts + c.review.warnings]
    )
    if checks and form.cleaned_data["acknowledged"] != fingerprint:
        context = {
            "checks": checks,
            "chosen": chosen,
            "fingerprint": fingerprint,
            "next": _back_to(request, form.cleaned_data["next"]),
            "publishable": sum(1 for v in chosen if v.is_publishable) - sum(1 for c in checks if c.review.conflicts),
        }
        return render(request, "visits/staff/publish_review.html", context)
    published = services.visits_publish(visits=chosen)
    messages.success(
        request, ngettext("Published %(count)d visit.", "Published %(count)d visits.", published) % {"count": published}
    )
    if published < len(chosen):
        left = len(chosen) - published
        messages.warning(
            request,
            ngettext(
                "%(count)d chosen visit was not published: only future drafts at an open venue can be.",
                "%(count)d chosen visits were not published: only future drafts at an open venue can be.",
                left,
            )
            % {"count": left},
        )
    return redirect(_back_to(request, form.cleaned_data["next"]))


def _copy_page(request: HttpRequest, form: WeekCopyForm, items: list | None = None) -> HttpResponse:
    context = {"form": form, "items": items, "made": sum(1 for i in items or [] if not i.left_out)}
    if form.is_bound and "week" in form.cleaned_data:
        context["week"] = form.cleaned_data["week"]
    return render(request, "visits/staff/week_copy.html", context)


@staff_required("visits.add_visit")
def week_copy(request: HttpRequest) -> HttpResponse:
    """Copy a week's visits to a later week or run of weeks: preview first, then copy."""
    if request.method != "POST":
        start = CalendarFilterForm(request.GET)
        start.is_valid()
        week = start.choice("date") or timezone.localdate()
        monday = week - datetime.timedelta(days=week.weekday())
        initial = {"week": monday, "first_week": monday + datetime.timedelta(days=7), "weeks": 1}
        initial.update({name: value for name, value in start.filters().items() if value is not None})
        form = WeekCopyForm(initial=initial)
        return render(request, "visits/staff/week_copy.html", {"form": form, "week": monday})
    form = WeekCopyForm(request.POST)
    if not form.is_valid():
        return _copy_page(request, form)
    data = form.cleaned_data
    week = data["week"]
    visits = selectors.calendar_visits(start=week, end=week + datetime.timedelta(days=6), **form.filters())
    arguments = {"visits": visits, "source_week": week, "first_week": data["first_week"], "weeks": data["weeks"]}
    try:
        if data["action"] != WeekCopyForm.COPY:
            return _copy_page(request, form, services.week_copy_preview(**arguments))
        copy, items = services.week_copy(**arguments, user=request.user)
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _copy_page(request, form)
    made = sum(1 for item in items if not item.left_out)
    messages.success(
        request,
        ngettext("Copied %(count)d visit as a draft.", "Copied %(count)d visits as drafts.", made) % {"count": made},
    )
    return redirect("staff:copy_detail", pk=copy.pk)


@staff_required("visits.view_visit")
def copy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    copy = selectors.staff_copy(pk=pk)
    if copy is None:
        raise Http404("No such copy")
    return render(request, "visits/staff/copy_detail.html", {"copy": copy, "visits": selectors.copy_visits(copy=copy)})


@require_POST
@staff_required("visits.add_visit")
def copy_undo(request: HttpRequest, pk: int) -> HttpResponse:
    copy = selectors.staff_copy(pk=pk)
    if copy is None:
        raise Http404("No such copy")
    try:
        removed = services.week_copy_undo(copy=copy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The copy was undone: %(count)d draft removed.",
                "The copy was undone: %(count)d drafts removed.",
                removed,
            )
            % {"count": removed},
        )
    return redirect("staff:copy_detail", pk=copy.pk)


# One visit -----------------------------------------------------------------------------------


def _visit_or_404(pk: int) -> Visit:
    visit = selectors.staff_visit(pk=pk)
    if visit is None:
        raise Http404("No such visit")
    return visit


def _visit_page(request: HttpRequest, visit: Visit, *, cancel_form: CancelForm | None = None) -> HttpResponse:
    # The confirmation step: a valid cancellation not yet confirmed shows what residents will read.
    confirming = cancel_form is not None and cancel_form.is_valid()
    # Only a published visit's cancellation is announced (`visit_cancel`): a draft's tells nobody.
    # Counted only where the page offers the cancellation.
    announced = visit.is_published and not visit.frozen_reason and request.user.has_perm("visits.change_visit")
    context = {
        "visit": visit,
        "history": selectors.visit_history(visit=visit),
        "cancel_form": cancel_form or CancelForm(),
        "cancel_preview": cancel_form.preview() if confirming else None,
        "cancel_fingerprint": cancel_form.fingerprint() if confirming else "",
        "public_url": reverse("visits:detail", kwargs={"pk": visit.pk}) if visit.published_at else "",
        "subscribers_told": notices.visit_subscriber_count(visit) if announced else None,
        "deliveries": notices.visit_delivery_report(visit),
        "record": selectors.visit_record(visit=visit),
        "record_refusal": recording_refusal(visit=visit, user=request.user),
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
    """The first submit shows what residents will be told; only the confirming one cancels."""
    visit = _visit_or_404(pk)
    if visit.frozen_reason:
        messages.error(request, visit.frozen_reason)
        return redirect("staff:visit_detail", pk=visit.pk)
    form = CancelForm(request.POST)
    if not form.is_valid() or not form.confirmed():
        return _visit_page(request, visit, cancel_form=form)
    try:
        services.visit_cancel(visit=visit, reason=form.cleaned_data["cancel_reason_code"], details=form.details())
    except ValidationError as error:
        form.add_service_errors(error)
        return _visit_page(request, visit, cancel_form=form)
    messages.success(request, _("The visit was cancelled. Residents see the reason."))
    return redirect("staff:visit_detail", pk=visit.pk)


@require_POST
@staff_required("visits.change_visit")
def visit_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a cancellation until the visit starts; a refusal is shown as a message."""
    visit = _visit_or_404(pk)
    try:
        restored = services.visit_restore(visit=visit)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if restored.is_draft:
            messages.success(request, _("The visit was restored as a draft. Publish it when residents may see it."))
        else:
            messages.success(request, _("The visit was restored. Residents see it as scheduled again."))
    return redirect("staff:visit_detail", pk=visit.pk)


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
        "skipped_dates": services.series_skipped_dates(series),
        "drafts": [v for v in visits if v.is_publishable],
        "skip_form": skip_form or SkipForm(series=series),
    }
    return render(request, "visits/staff/series_detail.html", context)


@staff_required("visits.view_visitseries", "visits.view_visit")
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_page(request, _series_or_404(pk))


def _series_form_page(
    request: HttpRequest,
    *,
    form: SeriesForm,
    series: VisitSeries | None,
    preview: services.SeriesPreview | None = None,
) -> HttpResponse:
    review = preview.review if preview else None
    return _reviewed_form_page(
        request, SERIES_FORM_TEMPLATE, form=form, review=review, series=series, **_preview_context(form, preview)
    )


def _preview_context(form: SeriesForm, preview: services.SeriesPreview | None) -> dict:
    """What the series preview shows beside the dates: the rule in words and the usual offer."""
    context: dict = {"preview": preview}
    if preview is not None and form.is_valid():
        plan = form.plan()
        context["rule_words"] = selectors.series_rule_words(plan)
        if not plan.services or not plan.languages:
            context["usual"] = selectors.usual_offer(venue=plan.venue, advisors=plan.advisors)
    return context


def _with_usual_offer(data: QueryDict) -> QueryDict:
    """The submitted series form with empty kinds of help and languages filled from the usual ones."""
    data = data.copy()
    venue = Venue.objects.filter(pk=data.get("venue") or None).first() if str(data.get("venue", "")).isdigit() else None
    if venue is not None:
        advisors = list(Advisor.objects.filter(pk__in=[a for a in data.getlist("advisors") if a.isdigit()]))
        usual = selectors.usual_offer(venue=venue, advisors=advisors)
        if not data.getlist("services"):
            data.setlist("services", [str(s.pk) for s in usual.services])
        if not data.getlist("languages"):
            data.setlist("languages", [language.pk for language in usual.languages])
    data["action"] = SeriesForm.REVIEW
    return data


def _series_preview_for(form: SeriesForm, series: VisitSeries | None) -> services.SeriesPreview | None:
    if not form.is_valid():
        return None
    try:
        return services.series_preview(form.plan(), series=series)
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _series_form_post(request: HttpRequest, *, series: VisitSeries | None) -> HttpResponse:
    data = _with_usual_offer(request.POST) if request.POST.get("action") == "usual" else request.POST
    form = SeriesForm(data, series=series)
    preview = _series_preview_for(form, series)
    if preview is None or not form.confirmed(preview.review):
        return _series_form_page(request, form=form, series=series, preview=preview)
    plan = form.plan()
    try:
        saved = services.series_update(series=series, plan=plan) if series else services.series_create(plan)
    except ValidationError as error:
        form.add_service_errors(error)
        return _series_form_page(request, form=form, series=series, preview=preview)
    messages.success(
        request,
        _("The series was saved; its coming visits follow it.")
        if series
        else _("The series was created. Its visits are drafts until you publish them."),
    )
    return redirect("staff:series_detail", pk=saved.pk)


def _series_preview_response(request: HttpRequest, series: VisitSeries | None) -> HttpResponse:
    """The preview alone, for htmx to put beside the form while the scheduler fills it in."""
    form = SeriesForm(request.POST, series=series)
    preview = _series_preview_for(form, series)
    context = {"form": form, "series": series, **_preview_context(form, preview)}
    return render(request, "visits/staff/_series_preview.html", context)


@require_POST
@staff_required("visits.add_visitseries", "visits.add_visit")
def series_preview(request: HttpRequest) -> HttpResponse:
    return _series_preview_response(request, None)


@require_POST
@staff_required("visits.change_visitseries", "visits.change_visit")
def series_edit_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_preview_response(request, _series_or_404(pk))


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
        usual = selectors.usual_offer(venue=venue, advisors=[])
        initial.update(venue=venue, services=usual.services, languages=usual.languages)
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


# Venues' closed days and other hours ---------------------------------------------------------


@staff_required("visits.view_venue")
def venue_list(request: HttpRequest) -> HttpResponse:
    return render(request, "visits/staff/venue_list.html", {"venues": selectors.staff_venues()})


def _venue_page(request: HttpRequest, venue: Venue, *, form: VenueExceptionForm | None = None) -> HttpResponse:
    context = {
        "venue": venue,
        "exceptions": selectors.venue_coming_exceptions(venue=venue),
        "affected": selectors.visits_meeting_closures(venue=venue),
        "form": form or VenueExceptionForm(),
    }
    return render(request, "visits/staff/venue_detail.html", context)


def _venue_or_404(pk: int) -> Venue:
    venue = selectors.staff_venue(pk=pk)
    if venue is None:
        raise Http404("No such venue")
    return venue


@staff_required("visits.view_venue", "visits.view_venueexception")
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _venue_page(request, _venue_or_404(pk))


@require_POST
@staff_required("visits.add_venueexception")
def venue_exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    venue = _venue_or_404(pk)
    form = VenueExceptionForm(request.POST, instance=VenueException(venue=venue))
    if form.is_valid():
        try:
            services.venue_exception_add(exception=form.instance)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            affected = len(selectors.visits_meeting_closures(venue=venue))
            messages.success(request, _("The exception was saved."))
            if affected:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d planned visit now falls on a closed day or outside the hours: move or cancel it.",
                        "%(count)d planned visits now fall on a closed day or outside the hours: move or cancel them.",
                        affected,
                    )
                    % {"count": affected},
                )
            return redirect("staff:venue_detail", pk=venue.pk)
    return _venue_page(request, venue, form=form)


@require_POST
@staff_required("visits.delete_venueexception")
def venue_exception_delete(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    venue = _venue_or_404(pk)
    exception = VenueException.objects.filter(pk=exception_pk, venue=venue).first()
    if exception is None:
        raise Http404("No such exception")
    services.venue_exception_delete(exception=exception)
    messages.success(request, _("The exception was removed."))
    return redirect("staff:venue_detail", pk=venue.pk)


# An advisor's own calendar feed ---------------------------------------------------------------


def _feed_urls(request: HttpRequest, token: str) -> dict[str, str]:
    """The feed's https (or, locally, http) address and the same as a webcal:// subscription."""
    address = request.build_absolute_uri(reverse("advisor-feed-ics", kwargs={"token": token}))
    if request.LANGUAGE_CODE != settings.LANGUAGE_CODE:
        address += f"?lang={request.LANGUAGE_CODE}"
    return {"feed_url": address, "webcal_url": "webcal://" + address.split("://", 1)[1]}


@staff_required("visits.view_visit")
def my_feed(request: HttpRequest) -> HttpResponse:
    """An advisor's private calendar feed of their own visits: its address, to renew or revoke."""
    advisor = getattr(request.user, "advisor", None)
    if advisor is not None and not advisor.active:
        advisor = None
    if request.method == "POST":
        form = FeedActionForm(request.POST)
        if advisor is None:
            messages.error(request, _("Only service advisors have a calendar feed of their own visits."))
        elif not form.is_valid():
            messages.error(request, _("Choose whether to create, renew or revoke the address."))
        elif form.cleaned_data["action"] == FeedActionForm.REVOKE:
            services.advisor_feed_revoke(advisor=advisor)
            messages.success(request, _("The address was revoked: no calendar gets your visits from it any more."))
        else:
            renewed = bool(advisor.feed_token)
            services.advisor_feed_renew(advisor=advisor)
            messages.success(
                request,
                _("The address was renewed: the old one no longer works. Subscribe to the new one.")
                if renewed
                else _("Your calendar feed address was created."),
            )
        return redirect("staff:my_feed")
    context: dict = {"advisor": advisor}
    if advisor is not None and advisor.feed_token:
        context.update(_feed_urls(request, advisor.feed_token))
    return render(request, "visits/staff/my_feed.html", context)


@require_safe
def advisor_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The advisor's own visits as a calendar, for their phone: the secret token is the only key,
    so a forged or revoked one is a plain 404 and the answer is never cached on the way."""
    advisor = selectors.advisor_by_feed_token(token=token)
    if advisor is None:
        raise Http404("No such feed")
    language = request.GET.get("lang", settings.LANGUAGE_CODE)
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        # Translators: the advisor's name; the title of their own calendar in a calendar app.
        name = _("Mobile information service: %(advisor)s") % {"advisor": advisor}
    body = feeds.advisor_calendar(
        selectors.advisor_feed_visits(advisor=advisor),
        name=name,
        language=language,
        base_url=request.build_absolute_uri("/")[:-1],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-visits.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
