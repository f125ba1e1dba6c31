from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from servicepoints.admin import ExceptionInline, LocationPickerAdminMixin
from visits import selectors
from visits.models import (
    Advisor,
    Contact,
    Delivery,
    Language,
    Notice,
    SeriesSkip,
    Subscription,
    Venue,
    VenueException,
    VenueOpeningHours,
    Visit,
    VisitAdvisor,
    VisitRecord,
    VisitSeries,
)
from visits.notices.services import deliveries_retry, subscription_choices_validate


@admin.register(Language)
class LanguageAdmin(TranslationAdmin):
    list_display = ("code", "name", "ordering")


class VenueOpeningHoursInline(admin.TabularInline):
    model = VenueOpeningHours
    extra = 0


class VenueExceptionInline(ExceptionInline):
    model = VenueException


@admin.register(Venue)
class VenueAdmin(LocationPickerAdminMixin, TranslationAdmin):
    list_display = ("name", "kind", "area", "active", "location_is_approximate")
    list_filter = ("kind", "area", "active", "location_is_approximate")
    search_fields = ("name", "street_address")
    inlines = [VenueOpeningHoursInline, VenueExceptionInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "area", "active")}),
        (
            _("Location"),
            {"fields": ("street_address", "postal_code", "city", "latitude", "longitude", "location_is_approximate")},
        ),
        (_("Visiting"), {"fields": ("accessibility", "public_transport")}),
    )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Hours changed here can leave planned visits on a closed day or outside the hours.
        affected = selectors.visits_meeting_closures(venue=form.instance)
        if affected:
            messages.warning(
                request,
                ngettext(
                    "%(count)d planned visit at this venue now falls on a closed day or outside its hours: "
                    "see the staff calendar.",
                    "%(count)d planned visits at this venue now fall on a closed day or outside its hours: "
                    "see the staff calendar.",
                    len(affected),
                )
                % {"count": len(affected)},
            )


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "active")
    list_filter = ("active", "languages")
    filter_horizontal = ("languages",)
    search_fields = ("user__first_name", "user__last_name", "user__username")


