"""Address search through a configurable Pelias-style geocoder (e.g. Digitransit's).

Off unless GEOCODING_URL is set. Any failure of the service is "not found" for the resident,
never an error page: the rest of the page works without it.
"""

import json
import logging
import math
from dataclasses import dataclass
from http.client import HTTPException
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

logger = logging.getLogger(__name__)

# Restrict results to the Espoo region so "Kirkkotie 1" does not land in another town.
ESPOO_BOUNDS = {
    "boundary.rect.min_lat": 60.05,
    "boundary.rect.max_lat": 60.40,
    "boundary.rect.min_lon": 24.45,
    "boundary.rect.max_lon": 24.95,
}


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def geocoding_enabled() -> bool:
    return bool(settings.GEOCODING_URL)


def geocode(text: str, *, language: str) -> Place | None:
    """The best match for `text`, or None when nothing matches or the service is unavailable."""
    if not geocoding_enabled() or not text.strip():
        return None
    query = urlencode({"text": text.strip(), "size": 1, "lang": language, **ESPOO_BOUNDS})
    request = Request(f"{settings.GEOCODING_URL}?{query}", headers={"Accept": "application/json"})  # noqa: S310
    if settings.GEOCODING_API_KEY:
        request.add_header("digitransit-subscription-key", settings.GEOCODING_API_KEY)
    try:
        with urlopen(request, timeout=settings.GEOCODING_TIMEOUT_SECONDS) as response:  # noqa: S310 - configured URL
            payload = json.load(response)
        feature = payload["features"][0]
        longitude, latitude = (float(value) for value in feature["geometry"]["coordinates"][:2])
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            # Python's json reads NaN and Infinity; a distance from them fails or means nothing.
            raise ValueError(f"not a position: {latitude}, {longitude}")
        return Place(label=str(feature["properties"].get("label", text)), latitude=latitude, longitude=longitude)
    # HTTPException: a reply that is not HTTP or is cut short; AttributeError: "properties" that
    # is not an object. Neither is an OSError or a parsing error, and both must not reach the page.
    except (URLError, OSError, HTTPException, ValueError, KeyError, IndexError, TypeError, AttributeError):
        logger.warning("Geocoding %r failed", text, exc_info=True)
        return None
