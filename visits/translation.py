from modeltranslation.translator import TranslationOptions, register

from visits.models import Language, Venue, VenueException

# Visit notes and cancellation details have plain fi/sv/en columns on the model instead: the audit
# history (django-simple-history) records every field of a visit, and translated columns added
# here, after the history model is built, would escape it.


@register(Language)
class LanguageTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Venue)
class VenueTranslationOptions(TranslationOptions):
    fields = ("name", "street_address", "city", "accessibility", "public_transport")
    # A value equal to the default would otherwise count as missing and fall back to Swedish.
    fallback_undefined = {"city": ""}


@register(VenueException)
class VenueExceptionTranslationOptions(TranslationOptions):
    fields = ("reason",)
