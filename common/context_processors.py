from django.conf import settings
from django.http import HttpRequest


def map_settings(request: HttpRequest) -> dict[str, str]:
    """The map tiles of the page's language: Swedish pages may have a layer of their own."""
    swedish = getattr(request, "LANGUAGE_CODE", "") == "sv"
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL_SV if swedish else settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
