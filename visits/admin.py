from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from servicepoints.admin import LocationPickerAdminMixin
from visits.models import Advisor, Language, SeriesSkip, Venue, VenueOpeningHours, Visit, VisitAdvisor, VisitSeries


@admin.register(Language)
class LanguageAdmin(TranslationAdmin):
    list_display = ("code", "name", "ordering")


class VenueOpeningHoursInline(admin.TabularInline):
    model = VenueOpeningHours
    extra = 0


@admin.register(Venue)
class VenueAdmin(LocationPickerAdminMixin, TranslationAdmin):
    list_display = ("name", "kind", "area", "active", "location_is_approximate")
    list_filter = ("kind", "area", "active", "location_is_approximate")
    search_fields = ("name", "street_address")
    inlines = [VenueOpeningHoursInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "area", "active")}),
        (
            _("Location"),
            {"fields": ("street_address", "postal_code", "city", "latitude", "longitude", "location_is_approximate")},
        ),
        (_("Visiting"), {"fields": ("accessibility", "public_transport")}),
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


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "venue", "starts_at", "ends_at", "state", "series")
    list_filter = ("state", "venue__area", "venue")
    date_hierarchy = "starts_at"
    search_fields = ("venue__name",)
    filter_horizontal = ("services", "languages")
    inlines = [VisitAdvisorInline]
    # Times, venue and state change only through the staff calendar, whose services keep the
    # advisors' booked ranges in step and refuse double bookings.
    readonly_fields = (
        "series",
        "occurrence_date",
        "detached",
        "venue",
        "starts_at",
        "ends_at",
        "state",
        "published_at",
        "cancelled_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


class SeriesSkipInline(admin.TabularInline):
    model = SeriesSkip
    extra = 0
    readonly_fields = ("start_date", "end_date", "reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VisitSeries)
class VisitSeriesAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "venue", "starts_on", "start_time", "end_time")
    list_filter = ("venue__area", "venue")
    filter_horizontal = ("services", "languages")
    inlines = [SeriesSkipInline]
    readonly_fields = ("venue", "rrule", "starts_on", "start_time", "end_time", "advisors", "skip_public_holidays")

    def has_add_permission(self, request) -> bool:
        return False
