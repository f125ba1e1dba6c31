"""Advisors record whom they helped, on a phone at the visit: their own recent visits, and one
visit's figures (how many people, and for each contact the kinds of help and the language).

Who may record and until when is `recording_refusal`: these views ask it before showing a form,
and `visit_record_save` asks it again under the visit's lock. Another advisor's visit is a 403;
a visit that was cancelled, never published, not started yet, or whose advisors' week is over
sends the user to the visit's page with the reason.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from visits import selectors, services
from visits.models import (
    RECORD_ANY_PERMISSION,
    RECORD_CORRECTION_DAYS,
    Visit,
    VisitRecord,
    advisors_record_until,
    recording_refusal,
)
from visits.staff.record_forms import (
    EXTRA_ROWS,
    BaseContactFormSet,
    ContactForm,
    ContactOptions,
    RecordForm,
    contact_formset,
)
from visits.staff.views import staff_required

RECORD_PERMISSIONS = ("visits.view_visit", "visits.view_visitrecord")


@dataclass(frozen=True)
class RecordingRow:
    """One of the advisor's visits as "my visits" lists it: its figures so far, and why they cannot
    be recorded now (None: they can)."""

    visit: Visit
    record: VisitRecord | None
    refusal: ValidationError | None
    until: datetime.date


@staff_required(*RECORD_PERMISSIONS)
def my_visits(request: HttpRequest) -> HttpResponse:
    """The advisor's visits of today and the week before, each with what has been recorded."""
    advisor = getattr(request.user, "advisor", None)
    if advisor is not None and not advisor.active:
        advisor = None
    today = timezone.localdate()
    visits = selectors.advisor_recording_visits(advisor=advisor, today=today) if advisor else []
    rows = [
        RecordingRow(
            visit=visit,
            record=getattr(visit, "record", None),
            refusal=recording_refusal(visit=visit, user=request.user),
            until=advisors_record_until(visit),
        )
        for visit in visits
    ]
    context = {
        "advisor": advisor,
        # Today's in the order of the day; the earlier ones newest first.
        "today_rows": [row for row in reversed(rows) if timezone.localtime(row.visit.starts_at).date() == today],
        "earlier_rows": [row for row in rows if timezone.localtime(row.visit.starts_at).date() != today],
        "days": RECORD_CORRECTION_DAYS,
    }
    return render(request, "visits/staff/record_list.html", context)


def _record_page(
    request: HttpRequest, visit: Visit, *, record: VisitRecord | None, form: RecordForm, formset: BaseContactFormSet
) -> HttpResponse:
    context = {
        "visit": visit,
        "record": record,
        "form": form,
        "formset": formset,
        "history": selectors.record_history(record=record) if record else [],
        "until": advisors_record_until(visit),
        "any_time": request.user.has_perm(RECORD_ANY_PERMISSION),
    }
    return render(request, "visits/staff/record_form.html", context)


def _is_own(request: HttpRequest, visit: Visit) -> bool:
    advisor = getattr(request.user, "advisor", None)
    return advisor is not None and any(a.advisor_id == advisor.pk for a in visit.assignments.all())


def _saved_message(people_helped: int) -> str:
    if people_helped == 0:
        return _("Saved: the visit was held and nobody came.")
    return ngettext("Saved: %(count)d person helped.", "Saved: %(count)d people helped.", people_helped) % {
        "count": people_helped
    }


@staff_required(*RECORD_PERMISSIONS)
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct the visit's figures. "Add more rows" shows the form again with more
    empty contact rows and saves nothing."""
    visit = selectors.staff_visit(pk=pk)
    if visit is None:
        raise Http404("No such visit")
    if refusal := recording_refusal(visit=visit, user=request.user):
        if refusal.code == "not_own":
            raise PermissionDenied(refusal.message)
        messages.error(request, refusal.message)
        return redirect("staff:visit_detail", pk=visit.pk)
    record = selectors.visit_record(visit=visit)
    options = ContactOptions.read()
    if request.method != "POST":
        form = RecordForm(initial=RecordForm.initial_for(record))
        contacts = [ContactForm.initial_for(contact) for contact in record.contacts.all()] if record else []
        formset = contact_formset(options=options, initial=contacts)
        return _record_page(request, visit, record=record, form=form, formset=formset)
    form = RecordForm(request.POST)
    formset = contact_formset(request.POST, options=options)
    if form.wants_more_rows:
        typed = formset.typed()
        more = contact_formset(options=options, initial=typed, extra=len(formset.forms) - len(typed) + EXTRA_ROWS)
        again = RecordForm(initial={"people_helped": form["people_helped"].value()})
        return _record_page(request, visit, record=record, form=again, formset=more)
    valid = form.is_valid()
    if not (formset.is_valid() and valid):
        return _record_page(request, visit, record=record, form=form, formset=formset)
    people_helped = form.cleaned_data["people_helped"]
    try:
        services.visit_record_save(
            visit=visit, user=request.user, people_helped=people_helped, contacts=formset.plans()
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            # The rule refused under the lock: the visit changed since the page was opened.
            messages.error(request, " ".join(error.messages))
            return redirect("staff:visit_detail", pk=visit.pk)
        form.add_service_errors(error.message_dict)
        return _record_page(request, visit, record=record, form=form, formset=formset)
    messages.success(request, _saved_message(people_helped))
    if _is_own(request, visit):
        return redirect("staff:my_visits")
    return redirect("staff:visit_detail", pk=visit.pk)
