from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.forms import BaseInlineFormSet, NumberInput
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from common.dates import local_today
from servicepoints.models import (
    Announcement,
    Area,
    OpeningHours,
    OpeningHoursException,
    ServicePoint,
    ServicePointDailyCount,
    ServiceType,
)


class LocationPickerAdminMixin:
    """Puts a Leaflet map under the latitude/longitude inputs: click or drag the marker to place it.

    The inputs stay the source of truth (and work without JavaScript); the map only writes them.
    """

    class Media:
        css = {"all": ("leaflet/leaflet.css", "css/admin-location-picker.css")}
        js = ("leaflet/leaflet.js", "js/admin-location-picker.js")

    def formfield_for_dbfield(self, db_field: models.Field, request, **kwargs):
        if db_field.name in ("latitude", "longitude"):
            kwargs["widget"] = NumberInput(
                attrs={
                    "step": "any",
                    "data-location-picker": db_field.name,
                    "data-tile-url": settings.MAP_TILE_URL,
                    "data-tile-attribution": settings.MAP_TILE_ATTRIBUTION,
                    "data-label": _("Location on the map. Click the map or drag the marker to set it."),
                }
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Area)
class AreaAdmin(LocationPickerAdminMixin, TranslationAdmin):
    list_display = ("name", "slug", "ordering")
    prepopulated_fields = {"slug": ("name_fi",)}


@admin.register(ServiceType)
class ServiceTypeAdmin(TranslationAdmin):
    list_display = ("name", "slug", "ordering")
    prepopulated_fields = {"slug": ("name_fi",)}


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ExceptionsFormSet(BaseInlineFormSet):
    """Dated exceptions of one place: each row valid on its own, and none overlapping another,
    whether shown here or not (past rows are hidden)."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.instance
            for form in self.forms
            if form.is_valid()
            and (form.has_changed() or form.instance.pk)
            and not self._should_delete_form(form)
            and form.instance.start_date
        ]
        shown = {form.instance.pk for form in self.forms if form.instance.pk}
        hidden = (
            self.model.objects.filter(**{self.fk.name: self.instance}).exclude(pk__in=shown) if self.instance.pk else []
        )
        for position, exception in enumerate(kept):
            try:
                exception.refuse_overlap([*kept[position + 1 :], *hidden])
            except ValidationError as error:
                raise ValidationError(error.message_dict["start_date"]) from None


class ExceptionInline(TranslationTabularInline):
    formset = ExceptionsFormSet
    extra = 0
    fields = ("start_date", "end_date", "closed", "opens", "closes", "reason")

    def get_queryset(self, request):
        # Past exceptions are history; the form shows what is still to come.
        return super().get_queryset(request).filter(end_date__gte=local_today())


class OpeningHoursExceptionInline(ExceptionInline):
    model = OpeningHoursException


@admin.register(ServicePoint)
class ServicePointAdmin(LocationPickerAdminMixin, TranslationAdmin):
    list_display = (
        "name",
        "kind",
        "area",
        "status_today",
        "opens_on",
        "closes_on",
        "location_is_approximate",
        "example_data",
    )
    list_filter = ("kind", "area", "location_is_approximate", "example_data")
    search_fields = ("name", "street_address")
    prepopulated_fields = {"slug": ("name_fi",)}
    filter_horizontal = ("services", "alternatives")
    inlines = [OpeningHoursInline, OpeningHoursExceptionInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "area", "description", "services")}),
        (
            _("Location"),
            {"fields": ("street_address", "postal_code", "city", "latitude", "longitude", "location_is_approximate")},
        ),
        (_("Visiting"), {"fields": ("accessibility", "public_transport")}),
        (_("Opening and closure"), {"fields": ("opens_on", "closes_on", "closure_note", "alternatives")}),
        (_("Confirmation"), {"fields": ("example_data",)}),
    )

    @admin.display(description=_("status today"))
    def status_today(self, obj: ServicePoint) -> str:
        return ServicePoint.Status(obj.status_on(local_today())).label


@admin.register(Announcement)
class AnnouncementAdmin(TranslationAdmin):
    list_display = ("title", "starts_on", "ends_on", "in_force_today", "updated_at")
    search_fields = ("title", "text")
    ordering = ("-starts_on", "-pk")
    fields = ("title", "text", "starts_on", "ends_on")

    def get_queryset(self, request):
        # "In force" is spelled once, by the QuerySet; the column asks it rather than compare dates again.
        in_force = Announcement.objects.in_force(local_today()).filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_in_force_today=Exists(in_force))

    @admin.display(description=_("in force today"), boolean=True, ordering="is_in_force_today")
    def in_force_today(self, obj: Announcement) -> bool:
        return obj.is_in_force_today


@admin.register(ServicePointDailyCount)
class ServicePointDailyCountAdmin(SimpleHistoryAdmin):
    """The counts schedulers enter on the staff pages (`daily_count_save`), with their history of
    corrections; read here, corrected there, so the rules of a count have one home."""

    list_display = ("service_point", "day", "visitors", "recorded_by", "updated_at")
    list_filter = ("service_point",)
    date_hierarchy = "day"
    list_select_related = ("service_point", "recorded_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def revert_disabled(self, request, obj=None) -> bool:
        return True
