from modeltranslation.translator import TranslationOptions, register

from servicepoints.models import Announcement, Area, OpeningHoursException, ServicePoint, ServiceType


@register(Area)
class AreaTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ServiceType)
class ServiceTypeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ServicePoint)
class ServicePointTranslationOptions(TranslationOptions):
    fields = ("name", "description", "street_address", "city", "accessibility", "public_transport", "closure_note")
    # By default modeltranslation treats a value equal to the field's default as missing and falls
    # back to another language: city_fi "Espoo" (the default) would then read "Esbo" in Finnish.
    fallback_undefined = {"city": ""}


@register(OpeningHoursException)
class OpeningHoursExceptionTranslationOptions(TranslationOptions):
    fields = ("reason",)


@register(Announcement)
class AnnouncementTranslationOptions(TranslationOptions):
    fields = ("title", "text")
