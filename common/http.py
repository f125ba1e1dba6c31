import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.generic import RedirectView


def public_cache(response: HttpResponse) -> HttpResponse:
    """Shared caches may keep public responses but must revalidate: ConditionalGetMiddleware's
    ETag makes that cheap, and a change to a visit or service point shows on the next request."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response


class StaticRedirect(RedirectView):
    """A permanent redirect to a static file, resolved per request: with the manifest storage of
    production the hashed name is known only once the app runs, not when URLs are imported."""

    permanent = True
    path = ""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static(self.path)


logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A database that is restarting or unreachable gets a 503 with Retry-After, not a 500: a page
    saying so in the page's language, or the API's JSON error. The broken connection is closed at
    the end of the request, so the next one connects afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        message = _("The service is restarting or under maintenance. Please try again in a moment.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": message}, status=503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response