class VisitAdvisorInline(admin.TabularInline):
    """Read-only here: the staff calendar assigns advisors, with the double-booking checks."""

    model = VisitAdvisor
    extra = 0
    can_delete = False
    fields = ("advisor", "starts_at", "ends_at", "active")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdminMixin:
    """Shown in the admin, never written there: no add, change, delete or bulk delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PlannedInStaffCalendarAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Visits and series change only in the staff calendar, through the services that enforce the
    rules: no double booking, frozen cancelled and past visits, the advisors' booked ranges in step
    with the visit. The admin shows them and their history and offers no write at all: no add,
    change, delete, bulk delete or history revert (a revert would restore a visit's times without
    its bookings)."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Hiding the revert button is not enough: the view would still save a POST.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Visit)
class VisitAdmin(PlannedInStaffCalendarAdmin):
    list_display = ("__str__", "venue", "starts_at", "ends_at", "state", "series")
    list_filter = ("state", "venue__area", "venue")
    date_hierarchy = "starts_at"
    search_fields = ("venue__name",)
    filter_horizontal = ("services", "languages")
    inlines = [VisitAdvisorInline]


class SeriesSkipInline(admin.TabularInline):
    model = SeriesSkip
    extra = 0
    readonly_fields = ("start_date", "end_date", "reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VisitSeries)
class VisitSeriesAdmin(PlannedInStaffCalendarAdmin):
    list_display = ("__str__", "venue", "starts_on", "start_time", "end_time")
    list_filter = ("venue__area", "venue")
    filter_horizontal = ("services", "languages")
    inlines = [SeriesSkipInline]


# Residents' e-mail notices ---------------------------------------------------------------------


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Confirmed")), ("no", _("Not confirmed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.confirmed()
        if self.value() == "no":
            return queryset.unconfirmed()
        return queryset


class SubscriptionForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "language" in cleaned:
            # The rule residents' own form follows: at least one area or venue, one of our languages.
            subscription_choices_validate(
                language=cleaned["language"], areas=cleaned.get("areas", ()), venues=cleaned.get("venues", ())
            )
        return cleaned


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Subscriptions are made by residents (double opt-in), so none is added here; an administrator
    may change what one hears about, or delete it at the resident's request. The address and its
    confirmation stay as the resident proved them, and the token (the key to the resident's
    links) is never shown."""

    form = SubscriptionForm
    list_display = ("email", "language", "confirmed_at", "created_at")
    list_filter = (ConfirmedFilter, "language")
    search_fields = ("email",)
    fields = ("email", "language", "areas", "venues", "services", "confirmed_at", "created_at", "link_requested_at")
    readonly_fields = ("email", "confirmed_at", "created_at", "link_requested_at")
    filter_horizontal = ("areas", "venues", "services")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox of events, to read: an event is written by the change behind it and relayed by
    the worker, and its deliveries are the record of who was told."""

    list_display = ("__str__", "kind", "visit", "created_at", "relayed_at", "delivery_count")
    list_filter = ("kind",)
    list_select_related = ("visit__venue",)
    fields = ("kind", "visit", "created_at", "relayed_at", "delivery_count", "details")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description=_("deliveries"), ordering="delivery_count")
    def delivery_count(self, notice: Notice) -> int:
        return notice.delivery_count


class VisitOfNoticeFilter(admin.SimpleListFilter):
    """The deliveries of one visit's notices, as linked from its staff page. A list of every
    visit to choose from would be endless, so it names only the visit already chosen."""

    title = _("visit")
    parameter_name = "notice__visit__id__exact"

    def lookups(self, request, model_admin):
        value = self.value() or ""
        visit = Visit.objects.filter(pk=value).first() if value.isdigit() else None
        return [(str(visit.pk), str(visit))] if visit else []

    def has_output(self) -> bool:
        # Shown, and applied, only when a visit is asked for: a link names one.
        return self.value() is not None

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(notice__visit_id=int(value)) if value.isdigit() else queryset.none()


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Deliveries are made by the relay and moved on only by the worker's claim and mark, each a
    conditional UPDATE. Nothing here edits one: a form saving a whole row could write a stale
    state over the worker's. The one write is the retry of deliveries that failed for good."""

    list_display = ("notice", "subscription", "state", "attempts", "last_error", "sent_at", "touched_at")
    list_filter = ("state", "channel", "notice__kind", VisitOfNoticeFilter)
    list_select_related = ("notice", "subscription")
    search_fields = ("subscription__email",)
    fields = (
        "notice",
        "subscription",
        "channel",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "touched_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["retry"]

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Django checks a parameter against relation paths before any filter reads it: the one
        # `VisitOfNoticeFilter` reads is allowed by name.
        return lookup == VisitOfNoticeFilter.parameter_name or super().lookup_allowed(lookup, value, request)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("visits.change_delivery")

    @admin.action(description=_("Retry the chosen failed deliveries"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        retried = len(deliveries_retry(deliveries=queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again. Only deliveries that failed for good are retried.",
                "%(count)d deliveries will be sent again. Only deliveries that failed for good are retried.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )


# Whom advisors helped ---------------------------------------------------------------------------


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    can_delete = False
    fields = ("services", "language", "age_group")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VisitRecord)
class VisitRecordAdmin(PlannedInStaffCalendarAdmin):
    """Advisors and schedulers record the figures on the staff pages, through `visit_record_save`,
    which enforces who may and until when. The admin shows them, their contacts and history, and
    writes nothing: no add, change, delete or history revert."""

    list_display = ("visit", "people_helped", "recorded_by", "updated_at")
    list_filter = ("visit__venue__area",)
    list_select_related = ("visit__venue", "recorded_by")
    date_hierarchy = "visit__starts_at"
    search_fields = ("visit__venue__name",)
    fields = ("visit", "people_helped", "recorded_by", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [ContactInline]
