from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def public_cache(response: HttpResponse) -> HttpResponse:
    """Shared caches may keep public responses but must revalidate: ConditionalGetMiddleware's
    ETag makes that cheap, and a change to a visit or service point shows on the next request."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
