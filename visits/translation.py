from modeltranslation.translator import TranslationOptions, register

from visits.models import Language, Venue

# Visit notes and cancellation reasons stay single texts written by the scheduler: the audit
# history (django-simple-history) records every field of a visit, and translated columns added
# after the history model is built would escape it.


@register(Language)
class LanguageTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Venue)
class VenueTranslationOptions(TranslationOptions):
    fields = ("name", "street_address", "city", "accessibility", "public_transport")
    # A value equal to the default would otherwise count as missing and fall back to Swedish.
    fallback_undefined = {"city": ""}
