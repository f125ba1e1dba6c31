from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from servicepoints.admin import ExceptionInline, LocationPickerAdminMixin
from visits import selectors
from visits.models import (
    Advisor,
    Language,
    SeriesSkip,
    Venue,
    VenueException,
    VenueOpeningHours,
    Visit,
    VisitAdvisor,
    VisitSeries,
)


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


class PlannedInStaffCalendarAdmin(SimpleHistoryAdmin):
    """Visits and series change only in the staff calendar, through the services that enforce the
    rules: no double booking, frozen cancelled and past visits, the advisors' booked ranges in step
    with the visit. The admin shows them and their history and offers no write at all: no add,
    change, delete, bulk delete or history revert (a revert would restore a visit's times without
    its bookings)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

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
