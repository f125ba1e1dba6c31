from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context: template.Context) -> dict:
    """Links to this same page in each language, query string kept."""
    request = context["request"]
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "url": f"{url}?{query}" if query else url,
                "current": code == context.get("LANGUAGE_CODE"),
            }
        )
    return {"links": links}


@register.filter
def distance(metres: float) -> str:
    """850 m, or 2,3 km in the active language's number format."""
    if metres < 1000:
        # Translators: a distance in metres.
        return _("%(metres)s m") % {"metres": int(round(metres, -1))}
    # number_format cuts extra decimals off rather than rounding: 3989 m would read "3,9 km".
    # Translators: a distance in kilometres, one decimal.
    return _("%(km)s km") % {"km": number_format(round(metres / 1000, 1), decimal_pos=1)}
